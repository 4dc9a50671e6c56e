//! The print preview: the pages exactly as they will print (rendered by the worker from
//! the same layout as the PDF), how pupils are named, where to save, and saving. After a
//! save the PDF opens in the system viewer (unless unticked). Also the save dialog for
//! exports (CSV or XLSX).

use super::Outbox;
use super::widgets::spawn_dialog;
use crate::service::print::{NameStyle, PageImage, PrintOptions};
use crate::service::print::{Printable, Printout};
use crate::service::worker::Request;
use egui::RichText;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};

/// Pages either side of the view whose textures are kept.
const KEEP_AROUND: usize = 4;

/// What a pending save is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveKind {
    Pdf,
    Spreadsheet,
}

/// The print preview window's state.
#[derive(Default)]
pub struct PrintDialog {
    /// What is shown (None: the window is closed).
    what: Option<Printable>,
    names: NameStyle,
    printout: Option<Box<Printout>>,
    /// Page images waiting to become textures.
    incoming: Vec<(usize, PageImage)>,
    /// Textures of the pages near the view, by page index.
    textures: BTreeMap<usize, egui::TextureHandle>,
    /// Pages asked of the worker and not yet back.
    pending: BTreeSet<usize>,
    waiting: bool,
    error: Option<String>,
    /// Where to save (typed, or chosen with Browse…).
    path: String,
    /// Open the PDF in the system viewer after saving.
    open_after: bool,
    /// A save on the worker: the file and whether to open it.
    saving: Option<(PathBuf, bool)>,
    saved: Option<String>,
    browse: Option<(SaveKind, Receiver<Option<PathBuf>>)>,
}

impl std::fmt::Debug for PrintDialog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrintDialog")
            .field("what", &self.what)
            .field("waiting", &self.waiting)
            .finish_non_exhaustive()
    }
}

/// A folder to offer for saving: the user's Documents folder (wherever the platform
/// keeps it), else home, else here.
fn default_folder() -> PathBuf {
    crate::platform::folders::documents_dir()
}

/// Asks where to save an export (a native dialog on a helper thread).
pub fn ask_export_path(ctx: &egui::Context, suggested: &str) -> Option<Receiver<Option<PathBuf>>> {
    let suggested = suggested.to_owned();
    spawn_dialog(ctx, move || {
        rfd::FileDialog::new()
            .set_title("Export")
            .set_directory(default_folder())
            .set_file_name(suggested)
            .add_filter("Excel workbook", &["xlsx"])
            .add_filter("CSV", &["csv"])
            .save_file()
    })
}

impl PrintDialog {
    /// Opens the preview for `what`, naming pupils as `names` (the settings' default).
    pub fn open(
        &mut self,
        what: Printable,
        names: NameStyle,
        now: chrono::NaiveDateTime,
        out: &mut Outbox,
    ) {
        self.names = names;
        self.open_after = true;
        self.saved = None;
        self.error = None;
        self.path.clear();
        self.what = Some(what);
        self.request(now, out);
    }

    fn request(&mut self, now: chrono::NaiveDateTime, out: &mut Outbox) {
        if let Some(what) = &self.what {
            self.waiting = true;
            out.requests.push(Request::Print {
                what: what.clone(),
                options: PrintOptions {
                    names: self.names,
                    printed_on: now,
                },
            });
        }
    }

    /// Closes the window.
    pub fn close(&mut self) {
        self.what = None;
        self.printout = None;
        self.textures.clear();
        self.incoming.clear();
        self.pending.clear();
        self.browse = None;
    }

    /// Preview pages the worker rendered; kept if they belong to the printout shown.
    pub fn pages_arrived(
        &mut self,
        doc: &Arc<crate::service::print::Doc>,
        pages: Vec<(usize, PageImage)>,
    ) {
        if self
            .printout
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(&p.doc, doc))
        {
            for (i, _) in &pages {
                self.pending.remove(i);
            }
            self.incoming.extend(pages);
        }
    }

    /// The worker's printout.
    pub fn printed(&mut self, r: Result<Box<Printout>, String>) {
        self.waiting = false;
        match r {
            Ok(mut p) if Some(&p.what) == self.what.as_ref() => {
                if self.path.is_empty() {
                    self.path = default_folder().join(&p.file_name).display().to_string();
                }
                self.textures.clear();
                self.pending.clear();
                self.incoming = std::mem::take(&mut p.pages);
                self.error = None;
                self.printout = Some(p);
            }
            Ok(_) => {}
            Err(e) => self.error = Some(e),
        }
    }

    /// Whether a save of ours is on the worker (so its reply is ours).
    #[must_use]
    pub fn is_saving(&self) -> bool {
        self.saving.is_some()
    }

    /// The worker wrote (or failed to write) our file.
    pub fn exported(&mut self, r: Result<(PathBuf, String), String>) {
        let open = self.saving.take().is_some_and(|(_, open)| open);
        match r {
            Ok((path, said)) => {
                self.error = None;
                self.saved = Some(said);
                if open {
                    crate::platform::open::open_in_viewer(&path);
                }
            }
            Err(e) => {
                self.saved = None;
                self.error = Some(e);
            }
        }
    }

    fn save(&mut self, kind: SaveKind, out: &mut Outbox) {
        let Some(p) = &self.printout else { return };
        let mut path = PathBuf::from(self.path.trim());
        if path.as_os_str().is_empty() {
            self.error = Some("Type where to save the file, or choose Browse…".into());
            return;
        }
        let what = match kind {
            SaveKind::Pdf => {
                path.set_extension("pdf");
                p.pdf_export()
            }
            SaveKind::Spreadsheet => {
                path.set_extension("xlsx");
                match p.tables_export() {
                    Some(t) => t,
                    None => return,
                }
            }
        };
        self.saved = None;
        self.saving = Some((path.clone(), self.open_after));
        out.print_save = Some(Request::Export { what, path });
    }

    fn poll_browse(&mut self, out: &mut Outbox) {
        let Some((kind, rx)) = &self.browse else {
            return;
        };
        let kind = *kind;
        match rx.try_recv() {
            Ok(Some(path)) => {
                self.browse = None;
                self.path = path.display().to_string();
                self.save(kind, out);
            }
            Ok(None) | Err(TryRecvError::Disconnected) => self.browse = None,
            Err(TryRecvError::Empty) => {}
        }
    }

    fn browse(&mut self, ctx: &egui::Context, kind: SaveKind) {
        let current = PathBuf::from(self.path.trim());
        let folder = current
            .parent()
            .filter(|p| p.is_dir())
            .map_or_else(default_folder, Path::to_path_buf);
        let mut name = current
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if kind == SaveKind::Spreadsheet {
            name = Path::new(&name)
                .with_extension("xlsx")
                .display()
                .to_string();
        }
        let rx = spawn_dialog(ctx, move || {
            let d = rfd::FileDialog::new()
                .set_title("Save")
                .set_directory(folder)
                .set_file_name(name);
            match kind {
                SaveKind::Pdf => d.add_filter("PDF", &["pdf"]),
                SaveKind::Spreadsheet => d.add_filter("Excel workbook", &["xlsx"]),
            }
            .save_file()
        });
        self.browse = rx.map(|rx| (kind, rx));
    }

    /// Draws the window when open.
    pub fn ui(&mut self, ctx: &egui::Context, now: chrono::NaiveDateTime, out: &mut Outbox) {
        if self.what.is_none() {
            return;
        }
        self.poll_browse(out);
        for (i, page) in self.incoming.drain(..) {
            let image =
                egui::ColorImage::from_rgb([page.width as usize, page.height as usize], &page.rgb);
            let texture = ctx.load_texture(
                format!("print page {}", i + 1),
                image,
                egui::TextureOptions::LINEAR,
            );
            self.textures.insert(i, texture);
        }
        let mut open = true;
        let title = match &self.what {
            Some(Printable::ActionLog { .. }) => "Print preview: meeting action log",
            Some(Printable::PupilList { .. }) => "Print preview: pupil list",
            None => "Print preview",
        };
        let screen = ctx.content_rect();
        egui::Window::new(title)
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_size([screen.width() * 0.7, screen.height() * 0.85])
            .default_pos(screen.center_top() + egui::vec2(-screen.width() * 0.35, 20.0))
            .show(ctx, |ui| self.contents(ui, now, out));
        if !open {
            self.close();
        }
    }

    fn contents(&mut self, ui: &mut egui::Ui, now: chrono::NaiveDateTime, out: &mut Outbox) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Name pupils by:");
            let before = self.names;
            for style in NameStyle::ALL {
                ui.radio_value(&mut self.names, style, style.label());
            }
            if self.names != before {
                self.request(now, out);
            }
            ui.separator();
            if self.waiting {
                ui.spinner();
                ui.label("Laying out the pages…");
            } else if let Some(p) = &self.printout {
                ui.label(format!(
                    "{} pages · A4 · {} KB",
                    p.doc.pages.len(),
                    p.pdf.len().div_ceil(1024)
                ));
            }
        });
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Save to:");
            ui.add(
                egui::TextEdit::singleline(&mut self.path)
                    .desired_width(420.0)
                    .hint_text("folder/file.pdf"),
            )
            .labelled_by(label.id);
            let ready = self.printout.is_some() && !self.waiting && self.saving.is_none();
            if ui
                .add_enabled(ready, egui::Button::new("Save PDF"))
                .clicked()
            {
                self.save(SaveKind::Pdf, out);
            }
            if ui
                .add_enabled(ready && self.browse.is_none(), egui::Button::new("Browse…"))
                .clicked()
            {
                self.browse(ui.ctx(), SaveKind::Pdf);
            }
            let has_tables = self.printout.as_ref().is_some_and(|p| p.tables.is_some());
            if has_tables
                && ui
                    .add_enabled(ready, egui::Button::new("Save as spreadsheet (XLSX)"))
                    .clicked()
            {
                self.save(SaveKind::Spreadsheet, out);
            }
            ui.checkbox(&mut self.open_after, "Open after saving");
        });
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        if let Some(s) = &self.saved {
            ui.label(RichText::new(s).strong());
        }
        ui.separator();
        let Some(printout) = &self.printout else {
            return;
        };
        let n = printout.doc.pages.len();
        let (page_w, page_h) = printout.doc.size;
        let doc = Arc::clone(&printout.doc);
        let mut wanted = Vec::new();
        let mut visible = Vec::new();
        egui::ScrollArea::vertical()
            .id_salt("print_pages")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let width = (ui.available_width() - 24.0).clamp(200.0, 950.0);
                let size = egui::vec2(width, width * page_h / page_w.max(1.0));
                ui.vertical_centered(|ui| {
                    for i in 0..n {
                        let caption = format!("Page {} of {n}", i + 1);
                        let frame = egui::Frame::new()
                            .fill(egui::Color32::WHITE)
                            .stroke(ui.visuals().widgets.noninteractive.bg_stroke)
                            .shadow(ui.visuals().window_shadow)
                            .show(ui, |ui| match self.textures.get(&i) {
                                Some(tex) => {
                                    ui.add(
                                        egui::Image::new((tex.id(), size))
                                            .alt_text(caption.clone()),
                                    );
                                }
                                None => {
                                    ui.allocate_ui(size, |ui| {
                                        ui.set_min_size(size);
                                        ui.centered_and_justified(|ui| {
                                            ui.label(
                                                RichText::new("Rendering…")
                                                    .color(egui::Color32::GRAY),
                                            );
                                        });
                                    });
                                }
                            });
                        if ui.is_rect_visible(frame.response.rect) {
                            visible.push(i);
                            if !self.textures.contains_key(&i) && !self.pending.contains(&i) {
                                wanted.push(i);
                            }
                        }
                        ui.label(RichText::new(caption).small().weak());
                        ui.add_space(10.0);
                    }
                });
            });
        // Keep the textures of pages near the view only.
        if let (Some(first), Some(last)) = (visible.first(), visible.last()) {
            let (lo, hi) = (first.saturating_sub(KEEP_AROUND), last + KEEP_AROUND);
            self.textures.retain(|i, _| (lo..=hi).contains(i));
        }
        if !wanted.is_empty() {
            self.pending.extend(wanted.iter().copied());
            out.requests
                .push(Request::RenderPages { doc, pages: wanted });
        }
    }
}
