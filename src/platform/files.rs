//! Writing files so that a reader sees the old file or the new one, never half of
//! either, on every platform; and keeping the database's files private to the user.
//!
//! - A new file is written to a temporary file in the same folder (the `tempfile`
//!   crate: on Windows it is created hidden and marked temporary), flushed to disk,
//!   then renamed over the old one. Linux replaces a file that another program holds
//!   open (that program keeps reading the old one). Windows refuses while a program
//!   holds it without sharing deletion (a PDF viewer, Excel) or while an antivirus
//!   scanner looks at it: the rename is tried again for a second, then the error says
//!   the file is open in another program and the old file is left as it was.
//! - Flushing needs a handle opened for writing on Windows (`FlushFileBuffers`), a
//!   read-only one is enough on Unix.
//! - The database, its journals and its backups hold pupil data: on Unix they are
//!   created readable by their owner only (mode 0600; SQLite gives its journal and WAL
//!   files the database's mode) and a backups folder the program makes is 0700. On
//!   Windows a new file takes the permissions of its folder, and the data folder
//!   (`%APPDATA%`) is the user's own.

use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

/// Who may read a file written by [`write_atomically`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only its owner (mode 0600 on Unix).
    Private,
    /// Whoever the user's default permissions allow (0666 less the umask on Unix):
    /// documents the user saves where they choose.
    Default,
}

/// How many times a rename refused because the file is in use is tried again.
const RETRIES: u32 = 10;

/// How long to wait between tries.
const RETRY_WAIT: Duration = Duration::from_millis(100);

/// Writes `bytes` to a temporary file in `path`'s folder, flushes it and renames it
/// over `path`: either the whole new file is there, or the old one (or none) is
/// untouched, and no temporary file is left behind.
///
/// # Errors
/// The folder cannot be written, or (Windows) the file stays open in another program;
/// the error says which.
pub fn write_atomically(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = match access {
            Access::Private => 0o600,
            Access::Default => 0o666,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = access;
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    let mut tries = 0;
    loop {
        match temp.persist(path) {
            Ok(_) => return Ok(()),
            Err(e) if tries < RETRIES && may_be_in_use(&e.error) => {
                temp = e.file;
                tries += 1;
                std::thread::sleep(RETRY_WAIT);
            }
            // Dropping the temporary file (in `e`) deletes it.
            Err(e) => return Err(explain(e.error)),
        }
    }
}

/// Renames `from` over `to` (a file written beside it), trying again for a second if
/// Windows says a file is in use.
///
/// # Errors
/// The rename failed; when another program holds the file, the error says so.
pub fn replace(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut tries = 0;
    loop {
        match std::fs::rename(from, to) {
            Ok(()) => return Ok(()),
            Err(e) if tries < RETRIES && may_be_in_use(&e) => {
                tries += 1;
                std::thread::sleep(RETRY_WAIT);
            }
            Err(e) => return Err(explain(e)),
        }
    }
}

/// Flushes a file's contents to disk.
///
/// # Errors
/// The file cannot be opened or flushed.
pub fn sync(path: &Path) -> std::io::Result<()> {
    // Windows flushes only through a handle that may write.
    let file = if cfg!(windows) {
        std::fs::OpenOptions::new().write(true).open(path)?
    } else {
        std::fs::File::open(path)?
    };
    file.sync_all()
}

/// Creates `path` empty and readable by its owner only, if it does not exist; SQLite
/// then opens it as a new database and gives its journals the same mode.
///
/// # Errors
/// The file cannot be created.
pub fn create_private(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates the folder `dir` (and its parents) if missing; the folders it makes are the
/// owner's only on Unix (0700).
///
/// # Errors
/// A folder cannot be created.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Whether only the file's owner may read it: mode `0600` or narrower on Unix; on
/// Windows, which keeps no mode bits, whether it is writable (a file the program made
/// in the user's folder).
#[must_use]
pub fn is_private(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        meta.permissions().mode() & 0o077 == 0
    }
    #[cfg(not(unix))]
    {
        !meta.permissions().readonly()
    }
}

/// Whether Windows refused because a file is in use (sharing or lock violation) or
/// because the target cannot be replaced now (access denied: open without sharing
/// deletion, or being scanned). Never on other platforms.
fn may_be_in_use(e: &std::io::Error) -> bool {
    /// `ERROR_ACCESS_DENIED`, `ERROR_SHARING_VIOLATION`, `ERROR_LOCK_VIOLATION`.
    const IN_USE: [i32; 3] = [5, 32, 33];
    cfg!(windows) && e.raw_os_error().is_some_and(|c| IN_USE.contains(&c))
}

/// The error to show for a failed replace: for a file in use, a sentence saying so.
fn explain(e: std::io::Error) -> std::io::Error {
    if may_be_in_use(&e) {
        std::io::Error::new(
            e.kind(),
            "the file is open in another program (close it there, then try again)",
        )
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap()
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_is_written_whole_and_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("list.csv");
        write_atomically(&path, b"one\r\n", Access::Default).unwrap();
        assert_eq!(read(&path), "one\r\n");
        write_atomically(&path, b"two\r\n", Access::Default).unwrap();
        // Bytes as given: no line ending is translated on any platform.
        assert_eq!(std::fs::read(&path).unwrap(), b"two\r\n");
        assert_eq!(leftovers(dir.path()), ["list.csv"]);
    }

    #[test]
    fn a_file_that_cannot_be_written_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing-folder").join("list.csv");
        let e = write_atomically(&path, b"x", Access::Default).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    /// Linux: a program reading the old file keeps it; the name gets the new one.
    #[cfg(unix)]
    #[test]
    fn a_file_open_in_another_program_is_replaced_under_it() {
        use std::io::Read as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pupils.pdf");
        std::fs::write(&path, "old").unwrap();
        let mut held = std::fs::File::open(&path).unwrap();
        write_atomically(&path, b"new", Access::Default).unwrap();
        assert_eq!(read(&path), "new");
        let mut old = String::new();
        held.read_to_string(&mut old).unwrap();
        assert_eq!(old, "old");
        assert_eq!(leftovers(dir.path()), ["pupils.pdf"]);
    }

    /// Windows: a viewer holding the file without sharing deletion (as PDF viewers and
    /// Excel do) stops the replace; the error says why, the old file is untouched and no
    /// temporary file is left; once it lets go, the save works.
    #[cfg(windows)]
    #[test]
    fn a_file_open_in_another_program_is_named_as_the_reason() {
        use std::os::windows::fs::OpenOptionsExt as _;
        /// `FILE_SHARE_READ`: others may read, not write or delete.
        const FILE_SHARE_READ: u32 = 1;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pupils.pdf");
        std::fs::write(&path, "old").unwrap();
        let held = std::fs::OpenOptions::new()
            .read(true)
            .share_mode(FILE_SHARE_READ)
            .open(&path)
            .unwrap();
        let e = write_atomically(&path, b"new", Access::Default).unwrap_err();
        assert!(e.to_string().contains("open in another program"), "{e}");
        drop(held);
        assert_eq!(read(&path), "old");
        assert_eq!(leftovers(dir.path()), ["pupils.pdf"]);
        write_atomically(&path, b"new", Access::Default).unwrap();
        assert_eq!(read(&path), "new");
    }

    #[test]
    fn replace_moves_a_finished_file_over_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let tmp = dir.path().join("db.sqlite-partial");
        std::fs::write(&path, "old").unwrap();
        std::fs::write(&tmp, "new").unwrap();
        sync(&tmp).unwrap();
        replace(&tmp, &path).unwrap();
        assert_eq!(read(&path), "new");
        assert_eq!(leftovers(dir.path()), ["db.sqlite"]);
    }

    #[test]
    fn flushing_a_file_works_on_every_platform() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, "x").unwrap();
        sync(&path).unwrap();
        assert_eq!(read(&path), "x");
    }

    #[test]
    fn private_files_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a").join("backups");
        create_private_dir(&folder).unwrap();
        let db = folder.join("db.sqlite");
        create_private(&db).unwrap();
        // Creating it again leaves it (and what is in it) alone.
        std::fs::write(&db, "kept").unwrap();
        create_private(&db).unwrap();
        assert_eq!(read(&db), "kept");
        assert!(is_private(&db));
        let saved = dir.path().join("saved.pdf");
        write_atomically(&saved, b"x", Access::Private).unwrap();
        assert!(is_private(&saved));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&db), 0o600);
            assert_eq!(mode(&folder), 0o700);
            assert_eq!(mode(&saved), 0o600);
            let shared = dir.path().join("shared.pdf");
            write_atomically(&shared, b"x", Access::Default).unwrap();
            // 0666 less the umask: at least the owner reads and writes it, and it is
            // not private unless the umask makes it so.
            assert_eq!(mode(&shared) & 0o600, 0o600);
            std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(!is_private(&shared));
        }
    }
}
