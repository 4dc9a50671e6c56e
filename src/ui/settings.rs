//! Settings: flag thresholds, national comparators, the LA's service directory, the
//! officer's name and where the database lives.

use super::{Outbox, Prefs};
use crate::domain::BasisPoints;
use crate::service::Settings;
use crate::service::worker::Request;
use egui::RichText;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// The settings screen's draft.
#[derive(Debug, Default)]
pub struct SettingsScreen {
    draft: Settings,
    national_text: Vec<[String; 5]>,
    services_text: String,
    /// The published weekly comparators and the LA drawn.
    pub comparators: super::comparators::ComparatorsSection,
    /// Why the last save failed.
    pub error: Option<String>,
    saved: bool,
    /// Row counts of the main tables, when asked for.
    pub counts: Option<Vec<(&'static str, i64)>>,
    dialog: Option<Receiver<Option<PathBuf>>>,
    /// Encryption and backups.
    pub safety: super::safety::SafetyPanel,
    /// Data retention, deleting a school's data and the activity log.
    pub retention: super::retention::RetentionSection,
    /// The code map's row being added.
    code_map: super::codemap::CodeMapSection,
}

fn bp_percent(bp: BasisPoints) -> f64 {
    f64::from(bp.0) / 100.0
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the drag values are clamped to 0..=100"
)]
fn percent_bp(p: f64) -> BasisPoints {
    BasisPoints((p.clamp(0.0, 100.0) * 100.0).round() as u32)
}

fn number_text(v: Option<f64>) -> String {
    v.map_or_else(String::new, |v| format!("{v}"))
}

impl SettingsScreen {
    /// Loads the draft from saved settings.
    pub fn reset(&mut self, s: &Settings) {
        self.draft = s.clone();
        self.national_text = s
            .national
            .iter()
            .map(|r| {
                [
                    number_text(r.absence),
                    number_text(r.authorised),
                    number_text(r.unauthorised),
                    number_text(r.persistent),
                    number_text(r.severe),
                ]
            })
            .collect();
        self.services_text = s.services.join("\n");
        self.error = None;
    }

    /// The worker saved the settings.
    pub fn saved(&mut self, s: &Settings) {
        self.reset(s);
        self.saved = true;
    }

    fn collect(&self) -> Result<Settings, String> {
        let mut s = self.draft.clone();
        for (row, text) in s.national.iter_mut().zip(&self.national_text) {
            let mut values = [None; 5];
            for (i, (t, name)) in text
                .iter()
                .zip([
                    "overall",
                    "authorised",
                    "unauthorised",
                    "persistent",
                    "severe",
                ])
                .enumerate()
            {
                let t = t.trim().trim_end_matches('%');
                if !t.is_empty() {
                    let v: f64 = t.parse().map_err(|_| {
                        format!(
                            "National figures, {}: {name} {t:?} is not a number",
                            row.phase
                        )
                    })?;
                    values[i] = Some(v);
                }
            }
            [
                row.absence,
                row.authorised,
                row.unauthorised,
                row.persistent,
                row.severe,
            ] = values;
        }
        s.services = self
            .services_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        s.check()?;
        Ok(s)
    }

    /// Draws the settings; `schools` are (URN, name) pairs for deleting a school's data.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        database: &str,
        prefs: &mut Prefs,
        (schools, today): (&[(String, String)], chrono::NaiveDate),
        out: &mut Outbox,
    ) {
        if let Some(rx) = &self.dialog
            && let Ok(choice) = rx.try_recv()
        {
            self.dialog = None;
            if let Some(p) = choice {
                prefs.database = Some(p);
            }
        }
        egui::ScrollArea::vertical()
            .id_salt("settings_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Settings");
                ui.add_space(6.0);
                ui.strong("Officer");
                ui.horizontal(|ui| {
                    ui.label("Your name");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.draft.officer_name)
                            .hint_text("prefilled in meetings"),
                    );
                });
                ui.horizontal(|ui| {
                    egui::ComboBox::from_label(
                        "Printed documents name pupils by (change it for one print in the preview)",
                    )
                    .selected_text(self.draft.print_names.label())
                    .show_ui(ui, |ui| {
                        for style in crate::service::print::NameStyle::ALL {
                            ui.selectable_value(&mut self.draft.print_names, style, style.label());
                        }
                    });
                });
                ui.add_space(8.0);
                self.thresholds_ui(ui);
                ui.add_space(8.0);
                self.code_map.ui(ui, &mut self.draft.code_map, schools);
                ui.add_space(8.0);
                self.national_ui(ui);
                ui.add_space(8.0);
                self.comparators.ui(ui, &mut self.draft.la_name, out);
                ui.add_space(8.0);
                let services = ui.strong("Service directory");
                ui.label(
                    RichText::new(
                        "One service per line; offered as lead-practitioner organisations.",
                    )
                    .small()
                    .weak(),
                );
                ui.add(
                    egui::TextEdit::multiline(&mut self.services_text)
                        .desired_rows(8)
                        .desired_width(420.0),
                )
                .labelled_by(services.id);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let label = ui.label("Backups: keep the newest");
                    ui.add(egui::DragValue::new(&mut self.draft.backups_kept).range(1..=365))
                        .labelled_by(label.id);
                });
                ui.add_space(8.0);
                self.retention
                    .ui(ui, &mut self.draft.retention_years, schools, today, out);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui.button("Save settings").clicked() {
                        match self.collect() {
                            Ok(s) => {
                                self.error = None;
                                self.saved = false;
                                out.requests.push(Request::SaveSettings(s));
                            }
                            Err(e) => self.error = Some(e),
                        }
                    }
                    if ui.button("Restore defaults").clicked() {
                        let officer = self.draft.officer_name.clone();
                        self.reset(&Settings {
                            officer_name: officer,
                            print_names: self.draft.print_names,
                            backups_kept: self.draft.backups_kept,
                            retention_years: self.draft.retention_years,
                            code_map: self.draft.code_map.clone(),
                            ..Settings::default()
                        });
                    }
                    if self.saved {
                        ui.label(RichText::new("Saved").weak());
                    }
                });
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.add_space(12.0);
                ui.strong("Data");
                ui.label(format!("Database in use: {database}"));
                ui.label(
                    RichText::new("Pupil data stays on this computer, in this file.")
                        .small()
                        .weak(),
                );
                if let Some(c) = &self.counts {
                    let text: Vec<String> = c.iter().map(|(t, n)| format!("{n} {t}")).collect();
                    ui.label(RichText::new(format!("Holds {}", text.join(", "))).small());
                }
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            self.dialog.is_none(),
                            egui::Button::new("Use another database file…"),
                        )
                        .clicked()
                    {
                        self.open_dialog(ui.ctx());
                    }
                    if prefs.database.is_some() && ui.button("Use the default location").clicked() {
                        prefs.database = None;
                    }
                });
                if let Some(p) = &prefs.database {
                    ui.label(
                        RichText::new(format!("From the next start: {}", p.display())).small(),
                    );
                }
                ui.add_space(12.0);
                self.safety.ui(ui, out);
                ui.add_space(12.0);
                self.retention.activity_ui(ui, out);
            });
    }

    fn thresholds_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("Flag thresholds");
        let t = &mut self.draft.thresholds;
        egui::Grid::new("thresholds").num_columns(2).show(ui, |ui| {
            for (label, bp) in [
                ("Persistently absent at or above (%)", &mut t.persistent),
                ("Severely absent at or above (%)", &mut t.severe),
                ("At risk (band): at or above (%)", &mut t.band_lower),
                ("At risk (recent): absence at or above (%)", &mut t.recent),
                (
                    "At risk (recent): and above the rest of the school by (points; 0: off)",
                    &mut t.recent_above_school,
                ),
                ("At risk (rising): up by at least (points)", &mut t.rising),
            ] {
                let label = ui.label(label);
                let mut v = bp_percent(*bp);
                if ui
                    .add(
                        egui::DragValue::new(&mut v)
                            .range(0.0..=100.0)
                            .speed(0.1)
                            .max_decimals(2),
                    )
                    .labelled_by(label.id)
                    .changed()
                {
                    *bp = percent_bp(v);
                }
                ui.end_row();
            }
            let label = ui.label("At risk (recent): over the latest school days");
            ui.add(egui::DragValue::new(&mut t.recent_days).range(1..=190))
                .labelled_by(label.id);
            ui.end_row();
            let label =
                ui.label("Meeting: persistent and at-risk pupils listed before \"show all\"");
            ui.add(egui::DragValue::new(&mut self.draft.meeting_top_n).range(1..=500))
                .labelled_by(label.id);
            ui.end_row();
        });
        ui.label(
            RichText::new(
                "The defaults (band from 7%; recent 10% and 10 points above the rest of the school over the same days) were chosen on the demo data and checked on a held-out data set: see the README, \"How the at-risk defaults were chosen\". Each school's backtest (on the dashboard, or tsm-desk backtest) shows how they do on its own history.",
            )
            .small()
            .weak(),
        );
        ui.checkbox(
            &mut t.include_non_compulsory,
            "Count pupils outside compulsory school age in headline figures (national statistics count ages 5 to 15 only)",
        );
    }

    fn national_ui(&mut self, ui: &mut egui::Ui) {
        ui.strong("National comparators (%)");
        ui.label(RichText::new("Each figure comes from the first row that has it: the school's phase, then All schools, in the first release listed (the latest), then the next. Each row names its release; add a release's rows above the older ones.").small().weak());
        egui::Grid::new("national").striped(true).show(ui, |ui| {
            let headers = [
                "Type",
                "Overall",
                "Authorised",
                "Unauthorised",
                "PA",
                "SA",
                "Source",
            ]
            .map(|h| ui.label(RichText::new(h).strong()).id);
            ui.end_row();
            for (row, text) in self
                .draft
                .national
                .iter_mut()
                .zip(self.national_text.iter_mut())
            {
                ui.add_sized([100.0, 20.0], egui::TextEdit::singleline(&mut row.phase))
                    .labelled_by(headers[0]);
                for (t, header) in text.iter_mut().zip(&headers[1..6]) {
                    ui.add_sized([64.0, 20.0], egui::TextEdit::singleline(t))
                        .labelled_by(*header);
                }
                ui.add_sized([520.0, 20.0], egui::TextEdit::singleline(&mut row.source))
                    .labelled_by(headers[6]);
                ui.end_row();
            }
        });
        if ui.small_button("Add a row").clicked() {
            self.draft
                .national
                .push(crate::service::NationalFigures::default());
            self.national_text.push(Default::default());
        }
    }

    fn open_dialog(&mut self, ctx: &egui::Context) {
        self.dialog = super::widgets::spawn_dialog(ctx, || {
            rfd::FileDialog::new()
                .set_title("Database file")
                .set_file_name("tsm-desk.sqlite")
                .save_file()
        });
    }
}
