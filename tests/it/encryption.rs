//! Encryption at rest, backups and restore: the database file and its backups hold no
//! readable pupil name, a wrong passphrase changes nothing, a plain database converts
//! with every row, backups are kept to N and restore brings data back (and refuses
//! files it cannot trust, changing nothing).
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::common;

use common::{counts, tsm};
use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use tsm_desk::domain::Clock;

use tsm_desk::store::{BackupReason, Passphrase, Protection, Store, StoreError, probe};

const PASSPHRASE: &str = "correct horse battery staple";

fn key() -> Passphrase {
    Passphrase::new(PASSPHRASE)
}

/// Fills a store with the bundled sample data (six schools of synthetic pupils).
fn fill(store: &mut Store) {
    let dir = tsm_desk::demo::sample_dir().unwrap();
    tsm_desk::demo::load(store, &dir).unwrap();
}

/// A sample of pupils' surnames and forenames as stored (at least 5 characters long, so
/// a match is not chance).
fn names(store: &Store) -> Vec<String> {
    let mut out = Vec::new();
    for school in store.schools().unwrap() {
        for name in store.pupil_names(school.id).unwrap().into_values() {
            out.extend(
                name.split([' ', ','])
                    .filter(|w| w.chars().count() >= 5)
                    .map(str::to_owned),
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every file of the database: the file itself, its write-ahead log and index.
fn raw_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        if let Ok(b) = std::fs::read(PathBuf::from(p)) {
            bytes.extend(b);
        }
    }
    bytes
}

fn readable<'a>(bytes: &[u8], names: &'a [String]) -> Vec<&'a str> {
    names
        .iter()
        .filter(|n| bytes.windows(n.len()).any(|w| w == n.as_bytes()))
        .map(String::as_str)
        .collect()
}

fn sha(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn an_encrypted_database_and_its_backups_hold_no_readable_pupil_name() {
    let dir = tempfile::tempdir().unwrap();
    let plain_db = dir.path().join("plain.sqlite");
    let mut plain = Store::open(&plain_db).unwrap();
    fill(&mut plain);
    let names = names(&plain);
    assert!(names.len() > 100, "{}", names.len());
    drop(plain);
    // The check can fail: a plain database shows the names.
    assert!(readable(&raw_bytes(&plain_db), &names).len() > 100);

    let db = dir.path().join("secret.sqlite");
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    fill(&mut store);
    assert_eq!(names, self::names(&store), "the same data went in");
    // While open (the write-ahead log holds recent pages) and after closing.
    let bytes = raw_bytes(&db);
    assert!(bytes.len() > 1_000_000);
    assert_eq!(readable(&bytes, &names), Vec::<&str>::new());
    assert!(!bytes.windows(15).any(|w| w == b"SQLite format 3"));
    let backup = store.make_backup(BackupReason::Manual, 5).unwrap();
    drop(store);
    assert_eq!(readable(&raw_bytes(&db), &names), Vec::<&str>::new());
    assert_eq!(probe(&db).unwrap(), Protection::Encrypted);
    assert_eq!(
        readable(&std::fs::read(&backup.path).unwrap(), &names),
        Vec::<&str>::new()
    );
    assert_eq!(probe(&backup.path).unwrap(), Protection::Encrypted);
    // Both open with the passphrase and hold the data.
    let again = Store::open_with(&db, Some(&key())).unwrap();
    assert_eq!(self::names(&again), names);
    let copy = Store::open_with(&backup.path, Some(&key())).unwrap();
    assert_eq!(counts(&copy), counts(&again));
}

#[test]
fn a_wrong_or_missing_passphrase_is_refused_and_the_file_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("secret.sqlite");
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    store
        .set_school("990101", Some("Locked School"), None)
        .unwrap();
    drop(store);
    let before = sha(&db);
    let listing = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let files = listing(dir.path());

    for _ in 0..3 {
        let err = Store::open_with(&db, Some(&Passphrase::new("not the passphrase"))).unwrap_err();
        assert!(matches!(err, StoreError::WrongPassphrase(_)), "{err}");
        assert!(err.to_string().contains("does not open"), "{err}");
        assert!(err.to_string().contains("not changed"), "{err}");
    }
    let err = Store::open(&db).unwrap_err();
    assert!(matches!(err, StoreError::Locked(_)), "{err}");
    assert!(err.to_string().contains("is encrypted"), "{err}");
    assert_eq!(sha(&db), before, "a failed unlock changed the file");
    assert_eq!(
        listing(dir.path()),
        files,
        "a failed unlock left files behind"
    );

    let store = Store::open_with(&db, Some(&key())).unwrap();
    assert_eq!(
        store.schools().unwrap()[0].name.as_deref(),
        Some("Locked School")
    );

    // A passphrase for a plain database is a mistake worth saying so.
    let plain = dir.path().join("plain.sqlite");
    drop(Store::open(&plain).unwrap());
    let err = Store::open_with(&plain, Some(&key())).unwrap_err();
    assert!(matches!(err, StoreError::NotEncrypted(_)), "{err}");
}

#[test]
fn a_plain_database_is_encrypted_in_place_with_every_row_and_its_backups() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm-desk.sqlite");
    let mut store = Store::open(&db).unwrap();
    fill(&mut store);
    let names = names(&store);
    let rows = counts(&store);
    let old_backup = store.make_backup(BackupReason::Manual, 5).unwrap();
    drop(store);
    assert_eq!(probe(&old_backup.path).unwrap(), Protection::Plain);

    // Not while another program has it open: its writes would be lost.
    let other = Store::open(&db).unwrap();
    let err = tsm_desk::store::encrypt_database(&db, &key()).unwrap_err();
    assert!(err.to_string().contains("has this database open"), "{err}");
    assert_eq!(probe(&db).unwrap(), Protection::Plain);
    assert_eq!(counts(&other), rows);
    drop(other);

    // Too short a passphrase changes nothing.
    let err = tsm_desk::store::encrypt_database(&db, &Passphrase::new("short")).unwrap_err();
    assert!(err.to_string().contains("at least 8"), "{err}");
    assert_eq!(probe(&db).unwrap(), Protection::Plain);

    let encrypted_backups = tsm_desk::store::encrypt_database(&db, &key()).unwrap();
    assert_eq!(encrypted_backups, 1);
    assert_eq!(probe(&db).unwrap(), Protection::Encrypted);
    assert_eq!(probe(&old_backup.path).unwrap(), Protection::Encrypted);
    assert_eq!(readable(&raw_bytes(&db), &names), Vec::<&str>::new());
    assert_eq!(
        readable(&std::fs::read(&old_backup.path).unwrap(), &names),
        Vec::<&str>::new()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "tsm-desk.sqlite" && n != "backups")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    let store = Store::open_with(&db, Some(&key())).unwrap();
    assert_eq!(counts(&store), rows);
    assert_eq!(self::names(&store), names);
    assert_eq!(
        store.schema_version().unwrap(),
        tsm_desk::store::SCHEMA_VERSION
    );
    let err = tsm_desk::store::encrypt_database(&db, &key()).unwrap_err();
    assert!(err.to_string().contains("already encrypted"), "{err}");
}

#[test]
fn backups_are_kept_to_n_and_a_restore_brings_the_data_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm-desk.sqlite");
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    store
        .set_school("990201", Some("First name"), None)
        .unwrap();
    let first = store.make_backup(BackupReason::Manual, 3).unwrap();
    for _ in 0..4 {
        store.make_backup(BackupReason::Manual, 3).unwrap();
    }
    let kept = store.backups().unwrap();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(!first.path.exists(), "the oldest backup was not removed");
    assert!(
        kept.windows(2).all(|w| w[0].made >= w[1].made),
        "newest first"
    );

    let good = store.make_backup(BackupReason::Manual, 3).unwrap();
    store
        .set_school("990201", Some("Renamed later"), None)
        .unwrap();
    store
        .set_school("990202", Some("Added later"), None)
        .unwrap();
    let before_restore = store.restore_from(&good.path).unwrap();
    assert_eq!(before_restore.reason, "before-restore");
    let schools = store.schools().unwrap();
    assert_eq!(schools.len(), 1);
    assert_eq!(schools[0].name.as_deref(), Some("First name"));
    drop(store);

    // The restore holds after reopening, and the data it replaced can be restored in turn.
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    assert_eq!(store.schools().unwrap().len(), 1);
    store.restore_from(&before_restore.path).unwrap();
    let names: Vec<_> = store
        .schools()
        .unwrap()
        .into_iter()
        .filter_map(|s| s.name)
        .collect();
    assert_eq!(names, ["Renamed later", "Added later"]);
    let check: String = {
        drop(store);
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "key", PASSPHRASE).unwrap();
        conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(check, "ok");
}

#[test]
fn a_restore_refuses_files_it_cannot_trust_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm-desk.sqlite");
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    store.set_school("990301", Some("Keep me"), None).unwrap();
    let rows = counts(&store);

    // Random bytes.
    let junk = dir.path().join("junk.sqlite");
    std::fs::write(
        &junk,
        (0..65_536u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    // A backup made with another passphrase.
    let other_db = dir.path().join("other.sqlite");
    let other = Store::open_with(&other_db, Some(&Passphrase::new("another passphrase"))).unwrap();
    let other_backup = dir.path().join("other-backup.sqlite");
    other.backup_to(&other_backup).unwrap();
    drop(other);
    // A plain database.
    let plain = dir.path().join("plain.sqlite");
    drop(Store::open(&plain).unwrap());
    // A backup from a newer tsm-desk.
    let newer = dir.path().join("newer.sqlite");
    store.backup_to(&newer).unwrap();
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "key", PASSPHRASE).unwrap();
        conn.pragma_update(None, "user_version", tsm_desk::store::SCHEMA_VERSION + 1)
            .unwrap();
    }

    for (file, says) in [
        (&junk, "cannot be read with this database's passphrase"),
        (
            &other_backup,
            "cannot be read with this database's passphrase",
        ),
        (&plain, "is not encrypted"),
        (&newer, "newer tsm-desk"),
        (&dir.path().join("missing.sqlite"), "does not exist"),
    ] {
        let err = store.restore_from(file).unwrap_err();
        assert!(err.to_string().contains(says), "{}: {err}", file.display());
        assert_eq!(counts(&store), rows);
        assert_eq!(store.schools().unwrap()[0].name.as_deref(), Some("Keep me"));
    }
    assert!(
        store.backups().unwrap().is_empty(),
        "a refused restore made a backup"
    );
}

fn cli(db: &Path, args: &[&str], passphrase: Option<&str>) -> common::Run {
    let mut cmd = common::tsm_command(db);
    cmd.args(args);
    if let Some(p) = passphrase {
        cmd.env("TSM_DESK_PASSPHRASE", p);
    }
    common::run(cmd)
}

#[test]
fn the_command_line_encrypts_new_databases_backs_up_restores_and_converts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.sqlite");
    let details = common::fixture("details.csv");
    let import = ["import", "--school", "990401", details.to_str().unwrap()];

    // No passphrase and no terminal: a clear refusal, no file made.
    let run = cli(&db, &import, None);
    assert!(!run.ok);
    assert!(run.stderr.contains("TSM_DESK_PASSPHRASE"), "{}", run.stderr);
    assert!(run.stderr.contains("--unencrypted"), "{}", run.stderr);
    assert!(!db.exists());

    let run = cli(&db, &import, Some(PASSPHRASE));
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(probe(&db).unwrap(), Protection::Encrypted);
    let run = cli(&db, &["schools"], Some("wrong passphrase"));
    assert!(!run.ok);
    assert!(run.stderr.contains("does not open"), "{}", run.stderr);
    let run = cli(&db, &["schools"], None);
    assert!(!run.ok);
    assert!(run.stderr.contains("is encrypted"), "{}", run.stderr);

    let run = cli(&db, &["backup"], Some(PASSPHRASE));
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("encrypted with the database's passphrase"),
        "{}",
        run.stdout
    );
    let listed = cli(&db, &["backup", "--list"], Some(PASSPHRASE));
    assert!(listed.ok, "{}", listed.stderr);
    let line = listed.stdout.lines().next().unwrap();
    assert!(line.contains("manual"), "{line}");
    let backup_file = line.split_whitespace().last().unwrap().to_owned();

    // A second import after the backup; restoring the backup takes it away again.
    let run = cli(
        &db,
        &["import", "--school", "990402", details.to_str().unwrap()],
        Some(PASSPHRASE),
    );
    assert!(run.ok, "{}", run.stderr);
    let run = cli(&db, &["restore", &backup_file], Some(PASSPHRASE));
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("what was there before is in"),
        "{}",
        run.stdout
    );
    let schools = cli(&db, &["schools", "--json"], Some(PASSPHRASE));
    assert!(schools.stdout.contains("990401"), "{}", schools.stdout);
    assert!(!schools.stdout.contains("990402"), "{}", schools.stdout);
    // The restored database's activity log: its own import, then the restore (the
    // backup's own row and the second import went with the data they belonged to).
    let activity = cli(&db, &["activity"], Some(PASSPHRASE));
    let kinds: Vec<&str> = activity
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert_eq!(kinds, ["Restore", "Import"], "{}", activity.stdout);
    let file_name = Path::new(&backup_file)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        activity.stdout.contains(&format!("restored {file_name}")),
        "{}",
        activity.stdout
    );
    assert!(
        !activity.stdout.contains("/tmp"),
        "no folders in the log: {}",
        activity.stdout
    );

    // A plain database made with --unencrypted, then encrypted.
    let plain = dir.path().join("plain.sqlite");
    let run = tsm(&plain, &import);
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(probe(&plain).unwrap(), Protection::Plain);
    let run = cli(&plain, &["encrypt"], Some("short"));
    assert!(!run.ok);
    assert!(run.stderr.contains("at least 8"), "{}", run.stderr);
    assert_eq!(probe(&plain).unwrap(), Protection::Plain);
    let run = cli(&plain, &["encrypt"], Some(PASSPHRASE));
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(probe(&plain).unwrap(), Protection::Encrypted);
    let schools = cli(&plain, &["schools", "--json"], Some(PASSPHRASE));
    assert!(
        schools.ok && schools.stdout.contains("990401"),
        "{}",
        schools.stderr
    );
    let activity = cli(&plain, &["activity"], Some(PASSPHRASE));
    assert!(
        activity
            .stdout
            .lines()
            .next()
            .unwrap_or("")
            .contains("encrypted the database and 0 backup(s)"),
        "{}",
        activity.stdout
    );
}

#[test]
fn a_failed_daily_backup_is_said_but_does_not_stop_the_database_opening() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm-desk.sqlite");
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    store
        .set_school("990701", Some("Opens anyway"), None)
        .unwrap();
    drop(store);
    // A file where the backups folder should be: the backup cannot be written.
    std::fs::write(dir.path().join("backups"), b"not a folder").unwrap();
    let mut service =
        tsm_desk::service::Service::open(&db, Some(&key()), None, &Clock::new(), &mut |_| {})
            .unwrap();
    let notice = service.take_notice().unwrap();
    assert!(
        notice.starts_with("Today's backup could not be made"),
        "{notice}"
    );
    assert_eq!(service.take_notice(), None, "said once");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    assert_eq!(service.overview(today).unwrap().rows.len(), 1);
}
