//! Encryption at rest with SQLCipher (bundled with rusqlite, using the system's
//! OpenSSL libcrypto): the passphrase type, telling an encrypted file from a plain
//! one, and converting a plain database into an encrypted one.
//!
//! SQLCipher encrypts every page (AES-256 in CBC mode with an HMAC-SHA512 per page)
//! under a key derived from the passphrase with PBKDF2-HMAC-SHA512 (256,000
//! iterations) and a random salt stored in the file's first 16 bytes. Without the
//! passphrase the file is indistinguishable from random bytes.

use super::StoreError;
use super::files::{
    backup_dir_of, list_backups, make_private_file, replace_file, stem_of, sync_file, with_suffix,
};
use rusqlite::Connection;
use std::io::Read as _;
use std::path::Path;

/// The first 16 bytes of every plain (unencrypted) SQLite database.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The shortest passphrase accepted for a new or changed key.
pub const MIN_PASSPHRASE_LEN: usize = 8;

/// A database passphrase. Its bytes are overwritten when it is dropped, and it never
/// prints (`Debug` shows only its length class).
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(Vec<u8>);

impl Passphrase {
    /// Wraps a passphrase as typed.
    #[must_use]
    pub fn new(text: &str) -> Passphrase {
        Passphrase(text.as_bytes().to_vec())
    }

    /// The passphrase as text (for SQLCipher's `key` pragma).
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }

    /// Checks a passphrase chosen for a new key: long enough, not blank.
    ///
    /// # Errors
    /// A sentence for the user saying what is wrong.
    pub fn check_new(&self) -> Result<(), String> {
        let chars = self.text().chars().count();
        if self.text().trim().is_empty() {
            return Err("The passphrase is empty".into());
        }
        if chars < MIN_PASSPHRASE_LEN {
            return Err(format!(
                "Use at least {MIN_PASSPHRASE_LEN} characters (a few words are easier to remember and harder to guess)"
            ));
        }
        Ok(())
    }

    /// Keys an open connection with this passphrase (before anything is read).
    pub(crate) fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        // SQLCipher writes a wrong key's HMAC failures to stderr; the error says enough.
        conn.pragma_update(None, "cipher_log_level", "NONE")?;
        let text = self.text();
        conn.pragma_update(None, "key", &text)
    }
}

impl Drop for Passphrase {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&self.0);
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(***)")
    }
}

/// What a database path holds, read from the file's first bytes without opening it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// No file, or an empty one: a new database will be made.
    New,
    /// A plain SQLite database, readable by anyone with the file.
    Plain,
    /// Not a plain SQLite file: an encrypted database (or not a database at all).
    Encrypted,
}

/// Tells whether `path` is missing, a plain SQLite database or an encrypted one.
///
/// # Errors
/// [`StoreError::File`] when the file exists but cannot be read.
pub fn probe(path: &Path) -> Result<Protection, StoreError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Protection::New),
        Err(e) => return Err(StoreError::file(path, &e)),
    };
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StoreError::file(path, &e)),
        }
    }
    Ok(match got {
        0 => Protection::New,
        16 if &head == SQLITE_HEADER => Protection::Plain,
        _ => Protection::Encrypted,
    })
}

/// Writes an encrypted copy of the plain database `src` to `dst` (which must not
/// exist, or be empty) with `sqlcipher_export`, keeping the schema version, and checks
/// the copy opens with the passphrase and holds the same number of rows in every table.
///
/// # Errors
/// SQLite errors; [`StoreError::Damaged`] if the copy does not match.
pub(crate) fn export_encrypted(
    src: &Path,
    dst: &Path,
    passphrase: &Passphrase,
) -> Result<(), StoreError> {
    let plain = Connection::open(src)?;
    let version: i64 = plain.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let dst_text = dst.to_string_lossy().into_owned();
    plain.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![dst_text, passphrase.text()],
    )?;
    plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version}"))?;
    plain.execute("DETACH DATABASE encrypted", [])?;
    let before = row_counts(&plain)?;
    drop(plain);

    let copy = Connection::open(dst)?;
    passphrase.apply(&copy)?;
    let after = row_counts(&copy)?;
    let copy_version: i64 = copy.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if before != after || copy_version != version {
        return Err(StoreError::Damaged(
            "the encrypted copy does not match the database; nothing was changed".into(),
        ));
    }
    Ok(())
}

/// Encrypts the plain database at `path` with `passphrase`, in place, and its plain
/// backups with it (so no readable copy is left in the backups folder); returns how
/// many backups were encrypted. No connection may be open on the database.
///
/// The encrypted copy is written beside the file, checked (it opens with the
/// passphrase and holds the same rows), flushed to disk and then renamed over the
/// original, so a failure at any point leaves the plain database as it was.
///
/// # Errors
/// [`StoreError::File`] when there is no plain database at `path` or the passphrase is
/// too short; SQLite and file errors.
pub fn encrypt_database(path: &Path, passphrase: &Passphrase) -> Result<usize, StoreError> {
    match probe(path)? {
        Protection::Plain => {}
        Protection::New => {
            return Err(StoreError::File {
                path: path.display().to_string(),
                message: "no database here to encrypt".into(),
            });
        }
        Protection::Encrypted => {
            return Err(StoreError::File {
                path: path.display().to_string(),
                message: "this database is already encrypted".into(),
            });
        }
    }
    passphrase.check_new().map_err(|m| StoreError::File {
        path: path.display().to_string(),
        message: m,
    })?;
    // Fold the write-ahead log into the file so the copy sees every commit and no
    // plain -wal is left beside the encrypted file.
    // Leaving WAL mode needs the file to itself, so this also tells whether another
    // program (a second tsm-desk) has it open: its writes would go to the replaced file.
    {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let mode = conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
            .map(|m| m.to_ascii_lowercase());
        if !matches!(mode.as_deref(), Ok("delete")) {
            return Err(StoreError::File {
                path: path.display().to_string(),
                message: "another program (a second tsm-desk?) has this database open; close it and try again".into(),
            });
        }
    }
    replace_with_encrypted(path, passphrase)?;
    let stem = stem_of(path);
    let mut encrypted = 0;
    for b in list_backups(&backup_dir_of(path), &stem)? {
        if probe(&b.path)? == Protection::Plain {
            replace_with_encrypted(&b.path, passphrase)?;
            encrypted += 1;
        }
    }
    Ok(encrypted)
}

/// Writes an encrypted copy of the plain file beside it and renames it into place.
fn replace_with_encrypted(path: &Path, passphrase: &Passphrase) -> Result<(), StoreError> {
    let tmp = with_suffix(path, "-encrypting");
    let _ = std::fs::remove_file(&tmp);
    let done = make_private_file(&tmp)
        .and_then(|()| export_encrypted(path, &tmp, passphrase))
        .and_then(|()| sync_file(&tmp))
        .and_then(|()| replace_file(&tmp, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// Every table's name and row count, in name order.
pub(crate) fn row_counts(conn: &Connection) -> Result<Vec<(String, i64)>, StoreError> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""));
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
        out.push((name, n));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_never_prints() {
        let p = Passphrase::new("correct horse battery staple");
        assert_eq!(format!("{p:?}"), "Passphrase(***)");
    }

    #[test]
    fn short_or_blank_passphrases_are_refused_for_new_keys() {
        assert!(Passphrase::new("        ").check_new().is_err());
        assert!(Passphrase::new("seven77").check_new().is_err());
        assert!(Passphrase::new("eight888").check_new().is_ok());
        // Characters, not bytes: four two-byte letters are too short.
        assert!(Passphrase::new("éééé").check_new().is_err());
    }

    #[test]
    fn probe_tells_missing_empty_plain_and_other_files_apart() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.sqlite");
        assert_eq!(probe(&missing).unwrap(), Protection::New);
        let empty = dir.path().join("empty.sqlite");
        std::fs::write(&empty, b"").unwrap();
        assert_eq!(probe(&empty).unwrap(), Protection::New);
        let plain = dir.path().join("plain.sqlite");
        Connection::open(&plain)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert_eq!(probe(&plain).unwrap(), Protection::Plain);
        let other = dir.path().join("other.sqlite");
        std::fs::write(&other, [7u8; 4096]).unwrap();
        assert_eq!(probe(&other).unwrap(), Protection::Encrypted);
    }
}
