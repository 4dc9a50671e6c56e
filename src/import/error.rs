//! What can go wrong reading a file, said so that the user can find it: the file, the
//! line and the field, with the offending value as written (cut short).

use super::*;

/// A file that could not be imported. Nothing from the file is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    /// The file's name.
    pub file: String,
    /// The line (1-based; a spreadsheet's row number), when the problem is on one line.
    pub line: Option<usize>,
    /// The column as headed in the file, when the problem is in one column.
    pub field: Option<String>,
    /// What is wrong (boxed to keep `Result`s small).
    pub problem: Box<Problem>,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field {field}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// A cell's value for a message: quoted when it holds a digit or is at most two
/// characters (a year group, a count, a date, a code), else not repeated, because a
/// row shifted by a stray comma puts a pupil's name where a code belongs.
fn shown(value: &str) -> String {
    if value.chars().any(|c| c.is_ascii_digit()) || value.chars().count() <= 2 {
        format!("{value:?}")
    } else {
        "the value (not repeated: it may be personal data)".to_owned()
    }
}

impl ImportError {
    pub(crate) fn whole(file: &str, problem: Problem) -> Self {
        ImportError {
            file: file.to_owned(),
            line: None,
            field: None,
            problem: Box::new(problem),
        }
    }

    pub(crate) fn at(file: &str, line: usize, field: Option<String>, problem: Problem) -> Self {
        ImportError {
            file: file.to_owned(),
            line: Some(line),
            field,
            problem: Box::new(problem),
        }
    }
}

/// What is wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// The file could not be read from disk.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// The file is far larger than any attendance export.
    #[error(
        "the file is {} MB; attendance exports are far smaller (a year of session marks for 2,000 pupils is about 30 MB), so tsm-desk reads files of up to {} MB",
        .0 / 1_048_576,
        MAX_FILE_BYTES / 1_048_576
    )]
    TooLarge(u64),
    /// The file is empty.
    #[error("the file is empty")]
    Empty,
    /// Reading stopped because storing what was read failed (the store's error says
    /// why).
    #[error("reading stopped: storing the file failed")]
    Stopped,
    /// The header row was found but no pupil rows follow it.
    #[error("no pupil rows after the header")]
    NoRows,
    /// The bytes are not text in a supported encoding.
    #[error("unreadable text, {0}")]
    Encoding(String),
    /// The CSV structure is broken (e.g. an unclosed quote).
    #[error("broken CSV: {0}")]
    Csv(String),
    /// The workbook could not be opened.
    #[error("not a readable spreadsheet: {0}")]
    Spreadsheet(String),
    /// The header row lacks columns the layout needs.
    #[error("missing column{} {} for the {layout} layout (headers found: {found})", if .missing.len() == 1 { "" } else { "s" }, .missing.join(", "))]
    MissingColumns {
        /// The layout the file looked closest to (or was told to be).
        layout: Layout,
        /// The documented names of the missing columns.
        missing: Vec<String>,
        /// The headers the file has.
        found: String,
    },
    /// The header row has a UPN column but no other column tsm-desk reads.
    #[error(
        "no column besides UPN that tsm-desk reads: a pupil details file needs at least one more, such as Surname, Year Group or Date of Birth (headers found: {found})"
    )]
    OnlyUpn {
        /// The headers the file has.
        found: String,
    },
    /// A cell is empty where a value is required.
    #[error("a value is required")]
    MissingValue,
    /// Attendance codes that are neither national codes nor mapped local codes, each
    /// with how often it occurs; nothing is guessed.
    #[error("{}", unknown_codes_message(.0))]
    UnknownCodes(Vec<UnknownCodeCount>),
    /// A date in no supported format.
    #[error("{} is not a date (use dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)", shown(.0))]
    BadDate(String),
    /// A date of birth in no supported format (the value is not repeated: it is
    /// personal data).
    #[error("not a date of birth (use dd/mm/yyyy, yyyy-mm-dd or d-Mon-yyyy)")]
    BadDateOfBirth,
    /// A session that is neither AM nor PM.
    #[error("{} is not a session (use AM or PM)", shown(.0))]
    BadSession(String),
    /// A count that is not a whole number of sessions.
    #[error("{} is not a whole number of sessions", shown(.0))]
    BadNumber(String),
    /// A value that does not fit the column.
    #[error("{} is not {expected}", shown(.value))]
    BadValue {
        /// The cell.
        value: String,
        /// What the column takes.
        expected: &'static str,
    },
    /// A malformed UPN.
    #[error("not a UPN (a letter, 11 digits, then a digit or letter)")]
    BadUpn,
    /// The same pupil appears twice where one row per pupil is expected.
    #[error("the same UPN is already on line {0}")]
    DuplicatePupil(usize),
    /// Two different marks for one pupil, date and session.
    #[error(
        "mark {new} conflicts with mark {old} on line {first_line} for the same pupil, date and session"
    )]
    ConflictingMark {
        /// The earlier mark.
        old: String,
        /// This line's mark.
        new: String,
        /// Where the earlier mark is.
        first_line: usize,
    },
    /// A cell that starts like a spreadsheet formula (`=`, `@`, or `+`/`-` followed by
    /// more than a plain number or name). Its text is not repeated: it may be a name.
    #[error("looks like a spreadsheet formula; tsm-desk does not import formulas")]
    Formula,
    /// A session date outside the years tsm-desk accepts.
    #[error("{0:?} is outside the years {FIRST_YEAR} to {LAST_YEAR}")]
    DateOutOfRange(String),
    /// A sheet whose used cells would need more memory than any real export.
    #[error("the sheet is too large ({0} cells across its rows); export only the columns needed")]
    SheetTooLarge(usize),
    /// Approved educational activity above the attendance that includes it.
    #[error(
        "approved educational activity {approved} is more than attendance {attendance}, which includes it"
    )]
    ApprovedExceedsAttendance {
        /// Approved educational activity sessions.
        approved: u32,
        /// Attendance sessions.
        attendance: u32,
    },
    /// Attendance and absence add up to more than the possible sessions.
    #[error(
        "attendance {attendance} + authorised {authorised} + unauthorised {unauthorised} = {total}, more than the {possible} possible sessions"
    )]
    TotalsExceedPossible {
        /// Attendance sessions.
        attendance: u32,
        /// Authorised absence sessions.
        authorised: u32,
        /// Unauthorised absence sessions.
        unauthorised: u32,
        /// Their sum.
        total: u32,
        /// Possible sessions.
        possible: u32,
    },
    /// A file of published attendance statistics lacks columns it needs.
    #[error("missing column{} {} for the DfE's published attendance statistics (headers found: {found})", if .missing.len() == 1 { "" } else { "s" }, .missing.join(", "))]
    MissingPublishedColumns {
        /// The columns missing.
        missing: Vec<String>,
        /// The headers the file has.
        found: String,
    },
    /// The same week, phase and area twice in a file of published statistics.
    #[error("the same week, phase and area is already on line {0}")]
    DuplicateFigures(usize),
    /// A file of published statistics with no national or local authority rows.
    #[error("no national or local authority rows to store ({0})")]
    NoPublishedRows(String),
}

/// An unknown attendance code and how often a file uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCodeCount {
    /// The code as written, when it is short enough to be a code (a longer value may be
    /// a name shifted into the column, and is not repeated).
    pub code: Option<String>,
    /// How many marks carry it.
    pub count: usize,
    /// The first line it is on.
    pub first_line: usize,
}

impl UnknownCodeCount {
    fn describe(&self) -> String {
        let times = if self.count == 1 {
            format!("1 mark, line {}", self.first_line)
        } else {
            format!("{} marks, first on line {}", self.count, self.first_line)
        };
        match &self.code {
            Some(code) => format!("{code:?} ({times})"),
            None => format!("a value not repeated, as it may be personal data ({times})"),
        }
    }
}

/// The most unknown codes a message lists.
const UNKNOWN_CODES_LISTED: usize = 5;

fn unknown_codes_message(codes: &[UnknownCodeCount]) -> String {
    let mut listed: Vec<String> = codes
        .iter()
        .take(UNKNOWN_CODES_LISTED)
        .map(UnknownCodeCount::describe)
        .collect();
    if codes.len() > UNKNOWN_CODES_LISTED {
        listed.push(format!("and {} more", codes.len() - UNKNOWN_CODES_LISTED));
    }
    let advice = match codes.iter().find_map(|c| c.code.as_deref()) {
        Some(code) => format!(
            "map {} to a national code (Settings, Code map; or --code-map {code}=I) or correct the export",
            if codes.len() == 1 { "it" } else { "them" }
        ),
        None => "correct the export".to_owned(),
    };
    format!(
        "unknown attendance code{} {}; {advice}",
        if codes.len() == 1 { "" } else { "s" },
        listed.join(", ")
    )
}
