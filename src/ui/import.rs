//! The import wizard: choose files (native dialog, a typed path, or dropped on the
//! window), check the detected layout and column mapping against a preview, choose
//! school and term (a DfE weekly file names its own schools and term; the wizard asks
//! only for the day its figures run to), import on the worker with progress, and read
//! the report; an unknown attendance code can be mapped to a national code there and
//! then.

use super::Outbox;
use crate::domain::{Code, Layout, LocalCode, Period, Term};
use crate::service::worker::Request;
use crate::service::{ColumnMapping, Field};
use crate::service::{ImportRequest, Settings};
use crate::view::{FilePreview, ImportFailure, ImportReport, Progress};
use chrono::NaiveDate;
use egui::RichText;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Which school the files are for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum SchoolChoice {
    /// None chosen yet.
    #[default]
    Unset,
    /// A school already in the database.
    Existing(String),
    /// A new school, typed in.
    New,
}

/// The wizard's state.
#[derive(Debug, Default)]
pub struct ImportWizard {
    files: Vec<PathBuf>,
    path_text: String,
    previews: Vec<FilePreview>,
    previews_pending: bool,
    mapping: ColumnMapping,
    mapping_name: String,
    school: SchoolChoice,
    new_urn: String,
    new_name: String,
    new_phase: String,
    term: Option<Period>,
    replace: bool,
    running: bool,
    report: Option<Result<ImportReport, ImportFailure>>,
    dialog: Option<Receiver<Option<Vec<PathBuf>>>>,
    /// The day a weekly file's figures run to, as typed (dd/mm/yyyy).
    as_of_text: String,
    /// Whether the user changed the day (then a new preview does not reset it).
    as_of_edited: bool,
    /// For a file naming several schools: import only this one (URN), if set.
    only_urn: String,
    /// The request last sent, to send again after mapping unknown codes.
    last_request: Option<ImportRequest>,
    /// Unknown codes offered for mapping: the code, the national code chosen, and
    /// whether the entry is for the chosen school only.
    code_fixes: Vec<(String, Option<Code>, bool)>,
}

impl ImportWizard {
    /// Whether a native file dialog is open.
    #[must_use]
    pub fn dialog_open(&self) -> bool {
        self.dialog.is_some()
    }

    /// The last import's report or error.
    #[must_use]
    pub fn report(&self) -> Option<&Result<ImportReport, ImportFailure>> {
        self.report.as_ref()
    }

    /// The day a weekly file's figures are taken to run to, as shown.
    #[must_use]
    pub fn as_of_text(&self) -> &str {
        &self.as_of_text
    }

    /// Whether every file chosen names its own schools (the DfE weekly file), so no
    /// school is asked for.
    fn all_multi_school(&self) -> bool {
        !self.previews.is_empty()
            && self
                .previews
                .iter()
                .all(|p| p.layout() == Some(Layout::DfeWeekly))
    }

    fn any_weekly(&self) -> bool {
        self.previews
            .iter()
            .any(|p| p.layout() == Some(Layout::DfeWeekly))
    }

    /// Adds files and asks for their preview.
    pub fn add_files(&mut self, files: Vec<PathBuf>, out: &mut Outbox) {
        for f in files {
            if !self.files.contains(&f) {
                self.files.push(f);
            }
        }
        self.report = None;
        self.request_preview(out);
    }

    fn request_preview(&mut self, out: &mut Outbox) {
        if self.files.is_empty() {
            self.previews.clear();
            return;
        }
        self.previews_pending = true;
        out.requests.push(Request::Preview {
            files: self.files.clone(),
            mapping: self.mapping.clone(),
        });
    }

    /// Previews came back from the worker.
    pub fn previews_arrived(&mut self, previews: Vec<FilePreview>) {
        self.previews_pending = false;
        // Only keep previews for files still chosen.
        self.previews = previews
            .into_iter()
            .filter(|p| self.files.contains(&p.path))
            .collect();
        if !self.as_of_edited {
            let day = self
                .previews
                .iter()
                .filter(|p| p.layout() == Some(Layout::DfeWeekly))
                .find_map(|p| p.result.as_ref().ok().and_then(|pv| pv.modified));
            self.as_of_text = day.map_or_else(String::new, crate::domain::dates::day);
        }
    }

    /// The import finished.
    pub fn report_arrived(&mut self, report: Result<ImportReport, ImportFailure>) {
        self.running = false;
        match &report {
            Ok(_) => {
                self.files.clear();
                self.previews.clear();
                self.code_fixes.clear();
                self.as_of_edited = false;
            }
            Err(failure) => {
                self.code_fixes = failure
                    .unknown_codes
                    .iter()
                    .map(|c| (c.clone(), None, false))
                    .collect();
            }
        }
        self.report = Some(report);
    }

    fn poll_dialog(&mut self, out: &mut Outbox) {
        let Some(rx) = &self.dialog else {
            return;
        };
        match rx.try_recv() {
            Ok(Some(files)) => {
                self.dialog = None;
                self.add_files(files, out);
            }
            Ok(None) | Err(TryRecvError::Disconnected) => self.dialog = None,
            Err(TryRecvError::Empty) => {}
        }
    }

    fn open_dialog(&mut self, ctx: &egui::Context) {
        self.dialog = super::widgets::spawn_dialog(ctx, || {
            rfd::FileDialog::new()
                .set_title("Choose attendance exports")
                .add_filter(
                    "Attendance exports",
                    &["csv", "txt", "tsv", "xlsx", "xls", "ods"],
                )
                .pick_files()
        });
    }

    /// Draws the wizard. `schools` are (URN, name, phase) of schools already held;
    /// `settings` are the saved settings (an unknown code is mapped into their code map).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        schools: &[(String, String, Option<String>)],
        (mappings, settings): (&[(String, ColumnMapping)], &Settings),
        progress: Option<&Progress>,
        out: &mut Outbox,
    ) {
        self.poll_dialog(out);
        egui::ScrollArea::vertical()
            .id_salt("import_scroll")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Import attendance exports");
                ui.label(
                    RichText::new(
                        "The DfE weekly attendance file your LA downloads for all its schools, or a school's MIS exports (pupil summaries, session marks long or wide, pupil details), as CSV or XLSX. All files are imported together or not at all.",
                    )
                    .weak(),
                );
                ui.add_space(8.0);
                self.files_ui(ui, out);
                if !self.files.is_empty() {
                    ui.add_space(8.0);
                    self.check_ui(ui, mappings, out);
                    ui.add_space(8.0);
                    self.school_ui(ui, schools, out.now.date());
                    ui.add_space(8.0);
                    self.run_ui(ui, progress, out);
                }
                if self.report.is_some() {
                    ui.add_space(8.0);
                    self.report_ui(ui, settings, out);
                }
            });
    }

    fn files_ui(&mut self, ui: &mut egui::Ui, out: &mut Outbox) {
        ui.strong("1. Files");
        ui.horizontal(|ui| {
            let choose = ui.add_enabled(self.dialog.is_none(), egui::Button::new("Choose files…"));
            if choose.clicked() {
                self.open_dialog(ui.ctx());
            }
            let label = ui.label("or type a path");
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut self.path_text)
                        .hint_text("/path/to/export.csv")
                        .desired_width(320.0),
                )
                .labelled_by(label.id);
            let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Add file").clicked() || enter) && !self.path_text.trim().is_empty() {
                let path = PathBuf::from(self.path_text.trim());
                self.path_text.clear();
                self.add_files(vec![path], out);
            }
        });
        ui.label(
            RichText::new("You can also drop files on the window.")
                .small()
                .weak(),
        );
        let mut remove = None;
        for (i, f) in self.files.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(f.display().to_string());
                if ui.small_button("Remove").clicked() {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            self.files.remove(i);
            self.request_preview(out);
        }
    }

    fn check_ui(
        &mut self,
        ui: &mut egui::Ui,
        mappings: &[(String, ColumnMapping)],
        out: &mut Outbox,
    ) {
        ui.strong("2. Layout and columns");
        if self.previews_pending {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Reading the files…");
            });
        }
        let mut changed = false;
        ui.horizontal(|ui| {
            let mut layout = self.mapping.layout;
            egui::ComboBox::from_label("Layout")
                .selected_text(layout.map_or("Detect", layout_label))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut layout, None, "Detect");
                    for l in Layout::ALL {
                        ui.selectable_value(&mut layout, Some(l), layout_label(l));
                    }
                });
            if layout != self.mapping.layout {
                self.mapping.layout = layout;
                changed = true;
            }
            if !mappings.is_empty() {
                egui::ComboBox::from_label("Saved mappings")
                    .selected_text("Use a saved mapping")
                    .show_ui(ui, |ui| {
                        for (name, m) in mappings {
                            if ui.selectable_label(false, name).clicked() {
                                self.mapping = m.clone();
                                self.mapping_name = name.clone();
                                changed = true;
                            }
                        }
                    });
            }
        });
        let previews = self.previews.clone();
        for p in &previews {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                let name = p.path.file_name().map_or_else(
                    || p.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                match &p.result {
                    Err(e) => {
                        ui.strong(&name);
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    Ok(pv) => {
                        ui.horizontal(|ui| {
                            ui.strong(&name);
                            match pv.layout {
                                Some(l) => ui.label(format!(
                                    "detected: {}{}",
                                    layout_label(l),
                                    pv.schools_in_file.as_ref().map_or_else(String::new, |f| {
                                        format!(
                                            ": {} school{}, {} pupils{}",
                                            f.schools,
                                            if f.schools == 1 { "" } else { "s" },
                                            f.pupils,
                                            if f.terms.is_empty() {
                                                String::new()
                                            } else {
                                                format!(
                                                    ", {}",
                                                    f.terms
                                                        .iter()
                                                        .map(ToString::to_string)
                                                        .collect::<Vec<_>>()
                                                        .join(", ")
                                                )
                                            }
                                        )
                                    })
                                )),
                                None => ui.colored_label(
                                    ui.visuals().warn_fg_color,
                                    format!(
                                        "no layout fits; closest is {}: map the missing columns",
                                        layout_label(pv.shown_layout)
                                    ),
                                ),
                            };
                            ui.label(
                                RichText::new(format!("header on line {}", pv.header_line)).weak(),
                            );
                        });
                        egui::Grid::new(("mapping", &name))
                            .striped(true)
                            .show(ui, |ui| {
                                for (field, required, header) in &pv.fields {
                                    let label = ui.label(format!(
                                        "{}{}",
                                        field.label(),
                                        if *required { " *" } else { "" }
                                    ));
                                    let current = self
                                        .mapping
                                        .columns
                                        .iter()
                                        .find(|(f, _)| f == field)
                                        .map(|(_, h)| h.clone());
                                    let mut choice = current.clone();
                                    let shown = match (&current, header) {
                                        (Some(h), _) => h.clone(),
                                        (None, Some(h)) => format!("{h} (automatic)"),
                                        (None, None) => "not found".to_owned(),
                                    };
                                    egui::ComboBox::from_id_salt(("map", &name, *field as usize))
                                        .selected_text(shown)
                                        .width(220.0)
                                        .show_ui(ui, |ui| {
                                            ui.selectable_value(&mut choice, None, "(automatic)");
                                            for h in &pv.headers {
                                                ui.selectable_value(
                                                    &mut choice,
                                                    Some(h.clone()),
                                                    h,
                                                );
                                            }
                                        })
                                        .response
                                        .labelled_by(label.id);
                                    if choice != current {
                                        set_column(&mut self.mapping, *field, choice);
                                        changed = true;
                                    }
                                    ui.end_row();
                                }
                            });
                        if !pv.missing.is_empty() {
                            let names: Vec<&str> = pv.missing.iter().map(|f| f.label()).collect();
                            ui.colored_label(
                                ui.visuals().error_fg_color,
                                format!("Missing: {}", names.join(", ")),
                            );
                        }
                        preview_grid(ui, &name, &pv.headers, &pv.rows);
                    }
                }
            });
        }
        ui.horizontal(|ui| {
            ui.label("Save this mapping as");
            ui.add(
                egui::TextEdit::singleline(&mut self.mapping_name)
                    .desired_width(160.0)
                    .hint_text("e.g. SIMS marks"),
            );
            if ui.button("Save mapping").clicked() {
                out.requests.push(Request::SaveMapping {
                    name: self.mapping_name.clone(),
                    mapping: self.mapping.clone(),
                });
            }
        });
        if changed {
            self.request_preview(out);
        }
    }

    fn school_ui(
        &mut self,
        ui: &mut egui::Ui,
        schools: &[(String, String, Option<String>)],
        today: chrono::NaiveDate,
    ) {
        ui.strong("3. School and term");
        let multi = self.all_multi_school();
        egui::Grid::new("school_term")
            .num_columns(2)
            .show(ui, |ui| {
                if multi {
                    let (count, pupils) = self
                        .previews
                        .iter()
                        .filter_map(|p| p.result.as_ref().ok()?.schools_in_file.as_ref())
                        .fold((0, 0), |(s, p), f| (s + f.schools, p + f.pupils));
                    ui.label("Schools");
                    ui.label(format!(
                        "every school in the file: {count} school{}, {pupils} pupils (new schools are added with their names and phases)",
                        if count == 1 { "" } else { "s" }
                    ));
                    ui.end_row();
                    let label = ui.label("Only the school with URN");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.only_urn)
                            .hint_text("leave empty for all")
                            .desired_width(120.0),
                    )
                    .labelled_by(label.id);
                    ui.end_row();
                } else {
                    self.school_choice_ui(ui, schools);
                }
                if self.any_weekly() {
                    let label = ui.label("Figures to");
                    ui.horizontal(|ui| {
                        let edit = ui
                            .add(
                                egui::TextEdit::singleline(&mut self.as_of_text)
                                    .hint_text("dd/mm/yyyy")
                                    .desired_width(100.0),
                            )
                            .labelled_by(label.id);
                        if edit.changed() {
                            self.as_of_edited = true;
                        }
                        ui.label(
                            RichText::new(
                                "the day the weekly figures run to (from the file's date; change it if it was downloaded later)",
                            )
                            .small()
                            .weak(),
                        );
                    });
                    ui.end_row();
                }
                let needs_term = self.needs_term();
                let from_file = self.file_terms();
                egui::ComboBox::from_label("Term")
                    .selected_text(self.term.map_or_else(
                        || {
                            if !from_file.is_empty() {
                                format!("From the file ({})", from_file.join(", "))
                            } else if needs_term {
                                "Choose the term".to_owned()
                            } else {
                                "From the marks' dates".to_owned()
                            }
                        },
                        |p| p.to_string(),
                    ))
                    .show_ui(ui, |ui| {
                        let automatic = if from_file.is_empty() {
                            "From the marks' dates"
                        } else {
                            "From the file"
                        };
                        ui.selectable_value(&mut self.term, None, automatic);
                        let now = Period::of_date(today);
                        for year in (now.year.0 - 2..=now.year.0).rev() {
                            for term in [Term::Summer, Term::Spring, Term::Autumn] {
                                let p = Period::new(year, term);
                                if p <= now {
                                    ui.selectable_value(&mut self.term, Some(p), p.to_string());
                                }
                            }
                        }
                    });
                ui.end_row();
            });
        ui.checkbox(
            &mut self.replace,
            "Import again files imported before (replacing what they stored)",
        );
    }

    fn school_choice_ui(
        &mut self,
        ui: &mut egui::Ui,
        schools: &[(String, String, Option<String>)],
    ) {
        let selected = match &self.school {
            SchoolChoice::Unset => "Choose a school".to_owned(),
            SchoolChoice::New => "New school".to_owned(),
            SchoolChoice::Existing(urn) => schools
                .iter()
                .find(|s| &s.0 == urn)
                .map_or_else(|| urn.clone(), |s| format!("{} ({})", s.1, s.0)),
        };
        egui::ComboBox::from_label("School")
            .selected_text(selected)
            .width(280.0)
            .show_ui(ui, |ui| {
                for (urn, name, _) in schools {
                    ui.selectable_value(
                        &mut self.school,
                        SchoolChoice::Existing(urn.clone()),
                        format!("{name} ({urn})"),
                    );
                }
                ui.selectable_value(&mut self.school, SchoolChoice::New, "New school");
            });
        ui.end_row();
        if self.school == SchoolChoice::New {
            ui.label("URN");
            ui.add(egui::TextEdit::singleline(&mut self.new_urn).hint_text("6 digits"));
            ui.end_row();
            ui.label("Name");
            ui.add(egui::TextEdit::singleline(&mut self.new_name));
            ui.end_row();
            ui.label("Phase");
            ui.add(
                egui::TextEdit::singleline(&mut self.new_phase)
                    .hint_text("primary, secondary, special"),
            );
            ui.end_row();
        }
    }

    /// The terms the chosen weekly files name (`academic_term`).
    fn file_terms(&self) -> Vec<String> {
        let mut terms: Vec<Period> = self
            .previews
            .iter()
            .filter_map(|p| p.result.as_ref().ok()?.schools_in_file.as_ref())
            .flat_map(|f| f.terms.iter().copied())
            .collect();
        terms.sort();
        terms.dedup();
        terms.iter().map(ToString::to_string).collect()
    }

    /// Whether a file has no dates of its own: a summary, or a weekly file without
    /// `academic_term`.
    fn needs_term(&self) -> bool {
        self.previews.iter().any(|p| match p.layout() {
            Some(Layout::Summary) => true,
            Some(Layout::DfeWeekly) => p
                .result
                .as_ref()
                .ok()
                .and_then(|pv| pv.schools_in_file.as_ref())
                .is_none_or(|f| f.terms.is_empty()),
            _ => false,
        })
    }

    fn request(&self) -> Result<ImportRequest, String> {
        let (urn, name, phase) = if self.all_multi_school() {
            let only = self.only_urn.trim();
            if !only.is_empty() && !only.chars().all(|c| c.is_ascii_digit()) {
                return Err("Only the school with URN: a URN is digits, e.g. 100101".into());
            }
            (only.to_owned(), None, None)
        } else {
            match &self.school {
                SchoolChoice::Unset => return Err("Choose the school these files are for".into()),
                SchoolChoice::Existing(urn) => (urn.clone(), None, None),
                SchoolChoice::New => (
                    self.new_urn.trim().to_owned(),
                    Some(self.new_name.clone()),
                    Some(self.new_phase.clone()),
                ),
            }
        };
        if self.needs_term() && self.term.is_none() {
            return Err("A file here has no dates of its own: choose its term".into());
        }
        let as_of = if self.any_weekly() {
            Some(parse_day(&self.as_of_text).ok_or_else(|| {
                "Figures to: write the day the weekly figures run to, like 10/10/2025".to_owned()
            })?)
        } else {
            None
        };
        if let Some(p) = self
            .previews
            .iter()
            .find(|p| !p.missing().is_empty() || p.result.is_err())
        {
            let name = p
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            return Err(format!("{name}: fix the columns or remove the file first"));
        }
        Ok(ImportRequest {
            files: self.files.clone(),
            mapping: self.mapping.clone(),
            urn,
            school_name: name,
            phase,
            term: self.term,
            replace: self.replace,
            as_of,
            code_map: Vec::new(),
        })
    }

    fn run_ui(&mut self, ui: &mut egui::Ui, progress: Option<&Progress>, out: &mut Outbox) {
        ui.strong("4. Import");
        if self.running {
            ui.horizontal(|ui| {
                ui.spinner();
                let (fraction, label) =
                    progress.map_or((0.0, "Starting…"), |p| (p.fraction, p.label.as_str()));
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(240.0)
                        .show_percentage(),
                );
                ui.label(label);
            });
            return;
        }
        let ready = self.request();
        let n = self.files.len();
        let label = if n == 1 {
            "Import 1 file".to_owned()
        } else {
            format!("Import {n} files")
        };
        ui.horizontal(|ui| {
            let button = ui.add_enabled(
                ready.is_ok() && !self.previews_pending,
                egui::Button::new(label),
            );
            if button.clicked()
                && let Ok(request) = &ready
            {
                self.running = true;
                self.report = None;
                self.last_request = Some(request.clone());
                out.requests.push(Request::Import(request.clone()));
            }
            if let Err(why) = &ready {
                ui.label(RichText::new(why).weak());
            }
        });
    }
}

fn set_column(mapping: &mut ColumnMapping, field: Field, header: Option<String>) {
    mapping.columns.retain(|(f, _)| *f != field);
    if let Some(h) = header {
        mapping.columns.push((field, h));
    }
}

fn layout_label(l: Layout) -> &'static str {
    l.label()
}

fn preview_grid(ui: &mut egui::Ui, name: &str, headers: &[String], rows: &[Vec<String>]) {
    egui::CollapsingHeader::new(format!("First {} rows", rows.len()))
        .id_salt(("rows", name))
        .default_open(true)
        .show(ui, |ui| {
            egui::ScrollArea::horizontal()
                .id_salt(("rows_scroll", name))
                .show(ui, |ui| {
                    egui::Grid::new(("rows_grid", name))
                        .striped(true)
                        .show(ui, |ui| {
                            for h in headers {
                                ui.label(RichText::new(h).strong().small());
                            }
                            ui.end_row();
                            for r in rows {
                                for c in r.iter().take(headers.len().max(1)) {
                                    ui.label(RichText::new(c).small());
                                }
                                ui.end_row();
                            }
                        });
                });
        });
}

/// Reads a day as typed: `dd/mm/yyyy` or `yyyy-mm-dd`.
fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    crate::domain::dates::parse_day(t)
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

impl ImportWizard {
    fn report_ui(&mut self, ui: &mut egui::Ui, settings: &Settings, out: &mut Outbox) {
        let Some(report) = &self.report else {
            return;
        };
        let mut retry = false;
        egui::Frame::group(ui.style()).show(ui, |ui| match report {
            Err(e) => {
                ui.colored_label(
                    ui.visuals().error_fg_color,
                    RichText::new("Nothing was imported").strong(),
                );
                ui.label(&e.message);
                if !self.code_fixes.is_empty() {
                    ui.add_space(6.0);
                    retry = code_fixes_ui(ui, &mut self.code_fixes, self.last_request.as_ref());
                }
            }
            Ok(r) => {
                ui.strong("Import complete");
                for o in &r.outcomes {
                    ui.label(format!(
                        "{}: {} · {} rows · {} pupils{}{}{} · {}{}",
                        o.file_name,
                        layout_label(o.layout),
                        o.rows,
                        o.pupils,
                        if o.schools.len() > 1 {
                            format!(" · {} schools", o.schools.len())
                        } else {
                            String::new()
                        },
                        if o.marks > 0 {
                            format!(" · {} marks", o.marks)
                        } else {
                            String::new()
                        },
                        o.as_of.map_or_else(String::new, |d| format!(
                            " · figures to {}",
                            crate::domain::dates::day(d)
                        )),
                        if o.periods.is_empty() {
                            "details only".to_owned()
                        } else {
                            o.periods.join(", ")
                        },
                        if o.replaced {
                            " · replaced the earlier import"
                        } else {
                            ""
                        },
                    ));
                    if !o.warnings.is_empty() {
                        egui::CollapsingHeader::new(format!("{} warnings", o.warnings.len()))
                            .id_salt(("warnings", &o.file_name))
                            .show(ui, |ui| {
                                for w in o.warnings.iter().take(200) {
                                    ui.label(RichText::new(w.to_string()).small());
                                }
                            });
                    }
                }
                let one = r
                    .outcomes
                    .iter()
                    .flat_map(|o| o.schools.iter())
                    .collect::<std::collections::BTreeSet<_>>();
                if one.len() == 1
                    && let Some(urn) = one.first()
                    && ui.button("Open the school").clicked()
                {
                    out.open_school = Some(((*urn).clone(), None));
                }
                if one.len() > 1 && ui.button("Open the patch overview").clicked() {
                    out.goto = Some(super::Screen::Overview);
                }
            }
        });
        if retry && let Some(request) = self.last_request.clone() {
            let urn = request.urn.trim().to_owned();
            let mut saved = settings.clone();
            for (local, code, this_school) in &self.code_fixes {
                let Some(code) = code else { continue };
                let school = (*this_school && !urn.is_empty()).then(|| urn.clone());
                saved
                    .code_map
                    .retain(|e| !(e.local.trim() == local.as_str() && e.school == school));
                saved.code_map.push(LocalCode {
                    local: local.clone(),
                    national: code.mark().to_owned(),
                    school,
                });
            }
            out.requests.push(Request::SaveSettings(saved));
            self.running = true;
            self.report = None;
            out.requests.push(Request::Import(request));
        }
    }
}

/// The unknown codes with a national code to choose for each; returns whether the user
/// asked to save the mapping and import again.
fn code_fixes_ui(
    ui: &mut egui::Ui,
    fixes: &mut [(String, Option<Code>, bool)],
    request: Option<&ImportRequest>,
) -> bool {
    ui.strong("Map this code…");
    ui.label(
        RichText::new(
            "Choose the national code each local code stands for. The code map is saved in settings (Settings, Code map) and used for every later import; nothing is guessed.",
        )
        .small()
        .weak(),
    );
    let one_school = request.is_some_and(|r| !r.urn.trim().is_empty());
    egui::Grid::new("code_fixes").num_columns(3).show(ui, |ui| {
        for (local, code, this_school) in fixes.iter_mut() {
            let label = ui.label(format!("{local:?} stands for"));
            egui::ComboBox::from_id_salt(("code_fix", local.as_str()))
                .selected_text(code.map_or_else(
                    || "choose a national code".to_owned(),
                    |c| format!("{} ({})", c.mark(), c.info().meaning),
                ))
                .width(320.0)
                .show_ui(ui, |ui| {
                    for c in Code::all().filter(|c| *c != Code::NO_MARK) {
                        ui.selectable_value(
                            code,
                            Some(c),
                            format!("{} ({})", c.mark(), c.info().meaning),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            if one_school {
                ui.checkbox(this_school, "for this school only");
            } else {
                ui.label("");
            }
            ui.end_row();
        }
    });
    let ready = fixes.iter().all(|(_, c, _)| c.is_some()) && request.is_some();
    ui.add_enabled(
        ready,
        egui::Button::new("Save the code map and import again"),
    )
    .clicked()
}
