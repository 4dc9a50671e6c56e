//! The actions tracker: every agreed action across schools and meetings, filtered by
//! school, owner, lead practitioner, status and overdue. A status changed here is what
//! the school's next meeting reviews.

use super::Outbox;
use super::widgets::palette;
use crate::domain::meeting::ActionStatus;
use crate::service::worker::Request;
use crate::view::TrackedRow;
use egui::RichText;
use egui_extras::{Column, TableBuilder};

/// Which statuses to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    /// Open, partly or not done.
    #[default]
    StillOpen,
    /// Any status.
    Any,
    /// One status.
    Is(ActionStatus),
}

impl StatusFilter {
    fn label(self) -> String {
        match self {
            StatusFilter::StillOpen => "Still open".into(),
            StatusFilter::Any => "Any".into(),
            StatusFilter::Is(s) => s.label().into(),
        }
    }

    fn keeps(self, s: ActionStatus) -> bool {
        match self {
            StatusFilter::StillOpen => s.is_open(),
            StatusFilter::Any => true,
            StatusFilter::Is(x) => x == s,
        }
    }
}

/// The tracker's state.
#[derive(Debug, Default)]
pub struct ActionsScreen {
    /// Every action, once loaded.
    pub rows: Option<Vec<TrackedRow>>,
    school: Option<String>,
    owner: String,
    lead: Option<String>,
    status: StatusFilter,
    overdue_only: bool,
}

impl ActionsScreen {
    /// Indices of the rows the filters keep.
    #[must_use]
    pub fn visible(&self) -> Vec<usize> {
        let Some(rows) = &self.rows else {
            return Vec::new();
        };
        let owner = self.owner.trim().to_lowercase();
        rows.iter()
            .enumerate()
            .filter(|(_, r)| self.school.as_ref().is_none_or(|s| *s == r.urn))
            .filter(|(_, r)| owner.is_empty() || r.action.owner.to_lowercase().contains(&owner))
            .filter(|(_, r)| self.lead.as_ref().is_none_or(|l| *l == r.lead))
            .filter(|(_, r)| self.status.keeps(r.action.status))
            .filter(|(_, r)| !self.overdue_only || r.overdue)
            .map(|(i, _)| i)
            .collect()
    }

    /// Draws the tracker.
    pub fn ui(&mut self, ui: &mut egui::Ui, today: chrono::NaiveDate, out: &mut Outbox) {
        ui.heading("Actions tracker");
        let Some(rows) = &self.rows else {
            ui.spinner();
            return;
        };
        let mut schools: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.urn.clone(), r.school.clone()))
            .collect();
        schools.dedup();
        let mut leads: Vec<String> = rows.iter().map(|r| r.lead.clone()).collect();
        leads.sort();
        leads.dedup();
        ui.horizontal_wrapped(|ui| {
            egui::ComboBox::from_label("School")
                .selected_text(
                    self.school
                        .as_ref()
                        .and_then(|u| schools.iter().find(|(x, _)| x == u))
                        .map_or("All schools", |(_, n)| n.as_str()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.school, None, "All schools");
                    for (urn, name) in &schools {
                        ui.selectable_value(&mut self.school, Some(urn.clone()), name);
                    }
                });
            let l = ui.label("Owner");
            ui.add(egui::TextEdit::singleline(&mut self.owner).desired_width(140.0))
                .labelled_by(l.id);
            egui::ComboBox::from_label("Lead practitioner")
                .selected_text(match &self.lead {
                    None => "Any",
                    Some(l) if l.is_empty() => "(none)",
                    Some(l) => l.as_str(),
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.lead, None, "Any");
                    for l in &leads {
                        let word = if l.is_empty() { "(none)" } else { l.as_str() };
                        ui.selectable_value(&mut self.lead, Some(l.clone()), word);
                    }
                });
            egui::ComboBox::from_label("Status filter")
                .selected_text(self.status.label())
                .show_ui(ui, |ui| {
                    for f in [StatusFilter::StillOpen, StatusFilter::Any]
                        .into_iter()
                        .chain(ActionStatus::ALL.iter().map(|s| StatusFilter::Is(*s)))
                    {
                        ui.selectable_value(&mut self.status, f, f.label());
                    }
                });
            ui.checkbox(&mut self.overdue_only, "Overdue only");
        });
        let visible = self.visible();
        let Some(rows) = self.rows.as_mut() else {
            return;
        };
        if ui
            .button("Export these actions…")
            .on_hover_text("The actions shown (with the filters above), as XLSX or CSV")
            .clicked()
        {
            let shown = visible
                .iter()
                .filter_map(|i| rows.get(*i).cloned())
                .collect();
            out.export = Some((
                crate::service::print::Export::Actions(shown),
                format!("Actions {}.xlsx", today.format("%Y-%m-%d")),
            ));
        }
        ui.label(
            RichText::new(format!(
                "{} of {} actions · overdue means open and due before {}",
                visible.len(),
                rows.len(),
                crate::domain::dates::day(today)
            ))
            .weak(),
        );
        let mut changes = Vec::new();
        TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .column(Column::initial(160.0))
            .column(Column::initial(100.0))
            .column(Column::initial(190.0))
            .column(Column::initial(260.0))
            .column(Column::initial(120.0))
            .column(Column::initial(170.0))
            .column(Column::initial(90.0))
            .column(Column::remainder().at_least(150.0))
            .header(22.0, |mut h| {
                for t in [
                    "School", "Term", "Pupil", "Action", "Owner", "Lead", "Due", "Status",
                ] {
                    h.col(|ui| {
                        ui.strong(t);
                    });
                }
            })
            .body(|body| {
                body.rows(26.0, visible.len(), |mut row| {
                    let Some(r) = visible.get(row.index()).and_then(|i| rows.get(*i)) else {
                        return;
                    };
                    row.col(|ui| {
                        ui.label(&r.school);
                    });
                    row.col(|ui| {
                        ui.label(r.period.to_string());
                    });
                    row.col(|ui| {
                        ui.label(if r.pupil.is_empty() {
                            "whole school"
                        } else {
                            &r.pupil
                        });
                    });
                    let mut described = None;
                    row.col(|ui| {
                        described = Some(ui.label(&r.action.description).id);
                    });
                    row.col(|ui| {
                        ui.label(&r.action.owner);
                    });
                    row.col(|ui| {
                        ui.label(if r.lead.is_empty() { "–" } else { &r.lead });
                    });
                    row.col(|ui| {
                        let due = r
                            .action
                            .due
                            .map_or_else(|| "–".to_owned(), crate::domain::dates::day);
                        if r.overdue {
                            ui.label(RichText::new(due).color(palette::SEVERE).strong())
                                .on_hover_text("Overdue");
                        } else {
                            ui.label(due);
                        }
                    });
                    row.col(|ui| {
                        let mut chosen = r.action.status;
                        egui::ComboBox::from_id_salt(("tracker_status", r.action.id))
                            .selected_text(r.action.status.label())
                            .show_ui(ui, |ui| {
                                for s in ActionStatus::ALL {
                                    ui.selectable_value(&mut chosen, *s, s.label());
                                }
                            })
                            .response
                            .labelled_by(described.unwrap_or(egui::Id::NULL))
                            .on_hover_text("Status");
                        if chosen != r.action.status {
                            changes.push((r.action.id, chosen));
                        }
                    });
                });
            });
        for (id, status) in changes {
            if let Some(r) = rows.iter_mut().find(|r| r.action.id == id) {
                r.action.status = status;
                r.overdue = status.is_open() && r.action.due.is_some_and(|d| d < today);
            }
            out.requests.push(Request::ActionStatus {
                action: id,
                status,
                at: out.now,
            });
        }
    }
}
