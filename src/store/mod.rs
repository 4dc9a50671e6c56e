//! The SQLite store (rusqlite, bundled SQLite). One [`Store`] owns one connection.
//!
//! Migrations in `src/store/migrations/` are numbered and append-only; the schema
//! version is SQLite's `user_version`, and a database written by a newer tsm-desk is
//! refused. Every import runs in one transaction: it is stored whole or not at all.

mod activity;
mod app;
mod backup;
mod bulk;
mod crypt;
mod edits;
mod files;
mod format;
mod hygiene;
mod import;
mod meeting;
mod published;
mod query;
mod rows;
mod tracker;
mod weekly;

pub use backup::{BackupReason, DEFAULT_BACKUPS_KEPT};
pub use crypt::{MIN_PASSPHRASE_LEN, Passphrase, Protection, encrypt_database, probe};
pub use files::{BackupInfo, list_backups};

pub use crate::domain::meeting::MeetingStatus;
pub use app::{ActionCounts, PupilHistoryRow, SchoolMeeting};

pub use activity::{ActivityKind, ActivityRow};
pub use edits::AuditRow;
pub use hygiene::{DeletedCounts, PurgePreview, RemovalCounts, SchoolRemoval};
pub use published::{PublishedHeld, PublishedOutcome, PublishedPoint};
pub use rows::{ImportOptions, ImportOutcome};
pub use tracker::TrackedAction;

use crate::domain::{Clock, School};
use rusqlite::{Connection, OptionalExtension as _, TransactionBehavior, params};
use std::path::{Path, PathBuf};

/// The migrations, in order; migration `n` (1-based) brings the schema to version `n`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_app.sql"),
    include_str!("migrations/0003_meeting.sql"),
    include_str!("migrations/0004_activity.sql"),
    include_str!("migrations/0005_real_data.sql"),
    include_str!("migrations/0006_published_figures.sql"),
    include_str!("migrations/0007_cme_cases.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Something went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite reported an error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer tsm-desk.
    #[error(
        "this database was written by a newer tsm-desk (schema version {found}; this version understands up to {supported}); update tsm-desk to open it"
    )]
    TooNew {
        /// The database's schema version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// The same file was imported before.
    #[error(
        "{file}: this file was already imported for school {urn} as {previous} on {imported_at}; to import it again, use --replace (in the app: tick \"Import again\")"
    )]
    AlreadyImported {
        /// The file now being imported.
        file: String,
        /// The school's URN.
        urn: String,
        /// The earlier import's file name.
        previous: String,
        /// When the earlier import ran.
        imported_at: String,
    },
    /// A summary was given without a term.
    #[error(
        "{file}: a pupil summary has no dates, so it needs a term (e.g. --term \"2025-26 autumn\")"
    )]
    TermRequired {
        /// The file.
        file: String,
    },
    /// A weekly file whose figures' date is not known.
    #[error(
        "{file}: the day this weekly file's figures run to is not known; give it (--as-of 2025-10-10; in the app, the \"Figures to\" date)"
    )]
    AsOfRequired {
        /// The file.
        file: String,
    },
    /// A one-school file was given without saying which school it is for.
    #[error(
        "{file}: this file is for one school: say which (--school URN; in the app, choose the school)"
    )]
    SchoolRequired {
        /// The file.
        file: String,
    },
    /// A file holding several schools does not hold the one asked for.
    #[error("{file}: no rows for school {urn} in this file (it holds {schools} other school{})", if *.schools == 1 { "" } else { "s" })]
    SchoolNotInFile {
        /// The file.
        file: String,
        /// The school asked for.
        urn: String,
        /// How many schools the file holds.
        schools: usize,
    },
    /// The file's data clashes with data already stored.
    #[error("{file}, line {line}, field {field}: {message}")]
    Conflict {
        /// The file.
        file: String,
        /// The line.
        line: usize,
        /// The column.
        field: String,
        /// What clashes.
        message: String,
    },
    /// No school with that URN.
    #[error("no school with URN {0} in this database")]
    NoSchool(String),
    /// The school has no data for a period.
    #[error("school {urn} has no attendance data{}", .period.as_ref().map(|p| format!(" for {p}")).unwrap_or_default())]
    NoPeriod {
        /// The school's URN.
        urn: String,
        /// The period asked for, if any.
        period: Option<String>,
    },
    /// Stored data could not be read back.
    #[error("damaged data in the database: {0}")]
    Damaged(String),
    /// The database is encrypted and no passphrase was given.
    #[error("{} is encrypted: it needs its passphrase", .0.display())]
    Locked(PathBuf),
    /// The passphrase does not open the database.
    #[error(
        "that passphrase does not open {} (the file was not changed; check the passphrase and try again)",
        .0.display()
    )]
    WrongPassphrase(PathBuf),
    /// A passphrase was given for a database that is not encrypted.
    #[error(
        "{} is not encrypted, so it opens without a passphrase (encrypt it from Settings or with `tsm-desk encrypt`)",
        .0.display()
    )]
    NotEncrypted(PathBuf),
    /// The file is not an SQLite database at all.
    #[error("{} is not a tsm-desk database", .0.display())]
    NotADatabase(PathBuf),
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A backup could not be made or restored.
    #[error("backup: {0}")]
    Backup(String),
}

impl StoreError {
    /// A file error naming the file.
    pub(crate) fn file(path: &Path, e: &std::io::Error) -> StoreError {
        StoreError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        }
    }
}

/// Whether SQLite said the file is not a database (also what a wrong SQLCipher key
/// gives).
pub(crate) fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase)
}

/// The database.
pub struct Store {
    conn: Connection,
    /// The passphrase of an encrypted database (backups are encrypted with it).
    key: Option<Passphrase>,
    /// The time for the activity log, imports and backups' names.
    clock: Clock,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.conn.path())
            .finish()
    }
}

impl Store {
    /// Sets the clock the store stamps the activity log, imports and backups with
    /// (the app's and the command line's one clock; tests pin it).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The store's clock.
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Opens (creating if need be) an unencrypted database at `path` and brings its
    /// schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Locked`] for an encrypted database, [`StoreError::TooNew`] for a
    /// database from a newer tsm-desk; SQLite errors.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, None)
    }

    /// Opens (creating if need be) the database at `path`, encrypted with `key` when one
    /// is given, and brings its schema up to date (backing it up first when a
    /// migration is due). A new database is created encrypted when a key is given.
    ///
    /// The key is checked by reading the first page before anything is written, so a
    /// wrong passphrase leaves the file exactly as it was.
    ///
    /// # Errors
    /// [`StoreError::Locked`] (encrypted, no key), [`StoreError::WrongPassphrase`],
    /// [`StoreError::NotEncrypted`] (a key for a plain database),
    /// [`StoreError::NotADatabase`], [`StoreError::TooNew`]; SQLite errors.
    pub fn open_with(path: &Path, key: Option<&Passphrase>) -> Result<Store, StoreError> {
        let protection = crypt::probe(path)?;
        match (protection, key) {
            (Protection::Encrypted, None) => return Err(StoreError::Locked(path.to_owned())),
            (Protection::Plain, Some(_)) => return Err(StoreError::NotEncrypted(path.to_owned())),
            _ => {}
        }
        if protection == Protection::New {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                files::make_private_dir(dir)?;
            }
            files::make_private_file(path)?;
        }
        let conn = Connection::open(path)?;
        if let Some(key) = key {
            key.apply(&conn)?;
        }
        // Read the first page before anything writes: a wrong key fails here.
        if let Err(e) = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        }) {
            return Err(if !is_not_a_database(&e) {
                e.into()
            } else if key.is_some() {
                StoreError::WrongPassphrase(path.to_owned())
            } else {
                StoreError::NotADatabase(path.to_owned())
            });
        }
        bulk::set_wal(&conn);
        // FULL: a committed import or edit survives a power cut, not just a crash.
        conn.pragma_update(None, "synchronous", "FULL")?;
        Store::init(conn, key.cloned())
    }

    /// An empty database in memory (for tests and demos).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, key: Option<Passphrase>) -> Result<Store, StoreError> {
        conn.pragma_update(None, "foreign_keys", true)?;
        // Deleted rows are overwritten with zeros rather than left in free pages.
        conn.pragma_update(None, "secure_delete", true)?;
        // Room for the bulk import's multi-row statements of every size besides the
        // statements the screens use.
        conn.set_prepared_statement_cache_capacity(64);
        // A county's weekly file writes tens of megabytes in one transaction: room for
        // them in memory (up to 128 MB, taken only as pages are used) keeps SQLite from
        // spilling pages to the log before the commit.
        conn.pragma_update(None, "cache_size", -131_072)?;
        // Reads of a plain database map its pages rather than copying them into the
        // cache (a county's overview reads tens of megabytes). SQLCipher never maps an
        // encrypted one: its pages must be decrypted.
        conn.pragma_update(None, "mmap_size", 268_435_456)?;
        // Another instance may be writing: wait for it rather than fail, and take the
        // write lock when a transaction starts so two writers never deadlock.
        conn.busy_timeout(bulk::BUSY_TIMEOUT)?;
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        let mut store = Store {
            conn,
            key,
            clock: Clock::new(),
        };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the open database.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let found = self.schema_version()?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        if found > 0 && found < SCHEMA_VERSION && self.path().is_some() {
            self.make_backup(BackupReason::BeforeMigration(found), self.backups_kept())?;
        }
        let start = usize::try_from(found).unwrap_or(0);
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(
                None,
                "user_version",
                i64::try_from(i + 1).unwrap_or(i64::MAX),
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Every school, by URN.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schools(&self) -> Result<Vec<School>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, urn, name, phase, la_name FROM schools ORDER BY urn")?;
        let rows = stmt.query_map([], school_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The school with this URN, if any.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn school(&self, urn: &str) -> Result<Option<School>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, urn, name, phase, la_name FROM schools WHERE urn = ?1",
                [urn],
                school_row,
            )
            .optional()?)
    }

    /// Sets a school's name and phase, adding the school if need be.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn set_school(
        &mut self,
        urn: &str,
        name: Option<&str>,
        phase: Option<&str>,
    ) -> Result<School, StoreError> {
        let tx = self.conn.transaction()?;
        let id = rows::upsert_school(&tx, urn, name)?;
        if let Some(phase) = phase {
            tx.execute(
                "UPDATE schools SET phase = ?1 WHERE id = ?2",
                params![phase, id],
            )?;
        }
        tx.commit()?;
        self.school(urn)?
            .ok_or_else(|| StoreError::NoSchool(urn.to_owned()))
    }

    /// Counts rows in the main tables, to show what a change did (and did not) store.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut out = Vec::new();
        for table in [
            "schools",
            "periods",
            "pupils",
            "imports",
            "marks",
            "attendance",
            "snapshots",
            "published_figures",
        ] {
            let n: i64 =
                self.conn
                    .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?;
            out.push((table, n));
        }
        Ok(out)
    }
}

fn school_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<School> {
    Ok(School {
        id: r.get(0)?,
        urn: r.get(1)?,
        name: r.get(2)?,
        phase: r.get(3)?,
        la_name: r.get(4)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_bring_a_new_database_to_the_latest_version() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let counts = store.table_counts().unwrap();
        assert!(counts.iter().all(|(_, n)| *n == 0), "{counts:?}");
    }

    #[test]
    fn a_newer_database_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        drop(Store::open(&path).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, StoreError::TooNew { found, .. } if found == SCHEMA_VERSION + 1),
            "{err}"
        );
        assert!(err.to_string().contains("newer tsm-desk"));
        let conn = Connection::open(&path).unwrap();
        let v: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION + 1);
    }

    #[test]
    fn reopening_runs_no_migration_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let mut store = Store::open(&path).unwrap();
        store
            .set_school("100001", Some("Test School"), Some("primary"))
            .unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let schools = store.schools().unwrap();
        assert_eq!(schools.len(), 1);
        assert_eq!(schools[0].phase.as_deref(), Some("primary"));
    }
}
