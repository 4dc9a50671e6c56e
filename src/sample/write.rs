//! Writing files the way school MIS exports look: delimited text in UTF-8 (with or
//! without a byte-order mark) or Windows-1252, LF or CRLF line endings, an optional
//! report title above the header; and XLSX workbooks with a fixed creation time.

use super::SampleError;
use super::calendar::Calendar;
use super::register::Day;
use chrono::Datelike as _;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};
use std::path::Path;

/// How text is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextEncoding {
    /// UTF-8, no byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Windows-1252 (Excel's plain "CSV" on Windows).
    Windows1252,
}

/// The shape of a delimited text file.
#[derive(Debug, Clone)]
pub(crate) struct TextStyle {
    /// The delimiter.
    pub(crate) delimiter: u8,
    /// CRLF line endings instead of LF.
    pub(crate) crlf: bool,
    /// The encoding.
    pub(crate) encoding: TextEncoding,
    /// A report title line (followed by a blank line) above the header.
    pub(crate) title: Option<String>,
}

impl TextStyle {
    /// Comma-separated UTF-8 with LF line endings.
    pub(crate) fn plain() -> TextStyle {
        TextStyle {
            delimiter: b',',
            crlf: false,
            encoding: TextEncoding::Utf8,
            title: None,
        }
    }
}

pub(crate) fn write_error(path: &Path, e: &dyn std::fmt::Display) -> SampleError {
    SampleError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// A delimited text file being built in memory.
pub(crate) struct TextFile<'p> {
    path: &'p Path,
    encoding: TextEncoding,
    writer: csv::Writer<Vec<u8>>,
}

impl<'p> TextFile<'p> {
    /// Starts a file with its header row.
    ///
    /// # Errors
    /// [`SampleError::Write`] if the header cannot be written.
    pub(crate) fn new(
        path: &'p Path,
        style: &TextStyle,
        header: &[&str],
    ) -> Result<Self, SampleError> {
        let newline = if style.crlf { "\r\n" } else { "\n" };
        let mut start = Vec::new();
        if let Some(title) = &style.title {
            start.extend_from_slice(title.as_bytes());
            start.extend_from_slice(newline.as_bytes());
            start.extend_from_slice(newline.as_bytes());
        }
        let terminator = if style.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let writer = csv::WriterBuilder::new()
            .delimiter(style.delimiter)
            .terminator(terminator)
            .from_writer(start);
        let mut file = TextFile {
            path,
            encoding: style.encoding,
            writer,
        };
        file.row(header)?;
        Ok(file)
    }

    /// Adds one row.
    ///
    /// # Errors
    /// [`SampleError::Write`] if the row cannot be written.
    pub(crate) fn row<I, T>(&mut self, cells: I) -> Result<(), SampleError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer
            .write_record(cells)
            .map_err(|e| write_error(self.path, &e))
    }

    /// Encodes the text and writes the file.
    ///
    /// # Errors
    /// [`SampleError::Write`] if it cannot be encoded or written.
    pub(crate) fn save(self) -> Result<(), SampleError> {
        let path = self.path;
        let utf8 = self
            .writer
            .into_inner()
            .map_err(|e| write_error(path, &e.error()))?;
        let bytes = match self.encoding {
            TextEncoding::Utf8 => utf8,
            TextEncoding::Utf8Bom => {
                let mut with_bom = b"\xEF\xBB\xBF".to_vec();
                with_bom.extend_from_slice(&utf8);
                with_bom
            }
            TextEncoding::Windows1252 => {
                let text = String::from_utf8(utf8).map_err(|e| write_error(path, &e))?;
                let (encoded, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
                if unmappable {
                    return Err(write_error(path, &"text not representable in Windows-1252"));
                }
                encoded.into_owned()
            }
        };
        std::fs::write(path, bytes).map_err(|e| write_error(path, &e))
    }
}

/// One pupil's rows for a marks file.
pub(crate) struct MarksRows<'a> {
    /// The UPN.
    pub(crate) upn: &'a str,
    /// The register, one entry per calendar day.
    pub(crate) days: &'a [Day],
}

/// Writes session marks one row per pupil, date and session (`UPN,Date,Session,Mark`).
///
/// # Errors
/// [`SampleError::Write`] if the file cannot be written.
pub(crate) fn marks_long(
    path: &Path,
    style: &TextStyle,
    cal: &Calendar,
    pupils: &[MarksRows<'_>],
) -> Result<(), SampleError> {
    let mut file = TextFile::new(path, style, &["UPN", "Date", "Session", "Mark"])?;
    for p in pupils {
        for (d, day) in p.days.iter().enumerate() {
            let Some([am, pm]) = day else { continue };
            let date = cal.dmy[d].as_str();
            file.row([p.upn, date, "AM", am.mark()])?;
            file.row([p.upn, date, "PM", pm.mark()])?;
        }
    }
    file.save()
}

/// Writes session marks one row per pupil and date (`UPN,Date,AM Mark,PM Mark`), with
/// dates written by `date_format` (a chrono format string).
///
/// # Errors
/// [`SampleError::Write`] if the file cannot be written.
pub(crate) fn marks_wide(
    path: &Path,
    style: &TextStyle,
    cal: &Calendar,
    date_format: &str,
    pupils: &[MarksRows<'_>],
) -> Result<(), SampleError> {
    let dates: Vec<String> = cal
        .days
        .iter()
        .map(|d| d.format(date_format).to_string())
        .collect();
    let mut file = TextFile::new(path, style, &["UPN", "Date", "AM Mark", "PM Mark"])?;
    for p in pupils {
        for (d, day) in p.days.iter().enumerate() {
            let Some([am, pm]) = day else { continue };
            file.row([p.upn, dates[d].as_str(), am.mark(), pm.mark()])?;
        }
    }
    file.save()
}

/// Writes session marks as an XLSX workbook, one row per pupil and date, with a report
/// title above the header and real date cells. The document's creation time is fixed
/// (`created`), so the bytes are the same on every run.
///
/// # Errors
/// [`SampleError::Write`] if the workbook cannot be built or saved.
pub(crate) fn marks_wide_xlsx(
    path: &Path,
    title: &str,
    created: (u16, u8, u8),
    cal: &Calendar,
    pupils: &[MarksRows<'_>],
) -> Result<(), SampleError> {
    let xlsx = |e: XlsxError| write_error(path, &e);
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(created.0, created.1, created.2)
        .and_then(|d| d.and_hms(16, 45, 0))
        .map_err(xlsx)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title(title)
            .set_comment("Synthetic sample data for tsm-desk; no real pupils."),
    );
    let dates = cal
        .days
        .iter()
        .map(|d| {
            let year = u16::try_from(d.year()).unwrap_or(1900);
            let month = u8::try_from(d.month()).unwrap_or(1);
            let day = u8::try_from(d.day()).unwrap_or(1);
            ExcelDateTime::from_ymd(year, month, day)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(xlsx)?;
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet();
    sheet.set_name("Session marks").map_err(xlsx)?;
    sheet
        .write_string_with_format(0, 0, title, &bold)
        .map_err(xlsx)?;
    for (col, header) in (0u16..).zip(["UPN", "Date", "AM Mark", "PM Mark"]) {
        sheet
            .write_string_with_format(2, col, header, &bold)
            .map_err(xlsx)?;
    }
    sheet.set_column_width(0, 16).map_err(xlsx)?;
    sheet.set_column_width(1, 12).map_err(xlsx)?;
    sheet.set_freeze_panes(3, 0).map_err(xlsx)?;
    let mut row = 3u32;
    for p in pupils {
        for (d, day) in p.days.iter().enumerate() {
            let Some([am, pm]) = day else { continue };
            sheet.write_string(row, 0, p.upn).map_err(xlsx)?;
            sheet
                .write_datetime_with_format(row, 1, &dates[d], &date_format)
                .map_err(xlsx)?;
            sheet.write_string(row, 2, am.mark()).map_err(xlsx)?;
            sheet.write_string(row, 3, pm.mark()).map_err(xlsx)?;
            row += 1;
        }
    }
    workbook.save(path).map_err(xlsx)
}
