//! CSV and XLSX exports of [`super::Table`]s: the actions tracker, a school's cohort
//! tables and the school's pupil list for meeting preparation.
//!
//! The builders ([`actions_table`], [`cohort_tables`], [`pupil_list_table`]) turn the
//! service's view structs into [`Table`]s; the writers ([`write_csv`], [`write_xlsx`],
//! [`write_table`]) put tables in a file.
//!
//! Files are written whole to a temporary file beside the target and then renamed over
//! it, so a failed export never leaves half a file where a good one was.
//!
//! **Formula safety.** Text never becomes a formula: in CSV a text cell starting with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`; in XLSX every text
//! cell is written as a string cell (never a formula), whatever it starts with.
//!
//! **CSV shape.** UTF-8 with a byte-order mark (so Excel reads names with accents),
//! CRLF line ends, a header row. Percentages are written as `12.5%` (one decimal),
//! dates as ISO `YYYY-MM-DD`. One table is just its header and rows; several tables
//! (the cohort tables) are written one after another, each preceded by a row holding
//! its title and separated by a blank line.

use super::{Cell, Column, ReportError, Table};
use crate::domain::FlagCategory;
use crate::view::{PupilRow, SchoolView, TrackedRow};
use chrono::Datelike as _;
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use std::collections::HashSet;
use std::path::Path;

/// Excel's limit on a worksheet name, in UTF-16 units.
const SHEET_NAME_MAX: usize = 31;
/// Excel's limit on the text in one cell, in UTF-16 units.
const CELL_TEXT_MAX: usize = 32_767;
/// Text columns at least this wide wrap their text in XLSX.
const WRAP_WIDTH: f32 = 24.0;
/// Width of the blank columns a school fills in by hand.
const BLANK_WIDTH: f32 = 40.0;
use super::CLASSIFICATION;

fn column(title: &str, width: f32) -> Column {
    Column::new(title, width)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn percent(rate: Option<f64>) -> Cell {
    rate.filter(|r| r.is_finite())
        .map_or(Cell::Empty, Cell::Percent)
}

fn int(n: impl Into<i64>) -> Cell {
    Cell::Int(n.into())
}

/// The actions tracker as a table: one row per action with its school, term, pupil,
/// what, owner, due date, status, the pupil's lead practitioner, whether it is overdue
/// and the review note. Rows keep the order given.
#[must_use]
pub fn actions_table(rows: &[TrackedRow]) -> Table {
    let columns = vec![
        column("School", 24.0),
        column("URN", 9.0),
        column("Term", 15.0),
        column("Pupil", 28.0),
        column("Action", 45.0),
        column("Owner", 20.0),
        column("Due", 11.0),
        column("Status", 16.0),
        column("Lead practitioner", 24.0),
        column("Overdue", 9.0),
        column("Note", 40.0),
    ];
    let rows = rows
        .iter()
        .map(|r| {
            vec![
                text(&r.school),
                text(&r.urn),
                text(r.period.to_string()),
                text(&r.pupil),
                text(&r.action.description),
                text(&r.action.owner),
                r.action.due.map_or(Cell::Empty, Cell::Date),
                text(r.action.status.label()),
                text(&r.lead),
                text(if r.overdue { "yes" } else { "" }),
                text(&r.action.note),
            ]
        })
        .collect();
    Table {
        title: "Actions".to_owned(),
        columns,
        rows,
    }
}

/// A school's cohort tables for its period: absence by year group (pupils, possible
/// and absence sessions, absence rate, persistently and severely absent pupils and
/// rates), then by characteristic (pupils, absence rate, persistently absent rate).
#[must_use]
pub fn cohort_tables(view: &SchoolView) -> Vec<Table> {
    let by_year = Table {
        title: "Absence by year group".to_owned(),
        columns: vec![
            column("Year group", 11.0),
            column("Pupils", 8.0),
            column("Possible sessions", 12.0),
            column("Absence sessions", 12.0),
            column("Absence rate", 10.0),
            column("Persistently absent", 12.0),
            column("PA rate", 9.0),
            column("Severely absent", 12.0),
            column("SA rate", 9.0),
        ],
        rows: view
            .by_year
            .iter()
            .map(|g| {
                vec![
                    text(&g.group),
                    int(g.pupils),
                    Cell::Int(i64::try_from(g.possible_sessions).unwrap_or(i64::MAX)),
                    Cell::Int(i64::try_from(g.absence_sessions).unwrap_or(i64::MAX)),
                    percent(g.absence_rate),
                    int(g.persistent),
                    percent(g.persistent_rate),
                    int(g.severe),
                    percent(g.severe_rate),
                ]
            })
            .collect(),
    };
    let by_characteristic = Table {
        title: "Absence by characteristic".to_owned(),
        columns: vec![
            column("Characteristic", 20.0),
            column("Pupils", 8.0),
            column("Absence rate", 10.0),
            column("PA rate", 9.0),
        ],
        rows: view
            .characteristics
            .iter()
            .map(|c| {
                vec![
                    text(&c.label),
                    int(c.pupils),
                    percent(c.absence_rate),
                    percent(c.persistent_rate),
                ]
            })
            .collect(),
    };
    vec![by_year, by_characteristic]
}

/// The category in words, for the pupil list.
fn category_label(c: FlagCategory) -> &'static str {
    match c {
        FlagCategory::Severe => "Severely absent",
        FlagCategory::Persistent => "Persistently absent",
        FlagCategory::AtRisk => "At risk",
        FlagCategory::None => "",
    }
}

/// The pupils a school prepares for its meeting: the severely absent, persistently
/// absent and at-risk pupils only, in the view's order (short list first), with the
/// columns a school attendance lead needs and blank columns to fill in ("Barriers /
/// context", "Support in place", "Proposed lead practitioner", "Notes").
#[must_use]
pub fn pupil_list_table(view: &SchoolView) -> Table {
    let columns = vec![
        column("Category", 18.0),
        column("Name", 24.0),
        column("UPN", 15.0),
        column("Year", 6.0),
        column("Reg group", 9.0),
        column("Characteristics", 16.0),
        column("Possible sessions", 10.0),
        column("Absence rate", 10.0),
        column("Authorised", 10.0),
        column("Unauthorised", 11.0),
        column("Change since last term", 12.0),
        column("Why flagged", 36.0),
        column("Barriers / context", BLANK_WIDTH),
        column("Support in place", BLANK_WIDTH),
        column("Proposed lead practitioner", 28.0),
        column("Notes", BLANK_WIDTH),
    ];
    let rows = view
        .pupils
        .iter()
        .filter(|p| p.category != FlagCategory::None)
        .map(pupil_cells)
        .collect();
    Table {
        title: format!("Pupil list {}", view.period),
        columns,
        rows,
    }
}

fn pupil_cells(p: &PupilRow) -> Vec<Cell> {
    let badges: Vec<&str> = p.badges.iter().map(|b| b.short()).collect();
    vec![
        text(category_label(p.category)),
        text(&p.name),
        text(&p.upn),
        p.year.map_or(Cell::Empty, |y| text(y.to_string())),
        p.reg_group.as_deref().map_or(Cell::Empty, text),
        text(badges.join(", ")),
        int(p.possible),
        percent(p.absence_rate),
        int(p.authorised),
        int(p.unauthorised),
        percent(p.change),
        text(super::pupil_list::why(p)),
        text(String::new()),
        text(String::new()),
        text(String::new()),
        text(String::new()),
    ]
}

/// Whether a spreadsheet would read text starting like this as a formula.
fn looks_like_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A cell as CSV text: formula-like text gets a leading `'`.
fn csv_field(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) if looks_like_formula(s) => format!("'{s}"),
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Percent(f) if f.is_finite() => crate::domain::rules::percent(*f),
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Percent(_) | Cell::Empty => String::new(),
    }
}

fn csv_header_field(s: &str) -> String {
    csv_field(&Cell::Text(s.to_owned()))
}

/// The CSV bytes of `tables` (see the module docs for the shape).
fn csv_bytes(tables: &[Table], path: &Path) -> Result<Vec<u8>, ReportError> {
    let err = |e: &dyn std::fmt::Display| ReportError::Csv(format!("{}: {e}", path.display()));
    if tables.is_empty() {
        return Err(err(&"there is no table to write"));
    }
    let titled = tables.len() > 1;
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    for (i, table) in tables.iter().enumerate() {
        if i > 0 {
            bytes.extend_from_slice(b"\r\n");
        }
        let mut w = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        if titled {
            w.write_record([csv_header_field(&table.title)])
                .map_err(|e| err(&e))?;
        }
        w.write_record(table.columns.iter().map(|c| csv_header_field(&c.title)))
            .map_err(|e| err(&e))?;
        for row in &table.rows {
            w.write_record(row.iter().map(csv_field))
                .map_err(|e| err(&e))?;
        }
        let part = w.into_inner().map_err(|e| err(&e.error()))?;
        bytes.extend_from_slice(&part);
    }
    Ok(bytes)
}

/// Writes one table as CSV: a header row, then the rows. Percentages are written as
/// `12.5%`, dates as `YYYY-MM-DD`; formula-like text gets a leading `'`.
///
/// # Errors
/// [`ReportError::Write`] if the file cannot be written (the file named); nothing
/// replaces an existing file then.
pub fn write_csv(table: &Table, path: &Path) -> Result<(), ReportError> {
    let bytes = csv_bytes(std::slice::from_ref(table), path)?;
    write_atomically(path, &bytes)
}

/// A valid, unique worksheet name from a table title: at most 31 characters, without
/// `[ ] : * ? / \`, not starting or ending with `'`, never "History" (reserved by
/// Excel); a repeated name gets " (2)", " (3)"...
fn sheet_name(title: &str, taken: &mut HashSet<String>) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let mut base = if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("history") {
        format!(
            "{} sheet",
            if cleaned.is_empty() { "Table" } else { cleaned }
        )
    } else {
        cleaned.to_owned()
    };
    base = truncate_utf16(&base, SHEET_NAME_MAX).trim_end().to_owned();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name.to_lowercase()) {
        let suffix = format!(" ({n})");
        let room = SHEET_NAME_MAX.saturating_sub(suffix.len());
        name = format!("{}{suffix}", truncate_utf16(&base, room).trim_end());
        n += 1;
    }
    taken.insert(name.to_lowercase());
    name
}

/// The longest prefix of `s` within `max` UTF-16 units.
fn truncate_utf16(s: &str, max: usize) -> &str {
    let mut units = 0;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max {
            return &s[..i];
        }
    }
    s
}

/// Text for one cell, cut to Excel's limit with an ellipsis.
fn cell_text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.encode_utf16().count() <= CELL_TEXT_MAX {
        s.into()
    } else {
        format!("{}…", truncate_utf16(s, CELL_TEXT_MAX - 1)).into()
    }
}

/// The formats one workbook uses.
struct Formats {
    header: Format,
    text: Format,
    wrapped: Format,
    int: Format,
    percent: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_border_bottom(FormatBorder::Thin),
            text: top.clone(),
            wrapped: top.clone().set_text_wrap(),
            int: top.clone().set_num_format("0"),
            percent: top.clone().set_num_format("0.0%"),
            date: top.set_num_format("dd/mm/yyyy"),
        }
    }
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    let month =
        u8::try_from(d.month()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    let day = u8::try_from(d.day()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, month, day)
}

/// Fills one worksheet with a table. Text goes in with `write_string*` only, so it is
/// never read as a formula.
fn fill_sheet(sheet: &mut Worksheet, table: &Table, f: &Formats) -> Result<(), XlsxError> {
    let too_big = || XlsxError::RowColumnLimitError;
    for (c, col) in table.columns.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| too_big())?;
        sheet.write_string_with_format(0, c, cell_text(&col.title), &f.header)?;
        sheet.set_column_width(c, f64::from(col.width.max(1.0)))?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| too_big())?;
        for (c, cell) in row.iter().enumerate() {
            let width = table.columns.get(c).map_or(0.0, |col| col.width);
            let c = u16::try_from(c).map_err(|_| too_big())?;
            match cell {
                Cell::Text(s) => {
                    let format = if width >= WRAP_WIDTH {
                        &f.wrapped
                    } else {
                        &f.text
                    };
                    sheet.write_string_with_format(r, c, cell_text(s), format)?;
                }
                #[expect(clippy::cast_precision_loss, reason = "counts of sessions and pupils")]
                Cell::Int(n) => {
                    sheet.write_number_with_format(r, c, *n as f64, &f.int)?;
                }
                Cell::Percent(x) if x.is_finite() => {
                    sheet.write_number_with_format(r, c, *x, &f.percent)?;
                }
                Cell::Date(d) => {
                    sheet.write_datetime_with_format(r, c, excel_date(*d)?, &f.date)?;
                }
                Cell::Percent(_) | Cell::Empty => {}
            }
        }
    }
    let last_col = u16::try_from(table.columns.len().saturating_sub(1)).map_err(|_| too_big())?;
    let last_row = u32::try_from(table.rows.len()).map_err(|_| too_big())?;
    if !table.columns.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, last_row, last_col)?;
    }
    // On paper: A4 landscape, one page wide, the header on every page.
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, 0)?;
    sheet.set_footer(format!(
        "&L{}&RPage &P of &N",
        CLASSIFICATION.replace('&', "&&")
    ));
    Ok(())
}

/// The XLSX bytes of `tables`, one worksheet each.
fn xlsx_bytes(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut taken = HashSet::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.title, &mut taken))?;
        fill_sheet(sheet, table, &formats)?;
    }
    workbook.save_to_buffer()
}

/// Writes tables as an XLSX workbook, one worksheet per table (named from its title,
/// made valid and unique): a bold header row, frozen, with an autofilter; column widths
/// from [`Column::width`]; whole numbers as numbers, percentages as numbers formatted
/// `0.0%`, dates as Excel dates formatted `dd/mm/yyyy`; wide text columns wrap. Text is
/// always written as text, never as a formula. Sheets print A4 landscape, one page
/// wide, with the header on every page and the data classification in the footer.
///
/// # Errors
/// [`ReportError::Xlsx`] if the workbook cannot be made (no tables, too many rows);
/// [`ReportError::Write`] if the file cannot be written. Nothing replaces an existing
/// file then.
pub fn write_xlsx(tables: &[Table], path: &Path) -> Result<(), ReportError> {
    let err = |e: &dyn std::fmt::Display| ReportError::Xlsx(format!("{}: {e}", path.display()));
    if tables.is_empty() {
        return Err(err(&"there is no table to write"));
    }
    let bytes = xlsx_bytes(tables).map_err(|e| err(&e))?;
    write_atomically(path, &bytes)
}

/// The file extensions [`write_table`] understands, for error messages.
pub const TABLE_EXTENSIONS: &str = ".xlsx or .csv";

/// Writes tables as XLSX or CSV, chosen by the file's extension (any case). A `.csv`
/// file with several tables holds them one after another, each under a title row,
/// separated by blank lines (see the module docs).
///
/// # Errors
/// [`ReportError::Format`] for any other extension (no file is written then); as
/// [`write_xlsx`] and [`write_csv`].
pub fn write_table(tables: &[Table], path: &Path) -> Result<(), ReportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("xlsx") => write_xlsx(tables, path),
        Some("csv") => {
            let bytes = csv_bytes(tables, path)?;
            write_atomically(path, &bytes)
        }
        _ => Err(ReportError::Format(
            path.display().to_string(),
            TABLE_EXTENSIONS,
        )),
    }
}

/// Writes `bytes` to a temporary file in `path`'s folder, then renames it over `path`:
/// either the whole new file is there, or the old one (or none) is untouched. On
/// Windows a file held open by another program (a PDF viewer, Excel) is retried for a
/// second, then named as the reason.
///
/// # Errors
/// If the folder cannot be written or the file stays in use; the error names the file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::platform::files::write_atomically(path, bytes, crate::platform::files::Access::Default)
        .map_err(|source| ReportError::Write {
            path: path.to_path_buf(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = HashSet::new();
        let long = "Absence by characteristic and by year group, autumn";
        let a = sheet_name(long, &mut taken);
        let b = sheet_name(long, &mut taken);
        let c = sheet_name("", &mut taken);
        let d = sheet_name("'History'", &mut taken);
        let e = sheet_name("Pupils: autumn/spring [draft]?*\\", &mut taken);
        let f = sheet_name("PUPILS autumnspring draft", &mut taken);
        for n in [&a, &b, &c, &d, &e, &f] {
            rust_xlsxwriter::utility::check_sheet_name(n).unwrap();
        }
        assert_eq!(a, "Absence by characteristic and b");
        assert_eq!(b, "Absence by characteristic a (2)");
        assert_eq!(c, "Table sheet");
        assert_eq!(d, "History sheet");
        assert_eq!(e, "Pupils autumnspring draft");
        assert_eq!(f, "PUPILS autumnspring draft (2)");
    }

    #[test]
    fn csv_fields_defuse_formulas_and_format_numbers() {
        for s in ["=1+2", "+1", "-2", "@SUM(1)", "\tx", "\rx"] {
            assert_eq!(csv_field(&Cell::Text(s.into())), format!("'{s}"));
        }
        assert_eq!(csv_field(&Cell::Text("a=b".into())), "a=b");
        assert_eq!(csv_field(&Cell::Percent(0.125)), "12.5%");
        assert_eq!(csv_field(&Cell::Percent(-0.02)), "-2.0%");
        assert_eq!(csv_field(&Cell::Percent(f64::NAN)), "");
        assert_eq!(csv_field(&Cell::Int(-3)), "-3");
        let d = chrono::NaiveDate::from_ymd_opt(2026, 1, 9).unwrap();
        assert_eq!(csv_field(&Cell::Date(d)), "2026-01-09");
    }

    #[test]
    fn long_text_is_cut_to_excels_limit() {
        let s = "é".repeat(CELL_TEXT_MAX + 5);
        let cut = cell_text(&s);
        assert_eq!(cut.encode_utf16().count(), CELL_TEXT_MAX);
        assert!(cut.ends_with('…'));
        assert_eq!(cell_text("short"), "short");
    }
}
