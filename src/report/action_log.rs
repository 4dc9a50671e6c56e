//! The printed meeting action log: what both parties sign after a TSM.

use super::Column;
use super::doc::{A4_PORTRAIT, BODY, Composer, Doc, INK, MUTED, WARN};
use super::font::FontKind;
use super::{NameStyle, PrintOptions};
use crate::chart::{ChartTheme, render, specs::chart_specs};
use crate::domain::meeting::{Action, ActionStatus, LegalEvidence, LegalOutcome, PupilStep};
use crate::view::MeetingView;
use chrono::NaiveDate;
use std::collections::BTreeMap;

pub use super::CLASSIFICATION;

/// "24/11/2026", or "not set".
fn date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "not set".to_owned(), crate::domain::dates::day)
}

fn pct(v: Option<f64>) -> String {
    crate::domain::rules::percent_or_missing(v)
}

/// Initials of a name: "Reuben Hall" → "R.H.", "Mary-Jane O'Neil" → "M.-J.O.".
#[must_use]
pub fn initials(name: &str) -> String {
    let mut out = String::new();
    for word in name.split_whitespace() {
        let parts: Vec<String> = word
            .split('-')
            .filter_map(|p| p.chars().find(|c| c.is_alphabetic()))
            .map(|c| format!("{}.", c.to_uppercase()))
            .collect();
        out.push_str(&parts.join("-"));
    }
    out
}

/// How pupils are named in one printout.
struct Names<'a> {
    view: &'a MeetingView,
    style: NameStyle,
}

impl Names<'_> {
    /// Name and UPN of a pupil, from the term's data or the meeting's labels.
    fn parts(&self, pupil_id: i64) -> (String, String) {
        if let Some(p) = self
            .view
            .school
            .pupils
            .iter()
            .find(|p| p.pupil_id == pupil_id)
        {
            return (p.name.clone(), p.upn.clone());
        }
        match self.view.labels.get(&pupil_id) {
            Some(label) => match label.rsplit_once(" (") {
                Some((name, upn)) => (name.to_owned(), upn.trim_end_matches(')').to_owned()),
                None => (String::new(), label.clone()),
            },
            None => (String::new(), format!("pupil {pupil_id}")),
        }
    }

    /// "Reuben Hall (A123…)" or "R.H. (A123…)".
    fn label(&self, pupil_id: i64) -> String {
        self.label_with(pupil_id, " ")
    }

    /// The label with the UPN on its own line, for narrow table cells.
    fn cell(&self, pupil_id: i64) -> String {
        self.label_with(pupil_id, "\n")
    }

    fn label_with(&self, pupil_id: i64, gap: &str) -> String {
        let (name, upn) = self.parts(pupil_id);
        let name = match self.style {
            NameStyle::Full => name,
            NameStyle::Initials => initials(&name),
        };
        if name.is_empty() {
            upn
        } else {
            format!("{name}{gap}({upn})")
        }
    }

    fn pupil_or_school(&self, pupil_id: Option<i64>) -> String {
        pupil_id.map_or_else(|| "Whole school".to_owned(), |id| self.cell(id))
    }
}

/// One action as a line in a pupil's row: "what (owner; due 01/12/2026; Open)".
fn action_line(a: &Action) -> String {
    let owner = if a.owner.trim().is_empty() {
        "no owner".to_owned()
    } else {
        a.owner.clone()
    };
    let due = a.due.map_or_else(
        || "no due date".to_owned(),
        |d| format!("due {}", crate::domain::dates::day(d)),
    );
    let status = if a.status == ActionStatus::Open {
        String::new()
    } else {
        format!("; {}", a.status.label())
    };
    format!("• {} ({owner}; {due}{status})", a.description.trim())
}

/// The action log of a meeting as laid-out pages.
#[must_use]
pub fn action_log(view: &MeetingView, opts: &PrintOptions) -> Doc {
    let m = &view.meeting;
    let s = &view.school;
    let names = Names {
        view,
        style: opts.names,
    };
    let school = s
        .school
        .name
        .clone()
        .unwrap_or_else(|| s.school.urn.clone());
    let title = format!("TSM action log: {school}, {}", m.period);
    let running = format!(
        "Targeting Support Meeting action log · {school} (URN {}) · {}",
        s.school.urn, m.period
    );
    let mut c = Composer::new(&title, A4_PORTRAIT, &running, CLASSIFICATION);
    c.title(
        "Targeting Support Meeting: action log",
        &format!(
            "{school} · URN {} · {} term meeting · attendance data for {}",
            s.school.urn, m.period, view.data_period
        ),
    );

    // The record.
    let attendees = if m.attendees.is_empty() {
        "none recorded".to_owned()
    } else {
        m.attendees
            .iter()
            .map(|a| {
                let mut bits = vec![if a.name.trim().is_empty() {
                    "(name not recorded)".to_owned()
                } else {
                    a.name.clone()
                }];
                bits.extend(
                    [a.role.clone(), a.organisation.clone()]
                        .into_iter()
                        .filter(|b| !b.trim().is_empty()),
                );
                bits.join(", ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let when = match (m.date, m.time.trim()) {
        (Some(d), "") => d.format("%A %-d %B %Y").to_string(),
        (Some(d), t) => format!("{} at {t}", d.format("%A %-d %B %Y")),
        (None, _) => "not set".to_owned(),
    };
    c.key_values(&[
        ("Date", when),
        ("Held", format!("{} · {}", m.mode.label(), m.status.label())),
        ("Attendees", attendees),
        ("Next meeting", date(m.next_meeting)),
        (
            "Printed",
            format!(
                "{} · pupils named by {}",
                crate::domain::dates::day_time(opts.printed_on),
                match opts.names {
                    NameStyle::Full => "full name and UPN",
                    NameStyle::Initials => "initials and UPN",
                }
            ),
        ),
    ]);

    // Data summary and the trend chart.
    c.heading("The school's attendance", 120.0);
    c.paragraph(&summary_paragraph(view), BODY, FontKind::Regular, INK);
    let trend = &chart_specs(s)[5];
    if !trend.is_empty() {
        let (w_pt, h_pt) = (c.width() * 0.78, 150.0);
        // Rendered at 3.5x (about 250 dpi) so lines and text print crisply.
        let k = 3.5;
        let img = render(
            trend,
            (w_pt * k) as u32,
            (h_pt * k) as u32,
            k,
            &ChartTheme::paper(),
        );
        c.image(img, w_pt, h_pt);
    }
    if !m.trends_notes.trim().is_empty() {
        c.subheading("Notes on trends", 20.0);
        c.paragraph(&m.trends_notes, BODY, FontKind::Regular, INK);
    }

    // Review of last term's actions.
    c.heading("Review of earlier actions", 60.0);
    let review_cols = columns(&[
        ("Pupil", 1.5),
        ("Action", 2.6),
        ("Owner", 1.1),
        ("Due", 0.75),
        ("Outcome", 1.0),
        ("Absence then → now", 0.95),
        ("Note", 1.6),
    ]);
    let review_rows: Vec<Vec<String>> = m
        .review
        .iter()
        .map(|r| {
            let outcome = if r.reviewed {
                let mut o = r.action.status.label().to_owned();
                if r.carried_as.is_some() {
                    o.push_str("; carried forward");
                }
                o
            } else {
                format!("{} (not reviewed)", r.action.status.label())
            };
            vec![
                names.pupil_or_school(r.action.pupil_id),
                format!("{} (agreed {})", r.action.description, r.agreed_in),
                r.action.owner.clone(),
                date(r.action.due),
                outcome,
                format!("{} → {}", pct(r.rate_then), pct(r.rate_now)),
                r.action.note.clone(),
            ]
        })
        .collect();
    c.table(&review_cols, &review_rows, 0.0);

    // Pupils discussed.
    let pupil_cols = columns(&[
        ("Pupil", 1.55),
        ("Year", 0.5),
        ("Absence", 0.62),
        ("Lead practitioner", 1.45),
        ("Barriers and notes", 2.2),
        ("Agreed actions (owner; due)", 3.2),
    ]);
    for step in PupilStep::ALL.iter().copied() {
        let discussed: Vec<_> = m.discussions.iter().filter(|d| d.step == step).collect();
        let heading = match step {
            PupilStep::Severe => "Severely absent pupils discussed",
            PupilStep::Persistent => "Persistently absent pupils discussed",
            PupilStep::AtRisk => "At-risk pupils discussed",
        };
        c.heading(&format!("{heading} ({})", discussed.len()), 60.0);
        let rows: Vec<Vec<String>> = discussed
            .iter()
            .map(|d| {
                let row = s.pupils.iter().find(|p| p.pupil_id == d.pupil_id);
                let year = row
                    .and_then(|p| p.year)
                    .map(|y| y.to_string())
                    .unwrap_or_default();
                let rate = pct(row.and_then(|p| p.absence_rate));
                let lead = if d.lead.is_set() {
                    [d.lead.organisation.as_str(), d.lead.person.as_str()]
                        .into_iter()
                        .filter(|x| !x.trim().is_empty())
                        .collect::<Vec<_>>()
                        .join(": ")
                } else {
                    "none named".to_owned()
                };
                let mut notes: Vec<String> = d
                    .barriers
                    .iter()
                    .map(|b| {
                        let detail = if b.detail.trim().is_empty() {
                            String::new()
                        } else {
                            format!(": {}", b.detail.trim())
                        };
                        format!(
                            "{} ({}){detail}",
                            b.category.label(),
                            b.side.label().to_lowercase()
                        )
                    })
                    .collect();
                if d.support_in_place {
                    notes.push("Support in place; not discussed further.".to_owned());
                }
                if d.whereabouts_known == Some(false) {
                    notes.push("Whereabouts not known: CME enquiry (see below).".to_owned());
                }
                if !d.notes.trim().is_empty() {
                    notes.push(d.notes.trim().to_owned());
                }
                let actions: Vec<String> = m.actions_for(d.pupil_id).map(action_line).collect();
                vec![
                    names.cell(d.pupil_id),
                    year,
                    rate,
                    lead,
                    notes.join("\n"),
                    if actions.is_empty() {
                        "none".to_owned()
                    } else {
                        actions.join("\n")
                    },
                ]
            })
            .collect();
        c.table(&pupil_cols, &rows, 0.0);
    }
    let whole_school: Vec<&Action> = m.actions.iter().filter(|a| a.pupil_id.is_none()).collect();
    if !whole_school.is_empty() {
        c.subheading("Whole-school actions", 30.0);
        for a in whole_school {
            c.paragraph(&action_line(a), BODY, FontKind::Regular, INK);
        }
    }

    // CME.
    c.heading("Children missing education: enquiries", 60.0);
    // Each enquiry's whole history: the meeting that opened it, every check at every
    // meeting, and the conclusion with the meeting that reached it.
    let at = |r: &crate::domain::meeting::MeetingRef| {
        if r.id == m.id {
            "this meeting".to_owned()
        } else {
            format!("the {} meeting", r.period)
        }
    };
    let cme_rows: Vec<Vec<String>> = m
        .cme
        .iter()
        .map(|e| {
            let checks: Vec<String> = e
                .checks
                .iter()
                .filter(|r| r.check.is_recorded())
                .map(|r| {
                    let ch = &r.check;
                    let mut t = format!("{} ({})", ch.kind.label(), date(ch.on));
                    if !ch.by.trim().is_empty() {
                        t.push_str(&format!(", {}", ch.by.trim()));
                    }
                    if !ch.outcome.trim().is_empty() {
                        t.push_str(&format!(": {}", ch.outcome.trim()));
                    }
                    t.push_str(&format!(" [recorded at {}]", at(&r.recorded_in)));
                    t
                })
                .collect();
            let concluded_at = e
                .concluded_in
                .map(|k| format!(" at {}", at(&k)))
                .unwrap_or_default();
            let status = match (e.conclusion, e.concluded_on) {
                (Some(con), on) if !e.is_open() => {
                    format!("Concluded {}{concluded_at}: {}", date(on), con.label())
                }
                (Some(con), _) => format!("Open: {}", con.label()),
                (None, _) => "Open".to_owned(),
            };
            vec![
                names.cell(e.pupil_id),
                format!("{} at {}", date(Some(e.opened_on)), at(&e.opened_in)),
                if checks.is_empty() {
                    "none recorded".to_owned()
                } else {
                    checks.join("\n")
                },
                status,
            ]
        })
        .collect();
    c.table(
        &columns(&[
            ("Pupil", 1.5),
            ("Opened", 1.0),
            ("Reasonable enquiries made", 4.0),
            ("Status", 1.6),
        ]),
        &cme_rows,
        0.0,
    );

    // Legal intervention.
    c.heading("Legal intervention decisions", 60.0);
    let legal_rows: Vec<Vec<String>> = m
        .legal
        .iter()
        .map(|l| {
            let missing = l.unevidenced();
            let evidence = format!(
                "{} of {} items evidenced{}",
                LegalEvidence::ALL.len() - missing.len(),
                LegalEvidence::ALL.len(),
                if missing.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; not evidenced: {}",
                        missing
                            .iter()
                            .map(|e| e.label())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
            );
            let outcome = match l.outcome {
                Some(LegalOutcome::Proceed(measure)) => format!("Proceed: {}", measure.label()),
                Some(LegalOutcome::MoreSupport) => "More support first".to_owned(),
                None => "No decision recorded".to_owned(),
            };
            vec![names.cell(l.pupil_id), evidence, outcome]
        })
        .collect();
    c.table(
        &columns(&[
            ("Pupil", 1.5),
            ("Support-first evidence", 4.2),
            ("Decision", 1.6),
        ]),
        &legal_rows,
        0.0,
    );

    // Actions by owner.
    c.heading("Agreed actions by owner", 60.0);
    let mut by_owner: BTreeMap<String, Vec<&Action>> = BTreeMap::new();
    for a in &m.actions {
        let owner = if a.owner.trim().is_empty() {
            "(no owner)".to_owned()
        } else {
            a.owner.trim().to_owned()
        };
        by_owner.entry(owner).or_default().push(a);
    }
    let mut owner_rows = Vec::new();
    for (owner, mut actions) in by_owner {
        actions.sort_by_key(|a| (a.due.is_none(), a.due));
        for a in actions {
            owner_rows.push(vec![
                owner.clone(),
                names.pupil_or_school(a.pupil_id),
                a.description.clone(),
                date(a.due),
                a.status.label().to_owned(),
            ]);
        }
    }
    c.table(
        &columns(&[
            ("Owner", 1.3),
            ("Pupil", 1.5),
            ("Action", 3.2),
            ("Due", 0.8),
            ("Status", 0.9),
        ]),
        &owner_rows,
        0.0,
    );

    if !m.practice_notes.trim().is_empty() {
        c.heading("Practice and policy", 40.0);
        c.paragraph(&m.practice_notes, BODY, FontKind::Regular, INK);
    }

    // What is still missing, then the sign-off.
    let missing = m.missing(&view.shortlist);
    if !missing.is_empty() {
        c.heading(&format!("Still to resolve ({})", missing.len()), 40.0);
        for item in &missing {
            let who = item
                .pupil
                .map(|id| format!("{}: ", names.label(id)))
                .unwrap_or_default();
            c.paragraph(
                &format!("• {who}{}", item.text),
                BODY,
                FontKind::Regular,
                WARN,
            );
        }
    }
    c.heading("Sign-off", 130.0);
    c.paragraph(
        &format!(
            "Next meeting: {}. We agree this is an accurate record of the meeting and the actions agreed.",
            date(m.next_meeting)
        ),
        BODY,
        FontKind::Regular,
        MUTED,
    );
    c.space(10.0);
    c.signatures(&[
        "For the school (senior attendance lead)",
        "For the local authority (attendance officer)",
    ]);
    c.finish()
}

fn columns(spec: &[(&str, f32)]) -> Vec<Column> {
    spec.iter().map(|(t, w)| Column::new(t, *w)).collect()
}

/// The headline figures in one paragraph.
fn summary_paragraph(view: &MeetingView) -> String {
    let s = &view.school;
    let now = &s.headline.now;
    let n = &s.national;
    let mut text = format!(
        "In {} the school had {} pupils on roll with overall absence of {}",
        view.data_period,
        now.pupils,
        pct(now.absence_rate)
    );
    if let Some(nat) = &n.absence {
        text.push_str(&format!(
            " ({} {}; source: {})",
            nat.label,
            pct(Some(nat.value)),
            nat.source
        ));
    }
    text.push_str(&format!(
        ": authorised {}, unauthorised {}. {} pupils ({}) were persistently absent and {} ({}) severely absent",
        pct(now.authorised_rate),
        pct(now.unauthorised_rate),
        now.persistent,
        pct(now.persistent_rate),
        now.severe,
        pct(now.severe_rate),
    ));
    match now.at_risk {
        Some(r) => text.push_str(&format!(
            "; {r} more were at risk of becoming persistently absent."
        )),
        None => text.push('.'),
    }
    if let (Some(prev), Some(period)) = (&s.headline.previous, s.previous) {
        let change = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => {
                let d = (a - b) * 100.0;
                if d.abs() < 0.05 {
                    "no change".to_owned()
                } else {
                    format!("{}{:.1} points", if d > 0.0 { "+" } else { "−" }, d.abs())
                }
            }
            _ => "n/a".to_owned(),
        };
        text.push_str(&format!(
            " Since {period}: overall absence {}, persistent absence {}, severe absence {}.",
            change(now.absence_rate, prev.absence_rate),
            change(now.persistent_rate, prev.persistent_rate),
            change(now.severe_rate, prev.severe_rate),
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names() {
        assert_eq!(initials("Reuben Hall"), "R.H.");
        assert_eq!(initials("Mary-Jane O'Neil"), "M.-J.O.");
        assert_eq!(initials("  émile  zola "), "É.Z.");
        assert_eq!(initials(""), "");
    }
}
