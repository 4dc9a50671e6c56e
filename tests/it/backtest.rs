//! The at-risk backtest through the command line on a hand-worked fixture of two terms
//! and thirteen pupils (`backtest_summer.csv`, 2024-25 summer; `backtest_autumn.csv`,
//! 2025-26 autumn; 100 possible sessions each). Absence, summer → autumn:
//!
//! | pupil | summer | flag | autumn | PA in autumn |
//! |---|---|---|---|---|
//! | 01 | 2 | – | 3 | no |
//! | 02 | 6 | band | 12 | yes (new) |
//! | 03 | 7 | band | 4 | no |
//! | 04 | 9 | band | 55 | yes, severe (new) |
//! | 05 | 5 | band (5% exactly) | 9 | no |
//! | 06 | 1 | – | 10 | yes, exactly (new) |
//! | 07 | 4 | – | 20 | yes (new) |
//! | 08 | 15 | PA | 15 | yes (not new) |
//! | 09 | 60 | SA | 5 | no |
//! | 10 | 8 | band | left | – |
//! | 11 | joined | – | 30 | – |
//! | 12 | 6 | band | 9 | no |
//! | 13 | 0 | – | 0 | no |
//!
//! Pupils in both: 11 (all but 10 and 11). Flagged at risk in summer: 02 03 04 05 12 = 5
//! (10 left, so does not count); of them PA in autumn: 02 04 = 2, precision 2/5. New PA
//! in autumn: 02 04 06 07 = 4 (08 was already PA, 11 was not there); flagged: 2,
//! recall 2/4. Summer is the first term held and has no marks, so band is the only
//! reason that can hold.
#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

use crate::common::{fixture, tsm, tsm_json};
use serde_json::json;

#[test]
fn backtest_counts_the_hand_worked_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    for (file, term) in [
        ("backtest_summer.csv", "2024-25 summer"),
        ("backtest_autumn.csv", "2025-26 autumn"),
    ] {
        let path = fixture(file);
        let run = tsm(
            &db,
            &[
                "import",
                "--school",
                "100002",
                "--term",
                term,
                path.to_str().unwrap(),
            ],
        );
        assert!(run.ok, "{}", run.stderr);
    }
    let bt = tsm_json(&db, &["backtest", "--school", "100002", "--json"]);
    let zero = json!({"flagged": 0, "flagged_then_pa": 0});
    assert_eq!(
        bt,
        json!({
            "school": "100002",
            "pairs": [{
                "from": "2024-25 summer",
                "to": "2025-26 autumn",
                "pupils": 11,
                "flagged": 5,
                "flagged_then_pa": 2,
                "new_pa": 4,
                "new_pa_flagged": 2,
                "precision": 2.0 / 5.0,
                "recall": 2.0 / 4.0,
                "by_reason": {
                    "band": {"flagged": 5, "flagged_then_pa": 2},
                    "recent": zero,
                    "was_pa": zero,
                    "rising": zero,
                },
            }],
        })
    );
    let table = tsm(&db, &["backtest", "--school", "100002"]);
    assert!(table.ok, "{}", table.stderr);
    assert!(
        table.stdout.contains(
            "2024-25 summer → 2025-26 autumn: 11 pupils in both, 5 flagged at risk (45.5%)"
        ),
        "{}",
        table.stdout
    );
}

#[test]
fn one_term_has_no_pairs_and_an_unknown_school_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let path = fixture("backtest_summer.csv");
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100002",
            "--term",
            "2024-25 summer",
            path.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let bt = tsm_json(&db, &["backtest", "--school", "100002", "--json"]);
    assert_eq!(bt, json!({"school": "100002", "pairs": []}));
    let run = tsm(&db, &["backtest", "--school", "999999", "--json"]);
    assert!(!run.ok);
    assert!(run.stderr.contains("999999"), "{}", run.stderr);
}
