//! Keeping the data safe: backups, restore and encrypting a plain database.

use super::{DEMO_KEY, Service, ServiceError, Settings};
use crate::import::base_name;
use crate::store::{ActivityKind, BackupInfo, BackupReason, Passphrase, Store};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// What the settings screen shows about the database's protection and backups.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SafetyView {
    /// The database file (empty for an in-memory database).
    pub path: String,
    /// Whether the file is encrypted.
    pub encrypted: bool,
    /// The backups folder.
    pub backup_dir: String,
    /// The backups, newest first.
    pub backups: Vec<BackupInfo>,
}

impl Service {
    /// Makes the day's backup unless one exists from `today`.
    ///
    /// # Errors
    /// Store and file errors.
    pub fn daily_backup(&self, today: NaiveDate) -> Result<Option<BackupInfo>, ServiceError> {
        Ok(self.store.daily_backup(today, self.settings.backups_kept)?)
    }

    /// Makes a backup now.
    ///
    /// # Errors
    /// Store and file errors.
    pub fn backup_now(&self) -> Result<BackupInfo, ServiceError> {
        let made = self
            .store
            .make_backup(BackupReason::Manual, self.settings.backups_kept)?;
        self.log_activity(ActivityKind::Backup, None, &said(&made))?;
        Ok(made)
    }

    /// Writes a backup to a file of the user's choosing.
    ///
    /// # Errors
    /// Store and file errors.
    pub fn backup_to(&self, file: &Path) -> Result<(), ServiceError> {
        self.store.backup_to(file)?;
        self.log_activity(
            ActivityKind::Backup,
            None,
            &format!("backup written to {}", base_name(file)),
        )
    }

    /// The database's protection and its backups.
    ///
    /// # Errors
    /// File errors reading the backups folder.
    pub fn safety(&self) -> Result<SafetyView, ServiceError> {
        let show = |p: Option<PathBuf>| p.map(|p| p.display().to_string()).unwrap_or_default();
        Ok(SafetyView {
            path: show(self.store.path()),
            encrypted: self.store.is_encrypted(),
            backup_dir: show(self.store.backup_dir()),
            backups: self.store.backups()?,
        })
    }

    /// Replaces the database's contents with a backup (after backing up the current
    /// contents, which is returned), then reads the settings afresh.
    ///
    /// # Errors
    /// A backup that cannot be read with this database's passphrase, is damaged or is
    /// from a newer version: nothing changes then.
    pub fn restore(&mut self, file: &Path) -> Result<BackupInfo, ServiceError> {
        let before = self.store.restore_from(file)?;
        self.reload_settings()?;
        // Logged in the restored database, where it will be seen from now on.
        self.log_activity(
            ActivityKind::Restore,
            None,
            &format!(
                "restored {}; the data it replaced is in {}",
                base_name(file),
                base_name(&before.path)
            ),
        )?;
        Ok(before)
    }

    /// Encrypts this (plain) database and its backups with `passphrase`, and goes on
    /// with the encrypted database; returns how many backups were encrypted. On
    /// failure the plain database is reopened as it was.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for an in-memory or already encrypted database or a
    /// short passphrase; store and file errors.
    pub fn encrypt(&mut self, passphrase: &Passphrase) -> Result<usize, ServiceError> {
        let Some(path) = self.store.path() else {
            return Err(ServiceError::Invalid(
                "an in-memory database cannot be encrypted".into(),
            ));
        };
        if self.store.is_encrypted() {
            return Err(ServiceError::Invalid(
                "this database is already encrypted".into(),
            ));
        }
        passphrase.check_new().map_err(ServiceError::Invalid)?;
        // Close the file: the conversion replaces it.
        let plain = std::mem::replace(&mut self.store, Store::open_in_memory()?);
        drop(plain);
        let converted = crate::store::encrypt_database(&path, passphrase);
        let reopened = match &converted {
            Ok(_) => Store::open_with(&path, Some(passphrase)),
            Err(_) => Store::open(&path),
        };
        self.store = reopened?;
        self.loaded = None;
        let backups = converted?;
        self.log_activity(
            ActivityKind::Encrypt,
            None,
            &format!("encrypted the database and {backups} backup(s)"),
        )?;
        Ok(backups)
    }

    /// Reads the settings and the demo mark again (after a restore).
    fn reload_settings(&mut self) -> Result<(), ServiceError> {
        (self.settings, self.demo) = saved_settings(&self.store)?;
        self.loaded = None;
        Ok(())
    }
}

/// What the activity log says of a backup.
fn said(b: &BackupInfo) -> String {
    format!("{} backup {}", b.reason, base_name(&b.path))
}

/// The saved settings (defaults if none) and whether the database holds demo data.
pub(super) fn saved_settings(store: &Store) -> Result<(Settings, bool), ServiceError> {
    let settings = super::hygiene::saved_settings(store)?;
    let demo = store.setting(DEMO_KEY)?.is_some_and(|v| v == "true");
    Ok((settings, demo))
}
