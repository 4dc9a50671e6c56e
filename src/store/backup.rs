//! Backups with SQLite's online backup API: a copy of the live database (encrypted
//! with the same passphrase when the database is encrypted) in a `backups` folder
//! beside it, made daily on first start, before every migration, before a restore and
//! on request; the newest N are kept. Restoring copies a backup back into the open
//! database in one step, after backing up what is there now.

use super::crypt::{Passphrase, Protection, probe};
use super::files::{
    BackupInfo, STAMP, backup_dir_of, list_backups, make_private_dir, make_private_file,
    replace_file, stem_of, sync_file, with_suffix,
};
use super::{SCHEMA_VERSION, Store, StoreError};
use chrono::NaiveDate;
use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How many backups are kept when the settings say nothing.
pub const DEFAULT_BACKUPS_KEPT: usize = 10;

/// Why a backup was made; the reason is part of its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupReason {
    /// The first start of the day.
    Daily,
    /// Before migrating from this schema version.
    BeforeMigration(i64),
    /// Before a restore replaced the database.
    BeforeRestore,
    /// Asked for by the user.
    Manual,
}

impl BackupReason {
    fn key(self) -> String {
        match self {
            BackupReason::Daily => "daily".into(),
            BackupReason::BeforeMigration(v) => format!("before-migration-v{v}"),
            BackupReason::BeforeRestore => "before-restore".into(),
            BackupReason::Manual => "manual".into(),
        }
    }
}

impl Store {
    /// The database file, or `None` for an in-memory database.
    #[must_use]
    pub fn path(&self) -> Option<PathBuf> {
        self.conn
            .path()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    }

    /// Whether the database is encrypted (opened with a passphrase).
    #[must_use]
    pub fn is_encrypted(&self) -> bool {
        self.key.is_some()
    }

    /// The folder backups go to: `backups/` beside the database file.
    #[must_use]
    pub fn backup_dir(&self) -> Option<PathBuf> {
        self.path().map(|p| backup_dir_of(&p))
    }

    /// Copies the whole database to `dest` with the online backup API (other
    /// connections may go on writing), encrypted with this database's passphrase if it
    /// has one. The copy is written beside `dest` and renamed into place when complete.
    ///
    /// # Errors
    /// SQLite and file errors.
    pub fn backup_to(&self, dest: &Path) -> Result<(), StoreError> {
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            make_private_dir(dir)?;
        }
        let tmp = with_suffix(dest, &format!(".partial-{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        let result = (|| {
            make_private_file(&tmp)?;
            let mut copy = Connection::open(&tmp)?;
            if let Some(key) = &self.key {
                key.apply(&copy)?;
            }
            Backup::new(&self.conn, &mut copy)?.run_to_completion(4096, Duration::ZERO, None)?;
            copy.pragma_update(None, "journal_mode", "DELETE")?;
            drop(copy);
            sync_file(&tmp)?;
            replace_file(&tmp, dest)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// Makes a backup in [`Store::backup_dir`] and keeps only the newest `keep`.
    ///
    /// # Errors
    /// [`StoreError::Backup`] for an in-memory database; SQLite and file errors.
    pub fn make_backup(&self, reason: BackupReason, keep: usize) -> Result<BackupInfo, StoreError> {
        let (Some(db), Some(dir)) = (self.path(), self.backup_dir()) else {
            return Err(StoreError::Backup(
                "an in-memory database has no backups".into(),
            ));
        };
        let stem = stem_of(&db);
        let now = self.clock.now();
        let mut path = dir.join(format!(
            "{stem}-{}-{}.sqlite",
            now.format(STAMP),
            reason.key()
        ));
        let mut n = 2;
        while path.exists() {
            path = dir.join(format!(
                "{stem}-{}-{}-{n}.sqlite",
                now.format(STAMP),
                reason.key()
            ));
            n += 1;
        }
        self.backup_to(&path)?;
        prune(&dir, &stem, keep.max(1))?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(BackupInfo {
            path,
            made: now,
            reason: reason.key(),
            bytes,
        })
    }

    /// This database's backups, newest first.
    ///
    /// # Errors
    /// File errors reading the folder.
    pub fn backups(&self) -> Result<Vec<BackupInfo>, StoreError> {
        match (self.path(), self.backup_dir()) {
            (Some(db), Some(dir)) => list_backups(&dir, &stem_of(&db)),
            _ => Ok(Vec::new()),
        }
    }

    /// Makes the day's backup unless one was made on `today` already.
    ///
    /// # Errors
    /// As [`Store::make_backup`].
    pub fn daily_backup(
        &self,
        today: NaiveDate,
        keep: usize,
    ) -> Result<Option<BackupInfo>, StoreError> {
        if self.path().is_none() || self.backups()?.iter().any(|b| b.made.date() == today) {
            return Ok(None);
        }
        self.make_backup(BackupReason::Daily, keep).map(Some)
    }

    /// How many backups the settings keep (`backups_kept` in the saved settings), or
    /// [`DEFAULT_BACKUPS_KEPT`].
    #[must_use]
    pub fn backups_kept(&self) -> usize {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'settings'",
                [],
                |r| r.get(0),
            )
            .ok();
        json.and_then(|j| serde_json::from_str::<serde_json::Value>(&j).ok())
            .and_then(|v| v.get("backups_kept").and_then(serde_json::Value::as_u64))
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(DEFAULT_BACKUPS_KEPT)
    }

    /// Replaces the database's contents with the backup `file` (made by this or an
    /// older tsm-desk, with this database's passphrase), after backing up the current
    /// contents; returns that backup. The backup file is checked first (it opens, is a
    /// tsm-desk database, passes SQLite's integrity check, is not from a newer
    /// version), so a bad file changes nothing. An older backup is migrated after it
    /// is restored.
    ///
    /// # Errors
    /// [`StoreError::Backup`] naming what is wrong with the file; SQLite errors.
    pub fn restore_from(&mut self, file: &Path) -> Result<BackupInfo, StoreError> {
        let name = file.display().to_string();
        match (probe(file)?, &self.key) {
            (Protection::New, _) => {
                return Err(StoreError::Backup(format!(
                    "{name} does not exist or is empty"
                )));
            }
            (Protection::Plain, Some(_)) => {
                return Err(StoreError::Backup(format!(
                    "{name} is not encrypted and this database is; restore into a new unencrypted database, then encrypt it"
                )));
            }
            (Protection::Encrypted, None) => {
                return Err(StoreError::Backup(format!(
                    "{name} is encrypted and this database is not; open it with its passphrase instead"
                )));
            }
            _ => {}
        }
        let src = open_backup(file, self.key.as_ref())?;
        let keep = self.backups_kept();
        let before = self.make_backup(BackupReason::BeforeRestore, keep.saturating_add(1))?;
        Backup::new(&src, &mut self.conn)?.run_to_completion(4096, Duration::ZERO, None)?;
        drop(src);
        self.migrate()?;
        Ok(before)
    }
}

/// Opens a backup read-only with `key` and checks it is a sound tsm-desk database this
/// version can read.
fn open_backup(file: &Path, key: Option<&Passphrase>) -> Result<Connection, StoreError> {
    let name = file.display().to_string();
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(k) = key {
        k.apply(&conn)?;
    }
    let tables: i64 = match conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schools'",
        [],
        |r| r.get(0),
    ) {
        Ok(n) => n,
        Err(e) if super::is_not_a_database(&e) => {
            return Err(StoreError::Backup(format!(
                "{name} cannot be read with this database's passphrase (it was made with another passphrase, or it is not a tsm-desk backup)"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if tables == 0 {
        return Err(StoreError::Backup(format!(
            "{name} is not a tsm-desk database"
        )));
    }
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::Backup(format!(
            "{name} was made by a newer tsm-desk (schema version {version}; this version understands up to {SCHEMA_VERSION})"
        )));
    }
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Backup(format!(
            "{name} is damaged (SQLite's check: {check})"
        )));
    }
    Ok(conn)
}

/// Deletes all but the newest `keep` backups of `stem` in `dir`.
fn prune(dir: &Path, stem: &str, keep: usize) -> Result<(), StoreError> {
    for old in list_backups(dir, stem)?.into_iter().skip(keep) {
        std::fs::remove_file(&old.path).map_err(|e| StoreError::file(&old.path, &e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_migration_backs_the_database_up_first_and_only_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &super::super::MIGRATIONS[..2] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute("INSERT INTO schools (urn) VALUES ('990001')", [])
                .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let backups = store.backups().unwrap();
        assert_eq!(backups.len(), 1, "{backups:?}");
        assert_eq!(backups[0].reason, "before-migration-v2");
        let copy = Connection::open(&backups[0].path).unwrap();
        let version: i64 = copy
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(
            version, 2,
            "the backup is the database before the migration"
        );
        let schools: i64 = copy
            .query_row("SELECT COUNT(*) FROM schools", [], |r| r.get(0))
            .unwrap();
        assert_eq!(schools, 1);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.backups().unwrap().len(), 1, "no migration, no backup");
    }

    #[test]
    fn daily_backups_are_made_once_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).unwrap();
        let today = crate::domain::Clock::new().today();
        let made = store.daily_backup(today, 5).unwrap();
        assert_eq!(made.map(|b| b.reason), Some("daily".to_owned()));
        assert_eq!(store.daily_backup(today, 5).unwrap(), None);
        let tomorrow = today.succ_opt().unwrap();
        assert!(store.daily_backup(tomorrow, 5).unwrap().is_some());
        assert_eq!(store.backups().unwrap().len(), 2);
        assert!(
            Store::open_in_memory()
                .unwrap()
                .daily_backup(today, 5)
                .unwrap()
                .is_none()
        );
    }
}
