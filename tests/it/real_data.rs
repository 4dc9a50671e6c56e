//! Real data in, through the command line: the DfE weekly pupil-level file for several
//! schools, later weeks replacing earlier ones, leavers, joiners, cross-border pupils
//! and pupils outside compulsory school age; MIS header sets (snake_case, the school
//! census, SIMS, Bromcom); sub-codes, stand-ins and local codes; unmarked sessions left
//! out of possible sessions; the DfE's published weekly attendance statistics
//! (`published_weekly.csv`) as national and LA comparators. Every expected figure is
//! worked out by hand from the fixture rows, as the comments show.
#![allow(clippy::unwrap_used, reason = "test code may panic")]

use crate::common;

use common::{fixture, tsm, tsm_json};
use serde_json::Value;
use std::path::Path;

const WEEK1: &str = "2025-10-10";
const WEEK2: &str = "2025-10-17";

fn db(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("real.sqlite")
}

fn import_week(db: &Path, file: &str, as_of: &str) -> Value {
    let path = fixture(file);
    tsm_json(
        db,
        &["import", "--as-of", as_of, "--json", path.to_str().unwrap()],
    )
}

fn school<'a>(overview: &'a Value, urn: &str) -> &'a Value {
    overview["schools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["urn"] == urn)
        .unwrap_or_else(|| panic!("no school {urn} in {overview}"))
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-12)
}

/// Asserts a school's overview row: pupils, absence sessions / possible sessions, and
/// persistent and severe pupils.
fn assert_school(
    overview: &Value,
    urn: &str,
    (pupils, absence, possible, persistent, severe): (u64, u32, u32, u64, u64),
) {
    let s = school(overview, urn);
    assert_eq!(s["pupils"], pupils, "{urn}: {s}");
    assert!(
        close(&s["absence_rate"], f64::from(absence) / f64::from(possible)),
        "{urn}: {s}"
    );
    assert_eq!(s["persistent"], persistent, "{urn}: {s}");
    assert_eq!(s["severe"], severe, "{urn}: {s}");
    #[expect(clippy::cast_precision_loss, reason = "a handful of pupils")]
    let share = |n: u64| n as f64 / pupils as f64;
    assert!(
        close(&s["persistent_rate"], share(persistent)),
        "{urn}: {s}"
    );
    assert!(close(&s["severe_rate"], share(severe)), "{urn}: {s}");
    assert_eq!(s["latest_term"], "2025-26 autumn", "{urn}: {s}");
}

fn pupil<'a>(flags: &'a Value, upn: &str) -> &'a Value {
    flags["pupils"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["upn"] == upn)
        .unwrap_or_else(|| panic!("no pupil {upn}"))
}

fn warnings(outcomes: &Value) -> Vec<String> {
    outcomes
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["warnings"].as_array().unwrap().iter())
        .map(|w| {
            format!(
                "line {}, {}: {}",
                w["line"],
                w["field"].as_str().unwrap_or("-"),
                w["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_dfe_weekly_file_imports_as_three_named_schools_with_exact_figures() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let outcomes = import_week(&db, "dfe_weekly_week1.csv", WEEK1);
    let o = &outcomes[0];
    assert_eq!(o["layout"], "dfe_weekly");
    assert_eq!(
        o["schools"],
        serde_json::json!(["100101", "100202", "100303"])
    );
    assert_eq!(o["pupils"], 15);
    assert_eq!(o["as_of"], WEEK1);
    let said = warnings(&outcomes).join("\n");
    // Birch's second pupil: possible 61, but present 57 + absence 3 = 60.
    assert!(said.contains("line 8, possible_sessions: 1 pupil with attendance and absence below possible sessions (line 8): 1 unmarked session left out"), "{said}");
    // Cedar's first pupil: absent_sessions 11, authorised 6 + unauthorised 4 = 10.
    assert!(said.contains("line 11, absent_sessions: 1 row where the absence total is not authorised + unauthorised (line 11)"), "{said}");
    // Cedar's last pupil: 9 of 60 is 15%, but the file says not persistently absent.
    assert!(said.contains("line 16, persistently_absent: the file's own persistently_absent flag disagrees with its session counts on 1 row (line 16)"), "{said}");
    assert!(!said.contains("severely_absent flag"), "{said}");

    let schools = tsm_json(&db, &["schools", "--json"]);
    let names: Vec<(String, String)> = schools["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["phase"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("Alder Primary School".into(), "Primary".into()),
            ("Birch Academy".into(), "Secondary".into()),
            ("Cedar School".into(), "Special".into())
        ]
    );

    let overview = tsm_json(&db, &["overview", "--json"]);
    assert_eq!(overview["schools"].as_array().unwrap().len(), 3);
    // Alder (reception pupil A..4 is not of compulsory school age, so left out):
    // 6/60, 30/60, 3/60 and the leaver's 6/20: 45 of 200; PA 10%, 50%, 30%; SA 50%.
    assert_school(&overview, "100101", (4, 45, 200, 3, 1));
    // Birch (the Y12 pupil is left out; 61 possible read as 60): 6/60, 3/60, 0/60.
    assert_school(&overview, "100202", (3, 9, 180, 1, 0));
    // Cedar (one pupil with no possible sessions): 10/60, 0/34, 31/60, 4/60, 9/60.
    assert_school(&overview, "100303", (5, 54, 274, 3, 1));
}

#[test]
fn leavers_joiners_cross_border_pupils_and_age_are_tagged() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    import_week(&db, "dfe_weekly_week1.csv", WEEK1);
    let flags = tsm_json(&db, &["flags", "--school", "100101", "--json"]);
    let order: Vec<&str> = flags["pupils"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["upn"].as_str().unwrap())
        .collect();
    // Severe 50%; then persistently absent in priority order: none has support on
    // record (no meeting yet), and the leaver's absence is mostly unauthorised (4 of
    // 6), a second concern, so they come before 33.3% (15 of 20 authorised); then
    // 10%; then 5%, below the 7% at-risk band.
    assert_eq!(
        order,
        [
            "X936100125002",
            "P936100125005",
            "A936100125004",
            "H936100125001",
            "L936100125003"
        ]
    );
    let leaver = pupil(&flags, "P936100125005");
    assert_eq!(leaver["category"], "persistent");
    assert_eq!(
        leaver["why"],
        "persistently absent (30.0%): no support on record, mostly unauthorised"
    );
    assert_eq!(leaver["tags"], serde_json::json!(["left 26/09/2025"]));
    let cross = pupil(&flags, "L936100125003");
    assert_eq!(cross["category"], "none");
    assert_eq!(cross["tags"], serde_json::json!(["lives in Westvale"]));
    // Not of compulsory school age: flagged and listed, but not counted above.
    let young = pupil(&flags, "A936100125004");
    assert_eq!(young["category"], "persistent");
    assert_eq!(young["compulsory_school_age"], false);
    assert_eq!(
        young["tags"],
        serde_json::json!(["not of compulsory school age"])
    );
    assert_eq!(
        pupil(&flags, "H936100125001")["compulsory_school_age"],
        true
    );
    let cedar = tsm_json(&db, &["flags", "--school", "100303", "--json"]);
    assert_eq!(
        pupil(&cedar, "H936300125002")["tags"],
        serde_json::json!(["joined 22/09/2025"])
    );
    assert_eq!(
        pupil(&cedar, "X936300125003")["tags"],
        serde_json::json!(["lives in Westvale"])
    );
    assert_eq!(pupil(&cedar, "L936300125004")["absence_rate"], Value::Null);
    // The text list says so too.
    let run = tsm(&db, &["flags", "--school", "100101"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.contains("left 26/09/2025"), "{}", run.stdout);
}

#[test]
fn a_later_week_replaces_the_figures_and_the_weekly_line_has_two_points() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    import_week(&db, "dfe_weekly_week1.csv", WEEK1);
    let outcomes = import_week(&db, "dfe_weekly_week2.csv", WEEK2);
    assert_eq!(outcomes[0]["replaced"], false);
    let overview = tsm_json(&db, &["overview", "--json"]);
    // Alder: 8/70, 35/70, 6/70 and the leaver's frozen 6/20: 55 of 230; PA 11.4%,
    // 50%, 30%; SA exactly 50%.
    assert_school(&overview, "100101", (4, 55, 230, 3, 1));
    // Birch: 7/70 (exactly 10%), 4/70, 0/70.
    assert_school(&overview, "100202", (3, 11, 210, 1, 0));
    // Cedar: 11/70, 0/44, 37/70, 0/10, 5/70, 10/70.
    assert_school(&overview, "100303", (6, 63, 334, 3, 1));

    let summary = tsm_json(&db, &["summary", "--school", "100101", "--json"]);
    let weeks = summary["weekly"].as_array().unwrap();
    assert_eq!(weeks.len(), 2, "{summary}");
    // The first point is the term to 10 October: 45 of 200. The second is the week
    // after: (55 - 45) of (230 - 200).
    assert_eq!(weeks[0]["label"], "to 10/10/2025");
    assert_eq!(
        (
            &weeks[0]["possible_sessions"],
            &weeks[0]["absence_sessions"]
        ),
        (&Value::from(200), &Value::from(45))
    );
    assert_eq!(weeks[1]["label"], "week to 17/10/2025");
    assert_eq!(
        (
            &weeks[1]["possible_sessions"],
            &weeks[1]["absence_sessions"]
        ),
        (&Value::from(30), &Value::from(10))
    );
    assert!(close(&weeks[1]["absence_rate"], 10.0 / 30.0));

    // Without marks, the recent rule uses the weekly figures: Cara missed 3 of the
    // week's 10 sessions (30%), and is at 6/70 (8.6%) for the term, in the band. The
    // rest of the school that week (Ada 2/10, Ben 5/10, the pupil not of compulsory school age 3/10, the leaver
    // 0/0) missed 10 of 30 (33.3%): a bad week for everyone, so *recent* does not hold.
    let flags = tsm_json(&db, &["flags", "--school", "100101", "--json"]);
    let cara = pupil(&flags, "L936100125003");
    assert_eq!(cara["reasons"], serde_json::json!(["band"]));

    // The same week again is a duplicate; an older week after a newer one is kept as a
    // snapshot only, and the newer figures stay.
    let again = tsm(
        &db,
        &[
            "import",
            "--as-of",
            WEEK2,
            fixture("dfe_weekly_week2.csv").to_str().unwrap(),
        ],
    );
    assert!(!again.ok);
    assert!(
        again.stderr.contains("already imported"),
        "{}",
        again.stderr
    );
    let older = tsm(
        &db,
        &[
            "import",
            "--replace",
            "--as-of",
            WEEK1,
            fixture("dfe_weekly_week1.csv").to_str().unwrap(),
        ],
    );
    assert!(older.ok, "{}", older.stderr);
    assert!(
        older.stdout.contains("older than the week already held"),
        "{}",
        older.stdout
    );
    let overview = tsm_json(&db, &["overview", "--json"]);
    assert_school(&overview, "100101", (4, 55, 230, 3, 1));

    // The replaced import took all it stored with it, though the weekly import runs
    // without foreign-key checks: nothing points at a removed row, the three schools
    // hold two weeks' snapshots each, and the file is back in WAL mode.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let dangling: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(dangling, 0);
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM snapshots"), 6);
    assert_eq!(count("SELECT COUNT(*) FROM imports"), 6);
    assert_eq!(
        count("SELECT COUNT(*) FROM attendance WHERE import_id NOT IN (SELECT id FROM imports)"),
        0
    );
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn one_school_of_the_file_is_taken_with_school() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let path = fixture("dfe_weekly_week1.csv");
    let file = path.to_str().unwrap();
    let run = tsm(
        &db,
        &["import", "--school", "100202", "--as-of", WEEK1, file],
    );
    assert!(run.ok, "{}", run.stderr);
    let schools = tsm_json(&db, &["schools", "--json"]);
    let urns: Vec<&str> = schools["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["urn"].as_str().unwrap())
        .collect();
    assert_eq!(urns, ["100202"]);
    assert!(
        run.stdout
            .contains("only school 100202's 4 rows were taken"),
        "{}",
        run.stdout
    );
    let missing = tsm(
        &db,
        &["import", "--school", "999999", "--as-of", WEEK1, file],
    );
    assert!(!missing.ok);
    assert!(
        missing
            .stderr
            .contains("no rows for school 999999 in this file (it holds 3 other schools)"),
        "{}",
        missing.stderr
    );
}

#[test]
fn pupils_outside_compulsory_school_age_are_outside_headline_figures_unless_included() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    import_week(&db, "dfe_weekly_week1.csv", WEEK1);
    let summary = tsm_json(&db, &["summary", "--school", "100202", "--json"]);
    // Birch without its Y12 pupil (30 of 60): 9 of 180.
    assert_eq!(summary["headline"]["now"]["pupils"], 3);
    assert!(close(
        &summary["headline"]["now"]["absence_rate"],
        9.0 / 180.0
    ));
    let cohorts = tsm_json(
        &db,
        &["cohorts", "--school", "100202", "--by", "year", "--json"],
    );
    let groups: Vec<&str> = cohorts["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["Y9", "Y10", "Y11"]);

    // The setting includes them: 39 of 240, and the Y12 pupil (50%) is severe.
    let store = tsm_desk::store::Store::open(&db).unwrap();
    let mut service = tsm_desk::service::Service::new(store).unwrap();
    let mut settings = service.settings().clone();
    settings.thresholds.include_non_compulsory = true;
    service.save_settings(settings).unwrap();
    drop(service);
    let overview = tsm_json(&db, &["overview", "--json"]);
    assert_school(&overview, "100202", (4, 39, 240, 2, 1));
    let summary = tsm_json(&db, &["summary", "--school", "100202", "--json"]);
    assert_eq!(summary["headline"]["now"]["pupils"], 4);
}

#[test]
fn sub_codes_and_stand_ins_import_with_warnings_and_unmarked_sessions_are_not_possible() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let path = fixture("marks_bromcom_local_codes.csv");
    let outcomes = tsm_json(
        &db,
        &[
            "import",
            "--school",
            "100404",
            "--json",
            path.to_str().unwrap(),
        ],
    );
    let said = warnings(&outcomes).join("\n");
    for expected in [
        r#"code "I01" (a SIMS sub-code) counted as I (illness, authorised absence): 1 mark"#,
        r#"code "M02" (a SIMS sub-code) counted as M"#,
        r#"code "<" (a Capita One stand-in) counted as C1"#,
        r#"code "7" (a SIMS COVID-era local code) counted as I"#,
        r#"code "=" (a SIMS COVID-era local code) counted as I"#,
        r#"code "8" (a SIMS COVID-era local code) counted as Y"#,
        "2 sessions not yet marked, left out of possible sessions",
    ] {
        assert!(said.contains(expected), "{expected}\n{said}");
    }
    let flags = tsm_json(&db, &["flags", "--school", "100404", "--json"]);
    let p = pupil(&flags, "H936100125001");
    // Present 2 (/, \), authorised 5 (I01, M02, <, 7, =), 2 unmarked, 1 not possible
    // (8, pre-2024 Y): possible 7, absence 5.
    assert_eq!(p["possible_sessions"], 7);
    assert_eq!(p["absence_sessions"], 5);
    assert_eq!(p["unmarked_sessions"], 2);
    assert_eq!(p["category"], "severe");
}

#[test]
fn an_unknown_code_is_refused_naming_it_then_imports_with_a_code_map() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let path = fixture("marks_snake_unknown_code.csv");
    let file = path.to_str().unwrap();
    let refused = tsm(&db, &["import", "--school", "100505", file]);
    assert!(!refused.ok);
    assert!(
        refused.stderr.contains(
            r#"marks_snake_unknown_code.csv, line 3, field attendance_mark: unknown attendance code "Q9" (3 marks, first on line 3); map it to a national code (Settings, Code map; or --code-map Q9=I)"#
        ),
        "{}",
        refused.stderr
    );
    assert!(
        !db.exists() || tsm_json(&db, &["schools", "--json"])["schools"] == serde_json::json!([])
    );
    let outcomes = tsm_json(
        &db,
        &[
            "import",
            "--school",
            "100505",
            "--code-map",
            "Q9=I",
            "--json",
            file,
        ],
    );
    let said = warnings(&outcomes).join("\n");
    assert!(
        said.contains(r#"code "Q9" (a local code in the code map) counted as I (illness, authorised absence): 3 marks"#),
        "{said}"
    );
    // /, Q9, Q9, N, /, Q9: absence 4 of 6.
    let flags = tsm_json(&db, &["flags", "--school", "100505", "--json"]);
    let p = pupil(&flags, "X936100125002");
    assert_eq!(
        (&p["possible_sessions"], &p["absence_sessions"]),
        (&Value::from(6), &Value::from(4))
    );
    // A saved code map works the same for the next file, for this school only.
    let saved = tsm(&db, &["code-map", "--add", "Q9=O", "--school", "100606"]);
    assert!(saved.ok, "{}", saved.stderr);
    let listed = tsm_json(&db, &["code-map", "--json"]);
    assert_eq!(
        listed["code_map"],
        serde_json::json!([{"local": "Q9", "national": "O", "school": "100606"}])
    );
    let run = tsm(&db, &["import", "--school", "100606", file]);
    assert!(run.ok, "{}", run.stderr);
    let flags = tsm_json(&db, &["flags", "--school", "100606", "--json"]);
    let p = pupil(&flags, "X936100125002");
    assert_eq!(p["unauthorised_sessions"], 4);
    assert!(!tsm(&db, &["import", "--school", "100707", file]).ok);
    assert!(!tsm(&db, &["code-map", "--add", "L=I"]).ok);
}

#[test]
fn mis_summary_header_sets_are_read_and_counted_as_the_dfe_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let term = "2025-26 autumn";
    let import = |urn: &str, file: &str| -> Value {
        let path = fixture(file);
        tsm_json(
            &db,
            &[
                "import",
                "--school",
                urn,
                "--term",
                term,
                "--json",
                path.to_str().unwrap(),
            ],
        )
    };
    let figures = |urn: &str| -> Vec<(u64, u64, String)> {
        let flags = tsm_json(&db, &["flags", "--school", urn, "--json"]);
        let mut rows: Vec<(String, u64, u64, String)> = flags["pupils"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["upn"].as_str().unwrap().to_owned(),
                    p["possible_sessions"].as_u64().unwrap(),
                    p["absence_sessions"].as_u64().unwrap(),
                    p["category"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        rows.sort();
        rows.into_iter().map(|(_, a, b, c)| (a, b, c)).collect()
    };
    // snake_case: 88 + 12 = 100 and 60 + 40 = 100.
    let o = import("200001", "summary_snake_case.csv");
    assert!(warnings(&o).is_empty(), "{o}");
    assert_eq!(
        figures("200001"),
        [
            (100, 12, "persistent".into()),
            (100, 40, "persistent".into())
        ]
    );
    let summary = tsm_json(&db, &["summary", "--school", "200001", "--json"]);
    assert_eq!(summary["lateness"]["before_close"], 3);

    // School census: attendance is what possible leaves; sess_overall checks absence.
    let o = import("200002", "census_sessions.csv");
    let said = warnings(&o).join("\n");
    assert!(said.contains("line 3, sess_overall: 1 row where the absence total is not authorised + unauthorised (line 3)"), "{said}");
    assert!(
        said.contains("attendance worked out as possible − authorised − unauthorised for 2 pupils"),
        "{said}"
    );
    assert_eq!(
        figures("200002"),
        [(100, 10, "persistent".into()), (120, 6, "none".into())] // 5%: below the band
    );

    // Present and AEA apart: attendance is their sum (80 + 10); 80 + 5 + 10 = 95 is
    // below 100 possible: 5 unmarked, left out.
    let o = import("200003", "summary_present_and_aea.csv");
    let said = warnings(&o).join("\n");
    assert!(
        said.contains("(line 3): 5 unmarked sessions left out of possible sessions"),
        "{said}"
    );
    assert_eq!(
        figures("200003"),
        [
            (100, 10, "persistent".into()),
            (95, 10, "persistent".into())
        ]
    );
    let flags = tsm_json(&db, &["flags", "--school", "200003", "--json"]);
    assert_eq!(pupil(&flags, "H936100125001")["attendance_sessions"], 90);

    // SIMS totals under a title row: possible is present + AEA + absence; unrecorded
    // sessions are not possible; the file's 81.0% is not 150/190 = 78.9%.
    let o = import("200004", "sims_totals.csv");
    let said = warnings(&o).join("\n");
    assert!(said.contains("line 5, Attendance %: 1 row whose attendance percentage differs from the sessions by more than its rounding (line 5)"), "{said}");
    assert_eq!(
        figures("200004"),
        [(190, 14, "at_risk".into()), (190, 40, "persistent".into())]
    );
    let flags = tsm_json(&db, &["flags", "--school", "200004", "--json"]);
    assert_eq!(pupil(&flags, "H936100125001")["unmarked_sessions"], 2);
}

#[test]
fn bromcom_details_headers_give_the_characteristics() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let details = fixture("bromcom_details.csv");
    let summary = fixture("summary_snake_case.csv");
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "200005",
            "--term",
            "2025-26 autumn",
            details.to_str().unwrap(),
            summary.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let groups = |by: &str| -> Vec<(String, u64)> {
        let v = tsm_json(
            &db,
            &["cohorts", "--school", "200005", "--by", by, "--json"],
        );
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["group"].as_str().unwrap().to_owned(),
                    g["absence_sessions"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    // Ada (EverFsm6Flag True, 12 absent), Ben (InCareFlag and EalFlag True, 40 absent).
    assert_eq!(groups("fsm"), [("yes".into(), 12), ("no".into(), 40)]);
    assert_eq!(groups("cla"), [("yes".into(), 40), ("no".into(), 12)]);
    assert_eq!(groups("eal"), [("yes".into(), 40), ("no".into(), 12)]);
    assert_eq!(groups("sex"), [("F".into(), 12), ("M".into(), 40)]);
    assert_eq!(groups("year"), [("Y7".into(), 12), ("Y8".into(), 40)]);
}

#[test]
fn a_bad_row_in_the_weekly_file_refuses_it_whole_naming_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let good = std::fs::read_to_string(fixture("dfe_weekly_week1.csv")).unwrap();
    // Line 9 (Birch's Y11 pupil) gets a URN that is not one.
    let bad = good.replacen(",100202,11,", ",10O202,11,", 1);
    assert_ne!(bad, good);
    let path = common::write(dir.path(), "dfe_bad.csv", bad);
    let run = tsm(&db, &["import", "--as-of", WEEK1, path.to_str().unwrap()]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains(
            r#"dfe_bad.csv, line 9, field unique_reference_number: "10O202" is not a school URN (6 digits)"#
        ),
        "{}",
        run.stderr
    );
    let schools = tsm_json(&db, &["schools", "--json"]);
    assert_eq!(schools["schools"], serde_json::json!([]));
    // A weekly file with no date to run to (read from stdin-like bytes has none, but a
    // file always has its modified date), and a one-school file without --school.
    let summary = fixture("summary_snake_case.csv");
    let run = tsm(
        &db,
        &[
            "import",
            "--term",
            "2025-26 autumn",
            summary.to_str().unwrap(),
        ],
    );
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("this file is for one school: say which (--school URN"),
        "{}",
        run.stderr
    );
}

/// `published_weekly.csv`: the DfE's published weekly statistics for 2025 weeks 36, 37
/// and 38 (the weeks commencing 1, 8 and 15 September 2025, those of
/// `autumn_wide.csv`), for England and two LAs (Countyshire, Westvale), each for
/// Primary, Secondary and Total: 3 x 3 x 3 = 27 rows kept. Line 12 is a Regional row
/// (skipped); Countyshire's primary overall absence in week 37 (line 16) is suppressed
/// (`x`); `illness_perc` and `future_measure_perc` are columns tsm-desk does not read.
const PUBLISHED: &str = "published_weekly.csv";
const RELEASE: &str = "DfE, Pupil attendance in schools: published_weekly.csv";

fn import_published(db: &Path, path: &Path) -> Value {
    tsm_json(
        db,
        &["comparators", "import", path.to_str().unwrap(), "--json"],
    )
}

#[test]
fn published_weekly_statistics_import_with_exact_counts_and_replace_the_same_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let done = import_published(&db, &fixture(PUBLISHED));
    assert_eq!(
        done,
        serde_json::json!({
            "file_name": PUBLISHED,
            "release": RELEASE,
            "rows": 27,
            "replaced": 0,
            "national_rows": 9,
            "la_rows": 18,
            "weeks": 3,
            "first_week": "2025-09-01",
            "last_week": "2025-09-15",
            "las": ["Countyshire", "Westvale"],
            "skipped_regional": 1,
            "skipped_other": 0,
            "suppressed": 1,
        })
    );
    // The same file again replaces its 27 rows: none are added.
    let run = tsm(
        &db,
        &[
            "comparators",
            "import",
            fixture(PUBLISHED).to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "Stored 27 rows from {PUBLISHED} (source: {RELEASE})\n  9 rows national, 18 rows local authority; 27 replaced figures held before\n  3 weeks: weeks commencing 2025-09-01 to 2025-09-15\n  2 local authorities: Countyshire, Westvale\n  Skipped 1 regional row and 0 rows of other areas, phases or breakdowns; 1 suppressed value left empty"
        )),
        "{}",
        run.stdout
    );
    let store = tsm_desk::store::Store::open(&db).unwrap();
    let counts = common::counts(&store);
    assert!(counts.contains(&("published_figures", 27)), "{counts:?}");
    let log = store.activity(2).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].kind, tsm_desk::store::ActivityKind::Import);
    assert_eq!(log[0].school_urn, None);
    assert_eq!(
        log[0].summary,
        "imported published attendance statistics: published_weekly.csv (27 rows, 3 weeks from 2025-09-01 to 2025-09-15, 2 local authorities, replacing 27 rows held before)"
    );
    drop(store);

    // What is held: the shipped releases, then the imported weeks, each with its source.
    let held = tsm_json(&db, &["comparators", "--json"]);
    let national: Vec<(String, Option<f64>, String)> = held["national"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["phase"].as_str().unwrap().to_owned(),
                r["absence"].as_f64(),
                r["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let autumn = "DfE, Pupil absence in schools in England: autumn term 2024/25";
    let year = "DfE, Pupil absence in schools in England: 2023/24 (full year)";
    let row = |phase: &str, v: f64, source: &str| (phase.to_owned(), Some(v), source.to_owned());
    assert_eq!(
        national,
        [
            row("All schools", 6.38, autumn),
            row("Primary", 5.07, autumn),
            row("Secondary", 7.66, autumn),
            row("Special", 12.55, autumn),
            row("All schools", 7.1, year),
            row("Primary", 5.5, year),
            row("Secondary", 8.9, year),
            row("Special", 13.0, year),
        ]
    );
    assert_eq!(held["national"][0]["severe"].as_f64(), Some(2.04));
    assert_eq!(held["national"][4]["persistent"].as_f64(), Some(20.0));
    assert_eq!(held["national"][4]["severe"].as_f64(), Some(2.3));
    let published = &held["published"][0];
    assert_eq!(held["published"].as_array().unwrap().len(), 1);
    assert_eq!(published["release"], RELEASE);
    assert_eq!(
        (&published["rows"], &published["weeks"], &published["las"]),
        (
            &serde_json::json!(27),
            &serde_json::json!(3),
            &serde_json::json!(2)
        )
    );
    assert_eq!(published["first_week"], "2025-09-01");
    assert_eq!(published["last_week"], "2025-09-15");
    let run = tsm(&db, &["comparators"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "  All schools      7.1%        –        –    20.0%     2.3%  DfE, Pupil absence in schools in England: 2023/24 (full year)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!(
            "  {RELEASE}: 27 rows, 3 weeks commencing 2025-09-01 to 2025-09-15, 2 local authorities (imported "
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "  Secondary       7.66%        –        –        –        –  DfE, Pupil absence in schools in England: autumn term 2024/25\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn published_weeks_are_iso_weeks_of_the_calendar_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    // ISO week 37 of 2024 began on Monday 9 September 2024; week 1 of 2025 holds
    // Thursday 2 January 2025, so began on Monday 30 December 2024. The older files'
    // school_type column is read too.
    let path = common::write(
        dir.path(),
        "iso.csv",
        "time_period,time_identifier,geographic_level,school_type,overall_absence_perc\n\
         2024,Week 37,National,Total,5.5\n\
         2025,Week 1,National,State-funded primary,x\n",
    );
    let done = import_published(&db, &path);
    assert_eq!(done["first_week"], "2024-09-09");
    assert_eq!(done["last_week"], "2024-12-30");
    assert_eq!(
        (&done["rows"], &done["suppressed"]),
        (&serde_json::json!(2), &serde_json::json!(1))
    );
}

#[test]
fn a_bad_value_in_published_statistics_names_file_line_and_field_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let good = std::fs::read_to_string(fixture(PUBLISHED)).unwrap();
    // Line 25 (Countyshire, primary, week 38): overall absence "5.4O", a letter O.
    let bad = good.replacen(",94.60,5.40,", ",94.60,5.4O,", 1);
    assert_ne!(bad, good);
    let path = common::write(dir.path(), "published_bad.csv", bad);
    let before = common::counts(&tsm_desk::store::Store::open(&db).unwrap());
    let run = tsm(&db, &["comparators", "import", path.to_str().unwrap()]);
    assert!(!run.ok);
    assert!(
        run.stderr.contains(
            r#"published_bad.csv, line 25, field overall_absence_perc: "5.4O" is not a percentage from 0 to 100 (or x, z, c or : where suppressed)"#
        ),
        "{}",
        run.stderr
    );
    let store = tsm_desk::store::Store::open(&db).unwrap();
    assert_eq!(common::counts(&store), before);
    assert!(before.contains(&("published_figures", 0)));
    assert!(store.activity(10).unwrap().is_empty());
}

/// The school's weekly line with the published national and LA lines for its weeks.
fn weekly_lines(view: &tsm_desk::service::view::SchoolView) -> Vec<(String, Vec<Option<f64>>)> {
    view.weekly_comparators
        .iter()
        .map(|l| (l.name.clone(), l.values.clone()))
        .collect()
}

#[test]
fn the_weekly_chart_draws_national_and_la_lines_for_the_schools_weeks() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let marks = fixture("autumn_wide.csv");
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            "--phase",
            "Primary",
            marks.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let store = tsm_desk::store::Store::open(&db).unwrap();
    let mut service = tsm_desk::service::Service::new(store).unwrap();
    // Nothing published yet: the single dashed national line (autumn 2024/25 primary).
    let view = service.school_view("100001", None).unwrap();
    assert!(view.weekly_comparators.is_empty());
    let specs = tsm_desk::chart::specs::chart_specs(&view);
    let tsm_desk::chart::ChartSpec::Lines {
        series, reference, ..
    } = &specs[3]
    else {
        panic!("the weekly chart is a line chart");
    };
    assert_eq!(series.len(), 1);
    let reference = reference.as_ref().unwrap();
    assert_eq!(reference.label, "National (primary), autumn 2024/25");
    assert!((reference.value - 0.0507).abs() < 1e-12);

    service.import_published(&fixture(PUBLISHED)).unwrap();
    // The school has no LA on record (a one-school MIS export): the setting names it,
    // matched ignoring case and spaces.
    let mut settings = service.settings().clone();
    settings.la_name = " county SHIRE ".into();
    service.save_settings(settings).unwrap();
    let view = service.school_view("100001", None).unwrap();
    let weeks: Vec<String> = view.weekly.iter().map(|w| w.start.to_string()).collect();
    assert_eq!(weeks, ["2025-09-01", "2025-09-08", "2025-09-15"]);
    // National primary: lines 3, 13, 22. Countyshire primary: lines 6, 16 (suppressed),
    // 25.
    assert_eq!(
        weekly_lines(&view),
        [
            (
                "National (primary)".to_owned(),
                vec![Some(4.10 / 100.0), Some(4.52 / 100.0), Some(5.06 / 100.0)]
            ),
            (
                "Countyshire (primary)".to_owned(),
                vec![Some(4.35 / 100.0), None, Some(5.40 / 100.0)]
            ),
        ]
    );
    assert!(view.weekly_comparators.iter().all(|l| l.source == RELEASE));
    let specs = tsm_desk::chart::specs::chart_specs(&view);
    let tsm_desk::chart::ChartSpec::Lines {
        title,
        series,
        reference,
        ..
    } = &specs[3]
    else {
        panic!("the weekly chart is a line chart");
    };
    assert_eq!(
        title,
        &format!("Absence week by week (published lines: {RELEASE})")
    );
    assert_eq!(
        reference, &None,
        "the weekly national line replaces the dashed one"
    );
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["This school", "National (primary)", "Countyshire (primary)"]
    );
    // The school: 5/48, 10/60 and 1/11 (see tests/engine.rs).
    assert_eq!(
        series[0].values,
        [Some(5.0 / 48.0), Some(10.0 / 60.0), Some(1.0 / 11.0)]
    );
    assert_eq!(series[1].values, view.weekly_comparators[0].values);
    assert_eq!(series[2].values, view.weekly_comparators[1].values);

    // Westvale instead; a phase with no published figures falls back to all schools
    // (National Total: lines 2, 11, 21; Westvale Total: 8, 18, 27).
    let mut settings = service.settings().clone();
    settings.la_name = "Westvale".into();
    service.save_settings(settings).unwrap();
    drop(service);
    let mut store = tsm_desk::store::Store::open(&db).unwrap();
    store.set_school("100001", None, Some("Special")).unwrap();
    let mut service = tsm_desk::service::Service::new(store).unwrap();
    let view = service.school_view("100001", None).unwrap();
    assert_eq!(
        weekly_lines(&view),
        [
            (
                "National (all schools)".to_owned(),
                vec![Some(4.90 / 100.0), Some(5.38 / 100.0), Some(5.95 / 100.0)]
            ),
            (
                "Westvale (all schools)".to_owned(),
                vec![Some(5.00 / 100.0), Some(5.50 / 100.0), Some(6.00 / 100.0)]
            ),
        ]
    );
}

#[test]
fn the_own_la_defaults_to_the_schools_la_from_the_dfe_weekly_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    // Figures to Friday 12 September 2025: the week commencing 8 September, week 37.
    import_week(&db, "dfe_weekly_week1.csv", "2025-09-12");
    import_published(&db, &fixture(PUBLISHED));
    let store = tsm_desk::store::Store::open(&db).unwrap();
    let mut service = tsm_desk::service::Service::new(store).unwrap();
    assert_eq!(service.settings().la_name, "");
    let lines = |service: &mut tsm_desk::service::Service, urn: &str| {
        let view = service.school_view(urn, None).unwrap();
        assert_eq!(view.school.la_name.as_deref(), Some("Countyshire"));
        let weeks: Vec<String> = view.weekly.iter().map(|w| w.start.to_string()).collect();
        assert_eq!(weeks, ["2025-09-08"], "{urn}");
        weekly_lines(&view)
    };
    let one = |name: &str, v: f64| (name.to_owned(), vec![Some(v / 100.0)]);
    // Alder (primary): national primary 4.52 (line 13); Countyshire's primary figure
    // is suppressed that week (line 16), so its all-schools line: 5.65 (line 15).
    assert_eq!(
        lines(&mut service, "100101"),
        [
            one("National (primary)", 4.52),
            one("Countyshire (all schools)", 5.65)
        ]
    );
    // Birch (secondary): 6.41 (line 14) and 6.75 (line 17).
    assert_eq!(
        lines(&mut service, "100202"),
        [
            one("National (secondary)", 6.41),
            one("Countyshire (secondary)", 6.75)
        ]
    );
    // Cedar (special): no special figures, so all schools: 5.38 (line 11), 5.65.
    assert_eq!(
        lines(&mut service, "100303"),
        [
            one("National (all schools)", 5.38),
            one("Countyshire (all schools)", 5.65)
        ]
    );
}

/// A weekly file of 9,000 rows is stored while it is read, in parts of a few thousand
/// rows: every school's figures match the file (worked out here from its rows), and a
/// bad row near its end, after earlier parts were stored, leaves nothing behind.
#[test]
fn a_large_weekly_file_is_stored_in_parts_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = db(&dir);
    let text = std::fs::read_to_string(fixture("dfe_weekly_week1.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut body = String::new();
    // (pupils counted, absence, possible) per URN, from the rows' own columns.
    let mut expected: std::collections::BTreeMap<String, (u64, u64, u64)> = Default::default();
    for n in 0..9000u32 {
        let row = &rows[n as usize % rows.len()];
        let upn = tsm_desk::domain::Upn::with_check_letter(&format!("93680{n:07}"))
            .unwrap()
            .to_string();
        let urn = format!("{}", 400_000 + (n / 300));
        let mut cells: Vec<String> = row.iter().map(|c| (*c).to_owned()).collect();
        cells[1] = upn;
        cells[18] = urn.clone();
        let num = |i: usize| cells[i].parse::<u64>().unwrap();
        let absence = num(36) + num(37);
        let possible = num(34) + num(35) + absence;
        if cells[6] != "no" && possible > 0 {
            let e = expected.entry(urn).or_default();
            *e = (e.0 + 1, e.1 + absence, e.2 + possible);
        }
        body.push_str(&cells.join(","));
        body.push('\n');
    }
    let good = common::write(dir.path(), "county.csv", format!("{header}\n{body}"));
    let run = tsm(&db, &["import", "--as-of", WEEK1, good.to_str().unwrap()]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("9000 rows, 9000 pupils, 30 schools"),
        "{}",
        run.stdout
    );
    let overview = tsm_json(&db, &["overview", "--json"]);
    for (urn, (pupils, absence, possible)) in &expected {
        let s = school(&overview, urn);
        assert_eq!(s["pupils"], *pupils, "{urn}");
        #[expect(clippy::cast_precision_loss, reason = "small sums")]
        let rate = *absence as f64 / *possible as f64;
        assert!(close(&s["absence_rate"], rate), "{urn}: {s}");
    }
    // The same file with a bad URN on line 8,889 (row 8,887): refused whole, after
    // parts of it reached the store.
    let bad_body: String = body
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 8887 {
                l.replacen(",400029,", ",4OO029,", 1)
            } else {
                l.to_owned()
            }
        })
        .fold(String::new(), |acc, l| acc + &l + "\n");
    assert!(bad_body.contains(",4OO029,"));
    let bad = common::write(
        dir.path(),
        "county_bad.csv",
        format!("{header}\n{bad_body}"),
    );
    let before = tsm_json(&db, &["schools", "--json"]);
    let run = tsm(
        &db,
        &[
            "import",
            "--replace",
            "--as-of",
            WEEK2,
            bad.to_str().unwrap(),
        ],
    );
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("county_bad.csv, line 8889, field unique_reference_number"),
        "{}",
        run.stderr
    );
    assert_eq!(tsm_json(&db, &["schools", "--json"]), before);
    let summary = tsm_json(&db, &["summary", "--school", "400000", "--json"]);
    assert_eq!(
        summary["weekly"].as_array().unwrap().len(),
        1,
        "no second week stored"
    );
}
