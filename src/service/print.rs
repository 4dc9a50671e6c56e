//! Printouts and exports: the service gathers the views, the report layer lays them out
//! and writes them. All of it runs on the worker thread.

use super::view::TrackedRow;
use super::{Service, ServiceError};
use crate::domain::Period;
use crate::report::doc::Doc;
use crate::report::raster::{PageImage, render_page};
use crate::report::{PrintOptions, Table, action_log, export, pdf_bytes, pupil_list};
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
    /// as they scroll into view: a long list would take hundreds of megabytes at once).
    pub pages: Vec<(usize, PageImage)>,
    /// The same list as spreadsheet tables, for documents that have one (the pupil list).
    pub tables: Option<Arc<Vec<Table>>>,
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
    /// Tables already made (the pupil list's spreadsheet).
    Tables(Arc<Vec<Table>>),
    /// Bytes already made (a printout's PDF).
    Bytes(Arc<Vec<u8>>),
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
    /// Lays out a document, makes its PDF and renders its preview pages.
    ///
    /// # Errors
    /// If the meeting or school cannot be read.
    pub fn print(
        &mut self,
        what: &Printable,
        options: &PrintOptions,
    ) -> Result<Printout, ServiceError> {
        let (doc, file_name, tables) = match what {
            Printable::ActionLog { urn, meeting } => {
                let view = self.meeting_view(urn, *meeting)?;
                let doc = action_log::action_log(&view, options);
                let name = format!("TSM action log {urn} {}.pdf", view.meeting.period);
                (doc, name, None)
            }
            Printable::PupilList { urn, period } => {
                let view = self.school_view(urn, *period)?;
                let doc = pupil_list::pupil_list(&view, options);
                let name = format!("Pupil list {urn} {}.pdf", view.period);
                let table = export::pupil_list_table(&view);
                (doc, name, Some(Arc::new(vec![table])))
            }
        };
        let pdf = pdf_bytes(&doc, options);
        let first: Vec<usize> = (0..doc.pages.len().min(FIRST_PAGES)).collect();
        let pages = render_pages(&doc, &first);
        Ok(Printout {
            what: what.clone(),
            options: *options,
            file_name,
            doc: Arc::new(doc),
            pdf: Arc::new(pdf),
            pages,
            tables,
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
            Export::Bytes(_) => (ActivityKind::Print, None),
            Export::Cohorts { urn, .. } => (ActivityKind::Export, Some(urn.as_str())),
            Export::Actions(_) | Export::Tables(_) => (ActivityKind::Export, None),
        };
        self.log_activity(kind, urn, &said)?;
        Ok(said)
    }

    fn write_export(&mut self, what: &Export, path: &Path) -> Result<String, ServiceError> {
        let shown = crate::import::base_name(path);
        match what {
            Export::Actions(rows) => {
                export::write_table(&[export::actions_table(rows)], path)?;
                Ok(format!("Wrote {} actions to {shown}", rows.len()))
            }
            Export::Cohorts { urn, period } => {
                let view = self.school_view(urn, *period)?;
                export::write_table(&export::cohort_tables(&view), path)?;
                Ok(format!(
                    "Wrote the cohort tables for {} to {shown}",
                    view.period
                ))
            }
            Export::Tables(tables) => {
                export::write_table(tables, path)?;
                let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
                Ok(format!("Wrote {rows} rows to {shown}"))
            }
            Export::Bytes(bytes) => {
                export::write_atomically(path, bytes)?;
                Ok(format!("Saved {shown}"))
            }
        }
    }
}
