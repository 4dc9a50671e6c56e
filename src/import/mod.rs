//! Import adapters: school MIS exports (CSV or XLSX) read into checked
//! [`ImportBatch`]es. Nothing here touches the database: a file either becomes a whole
//! batch or an [`ImportError`] naming the file, line and field.
//!
//! Five layouts are understood (see [`Layout`]): the DfE weekly pupil-level file (many
//! schools in one file), pupil summaries, session marks in long form (one row per
//! session) or wide form (AM and PM marks side by side), and pupil details. Any layout
//! may also carry pupil details, which are joined by UPN.

pub mod columns;
mod error;
mod fxhash;
mod preview;
pub mod published;
mod reader;
mod table;
mod values;
mod weekly;

pub use columns::{ColumnMapping, Columns, Field};
pub use error::{ImportError, Problem, UnknownCodeCount};
use fxhash::FastMap;
pub use preview::{Preview, SchoolsInFile, preview};

use crate::domain::pupil::parse_yes_no_unknown;
use crate::domain::{
    BatchContent, Code, CodeMap, ImportBatch, Layout, Mark, PupilDetails, PupilMarks, Reading,
    SenStatus, Session, SessionCounts, Sex, SummaryRow, Upn, Warning, WeeklyPart, YearGroup,
};
use chrono::{Datelike as _, NaiveDate};
use columns::DETAIL_FIELDS;
use reader::Reader;
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use table::{Table, split_lines};

/// How many rows at the top of a file may come before the header row (report titles
/// and blank lines that some MIS exports add).
const HEADER_SEARCH_ROWS: usize = 10;

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

/// The header of the possible-sessions column, for a warning about it.
fn possible_field(cols: &Columns) -> Option<String> {
    cols.has(Field::Possible)
        .then(|| cols.header(Field::Possible))
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
