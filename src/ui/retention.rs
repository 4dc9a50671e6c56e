//! The settings screen's "Data retention" section: the years kept, a purge preview
//! then the purge behind a confirmation, deleting one school's data behind a typed
//! URN, and the activity log. All work goes to the worker through the [`Outbox`].

use super::Outbox;
use crate::service::worker::Request;
use crate::service::{ActivityRow, DeletedCounts, PurgePreview};
use egui::RichText;

/// Rows of the activity log shown.
pub const ACTIVITY_ROWS: u32 = 200;

/// State of the section.
#[derive(Debug, Default)]
pub struct RetentionSection {
    /// The preview last received and the years it was made for.
    preview: Option<(PurgePreview, u32)>,
    /// The years of the preview last asked for.
    requested_years: u32,
    /// The "Purge now" confirmation is showing.
    confirm_purge: bool,
    /// The delete dialog is open.
    deleting: bool,
    /// The school chosen for deletion (URN).
    delete_urn: Option<String>,
    /// The URN typed to confirm.
    typed_urn: String,
    /// What the last purge or deletion did, or why not.
    message: Option<Result<String, String>>,
    /// The activity log, newest first, when received.
    activity: Option<Vec<ActivityRow>>,
    /// Why the activity log could not be read.
    activity_error: Option<String>,
}

impl RetentionSection {
    /// The purge preview shown, if any.
    #[must_use]
    pub fn preview(&self) -> Option<&PurgePreview> {
        self.preview.as_ref().map(|(p, _)| p)
    }

    /// The outcome message of the last purge or deletion.
    #[must_use]
    pub fn message(&self) -> Option<&Result<String, String>> {
        self.message.as_ref()
    }

    /// The activity log as last received.
    #[must_use]
    pub fn activity(&self) -> Option<&[ActivityRow]> {
        self.activity.as_deref()
    }

    /// Whether the activity log should be asked for.
    #[must_use]
    pub fn wants_activity(&self) -> bool {
        self.activity.is_none() && self.activity_error.is_none()
    }

    /// The activity log is out of date (something was imported, printed or exported);
    /// it is asked for again when the section is next shown.
    pub fn stale(&mut self) {
        self.activity = None;
    }

    /// A preview arrived.
    pub fn preview_arrived(&mut self, r: Result<Box<PurgePreview>, String>) {
        self.confirm_purge = false;
        match r {
            Ok(p) => {
                self.preview = Some((*p, self.requested_years));
                self.message = None;
            }
            Err(e) => {
                self.preview = None;
                self.message = Some(Err(e));
            }
        }
    }

    /// A purge finished.
    pub fn purged(&mut self, r: Result<Box<PurgePreview>, String>) {
        self.confirm_purge = false;
        self.preview = None;
        self.message = Some(r.map(|p| {
            if p.total.is_empty() {
                format!("Nothing was older than {}; nothing removed.", p.keep_from)
            } else {
                format!(
                    "Purged data before {} from {} school(s): {}.",
                    p.keep_from,
                    p.schools.len(),
                    p.total.describe()
                )
            }
        }));
        self.activity = None;
    }

    /// A school's data was deleted.
    pub fn deleted(&mut self, r: Result<DeletedCounts, String>) {
        if r.is_ok() {
            self.deleting = false;
            self.delete_urn = None;
            self.typed_urn.clear();
            self.preview = None;
        }
        self.message = Some(r.map(|d| {
            format!(
                "Deleted all data of school {}: {}.",
                d.urn,
                d.counts.describe()
            )
        }));
        self.activity = None;
    }

    /// The activity log arrived.
    pub fn activity_arrived(&mut self, r: Result<Vec<ActivityRow>, String>) {
        match r {
            Ok(rows) => {
                self.activity = Some(rows);
                self.activity_error = None;
            }
            Err(e) => self.activity_error = Some(e),
        }
    }

    /// Draws the section. `years` is the settings draft's retention (saved with the
    /// other settings); `schools` are (URN, name) pairs.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        years: &mut u32,
        schools: &[(String, String)],
        today: chrono::NaiveDate,
        out: &mut Outbox,
    ) {
        ui.strong("Data retention");
        ui.horizontal(|ui| {
            let label = ui.label("Keep data of the last");
            ui.add(
                egui::DragValue::new(years)
                    .range(0..=crate::service::settings::MAX_RETENTION_YEARS),
            )
            .labelled_by(label.id)
            .on_hover_text("0 keeps everything");
            ui.label(
                "academic years (this one included; 0 keeps everything). Saved with the settings.",
            );
        });
        ui.label(
            RichText::new(
                "A purge removes older terms with their marks and totals, meetings with everything recorded in them, and pupils left with nothing. Nothing goes until you confirm.",
            )
            .small()
            .weak(),
        );
        ui.horizontal(|ui| {
            if ui
                .add_enabled(*years > 0, egui::Button::new("Preview purge…"))
                .clicked()
            {
                self.confirm_purge = false;
                self.requested_years = *years;
                out.requests.push(Request::PurgePreview {
                    today,
                    years: Some(*years),
                });
            }
            if ui.button("Delete a school's data…").clicked() {
                self.deleting = !self.deleting;
                self.typed_urn.clear();
            }
        });
        if *years > 0
            && let Some((_, y)) = &self.preview
            && *y != *years
        {
            ui.label(
                RichText::new(format!(
                    "The preview below keeps {y} years; preview again for {years}."
                ))
                .small(),
            );
        }
        self.preview_ui(ui, today, out);
        if self.deleting {
            self.delete_ui(ui, schools, out);
        }
        match &self.message {
            Some(Ok(m)) => {
                ui.label(m);
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
    }

    fn preview_ui(&mut self, ui: &mut egui::Ui, today: chrono::NaiveDate, out: &mut Outbox) {
        let Some((p, years)) = self.preview.clone() else {
            return;
        };
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if p.schools.is_empty() {
                ui.label(format!(
                    "Nothing is older than {}: a purge would remove nothing.",
                    p.keep_from
                ));
                return;
            }
            ui.label(format!(
                "A purge keeping {years} academic year(s) removes everything from before {}:",
                p.keep_from
            ));
            egui::Grid::new("purge_preview")
                .striped(true)
                .num_columns(12)
                .show(ui, |ui| {
                    for h in [
                        "School",
                        "Pupils",
                        "Terms",
                        "Attendance rows",
                        "Mark strips",
                        "Imports",
                        "Meetings",
                        "Actions",
                        "Discussions",
                        "CME enquiries",
                        "Legal reviews",
                        "Audit rows",
                    ] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    let total = ("Total".to_owned(), p.total);
                    for (label, c) in p
                        .schools
                        .iter()
                        .map(|s| {
                            (
                                format!("{} ({})", s.name.as_deref().unwrap_or("-"), s.urn),
                                s.counts,
                            )
                        })
                        .chain(std::iter::once(total))
                    {
                        ui.label(label);
                        for n in [
                            c.pupils,
                            c.periods,
                            c.attendance,
                            c.marks,
                            c.imports,
                            c.meetings,
                            c.actions,
                            c.discussions,
                            c.cme_enquiries,
                            c.legal_reviews,
                            c.audit,
                        ] {
                            ui.label(n.to_string());
                        }
                        ui.end_row();
                    }
                });
            if self.confirm_purge {
                ui.label(
                    RichText::new(
                        "This permanently removes the rows above. It cannot be undone, except from a backup.",
                    )
                    .color(ui.visuals().warn_fg_color),
                );
                ui.horizontal(|ui| {
                    if ui.button("Yes, purge now").clicked() {
                        self.confirm_purge = false;
                        out.requests.push(Request::Purge {
                            today,
                            years: Some(years),
                        });
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm_purge = false;
                    }
                });
            } else if ui.button("Purge now…").clicked() {
                self.confirm_purge = true;
            }
        });
    }

    fn delete_ui(&mut self, ui: &mut egui::Ui, schools: &[(String, String)], out: &mut Outbox) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(
                "Deletes everything held about one school: its pupils, terms, imports, marks, meetings and their audit trail. The activity log keeps only the URN and counts.",
            );
            let shown = self
                .delete_urn
                .as_ref()
                .and_then(|u| schools.iter().find(|(urn, _)| urn == u))
                .map_or_else(
                    || "Choose a school".to_owned(),
                    |(urn, name)| format!("{name} ({urn})"),
                );
            egui::ComboBox::from_label("School to delete")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for (urn, name) in schools {
                        let chosen = self.delete_urn.as_deref() == Some(urn.as_str());
                        if ui
                            .selectable_label(chosen, format!("{name} ({urn})"))
                            .clicked()
                        {
                            self.delete_urn = Some(urn.clone());
                            self.typed_urn.clear();
                        }
                    }
                });
            let Some(urn) = self.delete_urn.clone() else {
                return;
            };
            ui.horizontal(|ui| {
                let label = ui.label(format!("Type the URN {urn} to confirm"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.typed_urn)
                        .hint_text("the school's URN")
                        .desired_width(100.0),
                )
                .labelled_by(label.id);
            });
            let matches = self.typed_urn.trim() == urn;
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(
                        matches,
                        egui::Button::new("Delete all data of this school"),
                    )
                    .clicked()
                {
                    out.requests.push(Request::DeleteSchool { urn: urn.clone() });
                }
                if ui.button("Cancel").clicked() {
                    self.deleting = false;
                    self.delete_urn = None;
                    self.typed_urn.clear();
                }
            });
        });
    }

    /// Draws the activity log.
    pub fn activity_ui(&mut self, ui: &mut egui::Ui, out: &mut Outbox) {
        ui.horizontal(|ui| {
            ui.strong(format!("Activity log (latest {ACTIVITY_ROWS})"));
            if ui.small_button("Refresh").clicked() {
                out.requests.push(Request::Activity {
                    limit: ACTIVITY_ROWS,
                });
            }
        });
        ui.label(
            RichText::new(
                "Imports, prints, exports, purges and deletions, with the officer named above.",
            )
            .small()
            .weak(),
        );
        if let Some(e) = &self.activity_error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let Some(rows) = &self.activity else {
            return;
        };
        if rows.is_empty() {
            ui.label("Nothing recorded yet.");
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("activity_scroll")
            .max_height(260.0)
            .show(ui, |ui| {
                egui::Grid::new("activity").striped(true).show(ui, |ui| {
                    for h in ["When", "What", "School", "Officer", "Details"] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for r in rows {
                        ui.label(crate::domain::dates::day_time(r.at));
                        ui.label(r.kind.label());
                        ui.label(r.school_urn.as_deref().unwrap_or("-"));
                        ui.label(&r.officer);
                        ui.label(&r.summary);
                        ui.end_row();
                    }
                });
            });
    }
}
