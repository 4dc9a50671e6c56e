//! End to end on the hand-worked fixtures in `tests/fixtures/`, through the command
//! line. Every expected figure below was worked out by hand from the fixture files
//! (see the comments), not from the code under test.
//!
//! `autumn_wide.csv`: six pupils, Mon 1 Sep 2025 (`#`, closed) then ten school days
//! (2-5, 8-12, 15 Sep), so 20 possible sessions each, but for an unmarked session
//! (possible sessions are attendance + absence: `-` is not one).
//! - P1 …001: all present: 0/20.
//! - P2 …002: `I I` on 2 Sep: 2/20 = 10% exactly, persistent.
//! - P3 …003: `G G` on 5 Sep, `N N` on 8-11 Sep: 10/20 = 50% exactly, severe.
//! - P4 …004: `L` 2 Sep AM (present), `U` 3 Sep AM: 1/20 = 5%, below the 7% band.
//! - P5 …005: `V V` 4 Sep (present), `H` 12 Sep PM (legacy, authorised), `M -` 15 Sep:
//!   the `-` is not marked, so 19 possible; absence 2/19 = 10.5%, persistent;
//!   attendance 17.
//! - P6 …006: `N` 12 Sep PM: 1/20 = 5%, below the 7% band.
//!
//! `previous_summary.csv` (2024-25 summer): P1 4/100, P2 10/100, P3 40/80, P4 12/100,
//! P6 1/100; P5 absent from it. So P4 was PA (12%) and P6 rose from 1% to 5% (+4 pts).
//!
//! `details.csv`: P1-P3 in year 7, P4-P6 in year 8; P1 P3 P5 female; P3 SEN K and FSM,
//! P5 SEN E and FSM.
#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

use crate::common;

use common::{fixture, tsm, tsm_json};
use serde_json::{Value, json};

const P1: &str = "G820200125001";
const P2: &str = "W820200125002";
const P3: &str = "K820200125003";
const P4: &str = "Z820200125004";
const P5: &str = "N820200125005";
const P6: &str = "C820200125006";

fn loaded() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let prev = fixture("previous_summary.csv");
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            "--name",
            "Fixture School",
            "--term",
            "2024-25 summer",
            prev.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("imported as summary (5 rows, 5 pupils) for 2024-25 summer"),
        "{}",
        run.stdout
    );
    let marks = fixture("autumn_wide.csv");
    let details = fixture("details.csv");
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            marks.to_str().unwrap(),
            details.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("imported as marks_wide (66 rows, 6 pupils, 132 marks) for 2025-26 autumn"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("pre-2024 code H"),
        "legacy code warned: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("counted as authorised absence: 1 mark"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("line 55"),
        "the H is on line 55: {}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 session not yet marked, left out of possible sessions"),
        "{}",
        run.stdout
    );
    (dir, db)
}

fn pupil<'a>(flags: &'a Value, upn: &str) -> &'a Value {
    flags["pupils"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["upn"] == upn)
        .unwrap_or_else(|| panic!("{upn} missing"))
}

#[test]
fn flags_match_the_hand_worked_fixture() {
    let (_dir, db) = loaded();
    let flags = tsm_json(&db, &["flags", "--school", "100001", "--json"]);
    assert_eq!(flags["school"], "100001");
    assert_eq!(flags["term"], "2025-26 autumn");
    assert_eq!(flags["pupils"].as_array().unwrap().len(), 6);

    let expect = [
        (P1, 0, 0, 0, "none", json!([])),
        (P2, 2, 2, 0, "persistent", json!([])),
        (P3, 10, 0, 10, "severe", json!([])),
        (P4, 1, 0, 1, "at_risk", json!(["was_pa"])),
        (P5, 2, 2, 0, "persistent", json!([])),
        (P6, 1, 0, 1, "at_risk", json!(["rising"])),
    ];
    for (upn, absence, authorised, unauthorised, category, reasons) in expect {
        let p = pupil(&flags, upn);
        let possible = if upn == P5 { 19 } else { 20 };
        assert_eq!(p["possible_sessions"], possible, "{upn}");
        assert_eq!(p["absence_sessions"], absence, "{upn}");
        assert_eq!(p["authorised_sessions"], authorised, "{upn}");
        assert_eq!(p["unauthorised_sessions"], unauthorised, "{upn}");
        assert_eq!(
            p["absence_rate"].as_f64(),
            Some(f64::from(absence) / f64::from(possible)),
            "{upn}"
        );
        assert_eq!(p["category"], category, "{upn}");
        assert_eq!(p["reasons"], reasons, "{upn}");
    }
    assert_eq!(pupil(&flags, P5)["attendance_sessions"], 17);
    assert_eq!(pupil(&flags, P5)["unmarked_sessions"], 1);
    assert_eq!(pupil(&flags, P4)["attendance_sessions"], 19);
    assert_eq!(pupil(&flags, P1)["year_group"], "Y7");
    // Short list order: severe, then persistent, then at risk.
    let order: Vec<&str> = flags["pupils"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["category"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "severe",
            "persistent",
            "persistent",
            "at_risk",
            "at_risk",
            "none"
        ]
    );
}

#[test]
fn the_previous_period_can_be_asked_for() {
    let (_dir, db) = loaded();
    let flags = tsm_json(
        &db,
        &[
            "flags",
            "--school",
            "100001",
            "--term",
            "2024-25 summer",
            "--json",
        ],
    );
    assert_eq!(flags["term"], "2024-25 summer");
    // P2 10/100 persistent; P3 40/80 = 50% severe; P4 12% persistent; P1 4% none; P6 1% none.
    assert_eq!(pupil(&flags, P2)["category"], "persistent");
    assert_eq!(pupil(&flags, P3)["category"], "severe");
    assert_eq!(pupil(&flags, P4)["category"], "persistent");
    assert_eq!(pupil(&flags, P1)["category"], "none");
    assert_eq!(pupil(&flags, P6)["category"], "none");
    // No period before it: no was_pa or rising reasons possible.
    assert_eq!(pupil(&flags, P3)["absence_rate"].as_f64(), Some(0.5));
}

#[test]
fn cohorts_match_the_hand_worked_fixture() {
    let (_dir, db) = loaded();
    let by_year = tsm_json(
        &db,
        &["cohorts", "--school", "100001", "--by", "year", "--json"],
    );
    assert_eq!(by_year["by"], "year");
    // Y7: P1 P2 P3, absence 0+2+10 = 12 of 60; PA P2 P3; SA P3.
    // Y8: P4 P5 P6, absence 1+2+1 = 4 of 20+19+20 = 59; PA P5.
    assert_eq!(
        by_year["groups"],
        json!([
            {"group": "Y7", "pupils": 3, "possible_sessions": 60, "absence_sessions": 12, "absence_rate": 0.2,
             "persistent": 2, "persistent_rate": 2.0 / 3.0, "severe": 1, "severe_rate": 1.0 / 3.0},
            {"group": "Y8", "pupils": 3, "possible_sessions": 59, "absence_sessions": 4, "absence_rate": 4.0 / 59.0,
             "persistent": 1, "persistent_rate": 1.0 / 3.0, "severe": 0, "severe_rate": 0.0},
        ])
    );
    // Female: P1 P3 P5, absence 0+10+2 = 12; PA P3 P5; SA P3. Male: P2 P4 P6, 2+1+1 = 4; PA P2.
    let by_sex = tsm_json(
        &db,
        &["cohorts", "--school", "100001", "--by", "sex", "--json"],
    );
    let groups = by_sex["groups"].as_array().unwrap();
    assert_eq!(groups[0]["group"], "F");
    assert_eq!(groups[0]["absence_sessions"], 12);
    assert_eq!(groups[0]["persistent"], 2);
    assert_eq!(groups[0]["severe"], 1);
    assert_eq!(groups[1]["group"], "M");
    assert_eq!(groups[1]["absence_sessions"], 4);
    assert_eq!(groups[1]["persistent"], 1);
    // SEN: N = P1 P2 P4 P6 (absence 4, PA P2), K = P3 (10), E = P5 (2, PA).
    let by_sen = tsm_json(
        &db,
        &["cohorts", "--school", "100001", "--by", "sen", "--json"],
    );
    let sen: Vec<(String, i64, i64)> = by_sen["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_owned(),
                g["absence_sessions"].as_i64().unwrap(),
                g["persistent"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sen,
        [
            ("N".to_owned(), 4, 1),
            ("K".to_owned(), 10, 1),
            ("E".to_owned(), 2, 1)
        ]
    );
    // FSM yes = P3 P5: absence 12 of 20 + 19 = 39, both PA.
    let by_fsm = tsm_json(
        &db,
        &["cohorts", "--school", "100001", "--by", "fsm", "--json"],
    );
    assert_eq!(by_fsm["groups"][0]["group"], "yes");
    assert_eq!(by_fsm["groups"][0]["pupils"], 2);
    assert_eq!(
        by_fsm["groups"][0]["absence_rate"].as_f64(),
        Some(12.0 / 39.0)
    );
    assert_eq!(by_fsm["groups"][0]["persistent_rate"].as_f64(), Some(1.0));
}

#[test]
fn summary_figures_match_the_hand_worked_fixture() {
    let (_dir, db) = loaded();
    let r = tsm_json(&db, &["summary", "--school", "100001", "--json"]);
    let now = &r["headline"]["now"];
    // 16 absence sessions (I2 G2 N9 U1 M1 H1) of 119 (P5's unmarked session is not
    // possible); authorised I2 M1 H1 = 4; unauthorised 12.
    assert_eq!(now["possible_sessions"], 119);
    assert_eq!(now["absence_rate"].as_f64(), Some(16.0 / 119.0));
    assert_eq!(now["authorised_rate"].as_f64(), Some(4.0 / 119.0));
    assert_eq!(now["unauthorised_rate"].as_f64(), Some(12.0 / 119.0));
    assert_eq!(now["persistent"], 3);
    assert_eq!(now["severe"], 1);
    assert_eq!(now["at_risk"], 2);
    // Previous: 5 pupils, absence 4+10+40+12+1 = 67 of 480; PA P2 P3 P4; SA P3.
    let prev = &r["headline"]["previous"];
    assert_eq!(prev["pupils"], 5);
    assert_eq!(prev["absence_rate"].as_f64(), Some(67.0 / 480.0));
    assert_eq!(prev["persistent"], 3);
    assert_eq!(prev["severe"], 1);
    assert_eq!(r["previous_term"], "2024-25 summer");

    let reasons: Vec<(String, u64)> = r["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["reason"].as_str().unwrap().to_owned(),
                s["sessions"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("illness", 2),
        ("medical", 1),
        ("holiday_unauthorised", 2),
        ("holiday_authorised", 1),
        ("not_yet_established", 9),
        ("late_after_close", 1),
    ];
    assert_eq!(reasons, expected.map(|(r, n)| (r.to_owned(), n)));
    assert_eq!(
        r["lateness"],
        json!({"before_close": 1, "after_close": 1, "pupils_late": 1})
    );

    // Weeks: w/c 1 Sep: 4 days x 2 x 6 = 48 possible, absence P2 2 + P3 2 + P4 1 = 5.
    // w/c 8 Sep: 60 possible, absence P3 8 + P5 1 + P6 1 = 10. w/c 15 Sep: 12 sessions,
    // P5's PM unmarked, so 11 possible; P5 1.
    let weeks: Vec<(String, u64, u64)> = r["weekly"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["start"].as_str().unwrap().to_owned(),
                w["possible_sessions"].as_u64().unwrap(),
                w["absence_sessions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        weeks,
        [
            ("2025-09-01".to_owned(), 48, 5),
            ("2025-09-08".to_owned(), 60, 10),
            ("2025-09-15".to_owned(), 11, 1)
        ]
    );
    // Mondays: 8 and 15 Sep (1 Sep closed): 24 sessions, one unmarked: 23 possible;
    // absence P3 2 (8th) + P5 1 (15th) = 3.
    let monday = &r["day_of_week"][0];
    assert_eq!(monday["label"], "Monday");
    assert_eq!(monday["possible_sessions"], 23);
    assert_eq!(monday["absence_sessions"], 3);
}

#[test]
fn the_recent_window_rule_fires_on_a_short_window() {
    use tsm_desk::domain::{FlagCategory, Thresholds};
    let (_dir, db) = loaded();
    let store = tsm_desk::store::Store::open(&db).unwrap();
    let (_, data) = store.period_data("100001", None).unwrap();
    // Latest 3 school days: 11, 12, 15 Sep. P6: 1 absent (N 12 Sep PM) of 6 = 16.7%.
    // P4: none in those days. P3: N N on 11 Sep: 2 of 6, but P3 is severe.
    // The rest of the school on those days: P1-P4 6 possible each, P5 5 (the `-` on
    // 15 Sep is not marked): 29; absent P3 2 (11th), P5 `H` 12th PM and `M` 15th AM:
    // 4 of 29 = 13.8%. P6 is only 2.9 points above that, so with the default
    // comparison (10 points above the rest of the school) *recent* does not hold...
    let short = Thresholds {
        recent_days: 3,
        ..Thresholds::default()
    };
    let flags = tsm_desk::analysis::flags(&data, &short).unwrap();
    let p6 = flags.iter().find(|f| f.upn == P6).unwrap();
    assert_eq!(p6.reasons, vec![tsm_desk::domain::AtRiskReason::Rising]);
    let school = p6.school_recent.unwrap();
    assert_eq!((school.absence, school.possible), (4, 29));
    // ... and with the comparison off, it does.
    let thresholds = Thresholds {
        recent_above_school: tsm_desk::domain::BasisPoints(0),
        ..short
    };
    let flags = tsm_desk::analysis::flags(&data, &thresholds).unwrap();
    let p6 = flags.iter().find(|f| f.upn == P6).unwrap();
    assert_eq!(p6.category, FlagCategory::AtRisk);
    assert_eq!(p6.recent.unwrap().absence, 1);
    assert_eq!(p6.recent.unwrap().possible, 6);
    assert!(
        p6.explanations
            .iter()
            .any(|e| e == "absent 16.7% in the last 3 school days (the rest of the school 13.8%)"),
        "{:?}",
        p6.explanations
    );
    let p4 = flags.iter().find(|f| f.upn == P4).unwrap();
    assert_eq!(p4.recent.unwrap().absence, 0);
    // With the default 20 days the window is the whole period (10 days).
    let flags = tsm_desk::analysis::flags(&data, &Thresholds::default()).unwrap();
    let p6 = flags.iter().find(|f| f.upn == P6).unwrap();
    assert_eq!(
        (p6.recent.unwrap().absence, p6.recent.unwrap().possible),
        (1, 20)
    );
}

#[test]
fn schools_lists_the_school_and_its_periods() {
    let (_dir, db) = loaded();
    let schools = tsm_json(&db, &["schools", "--json"]);
    assert_eq!(
        schools,
        json!({"schools": [{"urn": "100001", "name": "Fixture School", "phase": null, "periods": ["2024-25 summer", "2025-26 autumn"]}]})
    );
}

#[test]
fn readable_tables_explain_flags_in_words() {
    let (_dir, db) = loaded();
    let run = tsm(&db, &["flags", "--school", "100001"]);
    assert!(run.ok);
    assert!(
        run.stdout
            .contains("1 severely absent, 2 persistently absent, 2 at risk, of 6 pupils"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("persistently absent last period (12.0%)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("absence up from 1.0% to 5.0% since last period"),
        "{}",
        run.stdout
    );
}
