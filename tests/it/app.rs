//! Fixtures shared by the UI tests: two synthetic schools, the app under
//! egui_kittest, and a loop that waits for the worker.
#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "shared by several test crates"
)]

use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tsm_desk::domain::{Period, Term, Upn};
use tsm_desk::service::{ImportRequest, Service};
use tsm_desk::store::Store;
use tsm_desk::ui::{Opener, Prefs, TsmApp};

/// A valid UPN for pupil `n` of a school.
pub fn upn(school: u32, n: u32) -> String {
    Upn::with_check_letter(&format!("8202{school:02}25{n:04}"))
        .unwrap()
        .as_str()
        .to_owned()
}

/// (pupil n, year, authorised, unauthorised) out of 100 possible sessions.
pub const HILLSIDE_AUTUMN: [(u32, u32, u32, u32); 9] = [
    (1, 9, 30, 30),  // 60%: severe, year 9
    (2, 9, 25, 25),  // 50% exactly: severe, year 9
    (3, 9, 10, 10),  // 20%: persistent
    (4, 8, 40, 30),  // 70%: severe, year 8
    (5, 9, 5, 2),    // 7%: at risk (band)
    (6, 9, 2, 0),    // 2%: none
    (7, 10, 10, 5),  // 15%: persistent
    (8, 9, 29, 20),  // 49%: persistent, not severe
    (9, 10, 50, 10), // 60%: severe, year 10
];

pub use crate::common::write;

pub fn summary(dir: &Path, name: &str, school: u32, rows: &[(u32, u32, u32, u32)]) -> PathBuf {
    let mut text = String::from(
        "UPN,Legal Forename,Legal Surname,Year Group,Possible Sessions,Present,Authorised Absences,Unauthorised Absences\n",
    );
    for (n, year, auth, unauth) in rows {
        let present = 100 - auth - unauth;
        text.push_str(&format!(
            "{},Pupil{n},Testcase,{year},100,{present},{auth},{unauth}\n",
            upn(school, *n)
        ));
    }
    write(dir, name, &text)
}

/// Two schools: Hillside (two terms of summaries) and Brookside (one term).
pub fn seed(dir: &Path) -> Service {
    seed_into(dir, Store::open_in_memory().unwrap())
}

/// Fills `store` with the two schools.
pub fn seed_into(dir: &Path, store: Store) -> Service {
    let autumn = summary(dir, "hill_autumn.csv", 1, &HILLSIDE_AUTUMN);
    let summer_rows: Vec<_> = HILLSIDE_AUTUMN
        .iter()
        .map(|(n, y, _, _)| (*n, y - 1, 3, 1))
        .collect();
    let summer = summary(dir, "hill_summer.csv", 1, &summer_rows);
    let brook = summary(dir, "brook_autumn.csv", 2, &[(1, 4, 2, 1), (2, 5, 8, 4)]);
    let mut service = Service::new(store).unwrap();
    for (file, urn, name, phase, term) in [
        (
            summer,
            "990901",
            "Hillside Secondary",
            "secondary",
            Period::new(2025, Term::Summer),
        ),
        (
            autumn,
            "990901",
            "Hillside Secondary",
            "secondary",
            Period::new(2026, Term::Autumn),
        ),
        (
            brook,
            "990902",
            "Brookside Primary",
            "primary",
            Period::new(2026, Term::Autumn),
        ),
    ] {
        let request = ImportRequest {
            files: vec![file],
            urn: urn.into(),
            school_name: Some(name.into()),
            phase: Some(phase.into()),
            term: Some(term),
            ..ImportRequest::default()
        };
        service.import(&request, &mut |_| {}).unwrap();
    }
    service
}

pub fn harness(dir: &Path) -> Harness<'static, TsmApp> {
    let dir = dir.to_path_buf();
    harness_with(Box::new(move |_| Ok(seed(&dir))), Prefs::default())
}

/// The app with a given database opener and preferences, settled.
pub fn harness_with(opener: Opener, prefs: Prefs) -> Harness<'static, TsmApp> {
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .with_max_steps(50)
        .build_eframe(|cc| {
            let mut app = TsmApp::with_prefs(&cc.egui_ctx, prefs, opener, "test database".into());
            app.set_today(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
            app
        });
    settle(&mut h);
    h
}

/// Runs frames until the worker has answered everything and the UI is still.
/// Clicks the `nth` node labelled `label`, then types into it.
pub fn type_into(h: &mut Harness<'static, TsmApp>, label: &str, nth: usize, text: &str) {
    use egui_kittest::kittest::Queryable as _;
    h.query_all_by_label(label).nth(nth).unwrap().click();
    h.run_ok();
    h.query_all_by_label(label)
        .nth(nth)
        .unwrap()
        .type_text(text);
    h.run_ok();
}

pub fn settle(h: &mut Harness<'static, TsmApp>) {
    let start = Instant::now();
    loop {
        h.run_ok();
        if !h.state().busy() {
            h.run_ok();
            if !h.state().busy() {
                return;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the worker did not finish"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn counts(h: &mut Harness<'static, TsmApp>) -> Vec<(&'static str, i64)> {
    h.state_mut().request_counts();
    settle(h);
    h.state().table_counts().unwrap().to_vec()
}
