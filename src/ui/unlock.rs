//! The passphrase screen shown before an encrypted database opens, or before a new
//! database is made (encrypted by default).

use crate::service::{MIN_PASSPHRASE_LEN, Passphrase};
use egui::RichText;

/// What the screen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockMode {
    /// The database does not exist yet: choose a passphrase (typed twice).
    Create,
    /// The database is encrypted: type its passphrase.
    Enter,
}

/// The passphrase screen.
#[derive(Debug)]
pub struct UnlockScreen {
    mode: UnlockMode,
    database: String,
    first: String,
    again: String,
    unencrypted: bool,
    /// Why the last try failed.
    pub error: Option<String>,
    focus_pending: bool,
}

impl UnlockScreen {
    /// A screen for `database` in `mode`.
    #[must_use]
    pub fn new(mode: UnlockMode, database: String) -> UnlockScreen {
        UnlockScreen {
            mode,
            database,
            first: String::new(),
            again: String::new(),
            unencrypted: false,
            error: None,
            focus_pending: true,
        }
    }

    /// What the screen asks for.
    #[must_use]
    pub fn mode(&self) -> UnlockMode {
        self.mode
    }

    /// Shows `error` and clears what was typed, ready for another try.
    pub fn failed(&mut self, error: String) {
        self.error = Some(super::widgets::sentence(&error));
        self.first.clear();
        self.again.clear();
        self.focus_pending = true;
    }

    /// Draws the screen; returns the choice when the user opens the database: the
    /// passphrase, or `None` to make a new database without encryption.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<Option<Passphrase>> {
        let mut chosen = None;
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            ui.set_max_width(460.0);
            match self.mode {
                UnlockMode::Enter => {
                    ui.heading("Unlock the database");
                    ui.label("This database is encrypted. Type its passphrase to open it.");
                }
                UnlockMode::Create => {
                    ui.heading("Protect the new database");
                    ui.label(format!(
                        "Pupil data is encrypted on this computer with a passphrase of your choice (at least {MIN_PASSPHRASE_LEN} characters; a few words work well). Without it nobody, you included, can read the data, so keep it safe."
                    ));
                }
            }
            ui.label(RichText::new(&self.database).small().weak());
            ui.add_space(12.0);
            let plain = self.mode == UnlockMode::Create && self.unencrypted;
            egui::Grid::new("unlock_fields")
                .num_columns(2)
                .spacing([8.0, 8.0])
                .show(ui, |ui| {
                    let label = ui.label("Passphrase");
                    let first = ui.add_enabled(
                        !plain,
                        egui::TextEdit::singleline(&mut self.first)
                            .password(true)
                            .desired_width(260.0)
                            .id_salt("passphrase"),
                    )
                    .labelled_by(label.id);
                    // A reason given for the last try goes once the user types again.
                    if first.changed() {
                        self.error = None;
                    }
                    if self.focus_pending {
                        first.request_focus();
                        self.focus_pending = false;
                    }
                    ui.end_row();
                    if self.mode == UnlockMode::Create {
                        let label = ui.label("Type it again");
                        let again = ui
                            .add_enabled(
                                !plain,
                                egui::TextEdit::singleline(&mut self.again)
                                    .password(true)
                                    .desired_width(260.0)
                                    .id_salt("passphrase_again"),
                            )
                            .labelled_by(label.id);
                        if again.changed() {
                            self.error = None;
                        }
                        ui.end_row();
                    }
                });
            if self.mode == UnlockMode::Create {
                ui.checkbox(
                    &mut self.unencrypted,
                    "Don't encrypt (not recommended: anyone who gets the file can read it)",
                );
            }
            if let Some(e) = &self.error {
                ui.add_space(6.0);
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            ui.add_space(10.0);
            let label = match (self.mode, plain) {
                (UnlockMode::Enter, _) => "Unlock",
                (UnlockMode::Create, false) => "Create encrypted database",
                (UnlockMode::Create, true) => "Create unencrypted database",
            };
            let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button(label).clicked() || enter {
                chosen = self.submit();
            }
        });
        if chosen.is_some() {
            self.first.clear();
            self.again.clear();
            self.error = None;
        }
        chosen
    }

    /// Checks what was typed; `Some` when the database can be opened with it.
    fn submit(&mut self) -> Option<Option<Passphrase>> {
        if self.mode == UnlockMode::Create && self.unencrypted {
            return Some(None);
        }
        let p = Passphrase::new(&self.first);
        match self.mode {
            UnlockMode::Enter if self.first.is_empty() => {
                self.error = Some("Type the passphrase".into());
                None
            }
            UnlockMode::Enter => Some(Some(p)),
            UnlockMode::Create => {
                if let Err(e) = p.check_new() {
                    self.error = Some(e);
                    return None;
                }
                if self.first != self.again {
                    self.failed("The two passphrases differ; type them again".into());
                    return None;
                }
                Some(Some(p))
            }
        }
    }
}
