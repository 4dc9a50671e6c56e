//! What the commands print: readable tables and the documented JSON shapes.

use anyhow::Result;
use std::io::Write;
use tsm_desk::domain::FlagCategory;
use tsm_desk::service::ImportOutcome;
use tsm_desk::service::reports::{CohortTable, FlagList, SchoolBacktest, SchoolSummary};
use tsm_desk::service::view::Overview;

fn pct(rate: Option<f64>) -> String {
    tsm_desk::domain::rules::percent_or_missing(rate)
}

/// A change in percentage points, signed ("+1.2 pts").
fn change(now: Option<f64>, then: Option<f64>) -> String {
    match (now, then) {
        (Some(a), Some(b)) => format!("{:+.1} pts", (a - b) * 100.0),
        _ => String::new(),
    }
}

pub fn flags_json(list: &FlagList, out: &mut dyn Write) -> Result<()> {
    let pupils: Vec<serde_json::Value> = list
        .pupils
        .iter()
        .map(|p| {
            let f = &p.flag;
            serde_json::json!({
                "upn": f.upn,
                "year_group": f.year_group.map(|y| y.to_string()),
                "possible_sessions": f.counts.possible,
                "attendance_sessions": f.counts.attendance(),
                "authorised_sessions": f.counts.authorised,
                "unauthorised_sessions": f.counts.unauthorised,
                "absence_sessions": f.counts.absence(),
                "unmarked_sessions": f.counts.no_mark,
                "absence_rate": f.absence_rate,
                "category": f.category.as_str(),
                "reasons": f.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "priority": p.priority.tier.as_str(),
                "concerns": &p.priority.concerns,
                "why": p.why,
                "compulsory_school_age": p.compulsory_school_age,
                "tags": p.tags.iter().map(tsm_desk::domain::PupilTag::text).collect::<Vec<_>>(),
            })
        })
        .collect();
    let value = serde_json::json!({
        "school": list.school.urn,
        "term": list.period.to_string(),
        "pupils": pupils,
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)?;
    Ok(())
}

pub fn flags_table(list: &FlagList, out: &mut dyn Write) -> Result<()> {
    let school = &list.school;
    writeln!(
        out,
        "{} {} — {}",
        school.urn,
        school.name.as_deref().unwrap_or(""),
        list.period
    )?;
    let count = |c: FlagCategory| list.pupils.iter().filter(|p| p.flag.category == c).count();
    writeln!(
        out,
        "{} severely absent, {} persistently absent, {} at risk, of {} pupils\n",
        count(FlagCategory::Severe),
        count(FlagCategory::Persistent),
        count(FlagCategory::AtRisk),
        list.pupils.len()
    )?;
    writeln!(
        out,
        "{:<14} {:<5} {:>8} {:>7} {:>7}  {:<11} why",
        "UPN", "year", "possible", "absent", "rate", "category"
    )?;
    for p in list
        .pupils
        .iter()
        .filter(|p| p.flag.category != FlagCategory::None)
    {
        let f = &p.flag;
        let category = match f.category {
            FlagCategory::Severe => "severe",
            FlagCategory::Persistent => "persistent",
            FlagCategory::AtRisk => "at risk",
            FlagCategory::None => "",
        };
        let mut why = vec![p.why.clone()];
        why.extend(p.tags.iter().map(tsm_desk::domain::PupilTag::text));
        writeln!(
            out,
            "{:<14} {:<5} {:>8} {:>7} {:>7}  {:<11} {}",
            f.upn,
            f.year_group.map(|y| y.to_string()).unwrap_or_default(),
            f.counts.possible,
            f.counts.absence(),
            pct(f.absence_rate),
            category,
            why.join("; ")
        )?;
    }
    Ok(())
}

pub fn cohort_table(table: &CohortTable, out: &mut dyn Write) -> Result<()> {
    let school = &table.school;
    writeln!(
        out,
        "{} {} — {} — by {}\n",
        school.urn,
        school.name.as_deref().unwrap_or(""),
        table.period,
        table.by.as_str()
    )?;
    writeln!(
        out,
        "{:<9} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "group", "pupils", "possible", "absence", "rate", "PA", "PA rate", "SA"
    )?;
    for g in &table.groups {
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
    let mut what = String::new();
    if o.marks > 0 {
        what.push_str(&format!(", {} marks", o.marks));
    }
    if o.schools.len() > 1 {
        what.push_str(&format!(", {} schools", o.schools.len()));
    }
    if let Some(day) = o.as_of {
        what.push_str(&format!(
            ", figures to {}",
            tsm_desk::domain::dates::day(day)
        ));
    }
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

pub fn school_report(r: &SchoolSummary, out: &mut dyn Write) -> Result<()> {
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

/// The patch overview: every school's latest term with headline figures.
pub fn overview(o: &Overview, out: &mut dyn Write) -> Result<()> {
    writeln!(
        out,
        "{:<8} {:<30} {:<10} {:<15} {:>6} {:>8} {:>8} {:>8} {:>7} {:>5}",
        "URN", "school", "phase", "latest term", "pupils", "absence", "PA", "SA", "actions", "CME"
    )?;
    for r in &o.rows {
        let Some(latest) = r.latest else {
            writeln!(out, "{:<8} {:<30} no attendance data yet", r.urn, r.name)?;
            continue;
        };
        writeln!(
            out,
            "{:<8} {:<30} {:<10} {:<15} {:>6} {:>8} {:>8} {:>8} {:>7} {:>5}",
            r.urn,
            r.name.chars().take(30).collect::<String>(),
            r.phase.as_deref().unwrap_or("-"),
            latest.to_string(),
            r.pupils,
            pct(r.absence),
            pct(r.persistent),
            pct(r.severe),
            r.actions.open,
            r.open_cme
        )?;
        if r.absence_change.is_some() {
            let points =
                |c: Option<f64>| c.map_or_else(String::new, |c| format!("{:+.1}", c * 100.0));
            writeln!(
                out,
                "{:<8} {:<30} {:<10} {:<15} {:>6} {:>8} {:>8} {:>8}",
                "",
                "",
                "",
                "change",
                "",
                points(r.absence_change),
                points(r.persistent_change),
                points(r.severe_change)
            )?;
        }
    }
    writeln!(
        out,
        "\nCommands: tsm-desk --help  (import, flags, cohorts, summary, schools, pupil-list, export)"
    )?;
    Ok(())
}

/// The patch overview as JSON: every school with its latest term's figures.
pub fn overview_json(o: &Overview, out: &mut dyn Write) -> Result<()> {
    let schools: Vec<serde_json::Value> = o
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "urn": r.urn,
                "name": r.name,
                "phase": r.phase,
                "latest_term": r.latest.map(|p| p.to_string()),
                "pupils": r.pupils,
                "absence_rate": r.absence,
                "persistent": r.persistent_pupils,
                "persistent_rate": r.persistent,
                "severe": r.severe_pupils,
                "severe_rate": r.severe,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "schools": schools }))?;
    writeln!(out)?;
    Ok(())
}

/// A purge's preview (or what it removed), school by school.
pub fn purge(
    p: &tsm_desk::service::PurgePreview,
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

pub fn backtest_json(bt: &SchoolBacktest, out: &mut dyn Write) -> Result<()> {
    let pairs: Vec<serde_json::Value> = bt
        .pairs
        .iter()
        .map(|p| {
            let by_reason: serde_json::Map<String, serde_json::Value> = p
                .by_reason
                .iter()
                .map(|(reason, c)| {
                    (
                        reason.as_str().to_owned(),
                        serde_json::json!({"flagged": c.flagged, "flagged_then_pa": c.flagged_then_pa}),
                    )
                })
                .collect();
            serde_json::json!({
                "from": p.from.to_string(),
                "to": p.to.to_string(),
                "pupils": p.pupils,
                "flagged": p.flagged,
                "flagged_then_pa": p.flagged_then_pa,
                "new_pa": p.new_pa,
                "new_pa_flagged": p.new_pa_flagged,
                "precision": p.precision(),
                "recall": p.recall(),
                "by_reason": by_reason,
            })
        })
        .collect();
    let value = serde_json::json!({ "school": bt.school.urn, "pairs": pairs });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)?;
    Ok(())
}

pub fn backtest_table(bt: &SchoolBacktest, out: &mut dyn Write) -> Result<()> {
    let school = &bt.school;
    writeln!(
        out,
        "{} {} — at-risk flags tested on the next term",
        school.urn,
        school.name.as_deref().unwrap_or("")
    )?;
    if bt.pairs.is_empty() {
        writeln!(out, "Only one term is held: nothing to test against yet.")?;
        return Ok(());
    }
    for p in &bt.pairs {
        writeln!(
            out,
            "\n{} → {}: {} pupils in both, {} flagged at risk ({})",
            p.from,
            p.to,
            p.pupils,
            p.flagged,
            pct(p.flagged_share())
        )?;
        writeln!(
            out,
            "  {} of the flagged became persistently absent (precision {}); they caught {} of {} new PA (recall {})",
            p.flagged_then_pa,
            pct(p.precision()),
            p.new_pa_flagged,
            p.new_pa,
            pct(p.recall())
        )?;
        for (reason, c) in &p.by_reason {
            writeln!(
                out,
                "  {:<8} {:>5} flagged, {:>5} then PA ({})",
                reason.as_str(),
                c.flagged,
                c.flagged_then_pa,
                pct(c.precision())
            )?;
        }
    }
    Ok(())
}
