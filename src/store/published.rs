//! Published comparators: the DfE's weekly attendance statistics, national and for
//! local authorities, stored by week, phase and area (`published_figures`, migration
//! 6). A newer file replaces the rows of the weeks it covers; nothing here is about a
//! pupil.

use super::format::AT_FORMAT;
use super::{Store, StoreError};
use crate::domain::{GeographicLevel, PublishedPhase, PublishedRow};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, params};
use std::collections::BTreeSet;

/// What storing a published statistics file did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishedOutcome {
    /// The file's name.
    pub file_name: String,
    /// The source the rows are stored under.
    pub release: String,
    /// Rows stored.
    pub rows: usize,
    /// Of those, rows that replaced figures held before for the same week, phase and
    /// area.
    pub replaced: usize,
    /// National rows stored.
    pub national_rows: usize,
    /// Local authority rows stored.
    pub la_rows: usize,
    /// Weeks covered.
    pub weeks: usize,
    /// The first week's Monday.
    pub first_week: Option<NaiveDate>,
    /// The last week's Monday.
    pub last_week: Option<NaiveDate>,
    /// The local authorities, by name (or code), in order.
    pub las: Vec<String>,
}

/// The published figures held from one source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PublishedHeld {
    /// The source.
    pub release: String,
    /// When its rows were last imported (local time, `yyyy-mm-dd hh:mm:ss`).
    pub imported_at: String,
    /// Rows held.
    pub rows: u64,
    /// Weeks covered.
    pub weeks: u64,
    /// The first week's Monday.
    pub first_week: NaiveDate,
    /// The last week's Monday.
    pub last_week: NaiveDate,
    /// Local authorities with figures.
    pub las: u64,
}

/// One week's published overall absence for one phase and area.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedPoint {
    /// The week's Monday.
    pub week_start: NaiveDate,
    /// Overall absence, % as published; `None` where suppressed.
    pub overall_absence: Option<f64>,
    /// The source.
    pub release: String,
    /// The local authority's name as published, if any.
    pub la_name: Option<String>,
}

/// "1 row", "3 rows".
fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn day(text: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Damaged(format!("published week {text:?}")))
}

impl Store {
    /// Stores published rows under `release` in one transaction, with a row in the
    /// activity log: rows for a week, phase and area already held are replaced. All or
    /// nothing.
    ///
    /// # Errors
    /// SQLite errors (nothing is stored then).
    pub fn import_published(
        &mut self,
        file_name: &str,
        rows: &[PublishedRow],
        release: &str,
        officer: &str,
    ) -> Result<PublishedOutcome, StoreError> {
        let now = self.clock.now();
        let imported_at = now.format(AT_FORMAT).to_string();
        let tx = self.conn.transaction()?;
        let mut outcome = PublishedOutcome {
            file_name: file_name.to_owned(),
            release: release.to_owned(),
            rows: 0,
            replaced: 0,
            national_rows: 0,
            la_rows: 0,
            weeks: 0,
            first_week: None,
            last_week: None,
            las: Vec::new(),
        };
        let mut weeks = BTreeSet::new();
        let mut las = BTreeSet::new();
        {
            let mut held = tx.prepare(
                "SELECT 1 FROM published_figures
                 WHERE week_start = ?1 AND phase = ?2 AND geographic_level = ?3 AND area = ?4",
            )?;
            let mut put = tx.prepare(
                "INSERT OR REPLACE INTO published_figures
                 (week_start, phase, geographic_level, area, la_code, la_name, attendance,
                  overall_absence, authorised, unauthorised, release, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            for r in rows {
                let week = day_text(r.week_start);
                let area = r.area();
                let key = params![week, r.phase.label(), r.level.label(), area];
                if held.query_row(key, |_| Ok(())).optional()?.is_some() {
                    outcome.replaced += 1;
                }
                put.execute(params![
                    week,
                    r.phase.label(),
                    r.level.label(),
                    area,
                    r.la_code,
                    r.la_name,
                    r.attendance,
                    r.overall_absence,
                    r.authorised,
                    r.unauthorised,
                    release,
                    imported_at,
                ])?;
                outcome.rows += 1;
                weeks.insert(r.week_start);
                match r.level {
                    GeographicLevel::National => outcome.national_rows += 1,
                    GeographicLevel::LocalAuthority => {
                        las.insert(
                            r.la_name
                                .clone()
                                .or_else(|| r.la_code.clone())
                                .unwrap_or_default(),
                        );
                        outcome.la_rows += 1;
                    }
                }
            }
        }
        outcome.weeks = weeks.len();
        outcome.first_week = weeks.first().copied();
        outcome.last_week = weeks.last().copied();
        outcome.las = las.into_iter().collect();
        let span = match (outcome.first_week, outcome.last_week) {
            (Some(a), Some(b)) => format!(" from {a} to {b}"),
            _ => String::new(),
        };
        super::activity::log(
            &tx,
            now,
            officer,
            super::ActivityKind::Import,
            None,
            &format!(
                "imported published attendance statistics: {file_name} ({}, {}{span}, {}{})",
                counted(outcome.rows, "row", "rows"),
                counted(outcome.weeks, "week", "weeks"),
                counted(outcome.las.len(), "local authority", "local authorities"),
                if outcome.replaced > 0 {
                    format!(
                        ", replacing {} held before",
                        counted(outcome.replaced, "row", "rows")
                    )
                } else {
                    String::new()
                }
            ),
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    /// The published figures held, one entry per source, latest weeks first.
    ///
    /// # Errors
    /// SQLite errors; [`StoreError::Damaged`] for a week that cannot be read back.
    pub fn published_held(&self) -> Result<Vec<PublishedHeld>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT release, MAX(imported_at), COUNT(*), COUNT(DISTINCT week_start),
                    MIN(week_start), MAX(week_start),
                    COUNT(DISTINCT CASE WHEN geographic_level = ?1 THEN area END)
             FROM published_figures GROUP BY release
             ORDER BY MAX(week_start) DESC, release",
        )?;
        let rows = stmt.query_map([GeographicLevel::LocalAuthority.label()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        let mut out = Vec::new();
        for row in rows {
            let (release, imported_at, n, weeks, first, last, las) = row?;
            out.push(PublishedHeld {
                release,
                imported_at,
                rows: count(n),
                weeks: count(weeks),
                first_week: day(&first)?,
                last_week: day(&last)?,
                las: count(las),
            });
        }
        Ok(out)
    }

    /// The published overall absence for one phase and area (`area` is empty
    /// nationally, else [`crate::domain::published::la_key`] of the LA's name) in the
    /// weeks from `from` to `to`, by week.
    ///
    /// # Errors
    /// SQLite errors; [`StoreError::Damaged`] for a week that cannot be read back.
    pub fn published_points(
        &self,
        level: GeographicLevel,
        area: &str,
        phase: PublishedPhase,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<Vec<PublishedPoint>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT week_start, overall_absence, release, la_name FROM published_figures
             WHERE geographic_level = ?1 AND area = ?2 AND phase = ?3
               AND week_start >= ?4 AND week_start <= ?5
             ORDER BY week_start",
        )?;
        let rows = stmt.query_map(
            params![
                level.label(),
                area,
                phase.label(),
                day_text(from),
                day_text(to)
            ],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<f64>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (week, overall_absence, release, la_name) = row?;
            out.push(PublishedPoint {
                week_start: day(&week)?,
                overall_absence,
                release,
                la_name,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn row(
        week: NaiveDate,
        level: GeographicLevel,
        la: Option<&str>,
        absence: f64,
    ) -> PublishedRow {
        PublishedRow {
            line: 2,
            week_start: week,
            phase: PublishedPhase::Primary,
            level,
            la_code: None,
            la_name: la.map(str::to_owned),
            attendance: Some(100.0 - absence),
            overall_absence: Some(absence),
            authorised: None,
            unauthorised: None,
        }
    }

    #[test]
    fn a_newer_file_replaces_the_same_weeks() {
        let mut store = Store::open_in_memory().unwrap();
        let (w1, w2) = (day(2025, 9, 8), day(2025, 9, 15));
        let first = [
            row(w1, GeographicLevel::National, None, 4.5),
            row(
                w1,
                GeographicLevel::LocalAuthority,
                Some("Countyshire"),
                5.0,
            ),
        ];
        let o = store
            .import_published("a.csv", &first, "DfE (a.csv)", "A. Officer")
            .unwrap();
        assert_eq!(
            (o.rows, o.replaced, o.national_rows, o.la_rows),
            (2, 0, 1, 1)
        );
        assert_eq!(o.las, ["Countyshire"]);
        // The newer file covers week 1 again (the LA spelt differently) and week 2.
        let second = [
            row(
                w1,
                GeographicLevel::LocalAuthority,
                Some("COUNTY shire"),
                5.5,
            ),
            row(w2, GeographicLevel::National, None, 4.25),
        ];
        let o = store
            .import_published("b.csv", &second, "DfE (b.csv)", "A. Officer")
            .unwrap();
        assert_eq!((o.rows, o.replaced, o.weeks), (2, 1, 2));
        assert_eq!((o.first_week, o.last_week), (Some(w1), Some(w2)));
        let counts = store.table_counts().unwrap();
        assert!(counts.contains(&("published_figures", 3)), "{counts:?}");
        let la = store
            .published_points(
                GeographicLevel::LocalAuthority,
                "countyshire",
                PublishedPhase::Primary,
                (w1, w2),
            )
            .unwrap();
        assert_eq!(la.len(), 1);
        assert_eq!(la[0].overall_absence, Some(5.5));
        assert_eq!(la[0].release, "DfE (b.csv)");
        let national = store
            .published_points(
                GeographicLevel::National,
                "",
                PublishedPhase::Primary,
                (w1, w2),
            )
            .unwrap();
        let values: Vec<_> = national.iter().map(|p| p.overall_absence).collect();
        assert_eq!(values, [Some(4.5), Some(4.25)]);
        let held = store.published_held().unwrap();
        assert_eq!(held.len(), 2);
        assert_eq!(held[0].release, "DfE (b.csv)");
        assert_eq!((held[0].rows, held[0].weeks, held[0].las), (2, 2, 1));
        assert_eq!((held[0].first_week, held[0].last_week), (w1, w2));
        assert_eq!((held[1].rows, held[1].las), (1, 0));
        let log = store.activity(1).unwrap();
        assert_eq!(
            log[0].summary,
            "imported published attendance statistics: b.csv (2 rows, 2 weeks from 2025-09-08 to 2025-09-15, 1 local authority, replacing 1 row held before)"
        );
    }
}
