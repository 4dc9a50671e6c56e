//! Data hygiene: purging data older than the retention period, and deleting a school's
//! data completely. Both run in one transaction with an activity row, then compact the
//! file (`VACUUM`) so deleted rows do not linger in free pages; the connection has
//! `secure_delete` on, so freed pages are zeroed as well.
//!
//! What references what (foreign keys in `migrations/`):
//! - `schools` <- `periods`, `pupils`, `imports`, `meetings` (cascade);
//! - `periods` <- `marks`, `attendance`, `snapshots`; `imports` <- `marks`, `attendance`,
//!   `snapshots` (cascade);
//! - `pupils` <- `marks`, `attendance`, `discussions`, `cme_enquiries`, `legal_reviews`
//!   (cascade), `actions.pupil_id` (set null); `audit.pupil_id` has no foreign key, nor
//!   do the pupil ids inside `snapshots.counts` (readers skip ids no longer held);
//! - `meetings` <- `attendees`, `discussions`, `actions`, `cme_enquiries`,
//!   `legal_reviews`, `audit`, `cme_checks` (the meeting that recorded each; cascade),
//!   `actions.reviewed_in`, `cme_enquiries.concluded_in` (set null);
//!   `discussions` <- `barriers`, `cme_enquiries` <- `cme_checks`, `legal_reviews` <-
//!   `legal_evidence` (cascade); `actions.carried_from` -> `actions` (set null). A CME
//!   enquiry's `meeting_id` is the meeting that opened it; later meetings add checks.

use super::activity::{self, ActivityKind};
use super::{Store, StoreError};
use crate::domain::{AcademicYear, Period, Term};
use rusqlite::Connection;
use std::collections::BTreeMap;

/// Rows that go (or went), table by table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RemovalCounts {
    /// Terms (`periods`).
    pub periods: i64,
    /// Imported files' records.
    pub imports: i64,
    /// Mark strips (one pupil's marks in one term from one import).
    pub marks: i64,
    /// Per-pupil term totals.
    pub attendance: i64,
    /// Meetings.
    pub meetings: i64,
    /// Meeting attendees.
    pub attendees: i64,
    /// Pupils discussed at meetings.
    pub discussions: i64,
    /// Barriers recorded in discussions.
    pub barriers: i64,
    /// Agreed actions.
    pub actions: i64,
    /// CME enquiries.
    pub cme_enquiries: i64,
    /// CME checks.
    pub cme_checks: i64,
    /// Legal-intervention reviews.
    pub legal_reviews: i64,
    /// Legal-intervention evidence items.
    pub legal_evidence: i64,
    /// Meeting audit-trail rows.
    pub audit: i64,
    /// Pupils left with nothing (or all of a deleted school's pupils).
    pub pupils: i64,
}

impl RemovalCounts {
    /// Every count with a plain label, in the order shown.
    #[must_use]
    pub fn parts(&self) -> [(&'static str, i64); 15] {
        [
            ("pupils", self.pupils),
            ("terms", self.periods),
            ("attendance rows", self.attendance),
            ("mark strips", self.marks),
            ("imports", self.imports),
            ("meetings", self.meetings),
            ("attendees", self.attendees),
            ("discussions", self.discussions),
            ("barriers", self.barriers),
            ("actions", self.actions),
            ("CME enquiries", self.cme_enquiries),
            ("CME checks", self.cme_checks),
            ("legal reviews", self.legal_reviews),
            ("legal evidence items", self.legal_evidence),
            ("audit rows", self.audit),
        ]
    }

    /// Whether nothing goes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.parts().iter().all(|(_, n)| *n == 0)
    }

    /// The counts that are not zero, as "3 pupils, 2 terms, ..." ("nothing" if none).
    #[must_use]
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .parts()
            .iter()
            .filter(|(_, n)| *n != 0)
            .map(|(label, n)| format!("{n} {label}"))
            .collect();
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            parts.join(", ")
        }
    }

    fn add(&mut self, o: &RemovalCounts) {
        self.periods += o.periods;
        self.imports += o.imports;
        self.marks += o.marks;
        self.attendance += o.attendance;
        self.meetings += o.meetings;
        self.attendees += o.attendees;
        self.discussions += o.discussions;
        self.barriers += o.barriers;
        self.actions += o.actions;
        self.cme_enquiries += o.cme_enquiries;
        self.cme_checks += o.cme_checks;
        self.legal_reviews += o.legal_reviews;
        self.legal_evidence += o.legal_evidence;
        self.audit += o.audit;
        self.pupils += o.pupils;
    }
}

/// What a purge removes from one school.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchoolRemoval {
    /// The school's URN.
    pub urn: String,
    /// The school's name, if known.
    pub name: Option<String>,
    /// The rows.
    pub counts: RemovalCounts,
}

/// What a purge of data before an academic year removes (or removed), per school.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PurgePreview {
    /// The first academic year kept: everything of earlier years goes.
    pub keep_from: AcademicYear,
    /// Schools with something to remove, by URN.
    pub schools: Vec<SchoolRemoval>,
    /// All schools together.
    pub total: RemovalCounts,
    /// Whether the file was compacted afterwards (only set by [`Store::purge`]).
    pub compacted: bool,
}

/// What deleting a school removed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeletedCounts {
    /// The school's URN.
    pub urn: String,
    /// The rows.
    pub counts: RemovalCounts,
    /// Whether the file was compacted afterwards.
    pub compacted: bool,
}

/// Rows of one meeting child table, keyed by the meeting's school.
const MEETING_CHILDREN: [&str; 9] = [
    "attendees",
    "discussions",
    "barriers",
    "actions",
    "cme_enquiries",
    "cme_checks",
    "legal_reviews",
    "legal_evidence",
    "audit",
];

fn field<'a>(c: &'a mut RemovalCounts, table: &str) -> Option<&'a mut i64> {
    Some(match table {
        "periods" => &mut c.periods,
        "imports" => &mut c.imports,
        "marks" => &mut c.marks,
        "attendance" => &mut c.attendance,
        "meetings" => &mut c.meetings,
        "attendees" => &mut c.attendees,
        "discussions" => &mut c.discussions,
        "barriers" => &mut c.barriers,
        "actions" => &mut c.actions,
        "cme_enquiries" => &mut c.cme_enquiries,
        "cme_checks" => &mut c.cme_checks,
        "legal_reviews" => &mut c.legal_reviews,
        "legal_evidence" => &mut c.legal_evidence,
        "audit" => &mut c.audit,
        "pupils" => &mut c.pupils,
        _ => return None,
    })
}

/// Runs `sql` (rows of school id and count) with as many of `args` as it takes, adding
/// each count to `table`'s field of the school's tally.
fn tally_into(
    conn: &Connection,
    by_school: &mut BTreeMap<i64, RemovalCounts>,
    table: &str,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let n = stmt.parameter_count();
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter().take(n)), |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    for row in rows {
        let (school, count) = row?;
        if let Some(f) = field(by_school.entry(school).or_default(), table) {
            *f += count;
        }
    }
    Ok(())
}

/// Counts, per school, the rows of terms matching `period_where` (alias `pe`) and of
/// meetings matching `meeting_where` (alias `me`), with everything hanging off them.
fn tally_periods_and_meetings(
    conn: &Connection,
    by_school: &mut BTreeMap<i64, RemovalCounts>,
    period_where: &str,
    meeting_where: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<(), StoreError> {
    tally_into(
        conn,
        by_school,
        "periods",
        &format!("SELECT pe.school_id, COUNT(*) FROM periods pe WHERE {period_where} GROUP BY 1"),
        args,
    )?;
    for table in ["marks", "attendance"] {
        tally_into(
            conn,
            by_school,
            table,
            &format!(
                "SELECT pe.school_id, COUNT(*) FROM {table} x JOIN periods pe ON pe.id = x.period_id
                 WHERE {period_where} GROUP BY 1"
            ),
            args,
        )?;
    }
    tally_into(
        conn,
        by_school,
        "meetings",
        &format!("SELECT me.school_id, COUNT(*) FROM meetings me WHERE {meeting_where} GROUP BY 1"),
        args,
    )?;
    for table in MEETING_CHILDREN {
        tally_into(
            conn,
            by_school,
            table,
            &format!(
                "SELECT me.school_id, COUNT(*) FROM {table} x JOIN meetings me ON me.id = x.meeting_id
                 WHERE {meeting_where} GROUP BY 1"
            ),
            args,
        )?;
    }
    Ok(())
}

/// Pupils (id, school id) a purge before year `?1` leaves with nothing: touched by
/// the rows that go, and referenced by none that stay.
const PURGE_PUPILS: &str = "
WITH touched(id) AS (
    SELECT x.pupil_id FROM marks x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year < ?1
    UNION SELECT x.pupil_id FROM attendance x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year < ?1
    UNION SELECT x.pupil_id FROM discussions x JOIN meetings me ON me.id = x.meeting_id WHERE me.academic_year < ?1
    UNION SELECT x.pupil_id FROM cme_enquiries x JOIN meetings me ON me.id = x.meeting_id WHERE me.academic_year < ?1
    UNION SELECT x.pupil_id FROM legal_reviews x JOIN meetings me ON me.id = x.meeting_id WHERE me.academic_year < ?1
    UNION SELECT x.pupil_id FROM actions x JOIN meetings me ON me.id = x.meeting_id
          WHERE me.academic_year < ?1 AND x.pupil_id IS NOT NULL
    UNION SELECT x.pupil_id FROM audit x JOIN meetings me ON me.id = x.meeting_id
          WHERE me.academic_year < ?1 AND x.pupil_id IS NOT NULL
), kept(id) AS (
    SELECT x.pupil_id FROM marks x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year >= ?1
    UNION SELECT x.pupil_id FROM attendance x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year >= ?1
    UNION SELECT x.pupil_id FROM discussions x JOIN meetings me ON me.id = x.meeting_id WHERE me.academic_year >= ?1
    UNION SELECT x.pupil_id FROM cme_enquiries x JOIN meetings me ON me.id = x.meeting_id WHERE me.academic_year >= ?1
    UNION SELECT x.pupil_id FROM legal_reviews x JOIN meetings me ON me.id = x.meeting_id WHERE me.academic_year >= ?1
    UNION SELECT x.pupil_id FROM actions x JOIN meetings me ON me.id = x.meeting_id
          WHERE me.academic_year >= ?1 AND x.pupil_id IS NOT NULL
    UNION SELECT x.pupil_id FROM audit x LEFT JOIN meetings me ON me.id = x.meeting_id
          WHERE x.pupil_id IS NOT NULL AND (me.id IS NULL OR me.academic_year >= ?1)
)
SELECT p.id, p.school_id FROM pupils p WHERE p.id IN (SELECT id FROM touched EXCEPT SELECT id FROM kept)";

/// Imports (id, school id) a purge before year `?1` leaves with nothing: those that
/// stored marks or totals only in terms that go, and pupil-details imports made before
/// the first kept year began (`?2`).
const PURGE_IMPORTS: &str = "
WITH old(id) AS (
    SELECT x.import_id FROM marks x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year < ?1
    UNION SELECT x.import_id FROM attendance x JOIN periods pe ON pe.id = x.period_id
          WHERE pe.academic_year < ?1 AND x.import_id IS NOT NULL
    UNION SELECT x.import_id FROM snapshots x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year < ?1
    UNION SELECT id FROM imports WHERE layout = 'details' AND imported_at < ?2
), kept(id) AS (
    SELECT x.import_id FROM marks x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year >= ?1
    UNION SELECT x.import_id FROM attendance x JOIN periods pe ON pe.id = x.period_id
          WHERE pe.academic_year >= ?1 AND x.import_id IS NOT NULL
    UNION SELECT x.import_id FROM snapshots x JOIN periods pe ON pe.id = x.period_id WHERE pe.academic_year >= ?1
)
SELECT i.id, i.school_id FROM imports i WHERE i.id IN (SELECT id FROM old EXCEPT SELECT id FROM kept)";

fn id_pairs(
    conn: &Connection,
    sql: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<(i64, i64)>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let n = stmt.parameter_count();
    let rows = stmt.query_map(rusqlite::params_from_iter(args.iter().take(n)), |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Everything a purge before `keep_from` removes, with the pupils and imports that go.
struct PurgePlan {
    preview: PurgePreview,
    pupils: Vec<i64>,
    imports: Vec<i64>,
}

fn plan_purge(conn: &Connection, keep_from: AcademicYear) -> Result<PurgePlan, StoreError> {
    let year = keep_from.0;
    let first_day = Period::new(year, Term::Autumn)
        .date_range()
        .map(|(d, _)| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let args: [&dyn rusqlite::ToSql; 2] = [&year, &first_day];
    let mut by_school: BTreeMap<i64, RemovalCounts> = BTreeMap::new();
    tally_periods_and_meetings(
        conn,
        &mut by_school,
        "pe.academic_year < ?1",
        "me.academic_year < ?1",
        &args,
    )?;
    let pupils = id_pairs(conn, PURGE_PUPILS, &args)?;
    for (_, school) in &pupils {
        by_school.entry(*school).or_default().pupils += 1;
    }
    let imports = id_pairs(conn, PURGE_IMPORTS, &args)?;
    for (_, school) in &imports {
        by_school.entry(*school).or_default().imports += 1;
    }
    let mut schools = Vec::new();
    let mut total = RemovalCounts::default();
    for (id, counts) in by_school {
        if counts.is_empty() {
            continue;
        }
        let (urn, name): (String, Option<String>) =
            conn.query_row("SELECT urn, name FROM schools WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        total.add(&counts);
        schools.push(SchoolRemoval { urn, name, counts });
    }
    schools.sort_by(|a, b| a.urn.cmp(&b.urn));
    Ok(PurgePlan {
        preview: PurgePreview {
            keep_from,
            schools,
            total,
            compacted: false,
        },
        pupils: pupils.into_iter().map(|(id, _)| id).collect(),
        imports: imports.into_iter().map(|(id, _)| id).collect(),
    })
}

impl Store {
    /// What purging everything of academic years before `keep_from` would remove, per
    /// school: terms with their marks and totals, meetings with everything recorded in
    /// them, imports left with nothing, and pupils left with nothing. Nothing changes.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn purge_preview(&self, keep_from: AcademicYear) -> Result<PurgePreview, StoreError> {
        Ok(plan_purge(&self.conn, keep_from)?.preview)
    }

    /// Removes what [`Store::purge_preview`] lists, in one transaction with an activity
    /// row naming `officer`, then compacts the file. Pupils are removed only when
    /// nothing of theirs remains; a pupil known only from a details file, with no
    /// attendance or meeting rows at all, is left alone.
    ///
    /// # Errors
    /// SQLite errors (nothing is removed then).
    pub fn purge(
        &mut self,
        keep_from: AcademicYear,
        officer: &str,
    ) -> Result<PurgePreview, StoreError> {
        let tx = self.conn.transaction()?;
        let plan = plan_purge(&tx, keep_from)?;
        if !plan.preview.total.is_empty() {
            {
                let mut del_pupil = tx.prepare("DELETE FROM pupils WHERE id = ?1")?;
                for id in &plan.pupils {
                    del_pupil.execute([id])?;
                }
                let mut del_import = tx.prepare("DELETE FROM imports WHERE id = ?1")?;
                for id in &plan.imports {
                    del_import.execute([id])?;
                }
            }
            tx.execute(
                "DELETE FROM meetings WHERE academic_year < ?1",
                [keep_from.0],
            )?;
            tx.execute(
                "DELETE FROM periods WHERE academic_year < ?1",
                [keep_from.0],
            )?;
        }
        let schools: Vec<String> = plan.preview.schools.iter().map(|s| s.urn.clone()).collect();
        activity::log(
            &tx,
            self.clock.now(),
            officer,
            ActivityKind::Purge,
            None,
            &format!(
                "purged data before {keep_from} from {} school{}{}: {}",
                schools.len(),
                if schools.len() == 1 { "" } else { "s" },
                if schools.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", schools.join(", "))
                },
                plan.preview.total.describe()
            ),
        )?;
        tx.commit()?;
        let mut preview = plan.preview;
        preview.compacted = self.compact().is_ok();
        Ok(preview)
    }

    /// Deletes everything held about the school with `urn`: its pupils, terms, imports,
    /// marks, totals, meetings with everything recorded in them and their audit trail,
    /// and the school itself, in one transaction with an activity row (the URN and
    /// counts only); then compacts the file.
    ///
    /// # Errors
    /// [`StoreError::NoSchool`]; SQLite errors (nothing is deleted then).
    pub fn delete_school(&mut self, urn: &str, officer: &str) -> Result<DeletedCounts, StoreError> {
        let tx = self.conn.transaction()?;
        let school_id: i64 = tx
            .query_row("SELECT id FROM schools WHERE urn = ?1", [urn], |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::NoSchool(urn.to_owned()),
                e => e.into(),
            })?;
        let args: [&dyn rusqlite::ToSql; 1] = [&school_id];
        let mut by_school: BTreeMap<i64, RemovalCounts> = BTreeMap::new();
        tally_periods_and_meetings(
            &tx,
            &mut by_school,
            "pe.school_id = ?1",
            "me.school_id = ?1",
            &args,
        )?;
        for table in ["pupils", "imports"] {
            tally_into(
                &tx,
                &mut by_school,
                table,
                &format!("SELECT school_id, COUNT(*) FROM {table} WHERE school_id = ?1 GROUP BY 1"),
                &args,
            )?;
        }
        let mut counts = by_school.remove(&school_id).unwrap_or_default();
        // Audit rows naming its pupils outside its own meetings (no foreign key).
        let stray = tx.execute(
            "DELETE FROM audit WHERE pupil_id IN (SELECT id FROM pupils WHERE school_id = ?1)
             AND (meeting_id IS NULL OR meeting_id NOT IN (SELECT id FROM meetings WHERE school_id = ?1))",
            [school_id],
        )?;
        counts.audit += i64::try_from(stray).unwrap_or(i64::MAX);
        // Children first, each by an indexed column, then the school: the cascades
        // then find nothing left to do.
        for sql in [
            "DELETE FROM marks WHERE period_id IN (SELECT id FROM periods WHERE school_id = ?1)",
            "DELETE FROM attendance WHERE period_id IN (SELECT id FROM periods WHERE school_id = ?1)",
            "DELETE FROM snapshots WHERE period_id IN (SELECT id FROM periods WHERE school_id = ?1)",
            "DELETE FROM meetings WHERE school_id = ?1",
            "DELETE FROM imports WHERE school_id = ?1",
            "DELETE FROM periods WHERE school_id = ?1",
            "DELETE FROM pupils WHERE school_id = ?1",
            "DELETE FROM schools WHERE id = ?1",
        ] {
            tx.execute(sql, [school_id])?;
        }
        activity::log(
            &tx,
            self.clock.now(),
            officer,
            ActivityKind::DeleteSchool,
            Some(urn),
            &format!("deleted all data of school {urn}: {}", counts.describe()),
        )?;
        tx.commit()?;
        let compacted = self.compact().is_ok();
        Ok(DeletedCounts {
            urn: urn.to_owned(),
            counts,
            compacted,
        })
    }

    /// Rebuilds the file without free pages (`VACUUM`) and empties the write-ahead log,
    /// so deleted rows are gone from the disk.
    ///
    /// # Errors
    /// SQLite errors (another connection reading, no space for the copy).
    pub fn compact(&mut self) -> Result<(), StoreError> {
        self.conn.execute_batch("VACUUM")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every table's rows, by name.
    fn all_counts(store: &Store) -> BTreeMap<String, i64> {
        let tables: Vec<String> = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        tables
            .into_iter()
            .map(|t| {
                let n: i64 = store
                    .conn
                    .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                    .unwrap();
                (t, n)
            })
            .collect()
    }

    fn fk_problems(store: &Store) -> usize {
        store
            .conn
            .prepare("PRAGMA foreign_key_check")
            .unwrap()
            .query_map([], |_| Ok(()))
            .unwrap()
            .count()
    }

    fn ids(store: &Store, sql: &str) -> BTreeSet<i64> {
        store
            .conn
            .prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// School A (100001) with terms in 2022-23, 2023-24 and 2024-25, and school B
    /// (100002) with one term in 2021-22; see the comments for who keeps what when
    /// 2024-25 onwards is kept.
    fn fixture(store: &mut Store) {
        let sql = "
        INSERT INTO schools (id, urn, name) VALUES (1, '100001', 'School A'), (2, '100002', 'School B');
        INSERT INTO periods (id, school_id, academic_year, term) VALUES
            (11, 1, 2022, 1), (12, 1, 2023, 3), (13, 1, 2024, 1), (21, 2, 2021, 1);
        -- a1: old data only (goes); a2: old and kept data (stays); a3: only discussed at
        -- an old meeting (goes); a4: details only (untouched, stays); a5: old totals but
        -- an action at a kept meeting (stays). b1: old data only (goes).
        INSERT INTO pupils (id, school_id, upn, forename, surname, date_of_birth) VALUES
            (101, 1, 'A1', 'Zebedee', 'Quillfeather', '2012-03-04'),
            (102, 1, 'A2', 'Marigold', 'Thistlewood', '2012-05-06'),
            (103, 1, 'A3', 'Ottoline', 'Brackenbury', '2011-07-08'),
            (104, 1, 'A4', 'Peregrine', 'Fennimore', '2013-09-10'),
            (105, 1, 'A5', 'Wilhelmina', 'Ashdown', '2012-11-12'),
            (201, 2, 'B1', 'Barnaby', 'Keswick', '2014-01-02');
        INSERT INTO imports (id, school_id, file_name, sha256, layout, rows, warnings, imported_at) VALUES
            (1, 1, 'old_marks.csv', 'h1', 'marks_long', 2, '[]', '2022-11-01T10:00:00Z'),
            (2, 1, 'span_marks.csv', 'h2', 'marks_long', 3, '[]', '2024-09-30T10:00:00Z'),
            (3, 1, 'old_summary.csv', 'h3', 'summary', 2, '[]', '2024-07-20T10:00:00Z'),
            (4, 1, 'old_details.csv', 'h4', 'details', 5, '[]', '2023-01-01T10:00:00Z'),
            (5, 1, 'new_details.csv', 'h5', 'details', 5, '[]', '2025-01-01T10:00:00Z'),
            (6, 2, 'b.csv', 'h6', 'summary', 1, '[]', '2021-12-01T10:00:00Z');
        INSERT INTO marks (import_id, pupil_id, period_id, first_date, codes) VALUES
            (1, 101, 11, '2022-09-01', x'0101'), (1, 102, 11, '2022-09-01', x'0101'),
            (2, 102, 12, '2024-07-01', x'0101'), (2, 102, 13, '2024-09-02', x'0101'),
            (2, 105, 12, '2024-07-01', x'0101');
        INSERT INTO attendance (period_id, pupil_id, source, import_id, possible, present,
                approved, authorised, unauthorised, no_mark, late_before_close, late_after_close) VALUES
            (11, 101, 'marks', NULL, 2, 2, 0, 0, 0, 0, 0, 0),
            (11, 102, 'marks', NULL, 2, 2, 0, 0, 0, 0, 0, 0),
            (12, 102, 'summary', 3, 100, 90, 0, 10, 0, 0, 0, 0),
            (12, 105, 'summary', 3, 100, 90, 0, 10, 0, 0, 0, 0),
            (13, 102, 'marks', NULL, 2, 2, 0, 0, 0, 0, 0, 0),
            (21, 201, 'summary', 6, 100, 50, 0, 50, 0, 0, 0, 0);
        INSERT INTO meetings (id, school_id, academic_year, term) VALUES
            (31, 1, 2023, 3), (32, 1, 2024, 1), (41, 2, 2021, 1);
        INSERT INTO attendees (id, meeting_id, name, role, organisation) VALUES
            (1, 31, 'Officer', 'r', 'o'), (2, 32, 'Officer', 'r', 'o'), (3, 41, 'Officer', 'r', 'o');
        INSERT INTO discussions (meeting_id, pupil_id, step) VALUES (31, 103, 'severe');
        INSERT INTO barriers (id, meeting_id, pupil_id, side, category, detail)
            VALUES (1, 31, 103, 'out_of_school', 'housing', 'x');
        INSERT INTO cme_enquiries (id, meeting_id, pupil_id, opened_on) VALUES (1, 31, 103, '2024-06-01');
        INSERT INTO cme_checks (id, enquiry_id, meeting_id, kind, done_by, outcome)
            VALUES (1, 1, 31, 'home_visit', 'EWO', 'no answer');
        INSERT INTO legal_reviews (meeting_id, pupil_id) VALUES (31, 101);
        INSERT INTO legal_evidence (meeting_id, pupil_id, item, checked, note)
            VALUES (31, 101, 'notice', 1, '');
        INSERT INTO actions (id, meeting_id, pupil_id, description, reviewed_in)
            VALUES (51, 31, 101, 'old action', 32);
        INSERT INTO actions (id, meeting_id, pupil_id, description, carried_from)
            VALUES (52, 32, 105, 'carried on', 51);
        INSERT INTO audit (at, officer, meeting_id, pupil_id, target, summary, detail) VALUES
            ('2024-06-01 10:00:00', 'O', 31, 103, 't', 's', '{}'),
            ('2024-10-01 10:00:00', 'O', 32, 102, 't', 's', '{}');
        ";
        store.conn.execute_batch(sql).unwrap();
        assert_eq!(fk_problems(store), 0);
    }

    #[test]
    fn the_preview_lists_what_goes_per_school_and_changes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&mut store);
        let before = all_counts(&store);
        let p = store.purge_preview(AcademicYear(2024)).unwrap();
        assert_eq!(all_counts(&store), before, "a preview changes nothing");
        assert_eq!(p.keep_from, AcademicYear(2024));
        let urns: Vec<&str> = p.schools.iter().map(|s| s.urn.as_str()).collect();
        assert_eq!(urns, ["100001", "100002"]);
        let a = p.schools[0].counts;
        assert_eq!(
            a,
            RemovalCounts {
                periods: 2,
                imports: 3,
                marks: 4,
                attendance: 4,
                meetings: 1,
                attendees: 1,
                discussions: 1,
                barriers: 1,
                actions: 1,
                cme_enquiries: 1,
                cme_checks: 1,
                legal_reviews: 1,
                legal_evidence: 1,
                audit: 1,
                pupils: 2,
            }
        );
        let b = p.schools[1].counts;
        assert_eq!(
            b,
            RemovalCounts {
                periods: 1,
                imports: 1,
                attendance: 1,
                meetings: 1,
                attendees: 1,
                pupils: 1,
                ..RemovalCounts::default()
            }
        );
        assert_eq!(p.total.pupils, 3);
        assert_eq!(p.total.periods, 3);
        assert!(
            p.schools[1]
                .counts
                .describe()
                .starts_with("1 pupils, 1 terms")
        );
        // Keeping from 2021 removes nothing.
        let none = store.purge_preview(AcademicYear(2021)).unwrap();
        assert!(none.schools.is_empty() && none.total.is_empty());
    }

    #[test]
    fn a_purge_removes_exactly_the_preview_and_leaves_nothing_dangling() {
        let mut store = Store::open_in_memory().unwrap();
        fixture(&mut store);
        let before = all_counts(&store);
        let preview = store.purge_preview(AcademicYear(2024)).unwrap();
        let done = store.purge(AcademicYear(2024), "Officer P").unwrap();
        assert_eq!(done.schools, preview.schools);
        assert!(done.compacted);
        let after = all_counts(&store);
        let t = preview.total;
        for (table, gone) in [
            ("periods", t.periods),
            ("imports", t.imports),
            ("marks", t.marks),
            ("attendance", t.attendance),
            ("meetings", t.meetings),
            ("attendees", t.attendees),
            ("discussions", t.discussions),
            ("barriers", t.barriers),
            ("actions", t.actions),
            ("cme_enquiries", t.cme_enquiries),
            ("cme_checks", t.cme_checks),
            ("legal_reviews", t.legal_reviews),
            ("legal_evidence", t.legal_evidence),
            ("audit", t.audit),
            ("pupils", t.pupils),
        ] {
            assert_eq!(after[table], before[table] - gone, "{table}");
        }
        assert_eq!(after["schools"], 2, "schools stay");
        assert_eq!(after["activity"], before["activity"] + 1);
        assert_eq!(fk_problems(&store), 0);
        assert_eq!(
            ids(&store, "SELECT id FROM pupils"),
            BTreeSet::from([102, 104, 105])
        );
        assert_eq!(
            ids(&store, "SELECT id FROM imports"),
            BTreeSet::from([2, 5])
        );
        assert_eq!(ids(&store, "SELECT id FROM periods"), BTreeSet::from([13]));
        assert_eq!(ids(&store, "SELECT id FROM meetings"), BTreeSet::from([32]));
        // The kept action no longer points at the purged one it was carried from.
        let carried: Option<i64> = store
            .conn
            .query_row("SELECT carried_from FROM actions WHERE id = 52", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(carried, None);
        let log = store.activity(5).unwrap();
        assert_eq!(log[0].kind, ActivityKind::Purge);
        assert_eq!(log[0].officer, "Officer P");
        assert_eq!(
            log[0].summary,
            format!(
                "purged data before 2024-25 from 2 schools (100001, 100002): {}",
                t.describe()
            )
        );
        // A second purge finds nothing more.
        assert!(
            store
                .purge_preview(AcademicYear(2024))
                .unwrap()
                .total
                .is_empty()
        );
    }

    #[test]
    fn deleting_a_school_removes_every_row_of_it_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut store = Store::open(&path).unwrap();
        fixture(&mut store);
        let before = all_counts(&store);
        let b_rows = |s: &Store| {
            [
                "SELECT COUNT(*) FROM pupils WHERE school_id = 2",
                "SELECT COUNT(*) FROM periods WHERE school_id = 2",
                "SELECT COUNT(*) FROM attendance WHERE period_id = 21",
                "SELECT COUNT(*) FROM meetings WHERE school_id = 2",
                "SELECT COUNT(*) FROM attendees WHERE meeting_id = 41",
                "SELECT COUNT(*) FROM imports WHERE school_id = 2",
            ]
            .map(|q| s.conn.query_row(q, [], |r| r.get::<_, i64>(0)).unwrap())
        };
        let b_before = b_rows(&store);
        let done = store.delete_school("100001", "Officer D").unwrap();
        assert_eq!(done.urn, "100001");
        assert!(done.compacted);
        let c = done.counts;
        assert_eq!(
            (
                c.pupils,
                c.periods,
                c.imports,
                c.marks,
                c.attendance,
                c.meetings
            ),
            (5, 3, 5, 5, 5, 2)
        );
        assert_eq!(
            (c.attendees, c.discussions, c.barriers, c.actions, c.audit),
            (2, 1, 1, 2, 2)
        );
        assert_eq!(
            (
                c.cme_enquiries,
                c.cme_checks,
                c.legal_reviews,
                c.legal_evidence
            ),
            (1, 1, 1, 1)
        );
        let after = all_counts(&store);
        for (table, n) in &before {
            let gone = match table.as_str() {
                "schools" => 1,
                "activity" => -1,
                t => {
                    let mut probe = c;
                    field(&mut probe, t).map_or(0, |f| *f)
                }
            };
            assert_eq!(after[table], n - gone, "{table}");
        }
        assert_eq!(b_rows(&store), b_before, "school B is untouched");
        assert_eq!(fk_problems(&store), 0);
        // No row anywhere names school A, its terms, meetings, imports or pupils.
        for (col, ids) in [
            ("school_id", "1"),
            ("pupil_id", "101, 102, 103, 104, 105"),
            ("period_id", "11, 12, 13"),
            ("meeting_id", "31, 32"),
            ("import_id", "1, 2, 3, 4, 5"),
        ] {
            for table in after.keys() {
                let has: bool = store
                    .conn
                    .query_row(
                        &format!("SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = '{col}'"),
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                if has {
                    let n: i64 = store
                        .conn
                        .query_row(
                            &format!("SELECT COUNT(*) FROM {table} WHERE {col} IN ({ids})"),
                            [],
                            |r| r.get(0),
                        )
                        .unwrap();
                    assert_eq!(n, 0, "{table}.{col}");
                }
            }
        }
        let log = store.activity(1).unwrap();
        assert_eq!(log[0].kind, ActivityKind::DeleteSchool);
        assert_eq!(log[0].school_urn.as_deref(), Some("100001"));
        assert_eq!(
            log[0].summary,
            format!("deleted all data of school 100001: {}", c.describe())
        );
        drop(store);
        // The file holds none of the deleted pupils' names or birth dates.
        let mut bytes = std::fs::read(&path).unwrap();
        if let Ok(wal) = std::fs::read(dir.path().join("db.sqlite-wal")) {
            bytes.extend(wal);
        }
        let text = String::from_utf8_lossy(&bytes);
        for gone in [
            "Zebedee",
            "Quillfeather",
            "Marigold",
            "Thistlewood",
            "Ottoline",
            "Wilhelmina",
            "2012-03-04",
        ] {
            assert!(!text.contains(gone), "{gone} is still in the file");
        }
        assert!(text.contains("Keswick"), "school B's pupil is still there");
        assert!(matches!(
            Store::open(&path).unwrap().delete_school("100001", "x"),
            Err(StoreError::NoSchool(_))
        ));
    }
}
