//! The settings screen's data retention section driven headless with egui_kittest:
//! preview a purge, purge after confirming, and delete a school's data behind a typed
//! URN. The real worker thread and an in-memory database of synthetic schools.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::app;

use app::{counts, harness_with, seed, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use tsm_desk::domain::AcademicYear;
use tsm_desk::service::Settings;
use tsm_desk::store::ActivityKind;
use tsm_desk::ui::{Prefs, Screen, TsmApp};

/// The two schools, keeping one academic year (Hillside's 2025-26 summer is older).
fn app(dir: &std::path::Path) -> Harness<'static, TsmApp> {
    let dir = dir.to_path_buf();
    let mut h = harness_with(
        Box::new(move |_| {
            let mut service = seed(&dir);
            let settings = Settings {
                officer_name: "Officer Retention".into(),
                retention_years: 1,
                ..service.settings().clone()
            };
            service.save_settings(settings).unwrap();
            Ok(service)
        }),
        Prefs::default(),
    );
    // Tall enough to show the whole settings page without scrolling.
    h.set_size(egui::Vec2::new(1400.0, 2600.0));
    h.get_by_label("Settings").click();
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::Settings);
    h
}

fn get(c: &[(&str, i64)], table: &str) -> i64 {
    c.iter().find(|(t, _)| *t == table).unwrap().1
}

#[test]
fn preview_then_purge_after_confirming() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    let before = counts(&mut h);
    // The activity log lists the seed's three imports.
    let log = h.state().settings_screen().retention.activity().unwrap();
    assert_eq!(log.len(), 3);
    assert!(log.iter().all(|r| r.kind == ActivityKind::Import));

    h.get_by_label("Preview purge…").click();
    settle(&mut h);
    let p = h
        .state()
        .settings_screen()
        .retention
        .preview()
        .unwrap()
        .clone();
    assert_eq!(p.keep_from, AcademicYear(2026));
    assert_eq!(p.schools.len(), 1);
    assert_eq!(p.schools[0].urn, "990901");
    let c = p.total;
    assert_eq!((c.periods, c.attendance, c.imports, c.pupils), (1, 9, 1, 0));
    h.get_by_label("Hillside Secondary (990901)");
    h.get_by_label_contains("removes everything from before 2026-27");
    assert_eq!(counts(&mut h), before, "a preview changes nothing");

    // Purge now asks first; Cancel backs out.
    h.get_by_label("Purge now…").click();
    settle(&mut h);
    h.get_by_label_contains("cannot be undone");
    h.get_by_label("Cancel").click();
    settle(&mut h);
    assert!(h.query_by_label("Yes, purge now").is_none());
    assert_eq!(counts(&mut h), before);

    h.get_by_label("Purge now…").click();
    settle(&mut h);
    h.get_by_label("Yes, purge now").click();
    settle(&mut h);
    let msg = h.state().settings_screen().retention.message().cloned();
    assert_eq!(
        msg,
        Some(Ok(
            "Purged data before 2026-27 from 1 school(s): 1 terms, 9 attendance rows, 1 imports."
                .to_owned()
        ))
    );
    h.get_by_label(msg.unwrap().unwrap().as_str());
    let after = counts(&mut h);
    assert_eq!(get(&after, "periods"), get(&before, "periods") - 1);
    assert_eq!(get(&after, "attendance"), get(&before, "attendance") - 9);
    assert_eq!(get(&after, "imports"), get(&before, "imports") - 1);
    assert_eq!(get(&after, "pupils"), get(&before, "pupils"));
    settle(&mut h);
    let log = h.state().settings_screen().retention.activity().unwrap();
    assert_eq!(log[0].kind, ActivityKind::Purge);
    assert_eq!(log[0].officer, "Officer Retention");
}

#[test]
fn delete_a_school_after_typing_its_urn() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = app(dir.path());
    let before = counts(&mut h);
    h.get_by_label("Delete a school's data…").click();
    h.run_ok();
    h.get_by_label("School to delete").click();
    h.run_ok();
    h.get_by_label("Brookside Primary (990902)").click();
    h.run_ok();
    let field = "Type the URN 990902 to confirm";
    h.query_all_by_label(field).last().unwrap().click();
    h.run_ok();
    h.query_all_by_label(field)
        .last()
        .unwrap()
        .type_text("99090");
    h.run_ok();
    // Not the whole URN yet: the button does nothing.
    h.get_by_label("Delete all data of this school").click();
    settle(&mut h);
    assert_eq!(counts(&mut h), before);
    h.query_all_by_label(field).last().unwrap().click();
    h.run_ok();
    h.query_all_by_label(field).last().unwrap().type_text("2");
    h.run_ok();
    h.get_by_label("Delete all data of this school").click();
    settle(&mut h);
    let msg = h.state().settings_screen().retention.message().cloned();
    assert_eq!(
        msg,
        Some(Ok(
            "Deleted all data of school 990902: 2 pupils, 1 terms, 2 attendance rows, 1 imports."
                .to_owned()
        ))
    );
    let after = counts(&mut h);
    assert_eq!(get(&after, "schools"), get(&before, "schools") - 1);
    assert_eq!(get(&after, "pupils"), get(&before, "pupils") - 2);
    assert_eq!(get(&after, "attendance"), get(&before, "attendance") - 2);
    settle(&mut h);
    let log = h.state().settings_screen().retention.activity().unwrap();
    assert_eq!(log[0].kind, ActivityKind::DeleteSchool);
    assert_eq!(log[0].school_urn.as_deref(), Some("990902"));
    // The overview no longer lists Brookside.
    h.get_by_label("Patch overview").click();
    settle(&mut h);
    h.get_by_label("Hillside Secondary");
    assert!(h.query_by_label("Brookside Primary").is_none());
}
