//! The data frames behind the analysis, and helpers to read results out of them.

use super::{AnalysisError, TimeSlice, ratio};
use crate::domain::rules::Rate;
use crate::domain::{PeriodData, PupilFacts};
use chrono::{Datelike as _, NaiveDate};
use polars::prelude::*;
use std::collections::HashMap;

/// Per pupil and school day: possible and absence sessions (days with no possible
/// session are left out).
struct Days {
    pupil: Vec<i64>,
    day: Vec<i32>,
    possible: Vec<i64>,
    absence: Vec<i64>,
}

fn days(data: &PeriodData) -> Days {
    let mut d = Days {
        pupil: Vec::new(),
        day: Vec::new(),
        possible: Vec::new(),
        absence: Vec::new(),
    };
    for (pupil_id, strip) in &data.marks {
        let mut current: Option<(NaiveDate, i64, i64)> = None;
        let flush = |entry: Option<(NaiveDate, i64, i64)>, d: &mut Days| {
            if let Some((date, possible, absence)) = entry
                && possible > 0
            {
                d.pupil.push(*pupil_id);
                d.day.push(date.num_days_from_ce());
                d.possible.push(possible);
                d.absence.push(absence);
            }
        };
        for m in strip.marks() {
            let category = m.code.category();
            let (p, a) = (
                i64::from(category.is_possible()),
                i64::from(category.is_absence()),
            );
            match current.as_mut() {
                Some((date, possible, absence)) if *date == m.date => {
                    *possible += p;
                    *absence += a;
                }
                _ => {
                    flush(current.take(), &mut d);
                    current = Some((m.date, p, a));
                }
            }
        }
        flush(current, &mut d);
    }
    d
}

/// Each pupil's overall, recent-window and previous-period absence, joined in polars.
pub(super) fn pupil_facts(
    data: &PeriodData,
    recent_days: u32,
) -> Result<HashMap<i64, PupilFacts>, AnalysisError> {
    let base = df!(
        "pupil_id" => data.pupils.iter().map(|p| p.id).collect::<Vec<_>>(),
        "absence" => data.pupils.iter().map(|p| i64::from(p.counts.absence())).collect::<Vec<_>>(),
        "possible" => data.pupils.iter().map(|p| i64::from(p.counts.possible)).collect::<Vec<_>>(),
    )?;
    let previous = df!(
        "pupil_id" => data.previous_rates.iter().map(|r| r.pupil_id).collect::<Vec<_>>(),
        "prev_absence" => data.previous_rates.iter().map(|r| i64::from(r.absence)).collect::<Vec<_>>(),
        "prev_possible" => data.previous_rates.iter().map(|r| i64::from(r.possible)).collect::<Vec<_>>(),
    )?;
    let d = days(data);
    let has_marks = !data.marks.is_empty();
    let weekly = if has_marks {
        None
    } else {
        snapshot_window(data)
    };
    let window_len = usize::try_from(recent_days).unwrap_or(usize::MAX);
    let school = match &weekly {
        Some(w) => school_over_weeks(w),
        None => school_over_days(&d, window_len),
    };
    let day_frame = df!("pupil_id" => d.pupil, "day" => d.day, "possible" => d.possible, "absence" => d.absence)?;
    let latest_first = SortMultipleOptions::default().with_order_descending(true);
    let window = Some(window_len);
    let recent = day_frame.lazy().group_by([col("pupil_id")]).agg([
        col("possible")
            .sort_by([col("day")], latest_first.clone())
            .head(window)
            .sum()
            .alias("recent_possible"),
        col("absence")
            .sort_by([col("day")], latest_first)
            .head(window)
            .sum()
            .alias("recent_absence"),
    ]);
    let mut joined = base
        .lazy()
        .left_join(previous.lazy(), col("pupil_id"), col("pupil_id"))
        .left_join(recent, col("pupil_id"), col("pupil_id"));
    let recent_weeks = weekly.as_ref().map(|w| w.weeks);
    if let Some(window) = weekly {
        // Without marks, the recent window is the change between the latest weekly
        // snapshot and the one `weeks` before it.
        let latest = df!(
            "pupil_id" => window.latest.iter().map(|r| r.0).collect::<Vec<_>>(),
            "now_absence" => window.latest.iter().map(|r| r.1).collect::<Vec<_>>(),
            "now_possible" => window.latest.iter().map(|r| r.2).collect::<Vec<_>>(),
        )?;
        let base = df!(
            "pupil_id" => window.base.iter().map(|r| r.0).collect::<Vec<_>>(),
            "then_absence" => window.base.iter().map(|r| r.1).collect::<Vec<_>>(),
            "then_possible" => window.base.iter().map(|r| r.2).collect::<Vec<_>>(),
        )?;
        let change = latest
            .lazy()
            .left_join(base.lazy(), col("pupil_id"), col("pupil_id"))
            .select([
                col("pupil_id"),
                (col("now_absence") - col("then_absence").fill_null(lit(0i64)))
                    .alias("week_absence"),
                (col("now_possible") - col("then_possible").fill_null(lit(0i64)))
                    .alias("week_possible"),
            ]);
        joined = joined
            .drop(cols(["recent_absence", "recent_possible"]))
            .left_join(change, col("pupil_id"), col("pupil_id"))
            .rename(
                ["week_absence", "week_possible"],
                ["recent_absence", "recent_possible"],
                true,
            );
    }
    let joined = joined.collect()?;

    let ids = ints(&joined, "pupil_id")?;
    let absence = ints(&joined, "absence")?;
    let possible = ints(&joined, "possible")?;
    let prev_absence = optional_ints(&joined, "prev_absence")?;
    let prev_possible = optional_ints(&joined, "prev_possible")?;
    let recent_absence = optional_ints(&joined, "recent_absence")?;
    let recent_possible = optional_ints(&joined, "recent_possible")?;
    let rate =
        |a: i64, p: i64| Rate::new(u32::try_from(a).unwrap_or(0), u32::try_from(p).unwrap_or(0));
    let mut out = HashMap::with_capacity(ids.len());
    for i in 0..ids.len() {
        let previous = match (prev_absence[i], prev_possible[i]) {
            (Some(a), Some(p)) => Some(rate(a, p)),
            _ => None,
        };
        let recent = if has_marks || recent_weeks.is_some() {
            Some(rate(
                recent_absence[i].unwrap_or(0).max(0),
                recent_possible[i].unwrap_or(0).max(0),
            ))
        } else {
            None
        };
        out.insert(
            ids[i],
            PupilFacts {
                overall: rate(absence[i], possible[i]),
                recent,
                school_recent: recent.and(school.get(&ids[i]).copied()),
                previous,
                recent_weeks,
            },
        );
    }
    Ok(out)
}

/// Rates from session totals that may not fit (or be negative) in a [`Rate`].
fn clamped_rate(absence: i64, possible: i64) -> Rate {
    let fit = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    Rate::new(fit(absence), fit(possible))
}

/// For each pupil, the rest of the school's absence over the pupil's own recent window
/// (their latest `window` school days with possible sessions): the school's totals on
/// those days less the pupil's own.
fn school_over_days(d: &Days, window: usize) -> HashMap<i64, Rate> {
    let mut totals: HashMap<i32, (i64, i64)> = HashMap::new();
    let mut rows: HashMap<i64, Vec<usize>> = HashMap::new();
    for i in 0..d.day.len() {
        let t = totals.entry(d.day[i]).or_default();
        t.0 += d.possible[i];
        t.1 += d.absence[i];
        rows.entry(d.pupil[i]).or_default().push(i);
    }
    rows.into_iter()
        .map(|(pupil, mut mine)| {
            mine.sort_unstable_by_key(|&i| std::cmp::Reverse(d.day[i]));
            mine.truncate(window);
            let (mut possible, mut absence) = (0, 0);
            for &i in &mine {
                let (p, a) = totals.get(&d.day[i]).copied().unwrap_or_default();
                possible += p - d.possible[i];
                absence += a - d.absence[i];
            }
            (pupil, clamped_rate(absence, possible))
        })
        .collect()
}

/// For each pupil, the rest of the school's absence over the same weeks of weekly
/// figures.
fn school_over_weeks(w: &SnapshotWindow) -> HashMap<i64, Rate> {
    let base: HashMap<i64, (i64, i64)> = w.base.iter().map(|r| (r.0, (r.1, r.2))).collect();
    let change: Vec<(i64, i64, i64)> = w
        .latest
        .iter()
        .map(|&(id, a, p)| {
            let (ba, bp) = base.get(&id).copied().unwrap_or_default();
            (id, a - ba, p - bp)
        })
        .collect();
    let (absence, possible) = change
        .iter()
        .fold((0, 0), |(a, p), r| (a + r.1.max(0), p + r.2.max(0)));
    change
        .iter()
        .map(|&(id, a, p)| (id, clamped_rate(absence - a.max(0), possible - p.max(0))))
        .collect()
}

/// How many weekly snapshots back the *recent* window reaches without marks.
pub(super) const RECENT_WEEKS: usize = 4;

/// The recent window from weekly snapshots: each pupil's (id, absence, possible) in the
/// latest snapshot and in the one up to [`RECENT_WEEKS`] before it.
struct SnapshotWindow {
    latest: Vec<(i64, i64, i64)>,
    base: Vec<(i64, i64, i64)>,
    weeks: u32,
}

fn snapshot_window(data: &PeriodData) -> Option<SnapshotWindow> {
    let n = data.snapshots.len();
    if n < 2 {
        return None;
    }
    let back = RECENT_WEEKS.min(n - 1);
    let rows = |i: usize| -> Vec<(i64, i64, i64)> {
        data.snapshots.get(i).map_or_else(Vec::new, |s| {
            s.rows
                .iter()
                .map(|r| {
                    (
                        r.pupil_id,
                        i64::from(r.counts.absence()),
                        i64::from(r.counts.possible),
                    )
                })
                .collect()
        })
    };
    Some(SnapshotWindow {
        latest: rows(n - 1),
        base: rows(n - 1 - back),
        weeks: u32::try_from(back).unwrap_or(u32::MAX),
    })
}

/// How to slice time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slice {
    /// By week (Monday to Sunday).
    Week,
    /// By day of the week.
    Weekday,
}

pub(super) fn time_slices(
    data: &PeriodData,
    slice: Slice,
) -> Result<Vec<TimeSlice>, AnalysisError> {
    if data.marks.is_empty() {
        return Ok(Vec::new());
    }
    let d = days(data);
    let key: Vec<i32> = d
        .day
        .iter()
        .map(|&n| match slice {
            Slice::Week => n - (n + 6).rem_euclid(7),
            // Day 1 of the common era was a Monday, so rem_euclid(7) 1 is Monday.
            Slice::Weekday => (n + 6).rem_euclid(7),
        })
        .collect();
    let frame =
        df!("key" => key, "day" => d.day, "possible" => d.possible, "absence" => d.absence)?;
    let out = frame
        .lazy()
        .group_by([col("key")])
        .agg([
            col("day").min().alias("first_day"),
            col("possible").sum(),
            col("absence").sum(),
        ])
        .sort(["key"], SortMultipleOptions::default())
        .collect()?;
    let first_days = ints(&out, "first_day")?;
    let possible = ints(&out, "possible")?;
    let absence = ints(&out, "absence")?;
    let mut slices = Vec::with_capacity(first_days.len());
    for i in 0..first_days.len() {
        let Some(first) = i32::try_from(first_days[i])
            .ok()
            .and_then(NaiveDate::from_num_days_from_ce_opt)
        else {
            continue;
        };
        let (start, label) = match slice {
            Slice::Week => {
                let monday =
                    first - chrono::Days::new(u64::from(first.weekday().num_days_from_monday()));
                (monday, format!("w/c {}", crate::domain::dates::day(monday)))
            }
            Slice::Weekday => (first, first.format("%A").to_string()),
        };
        let possible_sessions = u64::try_from(possible[i]).unwrap_or(0);
        let absence_sessions = u64::try_from(absence[i]).unwrap_or(0);
        slices.push(TimeSlice {
            start,
            label,
            possible_sessions,
            absence_sessions,
            absence_rate: ratio(absence_sessions, possible_sessions),
        });
    }
    Ok(slices)
}

/// A whole-number column as `i64`s (nulls as 0).
pub(super) fn ints(df: &DataFrame, name: &str) -> Result<Vec<i64>, AnalysisError> {
    Ok(optional_ints(df, name)?
        .into_iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

/// A whole-number column as optional `i64`s.
pub(super) fn optional_ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>, AnalysisError> {
    let column = df.column(name)?.cast(&DataType::Int64)?;
    Ok(column.i64()?.iter().collect())
}

/// A text column.
pub(super) fn strings(df: &DataFrame, name: &str) -> Result<Vec<String>, AnalysisError> {
    Ok(df
        .column(name)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or_default().to_owned())
        .collect())
}
