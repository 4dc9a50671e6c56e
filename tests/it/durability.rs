//! Crash safety and concurrent use, with real processes on an encrypted database file:
//! an import killed while it holds the write lock leaves all of it or none, a stream
//! of meeting edits killed at any point keeps every edit it reported as saved, and two
//! processes writing at once both finish with nothing lost or damaged.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::common;

use rusqlite::Connection;
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tsm_desk::domain::Period;
use tsm_desk::domain::meeting::{Action, Edit};
use tsm_desk::store::{Passphrase, Store};

const PASSPHRASE: &str = "durable test passphrase";
const URN: &str = "990777";
/// The environment variable that turns the ignored helper test into a child process.
const CHILD: &str = "TSM_DURABILITY_CHILD";

fn key() -> Passphrase {
    Passphrase::new(PASSPHRASE)
}

/// A new encrypted database with one school and its autumn meeting; returns the
/// meeting's id.
fn new_database(path: &Path) -> i64 {
    let mut store = Store::open_with(path, Some(&key())).unwrap();
    let school = store
        .set_school(URN, Some("Durable School"), Some("secondary"))
        .unwrap();
    let period: Period = "2026-27 autumn".parse().unwrap();
    store.ensure_meeting(school.id, period).unwrap().0
}

/// A raw connection to the encrypted file.
fn connect(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "key", PASSPHRASE).unwrap();
    conn
}

fn integrity(path: &Path) {
    let conn = connect(path);
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let dangling: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0, "rows pointing at nothing");
}

/// Rows in the tables an import writes.
fn import_rows(path: &Path) -> [i64; 4] {
    let store = Store::open_with(path, Some(&key())).unwrap();
    let counts = store.table_counts().unwrap();
    let get = |t: &str| counts.iter().find(|(n, _)| *n == t).unwrap().1;
    [
        get("imports"),
        get("pupils"),
        get("marks"),
        get("attendance"),
    ]
}

fn import_command(db: &Path, file: &Path, urn: &str) -> Command {
    let mut cmd = cli(db);
    cmd.args(["import", "--school", urn]).arg(file);
    cmd
}

/// The CLI on the encrypted database, quiet but for its errors.
fn cli(db: &Path) -> Command {
    let mut cmd = crate::common::tsm_command(db);
    cmd.env("TSM_DESK_PASSPHRASE", PASSPHRASE)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Waits until another connection holds the write lock (a `BEGIN IMMEDIATE` of ours is
/// refused at once) or `child` ends; true when the lock was seen.
fn wait_for_writer(probe: &Connection, child: &mut Child, limit: Duration) -> bool {
    probe.busy_timeout(Duration::ZERO).unwrap();
    let start = Instant::now();
    while start.elapsed() < limit {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        match probe.execute_batch("BEGIN IMMEDIATE") {
            Ok(()) => probe.execute_batch("ROLLBACK").unwrap(),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                return true;
            }
            Err(e) => panic!("probe: {e}"),
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

#[test]
fn an_import_killed_while_writing_leaves_all_of_it_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("autumn_marks.csv");
    tsm_desk::sample::bench_marks_csv(&file, 1200, 70).unwrap();

    // The reference: the same import run to the end.
    let reference = dir.path().join("reference.sqlite");
    new_database(&reference);
    let before = import_rows(&reference);
    let out = import_command(&reference, &file, URN).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = import_rows(&reference);
    assert!(all[2] >= 1200 && all[3] > 0, "{all:?}");

    // Kill it as soon as it holds the write lock, then later and later into the write.
    let mut outcomes = Vec::new();
    for (round, extra_ms) in [0u64, 0, 5, 20, 60, 150].into_iter().enumerate() {
        let db = dir.path().join(format!("killed-{round}.sqlite"));
        new_database(&db);
        assert_eq!(import_rows(&db), before);
        let probe = connect(&db);
        let mut child = import_command(&db, &file, URN).spawn().unwrap();
        let saw_writer = wait_for_writer(&probe, &mut child, Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(extra_ms));
        let killed = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        child.wait().unwrap();
        drop(probe);

        let outcome = killed_outcome(&db, round, before, all);
        outcomes.push((saw_writer, killed, extra_ms, outcome));
        if outcome == "none" {
            runs_again(&db, import_command(&db, &file, URN), all);
        }
    }
    eprintln!("(lock seen, killed, ms after lock, outcome): {outcomes:?}");
    assert_a_kill_landed(&outcomes, "the import's transaction");
}

/// What a killed import left: "none" or "all" of `all`'s rows, never part of them, in
/// a file that passes its integrity and foreign-key checks (the first open after the
/// kill rolls back whatever the import left half-written).
fn killed_outcome(db: &Path, round: usize, before: [i64; 4], all: [i64; 4]) -> &'static str {
    integrity(db);
    let rows = import_rows(db);
    if rows == before {
        "none"
    } else if rows == all {
        "all"
    } else {
        panic!("round {round}: a partial import survived: {rows:?} (none {before:?}, all {all:?})")
    }
}

/// The database goes on working after a kill: `import` runs again to the end.
fn runs_again(db: &Path, mut import: Command, all: [i64; 4]) {
    let again = import.output().unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(import_rows(db), all);
}

/// At least one round's kill landed inside `what`, while the import was running, and
/// left none of it: (seen, killed, ms after, outcome) a round.
fn assert_a_kill_landed(outcomes: &[(bool, bool, u64, &str)], what: &str) {
    assert!(
        outcomes
            .iter()
            .any(|&(seen, killed, _, outcome)| seen && killed && outcome == "none"),
        "no kill landed inside {what}: {outcomes:?}"
    );
}

/// A DfE weekly file of `schools` schools with `per_school` pupils each, made from the
/// fixture's first pupil row with new UPNs and URNs.
fn county_weekly_file(path: &Path, schools: usize, per_school: usize) {
    let fixture = std::fs::read_to_string(common::fixture("dfe_weekly_week1.csv")).unwrap();
    let mut lines = fixture.lines();
    let header = lines.next().unwrap();
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut out = String::from(header);
    out.push('\n');
    for s in 0..schools {
        for p in 0..per_school {
            let upn =
                tsm_desk::domain::Upn::with_check_letter(&format!("9369{s:03}{p:05}")).unwrap();
            let mut cells = row.clone();
            let urn = format!("{}", 700_000 + s);
            cells[1] = upn.as_str();
            cells[18] = &urn;
            out.push_str(&cells.join(","));
            out.push('\n');
        }
    }
    std::fs::write(path, out).unwrap();
}

/// A path with `suffix` added to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

#[test]
fn a_county_weekly_import_killed_in_its_rollback_journal_leaves_all_of_it_or_none() {
    // A DfE weekly file is written with a rollback journal rather than the log
    // (src/store/bulk.rs): a kill must leave a journal that the next open rolls back.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("county_weekly.csv");
    county_weekly_file(&file, 8, 5000);
    // Every school in the file, not one.
    let command = |db: &Path| {
        let mut cmd = cli(db);
        cmd.args(["import", "--as-of", "2025-10-10"]).arg(&file);
        cmd
    };

    let reference = dir.path().join("reference.sqlite");
    new_database(&reference);
    let before = import_rows(&reference);
    let out = command(&reference).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = import_rows(&reference);
    assert_eq!(all[1] - before[1], 40_000, "{all:?}");
    integrity(&reference);
    assert!(!beside(&reference, "-journal").exists());

    let mut outcomes = Vec::new();
    for (round, extra_ms) in [0u64, 0, 10, 40, 120, 300].into_iter().enumerate() {
        let db = dir.path().join(format!("killed-{round}.sqlite"));
        new_database(&db);
        let journal = beside(&db, "-journal");
        let mut child = command(&db).spawn().unwrap();
        let start = Instant::now();
        let mut saw_journal = false;
        while start.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none() {
            if journal.exists() {
                saw_journal = true;
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_millis(extra_ms));
        let killed = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        child.wait().unwrap();

        // The next open rolls the journal back; the file is in WAL mode again.
        let outcome = killed_outcome(&db, round, before, all);
        let mode: String = connect(&db)
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        outcomes.push((saw_journal, killed, extra_ms, outcome));
        if outcome == "none" {
            runs_again(&db, command(&db), all);
        }
    }
    eprintln!("(journal seen, killed, ms after, outcome): {outcomes:?}");
    assert_a_kill_landed(&outcomes, "the import's rollback journal");
}

/// Runs this test binary's child helper with `mode`.
fn spawn_child(db: &Path, mode: &str, meeting: i64, count: usize) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "durability::child_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, mode)
        .env("TSM_CHILD_DB", db)
        .env("TSM_CHILD_MEETING", meeting.to_string())
        .env("TSM_CHILD_COUNT", count.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The descriptions of the meeting's actions and its audit rows.
fn meeting_state(db: &Path, meeting: i64) -> (Vec<String>, i64) {
    let store = Store::open_with(db, Some(&key())).unwrap();
    let m = store.load_meeting(meeting).unwrap();
    let mut actions: Vec<(usize, String)> = m
        .actions
        .iter()
        .map(|a| {
            let n = a
                .description
                .strip_prefix("Edit ")
                .and_then(|n| n.parse().ok())
                .unwrap();
            (n, a.description.clone())
        })
        .collect();
    actions.sort();
    drop(store);
    let audit: i64 = connect(db)
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE meeting_id = ?1",
            [meeting],
            |r| r.get(0),
        )
        .unwrap();
    (actions.into_iter().map(|(_, d)| d).collect(), audit)
}

#[test]
fn meeting_edits_reported_saved_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    for (round, kill_after) in [1usize, 25, 120].into_iter().enumerate() {
        let db = dir.path().join(format!("edits-{round}.sqlite"));
        let meeting = new_database(&db);
        let mut child = spawn_child(&db, "edits", meeting, 100_000);
        let stdout = child.stdout.take().unwrap();
        let mut saved = 0;
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            // libtest may print "test child_process ... " before the first line.
            if let Some((_, n)) = line.split_once("saved ") {
                saved = n.trim().parse().unwrap();
                if saved >= kill_after {
                    break;
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(saved, kill_after, "the child stopped early");

        integrity(&db);
        let (actions, audit) = meeting_state(&db, meeting);
        // Every edit reported saved is there, in order, with no gap and no half edit.
        assert!(actions.len() >= saved, "{} < {saved}", actions.len());
        let expected: Vec<String> = (1..=actions.len()).map(|i| format!("Edit {i}")).collect();
        assert_eq!(actions, expected);
        assert_eq!(
            audit,
            i64::try_from(actions.len()).unwrap(),
            "an edit without its audit row"
        );
    }
}

#[test]
fn two_processes_writing_at_once_both_finish_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.sqlite");
    let meeting = new_database(&db);
    let files: Vec<PathBuf> = (0..3)
        .map(|i| {
            let f = dir.path().join(format!("marks_{i}.csv"));
            tsm_desk::sample::bench_marks_csv(&f, 300 + i * 50, 40 + i * 10).unwrap();
            f
        })
        .collect();
    // One process keeps editing the meeting while another imports three files, each in
    // its own command (its own transaction), into the same database file.
    let editor = spawn_child(&db, "edits", meeting, 300);
    let mut importers = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let school = format!("99080{i}");
        let out = import_command(&db, f, &school).output().unwrap();
        importers.push((school, out));
    }
    let edited = editor.wait_with_output().unwrap();
    assert!(
        edited.status.success(),
        "editor failed: {}",
        String::from_utf8_lossy(&edited.stderr)
    );
    for (school, out) in &importers {
        assert!(
            out.status.success(),
            "{school}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    integrity(&db);
    let (actions, audit) = meeting_state(&db, meeting);
    assert_eq!(actions.len(), 300);
    assert_eq!(audit, 300);
    let store = Store::open_with(&db, Some(&key())).unwrap();
    for (school, _) in &importers {
        let s = store.require_school(school).unwrap();
        assert!(
            !store.periods(s.id).unwrap().is_empty(),
            "{school} has no data"
        );
    }
    // And a second process opening the file while this one has it open works too.
    let mut other = crate::common::tsm_command(&db);
    other
        .args(["schools", "--json"])
        .env("TSM_DESK_PASSPHRASE", PASSPHRASE);
    let other = crate::common::run(other);
    assert!(other.ok, "{}", other.stderr);
    let listed = &other.stdout;
    for (school, _) in &importers {
        assert!(listed.contains(school.as_str()), "{listed}");
    }
}

/// Not a test: the child process the tests above start (and kill).
#[test]
#[ignore = "run as a child process by the durability tests"]
fn child_process() {
    let Ok(mode) = std::env::var(CHILD) else {
        return;
    };
    let db = PathBuf::from(std::env::var("TSM_CHILD_DB").unwrap());
    let meeting: i64 = std::env::var("TSM_CHILD_MEETING").unwrap().parse().unwrap();
    let count: usize = std::env::var("TSM_CHILD_COUNT").unwrap().parse().unwrap();
    assert_eq!(mode, "edits");
    let mut store = Store::open_with(&db, Some(&key())).unwrap();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    use std::io::Write as _;
    let stdout = std::io::stdout();
    for i in 1..=count {
        let mut action = Action::new(tsm_desk::service::new_row_id(), None);
        action.description = format!("Edit {i}");
        action.owner = "Attendance lead".into();
        store
            .apply_edit(meeting, &Edit::Action(action), "Officer Test", at)
            .unwrap();
        let mut out = stdout.lock();
        writeln!(out, "saved {i}").unwrap();
        out.flush().unwrap();
    }
}
