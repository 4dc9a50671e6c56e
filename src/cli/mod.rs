//! The command line: every command reads and writes the same database.

mod comparators;
mod output;
mod safety;

pub use safety::Db;

use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use tsm_desk::domain::meeting::ActionStatus;
use tsm_desk::domain::{Clock, Code, Layout, Period};
use tsm_desk::service::CohortBy;
use tsm_desk::service::ImportRequest;
use tsm_desk::service::print::{
    Export, NameStyle, PrintOptions, Printable, ReportError, TABLE_EXTENSIONS,
};
use tsm_desk::service::{ColumnMapping, Field};
use tsm_desk::service::{Service, retention_keep_from};

/// tsm-desk: school attendance data and termly Targeting Support Meetings.
#[derive(Debug, Parser)]
#[command(name = "tsm-desk", version, about)]
pub struct Cli {
    /// The database file (default: $TSM_DESK_DB, else tsm-desk.sqlite in the platform data folder).
    #[arg(long, global = true, env = "TSM_DESK_DB")]
    db: Option<PathBuf>,
    /// Create a new database without encryption (not recommended: anyone who gets the
    /// file can read it). An encrypted database's passphrase is read from
    /// $TSM_DESK_PASSPHRASE, else asked for at the terminal.
    #[arg(long, global = true, env = "TSM_DESK_UNENCRYPTED", value_parser = clap::builder::FalseyValueParser::new())]
    unencrypted: bool,
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
    Overview(JsonArg),
    /// Import attendance files (CSV or XLSX): the DfE weekly file for every school in it,
    /// or a school's MIS exports; all files or none.
    Import(ImportArgs),
    /// Show or change the code map: local attendance codes and the national codes they
    /// stand for.
    CodeMap(CodeMapArgs),
    /// List the national and LA comparators held, each with its source (the releases
    /// in settings, the published weekly figures imported), or import the DfE's
    /// published weekly attendance statistics (`comparators import FILE`).
    Comparators(comparators::ComparatorsArgs),
    /// List pupils flagged severely absent, persistently absent or at risk.
    Flags(FlagsArgs),
    /// Test the at-risk flags on the school's own history: for each pair of consecutive
    /// terms held, how many pupils flagged at risk became persistently absent
    /// (precision) and how many of the new persistent absentees had been flagged
    /// (recall).
    Backtest(BacktestArgs),
    /// Break absence down by year group or characteristic.
    Cohorts(CohortArgs),
    /// List the schools in the database.
    Schools(JsonArg),
    /// Show a school's headline figures, reasons, lateness and weekly pattern.
    Summary(FlagsArgs),
    /// Write a school's pupil list for meeting preparation (severely absent, persistently
    /// absent and at-risk pupils, with blank columns for the school's notes).
    PupilList(PupilListArgs),
    /// Export the actions tracker or a school's cohort tables as XLSX or CSV.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Write a meeting's action log as a PDF (A4) for both parties to sign.
    ActionLog(ActionLogArgs),
    /// Back up the database now (into the backups folder beside it, or to --out).
    Backup(safety::BackupArgs),
    /// Replace the database's contents with a backup (what is there now is backed up
    /// first). The backup must have this database's passphrase.
    Restore(safety::RestoreArgs),
    /// Encrypt an unencrypted database (and its backups) with a new passphrase.
    Encrypt,
    /// Purge data older than the retention period (setting: retention_years, default 3
    /// academic years: this one and the two before). Without --yes, only shows what
    /// would go.
    Purge(PurgeArgs),
    /// Delete everything held about one school: pupils, terms, imports, marks, meetings
    /// and their audit trail.
    DeleteSchool(DeleteSchoolArgs),
    /// Show the activity log: imports, prints, exports, purges and deletions.
    Activity(ActivityArgs),
    /// Regenerate the synthetic sample data set (deterministic).
    SampleData {
        /// The folder to write into.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The school's URN: needed for a school's own exports; for a file that names its
    /// schools (the DfE weekly file), only this school's rows are taken.
    #[arg(long)]
    school: Option<String>,
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
    /// Read a local attendance code as a national code for this import, e.g.
    /// --code-map Q9=I (repeatable; the saved code map applies too).
    #[arg(long = "code-map", value_parser = parse_code_map)]
    code_map: Vec<(String, Code)>,
    /// The day a weekly file's figures run to (default: the file's modified date),
    /// e.g. 2025-10-10.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
    /// The files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct CodeMapArgs {
    /// Map a local code to a national code, e.g. --add Q9=I (repeatable).
    #[arg(long = "add", value_parser = parse_code_map)]
    add: Vec<(String, Code)>,
    /// Remove a local code from the map (repeatable).
    #[arg(long = "remove")]
    remove: Vec<String>,
    /// Only for this school (URN); without it, the entries apply to all schools.
    #[arg(long)]
    school: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct PurgeArgs {
    /// Academic years to keep (default: the retention setting); 1 keeps only the
    /// current academic year.
    #[arg(long)]
    years: Option<u32>,
    /// Purge now; without it, only show what would go.
    #[arg(long)]
    yes: bool,
    /// The date the current academic year is counted from (default: today).
    #[arg(long)]
    today: Option<NaiveDate>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DeleteSchoolArgs {
    /// The school's URN.
    #[arg(long)]
    school: String,
    /// Confirm: the school's data cannot be brought back (except from a backup).
    #[arg(long)]
    yes: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ActivityArgs {
    /// How many rows, newest first.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Print JSON.
    #[arg(long)]
    json: bool,
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
struct BacktestArgs {
    /// The school's URN.
    #[arg(long)]
    school: String,
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
struct PupilListArgs {
    /// The school's URN.
    #[arg(long)]
    school: String,
    /// The term (default: the school's latest).
    #[arg(long)]
    term: Option<Period>,
    /// The file to write: .pdf (pupil list only), .xlsx or .csv.
    #[arg(long)]
    out: PathBuf,
    /// On a PDF, name pupils by `full` name or `initials` (default: as in settings).
    #[arg(long, value_parser = parse_names)]
    names: Option<NameStyle>,
}

#[derive(Debug, Args)]
struct ActionLogArgs {
    /// The meeting's id (shown in the app's meeting header as "#ID").
    #[arg(long, required_unless_present = "school", conflicts_with = "school")]
    meeting: Option<i64>,
    /// Or: the school's URN, for its meeting in --term.
    #[arg(long)]
    school: Option<String>,
    /// With --school: the meeting's term (default: the school's latest term with data).
    #[arg(long, requires = "school")]
    term: Option<Period>,
    /// The PDF file to write.
    #[arg(long)]
    out: PathBuf,
    /// Name pupils by `full` name or `initials` (default: as in settings).
    #[arg(long, value_parser = parse_names)]
    names: Option<NameStyle>,
}

fn parse_names(s: &str) -> Result<NameStyle, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "full" => Ok(NameStyle::Full),
        "initials" => Ok(NameStyle::Initials),
        _ => Err(format!("{s:?}: use full or initials")),
    }
}

/// Print options from the command line, falling back to the settings' naming.
fn print_options(service: &Service, names: Option<NameStyle>) -> PrintOptions {
    PrintOptions {
        names: names.unwrap_or(service.settings().print_names),
        printed_on: service.clock().now(),
    }
}

fn action_log(db: &Db, args: &ActionLogArgs, out: &mut dyn Write) -> Result<()> {
    if extension(&args.out).as_deref() != Some("pdf") {
        return Err(ReportError::Format(args.out.display().to_string(), ".pdf").into());
    }
    let mut service = open_service(db)?;
    let (urn, meeting) = match (&args.school, args.meeting) {
        (Some(urn), _) => (urn.clone(), service.meeting_id(urn, args.term)?),
        (None, Some(id)) => (String::new(), id),
        (None, None) => bail!("give --meeting ID or --school URN"),
    };
    let urn = if urn.is_empty() {
        service.meeting_urn(meeting)?
    } else {
        urn
    };
    let options = print_options(&service, args.names);
    let printout = service.lay_out(
        &Printable::ActionLog {
            urn: urn.clone(),
            meeting,
        },
        &options,
    )?;
    let said = service.export(&printout.pdf_export(), &args.out)?;
    writeln!(out, "{said}")?;
    Ok(())
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Export agreed actions (every school's, or one school's), as the actions tracker
    /// shows them.
    Actions(ExportActionsArgs),
    /// Export a school's absence by year group and by characteristic.
    Cohorts(PupilListArgs),
}

#[derive(Debug, Args)]
struct ExportActionsArgs {
    /// The file to write: .xlsx or .csv.
    #[arg(long)]
    out: PathBuf,
    /// Only this school's actions (URN).
    #[arg(long)]
    school: Option<String>,
    /// Which actions: all, open (open, partly done or not done), or one status (done,
    /// partly, not_done, no_longer_needed).
    #[arg(long, default_value = "all", value_parser = parse_status)]
    status: StatusFilter,
    /// Only actions that are open and past their due date.
    #[arg(long)]
    overdue: bool,
    /// The date overdue is counted from (default: today), e.g. 2026-11-23.
    #[arg(long)]
    today: Option<NaiveDate>,
}

/// Which actions `export actions` keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusFilter {
    /// Open, partly done or not done.
    StillOpen,
    /// Any status.
    Any,
    /// One status.
    Is(ActionStatus),
}

impl StatusFilter {
    fn keeps(self, s: ActionStatus) -> bool {
        match self {
            StatusFilter::StillOpen => s.is_open(),
            StatusFilter::Any => true,
            StatusFilter::Is(x) => x == s,
        }
    }
}

fn parse_status(s: &str) -> Result<StatusFilter, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "open" => Ok(StatusFilter::StillOpen),
        "all" | "any" => Ok(StatusFilter::Any),
        key => ActionStatus::from_key(key)
            .map(StatusFilter::Is)
            .ok_or_else(|| {
                format!("{s:?} is not one of all, open, done, partly, not_done, no_longer_needed")
            }),
    }
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
        .ok_or_else(|| {
            format!("{s:?} is not one of year, sex, sen, fsm, eal, cla, cin, pla, sen_type")
        })
}

fn parse_code_map(s: &str) -> Result<(String, Code), String> {
    let (local, national) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: write LOCAL=NATIONAL, e.g. Q9=I"))?;
    let entry = tsm_desk::domain::LocalCode {
        local: local.trim().to_owned(),
        national: national.trim().to_owned(),
        school: None,
    };
    let code = entry.check()?;
    Ok((entry.local, code))
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
    let db = Db {
        path: match cli.db {
            Some(p) => p,
            None => tsm_desk::service::default_database()
                .context("cannot find a data folder; pass --db FILE or set TSM_DESK_DB")?,
        },
        unencrypted: cli.unencrypted,
    };
    match cli.command {
        None => overview(&db, false, out),
        Some(Command::Overview(args)) => overview(&db, args.json, out),
        Some(Command::CodeMap(args)) => code_map(&db, &args, out),
        Some(Command::Comparators(args)) => comparators::run(&db, &args, out),
        Some(Command::SampleData { out: dir }) => sample_data(&dir, out),
        Some(Command::Backup(args)) => safety::backup(&db, &args, out),
        Some(Command::Restore(args)) => safety::restore(&db, &args, out),
        Some(Command::Encrypt) => safety::encrypt(&db, out),
        Some(Command::Import(args)) => import(&db, &args, out),
        Some(Command::Flags(args)) => flags(&db, &args, out),
        Some(Command::Backtest(args)) => backtest(&db, &args, out),
        Some(Command::Cohorts(args)) => cohorts(&db, &args, out),
        Some(Command::Summary(args)) => summary(&db, &args, out),
        Some(Command::Schools(args)) => schools(&db, args.json, out),
        Some(Command::PupilList(args)) => pupil_list(&db, &args, out),
        Some(Command::ActionLog(args)) => action_log(&db, &args, out),
        Some(Command::Export(ExportCommand::Actions(args))) => export_actions(&db, &args, out),
        Some(Command::Export(ExportCommand::Cohorts(args))) => export_cohorts(&db, &args, out),
        Some(Command::Purge(args)) => purge(&db, &args, out),
        Some(Command::DeleteSchool(args)) => delete_school(&db, &args, out),
        Some(Command::Activity(args)) => activity(&db, &args, out),
    }
}

fn open_service(db: &Db) -> Result<Service> {
    let key = safety::passphrase(db)?;
    Service::open_existing(db, key.as_ref())
        .with_context(|| format!("cannot open the database {}", db.display()))
}

fn purge(db: &Db, args: &PurgeArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    let today = args.today.unwrap_or_else(|| service.clock().today());
    let years = args.years.unwrap_or(service.settings().retention_years);
    if retention_keep_from(today, years).is_none() {
        bail!(
            "retention is off (0 years: keep everything); give --years N or set the retention in settings"
        );
    }
    let result = if args.yes {
        service.purge(today, Some(years))?
    } else {
        service.purge_preview(today, Some(years))?
    };
    if args.json {
        let value = serde_json::json!({
            "purged": args.yes,
            "years_kept": years,
            "preview": result,
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    output::purge(&result, years, args.yes, out)
}

fn delete_school(db: &Db, args: &DeleteSchoolArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    let urn = args.school.trim();
    if !args.yes {
        bail!(
            "this deletes everything held about school {urn} (pupils, terms, imports, meetings and their audit trail) and cannot be undone; add --yes to confirm"
        );
    }
    let done = service.delete_school(urn)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &done)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "Deleted all data of school {}: {}",
        done.urn,
        done.counts.describe()
    )?;
    if !done.compacted {
        writeln!(
            out,
            "The database file could not be compacted now (is the app open?); deleted rows are zeroed but the file keeps its size."
        )?;
    }
    Ok(())
}

fn activity(db: &Db, args: &ActivityArgs, out: &mut dyn Write) -> Result<()> {
    let service = open_service(db)?;
    let rows = service.activity(args.limit)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "activity": rows }))?;
        writeln!(out)?;
        return Ok(());
    }
    if rows.is_empty() {
        writeln!(out, "No activity recorded yet.")?;
    }
    for r in &rows {
        writeln!(
            out,
            "{}  {:<13} {:<8} {:<24} {}",
            r.at.format("%Y-%m-%d %H:%M"),
            r.kind.label(),
            r.school_urn.as_deref().unwrap_or("-"),
            r.officer,
            r.summary
        )?;
    }
    Ok(())
}

/// The file's extension in lower case, if any.
fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// Refuses a file the tables cannot be written as before any work is done.
fn check_table_file(path: &Path) -> Result<()> {
    match extension(path).as_deref() {
        Some("xlsx" | "csv") => Ok(()),
        _ => Err(ReportError::Format(path.display().to_string(), TABLE_EXTENSIONS).into()),
    }
}

/// The pupil list as XLSX or CSV (the format follows the file's extension).
fn pupil_list(db: &Db, args: &PupilListArgs, out: &mut dyn Write) -> Result<()> {
    let format = extension(&args.out);
    match format.as_deref() {
        Some("xlsx" | "csv" | "pdf") => {}
        _ => {
            return Err(
                ReportError::Format(args.out.display().to_string(), ".pdf, .xlsx or .csv").into(),
            );
        }
    }
    let mut service = open_service(db)?;
    let (urn, period) = (args.school.clone(), args.term);
    let said = if format.as_deref() == Some("pdf") {
        let options = print_options(&service, args.names);
        let printout = service.lay_out(&Printable::PupilList { urn, period }, &options)?;
        service.export(&printout.pdf_export(), &args.out)?
    } else {
        service.export(&Export::PupilList { urn, period }, &args.out)?
    };
    writeln!(out, "{said}")?;
    Ok(())
}

fn export_actions(db: &Db, args: &ExportActionsArgs, out: &mut dyn Write) -> Result<()> {
    check_table_file(&args.out)?;
    let mut service = open_service(db)?;
    if let Some(urn) = &args.school {
        service.require_school(urn)?;
    }
    let today = args.today.unwrap_or_else(|| service.clock().today());
    let rows: Vec<_> = service
        .tracker(today)?
        .into_iter()
        .filter(|r| args.school.as_ref().is_none_or(|s| *s == r.urn))
        .filter(|r| args.status.keeps(r.action.status))
        .filter(|r| !args.overdue || r.overdue)
        .collect();
    let said = service.export(&Export::Actions(rows), &args.out)?;
    writeln!(out, "{said}")?;
    Ok(())
}

fn export_cohorts(db: &Db, args: &PupilListArgs, out: &mut dyn Write) -> Result<()> {
    check_table_file(&args.out)?;
    let mut service = open_service(db)?;
    let what = Export::Cohorts {
        urn: args.school.clone(),
        period: args.term,
    };
    let said = service.export(&what, &args.out)?;
    writeln!(out, "{said}")?;
    Ok(())
}

fn overview(db: &Db, json: bool, out: &mut dyn Write) -> Result<()> {
    let mut service = if db.exists() {
        open_service(db)?
    } else {
        let dir = tsm_desk::service::sample_dir()
            .context("no database yet and no sample_data folder to start a demo from")?;
        writeln!(
            out,
            "No database yet: loading the bundled sample data (demo data, synthetic pupils) into {}",
            db.display()
        )?;
        let key = safety::passphrase(db)?;
        Service::open(db, key.as_ref(), Some(&dir), &Clock::new(), &mut |_| {})
            .with_context(|| format!("cannot create the database {}", db.display()))?
    };
    let today = service.clock().today();
    let overview = service.overview(today)?;
    if json {
        return output::overview_json(&overview, out);
    }
    output::overview(&overview, out)
}

fn sample_data(dir: &Path, out: &mut dyn Write) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = tsm_desk::service::write_sample_data(dir)?;
    for f in &files {
        let size = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
        let what = match (f.urn.as_str(), f.as_of) {
            ("", Some(day)) => format!("several schools, figures to {day}"),
            ("", None) => "several schools".to_owned(),
            (urn, _) => format!("school {urn}"),
        };
        writeln!(out, "{:<48} {:>10} bytes  {what}", f.path.display(), size)?;
    }
    writeln!(
        out,
        "{} files and {} written",
        files.len(),
        tsm_desk::service::MANIFEST
    )?;
    Ok(())
}

fn import(db: &Db, args: &ImportArgs, out: &mut dyn Write) -> Result<()> {
    let request = ImportRequest {
        files: args.files.clone(),
        mapping: ColumnMapping {
            layout: args.layout,
            columns: args.maps.clone(),
        },
        urn: args.school.clone().unwrap_or_default(),
        school_name: args.name.clone(),
        phase: args.phase.clone(),
        term: args.term,
        replace: args.replace,
        as_of: args.as_of,
        code_map: args.code_map.clone(),
    };
    let mut service = open_service(db)?;
    let report = service.import(&request, &mut |_| {})?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report.outcomes)?;
        writeln!(out)?;
        return Ok(());
    }
    for o in &report.outcomes {
        output::import_outcome(o, out)?;
    }
    Ok(())
}

fn code_map(db: &Db, args: &CodeMapArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    if !args.add.is_empty() || !args.remove.is_empty() {
        let mut settings = service.settings().clone();
        let school = args.school.as_ref().map(|s| s.trim().to_owned());
        for local in &args.remove {
            let before = settings.code_map.len();
            settings
                .code_map
                .retain(|e| !(e.local.trim() == local.trim() && e.school == school));
            if settings.code_map.len() == before {
                bail!(
                    "{local:?} is not in the code map{}",
                    school
                        .as_ref()
                        .map(|s| format!(" for school {s}"))
                        .unwrap_or_default()
                );
            }
        }
        for (local, code) in &args.add {
            settings
                .code_map
                .retain(|e| !(e.local.trim() == local.trim() && e.school == school));
            settings.code_map.push(tsm_desk::domain::LocalCode {
                local: local.clone(),
                national: code.mark().to_owned(),
                school: school.clone(),
            });
        }
        service.save_settings(settings)?;
    }
    let map = &service.settings().code_map;
    if args.json {
        let rows: Vec<serde_json::Value> = map
            .iter()
            .map(|e| serde_json::json!({"local": e.local, "national": e.national, "school": e.school}))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "code_map": rows }))?;
        writeln!(out)?;
        return Ok(());
    }
    if map.is_empty() {
        writeln!(
            out,
            "The code map is empty: national codes, SIMS sub-codes (I01), Capita One stand-ins and SIMS COVID-era codes are read without it."
        )?;
    }
    for e in map {
        let meaning = Code::parse(&e.national).map_or("", |c| c.info().meaning);
        writeln!(
            out,
            "{:<8} -> {:<3} {:<48} {}",
            e.local,
            e.national,
            meaning,
            e.school
                .as_ref()
                .map_or_else(|| "all schools".to_owned(), |s| format!("school {s}"))
        )?;
    }
    Ok(())
}

fn flags(db: &Db, args: &FlagsArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    let list = service.flag_list(&args.school, args.term)?;
    if args.json {
        output::flags_json(&list, out)
    } else {
        output::flags_table(&list, out)
    }
}

fn backtest(db: &Db, args: &BacktestArgs, out: &mut dyn Write) -> Result<()> {
    let service = open_service(db)?;
    let report = service.backtest(&args.school)?;
    if args.json {
        output::backtest_json(&report, out)
    } else {
        output::backtest_table(&report, out)
    }
}

fn cohorts(db: &Db, args: &CohortArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    let table = service.cohort_table(&args.flags.school, args.flags.term, args.by)?;
    if args.flags.json {
        let value = serde_json::json!({
            "school": table.school.urn,
            "term": table.period.to_string(),
            "by": args.by.as_str(),
            "groups": table.groups,
        });
        serde_json::to_writer_pretty(&mut *out, &value)?;
        writeln!(out)?;
        Ok(())
    } else {
        output::cohort_table(&table, out)
    }
}

fn summary(db: &Db, args: &FlagsArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    let report = service.summary(&args.school, args.term)?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        Ok(())
    } else {
        output::school_report(&report, out)
    }
}

fn schools(db: &Db, json: bool, out: &mut dyn Write) -> Result<()> {
    let schools: Vec<_> = open_service(db)?
        .schools()?
        .into_iter()
        .map(|(s, periods)| {
            let periods: Vec<String> = periods.iter().map(ToString::to_string).collect();
            (s, periods)
        })
        .collect();
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
