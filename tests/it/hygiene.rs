//! Data hygiene through the real binary: failing imports name file, line and field but
//! never the pupil; imports, prints and exports land in the activity log; purge
//! previews then purges; deleting a school leaves nothing of it.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::common;

use common::{fixture, tsm, tsm_json, write};
use tsm_desk::service::{Service, Settings};
use tsm_desk::store::Store;

/// A synthetic pupil whose details must never appear in messages.
const FORENAME: &str = "Xanthippe";
const SURNAME: &str = "Quorndon-Vale";
const DOB: &str = "31/02/2013";
const UPN: &str = "G820200125001";

fn name_officer(db: &std::path::Path, name: &str) {
    let mut service = Service::new(Store::open(db).unwrap()).unwrap();
    let settings = Settings {
        officer_name: name.into(),
        ..service.settings().clone()
    };
    service.save_settings(settings).unwrap();
}

fn assert_private(stderr: &str) {
    for secret in [FORENAME, SURNAME, "Quorndon", DOB, "2013"] {
        assert!(
            !stderr.contains(secret),
            "{secret:?} appears in the error output: {stderr}"
        );
    }
}

#[test]
fn a_failing_import_names_file_line_and_field_but_not_the_pupil() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let header = "UPN,Legal Surname,Legal Forename,Year Group,Sex,Date of Birth\n";
    let ok_row = "W820200125002,Testpupil,Bravo,7,M,02/10/2013\n";
    let cases = [
        // An impossible date of birth on the pupil's row.
        (
            "details.csv",
            format!("{header}{ok_row}{UPN},{SURNAME},{FORENAME},7,F,{DOB}\n"),
            "details.csv, line 3, field Date of Birth",
        ),
        // The pupil's name slipped into the sex column.
        (
            "shifted.csv",
            format!("{header}{ok_row}{UPN},{SURNAME},7,{FORENAME},F,01/02/2013\n"),
            "shifted.csv, line 3, field",
        ),
        // Impossible totals on the pupil's row of a summary.
        (
            "summary.csv",
            format!(
                "UPN,Legal Forename,Legal Surname,Possible Sessions,Present,Authorised Absences,Unauthorised Absences\n\
                 {UPN},{FORENAME},{SURNAME},100,90,30,0\n"
            ),
            "summary.csv, line 2",
        ),
    ];
    for (name, text, expected) in cases {
        let path = write(dir.path(), name, text);
        let run = tsm(
            &db,
            &[
                "import",
                "--school",
                "100001",
                "--term",
                "2025-26 autumn",
                path.to_str().unwrap(),
            ],
        );
        assert!(!run.ok, "{name} was accepted: {}", run.stdout);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        assert_private(&run.stderr);
        assert_private(&run.stdout);
    }
    // Nothing was stored, and no import was logged.
    let log = tsm_json(&db, &["activity", "--json"]);
    assert_eq!(log["activity"].as_array().unwrap().len(), 0, "{log}");
}

#[test]
fn imports_prints_and_exports_are_logged_with_the_officer_and_no_names() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    drop(Store::open(&db).unwrap());
    name_officer(&db, "Officer Hygiene");
    let prev = fixture("previous_summary.csv");
    let marks = fixture("autumn_wide.csv");
    let details = fixture("details.csv");
    let import = |args: &[&str]| {
        let mut all = vec!["import", "--school", "100001"];
        all.extend_from_slice(args);
        let run = tsm(&db, &all);
        assert!(run.ok, "{}", run.stderr);
    };
    import(&["--term", "2024-25 summer", prev.to_str().unwrap()]);
    import(&[details.to_str().unwrap(), marks.to_str().unwrap()]);
    for name in ["list.csv", "list.pdf"] {
        let out = dir.path().join(name);
        let args = [
            "pupil-list",
            "--school",
            "100001",
            "--out",
            out.to_str().unwrap(),
        ];
        let run = tsm(&db, &args);
        assert!(run.ok, "{}", run.stderr);
    }
    let actions = dir.path().join("actions.xlsx");
    let run = tsm(
        &db,
        &["export", "actions", "--out", actions.to_str().unwrap()],
    );
    assert!(run.ok, "{}", run.stderr);

    let log = tsm_json(&db, &["activity", "--json", "--limit", "10"]);
    let rows = log["activity"].as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["export", "print", "export", "import", "import"]);
    assert!(rows.iter().all(|r| r["officer"] == "Officer Hygiene"));
    let summaries: Vec<&str> = rows
        .iter()
        .map(|r| r["summary"].as_str().unwrap())
        .collect();
    assert_eq!(summaries[0], "Wrote 0 actions to actions.xlsx");
    assert!(
        summaries[1].starts_with("Wrote the pupil list for 2025-26 autumn (")
            && summaries[1].ends_with(") to list.pdf"),
        "{}",
        summaries[1]
    );
    assert_eq!(rows[1]["school_urn"], "100001");
    assert_eq!(
        summaries[3],
        "imported 2 files: details.csv (details, 6 rows, 6 pupils); autumn_wide.csv (marks_wide, 66 rows, 6 pupils, 132 marks, 2025-26 autumn)"
    );
    assert_eq!(
        summaries[4],
        "imported 1 file: previous_summary.csv (summary, 5 rows, 5 pupils, 2024-25 summer)"
    );
    // No names from the fixtures, and no folders, in the log.
    let text = log.to_string();
    for secret in ["Testpupil", "Alpha", "Bravo", dir.path().to_str().unwrap()] {
        assert!(
            !text.contains(secret),
            "{secret} in the activity log: {text}"
        );
    }
    // The plain listing shows the same rows.
    let run = tsm(&db, &["activity"]);
    assert!(run.ok);
    assert_eq!(run.stdout.lines().count(), 5, "{}", run.stdout);
    assert!(run.stdout.lines().next().unwrap().contains("Export"));
}

#[test]
fn purge_previews_without_yes_and_purges_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let prev = fixture("previous_summary.csv");
    let marks = fixture("autumn_wide.csv");
    for args in [
        vec!["--term", "2024-25 summer", prev.to_str().unwrap()],
        vec![marks.to_str().unwrap()],
    ] {
        let mut all = vec!["import", "--school", "100001"];
        all.extend(args);
        assert!(tsm(&db, &all).ok);
    }
    let counts = |db: &std::path::Path| common::counts(&Store::open(db).unwrap());
    let before = counts(&db);
    // As of 24 Nov 2026 (2026-27), keeping 2 years keeps 2025-26: the 2024-25 summer goes.
    let run = tsm(&db, &["purge", "--years", "2", "--today", "2026-11-24"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(
            "Keeping 2 academic years (2025-26 onwards); would purge data from before 2025-26."
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("run again with --yes"),
        "{}",
        run.stdout
    );
    assert_eq!(counts(&db), before, "a preview changes nothing");

    let done = tsm_json(
        &db,
        &[
            "purge",
            "--years",
            "2",
            "--today",
            "2026-11-24",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(done["purged"], true);
    let total = &done["preview"]["total"];
    assert_eq!(total["periods"], 1);
    assert_eq!(total["attendance"], 5);
    assert_eq!(total["imports"], 1);
    assert_eq!(total["pupils"], 0, "every pupil has autumn marks");
    let after = counts(&db);
    let get = |c: &[(&str, i64)], t: &str| c.iter().find(|(n, _)| *n == t).unwrap().1;
    assert_eq!(get(&after, "periods"), get(&before, "periods") - 1);
    assert_eq!(get(&after, "attendance"), get(&before, "attendance") - 5);
    assert_eq!(get(&after, "imports"), get(&before, "imports") - 1);
    let schools = tsm_json(&db, &["schools", "--json"]);
    assert_eq!(
        schools["schools"][0]["periods"],
        serde_json::json!(["2025-26 autumn"])
    );
    let log = tsm_json(&db, &["activity", "--json", "--limit", "1"]);
    assert_eq!(log["activity"][0]["kind"], "purge");
    // Retention off refuses to purge.
    let run = tsm(&db, &["purge", "--years", "0", "--yes"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("retention is off"), "{}", run.stderr);
}

#[test]
fn delete_school_needs_yes_and_then_removes_the_school() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let details = fixture("details.csv");
    let prev = fixture("previous_summary.csv");
    for urn in ["100001", "100002"] {
        let run = tsm(&db, &["import", "--school", urn, details.to_str().unwrap()]);
        assert!(run.ok, "{}", run.stderr);
    }
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            "--term",
            "2024-25 summer",
            prev.to_str().unwrap(),
        ],
    );
    assert!(run.ok);
    let run = tsm(&db, &["delete-school", "--school", "100001"]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("add --yes to confirm"),
        "{}",
        run.stderr
    );
    assert_eq!(
        tsm_json(&db, &["schools", "--json"])["schools"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let done = tsm_json(
        &db,
        &["delete-school", "--school", "100001", "--yes", "--json"],
    );
    assert_eq!(done["urn"], "100001");
    assert_eq!(done["counts"]["pupils"], 6);
    assert_eq!(done["counts"]["imports"], 2);
    assert_eq!(done["counts"]["attendance"], 5);
    let schools = tsm_json(&db, &["schools", "--json"]);
    let urns: Vec<&str> = schools["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["urn"].as_str().unwrap())
        .collect();
    assert_eq!(urns, ["100002"]);
    let store = Store::open(&db).unwrap();
    let c = common::counts(&store);
    assert_eq!(c.iter().find(|(t, _)| *t == "pupils").unwrap().1, 6);
    let log = store.activity(1).unwrap();
    assert_eq!(log[0].school_urn.as_deref(), Some("100001"));
    let run = tsm(&db, &["delete-school", "--school", "100001", "--yes"]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains("no school with URN 100001"),
        "{}",
        run.stderr
    );
}

/// Timings on the demo database (run with `--ignored --nocapture`).
#[test]
#[ignore = "a measurement, not a check"]
fn demo_purge_and_delete_timings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    let mut store = Store::open(&path).unwrap();
    let sample = tsm_desk::demo::sample_dir().unwrap();
    let t = std::time::Instant::now();
    tsm_desk::demo::load(&mut store, &sample).unwrap();
    eprintln!("demo load: {:?}", t.elapsed());
    eprintln!("counts: {:?}", common::counts(&store));
    let size = std::fs::metadata(&path).unwrap().len();
    eprintln!("file: {size} bytes");
    let schools = store.schools().unwrap();
    let years: Vec<i32> = (2020..=2027).collect();
    for y in years {
        let t = std::time::Instant::now();
        let p = store
            .purge_preview(tsm_desk::domain::AcademicYear(y))
            .unwrap();
        eprintln!(
            "preview keep from {y}: {:?} -> {}",
            t.elapsed(),
            p.total.describe()
        );
    }
    let t = std::time::Instant::now();
    let p = store
        .purge(tsm_desk::domain::AcademicYear(2026), "bench")
        .unwrap();
    eprintln!(
        "purge keep from 2026: {:?} -> {}",
        t.elapsed(),
        p.total.describe()
    );
    let t = std::time::Instant::now();
    let d = store.delete_school(&schools[0].urn, "bench").unwrap();
    eprintln!(
        "delete {}: {:?} -> {}",
        d.urn,
        t.elapsed(),
        d.counts.describe()
    );
    eprintln!("counts: {:?}", common::counts(&store));
    eprintln!("file: {} bytes", std::fs::metadata(&path).unwrap().len());
}

/// Not a test: the child process of the test below, which panics with a name in the
/// payload after installing the app's panic hook.
#[test]
#[ignore = "run as a child process by panics_do_not_repeat_their_payload"]
fn panicking_child() {
    if std::env::var_os("TSM_PANIC_CHILD").is_none() {
        return;
    }
    tsm_desk::service::quiet_panics();
    let name = "Zebedee Quattlebaum";
    std::thread::Builder::new()
        .name("tsm-worker".into())
        .spawn(move || panic!("could not read the row of {name}"))
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn panics_do_not_repeat_their_payload() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "hygiene::panicking_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("TSM_PANIC_CHILD", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child did not panic");
    assert!(
        stderr.contains(
            "tsm-desk stopped on an internal error in thread tsm-worker at tests/it/hygiene.rs:"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("Zebedee"), "{stderr}");
    assert!(!stderr.contains("Quattlebaum"), "{stderr}");
}
