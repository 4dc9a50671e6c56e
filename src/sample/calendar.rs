//! The school days of the sample periods, and the days that matter for the story the
//! data tells (the last week of term, the days around half term, a winter outbreak).

use chrono::{Datelike as _, NaiveDate, Weekday};

/// A date known to be valid; only ever called in constant contexts, so a bad date
/// fails the build, never a run.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date in the sample calendar"),
    }
}

/// First day of the 2025-26 summer term (Monday).
const SUMMER_START: NaiveDate = ymd(2026, 4, 13);
/// Last day of the 2025-26 summer term (Wednesday).
const SUMMER_END: NaiveDate = ymd(2026, 7, 22);
/// The early May bank holiday.
const MAY_BANK_HOLIDAY: NaiveDate = ymd(2026, 5, 4);
/// Summer half term.
const SUMMER_HALF_TERM: (NaiveDate, NaiveDate) = (ymd(2026, 5, 25), ymd(2026, 5, 29));
/// First day of the 2026-27 autumn term (Wednesday).
const AUTUMN_START: NaiveDate = ymd(2026, 9, 2);
/// The last school day before "today" (Monday 23 November 2026).
const AUTUMN_END: NaiveDate = ymd(2026, 11, 20);
/// Autumn half term.
const AUTUMN_HALF_TERM: (NaiveDate, NaiveDate) = (ymd(2026, 10, 26), ymd(2026, 10, 30));
/// The autumn INSET day, marked `#` for every pupil.
pub(crate) const INSET_DAY: NaiveDate = ymd(2026, 9, 7);
/// The week of the primary school's winter vomiting-bug outbreak.
const OUTBREAK: (NaiveDate, NaiveDate) = (ymd(2026, 11, 9), ymd(2026, 11, 13));
/// The benchmark's first day (a Monday).
const BENCH_START: NaiveDate = ymd(2025, 9, 1);

/// Dates of school-wide events used by the generator.
pub(crate) mod dates {
    use super::{NaiveDate, ymd};
    /// Secondary Year 11 leave the roll after the last Friday of June.
    pub(crate) const YEAR_11_LEAVE: NaiveDate = ymd(2026, 6, 26);
    /// Public examination season (study leave `S`).
    pub(crate) const EXAMS: (NaiveDate, NaiveDate) = (ymd(2026, 5, 11), ymd(2026, 6, 19));
    /// Year 10 work experience week (`W`).
    pub(crate) const WORK_EXPERIENCE: NaiveDate = ymd(2026, 7, 6);
    /// Year 6 residential trip (three days of `V`).
    pub(crate) const RESIDENTIAL: NaiveDate = ymd(2026, 6, 15);
    /// LA transport to the special school failed (`Y1`).
    pub(crate) const TRANSPORT_FAILED: NaiveDate = ymd(2026, 11, 17);
    /// Flooding closed the secondary's main bus route for a morning (`Y2`).
    pub(crate) const ROAD_FLOODED: NaiveDate = ymd(2026, 11, 19);
}

/// Which term a calendar is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermKind {
    /// 2025-26 summer.
    Summer,
    /// 2026-27 autumn (so far).
    Autumn,
    /// The benchmark's run of weekdays.
    Bench,
}

/// The school days of one period, in order.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    /// Which period.
    pub(crate) term: TermKind,
    /// Every day the registers are open (including planned closures marked `#`).
    pub(crate) days: Vec<NaiveDate>,
    /// Whether each day is a planned whole-school closure.
    pub(crate) closed: Vec<bool>,
    /// The last week of term (days of unauthorised holiday cluster here).
    pub(crate) last_week: Vec<usize>,
    /// The two school days just before half term.
    pub(crate) before_half_term: Vec<usize>,
    /// The two school days just after half term.
    pub(crate) after_half_term: Vec<usize>,
    /// Days of the primary school's outbreak.
    pub(crate) outbreak: Vec<usize>,
    /// Days when illness is more likely (winter).
    pub(crate) winter: Vec<bool>,
    /// Each day as written in exports (`dd/mm/yyyy`).
    pub(crate) dmy: Vec<String>,
}

fn weekdays(from: NaiveDate, to: NaiveDate, skip: &[(NaiveDate, NaiveDate)]) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .filter(|d| !skip.iter().any(|(a, b)| a <= d && d <= b))
        .collect()
}

impl Calendar {
    fn build(term: TermKind, days: Vec<NaiveDate>) -> Calendar {
        let n = days.len();
        let winter = days
            .iter()
            .map(|d| matches!(d.month(), 11 | 12 | 1 | 2))
            .collect();
        let dmy = days.iter().map(|d| crate::domain::dates::day(*d)).collect();
        Calendar {
            term,
            closed: vec![false; n],
            days,
            last_week: Vec::new(),
            before_half_term: Vec::new(),
            after_half_term: Vec::new(),
            outbreak: Vec::new(),
            winter,
            dmy,
        }
    }

    fn indexes(&self, from: NaiveDate, to: NaiveDate) -> Vec<usize> {
        self.days
            .iter()
            .enumerate()
            .filter(|(_, d)| from <= **d && **d <= to)
            .map(|(i, _)| i)
            .collect()
    }

    /// Makes `from..=to` the term's outbreak week (for the held-out data set).
    pub(crate) fn set_outbreak(&mut self, from: NaiveDate, to: NaiveDate) {
        self.outbreak = self.indexes(from, to);
    }

    fn around(&mut self, half_term: (NaiveDate, NaiveDate)) {
        let before = self.days.iter().filter(|d| **d < half_term.0).count();
        self.before_half_term = (before.saturating_sub(2)..before).collect();
        self.after_half_term = (before..(before + 2).min(self.days.len())).collect();
    }

    /// The 2025-26 summer term: 13 April to 22 July 2026, without the May bank holiday
    /// and half term.
    pub(crate) fn summer_2026() -> Calendar {
        let days = weekdays(
            SUMMER_START,
            SUMMER_END,
            &[(MAY_BANK_HOLIDAY, MAY_BANK_HOLIDAY), SUMMER_HALF_TERM],
        );
        let mut cal = Calendar::build(TermKind::Summer, days);
        cal.last_week = cal.indexes(ymd(2026, 7, 16), SUMMER_END);
        cal.around(SUMMER_HALF_TERM);
        cal
    }

    /// The 2026-27 autumn term so far: 2 September to 20 November 2026, without half
    /// term; 7 September is an INSET day.
    pub(crate) fn autumn_2026() -> Calendar {
        let days = weekdays(AUTUMN_START, AUTUMN_END, &[AUTUMN_HALF_TERM]);
        let mut cal = Calendar::build(TermKind::Autumn, days);
        for (i, d) in cal.days.iter().enumerate() {
            cal.closed[i] = *d == INSET_DAY;
        }
        cal.around(AUTUMN_HALF_TERM);
        cal.outbreak = cal.indexes(OUTBREAK.0, OUTBREAK.1);
        cal
    }

    /// `n` consecutive weekdays from Monday 1 September 2025, for the benchmark.
    pub(crate) fn bench(n: usize) -> Calendar {
        let days = BENCH_START
            .iter_days()
            .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .take(n)
            .collect();
        Calendar::build(TermKind::Bench, days)
    }

    /// How many days.
    pub(crate) fn len(&self) -> usize {
        self.days.len()
    }

    /// The index of a date, if it is a school day.
    pub(crate) fn index_of(&self, date: NaiveDate) -> Option<usize> {
        self.days.binary_search(&date).ok()
    }

    /// The index range of the days from `from` to `to` inclusive.
    pub(crate) fn span(&self, from: NaiveDate, to: NaiveDate) -> std::ops::Range<usize> {
        let start = self.days.partition_point(|d| *d < from);
        let end = self.days.partition_point(|d| *d <= to);
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_have_the_expected_days() {
        let summer = Calendar::summer_2026();
        // 14 weeks and 3 days of weekdays, less the bank holiday and a week of half term.
        assert_eq!(summer.len(), 67);
        assert_eq!(summer.index_of(MAY_BANK_HOLIDAY), None);
        assert_eq!(summer.last_week.len(), 5);
        assert_eq!(summer.dmy[0], "13/04/2026");
        let autumn = Calendar::autumn_2026();
        assert_eq!(autumn.len(), 53);
        assert_eq!(autumn.closed.iter().filter(|c| **c).count(), 1);
        assert_eq!(autumn.outbreak.len(), 5);
        assert_eq!(
            autumn
                .before_half_term
                .iter()
                .map(|&i| autumn.days[i])
                .next_back(),
            Some(ymd(2026, 10, 23))
        );
        assert_eq!(
            autumn.after_half_term.first().map(|&i| autumn.days[i]),
            Some(ymd(2026, 11, 2))
        );
        let bench = Calendar::bench(190);
        assert_eq!(bench.len(), 190);
        assert_eq!(bench.days[5], ymd(2025, 9, 8));
    }
}
