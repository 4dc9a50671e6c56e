//! The activity log: one row for each import, print, export, purge, deletion, backup,
//! restore or change of encryption, with the officer named in settings.
//!
//! Summaries hold counts, file base names, URNs and terms only: never a pupil's name
//! or free text typed about pupils. Callers build them from such parts.

use super::format::AT_FORMAT;
use super::{Store, StoreError};
use chrono::NaiveDateTime;
use rusqlite::{Connection, params};

/// What kind of thing happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// Files were imported.
    Import,
    /// A printout (PDF) was written.
    Print,
    /// An export (CSV, XLSX) was written.
    Export,
    /// Data older than the retention period was purged.
    Purge,
    /// A school's data was deleted.
    DeleteSchool,
    /// A backup was made.
    Backup,
    /// A backup was restored.
    Restore,
    /// The database was encrypted, or its key changed.
    Encrypt,
}

impl ActivityKind {
    /// Every kind, in the order shown.
    pub const ALL: [ActivityKind; 8] = [
        ActivityKind::Import,
        ActivityKind::Print,
        ActivityKind::Export,
        ActivityKind::Purge,
        ActivityKind::DeleteSchool,
        ActivityKind::Backup,
        ActivityKind::Restore,
        ActivityKind::Encrypt,
    ];

    /// The key stored in the database.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            ActivityKind::Import => "import",
            ActivityKind::Print => "print",
            ActivityKind::Export => "export",
            ActivityKind::Purge => "purge",
            ActivityKind::DeleteSchool => "delete_school",
            ActivityKind::Backup => "backup",
            ActivityKind::Restore => "restore",
            ActivityKind::Encrypt => "encrypt",
        }
    }

    /// The kind stored as `key`.
    #[must_use]
    pub fn from_key(key: &str) -> Option<ActivityKind> {
        ActivityKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// A label for screens ("Delete school").
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Import => "Import",
            ActivityKind::Print => "Print",
            ActivityKind::Export => "Export",
            ActivityKind::Purge => "Purge",
            ActivityKind::DeleteSchool => "Delete school",
            ActivityKind::Backup => "Backup",
            ActivityKind::Restore => "Restore",
            ActivityKind::Encrypt => "Encryption",
        }
    }
}

/// One line of the activity log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ActivityRow {
    /// Row id (rising).
    pub id: i64,
    /// When, local time.
    pub at: NaiveDateTime,
    /// The officer named in settings.
    pub officer: String,
    /// What happened.
    pub kind: ActivityKind,
    /// The school concerned, if one.
    pub school_urn: Option<String>,
    /// Counts, file names, URNs and terms.
    pub summary: String,
}

/// Writes an activity row on `conn` (a connection or an open transaction), stamped
/// with `at` (local time, from the store's clock).
pub(super) fn log(
    conn: &Connection,
    at: chrono::NaiveDateTime,
    officer: &str,
    kind: ActivityKind,
    urn: Option<&str>,
    summary: &str,
) -> Result<(), StoreError> {
    let at = at.format(AT_FORMAT).to_string();
    conn.execute(
        "INSERT INTO activity (at, officer, kind, school_urn, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![at, officer, kind.key(), urn, summary],
    )?;
    Ok(())
}

impl Store {
    /// Records something done to or with the data in the activity log. `summary` must
    /// hold no pupil names or free text about pupils: counts, file base names, URNs and
    /// terms.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn log_activity(
        &self,
        officer: &str,
        kind: ActivityKind,
        urn: Option<&str>,
        summary: &str,
    ) -> Result<(), StoreError> {
        log(&self.conn, self.clock.now(), officer, kind, urn, summary)
    }

    /// The latest `limit` rows of the activity log, newest first.
    ///
    /// # Errors
    /// SQLite errors; [`StoreError::Damaged`] for a row that cannot be read back.
    pub fn activity(&self, limit: u32) -> Result<Vec<ActivityRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, at, officer, kind, school_urn, summary FROM activity
             ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at, officer, kind, school_urn, summary) = row?;
            out.push(ActivityRow {
                id,
                at: NaiveDateTime::parse_from_str(&at, AT_FORMAT)
                    .map_err(|_| StoreError::Damaged(format!("activity time {at:?}")))?,
                officer,
                kind: ActivityKind::from_key(&kind)
                    .ok_or_else(|| StoreError::Damaged(format!("activity kind {kind:?}")))?,
                school_urn,
                summary,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_rows_read_back_newest_first_within_the_limit() {
        let store = Store::open_in_memory().unwrap();
        store
            .log_activity(
                "A. Officer",
                ActivityKind::Export,
                Some("100001"),
                "Wrote 3 rows to a.csv",
            )
            .unwrap();
        store
            .log_activity("A. Officer", ActivityKind::Backup, None, "backup b.sqlite")
            .unwrap();
        store
            .log_activity(
                "B. Officer",
                ActivityKind::DeleteSchool,
                Some("100002"),
                "deleted",
            )
            .unwrap();
        let rows = store.activity(2).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, ActivityKind::DeleteSchool);
        assert_eq!(rows[0].officer, "B. Officer");
        assert_eq!(rows[0].school_urn.as_deref(), Some("100002"));
        assert_eq!(rows[1].kind, ActivityKind::Backup);
        assert_eq!(rows[1].school_urn, None);
        assert!(rows[0].id > rows[1].id);
        let now = crate::domain::Clock::new().now();
        assert!(
            (now - rows[0].at).num_seconds().abs() < 60,
            "{:?}",
            rows[0].at
        );
        for k in ActivityKind::ALL {
            assert_eq!(ActivityKind::from_key(k.key()), Some(k));
        }
    }
}
