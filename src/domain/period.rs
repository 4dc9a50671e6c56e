//! Academic years and terms. An import belongs to a school and a period such as
//! `2025-26 autumn`.
//!
//! Term dates differ between local authorities, so a mark's term is found by rule:
//! autumn runs from 1 August to 31 December, spring from 1 January to Easter Sunday,
//! summer from Easter Monday to 31 July. Schools close over Easter, so the boundary
//! falls in a holiday in practice; `--term` overrides the rule.

use chrono::{Datelike as _, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// A term of the school year.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Term {
    /// September to December.
    Autumn,
    /// January to Easter.
    Spring,
    /// Easter to July.
    Summer,
}

impl Term {
    /// The lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Term::Autumn => "autumn",
            Term::Spring => "spring",
            Term::Summer => "summer",
        }
    }

    /// 1, 2 or 3, the order within the year (stored in the database).
    #[must_use]
    pub fn number(self) -> u8 {
        match self {
            Term::Autumn => 1,
            Term::Spring => 2,
            Term::Summer => 3,
        }
    }

    /// The term numbered `n` (see [`Term::number`]).
    #[must_use]
    pub fn from_number(n: u8) -> Option<Term> {
        match n {
            1 => Some(Term::Autumn),
            2 => Some(Term::Spring),
            3 => Some(Term::Summer),
            _ => None,
        }
    }
}

/// An academic year, named by the calendar year it starts in (`2025` is 2025-26).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct AcademicYear(pub i32);

impl fmt::Display for AcademicYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1).rem_euclid(100))
    }
}

/// A school's reporting period: an academic year and a term.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Period {
    /// The academic year.
    pub year: AcademicYear,
    /// The term.
    pub term: Term,
}

/// Why a period could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a term; write it like \"2025-26 autumn\"")]
pub struct BadPeriod(pub String);

impl Period {
    /// A period.
    #[must_use]
    pub fn new(start_year: i32, term: Term) -> Self {
        Period {
            year: AcademicYear(start_year),
            term,
        }
    }

    /// The period a school day falls in.
    #[must_use]
    pub fn of_date(date: NaiveDate) -> Self {
        let year = date.year();
        if date.month() >= 8 {
            return Period::new(year, Term::Autumn);
        }
        let easter = easter_sunday(year);
        if easter.is_some_and(|e| date <= e) {
            Period::new(year - 1, Term::Spring)
        } else {
            Period::new(year - 1, Term::Summer)
        }
    }

    /// The first and last calendar dates the rule assigns to this period.
    #[must_use]
    pub fn date_range(self) -> Option<(NaiveDate, NaiveDate)> {
        let start = self.year.0;
        let end = start + 1;
        match self.term {
            Term::Autumn => Some((
                NaiveDate::from_ymd_opt(start, 8, 1)?,
                NaiveDate::from_ymd_opt(start, 12, 31)?,
            )),
            Term::Spring => Some((NaiveDate::from_ymd_opt(end, 1, 1)?, easter_sunday(end)?)),
            Term::Summer => Some((
                easter_sunday(end)?.succ_opt()?,
                NaiveDate::from_ymd_opt(end, 7, 31)?,
            )),
        }
    }

    /// When the term usually begins: 1 September, the first weekday of January, or
    /// the Monday after Easter Monday (schools' own dates vary a few days).
    #[must_use]
    pub fn usual_start(self) -> Option<NaiveDate> {
        match self.term {
            Term::Autumn => NaiveDate::from_ymd_opt(self.year.0, 9, 1),
            Term::Spring => {
                let mut day = NaiveDate::from_ymd_opt(self.year.0 + 1, 1, 2)?;
                while matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
                    day = day.succ_opt()?;
                }
                Some(day)
            }
            Term::Summer => easter_sunday(self.year.0 + 1)?.checked_add_days(chrono::Days::new(8)),
        }
    }

    /// The period before this one.
    #[must_use]
    pub fn previous(self) -> Period {
        match self.term {
            Term::Autumn => Period::new(self.year.0 - 1, Term::Summer),
            Term::Spring => Period::new(self.year.0, Term::Autumn),
            Term::Summer => Period::new(self.year.0, Term::Spring),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.year, self.term.as_str())
    }
}

impl FromStr for Period {
    type Err = BadPeriod;

    /// Reads a term as exports and people write it: `2025-26 autumn`, `2025/26 Autumn
    /// term`, `Autumn 2025-26`, `2025-2026 autumn`, `202526 autumn`, or a term and the
    /// calendar year it falls in (`Autumn 2025` is 2025-26 autumn, `Spring 2026` is
    /// 2025-26 spring). Case, spaces and the word "term" do not matter.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadPeriod(s.trim().chars().take(40).collect());
        let lower = s.trim().to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty() && *w != "term")
            .collect();
        let [a, b] = words.as_slice() else {
            return Err(bad());
        };
        let (year_word, term_word) = if a.starts_with(|c: char| c.is_ascii_digit()) {
            (a, b)
        } else {
            (b, a)
        };
        let term = match *term_word {
            "autumn" | "aut" => Term::Autumn,
            "spring" | "spr" => Term::Spring,
            "summer" | "sum" => Term::Summer,
            _ => return Err(bad()),
        };
        let plausible = |y: i32| (1990..=2200).contains(&y);
        let four = |t: &str| {
            (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<i32>().ok())
                .flatten()
        };
        // One calendar year: the year the term falls in.
        if let Some(year) = four(year_word) {
            if !plausible(year) {
                return Err(bad());
            }
            let start = if term == Term::Autumn { year } else { year - 1 };
            return Ok(Period::new(start, term));
        }
        let (first, second) = match year_word.split_once(['-', '/']) {
            Some(parts) => parts,
            // `202526`: the start year and the next year's last two digits.
            None if year_word.len() == 6 => year_word.split_at(4),
            None => return Err(bad()),
        };
        let start = four(first).filter(|y| plausible(*y)).ok_or_else(bad)?;
        let next = start + 1;
        let second_ok = match second.len() {
            2 => second.parse::<i32>().ok() == Some(next.rem_euclid(100)),
            4 => second.parse::<i32>().ok() == Some(next),
            _ => false,
        };
        if !second_ok {
            return Err(bad());
        }
        Ok(Period::new(start, term))
    }
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm).
#[must_use]
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_dates_are_right() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
    }

    #[test]
    fn dates_fall_in_terms() {
        assert_eq!(Period::of_date(d(2025, 9, 3)).to_string(), "2025-26 autumn");
        assert_eq!(
            Period::of_date(d(2025, 12, 19)).to_string(),
            "2025-26 autumn"
        );
        assert_eq!(Period::of_date(d(2026, 1, 5)).to_string(), "2025-26 spring");
        assert_eq!(Period::of_date(d(2026, 4, 5)).to_string(), "2025-26 spring");
        assert_eq!(Period::of_date(d(2026, 4, 6)).to_string(), "2025-26 summer");
        assert_eq!(
            Period::of_date(d(2026, 7, 22)).to_string(),
            "2025-26 summer"
        );
        assert_eq!(
            Period::of_date(d(2099, 12, 1)).to_string(),
            "2099-00 autumn"
        );
    }

    #[test]
    fn every_date_lies_in_its_terms_date_range() {
        // The importer caches a term's range and relies on this.
        let mut date = d(2019, 8, 1);
        while date < d(2031, 8, 1) {
            let (start, end) = Period::of_date(date).date_range().unwrap();
            assert!(start <= date && date <= end, "{date}");
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn periods_parse_in_the_usual_spellings() {
        for s in [
            "2025-26 autumn",
            "2025/26 Autumn",
            "Autumn 2025-26",
            "2025-2026 AUTUMN",
            " 2025-26   autumn ",
        ] {
            assert_eq!(
                s.parse::<Period>(),
                Ok(Period::new(2025, Term::Autumn)),
                "{s}"
            );
        }
        for s in [
            "2025/26 Autumn term",
            "Autumn 2025",
            "2025-26 autumn",
            "autumn term 2025/26",
            "202526 Autumn",
            "2025 autumn",
        ] {
            assert_eq!(
                s.parse::<Period>(),
                Ok(Period::new(2025, Term::Autumn)),
                "{s}"
            );
        }
        // A single year is the calendar year the term falls in.
        assert_eq!("Spring 2026".parse(), Ok(Period::new(2025, Term::Spring)));
        assert_eq!("Summer 2026".parse(), Ok(Period::new(2025, Term::Summer)));
        assert_eq!(
            "2025/26 Summer term".parse(),
            Ok(Period::new(2025, Term::Summer))
        );
        for s in [
            "2025-27 autumn",
            "202527 autumn",
            "1066 autumn",
            "2025-26 winter",
            "autumn",
            "25-26 autumn",
            "",
        ] {
            assert!(s.parse::<Period>().is_err(), "{s}");
        }
    }

    #[test]
    fn periods_order_and_step_back() {
        let autumn = Period::new(2025, Term::Autumn);
        let spring = Period::new(2025, Term::Spring);
        assert!(autumn < spring);
        assert!(Period::new(2024, Term::Summer) < autumn);
        assert_eq!(spring.previous(), autumn);
        assert_eq!(autumn.previous(), Period::new(2024, Term::Summer));
        assert_eq!(
            Period::new(2025, Term::Spring).date_range(),
            Some((d(2026, 1, 1), d(2026, 4, 5)))
        );
    }
}
