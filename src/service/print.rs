//! Printouts and exports: the service gathers the views, the report layer lays them out
//! and writes them. All of it runs on the worker thread.

use super::{Service, ServiceError};
use crate::domain::Period;
use crate::report::raster::render_page;
use crate::report::{Table, action_log, export, pdf_bytes, pupil_list};
use crate::view::TrackedRow;
// What a printout is made of, named here for the screens and the command line.
pub use crate::report::doc::Doc;
pub use crate::report::export::TABLE_EXTENSIONS;
pub use crate::report::raster::PageImage;
pub use crate::report::{NameStyle, PrintOptions, ReportError};
use crate::store::ActivityKind;
use std::path::Path;
use std::sync::Arc;

/// A document that can be printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printable {
    /// A meeting's action log.
    ActionLog {
        /// The school's URN.
        urn: String,
        /// The meeting.
        meeting: i64,
    },
    /// A school's list of flagged pupils for meeting preparation.
    PupilList {
        /// The school's URN.
        urn: String,
        /// The term (the latest if `None`).
        period: Option<Period>,
    },
}

/// A laid-out printout with its PDF and preview pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Printout {
    /// What was printed.
    pub what: Printable,
    /// The options used.
    pub options: PrintOptions,
    /// A file name to offer ("TSM action log 990202 2026-27 autumn.pdf").
    pub file_name: String,
    /// The pages.
    pub doc: Arc<Doc>,
    /// The PDF file's bytes.
    pub pdf: Arc<Vec<u8>>,
    /// The first pages as pixels, for the preview (the rest are rendered on request,
    /// as they scroll into view: a long list would take hundreds of megabytes at once);
    /// none from [`Service::lay_out`].
    pub pages: Vec<(usize, PageImage)>,
    /// The same list as spreadsheet tables, for documents that have one (the pupil list).
    pub tables: Option<Arc<Vec<Table>>>,
    /// The school's URN.
    pub urn: String,
    /// What the document is, for the activity log ("the pupil list for 2025-26 autumn
    /// (12 pupils)", "the action log of meeting #3 (2 pages)").
    pub about: String,
}

impl Printout {
    /// The printout's PDF, to write to a file.
    #[must_use]
    pub fn pdf_export(&self) -> Export {
        Export::Pdf {
            urn: self.urn.clone(),
            about: self.about.clone(),
            bytes: Arc::clone(&self.pdf),
        }
    }

    /// The printout's spreadsheet tables, to write to a file, if it has any.
    #[must_use]
    pub fn tables_export(&self) -> Option<Export> {
        self.tables.as_ref().map(|tables| Export::Tables {
            urn: self.urn.clone(),
            about: self.about.clone(),
            tables: Arc::clone(tables),
        })
    }
}

/// Something to write to a file.
#[derive(Debug, Clone, PartialEq)]
pub enum Export {
    /// Actions, as shown (filtered) on the tracker.
    Actions(Vec<TrackedRow>),
    /// A school's cohort tables for a term (the latest if `None`).
    Cohorts {
        /// URN.
        urn: String,
        /// Term.
        period: Option<Period>,
    },
    /// A school's pupil list as a spreadsheet, for a term (the latest if `None`).
    PupilList {
        /// URN.
        urn: String,
        /// Term.
        period: Option<Period>,
    },
    /// Tables already made (a printout's spreadsheet: see [`Printout::tables_export`]).
    Tables {
        /// The school's URN.
        urn: String,
        /// What the tables are, as [`Printout::about`].
        about: String,
        /// The tables.
        tables: Arc<Vec<Table>>,
    },
    /// A printout's PDF, already made (see [`Printout::pdf_export`]).
    Pdf {
        /// The school's URN.
        urn: String,
        /// What the document is, as [`Printout::about`].
        about: String,
        /// The file's bytes.
        bytes: Arc<Vec<u8>>,
    },
}

/// Pixels per point of preview pages (about 115 dpi).
pub const PREVIEW_SCALE: f32 = 1.6;

/// Pages rendered with the printout; later ones are rendered when scrolled to.
const FIRST_PAGES: usize = 2;

/// Renders pages of a printout for the preview (page indexes past the end are skipped).
#[must_use]
pub fn render_pages(doc: &Doc, pages: &[usize]) -> Vec<(usize, PageImage)> {
    pages
        .iter()
        .filter(|i| **i < doc.pages.len())
        .map(|i| (*i, render_page(doc, *i, PREVIEW_SCALE)))
        .collect()
}

impl Service {
    /// Lays out a document, makes its PDF and renders its preview pages (the app's
    /// print preview).
    ///
    /// # Errors
    /// If the meeting or school cannot be read.
    pub fn print(
        &mut self,
        what: &Printable,
        options: &PrintOptions,
    ) -> Result<Printout, ServiceError> {
        let mut printout = self.lay_out(what, options)?;
        let first: Vec<usize> = (0..printout.doc.pages.len().min(FIRST_PAGES)).collect();
        printout.pages = render_pages(&printout.doc, &first);
        Ok(printout)
    }

    /// Lays out a document and makes its PDF, without preview pages (the command line
    /// writes the file and shows nothing).
    ///
    /// # Errors
    /// If the meeting or school cannot be read.
    pub fn lay_out(
        &mut self,
        what: &Printable,
        options: &PrintOptions,
    ) -> Result<Printout, ServiceError> {
        let (doc, file_name, tables, urn, about) = match what {
            Printable::ActionLog { urn, meeting } => {
                let view = self.meeting_view(urn, *meeting)?;
                let doc = action_log::action_log(&view, options);
                let name = format!("TSM action log {urn} {}.pdf", view.meeting.period);
                let pages = doc.pages.len();
                let about = format!(
                    "the action log of meeting #{meeting} ({pages} page{})",
                    plural(pages)
                );
                (doc, name, None, urn, about)
            }
            Printable::PupilList { urn, period } => {
                let view = self.school_view(urn, *period)?;
                let doc = pupil_list::pupil_list(&view, options);
                let name = format!("Pupil list {urn} {}.pdf", view.period);
                let table = export::pupil_list_table(&view);
                let about = pupil_list_about(&view.period, table.rows.len());
                (doc, name, Some(Arc::new(vec![table])), urn, about)
            }
        };
        let pdf = pdf_bytes(&doc, options);
        Ok(Printout {
            what: what.clone(),
            options: *options,
            file_name,
            doc: Arc::new(doc),
            pdf: Arc::new(pdf),
            pages: Vec::new(),
            tables,
            urn: urn.clone(),
            about,
        })
    }

    /// Writes an export to `path` (CSV or XLSX by its extension; PDF bytes as they are)
    /// and says what was written.
    ///
    /// # Errors
    /// If the school cannot be read, the extension does not fit, or writing fails (a file
    /// already there is left as it was).
    pub fn export(&mut self, what: &Export, path: &Path) -> Result<String, ServiceError> {
        let said = self.write_export(what, path)?;
        let (kind, urn) = match what {
            Export::Pdf { urn, .. } => (ActivityKind::Print, Some(urn.as_str())),
            Export::Cohorts { urn, .. }
            | Export::PupilList { urn, .. }
            | Export::Tables { urn, .. } => (ActivityKind::Export, Some(urn.as_str())),
            Export::Actions(_) => (ActivityKind::Export, None),
        };
        self.log_activity(kind, urn, &said)?;
        Ok(said)
    }

    fn write_export(&mut self, what: &Export, path: &Path) -> Result<String, ServiceError> {
        let shown = crate::import::base_name(path);
        match what {
            Export::Actions(rows) => {
                export::write_table(&[export::actions_table(rows)], path)?;
                let n = rows.len();
                Ok(format!("Wrote {n} action{} to {shown}", plural(n)))
            }
            Export::Cohorts { urn, period } => {
                let view = self.school_view(urn, *period)?;
                export::write_table(&export::cohort_tables(&view), path)?;
                Ok(format!(
                    "Wrote the cohort tables for {} to {shown}",
                    view.period
                ))
            }
            Export::PupilList { urn, period } => {
                let view = self.school_view(urn, *period)?;
                let table = export::pupil_list_table(&view);
                export::write_table(std::slice::from_ref(&table), path)?;
                let about = pupil_list_about(&view.period, table.rows.len());
                Ok(format!("Wrote {about} to {shown}"))
            }
            Export::Tables { about, tables, .. } => {
                export::write_table(tables, path)?;
                Ok(format!("Wrote {about} to {shown}"))
            }
            Export::Pdf { about, bytes, .. } => {
                export::write_atomically(path, bytes)?;
                Ok(format!("Wrote {about} to {shown}"))
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "the pupil list for 2025-26 autumn (12 pupils)".
fn pupil_list_about(period: &Period, pupils: usize) -> String {
    format!(
        "the pupil list for {period} ({pupils} pupil{})",
        plural(pupils)
    )
}
