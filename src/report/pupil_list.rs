//! The school's pupil list for meeting preparation (A4 landscape): severely absent,
//! persistently absent and at-risk pupils with the figures a school lead needs and room
//! to write barriers, support, a proposed lead practitioner and notes.

use super::Column;
use super::action_log::{CLASSIFICATION, initials};
use super::doc::{A4_LANDSCAPE, BODY, Composer, Doc, MUTED};
use super::font::FontKind;
use super::{NameStyle, PrintOptions};
use crate::domain::FlagCategory;
use crate::view::{PupilRow, SchoolView};

/// Height of a row, leaving room to write by hand.
const WRITING_ROW: f32 = 40.0;

fn pct(v: Option<f64>) -> String {
    crate::domain::rules::percent_or_missing(v)
}

fn change(v: Option<f64>) -> String {
    match v {
        Some(c) if (c * 1000.0).round() == 0.0 => "no change".to_owned(),
        Some(c) if c > 0.0 => format!("+{:.1} pts", c * 100.0),
        Some(c) => format!("−{:.1} pts", -c * 100.0),
        None => String::new(),
    }
}

fn row(p: &PupilRow, names: NameStyle) -> Vec<String> {
    let name = match names {
        NameStyle::Full => p.name.clone(),
        NameStyle::Initials => initials(&p.name),
    };
    let pupil = if name.is_empty() {
        p.upn.clone()
    } else {
        format!("{name}\n{}", p.upn)
    };
    let year = [
        p.year.map(|y| y.to_string()).unwrap_or_default(),
        p.reg_group.clone().unwrap_or_default(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    vec![
        pupil,
        year,
        p.badges
            .iter()
            .map(|b| b.short())
            .collect::<Vec<_>>()
            .join(", "),
        format!(
            "{}\n{} / {} of {}",
            pct(p.absence_rate),
            p.authorised,
            p.unauthorised,
            p.possible
        ),
        change(p.change),
        why(p),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
}

/// Why the pupil is listed, then what else the list says about them (left, joined,
/// lives in another LA, not of compulsory school age).
pub(crate) fn why(p: &PupilRow) -> String {
    let tags: Vec<String> = p.tags.iter().map(crate::domain::PupilTag::text).collect();
    match (p.reasons.is_empty(), tags.is_empty()) {
        (_, true) => p.reasons.clone(),
        (true, false) => tags.join("; "),
        (false, false) => format!("{}\n{}", p.reasons, tags.join("; ")),
    }
}

/// The pupil list as laid-out pages.
#[must_use]
pub fn pupil_list(view: &SchoolView, opts: &PrintOptions) -> Doc {
    let school = view
        .school
        .name
        .clone()
        .unwrap_or_else(|| view.school.urn.clone());
    let title = format!("Pupil list: {school}, {}", view.period);
    let running = format!(
        "Pupil list for the Targeting Support Meeting · {school} (URN {}) · {}",
        view.school.urn, view.period
    );
    let mut c = Composer::new(&title, A4_LANDSCAPE, &running, CLASSIFICATION);
    let flagged = |cat: FlagCategory| view.pupils.iter().filter(move |p| p.category == cat);
    c.title(
        "Pupil list for the Targeting Support Meeting",
        &format!(
            "{school} · URN {} · attendance data for {} · {} severely absent, {} persistently absent, {} at risk · printed {}",
            view.school.urn,
            view.period,
            flagged(FlagCategory::Severe).count(),
            flagged(FlagCategory::Persistent).count(),
            flagged(FlagCategory::AtRisk).count(),
            crate::domain::dates::day(opts.printed_on),
        ),
    );
    c.paragraph(
        &format!(
            "Severely absent: {} or more of possible sessions missed; persistently absent: {} or more. \
             Please fill in the blank columns before the meeting: what gets in the way of attendance, \
             the support already in place, and who could lead the work with the family.",
            view.thresholds.severe,
            view.thresholds.persistent,
        ),
        BODY,
        FontKind::Regular,
        MUTED,
    );
    let columns: Vec<Column> = [
        ("Pupil", 1.45),
        ("Year / reg", 0.6),
        ("Needs", 0.65),
        ("Absence (auth / unauth of possible)", 1.15),
        ("Change", 0.6),
        ("Why flagged", 1.55),
        ("Barriers / context", 1.6),
        ("Support in place", 1.5),
        ("Proposed lead practitioner", 1.2),
        ("Notes", 1.5),
    ]
    .iter()
    .map(|(t, w)| Column::new(t, *w))
    .collect();
    for (cat, heading) in [
        (FlagCategory::Severe, "Severely absent"),
        (FlagCategory::Persistent, "Persistently absent"),
        (FlagCategory::AtRisk, "At risk of persistent absence"),
    ] {
        let rows: Vec<Vec<String>> = flagged(cat).map(|p| row(p, opts.names)).collect();
        c.heading(&format!("{heading} ({})", rows.len()), 70.0);
        c.table(&columns, &rows, WRITING_ROW);
    }
    c.finish()
}
