//! Paper and files for people outside the app: the printed meeting action log (PDF), the
//! school's pupil list (PDF and XLSX), and exports of actions and cohort tables (CSV and
//! XLSX).
//!
//! Everything here turns the service's plain view structs into bytes; the worker thread
//! calls it and writes the files. A [`Table`] is the common shape of every list: the
//! exporters write it as CSV or XLSX, the PDF layout prints it with repeating headers.

pub mod action_log;
pub mod doc;
pub mod export;
pub mod font;
pub mod pdf;
pub mod pupil_list;
pub mod raster;

use chrono::{NaiveDate, NaiveDateTime};

/// How printed documents name pupils.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameStyle {
    /// Full name and UPN.
    #[default]
    Full,
    /// Initials and UPN only ("R.H. (A123...)"), for copies that travel.
    Initials,
}

impl NameStyle {
    /// Both styles.
    pub const ALL: [NameStyle; 2] = [NameStyle::Full, NameStyle::Initials];

    /// In words, for settings and the print dialog.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            NameStyle::Full => "Full names and UPN",
            NameStyle::Initials => "Initials and UPN only",
        }
    }
}

/// Choices for one printout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrintOptions {
    /// How pupils are named.
    pub names: NameStyle,
    /// When it is printed (shown on the page and in the PDF's metadata).
    pub printed_on: NaiveDateTime,
}

/// A laid-out document as PDF bytes.
#[must_use]
pub fn pdf_bytes(doc: &doc::Doc, opts: &PrintOptions) -> Vec<u8> {
    pdf::write(doc, &opts.printed_on.format("%Y%m%d%H%M%S").to_string())
}

/// Why a report could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing the file failed.
    #[error("could not write {path}: {source}")]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The XLSX writer failed.
    #[error("could not make the spreadsheet: {0}")]
    Xlsx(String),
    /// The CSV writer failed.
    #[error("could not make the CSV file: {0}")]
    Csv(String),
    /// The file name has no extension this report can be written as.
    #[error("{0}: choose a file ending in {1}")]
    Format(String, &'static str),
}

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (may be empty: a blank cell, e.g. a column for notes).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A fraction shown as a percentage (0.125 is 12.5%).
    Percent(f64),
    /// A date.
    Date(NaiveDate),
    /// Nothing known.
    Empty,
}

/// One column of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header.
    pub title: String,
    /// Relative width on paper and in spreadsheets (characters, roughly).
    pub width: f32,
}

impl Column {
    /// A column with a header and a relative width.
    #[must_use]
    pub fn new(title: &str, width: f32) -> Column {
        Column {
            title: title.to_owned(),
            width,
        }
    }
}

/// The classification printed on every page of every printout and export.
pub const CLASSIFICATION: &str = "OFFICIAL-SENSITIVE: contains personal data about children";

/// A titled list: rows of cells under column headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What the table is ("Severely absent pupils").
    pub title: String,
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each with one cell per column.
    pub rows: Vec<Vec<Cell>>,
}
