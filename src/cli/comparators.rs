//! `tsm-desk comparators`: the national and LA comparators held (the releases in
//! settings and the published weekly figures imported, each with its source), and
//! importing the DfE's published weekly attendance statistics.

use super::{Db, open_service};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use tsm_desk::service::comparators::{ComparatorImport, ComparatorsView};

#[derive(Debug, Args)]
pub struct ComparatorsArgs {
    #[command(subcommand)]
    command: Option<ComparatorsCommand>,
    /// Set the LA whose published weekly figures are drawn beside each school's (matched
    /// ignoring case and spaces); "" goes back to each school's own LA.
    #[arg(long = "la")]
    la: Option<String>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum ComparatorsCommand {
    /// Import the DfE's published "Pupil attendance in schools" weekly CSV: national
    /// and LA figures by phase and week (weeks imported before are replaced).
    Import {
        /// The CSV file (or a workbook saved from it).
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `comparators`.
pub fn run(db: &Db, args: &ComparatorsArgs, out: &mut dyn Write) -> Result<()> {
    let mut service = open_service(db)?;
    if let Some(ComparatorsCommand::Import { file, json }) = &args.command {
        let done = service.import_published(file)?;
        if *json || args.json {
            serde_json::to_writer_pretty(&mut *out, &done)?;
            writeln!(out)?;
            return Ok(());
        }
        return imported(&done, out);
    }
    if let Some(la) = &args.la {
        let mut settings = service.settings().clone();
        la.trim().clone_into(&mut settings.la_name);
        service.save_settings(settings)?;
    }
    let view = service.comparators()?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &view)?;
        writeln!(out)?;
        return Ok(());
    }
    held(&view, out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn imported(done: &ComparatorImport, out: &mut dyn Write) -> Result<()> {
    let s = &done.stored;
    writeln!(
        out,
        "Stored {} from {} (source: {})",
        plural(s.rows, "row", "rows"),
        s.file_name,
        s.release
    )?;
    writeln!(
        out,
        "  {} national, {} local authority; {} replaced figures held before",
        plural(s.national_rows, "row", "rows"),
        plural(s.la_rows, "row", "rows"),
        s.replaced
    )?;
    if let (Some(first), Some(last)) = (s.first_week, s.last_week) {
        writeln!(
            out,
            "  {}: weeks commencing {first} to {last}",
            plural(s.weeks, "week", "weeks")
        )?;
    }
    if !s.las.is_empty() {
        writeln!(
            out,
            "  {}: {}",
            plural(s.las.len(), "local authority", "local authorities"),
            s.las.join(", ")
        )?;
    }
    writeln!(
        out,
        "  Skipped {} and {} of other areas, phases or breakdowns; {} left empty",
        plural(done.skipped_regional, "regional row", "regional rows"),
        plural(done.skipped_other, "row", "rows"),
        plural(done.suppressed, "suppressed value", "suppressed values")
    )?;
    Ok(())
}

/// A percentage as typed or shipped, with at least one decimal ("20.0%", "6.38%").
fn figure(v: Option<f64>) -> String {
    v.map_or_else(
        || tsm_desk::domain::rules::MISSING.to_owned(),
        |v| {
            if v.fract() == 0.0 {
                format!("{v:.1}%")
            } else {
                format!("{v}%")
            }
        },
    )
}

fn held(view: &ComparatorsView, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "National figures (settings; each figure comes from the first row that has it, the first release listed being the latest):"
    )?;
    writeln!(
        out,
        "  {:<12} {:>8} {:>8} {:>8} {:>8} {:>8}  source",
        "phase", "overall", "auth", "unauth", "PA", "SA"
    )?;
    for r in &view.national {
        writeln!(
            out,
            "  {:<12} {:>8} {:>8} {:>8} {:>8} {:>8}  {}",
            r.phase,
            figure(r.absence),
            figure(r.authorised),
            figure(r.unauthorised),
            figure(r.persistent),
            figure(r.severe),
            r.source
        )?;
    }
    if view.published.is_empty() {
        writeln!(
            out,
            "No published weekly figures imported (tsm-desk comparators import FILE)."
        )?;
    } else {
        writeln!(out, "Published weekly figures imported:")?;
        for p in &view.published {
            writeln!(
                out,
                "  {}: {} rows, {} weeks commencing {} to {}, {} local authorities (imported {})",
                p.release, p.rows, p.weeks, p.first_week, p.last_week, p.las, p.imported_at
            )?;
        }
    }
    let la = if view.la_name.is_empty() {
        "each school's own (from the DfE weekly file)"
    } else {
        &view.la_name
    };
    writeln!(out, "LA drawn beside schools' weeks: {la}")?;
    Ok(())
}
