//! The case that follows the child from meeting to meeting: a CME enquiry with its
//! checks at every meeting (this meeting's editable, earlier ones as recorded), and
//! last time's lead, barriers and support proposed for confirmation.

use super::*;
use crate::domain::meeting::{CmeCheck, CmeEnquiry, MeetingRef};

/// "this meeting" or "the 2025-26 summer meeting".
fn meeting_name(here: i64, r: MeetingRef) -> String {
    if r.id == here {
        "this meeting".to_owned()
    } else {
        format!("the {} meeting", r.period)
    }
}

impl MeetingScreen {
    /// The CME question (severe step only) and the pupil's enquiry, if any.
    pub(super) fn cme_ui(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        p: i64,
        pstep: PupilStep,
        edits: &mut Vec<Edit>,
    ) {
        let m = &v.meeting;
        let enquiry = m.cme_for(p);
        if pstep == PupilStep::Severe {
            let known = m.discussion(p).and_then(|d| d.whereabouts_known);
            let question = match v.shortlist.left_on(p) {
                Some(day) => format!(
                    "Left {}: is a destination known? (possible child missing education)",
                    crate::domain::dates::day(day)
                ),
                None => "Possible child missing education: are the pupil's whereabouts known?"
                    .to_owned(),
            };
            ui.horizontal(|ui| {
                ui.strong(question);
                for (value, word) in [
                    (Some(true), "Known"),
                    (Some(false), "Not known"),
                    (None, "Not asked"),
                ] {
                    if ui.radio(known == value, word).clicked() && known != value {
                        edits.push(Edit::Whereabouts(p, value));
                    }
                }
            });
            if known == Some(false) && !enquiry.is_some_and(CmeEnquiry::is_open) {
                ui.colored_label(
                    palette::SEVERE,
                    "Whereabouts not known: joint reasonable enquiries should start now.",
                );
                if ui.button("Open CME enquiry").clicked() {
                    edits.push(Edit::OpenCme {
                        id: new_row_id(),
                        pupil: p,
                        on: self.today.unwrap_or_default(),
                    });
                }
            }
        }
        let Some(c) = enquiry else {
            return;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| self.enquiry_ui(ui, m.id, c, edits));
    }

    fn enquiry_ui(&mut self, ui: &mut Ui, here: i64, c: &CmeEnquiry, edits: &mut Vec<Edit>) {
        let p = c.pupil_id;
        ui.horizontal(|ui| {
            ui.strong(format!(
                "CME enquiry opened {} at {}",
                crate::domain::dates::day(c.opened_on),
                meeting_name(here, c.opened_in)
            ));
            if c.is_open() {
                tag(ui, "OPEN", palette::SEVERE);
            } else {
                tag(ui, "CLOSED", palette::GOOD);
            }
        });
        let earlier: Vec<_> = c
            .checks
            .iter()
            .filter(|r| r.recorded_in.id != here && r.check.is_recorded())
            .collect();
        if !earlier.is_empty() {
            ui.label(RichText::new("Checks so far").strong());
            for r in earlier {
                let ch = &r.check;
                ui.label(format!(
                    "{}: {}, by {}: {} (at {})",
                    ch.kind.label(),
                    ch.on
                        .map_or_else(|| "no date".to_owned(), crate::domain::dates::day),
                    if ch.by.trim().is_empty() {
                        "(not named)"
                    } else {
                        ch.by.trim()
                    },
                    ch.outcome.trim(),
                    meeting_name(here, r.recorded_in)
                ));
            }
            ui.label(RichText::new("Checks at this meeting").strong());
        }
        egui::Grid::new(("cme_grid", p))
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                for kind in CmeCheckKind::ALL {
                    let check = c
                        .check_at(here, *kind)
                        .cloned()
                        .unwrap_or_else(|| CmeCheck::new(0, *kind));
                    ui.label(kind.label());
                    let mut changed = check.clone();
                    let mut any = false;
                    let key = format!("cme.{p}.{}", kind.key());
                    ui.horizontal(|ui| {
                        if let Some(d) = self.date_field(ui, &key, "Date", check.on) {
                            changed.on = d;
                            any = true;
                        }
                        if let Some(t) = text(ui, "By", &check.by, 130.0) {
                            changed.by = t;
                            any = true;
                        }
                        if let Some(t) = text(ui, "Outcome", &check.outcome, 200.0) {
                            changed.outcome = t;
                            any = true;
                        }
                    });
                    if any {
                        // The first thing typed into a row records a new check.
                        if changed.id == 0 {
                            changed.id = new_row_id();
                        }
                        edits.push(Edit::CmeCheck {
                            enquiry: c.id,
                            pupil: p,
                            check: changed,
                        });
                    }
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            let label = ui.strong("Conclusion");
            let mut chosen = c.conclusion;
            egui::ComboBox::from_id_salt(("cme_conclusion", p))
                .selected_text(c.conclusion.map_or("(none yet)", CmeConclusion::label))
                .width(220.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut chosen, None, "(none yet)");
                    for k in CmeConclusion::ALL {
                        ui.selectable_value(&mut chosen, Some(*k), k.label());
                    }
                })
                .response
                .labelled_by(label.id);
            if chosen != c.conclusion {
                let on = chosen
                    .filter(|k| *k != CmeConclusion::StillMissing)
                    .map(|_| self.today.unwrap_or_default());
                edits.push(Edit::ConcludeCme {
                    enquiry: c.id,
                    pupil: p,
                    conclusion: chosen,
                    on,
                });
            }
            if let Some(d) = c.concluded_on {
                let at = c
                    .concluded_in
                    .map(|k| format!(" at {}", meeting_name(here, k)))
                    .unwrap_or_default();
                ui.label(format!("concluded {}{at}", crate::domain::dates::day(d)));
            }
        });
    }

    /// Last time's lead, barriers and support, while this meeting records none of
    /// them: "Confirm" stores them, one edit (and audit row) per field; changing any
    /// field by hand replaces the proposal.
    pub(super) fn proposal_ui(
        &mut self,
        ui: &mut Ui,
        v: &MeetingView,
        p: i64,
        pstep: PupilStep,
        edits: &mut Vec<Edit>,
    ) {
        let m = &v.meeting;
        let Some(proposal) = m.pending_proposal(p) else {
            return;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                RichText::new(format!("From {}: confirm or change", proposal.from))
                    .strong()
                    .color(palette::PERSISTENT),
            );
            if proposal.lead.is_set() || !proposal.lead.person.trim().is_empty() {
                let person = proposal.lead.person.trim();
                ui.label(format!(
                    "Lead practitioner: {}{}",
                    proposal.lead.organisation,
                    if person.is_empty() {
                        String::new()
                    } else {
                        format!(" ({person})")
                    }
                ));
            }
            for b in &proposal.barriers {
                let detail = b.detail.trim();
                ui.label(format!(
                    "Barrier: {} / {}{}",
                    b.side.label(),
                    b.category.label(),
                    if detail.is_empty() {
                        String::new()
                    } else {
                        format!(": {detail}")
                    }
                ));
            }
            if proposal.support_in_place {
                ui.label("Support already in place, not discussed");
            }
            if ui
                .button("Confirm")
                .on_hover_text("Store last time's lead, barriers and support for this meeting")
                .clicked()
            {
                edits.extend(proposal.confirm_edits(m.discussion(p), pstep, new_row_id));
            }
        });
    }
}
