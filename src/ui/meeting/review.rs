//! Steps 2 and 3: last term's actions reviewed (rates then and now), and the
//! school's trends.

use super::*;

impl MeetingScreen {
    pub(super) fn review(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        let m = &v.meeting;
        if m.review.is_empty() {
            ui.label("No open actions from the school's earlier meetings.");
            return;
        }
        ui.label(format!(
            "{} actions from earlier meetings. Mark each, with a note; not-done actions can be carried forward into this meeting.",
            m.review.len()
        ));
        let carry: Vec<_> = m
            .review
            .iter()
            .filter(|r| {
                r.carried_as.is_none()
                    && matches!(
                        r.action.status,
                        ActionStatus::NotDone | ActionStatus::Partly
                    )
            })
            .map(|r| r.action.id)
            .collect();
        if ui
            .add_enabled(
                !carry.is_empty(),
                egui::Button::new(format!("Carry forward all not done ({})", carry.len())),
            )
            .clicked()
        {
            for from in carry {
                edits.push(Edit::CarryForward {
                    from,
                    id: new_row_id(),
                });
            }
        }
        ui.add_space(6.0);
        egui::Grid::new("review_grid")
            .striped(true)
            .num_columns(9)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                for h in [
                    "Pupil", "Action", "Owner", "Due", "Agreed", "Then", "Now", "Review", "",
                ] {
                    ui.strong(h);
                }
                ui.end_row();
                for r in &m.review {
                    let a = &r.action;
                    ui.label(
                        a.pupil_id
                            .map_or_else(|| "whole school".into(), |p| self.label(v, p)),
                    );
                    ui.label(&a.description);
                    ui.label(&a.owner);
                    ui.label(a.due.map_or_else(String::new, crate::domain::dates::day));
                    ui.label(r.agreed_in.to_string());
                    ui.label(pct(r.rate_then));
                    ui.horizontal(|ui| {
                        ui.label(pct(r.rate_now));
                        if let (Some(then), Some(now)) = (r.rate_then, r.rate_now) {
                            crate::ui::widgets::change_label(ui, Some(now - then));
                        }
                    });
                    ui.vertical(|ui| {
                        let shown = if r.reviewed {
                            a.status.label().to_owned()
                        } else {
                            format!("{} (not reviewed)", a.status.label())
                        };
                        let mut chosen = a.status;
                        let label = ui.label(RichText::new("Reviewed as").small());
                        egui::ComboBox::from_id_salt(("review_status", a.id))
                            .selected_text(shown)
                            .show_ui(ui, |ui| {
                                for s in &ActionStatus::ALL[1..] {
                                    ui.selectable_value(&mut chosen, *s, s.label());
                                }
                            })
                            .response
                            .labelled_by(label.id);
                        if chosen != a.status {
                            edits.push(Edit::Review {
                                action: a.id,
                                status: chosen,
                                note: a.note.clone(),
                            });
                        }
                        if r.reviewed
                            && let Some(t) = text(ui, "Review note", &a.note, 200.0)
                        {
                            edits.push(Edit::Review {
                                action: a.id,
                                status: a.status,
                                note: t,
                            });
                        }
                    });
                    if r.carried_as.is_some() {
                        tag(ui, "carried forward", palette::GOOD);
                    } else if a.status.is_open() && a.status != ActionStatus::Open {
                        if ui.button("Carry forward").clicked() {
                            edits.push(Edit::CarryForward {
                                from: a.id,
                                id: new_row_id(),
                            });
                        }
                    } else {
                        ui.label("");
                    }
                    ui.end_row();
                }
            });
    }

    pub(super) fn trends(&mut self, ui: &mut Ui, v: &MeetingView, edits: &mut Vec<Edit>) {
        headline_tiles(ui, &v.school);
        if let Some(t) = multiline(ui, "Patterns and focus areas", &v.meeting.trends_notes, 3) {
            edits.push(Edit::Text(MeetingText::TrendsNotes, t));
        }
        ui.add_space(4.0);
        self.charts.charts_ui(ui, &v.school, "meeting_charts");
    }
}
