//! How values are written in the database: dates, timestamps, the counts by code and a
//! pupil's mark strip, and the pupil columns stored in another form than the domain's.
//! A leaf: every other store file may use it, it uses none of them.

use super::StoreError;
use crate::domain::{Code, MarkStrip, PupilDetails};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// How a timestamp is stored (local wall-clock time, to the second).
pub(super) const AT_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// A date column read back (`YYYY-MM-DD`), if set and readable.
pub(super) fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

/// A date as stored (`YYYY-MM-DD`).
pub(super) fn date_text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// A date as stored, `yyyy-mm-dd` (as `NaiveDate`'s `Display` writes it, without its
/// general formatting machinery: a county's import writes a million of these).
pub(super) fn iso_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    let digit = |n: u32| char::from(b'0' + u8::try_from(n % 10).unwrap_or(0));
    let year = u32::try_from(d.year()).unwrap_or(0);
    let mut out = String::with_capacity(10);
    for n in [year / 1000, year / 100, year / 10, year] {
        out.push(digit(n));
    }
    out.push('-');
    out.push(digit(d.month() / 10));
    out.push(digit(d.month()));
    out.push('-');
    out.push(digit(d.day() / 10));
    out.push(digit(d.day()));
    out
}

/// A pupil's mark strip read back from its first day and stored bytes.
pub(super) fn stored_strip(first: &str, bytes: Vec<u8>) -> Result<MarkStrip, StoreError> {
    let first: NaiveDate = first
        .parse()
        .map_err(|_| StoreError::Damaged(format!("mark date {first:?}")))?;
    MarkStrip::from_stored(first, bytes).map_err(|e| StoreError::Damaged(e.to_string()))
}

/// Reads the counts by code stored with marks-based totals (JSON, `{"B": 2, "/": 40}`).
pub(super) fn parse_code_counts(json: &str) -> Result<Vec<(Code, u32)>, StoreError> {
    let map: BTreeMap<String, u32> =
        serde_json::from_str(json).map_err(|e| StoreError::Damaged(e.to_string()))?;
    map.into_iter()
        .map(|(mark, n)| {
            Code::parse(&mark)
                .map(|c| (c, n))
                .map_err(|e| StoreError::Damaged(e.to_string()))
        })
        .collect()
}

/// The columns of pupil details that are stored in another form than the domain's.
pub(super) struct PupilParams {
    pub(super) year_group: Option<i8>,
    pub(super) sex: Option<&'static str>,
    pub(super) date_of_birth: Option<String>,
    pub(super) sen: Option<&'static str>,
    pub(super) admission_date: Option<String>,
    pub(super) leaving_date: Option<String>,
}

impl PupilParams {
    pub(super) fn of(d: &PupilDetails) -> PupilParams {
        PupilParams {
            year_group: d.year_group.map(crate::domain::YearGroup::number),
            sex: d.sex.map(crate::domain::Sex::code),
            date_of_birth: d.date_of_birth.map(iso_date),
            sen: d.sen.map(crate::domain::SenStatus::code),
            admission_date: d.admission_date.map(iso_date),
            leaving_date: d.leaving_date.map(iso_date),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_stored_as_chrono_writes_them() {
        for (y, m, d) in [(2025, 9, 3), (2014, 12, 31), (2000, 1, 1), (1999, 10, 9)] {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            assert_eq!(super::iso_date(date), date.to_string());
        }
    }
}
