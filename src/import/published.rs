//! The DfE's published "Pupil attendance in schools" weekly figures
//! (explore-education-statistics, data set "Pupil attendance since week commencing
//! ... - weekly"): national and local authority rows by phase and week, read into
//! checked [`PublishedRow`]s or an [`ImportError`] naming the file, line and field.
//!
//! Columns are found by their headers (any order; unknown columns are ignored). Needed:
//! `time_period` (the calendar year, `2024`; an academic year `202425` is read too),
//! `time_identifier` (`Week 37`: the ISO week, so the week commencing Monday
//! 9 September 2024), `geographic_level`, the phase (`education_phase`, or in older
//! files `school_type`) and `overall_absence_perc`. Read when present: `la_name`,
//! `new_la_code`, `attendance_perc`, `authorised_absence_perc`,
//! `unauthorised_absence_perc`, and `breakdown` (only `Weekly` rows are kept when a file
//! mixes daily, weekly and year-to-date rows). National and local authority rows are
//! kept; regional rows, other areas and other phases (alternative provision) are
//! skipped and counted. A suppressed or empty value (`x`, `z`, `c`, `:`) leaves that
//! figure empty and keeps the rest of the row.

use super::table::Table;
use super::{ImportError, MAX_FILE_BYTES, Problem, base_name, found_headers, is_blank};
use crate::domain::published::{GeographicLevel, PublishedPhase, PublishedRow, iso_week_monday};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// A published statistics file, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedFile {
    /// The file's name (no folders).
    pub file_name: String,
    /// National and local authority rows, in file order.
    pub rows: Vec<PublishedRow>,
    /// Regional rows skipped.
    pub skipped_regional: usize,
    /// Rows skipped for another area (not national, regional or a local authority), a
    /// phase tsm-desk does not compare with, or a breakdown other than weekly.
    pub skipped_other: usize,
    /// Suppressed values (`x`, `z`, `c`, `:`) left empty in the rows kept.
    pub suppressed: usize,
}

/// The values that stand for a suppressed or unavailable figure.
const SUPPRESSED: [&str; 4] = ["x", "z", "c", ":"];

/// The columns a file is read from: each a 0-based index.
struct Cols {
    headers: Vec<String>,
    time_period: usize,
    time_identifier: usize,
    level: usize,
    phase: usize,
    overall: usize,
    breakdown: Option<usize>,
    la_name: Option<usize>,
    la_code: Option<usize>,
    attendance: Option<usize>,
    authorised: Option<usize>,
    unauthorised: Option<usize>,
}

impl Cols {
    /// Finds the columns in a header row; the names of the required columns missing
    /// otherwise.
    fn find(headers: &[&str]) -> Result<Cols, Vec<String>> {
        let names: Vec<String> = headers
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        let at = |name: &str| names.iter().position(|h| h == name);
        let phase = at("education_phase").or_else(|| at("school_type"));
        let mut missing = Vec::new();
        let mut need = |name: &str, found: Option<usize>| {
            if found.is_none() {
                missing.push(name.to_owned());
            }
            found.unwrap_or(0)
        };
        let cols = Cols {
            headers: headers.iter().map(|h| h.trim().to_owned()).collect(),
            time_period: need("time_period", at("time_period")),
            time_identifier: need("time_identifier", at("time_identifier")),
            level: need("geographic_level", at("geographic_level")),
            phase: need("education_phase (or school_type)", phase),
            overall: need("overall_absence_perc", at("overall_absence_perc")),
            breakdown: at("breakdown"),
            la_name: at("la_name"),
            la_code: at("new_la_code"),
            attendance: at("attendance_perc"),
            authorised: at("authorised_absence_perc"),
            unauthorised: at("unauthorised_absence_perc"),
        };
        if missing.is_empty() {
            Ok(cols)
        } else {
            Err(missing)
        }
    }

    /// The column's header as the file writes it.
    fn name(&self, col: usize) -> String {
        self.headers.get(col).cloned().unwrap_or_default()
    }
}

/// Reads and checks a published statistics file.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_published_file(path: &Path) -> Result<PublishedFile, ImportError> {
    let name = base_name(path);
    if let Ok(meta) = std::fs::metadata(path)
        && meta.len() > MAX_FILE_BYTES
    {
        return Err(ImportError::whole(&name, Problem::TooLarge(meta.len())));
    }
    let bytes =
        std::fs::read(path).map_err(|e| ImportError::whole(&name, Problem::Io(e.to_string())))?;
    read_published_bytes(&name, bytes)
}

/// Reads and checks a published statistics file's bytes (CSV in UTF-8, UTF-16 or
/// Windows-1252, or a workbook's first sheet); `file_name` is used in messages.
///
/// # Errors
/// [`ImportError`] naming the file, line and field of the first problem found.
pub fn read_published_bytes(file_name: &str, bytes: Vec<u8>) -> Result<PublishedFile, ImportError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_FILE_BYTES {
        return Err(ImportError::whole(file_name, Problem::TooLarge(size)));
    }
    let table = Table::from_bytes(file_name, bytes)?;
    let mut out = PublishedFile {
        file_name: file_name.to_owned(),
        rows: Vec::new(),
        skipped_regional: 0,
        skipped_other: 0,
        suppressed: 0,
    };
    let mut cols: Option<Cols> = None;
    let mut seen: HashMap<(NaiveDate, PublishedPhase, GeographicLevel, String), usize> =
        HashMap::new();
    table.for_each(file_name, |line, record| {
        if is_blank(record) {
            return Ok(true);
        }
        let Some(c) = &cols else {
            match Cols::find(record) {
                Ok(found) => cols = Some(found),
                Err(missing) => {
                    let headers: Vec<String> = record.iter().map(|h| (*h).to_owned()).collect();
                    return Err(ImportError::at(
                        file_name,
                        line,
                        missing.first().cloned(),
                        Problem::MissingPublishedColumns {
                            missing,
                            found: found_headers(&headers),
                        },
                    ));
                }
            }
            return Ok(true);
        };
        let Some(row) = read_row(file_name, line, c, record, &mut out)? else {
            return Ok(true);
        };
        let key = (row.week_start, row.phase, row.level, row.area());
        if let Some(first) = seen.insert(key, line) {
            return Err(ImportError::at(
                file_name,
                line,
                Some(c.name(c.time_identifier)),
                Problem::DuplicateFigures(first),
            ));
        }
        out.rows.push(row);
        Ok(true)
    })?;
    if cols.is_none() {
        return Err(ImportError::whole(file_name, Problem::Empty));
    }
    if out.rows.is_empty() {
        let detail = if out.skipped_regional + out.skipped_other == 0 {
            "the file has only its header row".to_owned()
        } else {
            format!(
                "{} regional row{} and {} row{} of other areas, phases or breakdowns were skipped",
                out.skipped_regional,
                super::plural(out.skipped_regional),
                out.skipped_other,
                super::plural(out.skipped_other),
            )
        };
        return Err(ImportError::whole(
            file_name,
            Problem::NoPublishedRows(detail),
        ));
    }
    Ok(out)
}

/// Reads one data row: `None` for a row that is skipped (and counted in `out`).
fn read_row(
    file: &str,
    line: usize,
    c: &Cols,
    record: &[&str],
    out: &mut PublishedFile,
) -> Result<Option<PublishedRow>, ImportError> {
    let cell = |col: usize| record.get(col).map_or("", |v| v.trim());
    let error =
        |col: usize, problem: Problem| ImportError::at(file, line, Some(c.name(col)), problem);
    let required = |col: usize| {
        let v = cell(col);
        if v.is_empty() {
            Err(error(col, Problem::MissingValue))
        } else {
            Ok(v)
        }
    };
    let level = match required(c.level)?.to_ascii_lowercase().as_str() {
        "national" => GeographicLevel::National,
        "local authority" => GeographicLevel::LocalAuthority,
        "regional" => {
            out.skipped_regional += 1;
            return Ok(None);
        }
        _ => {
            out.skipped_other += 1;
            return Ok(None);
        }
    };
    let Some(phase) = PublishedPhase::parse(required(c.phase)?) else {
        out.skipped_other += 1;
        return Ok(None);
    };
    if let Some(col) = c.breakdown {
        let b = cell(col);
        if !b.is_empty() && !b.eq_ignore_ascii_case("weekly") {
            out.skipped_other += 1;
            return Ok(None);
        }
    }
    let week_text = required(c.time_identifier)?;
    let week = parse_week(week_text).ok_or_else(|| {
        error(
            c.time_identifier,
            Problem::BadValue {
                value: week_text.to_owned(),
                expected: "a week (Week 1 to Week 53)",
            },
        )
    })?;
    let period = required(c.time_period)?;
    let year = parse_year(period, week).ok_or_else(|| {
        error(
            c.time_period,
            Problem::BadValue {
                value: period.to_owned(),
                expected: "a year (2024) or an academic year (202425)",
            },
        )
    })?;
    let week_start = iso_week_monday(year, week).ok_or_else(|| {
        error(
            c.time_identifier,
            Problem::BadValue {
                value: week_text.to_owned(),
                expected: "a week that year has (ISO weeks: 52, or 53 in some years)",
            },
        )
    })?;
    let text = |col: Option<usize>| -> Result<Option<String>, ImportError> {
        let Some(col) = col else { return Ok(None) };
        let v = cell(col);
        if super::looks_like_formula(v) {
            return Err(error(col, Problem::Formula));
        }
        Ok((!v.is_empty()).then(|| v.to_owned()))
    };
    let (la_code, la_name) = match level {
        GeographicLevel::National => (None, None),
        GeographicLevel::LocalAuthority => {
            let (code, name) = (text(c.la_code)?, text(c.la_name)?);
            if code.is_none() && name.is_none() {
                return Err(ImportError::at(
                    file,
                    line,
                    Some(
                        c.la_name
                            .map_or_else(|| "la_name".to_owned(), |col| c.name(col)),
                    ),
                    Problem::MissingValue,
                ));
            }
            (code, name)
        }
    };
    let mut percent = |col: Option<usize>| -> Result<Option<f64>, ImportError> {
        let Some(col) = col else { return Ok(None) };
        let v = cell(col);
        if v.is_empty() {
            return Ok(None);
        }
        if SUPPRESSED.iter().any(|s| v.eq_ignore_ascii_case(s)) {
            out.suppressed += 1;
            return Ok(None);
        }
        match v.parse::<f64>() {
            Ok(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Ok(Some(p)),
            _ => Err(error(
                col,
                Problem::BadValue {
                    value: v.to_owned(),
                    expected: "a percentage from 0 to 100 (or x, z, c or : where suppressed)",
                },
            )),
        }
    };
    Ok(Some(PublishedRow {
        line,
        week_start,
        phase,
        level,
        la_code,
        la_name,
        attendance: percent(c.attendance)?,
        overall_absence: percent(Some(c.overall))?,
        authorised: percent(c.authorised)?,
        unauthorised: percent(c.unauthorised)?,
    }))
}

/// `Week 37` (or `37`) as 37.
fn parse_week(text: &str) -> Option<u32> {
    let t = text.trim();
    let number = match t.get(..4) {
        Some(w) if w.eq_ignore_ascii_case("week") => t[4..].trim(),
        _ => t,
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse().ok().filter(|w| (1..=53).contains(w))
}

/// The ISO year of a week: `time_period` is the calendar year (`2024`); an academic
/// year (`202425`) puts weeks 31 to 53 in its first year (August to December) and
/// weeks 1 to 30 in its second.
fn parse_year(text: &str, week: u32) -> Option<i32> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = match text.len() {
        4 => text.parse().ok()?,
        6 => {
            let first: i32 = text[..4].parse().ok()?;
            let second: i32 = text[4..].parse().ok()?;
            if second != (first + 1) % 100 {
                return None;
            }
            if week >= 31 { first } else { first + 1 }
        }
        _ => return None,
    };
    (super::FIRST_YEAR..=super::LAST_YEAR)
        .contains(&year)
        .then_some(year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    const HEADER: &str = "time_period,time_identifier,geographic_level,country_code,region_name,new_la_code,la_name,school_type,num_schools,attendance_perc,overall_absence_perc,authorised_absence_perc,unauthorised_absence_perc,illness_perc\n";

    fn read(rows: &str) -> Result<PublishedFile, ImportError> {
        read_published_bytes("weekly.csv", format!("{HEADER}{rows}").into_bytes())
    }

    #[test]
    fn weeks_are_iso_weeks_of_the_calendar_year() {
        assert_eq!(parse_week("Week 37"), Some(37));
        assert_eq!(parse_week("week 1"), Some(1));
        assert_eq!(parse_week("37"), Some(37));
        assert_eq!(parse_week("Week 54"), None);
        assert_eq!(parse_week("Week"), None);
        assert_eq!(parse_year("2024", 37), Some(2024));
        assert_eq!(parse_year("202425", 37), Some(2024));
        assert_eq!(parse_year("202425", 2), Some(2025));
        assert_eq!(parse_year("202426", 2), None);
        assert_eq!(parse_year("24", 2), None);
        let f = read(
            "2024,Week 37,National,E92000001,,,,Total,20000,93.1,6.9,5.0,1.9,3.1\n\
             2025,Week 1,National,E92000001,,,,State-funded primary,16000,94.0,6.0,x,,2.9\n",
        )
        .unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].week_start, day(2024, 9, 9));
        assert_eq!(f.rows[0].phase, PublishedPhase::AllSchools);
        assert_eq!(f.rows[0].overall_absence, Some(6.9));
        assert_eq!(f.rows[0].unauthorised, Some(1.9));
        assert_eq!(f.rows[1].week_start, day(2024, 12, 30));
        assert_eq!(f.rows[1].phase, PublishedPhase::Primary);
        assert_eq!((f.rows[1].authorised, f.rows[1].unauthorised), (None, None));
        assert_eq!(f.suppressed, 1);
        assert_eq!(f.rows[1].line, 3);
    }

    #[test]
    fn bad_rows_name_file_line_and_field() {
        let e = read("2024,Week 37,National,E92000001,,,,Total,20000,93.1,6.9o,5.0,1.9,3.1\n")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"weekly.csv, line 2, field overall_absence_perc: "6.9o" is not a percentage from 0 to 100 (or x, z, c or : where suppressed)"#
        );
        let e =
            read("2025,Week 53,National,E92000001,,,,Total,1,93.1,6.9,5.0,1.9,3.1\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("time_identifier"));
        let e = read("2024,Week 37,Local authority,E92000001,,,,Total,1,93.1,6.9,5.0,1.9,3.1\n")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "weekly.csv, line 2, field la_name: a value is required"
        );
        let e = read(
            "2024,Week 37,National,E92000001,,,,Total,1,93.1,6.9,5.0,1.9,3.1\n\
             2024,Week 37,National,E92000001,,,,Total,1,93.1,6.9,5.0,1.9,3.1\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "weekly.csv, line 3, field time_identifier: the same week, phase and area is already on line 2"
        );
        let e = read("2024,Week 37,Regional,E92000001,North East,,,Total,1,93.1,6.9,5.0,1.9,3.1\n")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "weekly.csv: no national or local authority rows to store (1 regional row and 0 rows of other areas, phases or breakdowns were skipped)"
        );
        let e = read_published_bytes("pupils.csv", b"UPN,Surname\nA1,B\n".to_vec()).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"pupils.csv, line 1, field time_period: missing columns time_period, time_identifier, geographic_level, education_phase (or school_type), overall_absence_perc for the DfE's published attendance statistics (headers found: UPN, Surname)"#
        );
    }

    #[test]
    fn education_phase_wins_and_other_breakdowns_are_skipped() {
        let f = read_published_bytes(
            "w.csv",
            b"time_period,time_identifier,geographic_level,la_name,education_phase,breakdown,overall_absence_perc\n\
              2024,Week 38,Local authority,Countyshire,Secondary,Weekly,8.25\n\
              2024,Week 38,Local authority,Countyshire,Secondary,YTD,7.5\n\
              2024,Week 38,Local authority,Countyshire,Alternative provision,Weekly,30\n"
                .to_vec(),
        )
        .unwrap();
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.skipped_other, 2);
        let r = &f.rows[0];
        assert_eq!(r.level, GeographicLevel::LocalAuthority);
        assert_eq!(r.la_name.as_deref(), Some("Countyshire"));
        assert_eq!(r.la_code, None);
        assert_eq!(r.area(), "countyshire");
        assert_eq!(r.week_start, day(2024, 9, 16));
        assert_eq!(r.overall_absence, Some(8.25));
        assert_eq!(r.attendance, None);
    }
}
