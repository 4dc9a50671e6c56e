//! Turning a file's bytes into rows of text cells: CSV in UTF-8 (with or without BOM),
//! UTF-16 with BOM or Windows-1252, comma, tab or semicolon separated; or the first
//! sheet of an XLSX/XLS/ODS workbook.

use super::{ImportError, Problem};
use calamine::{Data, Reader as _};
use chrono::NaiveDate;
use csv::StringRecord;
use std::io::Cursor;

/// The rows of a file, ready to be walked.
pub(crate) enum Table {
    /// Decoded CSV text, its delimiter, and whether it holds any quote character (if
    /// not, lines can be split without a CSV parser).
    Csv {
        text: String,
        delimiter: u8,
        quoted: bool,
    },
    /// A worksheet's used cells as text: each row's 1-based number and its non-empty
    /// cells as (0-based column, text), rows and cells in order. Kept sparse, so a
    /// stray cell far out on the sheet costs one entry, not a row or column of blanks.
    Sheet(Vec<(usize, Vec<(usize, String)>)>),
}

impl Table {
    /// Reads bytes as a spreadsheet (by signature) or as delimited text.
    pub(crate) fn from_bytes(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
        if bytes.is_empty() {
            return Err(ImportError::whole(file, Problem::Empty));
        }
        let zip = bytes.starts_with(b"PK\x03\x04");
        let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        if zip || ole {
            return read_sheet(file, bytes);
        }
        let mut text = decode(file, bytes)?;
        if has_lone_cr(&text) {
            // Old Mac line ends (CR alone), which the CSV reader takes as line ends
            // too: read them so on both paths, and count lines on LF.
            text = text.replace("\r\n", "\n").replace('\r', "\n");
        }
        let quoted = text.contains('"');
        if quoted && text.contains("\r\n") {
            // The CSV reader's line numbers drift on CRLF; count lines on LF alone. (The
            // quote-free path strips CRs itself.)
            text = text.replace("\r\n", "\n");
        }
        let delimiter = sniff_delimiter(&text);
        Ok(Table::Csv {
            text,
            delimiter,
            quoted,
        })
    }

    /// The decoded text and delimiter of a CSV file with no quote characters, whose
    /// lines can be split (and read in parts) without a CSV parser.
    pub(crate) fn quote_free(&self) -> Option<(&str, u8)> {
        match self {
            Table::Csv {
                text,
                delimiter,
                quoted: false,
            } => Some((text, *delimiter)),
            _ => None,
        }
    }

    /// Calls `f` with each record's cells and its line number, until it returns
    /// `false`.
    pub(crate) fn for_each(
        &self,
        file: &str,
        mut f: impl FnMut(usize, &[&str]) -> Result<bool, ImportError>,
    ) -> Result<(), ImportError> {
        match self {
            Table::Csv {
                text,
                delimiter,
                quoted: false,
            } => {
                // No quoting anywhere: a line is a record, split on the delimiter. This is
                // the common case for MIS exports and several times faster than the
                // general CSV reader.
                split_lines(text, *delimiter, 1, f)
            }
            Table::Csv {
                text, delimiter, ..
            } => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(*delimiter)
                    .from_reader(text.as_bytes());
                let mut record = StringRecord::new();
                loop {
                    let line = usize::try_from(reader.position().line()).unwrap_or(0);
                    match reader.read_record(&mut record) {
                        Ok(true) => {}
                        Ok(false) => return Ok(()),
                        Err(e) => {
                            let at = e
                                .position()
                                .map_or(line, |p| usize::try_from(p.line()).unwrap_or(0));
                            return Err(ImportError::at(
                                file,
                                at,
                                None,
                                Problem::Csv(super::excerpt(&e.to_string(), 300)),
                            ));
                        }
                    }
                    let line = record
                        .position()
                        .map_or(line, |p| usize::try_from(p.line()).unwrap_or(0));
                    let cells: Vec<&str> = record.iter().collect();
                    if !f(line, &cells)? {
                        return Ok(());
                    }
                }
            }
            Table::Sheet(rows) => {
                let mut cells: Vec<&str> = Vec::new();
                for (line, row) in rows {
                    cells.clear();
                    // Blanks keep each cell in its column.
                    for (col, text) in row {
                        cells.resize(*col, "");
                        cells.push(text);
                    }
                    if !f(*line, &cells)? {
                        return Ok(());
                    }
                }
                Ok(())
            }
        }
    }
}

/// Whether `text` has a carriage return not followed by a line feed.
fn has_lone_cr(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Most files have no CR at all, or CRLF throughout: look only where CRs are (a
    // fast search), not at every byte.
    text.match_indices('\r')
        .any(|(i, _)| bytes.get(i + 1) != Some(&b'\n'))
}

/// Calls `f` with the cells of each line of quote-free `text`, numbering lines from
/// `first_line`, until it returns `false`.
pub(crate) fn split_lines(
    text: &str,
    delimiter: u8,
    first_line: usize,
    mut f: impl FnMut(usize, &[&str]) -> Result<bool, ImportError>,
) -> Result<(), ImportError> {
    let mut cells: Vec<&str> = Vec::new();
    let mut line = first_line;
    let mut cell_start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        // Both bytes are ASCII, so these are character boundaries.
        if b == delimiter {
            cells.push(&text[cell_start..i]);
            cell_start = i + 1;
        } else if b == b'\n' {
            let last = &text[cell_start..i];
            cells.push(last.strip_suffix('\r').unwrap_or(last));
            cell_start = i + 1;
            if !f(line, &cells)? {
                return Ok(());
            }
            cells.clear();
            line += 1;
        }
    }
    if cell_start < text.len() {
        let last = &text[cell_start..];
        cells.push(last.strip_suffix('\r').unwrap_or(last));
        f(line, &cells)?;
    }
    Ok(())
}

/// Decodes text: a UTF-8 BOM is dropped, UTF-16 with a BOM is decoded, valid UTF-8 is
/// taken as it is, and anything else is read as Windows-1252 (what Excel on Windows
/// writes for "CSV"). Bytes that make no sense as text in any of these are refused.
fn decode(file: &str, bytes: Vec<u8>) -> Result<String, ImportError> {
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(&bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            return Err(ImportError::whole(
                file,
                Problem::Encoding(format!("invalid {} text", encoding.name())),
            ));
        }
        return check_text(file, text.into_owned());
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.into_bytes();
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(&bytes);
            text.into_owned()
        }
    };
    check_text(file, text)
}

/// Refuses text with control characters (NUL bytes from UTF-16 without a BOM, binary
/// files, undefined Windows-1252 bytes), naming the line of the first.
fn check_text(file: &str, text: String) -> Result<String, ImportError> {
    // A byte scan: C0 controls other than tab, CR and LF; DEL; and C1 controls, which
    // UTF-8 writes as C2 80..C2 9F.
    let bytes = text.as_bytes();
    // Bytes worth a second look, found with one table lookup a byte (a county's weekly
    // file is tens of megabytes).
    let mut look = [false; 256];
    for b in (0u8..0x20).chain([0x7F, 0xC2]) {
        look[usize::from(b)] = true;
    }
    let bad = bytes.iter().enumerate().position(|(i, &b)| {
        look[usize::from(b)]
            && match b {
                b'\t' | b'\r' | b'\n' => false,
                0xC2 => bytes.get(i + 1).is_some_and(|n| (0x80..=0x9F).contains(n)),
                _ => true,
            }
    });
    if let Some(at) = bad {
        let c = text[at..].chars().next().unwrap_or('\0');
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let what = if c == '\0' {
            "NUL bytes: is it UTF-16 without a byte-order mark, or not a text file?".to_owned()
        } else {
            format!(
                "control character U+{:04X}: the file is not UTF-8, UTF-16 or Windows-1252 text",
                u32::from(c)
            )
        };
        return Err(ImportError::at(file, line, None, Problem::Encoding(what)));
    }
    Ok(text)
}

/// Picks the delimiter that appears most often, outside quotes, in the first lines.
fn sniff_delimiter(text: &str) -> u8 {
    let sample: String = text.lines().take(5).collect::<Vec<_>>().join("\n");
    let mut counts = [(b',', 0usize), (b'\t', 0), (b';', 0)];
    let mut quoted = false;
    for b in sample.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in &mut counts {
                if b == *d {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(b',', |(d, _)| *d)
}

/// Excel's last row and column (1-based): cells beyond them are a damaged workbook.
const MAX_ROWS: u32 = 1_048_576;
const MAX_COLUMNS: u32 = 16_384;
/// The most cells (counting the blanks before each row's last cell) a sheet may spread
/// over: ample for any export (a million marks in four columns is four million), small
/// enough that a stray far-out cell on every row cannot exhaust memory.
const MAX_SHEET_CELLS: usize = 32_000_000;

fn read_sheet(file: &str, bytes: Vec<u8>) -> Result<Table, ImportError> {
    // calamine can panic on a damaged workbook (with overflow checks on, a cell
    // reference like `AAAAAAAAAAAA7` overflows its column arithmetic): a panic there is
    // one more unreadable file, not the end of the import thread.
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sheet_cells(file, &bytes)));
    let cells = read.unwrap_or_else(|_| {
        Err(ImportError::whole(
            file,
            Problem::Spreadsheet("the workbook is damaged (its cells could not be read)".into()),
        ))
    })?;
    sheet_rows(file, cells)
}

/// Every non-empty cell of a workbook's first sheet as (0-based row, column, text).
fn sheet_cells(file: &str, bytes: &[u8]) -> Result<Vec<(u32, u32, String)>, ImportError> {
    let spreadsheet = |e: &dyn std::fmt::Display| {
        ImportError::whole(
            file,
            Problem::Spreadsheet(super::excerpt(&e.to_string(), 300)),
        )
    };
    let no_sheets = || {
        ImportError::whole(
            file,
            Problem::Spreadsheet("the workbook has no sheets".into()),
        )
    };
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    let xlsx = if bytes.starts_with(b"PK\x03\x04") {
        calamine::Xlsx::new(Cursor::new(bytes)).ok()
    } else {
        None
    };
    if let Some(mut xlsx) = xlsx {
        // XLSX cells are streamed: calamine's `Range` would allocate every cell of the
        // used rectangle, so a workbook with cells at A1 and XFD1048576 would ask for
        // seventeen billion of them.
        let name = xlsx.sheet_names().first().cloned().ok_or_else(no_sheets)?;
        let mut reader = xlsx
            .worksheet_cells_reader(&name)
            .map_err(|e| spreadsheet(&e))?;
        while let Some(cell) = reader.next_cell().map_err(|e| spreadsheet(&e))? {
            let (row, col) = cell.get_position();
            let text = cell_text(&Data::from(cell.get_value().clone()));
            if !text.is_empty() {
                cells.push((row, col, text));
            }
        }
    } else {
        // XLS and ODS (whose readers bound their own sizes) and XLSB.
        let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
            .map_err(|e| spreadsheet(&e))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or_else(no_sheets)?
            .map_err(|e| spreadsheet(&e))?;
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        for (r, c, cell) in range.used_cells() {
            let text = cell_text(cell);
            if !text.is_empty() {
                let row = first_row.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
                let col = first_col.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
                cells.push((row, col, text));
            }
        }
    }
    Ok(cells)
}

/// Groups cells (0-based row, column, text) into the sparse rows of a [`Table::Sheet`],
/// refusing cells off the sheet and sheets spread over too many cells. A cell given
/// twice keeps its last value.
fn sheet_rows(file: &str, mut cells: Vec<(u32, u32, String)>) -> Result<Table, ImportError> {
    if let Some((row, col, _)) = cells
        .iter()
        .find(|(row, col, _)| *row >= MAX_ROWS || *col >= MAX_COLUMNS)
    {
        return Err(ImportError::whole(
            file,
            Problem::Spreadsheet(format!(
                "a cell (row {}, column {}) lies beyond Excel's {MAX_ROWS} rows and {MAX_COLUMNS} columns",
                u64::from(*row) + 1,
                u64::from(*col) + 1
            )),
        ));
    }
    // Stable, so of two cells at one place the later stays later.
    cells.sort_by_key(|(row, col, _)| (*row, *col));
    let mut rows: Vec<(usize, Vec<(usize, String)>)> = Vec::new();
    let mut spread = 0usize;
    for (row, col, text) in cells {
        let line = row as usize + 1;
        let col = col as usize;
        match rows.last_mut() {
            Some((l, cells)) if *l == line => match cells.last_mut() {
                Some((c, t)) if *c == col => *t = text,
                _ => {
                    spread += col - cells.last().map_or(0, |(c, _)| c + 1) + 1;
                    cells.push((col, text));
                }
            },
            _ => {
                spread += col + 1;
                rows.push((line, vec![(col, text)]));
            }
        }
        if spread > MAX_SHEET_CELLS {
            return Err(ImportError::whole(file, Problem::SheetTooLarge(spread)));
        }
    }
    Ok(Table::Sheet(rows))
}

/// A cell as the text a CSV export would hold: whole numbers without `.0`, dates as
/// `yyyy-mm-dd`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "Y" } else { "N" }.to_owned(),
        Data::DateTime(dt) => excel_date(dt.as_f64()).map_or_else(
            || dt.as_f64().to_string(),
            |d| d.format("%Y-%m-%d").to_string(),
        ),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel serial date (1900 date system) as a date.
fn excel_date(serial: f64) -> Option<NaiveDate> {
    let days = serial.floor();
    if !(1.0..2_958_466.0).contains(&days) {
        return None;
    }
    // Serial 1 is 1900-01-01, and Excel counts a 29 February 1900 that never was.
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 61.0 { days + 1.0 } else { days };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "range checked above"
    )]
    base.checked_add_days(chrono::Days::new(days as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line (number and cells) of a table.
    fn lines_of(table: &Table) -> Vec<(usize, Vec<String>)> {
        let mut out = Vec::new();
        table
            .for_each("t.csv", |line, cells| {
                out.push((line, cells.iter().map(|c| (*c).to_owned()).collect()));
                Ok(true)
            })
            .unwrap();
        out
    }

    #[test]
    fn cr_only_line_ends_are_line_ends_with_or_without_quotes() {
        for quoted in [false, true] {
            let lf = if quoted {
                "UPN,Name\nA1,\"Smith, J\"\nA2,Jones\n"
            } else {
                "UPN,Name\nA1,Smith\nA2,Jones\n"
            };
            let want = lines_of(&Table::from_bytes("t.csv", lf.as_bytes().to_vec()).unwrap());
            assert_eq!(want.len(), 3);
            assert_eq!(want[2], (3, vec!["A2".to_owned(), "Jones".to_owned()]));
            for ends in ["\r", "\r\n"] {
                let text = lf.replace('\n', ends);
                let table = Table::from_bytes("t.csv", text.into_bytes()).unwrap();
                assert_eq!(table.quote_free().is_some(), !quoted);
                assert_eq!(lines_of(&table), want, "{ends:?} quoted {quoted}");
            }
        }
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3"), b';');
    }

    #[test]
    fn encodings_are_decoded() {
        assert_eq!(
            decode("f", b"\xEF\xBB\xBFUPN,Name".to_vec()).unwrap(),
            "UPN,Name"
        );
        assert_eq!(decode("f", b"Z\xF6e".to_vec()).unwrap(), "Zöe");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("UPN".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode("f", utf16).unwrap(), "UPN");
        let no_bom: Vec<u8> = "UPN\nX".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let err = decode("f", no_bom).unwrap_err();
        assert!(err.to_string().contains("NUL"), "{err}");
    }

    fn sheet_cells(table: &Table) -> Vec<(usize, Vec<String>)> {
        let mut out = Vec::new();
        table
            .for_each("t.xlsx", |line, cells| {
                out.push((line, cells.iter().map(|c| (*c).to_owned()).collect()));
                Ok(true)
            })
            .unwrap();
        out
    }

    /// Found by the fuzz run: calamine's `Range` allocates every cell of the used
    /// rectangle, so one stray cell at XFD1048576 asked for seventeen billion cells
    /// (an abort, not an error). Cells are now streamed and kept sparse.
    #[test]
    fn a_far_out_cell_costs_one_cell() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "UPN").unwrap();
        ws.write_string(0, 2, "Surname").unwrap();
        ws.write_string(1, 0, "G820200125001").unwrap();
        ws.write_number(1, 2, 7.0).unwrap();
        ws.write_string(1_048_575, 16_383, "far").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let table = Table::from_bytes("t.xlsx", bytes).unwrap();
        let rows = sheet_cells(&table);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0],
            (1, vec!["UPN".into(), String::new(), "Surname".into()])
        );
        assert_eq!(
            rows[1],
            (2, vec!["G820200125001".into(), String::new(), "7".into()])
        );
        assert_eq!(rows[2].0, 1_048_576);
        assert_eq!(rows[2].1.len(), 16_384);
        assert_eq!(rows[2].1.last().map(String::as_str), Some("far"));
    }

    #[test]
    fn cells_off_the_sheet_or_spread_too_wide_are_refused() {
        let e = sheet_rows(
            "t.xlsx",
            vec![(0, 0, "UPN".into()), (MAX_ROWS, 0, "x".into())],
        )
        .err()
        .unwrap();
        assert_eq!(
            e.to_string(),
            "t.xlsx: not a readable spreadsheet: a cell (row 1048577, column 1) lies beyond Excel's 1048576 rows and 16384 columns"
        );
        let wide: Vec<(u32, u32, String)> = (0..3_000).map(|r| (r, 16_000, "x".into())).collect();
        let e = sheet_rows("t.xlsx", wide).err().unwrap();
        assert!(
            matches!(*e.problem, Problem::SheetTooLarge(n) if n > MAX_SHEET_CELLS),
            "{e}"
        );
        // A cell given twice keeps its last value.
        let table = sheet_rows("t.xlsx", vec![(0, 1, "a".into()), (0, 1, "b".into())]).unwrap();
        assert_eq!(
            sheet_cells(&table),
            vec![(1, vec![String::new(), "b".into()])]
        );
    }

    /// A real formula cell is read as the value it last showed (calamine reads the
    /// cached value, not the formula); one whose value looks like a formula is refused
    /// by the reader like any formula-like text.
    #[test]
    fn formula_cells_read_as_their_values() {
        use rust_xlsxwriter::Formula;
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "UPN").unwrap();
        ws.write_string(0, 1, "Surname").unwrap();
        ws.write_string(0, 2, "Reg Group").unwrap();
        ws.write_formula(
            1,
            0,
            Formula::new("=\"G820200125001\"").set_result("G820200125001"),
        )
        .unwrap();
        ws.write_formula(1, 1, Formula::new("=cmd|' /C calc'!A0"))
            .unwrap();
        ws.write_formula(
            1,
            2,
            Formula::new("=\"=cmd|' /C calc'!A0\"").set_result("=cmd|' /C calc'!A0"),
        )
        .unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let table = Table::from_bytes("t.xlsx", bytes.clone()).unwrap();
        let rows = sheet_cells(&table);
        assert_eq!(
            rows[1].1,
            vec!["G820200125001", "0", "=cmd|' /C calc'!A0"],
            "cached values, not formulas"
        );
        let e =
            crate::import::read_bytes("t.xlsx", bytes, &crate::import::ColumnMapping::default())
                .err()
                .unwrap();
        assert_eq!(
            e.to_string(),
            "t.xlsx, line 2, field Reg Group: looks like a spreadsheet formula; tsm-desk does not import formulas"
        );
    }

    #[test]
    fn excel_serials_are_dates() {
        assert_eq!(excel_date(45_903.0), NaiveDate::from_ymd_opt(2025, 9, 3));
        assert_eq!(excel_date(1.0), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(excel_date(-5.0), None);
    }
}
