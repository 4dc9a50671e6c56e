//! Import adapters: school MIS exports (CSV or XLSX) read into checked
//! [`ImportBatch`]es. Nothing here touches the database: a file either becomes a whole
//! batch or an [`ImportError`] naming the file, line and field.
//!
//! Four layouts are understood (see [`Layout`]): pupil summaries, session marks in
//! long form (one row per session) or wide form (AM and PM marks side by side), and
//! pupil details. Any layout may also carry pupil details, which are joined by UPN.

pub mod columns;
mod preview;
mod table;
mod values;

pub use columns::{ColumnMapping, Columns, Field};
pub use preview::{Preview, preview};

use crate::domain::codes::UnknownCode;
use crate::domain::pupil::parse_yes_no;
use crate::domain::{
    BatchContent, Code, ImportBatch, Layout, Mark, PupilDetails, PupilMarks, SenStatus, Session,
    SessionCounts, Sex, SummaryRow, Upn, Warning, YearGroup,
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
    /// An attendance code that is neither current nor legacy.
    #[error(transparent)]
    UnknownCode(#[from] UnknownCode),
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

/// Reads and checks one file.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_file(path: &Path, mapping: &ColumnMapping) -> Result<ImportBatch, ImportError> {
    let name = base_name(path);
    // Refused before reading: a multi-gigabyte file would fill the memory first.
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(ImportError::whole(&name, Problem::TooLarge(meta.len())));
    }
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::whole(&name, Problem::Io(e.to_string())))?;
    read_bytes(&name, bytes, mapping)
}

/// Reads and checks a file's bytes; `file_name` is used in messages and records.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_bytes(
    file_name: &str,
    bytes: Vec<u8>,
    mapping: &ColumnMapping,
) -> Result<ImportBatch, ImportError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(ImportError::whole(file_name, Problem::TooLarge(size)));
    }
    // Hash a copy on a second core while this one reads the rows.
    let copy = bytes.clone();
    let hasher = std::thread::Builder::new()
        .name("tsm-import-hash".into())
        .spawn(move || hex(&sha2::Sha256::digest(&copy)));
    let table = Table::from_bytes(file_name, bytes)?;
    let mut reader: Option<Reader<'_>> = None;
    let mut first_headers: Option<(usize, Vec<String>)> = None;
    let mut seen = 0usize;
    // Large quote-free marks files are read in two halves on two cores once the header
    // is known; `header_line` says where the rows start.
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
            reader = Some(Reader::new(file_name, cols, layout));
            if split_text.is_some() && layout.has_marks() {
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
    let sha256 = match hasher {
        Ok(handle) => handle.join().map_err(|_| {
            ImportError::whole(file_name, Problem::Io("hashing the file failed".into()))
        })?,
        Err(e) => return Err(ImportError::whole(file_name, Problem::Io(e.to_string()))),
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
    let mut second = Reader::new(first.file, first.cols.clone(), first.layout);
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
    first.absorb(second);
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
    let missing: Vec<String> = cols
        .missing_for(layout)
        .iter()
        .map(|f| f.label().to_owned())
        .collect();
    let found = found_headers(&headers);
    if missing.is_empty() {
        // A UPN column and nothing else tsm-desk reads: no layout to name a column for.
        return ImportError::at(file, line, None, Problem::OnlyUpn { found });
    }
    let field = missing.first().cloned();
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

/// A warning that may happen on many lines, reported once with a count.
#[derive(Default)]
struct Tally {
    count: usize,
    first_line: usize,
}

impl Tally {
    /// Adds the counts of a later part of the same file.
    fn merge(&mut self, later: &Tally) {
        if later.count > 0 {
            if self.count == 0 {
                self.first_line = later.first_line;
            }
            self.count += later.count;
        }
    }

    fn add(&mut self, line: usize) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
    }
}

/// Walks a file's rows once its header is known.
struct Reader<'a> {
    file: &'a str,
    cols: Columns,
    layout: Layout,
    pupils: Vec<(Upn, PupilDetails, usize)>,
    index: FastMap<Upn, usize>,
    last_upn: (String, usize),
    summary: Vec<SummaryRow>,
    marks: Vec<Vec<(Mark, usize)>>,
    dates: FastMap<String, NaiveDate>,
    last_date: (String, NaiveDate),
    codes: FastMap<String, Code>,
    /// Single-character marks by byte, either case: the common codes without hashing.
    one_byte: [Option<Code>; 128],
    rows: usize,
    legacy: BTreeMap<Code, Tally>,
    no_mark: Tally,
    short_totals: Tally,
    no_upn: Tally,
    /// Per pupil (parallel to `pupils`): a sex given but not recognised.
    odd_sex: Vec<bool>,
}

impl<'a> Reader<'a> {
    fn new(file: &'a str, cols: Columns, layout: Layout) -> Self {
        Reader {
            file,
            cols,
            layout,
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
            no_mark: Tally::default(),
            short_totals: Tally::default(),
            no_upn: Tally::default(),
            odd_sex: Vec::new(),
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
        let value = record.get(i).copied().unwrap_or("").trim();
        if looks_like_formula(value) {
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
        let pupil = self.pupil(line, upn_cell, record)?;
        match self.layout {
            Layout::Details => Ok(()),
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

    /// The pupil details on a row, and whether a sex was given but not recognised.
    fn details(&self, line: usize, record: &[&str]) -> Result<(PupilDetails, bool), ImportError> {
        let mut d = PupilDetails::default();
        let mut odd_sex = false;
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
            match field {
                Field::Forename => d.forename = text(),
                Field::Surname => d.surname = text(),
                Field::RegGroup => d.reg_group = text(),
                Field::Ethnicity => d.ethnicity = text(),
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
                Field::Sen => {
                    d.sen = Some(
                        SenStatus::parse(value).ok_or_else(|| bad("an SEN status (N, K or E)"))?,
                    )
                }
                Field::Fsm | Field::Eal | Field::LookedAfter | Field::ChildInNeed => {
                    let yes = parse_yes_no(value).ok_or_else(|| bad("Y or N"))?;
                    match field {
                        Field::Fsm => d.fsm = Some(yes),
                        Field::Eal => d.eal = Some(yes),
                        Field::LookedAfter => d.looked_after = Some(yes),
                        _ => d.child_in_need = Some(yes),
                    }
                }
                _ => {}
            }
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

    fn summary_row(
        &mut self,
        line: usize,
        record: &[&str],
        pupil: usize,
    ) -> Result<(), ImportError> {
        let possible = self.required_count(line, record, Field::Possible)?;
        let present = self.required_count(line, record, Field::Attendance)?;
        let approved = self.count(line, record, Field::Approved)?.unwrap_or(0);
        let authorised = self.required_count(line, record, Field::Authorised)?;
        let unauthorised = self.required_count(line, record, Field::Unauthorised)?;
        let late_before_close = self
            .count(line, record, Field::LateBeforeClose)?
            .unwrap_or(0);
        let late_after_close = self
            .count(line, record, Field::LateAfterClose)?
            .unwrap_or(0);
        let attendance = present.saturating_add(approved);
        let total = attendance
            .saturating_add(authorised)
            .saturating_add(unauthorised);
        if total > possible {
            return Err(self.err(
                line,
                Field::Possible,
                Problem::TotalsExceedPossible {
                    attendance,
                    authorised,
                    unauthorised,
                    total,
                    possible,
                },
            ));
        }
        if total < possible {
            self.short_totals.add(line);
        }
        let upn = self
            .pupils
            .get(pupil)
            .map(|p| p.0.clone())
            .ok_or_else(|| self.err(line, Field::Upn, Problem::BadUpn))?;
        let counts = SessionCounts {
            possible,
            present,
            approved,
            authorised,
            unauthorised,
            no_mark: possible - total,
            late_before_close,
            late_after_close,
        };
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

    fn code(&mut self, line: usize, record: &[&str], field: Field) -> Result<Code, ImportError> {
        let value = self.cell(line, record, field)?.unwrap_or("");
        let single = match value.as_bytes() {
            [b] => self.one_byte.get(usize::from(*b)).copied().flatten(),
            _ => None,
        };
        let code = match single.or_else(|| self.codes.get(value).copied()) {
            Some(c) => c,
            None => {
                let c = Code::parse(value).map_err(|e| {
                    self.err(line, field, Problem::UnknownCode(UnknownCode(quoted(&e.0))))
                })?;
                self.codes.insert(value.to_owned(), c);
                c
            }
        };
        if code.is_legacy() {
            self.legacy.entry(code).or_default().add(line);
        }
        if code == Code::NO_MARK {
            self.no_mark.add(line);
        }
        Ok(code)
    }

    fn push_mark(&mut self, pupil: usize, mark: Mark, line: usize) {
        if let Some(marks) = self.marks.get_mut(pupil) {
            marks.push((mark, line));
        }
    }

    /// Takes in what a reader of a later part of the same file found.
    fn absorb(&mut self, later: Reader<'a>) {
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
        self.no_mark.merge(&later.no_mark);
        self.short_totals.merge(&later.short_totals);
        self.no_upn.merge(&later.no_upn);
    }

    fn finish(mut self, sha256: String) -> Result<ImportBatch, ImportError> {
        if self.pupils.is_empty() {
            return Err(ImportError::whole(self.file, Problem::NoRows));
        }
        let mut warnings = self.warnings();
        let content = match self.layout {
            Layout::Details => BatchContent::Details,
            Layout::Summary => BatchContent::Summary(std::mem::take(&mut self.summary)),
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
        tally(
            &self.no_mark,
            None,
            format!(
                "{} session{} with no mark recorded, counted as possible, not as absence",
                self.no_mark.count,
                plural(self.no_mark.count)
            ),
        );
        tally(
            &self.short_totals,
            Some(self.cols.header(Field::Possible)),
            format!(
                "{} pupil{} with attendance and absence below possible sessions; the difference is counted as no mark recorded",
                self.short_totals.count,
                plural(self.short_totals.count)
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
        assert!(matches!(*e.problem, Problem::UnknownCode(_)));
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
        assert!(batch.warnings.iter().any(|w| w.message.contains("no mark")));
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
