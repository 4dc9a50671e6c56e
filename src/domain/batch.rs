//! What an import adapter hands to the store: plain data, already checked, with the
//! warnings found on the way. The store never sees a file, and the adapters never see
//! the database.

use super::codes::SessionCounts;
use super::marks::Mark;
use super::period::Period;
use super::pupil::{PupilDetails, Upn};
use chrono::NaiveDate;
use std::fmt;

/// The shape of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per pupil with session totals.
    Summary,
    /// One row per pupil, date and session with the mark.
    MarksLong,
    /// One row per pupil and date with the AM and PM marks.
    MarksWide,
    /// One row per pupil with names and characteristics.
    Details,
    /// The DfE weekly pupil-level attendance file an LA downloads for all its schools:
    /// one row per pupil enrolment with year-to-date session totals, many schools.
    DfeWeekly,
}

impl Layout {
    /// The name used in the database, the CLI and reports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Summary => "summary",
            Layout::MarksLong => "marks_long",
            Layout::MarksWide => "marks_wide",
            Layout::Details => "details",
            Layout::DfeWeekly => "dfe_weekly",
        }
    }

    /// The layout's name in words ("DfE weekly attendance").
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Layout::Summary => "pupil summary",
            Layout::MarksLong => "session marks (long)",
            Layout::MarksWide => "session marks (wide)",
            Layout::Details => "pupil details",
            Layout::DfeWeekly => "DfE weekly attendance",
        }
    }

    /// Every layout, in the order the wizard lists them.
    pub const ALL: [Layout; 5] = [
        Layout::DfeWeekly,
        Layout::Summary,
        Layout::MarksLong,
        Layout::MarksWide,
        Layout::Details,
    ];

    /// Reads a layout name as printed by [`Layout::as_str`] (also `long`, `wide`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Layout> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "summary" => Some(Layout::Summary),
            "marks_long" | "long" => Some(Layout::MarksLong),
            "marks_wide" | "wide" => Some(Layout::MarksWide),
            "details" | "pupil_details" => Some(Layout::Details),
            "dfe_weekly" | "dfe" | "weekly" | "dfe_weekly_attendance" => Some(Layout::DfeWeekly),
            _ => None,
        }
    }

    /// Whether the layout carries session marks.
    #[must_use]
    pub fn has_marks(self) -> bool {
        matches!(self, Layout::MarksLong | Layout::MarksWide)
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem that did not stop the import, for the import report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// The line in the file (1-based, the header is line 1), if it is about one line.
    pub line: Option<usize>,
    /// The column, if it is about one column.
    pub field: Option<String>,
    /// What was found and what was done about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}, ")?;
        }
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// One pupil's row of a summary export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// The line in the file.
    pub line: usize,
    /// The pupil.
    pub upn: Upn,
    /// The totals: possible is attendance + absence; `no_mark` holds sessions the file
    /// counted as possible that were neither (unmarked).
    pub counts: SessionCounts,
}

/// A school named in a file that holds several (the DfE weekly file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSchool {
    /// Unique Reference Number.
    pub urn: String,
    /// The school's name, if the file gives it.
    pub name: Option<String>,
    /// Its phase (`Primary`, `Secondary`, `Special`...), if given.
    pub phase: Option<String>,
    /// The local authority the school is in, if given.
    pub la_name: Option<String>,
    /// The first line the school appears on.
    pub first_line: usize,
}

/// One pupil enrolment's row of the DfE weekly file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyRow {
    /// The line in the file.
    pub line: usize,
    /// The school: an index into [`WeeklyContent::schools`].
    pub school: usize,
    /// The pupil.
    pub upn: Upn,
    /// The term from the file's `academic_term`, if given.
    pub period: Option<Period>,
    /// What the file says about the pupil.
    pub details: PupilDetails,
    /// Year-to-date totals, recomputed from the session counts (possible is attendance
    /// + absence).
    pub counts: SessionCounts,
}

/// A DfE weekly file being read, as the store needs to know it before its rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyFile {
    /// The file's name (no directories).
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The day its figures run to, if the file says (its modified date).
    pub as_of: Option<NaiveDate>,
}

/// What a reader hands on while a DfE weekly file is still being read, so a county's
/// file is stored on one core while the rest is read on the other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeeklyPart {
    /// The file, before any rows.
    Start(WeeklyFile),
    /// Schools first named since the last part (rows name schools by their place among
    /// all the file's schools so far), and the rows read since.
    Rows {
        /// The new schools, in the order first seen.
        schools: Vec<BatchSchool>,
        /// The rows.
        rows: Vec<WeeklyRow>,
    },
}

/// What a DfE weekly file held.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeeklyContent {
    /// The schools, in the order first seen.
    pub schools: Vec<BatchSchool>,
    /// One row per pupil enrolment and term.
    pub rows: Vec<WeeklyRow>,
}

/// One pupil's marks from a marks export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilMarks {
    /// The pupil.
    pub upn: Upn,
    /// The first line the pupil appears on.
    pub first_line: usize,
    /// The marks, in file order.
    pub marks: Vec<Mark>,
}

/// What a file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchContent {
    /// Session totals per pupil.
    Summary(Vec<SummaryRow>),
    /// Session marks per pupil.
    Marks(Vec<PupilMarks>),
    /// Only pupil details.
    Details,
    /// Year-to-date totals per pupil enrolment for many schools.
    Weekly(WeeklyContent),
}

/// One checked file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportBatch {
    /// The file's name (no directories).
    pub file_name: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    /// The layout the file was read as.
    pub layout: Layout,
    /// What the file said about each pupil, with the line it was first seen on.
    pub pupils: Vec<(Upn, PupilDetails, usize)>,
    /// The attendance content.
    pub content: BatchContent,
    /// Rows read (not counting the header).
    pub rows: usize,
    /// Problems that did not stop the import.
    pub warnings: Vec<Warning>,
    /// The day the file's figures run to, if known from the file (its modified date):
    /// the date of a weekly snapshot, unless the import is given another.
    pub as_of: Option<NaiveDate>,
}

impl ImportBatch {
    /// The URNs of the schools a multi-school file holds (empty for a one-school file).
    #[must_use]
    pub fn school_urns(&self) -> Vec<&str> {
        match &self.content {
            BatchContent::Weekly(w) => w.schools.iter().map(|s| s.urn.as_str()).collect(),
            _ => Vec::new(),
        }
    }
}
