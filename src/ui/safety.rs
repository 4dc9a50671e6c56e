//! The settings screen's "Protection and backups" section: whether the database is
//! encrypted (and encrypting a plain one), the backups, backing up now and restoring.

use super::Outbox;
use crate::service::Passphrase;
use crate::service::safety::SafetyView;
use crate::service::worker::Request;
use egui::RichText;
use std::path::PathBuf;

/// The section's state.
#[derive(Debug, Default)]
pub struct SafetyPanel {
    /// What the worker last said about the database.
    pub view: Option<SafetyView>,
    /// Why the last action failed.
    pub error: Option<String>,
    /// What the last action did.
    pub message: Option<String>,
    requested: bool,
    working: bool,
    confirm_restore: Option<PathBuf>,
    first: String,
    again: String,
}

impl SafetyPanel {
    /// The worker answered with the database's state.
    pub fn show(&mut self, view: Result<SafetyView, String>) {
        self.working = false;
        match view {
            Ok(v) => self.view = Some(v),
            Err(e) => self.error = Some(super::widgets::sentence(&e)),
        }
    }

    /// A backup, restore or encryption finished.
    pub fn done(&mut self, result: Result<(String, SafetyView), String>) {
        self.working = false;
        match result {
            Ok((said, view)) => {
                self.message = Some(said);
                self.error = None;
                self.view = Some(view);
            }
            Err(e) => {
                self.error = Some(super::widgets::sentence(&e));
                self.message = None;
            }
        }
    }

    /// Draws the section.
    pub fn ui(&mut self, ui: &mut egui::Ui, out: &mut Outbox) {
        if !self.requested {
            self.requested = true;
            out.requests.push(Request::Safety);
        }
        ui.strong("Protection and backups");
        let Some(view) = self.view.clone() else {
            ui.spinner();
            return;
        };
        if view.encrypted {
            ui.label(
                RichText::new("Encrypted: the file cannot be read without the passphrase (SQLCipher, AES-256).")
                    .color(egui::Color32::from_rgb(0x2e, 0x7d, 0x32)),
            );
        } else {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "Not encrypted: anyone who gets this file (a lost laptop, a copied folder) can read the pupil data.",
            );
            self.encrypt_ui(ui, out);
        }
        ui.add_space(6.0);
        ui.label(format!("Backups in {}", view.backup_dir));
        ui.label(
            RichText::new(
                "A backup is made on the first start of each day, before every upgrade of the database and before a restore; backups are encrypted like the database.",
            )
            .small()
            .weak(),
        );
        if ui
            .add_enabled(!self.working, egui::Button::new("Back up now"))
            .clicked()
        {
            self.working = true;
            self.message = None;
            out.requests.push(Request::BackupNow);
        }
        if view.backups.is_empty() {
            ui.label(RichText::new("No backups yet.").weak());
        } else {
            egui::Grid::new("backups")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for h in ["Made", "Why", "Size", ""] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for b in &view.backups {
                        ui.label(crate::domain::dates::day_time_seconds(b.made));
                        ui.label(b.reason.replace('-', " "));
                        ui.label(format!("{:.1} MB", b.bytes as f64 / 1_048_576.0));
                        if ui
                            .add_enabled(!self.working, egui::Button::new("Restore…"))
                            .on_hover_text(b.path.display().to_string())
                            .clicked()
                        {
                            self.confirm_restore = Some(b.path.clone());
                        }
                        ui.end_row();
                    }
                });
        }
        self.confirm_ui(ui, out);
        if self.working {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Working…");
            });
        }
        if let Some(m) = &self.message {
            ui.label(m);
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
    }

    fn encrypt_ui(&mut self, ui: &mut egui::Ui, out: &mut Outbox) {
        egui::Grid::new("encrypt_fields")
            .num_columns(2)
            .show(ui, |ui| {
                let label = ui.label("New passphrase");
                ui.add(
                    egui::TextEdit::singleline(&mut self.first)
                        .password(true)
                        .id_salt("encrypt_first"),
                )
                .labelled_by(label.id);
                ui.end_row();
                let label = ui.label("Type the new passphrase again");
                ui.add(
                    egui::TextEdit::singleline(&mut self.again)
                        .password(true)
                        .id_salt("encrypt_again"),
                )
                .labelled_by(label.id);
                ui.end_row();
            });
        if ui
            .add_enabled(!self.working, egui::Button::new("Encrypt this database"))
            .clicked()
        {
            let p = Passphrase::new(&self.first);
            if let Err(e) = p.check_new() {
                self.error = Some(e);
            } else if self.first != self.again {
                self.error = Some("The two passphrases differ; type them again".into());
            } else {
                self.working = true;
                self.error = None;
                self.message = None;
                out.requests.push(Request::Encrypt(p));
            }
            self.first.clear();
            self.again.clear();
        }
    }

    fn confirm_ui(&mut self, ui: &mut egui::Ui, out: &mut Outbox) {
        let Some(path) = self.confirm_restore.clone() else {
            return;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(format!(
                "Replace all the data in this database with the backup {name}? What is there now is backed up first, so this can be undone."
            ));
            ui.horizontal(|ui| {
                if ui.button("Restore this backup").clicked() {
                    self.working = true;
                    self.message = None;
                    self.error = None;
                    out.requests.push(Request::Restore(path.clone()));
                    self.confirm_restore = None;
                }
                if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape))
                {
                    self.confirm_restore = None;
                }
            });
        });
    }
}
