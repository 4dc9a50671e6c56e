//! Published attendance statistics: the DfE's "Pupil attendance in schools" weekly
//! figures, national and by local authority, by phase and week, as read from the
//! published CSV (`import::published`) and stored to compare a school with.

use chrono::{Datelike as _, NaiveDate, Weekday};

/// The phase a published figure is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum PublishedPhase {
    /// Every state-funded school (`Total` in the file).
    AllSchools,
    /// State-funded primary schools.
    Primary,
    /// State-funded secondary schools.
    Secondary,
    /// Special schools.
    Special,
}

impl PublishedPhase {
    /// Every phase, in the order shown.
    pub const ALL: [PublishedPhase; 4] = [
        PublishedPhase::AllSchools,
        PublishedPhase::Primary,
        PublishedPhase::Secondary,
        PublishedPhase::Special,
    ];

    /// The name shown and stored ("All schools", "Primary"...).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            PublishedPhase::AllSchools => "All schools",
            PublishedPhase::Primary => "Primary",
            PublishedPhase::Secondary => "Secondary",
            PublishedPhase::Special => "Special",
        }
    }

    /// Reads a phase as the DfE's files write it (`education_phase`: `Primary`,
    /// `Secondary`, `Special`, `Total`; older files' `school_type`: `State-funded
    /// primary`, `State-funded secondary`, `Special`, `Total`) or as tsm-desk shows it
    /// ("All schools"), ignoring case and spaces. `None` for anything else (alternative
    /// provision, a phase added later).
    #[must_use]
    pub fn parse(text: &str) -> Option<PublishedPhase> {
        let key = squash(text);
        let key = key.strip_prefix("state-funded").unwrap_or(&key);
        Some(match key {
            "total" | "allschools" | "all" => PublishedPhase::AllSchools,
            "primary" => PublishedPhase::Primary,
            "secondary" => PublishedPhase::Secondary,
            "special" => PublishedPhase::Special,
            _ => return None,
        })
    }
}

/// Where a published figure is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum GeographicLevel {
    /// England.
    National,
    /// One local authority.
    LocalAuthority,
}

impl GeographicLevel {
    /// The name as the DfE's files write it, and as stored.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            GeographicLevel::National => "National",
            GeographicLevel::LocalAuthority => "Local authority",
        }
    }

    /// The level stored as `label`.
    #[must_use]
    pub fn parse(label: &str) -> Option<GeographicLevel> {
        match squash(label).as_str() {
            "national" => Some(GeographicLevel::National),
            "localauthority" => Some(GeographicLevel::LocalAuthority),
            _ => None,
        }
    }
}

/// One row of the published weekly file: a week's figures for one phase, nationally or
/// in one local authority. Rates are percentages as published (6.38 is 6.38%); a
/// suppressed or empty value is `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRow {
    /// The line in the file.
    pub line: usize,
    /// The week's Monday.
    pub week_start: NaiveDate,
    /// The phase.
    pub phase: PublishedPhase,
    /// National or one local authority.
    pub level: GeographicLevel,
    /// The local authority's code (`new_la_code`, e.g. `E10000023`), if given.
    pub la_code: Option<String>,
    /// The local authority's name, if given.
    pub la_name: Option<String>,
    /// Attendance rate, %.
    pub attendance: Option<f64>,
    /// Overall absence rate, %.
    pub overall_absence: Option<f64>,
    /// Authorised absence rate, %.
    pub authorised: Option<f64>,
    /// Unauthorised absence rate, %.
    pub unauthorised: Option<f64>,
}

impl PublishedRow {
    /// What the row's figures are for besides week and phase: empty nationally; a local
    /// authority's name as [`la_key`] writes it (its code when it has no name).
    #[must_use]
    pub fn area(&self) -> String {
        match self.level {
            GeographicLevel::National => String::new(),
            GeographicLevel::LocalAuthority => self
                .la_name
                .as_deref()
                .or(self.la_code.as_deref())
                .map(la_key)
                .unwrap_or_default(),
        }
    }
}

/// A local authority's name for matching: lower case, without spaces ("North
/// Yorkshire" and "north  yorkshire" match).
#[must_use]
pub fn la_key(name: &str) -> String {
    squash(name)
}

/// Lower case without white space.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The Monday of ISO week `week` of `year` (the DfE numbers its weekly figures so):
/// 2024 week 37 is the week commencing 9 September 2024; 2025 week 1 began on Monday
/// 30 December 2024. `None` for a week the year does not have.
#[must_use]
pub fn iso_week_monday(year: i32, week: u32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
}

/// The Monday of the week `day` is in.
#[must_use]
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn iso_weeks_start_on_their_monday() {
        assert_eq!(iso_week_monday(2024, 37), Some(day(2024, 9, 9)));
        // Week 1 of 2025 holds 2 January 2025 (a Thursday), so starts in 2024.
        assert_eq!(iso_week_monday(2025, 1), Some(day(2024, 12, 30)));
        // 2020 had 53 ISO weeks, 2025 has 52.
        assert_eq!(iso_week_monday(2020, 53), Some(day(2020, 12, 28)));
        assert_eq!(iso_week_monday(2025, 53), None);
        assert_eq!(iso_week_monday(2025, 0), None);
        assert_eq!(monday_of(day(2025, 9, 12)), day(2025, 9, 8));
        assert_eq!(monday_of(day(2025, 9, 8)), day(2025, 9, 8));
    }

    #[test]
    fn phases_read_both_column_styles() {
        for (text, phase) in [
            ("Primary", PublishedPhase::Primary),
            ("State-funded primary", PublishedPhase::Primary),
            ("state-funded  SECONDARY", PublishedPhase::Secondary),
            ("Special", PublishedPhase::Special),
            ("Total", PublishedPhase::AllSchools),
            ("All schools", PublishedPhase::AllSchools),
        ] {
            assert_eq!(PublishedPhase::parse(text), Some(phase), "{text}");
        }
        assert_eq!(PublishedPhase::parse("Alternative provision"), None);
        for p in PublishedPhase::ALL {
            assert_eq!(PublishedPhase::parse(p.label()), Some(p));
        }
        for l in [GeographicLevel::National, GeographicLevel::LocalAuthority] {
            assert_eq!(GeographicLevel::parse(l.label()), Some(l));
        }
        assert_eq!(la_key(" North  Yorkshire"), "northyorkshire");
    }
}
