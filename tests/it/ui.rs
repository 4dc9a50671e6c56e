//! The desktop app driven headless with egui_kittest (no GPU): the real screens, the
//! real worker thread and an in-memory database filled from synthetic fixtures.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::app;

use app::{counts, harness, settle, upn, write};
use egui_kittest::kittest::Queryable as _;
use tsm_desk::domain::{Period, Term};
use tsm_desk::ui::Screen;

#[test]
fn open_a_school_switch_period_and_filter_to_severe_year_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    assert_eq!(h.state().failure(), None);
    assert_eq!(h.state().screen(), Screen::Overview);
    h.get_by_label("Brookside Primary");
    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::Dashboard);
    let view = h.state().school().unwrap();
    assert_eq!(view.school.urn, "990901");
    assert_eq!(view.period, Period::new(2026, Term::Autumn));
    // 9 pupils, 4 severe (1, 2, 4, 9), 7 persistent (severe included).
    assert_eq!(view.headline.now.severe, 4);
    assert_eq!(view.headline.now.persistent, 7);
    h.get_by_label("Severely absent");
    // Summer had every pupil at 4% absence: below the at-risk band, so nobody was
    // flagged for the backtest beside the at-risk tile to follow.
    h.get_by_label("2025-26 summer: no pupil was flagged at risk");

    // Switch to the summer term.
    h.get_by_label("Period").click();
    h.run_ok();
    h.get_by_label("2025-26 summer").click();
    settle(&mut h);
    let view = h.state().school().unwrap();
    assert_eq!(view.period, Period::new(2025, Term::Summer));
    assert_eq!(view.headline.now.severe, 0);
    assert_eq!(view.headline.now.absence_rate, Some(0.04));

    // Back to autumn, then the pupil list: severely absent pupils in year 9.
    h.get_by_label("Period").click();
    h.run_ok();
    h.get_by_label("2026-27 autumn").click();
    settle(&mut h);
    h.get_by_label("Pupils").click();
    h.run_ok();
    assert_eq!(h.state().screen(), Screen::Pupils);
    h.get_by_label("Severely absent (4)").click();
    h.run_ok();
    h.get_by_label("Year group").click();
    h.run_ok();
    h.get_by_label("Year 9").click();
    settle(&mut h);
    let shown = h.state().visible_pupils();
    assert_eq!(shown, vec![upn(1, 1), upn(1, 2)], "highest absence first");
    // The rows are drawn, and the year 8 and 10 severe pupils are not.
    h.get_by_label(&upn(1, 1));
    h.get_by_label(&upn(1, 2));
    assert!(h.query_by_label(&upn(1, 4)).is_none());
    assert!(h.query_by_label(&upn(1, 9)).is_none());
    h.get_by_label("60.0%");
    h.get_by_label("50.0%");

    // Selecting a pupil shows their history across both terms.
    h.get_by_label(&upn(1, 1)).click();
    settle(&mut h);
    // The name is in the row and heads the detail panel.
    assert_eq!(h.query_all_by_label("Pupil1 Testcase").count(), 2);
    h.get_by_label("2025-26 summer");
    h.get_by_label("60 / 100 sessions");
}

#[test]
fn import_through_the_wizard_and_see_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let before = counts(&mut h);
    let mut marks = String::from("UPN,Date,Session,Mark\n");
    for (day, am, pm) in [
        ("02/11/2026", "/", "\\"),
        ("03/11/2026", "I", "I"),
        ("04/11/2026", "L", "N"),
    ] {
        for p in [3, 4] {
            marks.push_str(&format!(
                "{},{day},AM,{am}\n{},{day},PM,{pm}\n",
                upn(2, p),
                upn(2, p)
            ));
        }
    }
    let file = write(dir.path(), "brook_marks.csv", &marks);

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::I);
    h.run_ok();
    assert_eq!(h.state().screen(), Screen::Import);
    h.get_by_label("or type a path").click();
    h.run_ok();
    h.get_by_label("or type a path")
        .type_text(&file.display().to_string());
    h.run_ok();
    h.get_by_label("Add file").click();
    settle(&mut h);
    h.get_by_label("detected: session marks (long)");
    h.get_by_label("School").click();
    h.run_ok();
    h.get_by_label("Brookside Primary (990902)").click();
    h.run_ok();
    h.get_by_label("Import 1 file").click();
    settle(&mut h);
    h.get_by_label("Import complete");
    let report = h
        .state()
        .import_wizard()
        .report()
        .unwrap()
        .as_ref()
        .unwrap();
    assert_eq!(report.urn, "990902");
    let o = &report.outcomes[0];
    assert_eq!((o.rows, o.pupils, o.marks), (12, 2, 12));
    assert_eq!(o.periods, vec!["2026-27 autumn".to_owned()]);
    h.get_by_label_contains("brook_marks.csv: session marks (long) · 12 rows · 2 pupils");
    let after = counts(&mut h);
    let get = |c: &[(&str, i64)], t: &str| c.iter().find(|(n, _)| *n == t).unwrap().1;
    assert_eq!(get(&after, "imports"), get(&before, "imports") + 1);
    assert_eq!(get(&after, "marks"), get(&before, "marks") + 2);
    assert_eq!(get(&after, "pupils"), get(&before, "pupils") + 2);
}

#[test]
fn a_bad_file_shows_its_error_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    let before = counts(&mut h);
    let bad = format!(
        "UPN,Date,Session,Mark\n{u},02/11/2026,AM,/\n{u},02/11/2026,PM,Q9\n",
        u = upn(2, 7)
    );
    let file = write(dir.path(), "bad_marks.csv", &bad);
    h.get_by_label("Import… (Ctrl+I)").click();
    h.run_ok();
    h.get_by_label("or type a path").click();
    h.get_by_label("or type a path")
        .type_text(&file.display().to_string());
    h.run_ok();
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    h.get_by_label("School").click();
    h.run_ok();
    h.get_by_label("Hillside Secondary (990901)").click();
    h.run_ok();
    h.get_by_label("Import 1 file").click();
    settle(&mut h);
    h.get_by_label("Nothing was imported");
    let err = h
        .state()
        .import_wizard()
        .report()
        .unwrap()
        .as_ref()
        .unwrap_err();
    assert_eq!(err.unknown_codes, ["Q9"]);
    let err = &err.message;
    assert!(
        err.starts_with("bad_marks.csv, line 3, field Mark"),
        "{err}"
    );
    assert!(err.contains("Q9"), "{err}");
    h.get_by_label(err.as_str());
    assert_eq!(counts(&mut h), before, "nothing stored");
}

#[test]
fn tiles_name_their_release_and_settings_import_published_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = harness(dir.path());
    h.set_size(egui::Vec2::new(1400.0, 2600.0));
    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    // A secondary school: overall absence from the autumn 2024/25 secondary row (7.66%),
    // persistent from 2023/24 for all schools (20.0%), severe from autumn 2024/25 for
    // all schools (2.04%).
    h.get_by_label("National (secondary) 7.7%, autumn 2024/25");
    h.get_by_label("National (all schools) 20.0%, 2023/24");
    h.get_by_label("National (all schools) 2.0%, autumn 2024/25");

    h.get_by_label("Settings").click();
    settle(&mut h);
    h.get_by_label("No published weekly figures imported yet.");
    let before = counts(&mut h);
    // A file that is not there: nothing imported, and the path stays to correct.
    let missing = dir.path().join("missing.csv");
    h.get_by_label("or the file's path").click();
    h.get_by_label("or the file's path")
        .type_text(&missing.display().to_string());
    h.run_ok();
    h.get_by_label("Import this file").click();
    settle(&mut h);
    h.get_by_label("Nothing was imported.");
    h.get_by_label_contains("missing.csv: cannot read the file");
    assert_eq!(counts(&mut h), before);

    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/published_weekly.csv");
    h.get_by_label("or the file's path").click();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("or the file's path")
        .type_text(&file.display().to_string());
    h.run_ok();
    h.get_by_label("Import this file").click();
    settle(&mut h);
    let section = &h.state().settings_screen().comparators;
    let done = section.result().unwrap().as_ref().unwrap();
    assert_eq!((done.stored.rows, done.stored.weeks), (27, 3));
    assert_eq!(done.stored.las, ["Countyshire", "Westvale"]);
    let held = &section.view().unwrap().published;
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0].release,
        "DfE, Pupil attendance in schools: published_weekly.csv"
    );
    h.get_by_label_contains("Stored 27 rows from published_weekly.csv");
    h.get_by_label_contains(
        "DfE, Pupil attendance in schools: published_weekly.csv: 3 weeks commencing 01/09/2025 to 15/09/2025, 2 local authorities, 27 rows",
    );
    let after = counts(&mut h);
    assert!(after.contains(&("published_figures", 27)), "{after:?}");
}

/// The CLI and the app go through one service: a threshold saved in the settings
/// moves the same pupils in `tsm-desk flags` and in the app's pupil list.
#[test]
fn a_saved_threshold_applies_alike_in_the_cli_and_the_pupil_list() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm.db");
    let mut service = app::seed_into(dir.path(), tsm_desk::store::Store::open(&db).unwrap());
    let mut settings = service.settings().clone();
    settings.thresholds.persistent = tsm_desk::domain::BasisPoints(2500);
    service.save_settings(settings).unwrap();
    drop(service);

    // Hillside's autumn absence, by pupil: 60, 50, 20, 70, 7, 2, 15, 49, 60%. With
    // persistent from 25% (severe 50%, at-risk band from 5%): severe 1, 2, 4, 9;
    // persistent only 8 (by default 3, 7 and 8); at risk 3, 5, 7; none 6.
    let want = |category: &str| -> Vec<String> {
        let n: &[u32] = match category {
            "severe" => &[1, 2, 4, 9],
            "persistent" => &[8],
            "at_risk" => &[3, 5, 7],
            _ => &[6],
        };
        let mut v: Vec<String> = n.iter().map(|n| upn(1, *n)).collect();
        v.sort();
        v
    };
    let flags = crate::common::tsm_json(&db, &["flags", "--school", "990901", "--json"]);
    for category in ["severe", "persistent", "at_risk", "none"] {
        let mut cli: Vec<String> = flags["pupils"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["category"] == category)
            .map(|p| p["upn"].as_str().unwrap().to_owned())
            .collect();
        cli.sort();
        assert_eq!(cli, want(category), "the CLI's {category} pupils");
    }

    let path = db.clone();
    let mut h = app::harness_with(
        Box::new(move |_| tsm_desk::service::Service::open_existing(&path, None)),
        tsm_desk::ui::Prefs::default(),
    );
    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    h.get_by_label("Pupils").click();
    settle(&mut h);
    for (label, category) in [
        ("Severely absent (4)", "severe"),
        ("Persistently absent (1)", "persistent"),
        ("At risk (3)", "at_risk"),
    ] {
        h.get_by_label(label).click();
        settle(&mut h);
        let mut shown = h.state().visible_pupils();
        shown.sort();
        assert_eq!(shown, want(category), "the app's {label}");
    }
}
