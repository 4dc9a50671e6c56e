//! The settings screen's "Published comparators" section: the DfE's published weekly
//! attendance statistics held (each with its source and weeks), the LA whose weekly
//! line is drawn beside a school's, and importing a newer file (a native file dialog on
//! a short-lived thread, or a typed path). The import runs on the worker.

use super::Outbox;
use crate::service::comparators::{ComparatorImport, ComparatorsView};
use crate::service::worker::Request;
use egui::RichText;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// State of the section.
#[derive(Debug, Default)]
pub struct ComparatorsSection {
    /// What is held, when received.
    view: Option<ComparatorsView>,
    /// Why it could not be read.
    error: Option<String>,
    /// Whether it was asked for (and not answered yet, or answered).
    asked: bool,
    /// The path typed or chosen.
    path: String,
    /// A file dialog is open.
    dialog: Option<Receiver<Option<PathBuf>>>,
    /// An import was sent and not answered yet.
    importing: bool,
    /// What the last import stored, or why nothing.
    result: Option<Result<ComparatorImport, String>>,
}

impl ComparatorsSection {
    /// What is held, as last received.
    #[must_use]
    pub fn view(&self) -> Option<&ComparatorsView> {
        self.view.as_ref()
    }

    /// The last import's outcome.
    #[must_use]
    pub fn result(&self) -> Option<&Result<ComparatorImport, String>> {
        self.result.as_ref()
    }

    /// What is held arrived.
    pub fn arrived(&mut self, r: Result<Box<ComparatorsView>, String>) {
        match r {
            Ok(v) => {
                self.view = Some(*v);
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// An import finished; what is held is asked for again.
    pub fn imported(&mut self, r: Result<Box<ComparatorImport>, String>) {
        self.importing = false;
        if r.is_ok() {
            self.path.clear();
        }
        self.result = Some(r.map(|b| *b));
        self.stale();
    }

    /// What is held may have changed (a restore); it is asked for when next shown.
    pub fn stale(&mut self) {
        self.asked = false;
    }

    fn import(&mut self, path: PathBuf, out: &mut Outbox) {
        self.importing = true;
        self.result = None;
        out.requests.push(Request::ImportPublished(path));
    }

    /// Draws the section. `la_name` is the settings draft's LA (saved with the other
    /// settings).
    pub fn ui(&mut self, ui: &mut egui::Ui, la_name: &mut String, out: &mut Outbox) {
        if !self.asked {
            self.asked = true;
            out.requests.push(Request::Comparators);
        }
        if let Some(rx) = &self.dialog
            && let Ok(choice) = rx.try_recv()
        {
            self.dialog = None;
            if let Some(p) = choice {
                self.path = p.display().to_string();
                self.import(p, out);
            }
        }
        ui.strong("Published weekly comparators");
        ui.label(
            RichText::new(
                "National and local authority overall absence week by week, from the DfE's published \"Pupil attendance in schools\" statistics (the weekly CSV on explore-education-statistics). Each school's weekly chart draws them beside its own line for its phase (else all schools); importing a newer file replaces the same weeks.",
            )
            .small()
            .weak(),
        );
        match (&self.view, &self.error) {
            (_, Some(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            (Some(v), None) if v.published.is_empty() => {
                ui.label("No published weekly figures imported yet.");
            }
            (Some(v), None) => {
                for p in &v.published {
                    ui.label(format!(
                        "{}: {} week{} commencing {} to {}, {} local authorit{}, {} rows (imported {})",
                        p.release,
                        p.weeks,
                        if p.weeks == 1 { "" } else { "s" },
                        crate::domain::dates::day(p.first_week),
                        crate::domain::dates::day(p.last_week),
                        p.las,
                        if p.las == 1 { "y" } else { "ies" },
                        p.rows,
                        p.imported_at
                    ));
                }
            }
            (None, None) => {
                ui.label(RichText::new("Reading…").weak());
            }
        }
        ui.horizontal(|ui| {
            let label = ui.label("Local authority drawn beside schools");
            ui.add(
                egui::TextEdit::singleline(la_name)
                    .hint_text("each school's own LA")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            ui.label(
                RichText::new("(case and spaces ignored; saved with the settings)")
                    .small()
                    .weak(),
            );
        });
        let idle = self.dialog.is_none() && !self.importing;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(idle, egui::Button::new("Import DfE attendance statistics…"))
                .clicked()
            {
                self.dialog = super::widgets::spawn_dialog(ui.ctx(), || {
                    rfd::FileDialog::new()
                        .set_title("Choose the DfE's published weekly attendance statistics")
                        .add_filter("Published statistics", &["csv", "xlsx", "ods"])
                        .pick_file()
                });
            }
            let label = ui.label("or the file's path");
            ui.add(egui::TextEdit::singleline(&mut self.path).desired_width(320.0))
                .labelled_by(label.id);
            let path = self.path.trim().to_owned();
            if ui
                .add_enabled(
                    idle && !path.is_empty(),
                    egui::Button::new("Import this file"),
                )
                .clicked()
            {
                self.import(PathBuf::from(path), out);
            }
        });
        if self.importing {
            ui.label(RichText::new("Importing…").weak());
        }
        match &self.result {
            Some(Ok(done)) => {
                ui.label(imported_text(done));
            }
            Some(Err(e)) => {
                ui.colored_label(ui.visuals().error_fg_color, "Nothing was imported.");
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            None => {}
        }
    }
}

/// What an import stored, in a sentence or two.
#[must_use]
pub fn imported_text(done: &ComparatorImport) -> String {
    let s = &done.stored;
    let weeks = match (s.first_week, s.last_week) {
        (Some(a), Some(b)) => format!(
            " commencing {} to {}",
            crate::domain::dates::day(a),
            crate::domain::dates::day(b)
        ),
        _ => String::new(),
    };
    let las = if s.las.is_empty() {
        String::new()
    } else {
        format!(" ({})", s.las.join(", "))
    };
    format!(
        "Stored {} rows from {} (source: {}): {} weeks{weeks}; {} national and {} local authority rows{las}; {} replaced figures held before. Skipped {} regional and {} other rows; {} suppressed values left empty.",
        s.rows,
        s.file_name,
        s.release,
        s.weeks,
        s.national_rows,
        s.la_rows,
        s.replaced,
        done.skipped_regional,
        done.skipped_other,
        done.suppressed
    )
}
