//! Import adapters: school MIS exports (CSV or XLSX) read into checked
//! [`ImportBatch`]es. Nothing here touches the database: a file either becomes a whole
//! batch or an [`ImportError`] naming the file, line and field.
//!
//! Five layouts are understood (see [`Layout`]): the DfE weekly pupil-level file (many
//! schools in one file), pupil summaries, session marks in long form (one row per
//! session) or wide form (AM and PM marks side by side), and pupil details. Any layout
//! may also carry pupil details, which are joined by UPN.

pub mod columns;
mod preview;
pub mod published;
mod table;
mod values;
mod weekly;

pub use columns::{ColumnMapping, Columns, Field};
pub use preview::{Preview, SchoolsInFile, preview};

use crate::domain::pupil::parse_yes_no_unknown;
use crate::domain::{
    BatchContent, Code, CodeMap, ImportBatch, Layout, Mark, PupilDetails, PupilMarks, Reading,
    SenStatus, Session, SessionCounts, Sex, SummaryRow, Upn, Warning, WeeklyPart, YearGroup,
};
use chrono::{Datelike as _, NaiveDate};
use columns::DETAIL_FIELDS;
use sha2::Digest as _;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use table::{Table, split_lines};

/// How many rows at the top of a file may come before the header row (report titles
/// and blank lines that some MIS exports add).
const HEADER_SEARCH_ROWS: usize = 10;

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

/// What an import is read with besides the file: the column mapping chosen and the
/// local codes mapped to national codes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Columns chosen by hand, and the layout if forced.
    pub mapping: ColumnMapping,
    /// Local codes for this school (the LA's code map, plus any given for this import).
    pub code_map: CodeMap,
}

/// The first and last years of session dates that are imported. Marks outside them are
/// a broken export (and a wide range would make very long mark strips).
pub const FIRST_YEAR: i32 = 2000;
/// See [`FIRST_YEAR`].
pub const LAST_YEAR: i32 = 2099;

/// The largest file read (256 MB): several times a big school's year of session marks,
/// small enough that reading it cannot exhaust a laptop's memory.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The most characters of a cell repeated in a message.
const EXCERPT_CHARS: usize = 40;
/// The most characters of a reader's own message (CSV or workbook) repeated.
const DETAIL_CHARS: usize = 300;

/// A value as repeated in a message: at most `max` characters, a longer one cut and
/// marked with its length, so a huge field is never echoed whole.
pub(crate) fn excerpt(value: &str, max: usize) -> String {
    match value.char_indices().nth(max) {
        None => value.to_owned(),
        Some((cut, _)) => format!(
            "{}... ({} characters)",
            &value[..cut],
            value.chars().count()
        ),
    }
}

/// A cell value for a message (see [`excerpt`]).
pub(crate) fn quoted(value: &str) -> String {
    excerpt(value, EXCERPT_CHARS)
}

/// Whether a cell reads like a spreadsheet formula: it starts with `=` or `@`, or with
/// `+` or `-` followed by something other than a plain number or name. `-` alone (no
/// mark), `-1` and `+5` are not formulas; `-2+3` and `+cmd|' /C calc'!A0` are.
#[must_use]
pub fn looks_like_formula(value: &str) -> bool {
    match value.as_bytes().first() {
        Some(b'=' | b'@') => true,
        Some(b'+' | b'-') => {
            let rest = &value[1..];
            let number = rest.bytes().all(|b| b.is_ascii_digit() || b == b'.');
            let name = rest
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-'));
            !(number || name)
        }
        _ => false,
    }
}

/// A file's name without its folders, as messages and the activity log show it (the
/// whole path if it has no file name).
#[must_use]
pub fn base_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads and checks one file with a column mapping and no code map.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_file(path: &Path, mapping: &ColumnMapping) -> Result<ImportBatch, ImportError> {
    read_file_with(
        path,
        &ReadOptions {
            mapping: mapping.clone(),
            code_map: CodeMap::default(),
        },
    )
}

/// The day a file was last modified (local time), which is when a weekly download's
/// figures run to unless the user says otherwise.
#[must_use]
pub fn modified_date(path: &Path) -> Option<chrono::NaiveDate> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    Some(chrono::DateTime::<chrono::Local>::from(modified).date_naive())
}

/// Reads and checks one file.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_file_with(path: &Path, options: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let name = base_name(path);
    // Refused before reading: a multi-gigabyte file would fill the memory first.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(ImportError::whole(&name, Problem::TooLarge(meta.len())));
    }
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::whole(&name, Problem::Io(e.to_string())))?;
    let mut batch = read_bytes_with(&name, bytes, options)?;
    batch.as_of = modified_date(path);
    Ok(batch)
}

/// Reads and checks a file's bytes with a column mapping and no code map; `file_name`
/// is used in messages and records.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_bytes(
    file_name: &str,
    bytes: Vec<u8>,
    mapping: &ColumnMapping,
) -> Result<ImportBatch, ImportError> {
    read_bytes_with(
        file_name,
        bytes,
        &ReadOptions {
            mapping: mapping.clone(),
            code_map: CodeMap::default(),
        },
    )
}

/// Reads and checks a file's bytes; `file_name` is used in messages and records.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_bytes_with(
    file_name: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<ImportBatch, ImportError> {
    read_bytes_impl(file_name, bytes, options, None)
}

/// How many weekly rows are read before they are handed on to be stored.
const ROWS_PER_PART: usize = 4096;

/// A sink for the parts of a DfE weekly file, with what it must be told first.
struct Stream<'s> {
    sha256: String,
    as_of: Option<chrono::NaiveDate>,
    sink: &'s mut (dyn FnMut(WeeklyPart) -> bool + Send),
}

/// Reads and checks one file, handing a DfE weekly file's rows to `sink` as they are
/// read, a few thousand at a time, after a [`WeeklyPart::Start`] (so they can be
/// stored while the rest is read). The batch returned then holds the file's schools,
/// warnings and row count but no rows. Any other layout is read whole and returned as
/// [`read_file_with`] does, and `sink` is not called. If `sink` returns `false` (the
/// store gave up), reading stops with an error.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found (after
/// parts were handed on: the store must then drop them).
pub fn read_file_streamed(
    path: &Path,
    options: &ReadOptions,
    sink: &mut (dyn FnMut(WeeklyPart) -> bool + Send),
) -> Result<ImportBatch, ImportError> {
    let name = base_name(path);
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(ImportError::whole(&name, Problem::TooLarge(meta.len())));
    }
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::whole(&name, Problem::Io(e.to_string())))?;
    // Hashed first: the store records the file by its hash before the first school.
    let sha256 = hex(&sha2::Sha256::digest(&bytes));
    let as_of = modified_date(path);
    let stream = Stream {
        sha256,
        as_of,
        sink,
    };
    let mut batch = read_bytes_impl(&name, bytes, options, Some(stream))?;
    batch.as_of = as_of;
    Ok(batch)
}

fn read_bytes_impl<'a>(
    file_name: &'a str,
    bytes: Vec<u8>,
    options: &'a ReadOptions,
    mut stream: Option<Stream<'a>>,
) -> Result<ImportBatch, ImportError> {
    let mapping = &options.mapping;
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(ImportError::whole(file_name, Problem::TooLarge(size)));
    }
    // Hash a copy on a second core while this one reads the rows (unless hashed).
    let hasher = match &stream {
        Some(_) => None,
        None => {
            let copy = bytes.clone();
            Some(
                std::thread::Builder::new()
                    .name("tsm-import-hash".into())
                    .spawn(move || hex(&sha2::Sha256::digest(&copy))),
            )
        }
    };
    let table = Table::from_bytes(file_name, bytes)?;
    let mut reader: Option<Reader<'_>> = None;
    let mut first_headers: Option<(usize, Vec<String>)> = None;
    let mut seen = 0usize;
    // Large quote-free marks files are read in two halves on two cores once the header
    // is known; `header_line` says where the rows start. A streamed weekly file is read
    // in one pass: the other core stores it.
    let split_text = table
        .quote_free()
        .filter(|(text, _)| text.len() >= PARALLEL_BYTES);
    let mut header_line = None;
    table.for_each(file_name, |line, record| {
        if let Some(r) = reader.as_mut() {
            r.row(line, record)?;
            return Ok(true);
        }
        if is_blank(record) {
            return Ok(true);
        }
        seen += 1;
        let headers: Vec<String> = record.iter().map(|c| (*c).to_owned()).collect();
        let cols = Columns::match_headers(&headers, mapping);
        let layout = mapping.layout.or_else(|| cols.detect());
        if let Some(layout) = layout
            && cols.missing_for(layout).is_empty()
        {
            let mut r = Reader::new(file_name, cols, layout, &options.code_map);
            if layout == Layout::DfeWeekly
                && let Some(s) = stream.take()
            {
                let start = WeeklyPart::Start(crate::domain::WeeklyFile {
                    file_name: file_name.to_owned(),
                    sha256: s.sha256.clone(),
                    as_of: s.as_of,
                });
                if !(s.sink)(start) {
                    return Err(ImportError::whole(file_name, Problem::Stopped));
                }
                r.stream = Some(s);
                reader = Some(r);
                return Ok(true);
            }
            reader = Some(r);
            if split_text.is_some() && read_in_halves(layout) {
                header_line = Some(line);
                return Ok(false);
            }
            return Ok(true);
        }
        if first_headers.is_none() {
            first_headers = Some((line, record.iter().map(|c| (*c).to_owned()).collect()));
        }
        if seen >= HEADER_SEARCH_ROWS || mapping.layout.is_some() {
            return Err(header_error(file_name, first_headers.take(), mapping));
        }
        Ok(true)
    })?;
    let Some(mut reader) = reader else {
        return Err(header_error(file_name, first_headers, mapping));
    };
    if let (Some(line), Some((text, delimiter))) = (header_line, split_text) {
        reader = read_in_two(reader, text, delimiter, line)?;
    }
    let sha256 = match (hasher, &reader.stream, stream) {
        (Some(Ok(handle)), _, _) => handle.join().map_err(|_| {
            ImportError::whole(file_name, Problem::Io("hashing the file failed".into()))
        })?,
        (Some(Err(e)), _, _) => {
            return Err(ImportError::whole(file_name, Problem::Io(e.to_string())));
        }
        (None, Some(s), _) => s.sha256.clone(),
        (None, None, Some(s)) => s.sha256,
        (None, None, None) => String::new(),
    };
    reader.finish(sha256)
}

/// Every one-character code, looked up by its byte in either case.
fn one_byte_codes() -> [Option<Code>; 128] {
    let mut table = [None; 128];
    for code in Code::all() {
        if let [b] = code.mark().as_bytes() {
            for byte in [b.to_ascii_uppercase(), b.to_ascii_lowercase()] {
                if let Some(slot) = table.get_mut(usize::from(byte)) {
                    *slot = Some(code);
                }
            }
        }
    }
    table
}

/// Files at least this large are read on two threads when they can be.
const PARALLEL_BYTES: usize = 1 << 20;

/// Whether a large file of this layout is read in two halves: the layouts whose files
/// run to many megabytes (a year of session marks, a whole LA's weekly file).
fn read_in_halves(layout: Layout) -> bool {
    layout.has_marks() || layout == Layout::DfeWeekly
}

/// Reads the rows after `header_line` in two halves, one on another thread, and joins
/// the halves as if read in one pass. The first half's error wins, as it comes first.
fn read_in_two<'a>(
    mut first: Reader<'a>,
    text: &str,
    delimiter: u8,
    header_line: usize,
) -> Result<Reader<'a>, ImportError> {
    let start = text
        .match_indices('\n')
        .nth(header_line - 1)
        .map_or(text.len(), |(i, _)| i + 1);
    let rest = &text[start..];
    let mid = rest.len() / 2;
    // Search bytes, not `&rest[mid..]`: the middle byte may be inside a character. A
    // cut just after a `\n` is always on a character boundary.
    let cut = rest
        .as_bytes()
        .get(mid..)
        .and_then(|tail| tail.iter().position(|&b| b == b'\n'))
        .map_or(rest.len(), |i| mid + i + 1);
    let (a, b) = rest.split_at(cut);
    let b_first_line = header_line + 1 + a.bytes().filter(|&c| c == b'\n').count();
    let mut second = Reader::new(first.file, first.cols.clone(), first.layout, first.code_map);
    let (ra, rb) = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("tsm-import-rows".into())
            .spawn_scoped(scope, || {
                split_lines(b, delimiter, b_first_line, |line, cells| {
                    second.row(line, cells)?;
                    Ok(true)
                })
            });
        let ra = split_lines(a, delimiter, header_line + 1, |line, cells| {
            first.row(line, cells)?;
            Ok(true)
        });
        let rb = match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(ImportError::whole(
                    first.file,
                    Problem::Io("reading the file failed".into()),
                ))
            }),
            Err(e) => Err(ImportError::whole(first.file, Problem::Io(e.to_string()))),
        };
        (ra, rb)
    });
    ra?;
    rb?;
    first.absorb(second)?;
    Ok(first)
}

fn header_error(
    file: &str,
    first: Option<(usize, Vec<String>)>,
    mapping: &ColumnMapping,
) -> ImportError {
    let Some((line, headers)) = first else {
        return ImportError::whole(file, Problem::Empty);
    };
    let cols = Columns::match_headers(&headers, mapping);
    let layout = mapping.layout.unwrap_or_else(|| cols.closest());
    let missing = cols.missing_labels(layout);
    let found = found_headers(&headers);
    if missing.is_empty() {
        // A UPN column and nothing else tsm-desk reads: no layout to name a column for.
        return ImportError::at(file, line, None, Problem::OnlyUpn { found });
    }
    let field = cols
        .missing_for(layout)
        .first()
        .map(|f| f.label().to_owned());
    ImportError::at(
        file,
        line,
        field,
        Problem::MissingColumns {
            layout,
            missing,
            found,
        },
    )
}

/// The headers a file has, for a message: each cut to a short excerpt, formula-like
/// ones not repeated, and at most [`DETAIL_CHARS`] characters in all.
fn found_headers(headers: &[String]) -> String {
    let shown: Vec<String> = headers
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .map(|h| {
            // No real header holds "=": `39-"=1+2"` is a formula too (found by the fuzz
            // run), and a formula is never repeated.
            if looks_like_formula(h) || h.contains('=') {
                "(a formula)".to_owned()
            } else {
                quoted(h)
            }
        })
        .collect();
    let mut out = String::new();
    for (i, h) in shown.iter().enumerate() {
        if out.len() + h.len() > DETAIL_CHARS {
            out.push_str(&format!("... and {} more", shown.len() - i));
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(h);
    }
    out
}

fn is_blank(record: &[&str]) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A cell without its surrounding whitespace; most cells have none, and checking the
/// ends first spares the full Unicode trim.
fn trimmed(cell: &str) -> &str {
    let plain_end = |c: Option<char>| c.is_none_or(|c| !c.is_whitespace());
    if plain_end(cell.chars().next()) && plain_end(cell.chars().next_back()) {
        cell
    } else {
        cell.trim()
    }
}

/// A warning that may happen on many lines, reported once with a count and the first
/// few lines it is on.
#[derive(Default, Clone)]
struct Tally {
    count: usize,
    first_line: usize,
    lines: Vec<usize>,
}

/// How many lines a tallied warning names.
const LINES_NAMED: usize = 5;

impl Tally {
    /// Adds the counts of a later part of the same file.
    fn merge(&mut self, later: &Tally) {
        if later.count > 0 {
            if self.count == 0 {
                self.first_line = later.first_line;
            }
            self.count += later.count;
            for &line in &later.lines {
                if self.lines.len() < LINES_NAMED {
                    self.lines.push(line);
                }
            }
        }
    }

    fn add(&mut self, line: usize) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
        if self.lines.len() < LINES_NAMED {
            self.lines.push(line);
        }
    }

    /// "line 5" or "lines 5, 9, 12 and 3 more".
    fn lines_text(&self) -> String {
        let shown: Vec<String> = self.lines.iter().map(ToString::to_string).collect();
        match shown.as_slice() {
            [one] if self.count == 1 => format!("line {one}"),
            _ if self.count > shown.len() => format!(
                "lines {} and {} more",
                shown.join(", "),
                self.count - shown.len()
            ),
            _ => format!("lines {}", shown.join(", ")),
        }
    }
}

/// Walks a file's rows once its header is known.
struct Reader<'a> {
    file: &'a str,
    cols: Columns,
    layout: Layout,
    code_map: &'a CodeMap,
    pupils: Vec<(Upn, PupilDetails, usize)>,
    index: FastMap<Upn, usize>,
    last_upn: (String, usize),
    summary: Vec<SummaryRow>,
    marks: Vec<Vec<(Mark, usize)>>,
    dates: FastMap<String, NaiveDate>,
    last_date: (String, NaiveDate),
    codes: FastMap<String, (Code, Reading)>,
    /// Single-character national codes by byte, either case: the common codes without
    /// hashing.
    one_byte: [Option<Code>; 128],
    rows: usize,
    legacy: BTreeMap<Code, Tally>,
    /// Marks read through a sub-code, a stand-in or the code map: by the mark as
    /// written.
    mapped: BTreeMap<String, (Code, Reading, Tally)>,
    /// Unknown codes by the mark as written (cut short), with the column they are in.
    unknown: BTreeMap<String, (Tally, Field)>,
    no_mark: Tally,
    short_totals: Tally,
    over_totals: Tally,
    absence_total: Tally,
    derived_attendance: Tally,
    present_mismatch: Tally,
    percent_mismatch: Tally,
    percent_unread: Tally,
    /// Unmarked sessions a summary's possible sessions held (left out of possible).
    unrecorded_sessions: u64,
    no_upn: Tally,
    /// Per pupil (parallel to `pupils`): a sex given but not recognised.
    odd_sex: Vec<bool>,
    /// The DfE weekly file's schools and rows.
    weekly: weekly::WeeklyReader,
    /// Where a weekly file's rows go as they are read, if they are handed on.
    stream: Option<Stream<'a>>,
}

/// A summary row's session columns, as read.
struct SessionCells {
    possible: Option<u32>,
    attendance: Option<u32>,
    present: Option<u32>,
    approved: u32,
    authorised: u32,
    unauthorised: u32,
}

impl<'a> Reader<'a> {
    fn new(file: &'a str, cols: Columns, layout: Layout, code_map: &'a CodeMap) -> Self {
        Reader {
            file,
            cols,
            layout,
            code_map,
            pupils: Vec::new(),
            index: FastMap::default(),
            last_upn: (String::new(), 0),
            summary: Vec::new(),
            marks: Vec::new(),
            dates: FastMap::default(),
            last_date: (String::new(), NaiveDate::MIN),
            codes: FastMap::default(),
            one_byte: one_byte_codes(),
            rows: 0,
            legacy: BTreeMap::new(),
            mapped: BTreeMap::new(),
            unknown: BTreeMap::new(),
            no_mark: Tally::default(),
            short_totals: Tally::default(),
            over_totals: Tally::default(),
            absence_total: Tally::default(),
            derived_attendance: Tally::default(),
            present_mismatch: Tally::default(),
            percent_mismatch: Tally::default(),
            percent_unread: Tally::default(),
            unrecorded_sessions: 0,
            no_upn: Tally::default(),
            odd_sex: Vec::new(),
            weekly: weekly::WeeklyReader::default(),
            stream: None,
        }
    }

    fn err(&self, line: usize, field: Field, problem: Problem) -> ImportError {
        ImportError::at(self.file, line, Some(self.cols.header(field)), problem)
    }

    /// The trimmed cell of `field` (`None` when the file has no such column). A cell
    /// that looks like a formula is refused, whatever the field.
    fn cell<'r>(
        &self,
        line: usize,
        record: &'r [&'r str],
        field: Field,
    ) -> Result<Option<&'r str>, ImportError> {
        let Some(i) = self.cols.get(field) else {
            return Ok(None);
        };
        let value = trimmed(record.get(i).copied().unwrap_or(""));
        // A lone `=` in a mark column is a SIMS local code of the COVID years, not a
        // formula: nothing follows it, and the mark is stored as a national code.
        let lone_mark =
            value == "=" && matches!(field, Field::Mark | Field::AmMark | Field::PmMark);
        if !lone_mark && looks_like_formula(value) {
            return Err(self.err(line, field, Problem::Formula));
        }
        Ok(Some(value))
    }

    fn required<'r>(
        &self,
        line: usize,
        record: &'r [&'r str],
        field: Field,
    ) -> Result<&'r str, ImportError> {
        match self.cell(line, record, field)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(self.err(line, field, Problem::MissingValue)),
        }
    }

    fn row(&mut self, line: usize, record: &[&str]) -> Result<(), ImportError> {
        if is_blank(record) {
            return Ok(());
        }
        self.rows += 1;
        let upn_cell = self.cell(line, record, Field::Upn)?.unwrap_or("");
        if upn_cell.is_empty() {
            self.no_upn.add(line);
            return Ok(());
        }
        if self.layout == Layout::DfeWeekly {
            self.weekly_row(line, upn_cell, record)?;
            if self.weekly.rows.len() >= ROWS_PER_PART {
                self.hand_on()?;
            }
            return Ok(());
        }
        let pupil = self.pupil(line, upn_cell, record)?;
        match self.layout {
            Layout::Details | Layout::DfeWeekly => Ok(()),
            Layout::Summary => self.summary_row(line, record, pupil),
            Layout::MarksLong => {
                let date = self.date(line, record, Field::Date)?;
                let session_cell = self.required(line, record, Field::Session)?;
                let session = Session::parse(session_cell).ok_or_else(|| {
                    self.err(
                        line,
                        Field::Session,
                        Problem::BadSession(quoted(session_cell)),
                    )
                })?;
                let code = self.code(line, record, Field::Mark)?;
                self.push_mark(
                    pupil,
                    Mark {
                        date,
                        session,
                        code,
                    },
                    line,
                );
                Ok(())
            }
            Layout::MarksWide => {
                let date = self.date(line, record, Field::Date)?;
                let am = self.code(line, record, Field::AmMark)?;
                let pm = self.code(line, record, Field::PmMark)?;
                self.push_mark(
                    pupil,
                    Mark {
                        date,
                        session: Session::Am,
                        code: am,
                    },
                    line,
                );
                self.push_mark(
                    pupil,
                    Mark {
                        date,
                        session: Session::Pm,
                        code: pm,
                    },
                    line,
                );
                Ok(())
            }
        }
    }

    /// Finds or adds the pupil on this row. Summary and details files hold one row per
    /// pupil, so a repeat is an error there.
    fn pupil(
        &mut self,
        line: usize,
        upn_cell: &str,
        record: &[&str],
    ) -> Result<usize, ImportError> {
        if self.layout.has_marks() && self.last_upn.0 == upn_cell && !self.pupils.is_empty() {
            return Ok(self.last_upn.1);
        }
        let upn = Upn::parse(upn_cell).map_err(|_| self.err(line, Field::Upn, Problem::BadUpn))?;
        if let Some(&i) = self.index.get(&upn) {
            if !self.layout.has_marks() {
                let first = self.pupils.get(i).map_or(0, |p| p.2);
                return Err(self.err(line, Field::Upn, Problem::DuplicatePupil(first)));
            }
            self.last_upn = (upn_cell.to_owned(), i);
            return Ok(i);
        }
        let (details, odd_sex) = self.details(line, record)?;
        self.odd_sex.push(odd_sex);
        let i = self.pupils.len();
        self.index.insert(upn.clone(), i);
        self.pupils.push((upn, details, line));
        self.marks.push(Vec::new());
        self.last_upn = (upn_cell.to_owned(), i);
        Ok(i)
    }

    /// The pupil details on a row, and whether a sex was given but not recognised. In
    /// the DfE weekly file an empty flag is not known; in MIS exports an empty flag
    /// means no, as those exports write it.
    fn details(&self, line: usize, record: &[&str]) -> Result<(PupilDetails, bool), ImportError> {
        let mut d = PupilDetails::default();
        let mut odd_sex = false;
        let empty_flag = if self.layout == Layout::DfeWeekly {
            None
        } else {
            Some(false)
        };
        let (mut sen_support, mut ehcp, mut protection) = (None, None, None);
        for field in DETAIL_FIELDS {
            let Some(value) = self.cell(line, record, field)? else {
                continue;
            };
            let text = || (!value.is_empty()).then(|| value.to_owned());
            let bad = |expected| {
                self.err(
                    line,
                    field,
                    Problem::BadValue {
                        value: quoted(value),
                        expected,
                    },
                )
            };
            let flag = |empty: Option<bool>| {
                parse_yes_no_unknown(value, empty).ok_or_else(|| bad("yes, no or unknown"))
            };
            match field {
                Field::Forename => d.forename = text(),
                Field::Surname => d.surname = text(),
                Field::RegGroup => d.reg_group = text(),
                Field::Ethnicity => d.ethnicity = text(),
                Field::HomeLa => d.home_la = text(),
                Field::PrimarySenType => d.primary_sen_type = text().map(|t| t.to_uppercase()),
                Field::YearGroup if !value.is_empty() => {
                    d.year_group = Some(
                        YearGroup::parse(value)
                            .map_err(|_| bad("a year group (7, Y7, Year 7, R, N1)"))?,
                    );
                }
                Field::Sex => {
                    d.sex = Sex::parse(value);
                    if d.sex.is_none() && !value.is_empty() {
                        odd_sex = true;
                    }
                }
                Field::DateOfBirth if !value.is_empty() => {
                    d.date_of_birth = Some(
                        values::parse_date(value)
                            .ok_or_else(|| self.err(line, field, Problem::BadDateOfBirth))?,
                    );
                }
                Field::AdmissionDate | Field::LeavingDate if !value.is_empty() => {
                    let date = values::parse_date(value)
                        .ok_or_else(|| bad("a date (dd/mm/yyyy or yyyy-mm-dd)"))?;
                    if field == Field::AdmissionDate {
                        d.admission_date = Some(date);
                    } else {
                        d.leaving_date = Some(date);
                    }
                }
                Field::Sen => {
                    d.sen = Some(
                        SenStatus::parse(value).ok_or_else(|| bad("an SEN status (N, K or E)"))?,
                    );
                }
                Field::Fsm => d.fsm = flag(empty_flag)?,
                Field::Eal => d.eal = flag(empty_flag)?,
                Field::LookedAfter => d.looked_after = flag(empty_flag)?,
                Field::ChildInNeed => d.child_in_need = flag(empty_flag)?,
                Field::CompulsorySchoolAge => d.compulsory_school_age = flag(None)?,
                Field::PreviouslyLookedAfter => d.previously_looked_after = flag(None)?,
                Field::SenSupport => sen_support = flag(None)?,
                Field::Ehcp => ehcp = flag(None)?,
                Field::ChildProtection => protection = flag(None)?,
                _ => {}
            }
        }
        // The DfE file gives SEN support and EHC plan as two flags.
        if d.sen.is_none() && (self.cols.has(Field::SenSupport) || self.cols.has(Field::Ehcp)) {
            d.sen = match (sen_support, ehcp) {
                (_, Some(true)) => Some(SenStatus::Ehcp),
                (Some(true), _) => Some(SenStatus::SenSupport),
                (Some(false), Some(false)) => Some(SenStatus::None),
                (Some(false), None) if !self.cols.has(Field::Ehcp) => Some(SenStatus::None),
                (None, Some(false)) if !self.cols.has(Field::SenSupport) => Some(SenStatus::None),
                _ => None,
            };
        }
        // Child in need or on a protection plan: either one makes a social worker.
        if self.cols.has(Field::ChildProtection) {
            d.child_in_need = match (d.child_in_need, protection) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                (None, Some(false)) if !self.cols.has(Field::ChildInNeed) => Some(false),
                _ => None,
            };
        }
        Ok((d, odd_sex))
    }

    fn count(
        &self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<Option<u32>, ImportError> {
        let Some(value) = self.cell(line, record, field)? else {
            return Ok(None);
        };
        values::parse_count(value)
            .map_err(|()| self.err(line, field, Problem::BadNumber(quoted(value))))
    }

    fn required_count(
        &self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<u32, ImportError> {
        self.count(line, record, field)?
            .ok_or_else(|| self.err(line, field, Problem::MissingValue))
    }

    fn session_cells(&self, line: usize, record: &[&str]) -> Result<SessionCells, ImportError> {
        Ok(SessionCells {
            possible: self.count(line, record, Field::Possible)?,
            attendance: self.count(line, record, Field::Attendance)?,
            present: self.count(line, record, Field::Present)?,
            approved: self.count(line, record, Field::Approved)?.unwrap_or(0),
            authorised: self.required_count(line, record, Field::Authorised)?,
            unauthorised: self.required_count(line, record, Field::Unauthorised)?,
        })
    }

    /// A summary row's totals as the DfE counts them: attendance is present + approved
    /// educational activity (or a column that already holds both), absence is
    /// authorised + unauthorised, and possible is attendance + absence. A file's possible
    /// sessions above that held unmarked sessions: warned, and left out. Below it: an
    /// error in a school's summary; in the DfE weekly file a warning, as the row is the
    /// DfE's own. Nothing a file computed (totals, percentages) is used unchecked.
    fn summary_counts(
        &mut self,
        line: usize,
        record: &[&str],
    ) -> Result<SessionCounts, ImportError> {
        let c = self.session_cells(line, record)?;
        let absence = c.authorised.saturating_add(c.unauthorised);
        let (present, approved) = match (c.attendance, c.present) {
            (Some(attendance), present) => {
                if c.approved > attendance {
                    return Err(self.err(
                        line,
                        Field::Approved,
                        Problem::ApprovedExceedsAttendance {
                            approved: c.approved,
                            attendance,
                        },
                    ));
                }
                let present_part = attendance - c.approved;
                if present.is_some_and(|p| p != present_part && p != attendance) {
                    self.present_mismatch.add(line);
                }
                (present_part, c.approved)
            }
            (None, Some(present)) => (present, c.approved),
            (None, None) => {
                // Only possible, authorised and unauthorised (the school census): the
                // attendance is what is left.
                let possible = c.possible.unwrap_or(0);
                let Some(attendance) = possible.checked_sub(absence) else {
                    return Err(self.totals_error(line, 0, c.authorised, c.unauthorised, possible));
                };
                if c.approved > attendance {
                    return Err(self.err(
                        line,
                        Field::Approved,
                        Problem::ApprovedExceedsAttendance {
                            approved: c.approved,
                            attendance,
                        },
                    ));
                }
                self.derived_attendance.add(line);
                (attendance - c.approved, c.approved)
            }
        };
        let attendance = present.saturating_add(approved);
        let total = attendance.saturating_add(absence);
        let mut no_mark = 0;
        if let Some(possible) = c.possible {
            if total > possible {
                if self.layout != Layout::DfeWeekly {
                    return Err(self.totals_error(
                        line,
                        attendance,
                        c.authorised,
                        c.unauthorised,
                        possible,
                    ));
                }
                self.over_totals.add(line);
            } else if total < possible {
                self.short_totals.add(line);
                no_mark = possible - total;
                self.unrecorded_sessions += u64::from(no_mark);
            }
        }
        if let Some(unrecorded) = self.count(line, record, Field::Unrecorded)? {
            no_mark = no_mark.max(unrecorded);
        }
        if let Some(absent) = self.count(line, record, Field::AbsenceTotal)?
            && absent != absence
        {
            self.absence_total.add(line);
        }
        self.check_percent(line, record, attendance, total)?;
        Ok(SessionCounts {
            possible: total,
            present,
            approved,
            authorised: c.authorised,
            unauthorised: c.unauthorised,
            no_mark,
            late_before_close: self
                .count(line, record, Field::LateBeforeClose)?
                .unwrap_or(0),
            late_after_close: self
                .count(line, record, Field::LateAfterClose)?
                .unwrap_or(0),
        })
    }

    fn totals_error(
        &self,
        line: usize,
        attendance: u32,
        authorised: u32,
        unauthorised: u32,
        possible: u32,
    ) -> ImportError {
        self.err(
            line,
            Field::Possible,
            Problem::TotalsExceedPossible {
                attendance,
                authorised,
                unauthorised,
                total: attendance
                    .saturating_add(authorised)
                    .saturating_add(unauthorised),
                possible,
            },
        )
    }

    /// Compares a file's own attendance percentage with the one worked out from the
    /// sessions, allowing for the percentage's rounding (its decimal places). Read as a
    /// percentage, or as a fraction of one; never used for any figure.
    fn check_percent(
        &mut self,
        line: usize,
        record: &[&str],
        attendance: u32,
        possible: u32,
    ) -> Result<(), ImportError> {
        let Some(value) = self.cell(line, record, Field::AttendancePercent)? else {
            return Ok(());
        };
        let text = value.trim_end_matches('%').trim();
        if text.is_empty() || possible == 0 {
            return Ok(());
        }
        let Ok(number) = text.parse::<f64>() else {
            self.percent_unread.add(line);
            return Ok(());
        };
        let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
        let exponent = i32::try_from(decimals.min(12)).unwrap_or(12);
        let tolerance = 0.5 * 10f64.powi(-exponent) + 1e-9;
        let computed = f64::from(attendance) / f64::from(possible) * 100.0;
        let as_percent = (number - computed).abs() <= tolerance;
        let as_fraction = (number * 100.0 - computed).abs() <= tolerance * 100.0;
        if !as_percent && !as_fraction {
            self.percent_mismatch.add(line);
        }
        Ok(())
    }

    fn summary_row(
        &mut self,
        line: usize,
        record: &[&str],
        pupil: usize,
    ) -> Result<(), ImportError> {
        let counts = self.summary_counts(line, record)?;
        let upn = self
            .pupils
            .get(pupil)
            .map(|p| p.0.clone())
            .ok_or_else(|| self.err(line, Field::Upn, Problem::BadUpn))?;
        self.summary.push(SummaryRow { line, upn, counts });
        Ok(())
    }

    fn date(
        &mut self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<NaiveDate, ImportError> {
        let value = self.required(line, record, field)?;
        // Exports list a pupil's sessions together, so the date often repeats.
        if self.last_date.0 == value {
            return Ok(self.last_date.1);
        }
        let d = match self.dates.get(value) {
            Some(d) => *d,
            None => {
                let d = values::parse_date(value)
                    .ok_or_else(|| self.err(line, field, Problem::BadDate(quoted(value))))?;
                if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
                    return Err(self.err(line, field, Problem::DateOutOfRange(quoted(value))));
                }
                self.dates.insert(value.to_owned(), d);
                d
            }
        };
        value.clone_into(&mut self.last_date.0);
        self.last_date.1 = d;
        Ok(d)
    }

    /// Reads a mark (see [`Code::read`]). An unknown code is counted, not refused at
    /// once, so the error can say how often each occurs; the mark stands as "no mark"
    /// meanwhile, and the file is refused when the rows are done.
    fn code(&mut self, line: usize, record: &[&str], field: Field) -> Result<Code, ImportError> {
        let value = self.cell(line, record, field)?.unwrap_or("");
        if let [b] = value.as_bytes()
            && let Some(code) = self.one_byte.get(usize::from(*b)).copied().flatten()
        {
            self.count_code(code, line);
            return Ok(code);
        }
        let (code, reading) = match self.codes.get(value).copied() {
            Some(found) => found,
            None => match Code::read(value, self.code_map) {
                Ok(found) => {
                    self.codes.insert(value.to_owned(), found);
                    found
                }
                Err(e) => {
                    self.unknown
                        .entry(quoted(&e.0))
                        .or_insert_with(|| (Tally::default(), field))
                        .0
                        .add(line);
                    return Ok(Code::NO_MARK);
                }
            },
        };
        if reading != Reading::National {
            self.mapped
                .entry(value.trim().to_owned())
                .or_insert_with(|| (code, reading, Tally::default()))
                .2
                .add(line);
        }
        self.count_code(code, line);
        Ok(code)
    }

    fn count_code(&mut self, code: Code, line: usize) {
        if code.is_legacy() {
            self.legacy.entry(code).or_default().add(line);
        }
        if code == Code::NO_MARK {
            self.no_mark.add(line);
        }
    }

    fn push_mark(&mut self, pupil: usize, mark: Mark, line: usize) {
        if let Some(marks) = self.marks.get_mut(pupil) {
            marks.push((mark, line));
        }
    }

    /// Takes in what a reader of a later part of the same file found.
    fn absorb(&mut self, later: Reader<'a>) -> Result<(), ImportError> {
        self.rows += later.rows;
        let odd = later.odd_sex;
        for (((upn, details, line), marks), odd_sex) in
            later.pupils.into_iter().zip(later.marks).zip(odd)
        {
            if let Some(&i) = self.index.get(&upn) {
                if let Some(held) = self.marks.get_mut(i) {
                    held.extend(marks);
                }
            } else {
                self.index.insert(upn.clone(), self.pupils.len());
                self.pupils.push((upn, details, line));
                self.marks.push(marks);
                self.odd_sex.push(odd_sex);
            }
        }
        self.summary.extend(later.summary);
        for (code, tally) in &later.legacy {
            self.legacy.entry(*code).or_default().merge(tally);
        }
        for (mark, (code, reading, tally)) in &later.mapped {
            self.mapped
                .entry(mark.clone())
                .or_insert_with(|| (*code, *reading, Tally::default()))
                .2
                .merge(tally);
        }
        for (mark, (tally, field)) in &later.unknown {
            self.unknown
                .entry(mark.clone())
                .or_insert_with(|| (Tally::default(), *field))
                .0
                .merge(tally);
        }
        for (mine, theirs) in [
            (&mut self.no_mark, &later.no_mark),
            (&mut self.short_totals, &later.short_totals),
            (&mut self.over_totals, &later.over_totals),
            (&mut self.absence_total, &later.absence_total),
            (&mut self.derived_attendance, &later.derived_attendance),
            (&mut self.present_mismatch, &later.present_mismatch),
            (&mut self.percent_mismatch, &later.percent_mismatch),
            (&mut self.percent_unread, &later.percent_unread),
            (&mut self.no_upn, &later.no_upn),
        ] {
            mine.merge(theirs);
        }
        self.unrecorded_sessions += later.unrecorded_sessions;
        self.weekly.absorb(later.weekly);
        Ok(())
    }

    /// Hands the weekly rows read so far, and the schools first named in them, to the
    /// stream, if there is one.
    fn hand_on(&mut self) -> Result<(), ImportError> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        let part = self.weekly.take_part();
        if (stream.sink)(part) {
            Ok(())
        } else {
            Err(ImportError::whole(self.file, Problem::Stopped))
        }
    }

    /// The unknown codes found, as an error naming the first one's line and column.
    fn unknown_codes_error(&self) -> Option<ImportError> {
        let mut codes: Vec<(&String, &(Tally, Field))> = self.unknown.iter().collect();
        codes.sort_by_key(|(_, (t, _))| t.first_line);
        let (_, (first, field)) = codes.first()?;
        let listed = codes
            .iter()
            .map(|(mark, (tally, _))| UnknownCodeCount {
                code: (mark.chars().count() <= 3).then(|| (*mark).clone()),
                count: tally.count,
                first_line: tally.first_line,
            })
            .collect();
        Some(self.err(first.first_line, *field, Problem::UnknownCodes(listed)))
    }

    fn finish(mut self, sha256: String) -> Result<ImportBatch, ImportError> {
        if let Some(e) = self.unknown_codes_error() {
            return Err(e);
        }
        if self.pupils.is_empty() && self.weekly.is_empty() {
            return Err(ImportError::whole(self.file, Problem::NoRows));
        }
        let mut warnings = self.warnings();
        let content = match self.layout {
            Layout::Details => BatchContent::Details,
            Layout::Summary => BatchContent::Summary(std::mem::take(&mut self.summary)),
            Layout::DfeWeekly => {
                if let Some((line, first)) = self.weekly.duplicate() {
                    return Err(self.err(line, Field::Upn, Problem::DuplicatePupil(first)));
                }
                self.hand_on()?;
                warnings.extend(self.weekly.warnings());
                BatchContent::Weekly(std::mem::take(&mut self.weekly).into_content())
            }
            Layout::MarksLong | Layout::MarksWide => {
                let mark_field = if self.layout == Layout::MarksLong {
                    Field::Mark
                } else {
                    Field::AmMark
                };
                let mut repeated = Tally::default();
                let mut all = Vec::with_capacity(self.pupils.len());
                for ((upn, _, first_line), mut marks) in
                    self.pupils.iter().zip(std::mem::take(&mut self.marks))
                {
                    // Exports are usually in date order already.
                    if !marks.is_sorted_by_key(|(m, line)| (m.date, m.session, *line)) {
                        marks.sort_by_key(|(m, line)| (m.date, m.session, *line));
                    }
                    let mut kept: Vec<Mark> = Vec::with_capacity(marks.len());
                    let mut prev: Option<(Mark, usize)> = None;
                    for (m, line) in marks {
                        if let Some((p, first)) = prev
                            && p.date == m.date
                            && p.session == m.session
                        {
                            if p.code != m.code {
                                return Err(self.err(
                                    line,
                                    mark_field,
                                    Problem::ConflictingMark {
                                        old: p.code.to_string(),
                                        new: m.code.to_string(),
                                        first_line: first,
                                    },
                                ));
                            }
                            repeated.add(line);
                            continue;
                        }
                        kept.push(m);
                        prev = Some((m, line));
                    }
                    all.push(PupilMarks {
                        upn: upn.clone(),
                        first_line: *first_line,
                        marks: kept,
                    });
                }
                if repeated.count > 0 {
                    warnings.push(Warning {
                        line: Some(repeated.first_line),
                        field: None,
                        message: format!(
                            "{} repeated marks (same pupil, date, session and code) counted once",
                            repeated.count
                        ),
                    });
                }
                BatchContent::Marks(all)
            }
        };
        Ok(ImportBatch {
            file_name: self.file.to_owned(),
            sha256,
            layout: self.layout,
            pupils: self.pupils,
            content,
            rows: self.rows,
            warnings,
            as_of: None,
        })
    }

    fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut tally = |t: &Tally, field: Option<String>, message: String| {
            if t.count > 0 {
                out.push(Warning {
                    line: Some(t.first_line),
                    field,
                    message,
                });
            }
        };
        for (code, t) in &self.legacy {
            let info = code.info();
            tally(
                t,
                None,
                format!(
                    "pre-2024 code {} ({}) counted as {}: {} mark{}",
                    code,
                    info.meaning,
                    info.category.describe(),
                    t.count,
                    plural(t.count)
                ),
            );
        }
        for (mark, (code, reading, t)) in &self.mapped {
            let info = code.info();
            tally(
                t,
                None,
                format!(
                    "code {mark:?} ({}) counted as {} ({}, {}): {} mark{}",
                    reading.describe(),
                    code,
                    info.meaning,
                    info.category.describe(),
                    t.count,
                    plural(t.count)
                ),
            );
        }
        tally(
            &self.no_mark,
            None,
            format!(
                "{} session{} not yet marked, left out of possible sessions",
                self.no_mark.count,
                plural(self.no_mark.count)
            ),
        );
        let possible = Some(self.cols.header(Field::Possible));
        tally(
            &self.short_totals,
            possible.clone(),
            format!(
                "{} pupil{} with attendance and absence below possible sessions ({}): {} unmarked session{} left out of possible sessions (attendance + absence is used as possible)",
                self.short_totals.count,
                plural(self.short_totals.count),
                self.short_totals.lines_text(),
                self.unrecorded_sessions,
                plural(usize::try_from(self.unrecorded_sessions).unwrap_or(2)),
            ),
        );
        tally(
            &self.over_totals,
            possible,
            format!(
                "{} row{} where attendance and absence add up to more than possible sessions ({}); attendance + absence is used as possible",
                self.over_totals.count,
                plural(self.over_totals.count),
                self.over_totals.lines_text()
            ),
        );
        tally(
            &self.absence_total,
            Some(self.cols.header(Field::AbsenceTotal)),
            format!(
                "{} row{} where the absence total is not authorised + unauthorised ({}); authorised + unauthorised is used",
                self.absence_total.count,
                plural(self.absence_total.count),
                self.absence_total.lines_text()
            ),
        );
        tally(
            &self.derived_attendance,
            possible_field(&self.cols),
            format!(
                "no attendance column: attendance worked out as possible − authorised − unauthorised for {} pupil{}",
                self.derived_attendance.count,
                plural(self.derived_attendance.count)
            ),
        );
        tally(
            &self.present_mismatch,
            Some(self.cols.header(Field::Present)),
            format!(
                "{} row{} where present + approved educational activity is not the attendance column ({}); the attendance column is used",
                self.present_mismatch.count,
                plural(self.present_mismatch.count),
                self.present_mismatch.lines_text()
            ),
        );
        tally(
            &self.percent_mismatch,
            Some(self.cols.header(Field::AttendancePercent)),
            format!(
                "{} row{} whose attendance percentage differs from the sessions by more than its rounding ({}); tsm-desk uses the sessions, never the percentage",
                self.percent_mismatch.count,
                plural(self.percent_mismatch.count),
                self.percent_mismatch.lines_text()
            ),
        );
        tally(
            &self.percent_unread,
            Some(self.cols.header(Field::AttendancePercent)),
            format!(
                "{} attendance percentage{} that are not numbers, ignored",
                self.percent_unread.count,
                plural(self.percent_unread.count)
            ),
        );
        let mut check_letter = Tally::default();
        let mut unknown_sex = Tally::default();
        for (i, (upn, _, line)) in self.pupils.iter().enumerate() {
            if !upn.check_letter_ok() {
                check_letter.add(*line);
            }
            if self.odd_sex.get(i).copied().unwrap_or(false) {
                unknown_sex.add(*line);
            }
        }
        check_letter.merge(&self.weekly.check_letter);
        unknown_sex.merge(&self.weekly.odd_sex);
        tally(
            &check_letter,
            Some(self.cols.header(Field::Upn)),
            format!(
                "{} UPN{} with a wrong check letter",
                check_letter.count,
                plural(check_letter.count)
            ),
        );
        tally(
            &self.no_upn,
            Some(self.cols.header(Field::Upn)),
            format!(
                "{} row{} without a UPN skipped",
                self.no_upn.count,
                plural(self.no_upn.count)
            ),
        );
        tally(
            &unknown_sex,
            Some(self.cols.header(Field::Sex)),
            format!(
                "{} pupil{} with an unrecognised sex, left blank",
                unknown_sex.count,
                plural(unknown_sex.count)
            ),
        );
        out
    }
}

/// The header of the possible-sessions column, for a warning about it.
fn possible_field(cols: &Columns) -> Option<String> {
    cols.has(Field::Possible)
        .then(|| cols.header(Field::Possible))
}

/// A hash map with a fast, non-cryptographic hasher for the per-row look-ups (dates,
/// codes, UPNs): the keys come from one file, so hash flooding is no concern.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The multiply-rotate hasher used by rustc (FxHash).
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_found_never_repeat_a_formula() {
        let found = found_headers(&[
            "UPN".to_owned(),
            "39-\"=1+2\"".to_owned(),
            "=cmd|' /C calc'!A0".to_owned(),
        ]);
        assert!(found.contains("UPN"), "{found}");
        assert!(!found.contains('='), "{found}");
        assert_eq!(found.matches("(a formula)").count(), 2, "{found}");
    }

    #[test]
    fn a_file_larger_than_any_export_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.csv");
        // A sparse file: 300 MB on paper, nothing on disk or in memory.
        std::fs::File::create(&path)
            .unwrap()
            .set_len(300 * 1024 * 1024)
            .unwrap();
        let err = read_file(&path, &ColumnMapping::default()).unwrap_err();
        assert_eq!(*err.problem, Problem::TooLarge(300 * 1024 * 1024));
        let text = err.to_string();
        assert!(text.starts_with("huge.csv: the file is 300 MB"), "{text}");
        assert!(text.contains("up to 256 MB"), "{text}");
    }

    const A: &str = "G820200125001";

    fn read(text: &str) -> Result<ImportBatch, ImportError> {
        read_bytes("t.csv", text.as_bytes().to_vec(), &ColumnMapping::default())
    }

    fn refused(text: &str) -> ImportError {
        match read(text) {
            Ok(_) => panic!("should be refused: {text:.80}"),
            Err(e) => e,
        }
    }

    /// Found by the fuzz run: a large quote-free marks file was split in two at its
    /// middle byte with `&str` slicing, which panicked when that byte was inside a
    /// character.
    #[test]
    fn a_large_file_splits_on_a_character_boundary() {
        for n in [600_000, 600_001] {
            let text = format!(
                "UPN,Date,Session,Mark,Note\n{A},01/09/2025,AM,/,{}\n{A},01/09/2025,PM,\\,x\n",
                "é".repeat(n)
            );
            assert!(text.len() >= PARALLEL_BYTES);
            let batch = read(&text).unwrap();
            let BatchContent::Marks(pupils) = &batch.content else {
                panic!("marks expected");
            };
            assert_eq!(pupils.first().map(|p| p.marks.len()), Some(2), "n = {n}");
        }
    }

    /// Found by the fuzz run: a huge cell was repeated whole in the message.
    #[test]
    fn huge_values_are_cut_in_messages() {
        let huge = "9".repeat(2_000_000);
        let e = refused(&format!("UPN,Date,AM Mark,PM Mark\n{A},{huge},/,\\\n"));
        let message = e.to_string();
        assert!(
            message.starts_with("t.csv, line 2, field Date: \"9999999999"),
            "{message:.200}"
        );
        assert!(message.contains("(2000000 characters)"), "{message:.200}");
        assert!(message.len() < 200, "{} characters", message.len());
        let e = refused(&format!(
            "UPN,Date,AM Mark,PM Mark\n{A},01/09/2025,{huge}Q,\\\n"
        ));
        assert!(e.to_string().len() < 200);
        assert!(matches!(*e.problem, Problem::UnknownCodes(_)));
    }

    /// Found by the fuzz run: a header row of many thousands of columns was listed in
    /// full in the "headers found" part of the message.
    #[test]
    fn the_headers_found_are_cut_in_messages() {
        let header: Vec<String> = (0..50_000).map(|i| format!("Column {i}")).collect();
        let e = refused(&format!("{}\n1,2\n", header.join(",")));
        let message = e.to_string();
        assert!(
            message.contains("headers found: Column 0, Column 1"),
            "{message}"
        );
        assert!(message.contains("more)"), "{message}");
        assert!(message.len() < 600, "{} characters", message.len());
    }

    #[test]
    fn formula_like_cells_are_refused_without_repeating_them() {
        let cases = [
            // (file, line, field)
            (
                format!("UPN,Forename,Surname\n{A},=cmd|' /C calc'!A0,Pupil\n"),
                "field Forename",
            ),
            (
                format!("UPN,Forename,Surname\n{A},Alpha,@SUM(1+1)*cmd|' /C calc'!A0\n"),
                "field Surname",
            ),
            (
                format!("UPN,Reg Group\n{A},+cmd|' /C calc'!A0\n"),
                "field Reg Group",
            ),
            (format!("UPN,Ethnicity\n{A},-2+3\n"), "field Ethnicity"),
            (
                "UPN,Surname\n=HYPERLINK(\"x\"),Pupil\n".to_owned(),
                "field UPN",
            ),
            (
                format!("UPN,Date,Session,Mark\n{A},=TODAY(),AM,/\n"),
                "field Date",
            ),
            (
                format!("UPN,Date,Session,Mark\n{A},01/09/2025,AM,=N\n"),
                "field Mark",
            ),
            (
                format!(
                    "UPN,Possible Sessions,Present,Authorised Absences,Unauthorised Absences\n{A},=1+2,1,0,0\n"
                ),
                "field Possible Sessions",
            ),
        ];
        for (text, field) in cases {
            let e = refused(&text);
            let message = e.to_string();
            assert_eq!(*e.problem, Problem::Formula, "{message}");
            assert!(
                message.starts_with(&format!("t.csv, line 2, {field}: looks like a spreadsheet formula; tsm-desk does not import formulas")),
                "{message}"
            );
            for payload in ["cmd", "SUM", "2+3", "HYPERLINK", "TODAY", "=N", "1+2"] {
                assert!(!message.contains(payload), "{message}");
            }
        }
    }

    #[test]
    fn signs_that_are_not_formulas_still_read() {
        for plain in [
            "-", "-1", "+5", "-1.5", "--", "-Smith", "O'Brien", "Zoë", "7A",
        ] {
            assert!(!looks_like_formula(plain), "{plain}");
        }
        for formula in ["=1", "@A1", "+A1", "-2+3", "+cmd|' /C calc'!A0", "-1)", "="] {
            assert!(looks_like_formula(formula), "{formula}");
        }
        // `-` is the no-mark code, and a negative count is still a bad number.
        let batch = read(&format!("UPN,Date,AM Mark,PM Mark\n{A},01/09/2025,-,/\n")).unwrap();
        assert!(
            batch
                .warnings
                .iter()
                .any(|w| w.message.contains("1 session not yet marked"))
        );
        let e = refused(&format!(
            "UPN,Possible Sessions,Present,Authorised Absences,Unauthorised Absences\n{A},-1,1,0,0\n"
        ));
        assert_eq!(*e.problem, Problem::BadNumber("-1".into()));
    }

    #[test]
    fn session_dates_outside_the_supported_years_are_refused() {
        for (date, ok) in [
            ("01/09/2025", true),
            ("01/01/2000", true),
            ("31/12/2099", true),
            ("31/12/1999", false),
            ("14/10/1066", false),
            ("0001-01-01", false),
            ("31-Dec-9999", false),
        ] {
            let result = read(&format!("UPN,Date,AM Mark,PM Mark\n{A},{date},/,\\\n"));
            match result {
                Ok(_) => assert!(ok, "{date} should be refused"),
                Err(e) => {
                    assert!(!ok, "{date}: {e}");
                    assert_eq!(
                        e.to_string(),
                        format!(
                            "t.csv, line 2, field Date: \"{date}\" is outside the years 2000 to 2099"
                        )
                    );
                }
            }
        }
    }

    /// Found by the fuzz run: a header row with a UPN and nothing else known gave
    /// "missing columns  for the details layout", naming no column.
    #[test]
    fn a_upn_alone_is_explained() {
        let e = refused(&format!("UPN,Notes\n{A},x\n"));
        assert_eq!(
            e.to_string(),
            "t.csv, line 1: no column besides UPN that tsm-desk reads: a pupil details file needs at least one more, such as Surname, Year Group or Date of Birth (headers found: UPN, Notes)"
        );
    }

    #[test]
    fn excerpts_keep_short_values_and_cut_long_ones() {
        assert_eq!(quoted("ZZ"), "ZZ");
        assert_eq!(quoted(&"é".repeat(40)), "é".repeat(40));
        assert_eq!(
            quoted(&"é".repeat(41)),
            format!("{}... (41 characters)", "é".repeat(40))
        );
    }
}
