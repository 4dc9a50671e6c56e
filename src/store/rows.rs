//! What an import is asked to do and what it stored, and the rows both import paths (a
//! batch from an MIS export, a DfE weekly file) write alike: schools, periods,
//! attendance totals, and removing an earlier import.

use super::StoreError;
use super::format::stored_strip;
use crate::domain::Clock;
use crate::domain::{Layout, MarkStrip, Period, SessionCounts, Warning};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Transaction, params};
use std::collections::{BTreeMap, HashMap, HashSet};

/// How to store a batch.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The school's name, to set or update.
    pub school_name: Option<String>,
    /// The period for the whole file; required for summaries, optional for marks (whose
    /// dates otherwise give their terms).
    pub term: Option<Period>,
    /// Re-import a file already imported (same SHA-256), replacing what it stored.
    pub replace: bool,
    /// Who imports (the officer named in settings), for the activity log row written
    /// in the import's transaction.
    pub officer: String,
    /// The day a weekly file's figures run to; by default the file's own date (when it
    /// was downloaded).
    pub as_of: Option<NaiveDate>,
}

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    /// The import's id.
    pub import_id: i64,
    /// The file's name.
    pub file_name: String,
    /// The layout it was read as.
    pub layout: Layout,
    /// The periods it stored attendance for.
    pub periods: Vec<String>,
    /// Pupils in the file.
    pub pupils: usize,
    /// Rows read.
    pub rows: usize,
    /// Session marks stored.
    pub marks: usize,
    /// First and last mark dates.
    pub date_range: Option<(NaiveDate, NaiveDate)>,
    /// Warnings from reading and storing.
    pub warnings: Vec<Warning>,
    /// Whether an earlier import of the same file was replaced.
    pub replaced: bool,
    /// The schools it stored data for, by URN.
    pub schools: Vec<String>,
    /// For a weekly file: the day its figures run to.
    pub as_of: Option<NaiveDate>,
}

pub(super) fn upsert_school(
    tx: &Transaction<'_>,
    urn: &str,
    name: Option<&str>,
) -> Result<i64, StoreError> {
    upsert_school_with(tx, urn, name, None, None)
}

/// Adds a school or updates what is given of its name, phase and local authority.
pub(super) fn upsert_school_with(
    tx: &Transaction<'_>,
    urn: &str,
    name: Option<&str>,
    phase: Option<&str>,
    la_name: Option<&str>,
) -> Result<i64, StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO schools (urn, name, phase, la_name) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (urn) DO UPDATE SET name = COALESCE(excluded.name, schools.name),
            phase = COALESCE(excluded.phase, schools.phase),
            la_name = COALESCE(excluded.la_name, schools.la_name)
         RETURNING id",
    )?;
    Ok(stmt.query_row(params![urn, name, phase, la_name], |r| r.get(0))?)
}

pub(super) fn period_id(
    tx: &Transaction<'_>,
    school_id: i64,
    period: Period,
) -> Result<i64, StoreError> {
    tx.execute(
        "INSERT INTO periods (school_id, academic_year, term) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        params![school_id, period.year.0, period.term.number()],
    )?;
    Ok(tx.query_row(
        "SELECT id FROM periods WHERE school_id = ?1 AND academic_year = ?2 AND term = ?3",
        params![school_id, period.year.0, period.term.number()],
        |r| r.get(0),
    )?)
}

/// The sources already held for pupils in a period, by pupil id.
pub(super) fn sources(
    tx: &Transaction<'_>,
    period_id: i64,
) -> Result<HashMap<i64, (String, Option<i64>)>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT pupil_id, source, import_id FROM attendance WHERE period_id = ?1",
    )?;
    let rows = stmt.query_map([period_id], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// All of a pupil's marks in a period, older imports first so newer ones win; with
/// the number of sessions import `newest` changed.
pub(super) fn merged_strip(
    tx: &Transaction<'_>,
    pupil_id: i64,
    period_id: i64,
    newest: i64,
) -> Result<(MarkStrip, usize), StoreError> {
    let mut stmt = tx.prepare_cached("SELECT import_id, first_date, codes FROM marks WHERE pupil_id = ?1 AND period_id = ?2 ORDER BY import_id")?;
    let rows = stmt.query_map(params![pupil_id, period_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
        ))
    })?;
    let mut merged = MarkStrip::default();
    let mut changed = 0;
    for row in rows {
        let (import_id, first, bytes) = row?;
        let strip = stored_strip(&first, bytes)?;
        let n = merged.overlay(&strip);
        if import_id == newest {
            changed += n;
        }
    }
    Ok((merged, changed))
}

/// Writes a pupil's totals for a period worked out from their marks, with the counts by
/// code as JSON (read back by [`parse_code_counts`]); one pass over the strip.
pub(super) fn write_marks_attendance(
    tx: &Transaction<'_>,
    period_id: i64,
    pupil_id: i64,
    strip: &MarkStrip,
) -> Result<(), StoreError> {
    let totals = strip.code_totals();
    let by_code: BTreeMap<&'static str, u32> = totals.iter().map(|(c, n)| (c.mark(), *n)).collect();
    let json = serde_json::to_string(&by_code).map_err(|e| StoreError::Damaged(e.to_string()))?;
    write_attendance(
        tx,
        period_id,
        pupil_id,
        "marks",
        None,
        &SessionCounts::from_code_totals(&totals),
        Some(&json),
    )
}

pub(super) fn write_attendance(
    tx: &Transaction<'_>,
    period_id: i64,
    pupil_id: i64,
    source: &str,
    import_id: Option<i64>,
    c: &SessionCounts,
    by_code: Option<&str>,
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO attendance (period_id, pupil_id, source, import_id, possible, present, approved, authorised,
            unauthorised, no_mark, late_before_close, late_after_close, code_counts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    stmt.execute(params![
        period_id,
        pupil_id,
        source,
        import_id,
        c.possible,
        c.present,
        c.approved,
        c.authorised,
        c.unauthorised,
        c.no_mark,
        c.late_before_close,
        c.late_after_close,
        by_code
    ])?;
    Ok(())
}

/// Removes an import and everything it stored, working marks-based totals out again
/// from the marks that remain.
pub(super) fn delete_import(tx: &Transaction<'_>, import_id: i64) -> Result<(), StoreError> {
    let affected: Vec<(i64, i64)> = {
        let mut stmt = tx.prepare("SELECT pupil_id, period_id FROM marks WHERE import_id = ?1")?;
        let rows = stmt.query_map([import_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    // Everything stored from the import goes with it. The tables are named here rather
    // than left to ON DELETE CASCADE, which a bulk write turns off (super::bulk).
    for table in ["marks", "attendance", "snapshots"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE import_id = ?1"),
            [import_id],
        )?;
    }
    tx.execute("DELETE FROM imports WHERE id = ?1", [import_id])?;
    let mut seen = HashSet::new();
    for (pupil_id, period_id) in affected {
        if !seen.insert((pupil_id, period_id)) {
            continue;
        }
        let (merged, _) = merged_strip(tx, pupil_id, period_id, -1)?;
        if merged.stored().is_none() {
            tx.execute(
                "DELETE FROM attendance WHERE pupil_id = ?1 AND period_id = ?2",
                params![pupil_id, period_id],
            )?;
        } else {
            write_marks_attendance(tx, period_id, pupil_id, &merged)?;
        }
    }
    Ok(())
}

/// When an import happens, read once from the clock: the local time for the activity
/// log, and the instant stored with the import (UTC, RFC 3339 with its `Z`).
#[derive(Debug, Clone)]
pub(super) struct ImportTime {
    /// Local wall-clock time.
    pub(super) local: NaiveDateTime,
    /// UTC, as stored.
    pub(super) utc: String,
}

impl ImportTime {
    /// The time now by `clock`.
    pub(super) fn of(clock: &Clock) -> ImportTime {
        ImportTime {
            local: clock.now(),
            utc: clock
                .now_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }
    }
}
