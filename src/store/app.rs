//! What the desktop app reads and writes besides attendance: settings, saved column
//! mappings, pupils' names and histories, and meeting and action counts for the patch
//! overview.

use super::format::{date, date_text};
use super::{Store, StoreError};
use crate::domain::meeting::MeetingStatus;
use crate::domain::{Period, SessionCounts, Term};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, params};
use std::collections::HashMap;

/// A school's meeting for one term.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchoolMeeting {
    /// Database id.
    pub id: i64,
    /// Status.
    pub status: MeetingStatus,
    /// The date it is scheduled for, if set.
    pub scheduled_for: Option<NaiveDate>,
    /// The date it was held, if held.
    pub held_on: Option<NaiveDate>,
}

/// Open and overdue actions for a school.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ActionCounts {
    /// Actions still open (open, partly done or not done).
    pub open: u32,
    /// Open actions whose due date has passed.
    pub overdue: u32,
}

/// One pupil's totals in one period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilHistoryRow {
    /// The period.
    pub period: Period,
    /// Totals.
    pub counts: SessionCounts,
}

impl Store {
    /// A setting's JSON document, if saved.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Saves a setting's JSON document.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Saved column mappings as (name, JSON), by name.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn column_mappings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, mapping FROM column_mappings ORDER BY name")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Saves (or replaces) a named column mapping.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn save_column_mapping(&mut self, name: &str, mapping: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO column_mappings (name, mapping, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, saved_at = excluded.saved_at",
            params![name, mapping, self.clock.now_utc().to_rfc3339()],
        )?;
        Ok(())
    }

    /// Pupils' display names ("Forename Surname") by pupil id, for one school. Pupils
    /// without a name on record are left out.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn pupil_names(&self, school_id: i64) -> Result<HashMap<i64, String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, forename, surname FROM pupils WHERE school_id = ?1
             AND (forename IS NOT NULL OR surname IS NOT NULL)",
        )?;
        let rows = stmt.query_map([school_id], |r| {
            let fore: Option<String> = r.get(1)?;
            let sur: Option<String> = r.get(2)?;
            let name = [fore, sur]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            Ok((r.get(0)?, name))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// A pupil's UPN, if the pupil exists.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn pupil_upn(&self, pupil_id: i64) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT upn FROM pupils WHERE id = ?1", [pupil_id], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// A pupil's totals in every period held, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn pupil_history(&self, pupil_id: i64) -> Result<Vec<PupilHistoryRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.academic_year, p.term, a.possible, a.present, a.approved, a.authorised,
                    a.unauthorised, a.no_mark, a.late_before_close, a.late_after_close
             FROM attendance a JOIN periods p ON p.id = a.period_id
             WHERE a.pupil_id = ?1 ORDER BY p.academic_year, p.term",
        )?;
        let rows = stmt.query_map([pupil_id], |r| {
            let year: i32 = r.get(0)?;
            let term: u8 = r.get(1)?;
            Ok((year, term, super::query::counts_at(r, 2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (year, term, counts) = row?;
            let term = Term::from_number(term)
                .ok_or_else(|| StoreError::Damaged(format!("term number {term}")))?;
            out.push(PupilHistoryRow {
                period: Period::new(year, term),
                counts,
            });
        }
        Ok(out)
    }

    /// The school's meeting for a term, if one is recorded.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn meeting(
        &self,
        school_id: i64,
        period: Period,
    ) -> Result<Option<SchoolMeeting>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT id, status, scheduled_for, held_on FROM meetings
                 WHERE school_id = ?1 AND academic_year = ?2 AND term = ?3",
                params![school_id, period.year.0, period.term.number()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                },
            )
            .optional()?;
        row.map(|(id, status, scheduled, held)| {
            Ok(SchoolMeeting {
                id,
                status: MeetingStatus::from_key(&status)
                    .ok_or_else(|| StoreError::Damaged(format!("meeting status {status:?}")))?,
                scheduled_for: date(scheduled),
                held_on: date(held),
            })
        })
        .transpose()
    }

    /// Plans the school's meeting for a term on a date (or moves the date of one
    /// already planned).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schedule_meeting(
        &mut self,
        school_id: i64,
        period: Period,
        on: NaiveDate,
    ) -> Result<SchoolMeeting, StoreError> {
        self.conn.execute(
            "INSERT INTO meetings (school_id, academic_year, term, scheduled_for)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (school_id, academic_year, term)
             DO UPDATE SET scheduled_for = excluded.scheduled_for",
            params![
                school_id,
                period.year.0,
                period.term.number(),
                date_text(Some(on))
            ],
        )?;
        self.meeting(school_id, period)?
            .ok_or_else(|| StoreError::Damaged("meeting not stored".into()))
    }

    /// Open and overdue actions from all the school's meetings, as of `today`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn action_counts(
        &self,
        school_id: i64,
        today: NaiveDate,
    ) -> Result<ActionCounts, StoreError> {
        let (open, overdue): (u32, u32) = self.conn.query_row(
            "SELECT COUNT(*), COALESCE(SUM(a.due_date IS NOT NULL AND a.due_date < ?2), 0)
             FROM actions a JOIN meetings m ON m.id = a.meeting_id
             WHERE m.school_id = ?1 AND a.status IN ('open', 'partly', 'not_done')",
            params![school_id, date_text(Some(today))],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(ActionCounts { open, overdue })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_and_mappings_round_trip_and_replace() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.setting("settings").unwrap(), None);
        store.set_setting("settings", "{\"a\":1}").unwrap();
        store.set_setting("settings", "{\"a\":2}").unwrap();
        assert_eq!(
            store.setting("settings").unwrap().as_deref(),
            Some("{\"a\":2}")
        );
        store.save_column_mapping("SIMS", "{}").unwrap();
        store.save_column_mapping("Arbor", "{\"x\":1}").unwrap();
        store.save_column_mapping("SIMS", "{\"y\":2}").unwrap();
        let maps = store.column_mappings().unwrap();
        assert_eq!(
            maps,
            vec![
                ("Arbor".to_owned(), "{\"x\":1}".to_owned()),
                ("SIMS".to_owned(), "{\"y\":2}".to_owned())
            ]
        );
    }

    #[test]
    fn meetings_and_overdue_actions_are_counted() {
        let mut store = Store::open_in_memory().unwrap();
        let school = store.set_school("100001", Some("A"), None).unwrap();
        let autumn = Period::new(2026, Term::Autumn);
        assert_eq!(store.meeting(school.id, autumn).unwrap(), None);
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let m = store.schedule_meeting(school.id, autumn, day).unwrap();
        assert_eq!(m.status, MeetingStatus::Planned);
        assert_eq!(m.scheduled_for, Some(day));
        let later = NaiveDate::from_ymd_opt(2026, 11, 9).unwrap();
        let m2 = store.schedule_meeting(school.id, autumn, later).unwrap();
        assert_eq!((m2.id, m2.scheduled_for), (m.id, Some(later)));
        for (due, status) in [
            (Some("2026-10-01"), "open"),
            (Some("2026-12-01"), "partly"),
            (None, "not_done"),
            (Some("2026-09-01"), "done"),
        ] {
            store
                .conn
                .execute(
                    "INSERT INTO actions (meeting_id, description, due_date, status) VALUES (?1, 'x', ?2, ?3)",
                    params![m.id, due, status],
                )
                .unwrap();
        }
        let counts = store.action_counts(school.id, day).unwrap();
        assert_eq!(
            counts,
            ActionCounts {
                open: 3,
                overdue: 1
            }
        );
    }
}
