//! Reading single cells: dates and session counts.

use chrono::NaiveDate;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Reads `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy`), `yyyy-mm-dd`,
/// `d-Mon-yyyy` (also `d Mon yyyy`, `d-Month-yyyy`), with an optional time after the
/// date (`03/09/2025 00:00:00`, `2025-09-03T00:00:00`). Slashed dates are always
/// day-first, as English MIS exports write them.
#[must_use]
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // `yyyy-mm-dd`, the DfE's form, without splitting.
    if let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = s.as_bytes()
        && [y1, y2, y3, y4, m1, m2, d1, d2]
            .iter()
            .all(|b| b.is_ascii_digit())
    {
        let n = |bytes: &[&u8]| {
            bytes
                .iter()
                .fold(0u32, |acc, b| acc * 10 + u32::from(**b - b'0'))
        };
        let year = i32::try_from(n(&[y1, y2, y3, y4])).ok()?;
        return NaiveDate::from_ymd_opt(year, n(&[m1, m2]), n(&[d1, d2]));
    }
    let date_part = s.split([' ', 'T']).next().unwrap_or(s);
    // "3 Sep 2025" has spaces inside the date itself.
    if let Some(d) = parse_month_name(s) {
        return Some(d);
    }
    let parts: Vec<&str> = date_part.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if let Some(month) = month_number(b) {
        return ymd(c, month, a);
    }
    if a.len() == 4 {
        ymd_digits(a, b, c)
    } else if c.len() == 4 {
        ymd_digits(c, b, a)
    } else {
        None
    }
}

fn parse_month_name(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split([' ', '-']).filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [d, m, y] | [d, m, y, _] => ymd(y, month_number(m)?, d),
        _ => None,
    }
}

fn month_number(word: &str) -> Option<u32> {
    let lower = word.to_ascii_lowercase();
    if lower.len() < 3 || !lower.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let found = MONTHS.iter().position(|m| lower.starts_with(m))?;
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let ok = lower.len() == 3 || full.get(found).is_some_and(|f| *f == lower) || lower == "sept";
    ok.then(|| u32::try_from(found + 1).ok()).flatten()
}

fn ymd(year: &str, month: u32, day: &str) -> Option<NaiveDate> {
    if year.len() != 4 || day.is_empty() || day.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)
}

fn ymd_digits(year: &str, month: &str, day: &str) -> Option<NaiveDate> {
    if month.is_empty() || month.len() > 2 || !month.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if !day.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    ymd(year, month.parse().ok()?, day)
}

/// Reads a count of sessions: a whole number, optionally written `12.0`. Empty is
/// `None`.
pub(crate) fn parse_count(s: &str) -> Result<Option<u32>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let whole = s
        .strip_suffix(".0")
        .or_else(|| s.strip_suffix(".00"))
        .unwrap_or(s);
    whole.parse::<u32>().map(Some).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn dates_in_the_formats_schools_export() {
        for s in [
            "03/09/2025",
            "3/9/2025",
            "2025-09-03",
            "3-Sep-2025",
            "03-Sep-2025",
            "3 Sep 2025",
            "3-September-2025",
            "03/09/2025 00:00:00",
            "2025-09-03T00:00:00",
            "03-09-2025",
            "3-sept-2025",
        ] {
            assert_eq!(parse_date(s), d(2025, 9, 3), "{s}");
        }
        for bad in [
            "2025-13-01",
            "31/02/2025",
            "09/03/25",
            "tomorrow",
            "",
            "3-Sepp-2025",
            "2025/9/3x",
            "45903",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("12"), Ok(Some(12)));
        assert_eq!(parse_count(" 12.0 "), Ok(Some(12)));
        assert_eq!(parse_count(""), Ok(None));
        assert_eq!(parse_count("-1"), Err(()));
        assert_eq!(parse_count("1.5"), Err(()));
        assert_eq!(parse_count("ten"), Err(()));
    }
}
