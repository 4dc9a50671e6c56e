//! The patch overview: every school with its latest figures, this term's TSM status
//! and open actions. Sortable, searchable; a click opens the school.

use super::Outbox;
use super::widgets::{change_label, pct, sort_header};
use crate::service::worker::Request;
use crate::view::MeetingStatus;
use crate::view::{Overview, OverviewRow};
use chrono::NaiveDate;
use egui::RichText;
use egui_extras::{Column, TableBuilder};

/// Columns the overview sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// School name.
    #[default]
    Name,
    /// Pupils.
    Pupils,
    /// Overall absence.
    Absence,
    /// Persistent absence.
    Persistent,
    /// Severe absence.
    Severe,
    /// Open actions.
    Actions,
}

/// The overview's state.
#[derive(Debug, Default)]
pub struct OverviewScreen {
    /// The data, once loaded.
    pub data: Option<Overview>,
    search: String,
    sort: SortKey,
    descending: bool,
    schedule: Option<(String, String, Option<String>)>,
}

impl OverviewScreen {
    /// Schools as (URN, name), for the import wizard.
    #[must_use]
    pub fn schools(&self) -> Vec<(String, String, Option<String>)> {
        self.data.as_ref().map_or_else(Vec::new, |d| {
            d.rows
                .iter()
                .map(|r| (r.urn.clone(), r.name.clone(), r.phase.clone()))
                .collect()
        })
    }

    /// Closes the scheduling dialog (Esc).
    pub fn close_dialog(&mut self) {
        self.schedule = None;
    }

    fn sorted(&self) -> Vec<&OverviewRow> {
        let Some(data) = &self.data else {
            return Vec::new();
        };
        let needle = self.search.trim().to_lowercase();
        let mut rows: Vec<&OverviewRow> = data
            .rows
            .iter()
            .filter(|r| {
                needle.is_empty()
                    || r.name.to_lowercase().contains(&needle)
                    || r.urn.contains(&needle)
                    || r.phase
                        .as_deref()
                        .is_some_and(|p| p.to_lowercase().contains(&needle))
            })
            .collect();
        let key = |r: &OverviewRow| -> f64 {
            match self.sort {
                SortKey::Name => 0.0,
                SortKey::Pupils => f64::from(r.pupils),
                SortKey::Absence => r.absence.unwrap_or(-1.0),
                SortKey::Persistent => r.persistent.unwrap_or(-1.0),
                SortKey::Severe => r.severe.unwrap_or(-1.0),
                SortKey::Actions => f64::from(r.actions.open),
            }
        };
        rows.sort_by(|a, b| {
            let ord = if self.sort == SortKey::Name {
                a.name.to_lowercase().cmp(&b.name.to_lowercase())
            } else {
                key(a).total_cmp(&key(b)).then(a.name.cmp(&b.name))
            };
            if self.descending { ord.reverse() } else { ord }
        });
        rows
    }

    fn header(&mut self, ui: &mut egui::Ui, label: &str, key: SortKey) {
        let state = (self.sort == key).then_some(self.descending);
        if sort_header(ui, label, state).clicked() {
            if self.sort == key {
                self.descending = !self.descending;
            } else {
                self.sort = key;
                self.descending = key != SortKey::Name;
            }
        }
    }

    /// Draws the overview.
    pub fn ui(&mut self, ui: &mut egui::Ui, today: NaiveDate, out: &mut Outbox) {
        ui.horizontal(|ui| {
            ui.heading("Patch overview");
            if let Some(t) = self.data.as_ref().and_then(|d| d.this_term) {
                ui.label(RichText::new(format!("TSM status for {t}")).weak());
            }
        });
        ui.horizontal(|ui| {
            ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.search)
                    .hint_text("school name, URN or phase")
                    .desired_width(240.0),
            );
            if ui.button("Refresh").clicked() {
                out.requests.push(Request::Overview { today });
            }
        });
        ui.add_space(4.0);
        if self.data.is_none() {
            ui.spinner();
            return;
        }
        let rows: Vec<OverviewRow> = self.sorted().into_iter().cloned().collect();
        if rows.is_empty() {
            ui.label("No schools yet. Import a school's attendance export to start (Ctrl+I).");
            if ui.button("Import…").clicked() {
                out.goto = Some(super::Screen::Import);
            }
            return;
        }
        let row_height = 36.0;
        TableBuilder::new(ui)
            .id_salt("overview_table")
            .striped(true)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(220.0).at_least(140.0).resizable(true))
            .column(Column::initial(80.0))
            .column(Column::initial(60.0))
            .column(Column::initial(110.0))
            .columns(Column::initial(105.0), 3)
            .column(Column::initial(300.0))
            .column(Column::remainder().at_least(110.0))
            .header(24.0, |mut h| {
                h.col(|ui| self.header(ui, "School", SortKey::Name));
                h.col(|ui| {
                    ui.strong("Phase");
                });
                h.col(|ui| self.header(ui, "Pupils", SortKey::Pupils));
                h.col(|ui| {
                    ui.strong("Latest data");
                });
                h.col(|ui| self.header(ui, "Absence", SortKey::Absence));
                h.col(|ui| self.header(ui, "PA", SortKey::Persistent));
                h.col(|ui| self.header(ui, "SA", SortKey::Severe));
                h.col(|ui| {
                    ui.strong("TSM this term");
                });
                h.col(|ui| self.header(ui, "Actions", SortKey::Actions));
            })
            .body(|body| {
                body.rows(row_height, rows.len(), |mut row| {
                    let Some(r) = rows.get(row.index()) else {
                        return;
                    };
                    row.col(|ui| {
                        if ui
                            .link(RichText::new(&r.name).strong())
                            .on_hover_text(format!("Open {} (URN {})", r.name, r.urn))
                            .clicked()
                        {
                            out.open_school = Some((r.urn.clone(), None));
                        }
                    });
                    row.col(|ui| {
                        ui.label(r.phase.as_deref().unwrap_or("–"));
                    });
                    row.col(|ui| {
                        ui.label(r.pupils.to_string());
                    });
                    row.col(|ui| {
                        ui.label(
                            r.latest
                                .map_or_else(|| "no data".to_owned(), |p| p.to_string()),
                        );
                    });
                    for (v, c) in [
                        (r.absence, r.absence_change),
                        (r.persistent, r.persistent_change),
                        (r.severe, r.severe_change),
                    ] {
                        row.col(|ui| {
                            ui.vertical(|ui| {
                                ui.label(pct(v));
                                change_label(ui, c);
                            });
                        });
                    }
                    row.col(|ui| {
                        let text = match &r.meeting {
                            None => "not scheduled".to_owned(),
                            Some(m) => match m.status {
                                MeetingStatus::Planned => m.scheduled_for.map_or_else(
                                    || "planned".to_owned(),
                                    |d| format!("scheduled {}", crate::domain::dates::day(d)),
                                ),
                                MeetingStatus::InProgress => "in progress".to_owned(),
                                MeetingStatus::Held => m.held_on.map_or_else(
                                    || "held".to_owned(),
                                    |d| format!("held {}", crate::domain::dates::day(d)),
                                ),
                            },
                        };
                        ui.horizontal(|ui| {
                            ui.label(text);
                            if r.open_cme > 0 {
                                super::widgets::tag(
                                    ui,
                                    &format!("CME: {} open", r.open_cme),
                                    super::widgets::palette::SEVERE,
                                )
                                .on_hover_text(
                                    "Children missing education enquiries not yet concluded",
                                );
                            }
                        });
                        ui.horizontal(|ui| {
                            if ui
                                .small_button("Meeting")
                                .on_hover_text(format!("Open this term's TSM with {}", r.name))
                                .clicked()
                            {
                                out.open_meeting = Some((r.urn.clone(), None));
                            }
                            let held = r
                                .meeting
                                .as_ref()
                                .is_some_and(|m| m.status == MeetingStatus::Held);
                            if !held
                                && ui
                                    .small_button("Schedule…")
                                    .on_hover_text(format!("Schedule the TSM with {}", r.name))
                                    .clicked()
                            {
                                let current = r
                                    .meeting
                                    .as_ref()
                                    .and_then(|m| m.scheduled_for)
                                    .map_or_else(String::new, crate::domain::dates::day);
                                self.schedule = Some((r.urn.clone(), current, None));
                            }
                        });
                    });
                    row.col(|ui| {
                        let a = r.actions;
                        if a.overdue > 0 {
                            ui.label(format!("{} open, ", a.open));
                            ui.label(
                                RichText::new(format!("{} overdue", a.overdue))
                                    .color(ui.visuals().error_fg_color),
                            );
                        } else {
                            ui.label(format!("{} open", a.open));
                        }
                    });
                });
            });
        self.schedule_dialog(ui, out);
    }

    fn schedule_dialog(&mut self, ui: &mut egui::Ui, out: &mut Outbox) {
        let Some((urn, text, error)) = &mut self.schedule else {
            return;
        };
        let mut close = false;
        let modal = egui::Modal::new(egui::Id::unique("schedule_modal")).show(ui.ctx(), |ui| {
            ui.heading("Schedule the TSM");
            ui.label("Date (dd/mm/yyyy)");
            let edit = ui.add(egui::TextEdit::singleline(text).hint_text("e.g. 24/11/2026"));
            edit.request_focus();
            if let Some(e) = error.as_ref() {
                ui.colored_label(ui.visuals().error_fg_color, e.as_str());
            }
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() || enter {
                    match crate::domain::dates::parse_day(text.trim()) {
                        Ok(on) => {
                            out.requests.push(Request::Schedule {
                                urn: urn.clone(),
                                on,
                            });
                            close = true;
                        }
                        Err(_) => {
                            *error =
                                Some(format!("{:?} is not a date like 24/11/2026", text.trim()))
                        }
                    }
                }
                if ui.button("Cancel").clicked() {
                    close = true;
                }
            });
        });
        if close || modal.should_close() {
            self.schedule = None;
        }
    }
}
