//! The command line: every command reads and writes the same database.

mod output;

use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use tsm_desk::analysis::{self, CohortBy};
use tsm_desk::domain::{Layout, Period, Thresholds};
use tsm_desk::import::{ColumnMapping, Field};
use tsm_desk::store::{ImportOptions, Store};

/// tsm-desk: school attendance data and termly Targeting Support Meetings.
#[derive(Debug, Parser)]
#[command(name = "tsm-desk", version, about)]
pub struct Cli {
    /// The database file (default: $TSM_DESK_DB, else tsm-desk.sqlite in the platform data folder).
    #[arg(long, global = true, env = "TSM_DESK_DB")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

impl Cli {
    /// Whether no command was given (the desktop app opens then).
    pub fn wants_gui(&self) -> bool {
        self.command.is_none()
    }

    /// The database given with `--db` or `TSM_DESK_DB`, if any.
    pub fn db(&self) -> Option<&Path> {
        self.db.as_deref()
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the patch overview (creating a demo database from sample_data/ if there is none).
    Overview,
    /// Import attendance exports (CSV or XLSX) for one school; all files or none.
    Import(ImportArgs),
    /// List pupils flagged severely absent, persistently absent or at risk.
    Flags(FlagsArgs),
    /// Break absence down by year group or characteristic.
    Cohorts(CohortArgs),
    /// List the schools in the database.
    Schools(JsonArg),
    /// Show a school's headline figures, reasons, lateness and weekly pattern.
    Summary(FlagsArgs),
    /// Regenerate the synthetic sample data set (deterministic).
    SampleData {
        /// The folder to write into.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The school's URN.
    #[arg(long)]
    school: String,
    /// The school's name.
    #[arg(long)]
    name: Option<String>,
    /// The school's phase (primary, secondary, special...).
    #[arg(long)]
    phase: Option<String>,
    /// The term, e.g. "2025-26 autumn" (required for summaries; marks take terms from their dates).
    #[arg(long)]
    term: Option<Period>,
    /// Import a file again that was imported before, replacing what it stored.
    #[arg(long)]
    replace: bool,
    /// Read the files as this layout (summary, marks_long, marks_wide, details) instead of detecting it.
    #[arg(long, value_parser = parse_layout)]
    layout: Option<Layout>,
    /// Read a field from a column of your choosing, e.g. --map upn="Pupil Ref" (repeatable).
    #[arg(long = "map", value_parser = parse_map)]
    maps: Vec<(Field, String)>,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
    /// The files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct FlagsArgs {
    /// The school's URN.
    #[arg(long)]
    school: String,
    /// The term (default: the school's latest).
    #[arg(long)]
    term: Option<Period>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct CohortArgs {
    #[command(flatten)]
    flags: FlagsArgs,
    /// What to break down by.
    #[arg(long, value_parser = parse_by)]
    by: CohortBy,
}

#[derive(Debug, Args)]
struct JsonArg {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::parse(s)
        .ok_or_else(|| format!("{s:?} is not a layout (summary, marks_long, marks_wide, details)"))
}

fn parse_by(s: &str) -> Result<CohortBy, String> {
    CohortBy::ALL
        .into_iter()
        .find(|b| b.as_str() == s.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("{s:?} is not one of year, sex, sen, fsm, eal, cla, cin"))
}

fn parse_map(s: &str) -> Result<(Field, String), String> {
    let (field, header) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: write FIELD=HEADER"))?;
    let field = Field::parse_name(field)
        .ok_or_else(|| format!("{field:?} is not a field tsm-desk reads"))?;
    Ok((field, header.trim().to_owned()))
}

/// Runs the command line, writing to `out`.
///
/// # Errors
/// Any failure, with context for the user.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    let db = match cli.db {
        Some(p) => p,
        None => tsm_desk::service::default_database()
            .context("cannot find a data folder; pass --db FILE or set TSM_DESK_DB")?,
    };
    match cli.command {
        None | Some(Command::Overview) => overview(&db, out),
        Some(Command::SampleData { out: dir }) => sample_data(&dir, out),
        Some(Command::Import(args)) => import(&db, &args, out),
        Some(Command::Flags(args)) => flags(&db, &args, out),
        Some(Command::Cohorts(args)) => cohorts(&db, &args, out),
        Some(Command::Summary(args)) => summary(&db, &args, out),
        Some(Command::Schools(args)) => schools(&db, args.json, out),
    }
}

fn open(db: &Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("cannot open the database {}", db.display()))
}

fn overview(db: &Path, out: &mut dyn Write) -> Result<()> {
    let fresh = !db.exists();
    let mut store = open(db)?;
    if fresh {
        let dir = tsm_desk::demo::sample_dir()
            .context("no database yet and no sample_data folder to start a demo from")?;
        writeln!(
            out,
            "No database yet: loading the bundled sample data (demo data, synthetic pupils) into {}",
            db.display()
        )?;
        if let Err(e) = tsm_desk::demo::load(&mut store, &dir) {
            // Leave no half-filled demo behind: the next run starts afresh.
            drop(store);
            for suffix in ["", "-wal", "-shm"] {
                let mut path = db.as_os_str().to_owned();
                path.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(path));
            }
            return Err(anyhow::Error::new(e).context("loading the sample data"));
        }
    }
    output::overview(&store, &Thresholds::default(), out)
}

fn sample_data(dir: &Path, out: &mut dyn Write) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = tsm_desk::sample::generate(dir)?;
    tsm_desk::demo::write_manifest(dir, &files)?;
    for f in &files {
        let size = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
        writeln!(
            out,
            "{:<48} {:>10} bytes  school {}",
            f.path.display(),
            size,
            f.urn
        )?;
    }
    writeln!(
        out,
        "{} files and {} written",
        files.len(),
        tsm_desk::demo::MANIFEST
    )?;
    Ok(())
}

fn import(db: &Path, args: &ImportArgs, out: &mut dyn Write) -> Result<()> {
    let mapping = ColumnMapping {
        layout: args.layout,
        columns: args.maps.clone(),
    };
    // Every file is read and checked before anything is written.
    let mut batches = Vec::with_capacity(args.files.len());
    for path in &args.files {
        batches.push(tsm_desk::import::read_file(path, &mapping)?);
    }
    let mut store = open(db)?;
    if args.phase.is_some() {
        store.set_school(&args.school, args.name.as_deref(), args.phase.as_deref())?;
    }
    let options = ImportOptions {
        school_name: args.name.clone(),
        term: args.term,
        replace: args.replace,
    };
    let outcomes = store.import_batches(&args.school, &batches, &options)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &outcomes)?;
        writeln!(out)?;
        return Ok(());
    }
    for o in &outcomes {
        output::import_outcome(o, out)?;
    }
    Ok(())
}

fn flags(db: &Path, args: &FlagsArgs, out: &mut dyn Write) -> Result<()> {
    let store = open(db)?;
    let (school, data) = store.period_data(&args.school, args.term)?;
    let thresholds = Thresholds::default();
    let mut flags = analysis::flags(&data, &thresholds)?;
    output::sort_short_list(&mut flags);
    let term = data.period.map(|p| p.to_string()).unwrap_or_default();
    if args.json {
        output::flags_json(&school.urn, &term, &flags, out)
    } else {
        output::flags_table(&school, &term, &flags, out)
    }
}

fn cohorts(db: &Path, args: &CohortArgs, out: &mut dyn Write) -> Result<()> {
    let store = open(db)?;
    let (school, data) = store.period_data(&args.flags.school, args.flags.term)?;
    let flags = analysis::flags(&data, &Thresholds::default())?;
    let groups = analysis::cohorts(&data, &flags, args.by)?;
    if args.flags.json {
        let value = serde_json::json!({
            "school": school.urn,
            "term": data.period.map(|p| p.to_string()),
            "by": args.by.as_str(),
            "groups": groups,
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        Ok(())
    } else {
        output::cohort_table(&school, data.period, args.by, &groups, out)
    }
}

fn summary(db: &Path, args: &FlagsArgs, out: &mut dyn Write) -> Result<()> {
    let store = open(db)?;
    let (school, data) = store.period_data(&args.school, args.term)?;
    let thresholds = Thresholds::default();
    let flags = analysis::flags(&data, &thresholds)?;
    let report = output::SchoolReport {
        school: school.clone(),
        term: data.period.map(|p| p.to_string()),
        previous_term: data.previous.map(|p| p.to_string()),
        headline: analysis::headline(&data, &flags, &thresholds),
        reasons: analysis::reasons(&data)?,
        lateness: analysis::lateness(&data),
        weekly: analysis::weekly(&data)?,
        day_of_week: analysis::day_of_week(&data)?,
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        Ok(())
    } else {
        output::school_report(&report, out)
    }
}

fn schools(db: &Path, json: bool, out: &mut dyn Write) -> Result<()> {
    let store = open(db)?;
    let mut schools = Vec::new();
    for s in store.schools()? {
        let periods: Vec<String> = store
            .periods(s.id)?
            .iter()
            .map(ToString::to_string)
            .collect();
        schools.push((s, periods));
    }
    if json {
        let list: Vec<serde_json::Value> = schools
            .iter()
            .map(|(s, periods)| serde_json::json!({"urn": s.urn, "name": s.name, "phase": s.phase, "periods": periods}))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "schools": list }))?;
        writeln!(out)?;
        return Ok(());
    }
    if schools.is_empty() {
        bail!("no schools yet: import a file with `tsm-desk import --school URN FILE`");
    }
    for (s, periods) in &schools {
        writeln!(
            out,
            "{:<8} {:<32} {:<10} {}",
            s.urn,
            s.name.as_deref().unwrap_or("-"),
            s.phase.as_deref().unwrap_or("-"),
            periods.join(", ")
        )?;
    }
    Ok(())
}
