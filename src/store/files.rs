//! Where the database's files live and how they are named: the backups folder beside
//! the database and the backups in it, sibling names for files being written, and
//! flushing a file to disk. A leaf: the backup and encryption code both use it.

use super::StoreError;
use chrono::NaiveDateTime;
use std::path::{Path, PathBuf};

/// The format of the time in a backup's file name.
pub(super) const STAMP: &str = "%Y%m%d-%H%M%S-%3f";

/// The length of a formatted [`STAMP`].
pub(super) const STAMP_LEN: usize = 19;

/// One backup file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    /// Where it is.
    pub path: PathBuf,
    /// When it was made (local time, from its name).
    pub made: NaiveDateTime,
    /// Why: `daily`, `manual`, `before-restore`, `before-migration-v2`...
    pub reason: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// `backups/` beside a database file.
pub(super) fn backup_dir_of(db: &Path) -> PathBuf {
    db.parent()
        .map_or_else(|| PathBuf::from("backups"), |d| d.join("backups"))
}

/// The file name without its extension (`tsm-desk.sqlite` -> `tsm-desk`).
pub(super) fn stem_of(db: &Path) -> String {
    db.file_stem()
        .map_or_else(|| "tsm-desk".into(), |s| s.to_string_lossy().into_owned())
}

/// The backups of the database named `stem` in `dir`, newest first.
///
/// # Errors
/// File errors reading the folder.
pub fn list_backups(dir: &Path, stem: &str) -> Result<Vec<BackupInfo>, StoreError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::file(dir, &e)),
    };
    let prefix = format!("{stem}-");
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".sqlite"))
        else {
            continue;
        };
        let (Some(stamp), Some(reason)) = (rest.get(..STAMP_LEN), rest.get(STAMP_LEN + 1..)) else {
            continue;
        };
        let Ok(made) = NaiveDateTime::parse_from_str(stamp, STAMP) else {
            continue;
        };
        out.push(BackupInfo {
            path: entry.path(),
            made,
            reason: reason.to_owned(),
            bytes: entry.metadata().map(|m| m.len()).unwrap_or(0),
        });
    }
    out.sort_by(|a, b| b.made.cmp(&a.made).then_with(|| b.path.cmp(&a.path)));
    Ok(out)
}

/// Flushes a file to disk (through a handle that may write, as Windows needs).
pub(super) fn sync_file(path: &Path) -> Result<(), StoreError> {
    crate::platform::files::sync(path).map_err(|e| StoreError::file(path, &e))
}

/// Renames a finished copy over `dest`, retrying while Windows says it is in use.
pub(super) fn replace_file(tmp: &Path, dest: &Path) -> Result<(), StoreError> {
    crate::platform::files::replace(tmp, dest).map_err(|e| StoreError::file(dest, &e))
}

/// Creates `dir` and any missing parents, readable by the owner only (Unix 0700).
pub(super) fn make_private_dir(dir: &Path) -> Result<(), StoreError> {
    crate::platform::files::create_private_dir(dir).map_err(|e| StoreError::file(dir, &e))
}

/// Creates an empty database file readable by its owner only (Unix 0600) before SQLite
/// opens it, so a new database, its journals and its copies never hold pupil data
/// readable by others; an existing file is left alone.
pub(super) fn make_private_file(path: &Path) -> Result<(), StoreError> {
    crate::platform::files::create_private(path).map_err(|e| StoreError::file(path, &e))
}

/// A sibling path with a suffix added to the file name (`db.sqlite` ->
/// `db.sqlite-encrypting`).
pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}
