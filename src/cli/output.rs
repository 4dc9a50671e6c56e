//! What the commands print: readable tables and the documented JSON shapes.

use anyhow::Result;
use std::io::Write;
use tsm_desk::analysis::{
    self, CohortBy, CohortGroup, HeadlineComparison, Lateness, PupilFlag, ReasonShare, TimeSlice,
};
use tsm_desk::domain::rules::percent;
use tsm_desk::domain::{FlagCategory, Period, School, Thresholds};
use tsm_desk::store::{ImportOutcome, Store};

fn pct(rate: Option<f64>) -> String {
    rate.map_or_else(|| "n/a".to_owned(), percent)
}

/// A change in percentage points, signed ("+1.2 pts").
fn change(now: Option<f64>, then: Option<f64>) -> String {
    match (now, then) {
        (Some(a), Some(b)) => format!("{:+.1} pts", (a - b) * 100.0),
        _ => String::new(),
    }
}

/// Most severe first, then highest absence rate, then UPN.
pub fn sort_short_list(flags: &mut [PupilFlag]) {
    flags.sort_by(|a, b| {
        tsm_desk::domain::rules::short_list_order(
            (a.category, a.absence_rate, &a.upn),
            (b.category, b.absence_rate, &b.upn),
        )
    });
}

pub fn flags_json(urn: &str, term: &str, flags: &[PupilFlag], out: &mut dyn Write) -> Result<()> {
    let pupils: Vec<serde_json::Value> = flags
        .iter()
        .map(|f| {
            serde_json::json!({
                "upn": f.upn,
                "year_group": f.year_group.map(|y| y.to_string()),
                "possible_sessions": f.counts.possible,
                "attendance_sessions": f.counts.attendance(),
                "authorised_sessions": f.counts.authorised,
                "unauthorised_sessions": f.counts.unauthorised,
                "absence_sessions": f.counts.absence(),
                "absence_rate": f.absence_rate,
                "category": f.category.as_str(),
                "reasons": f.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let value = serde_json::json!({ "school": urn, "term": term, "pupils": pupils });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)?;
    Ok(())
}

pub fn flags_table(
    school: &School,
    term: &str,
    flags: &[PupilFlag],
    out: &mut dyn Write,
) -> Result<()> {
    writeln!(
        out,
        "{} {} — {term}",
        school.urn,
        school.name.as_deref().unwrap_or("")
    )?;
    let count = |c: FlagCategory| flags.iter().filter(|f| f.category == c).count();
    writeln!(
        out,
        "{} severely absent, {} persistently absent, {} at risk, of {} pupils\n",
        count(FlagCategory::Severe),
        count(FlagCategory::Persistent),
        count(FlagCategory::AtRisk),
        flags.len()
    )?;
    writeln!(
        out,
        "{:<14} {:<5} {:>8} {:>7} {:>7}  {:<11} why",
        "UPN", "year", "possible", "absent", "rate", "category"
    )?;
    for f in flags.iter().filter(|f| f.category != FlagCategory::None) {
        let category = match f.category {
            FlagCategory::Severe => "severe",
            FlagCategory::Persistent => "persistent",
            FlagCategory::AtRisk => "at risk",
            FlagCategory::None => "",
        };
        writeln!(
            out,
            "{:<14} {:<5} {:>8} {:>7} {:>7}  {:<11} {}",
            f.upn,
            f.year_group.map(|y| y.to_string()).unwrap_or_default(),
            f.counts.possible,
            f.counts.absence(),
            pct(f.absence_rate),
            category,
            f.explanations.join("; ")
        )?;
    }
    Ok(())
}

pub fn cohort_table(
    school: &School,
    period: Option<Period>,
    by: CohortBy,
    groups: &[CohortGroup],
    out: &mut dyn Write,
) -> Result<()> {
    writeln!(
        out,
        "{} {} — {} — by {}\n",
        school.urn,
        school.name.as_deref().unwrap_or(""),
        period.map(|p| p.to_string()).unwrap_or_default(),
        by.as_str()
    )?;
    writeln!(
        out,
        "{:<9} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "group", "pupils", "possible", "absence", "rate", "PA", "PA rate", "SA"
    )?;
    for g in groups {
        writeln!(
            out,
            "{:<9} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
            g.group,
            g.pupils,
            g.possible_sessions,
            g.absence_sessions,
            pct(g.absence_rate),
            g.persistent,
            pct(g.persistent_rate),
            g.severe
        )?;
    }
    Ok(())
}

pub fn import_outcome(o: &ImportOutcome, out: &mut dyn Write) -> Result<()> {
    let what = if o.marks > 0 {
        format!(", {} marks", o.marks)
    } else {
        String::new()
    };
    let when = o.periods.join(", ");
    writeln!(
        out,
        "{}: imported as {} ({} rows, {} pupils{what}){}{}",
        o.file_name,
        o.layout,
        o.rows,
        o.pupils,
        if when.is_empty() {
            String::new()
        } else {
            format!(" for {when}")
        },
        if o.replaced {
            ", replacing the earlier import of this file"
        } else {
            ""
        }
    )?;
    for w in &o.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}

/// Everything `tsm-desk summary` prints.
#[derive(Debug, serde::Serialize)]
pub struct SchoolReport {
    pub school: School,
    pub term: Option<String>,
    pub previous_term: Option<String>,
    pub headline: HeadlineComparison,
    pub reasons: Vec<ReasonShare>,
    pub lateness: Lateness,
    pub weekly: Vec<TimeSlice>,
    pub day_of_week: Vec<TimeSlice>,
}

pub fn school_report(r: &SchoolReport, out: &mut dyn Write) -> Result<()> {
    let h = &r.headline.now;
    let p = r.headline.previous.as_ref();
    writeln!(
        out,
        "{} {} — {}",
        r.school.urn,
        r.school.name.as_deref().unwrap_or(""),
        r.term.as_deref().unwrap_or("")
    )?;
    if let Some(prev) = &r.previous_term {
        writeln!(out, "compared with {prev}")?;
    }
    writeln!(out, "pupils                 {}", h.pupils)?;
    writeln!(
        out,
        "overall absence        {:>6}  {}",
        pct(h.absence_rate),
        change(h.absence_rate, p.and_then(|p| p.absence_rate))
    )?;
    writeln!(out, "authorised absence     {:>6}", pct(h.authorised_rate))?;
    writeln!(
        out,
        "unauthorised absence   {:>6}",
        pct(h.unauthorised_rate)
    )?;
    writeln!(
        out,
        "persistently absent    {:>6}  ({} pupils) {}",
        pct(h.persistent_rate),
        h.persistent,
        change(h.persistent_rate, p.and_then(|p| p.persistent_rate))
    )?;
    writeln!(
        out,
        "severely absent        {:>6}  ({} pupils) {}",
        pct(h.severe_rate),
        h.severe,
        change(h.severe_rate, p.and_then(|p| p.severe_rate))
    )?;
    writeln!(
        out,
        "at risk                {:>6} pupils",
        h.at_risk.unwrap_or(0)
    )?;
    writeln!(
        out,
        "late (L / U)           {} / {} marks, {} pupils",
        r.lateness.before_close, r.lateness.after_close, r.lateness.pupils_late
    )?;
    if !r.reasons.is_empty() {
        writeln!(out, "\nreasons for absence")?;
        for s in &r.reasons {
            writeln!(
                out,
                "  {:<30} {:>7} sessions {:>7}",
                s.reason.label(),
                s.sessions,
                pct(s.share_of_absence)
            )?;
        }
    }
    if !r.day_of_week.is_empty() {
        writeln!(out, "\nabsence by day of week")?;
        for d in &r.day_of_week {
            writeln!(out, "  {:<10} {:>7}", d.label, pct(d.absence_rate))?;
        }
    }
    if !r.weekly.is_empty() {
        writeln!(out, "\nabsence by week")?;
        for w in &r.weekly {
            writeln!(out, "  {:<16} {:>7}", w.label, pct(w.absence_rate))?;
        }
    }
    Ok(())
}

/// The patch overview: every school's latest period with headline figures.
pub fn overview(store: &Store, thresholds: &Thresholds, out: &mut dyn Write) -> Result<()> {
    let schools = store.schools()?;
    writeln!(
        out,
        "{:<8} {:<28} {:<10} {:<16} {:>6} {:>8} {:>8} {:>8} {:>7}",
        "URN", "school", "phase", "latest term", "pupils", "absence", "PA", "SA", "at risk"
    )?;
    for s in &schools {
        let Ok((_, data)) = store.period_data(&s.urn, None) else {
            writeln!(
                out,
                "{:<8} {:<28} no attendance data yet",
                s.urn,
                s.name.as_deref().unwrap_or("-")
            )?;
            continue;
        };
        let flags = analysis::flags(&data, thresholds)?;
        let h = analysis::headline(&data, &flags, thresholds);
        let prev = h.previous.as_ref();
        writeln!(
            out,
            "{:<8} {:<28} {:<10} {:<16} {:>6} {:>8} {:>8} {:>8} {:>7}",
            s.urn,
            s.name.as_deref().unwrap_or("-"),
            s.phase.as_deref().unwrap_or("-"),
            data.period.map(|p| p.to_string()).unwrap_or_default(),
            h.now.pupils,
            pct(h.now.absence_rate),
            pct(h.now.persistent_rate),
            pct(h.now.severe_rate),
            h.now.at_risk.unwrap_or(0)
        )?;
        if prev.is_some() {
            writeln!(
                out,
                "{:<8} {:<28} {:<10} {:<16} {:>6} {:>8} {:>8} {:>8}",
                "",
                "",
                "",
                "change",
                "",
                change(h.now.absence_rate, prev.and_then(|p| p.absence_rate)).replace(" pts", ""),
                change(h.now.persistent_rate, prev.and_then(|p| p.persistent_rate))
                    .replace(" pts", ""),
                change(h.now.severe_rate, prev.and_then(|p| p.severe_rate)).replace(" pts", "")
            )?;
        }
    }
    writeln!(
        out,
        "\nCommands: tsm-desk --help  (import, flags, cohorts, summary, schools, pupil-list, export)"
    )?;
    Ok(())
}

/// A purge's preview (or what it removed), school by school.
pub fn purge(
    p: &tsm_desk::store::PurgePreview,
    years: u32,
    done: bool,
    out: &mut dyn Write,
) -> Result<()> {
    writeln!(
        out,
        "Keeping {years} academic year{} ({} onwards); {} data from before {}.",
        if years == 1 { "" } else { "s" },
        p.keep_from,
        if done { "purged" } else { "would purge" },
        p.keep_from
    )?;
    if p.schools.is_empty() {
        writeln!(out, "Nothing is older than that.")?;
        return Ok(());
    }
    for s in &p.schools {
        writeln!(
            out,
            "{:<8} {:<32} {}",
            s.urn,
            s.name.as_deref().unwrap_or("-"),
            s.counts.describe()
        )?;
    }
    writeln!(out, "{:<8} {:<32} {}", "Total", "", p.total.describe())?;
    if !done {
        writeln!(out, "Nothing was changed; run again with --yes to purge.")?;
    } else if !p.compacted {
        writeln!(
            out,
            "The database file could not be compacted now (is the app open?); deleted rows are zeroed but the file keeps its size."
        )?;
    }
    Ok(())
}
