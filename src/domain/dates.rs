//! How dates and times are shown to people and read back from what they type: the UK
//! day/month/year order everywhere (screens, printouts, the command line, the activity
//! log), in one place. Stored dates are ISO (`YYYY-MM-DD`) and live with the store.

use chrono::{Datelike, NaiveDate, Timelike};

/// The day as people write it: `dd/mm/yyyy`.
pub const DAY: &str = "%d/%m/%Y";

/// A date as people read it (`23/11/2026`), from a date or a date and time.
#[must_use]
pub fn day(d: impl Datelike) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), d.month(), d.year())
}

/// A date, or `missing` when there is none.
#[must_use]
pub fn day_or(d: Option<impl Datelike>, missing: &str) -> String {
    d.map_or_else(|| missing.to_owned(), day)
}

/// A date and time to the minute (`23/11/2026 09:05`).
#[must_use]
pub fn day_time(t: impl Datelike + Timelike + Copy) -> String {
    format!("{} {:02}:{:02}", day(t), t.hour(), t.minute())
}

/// A date and time to the second (`23/11/2026 09:05:07`).
#[must_use]
pub fn day_time_seconds(t: impl Datelike + Timelike + Copy) -> String {
    format!("{}:{:02}", day_time(t), t.second())
}

/// Reads a date typed as `dd/mm/yyyy` (single-digit days and months too), ignoring
/// spaces around it.
///
/// # Errors
/// The text is not such a date.
pub fn parse_day(text: &str) -> Result<NaiveDate, chrono::ParseError> {
    NaiveDate::parse_from_str(text.trim(), DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_written_in_the_uk() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
        assert_eq!(day(d), "07/03/2026");
        assert_eq!(day(d), d.format("%d/%m/%Y").to_string());
        let t = d.and_hms_opt(9, 5, 7).unwrap();
        assert_eq!(day(t), "07/03/2026");
        assert_eq!(day_time(t), "07/03/2026 09:05");
        assert_eq!(day_time_seconds(t), "07/03/2026 09:05:07");
        assert_eq!(day_or(None::<NaiveDate>, "–"), "–");
        assert_eq!(parse_day(" 7/3/2026 "), Ok(d));
        assert!(parse_day("2026-03-07").is_err());
    }
}
