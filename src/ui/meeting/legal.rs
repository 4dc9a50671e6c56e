//! Step 7: "support first" legal-intervention checks.

use super::*;

impl MeetingScreen {
    pub(super) fn legal(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        let m = &v.meeting;
        ui.label(RichText::new("Only where support was offered and not engaged with, or did not work. Record the support-first evidence before deciding.").weak());
        let mut candidates: Vec<i64> = v.shortlist.severe.clone();
        candidates.extend(m.discussions.iter().map(|d| d.pupil_id));
        candidates.extend(v.shortlist.persistent.iter().copied());
        let mut seen = std::collections::HashSet::new();
        candidates.retain(|p| seen.insert(*p) && m.legal_for(*p).is_none());
        ui.horizontal(|ui| {
            let label = ui.label("Propose a pupil");
            let mut chosen: Option<i64> = None;
            egui::ComboBox::from_id_salt("legal_propose")
                .selected_text("(choose a pupil)")
                .width(320.0)
                .show_ui(ui, |ui| {
                    for p in candidates.iter().take(300) {
                        ui.selectable_value(&mut chosen, Some(*p), self.label(v, *p));
                    }
                })
                .response
                .labelled_by(label.id);
            if let Some(p) = chosen {
                edits.push(Edit::ProposeLegal(p));
            }
        });
        for l in &m.legal {
            let p = l.pupil_id;
            ui.add_space(8.0);
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading(self.label(v, p));
                    if let Some(r) = self.pupil_row(v, p) {
                        ui.label(format!("absence {}", pct(r.absence_rate)));
                    }
                    if ui.small_button("Withdraw proposal").clicked() {
                        edits.push(Edit::WithdrawLegal(p));
                    }
                });
                ui.strong("Support-first evidence");
                egui::Grid::new(("evidence", p))
                    .num_columns(2)
                    .spacing([8.0, 2.0])
                    .show(ui, |ui| {
                        for item in LegalEvidence::ALL {
                            let current = l.evidence.get(item).cloned().unwrap_or_default();
                            let mut checked = current.checked;
                            if ui.checkbox(&mut checked, item.label()).changed() {
                                edits.push(Edit::Evidence(
                                    p,
                                    *item,
                                    EvidenceItem {
                                        checked,
                                        note: current.note.clone(),
                                    },
                                ));
                            }
                            if let Some(t) = ui
                                .horizontal(|ui| text(ui, "Evidence note", &current.note, 300.0))
                                .inner
                            {
                                edits.push(Edit::Evidence(
                                    p,
                                    *item,
                                    EvidenceItem {
                                        checked: current.checked,
                                        note: t,
                                    },
                                ));
                            }
                            ui.end_row();
                        }
                    });
                let gaps = l.unevidenced().len();
                ui.horizontal(|ui| {
                    ui.strong("Outcome");
                    if ui
                        .radio(
                            l.outcome == Some(LegalOutcome::MoreSupport),
                            "More support first",
                        )
                        .clicked()
                        && l.outcome != Some(LegalOutcome::MoreSupport)
                    {
                        edits.push(Edit::LegalOutcome(p, Some(LegalOutcome::MoreSupport)));
                    }
                    let proceeding = match l.outcome {
                        Some(LegalOutcome::Proceed(m)) => Some(m),
                        _ => None,
                    };
                    if ui.radio(proceeding.is_some(), "Proceed with").clicked()
                        && proceeding.is_none()
                    {
                        edits.push(Edit::LegalOutcome(
                            p,
                            Some(LegalOutcome::Proceed(LegalMeasure::PenaltyNotice)),
                        ));
                    }
                    if let Some(measure) = proceeding
                        && let Some(mm) = combo(
                            ui,
                            "Measure",
                            ("measure", p),
                            measure,
                            LegalMeasure::ALL,
                            |m| m.label().to_owned(),
                        )
                    {
                        edits.push(Edit::LegalOutcome(p, Some(LegalOutcome::Proceed(mm))));
                    }
                });
                if matches!(l.outcome, Some(LegalOutcome::Proceed(_))) && gaps > 0 {
                    ui.colored_label(
                        palette::SEVERE,
                        format!(
                            "{gaps} of the {} support-first items are not evidenced.",
                            LegalEvidence::ALL.len()
                        ),
                    );
                }
                if l.outcome == Some(LegalOutcome::MoreSupport) {
                    ui.strong("Support actions");
                    self.actions_ui(ui, v, m.actions_for(p).cloned().collect(), false, edits);
                    if ui.button("Add action").clicked() {
                        edits.push(Edit::Action(Action::new(new_row_id(), Some(p))));
                    }
                }
            });
        }
    }
}
