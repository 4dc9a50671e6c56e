//! The passphrase screen and the settings' protection section, driven through the real
//! UI (egui_kittest) with the real worker on database files.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::app;

use app::settle;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::{Path, PathBuf};
use tsm_desk::store::{Passphrase, Protection, Store, probe};
use tsm_desk::ui::{Prefs, Screen, TsmApp};

const PASSPHRASE: &str = "blue kettle winter road";

fn start(path: &Path) -> Harness<'static, TsmApp> {
    start_sized(path, 900.0)
}

/// The app on `path` in a window `height` pixels tall (the settings screen's last
/// section needs a tall one to be on screen without scrolling).
fn start_sized(path: &Path, height: f32) -> Harness<'static, TsmApp> {
    let path: PathBuf = path.to_path_buf();
    let mut h = Harness::builder()
        .with_size([1400.0, height])
        .with_max_steps(50)
        .build_eframe(move |cc| {
            let mut app = TsmApp::start(&cc.egui_ctx, Prefs::default(), path, None);
            app.set_today(chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date"));
            app
        });
    h.run_ok();
    h
}

fn type_into(h: &mut Harness<'static, TsmApp>, label: &str, text: &str) {
    crate::app::type_into(h, label, 0, text);
}

#[test]
fn a_new_database_is_encrypted_with_the_passphrase_typed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.sqlite");
    let mut h = start(&db);
    h.get_by_label("Protect the new database");
    assert!(!h.state().is_ready());

    // Too short, then two different passphrases: refused with a reason, nothing made.
    type_into(&mut h, "Passphrase", "short");
    h.get_by_label("Create encrypted database").click();
    h.run_ok();
    h.get_by_label_contains("Use at least 8 characters");
    type_into(&mut h, "Passphrase", " and longer");
    // Typing again takes the last try's reason away.
    assert!(
        h.query_by_label_contains("Use at least 8 characters")
            .is_none()
    );
    type_into(&mut h, "Type it again", "something else");
    h.key_press(egui::Key::Enter);
    h.run_ok();
    h.get_by_label("The two passphrases differ; type them again");
    assert!(!db.exists());

    type_into(&mut h, "Passphrase", PASSPHRASE);
    type_into(&mut h, "Type it again", PASSPHRASE);
    h.get_by_label("Create encrypted database").click();
    settle(&mut h);
    assert!(h.state().is_ready(), "{:?}", h.state().failure());
    drop(h);
    assert_eq!(probe(&db).unwrap(), Protection::Encrypted);
    Store::open_with(&db, Some(&Passphrase::new(PASSPHRASE))).unwrap();
}

#[test]
fn a_wrong_passphrase_asks_again_and_the_right_one_opens() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("locked.sqlite");
    let mut store = Store::open_with(&db, Some(&Passphrase::new(PASSPHRASE))).unwrap();
    store
        .set_school("990501", Some("Unlock Primary"), Some("primary"))
        .unwrap();
    drop(store);
    let before = std::fs::read(&db).unwrap();

    let mut h = start(&db);
    h.get_by_label("Unlock the database");
    type_into(&mut h, "Passphrase", "not it at all");
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert!(!h.state().is_ready());
    h.get_by_label_contains("does not open");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file changed");

    type_into(&mut h, "Passphrase", PASSPHRASE);
    h.get_by_label("Unlock").click();
    settle(&mut h);
    assert!(h.state().is_ready(), "{:?}", h.state().failure());
    h.get_by_label("Unlock Primary");
}

#[test]
fn settings_encrypt_a_plain_database_back_it_up_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("plain.sqlite");
    let mut store = Store::open(&db).unwrap();
    store
        .set_school("990601", Some("Plain Primary"), Some("primary"))
        .unwrap();
    drop(store);

    // A plain database opens without asking (and makes the day's backup).
    let mut h = start_sized(&db, 2400.0);
    settle(&mut h);
    assert!(h.state().is_ready());
    h.get_by_label("Settings").click();
    settle(&mut h);
    assert_eq!(h.state().screen(), Screen::Settings);
    h.get_by_label_contains("Not encrypted");
    assert_eq!(h.state().safety().map(|s| s.encrypted), Some(false));

    type_into(&mut h, "New passphrase", PASSPHRASE);
    type_into(&mut h, "Type the new passphrase again", PASSPHRASE);
    h.get_by_label("Encrypt this database").click();
    settle(&mut h);
    // Said in the section and on the status bar.
    assert_eq!(
        h.query_all_by_label_contains("The database is now encrypted")
            .count(),
        2
    );
    assert_eq!(h.state().safety().map(|s| s.encrypted), Some(true));
    assert_eq!(probe(&db).unwrap(), Protection::Encrypted);

    h.get_by_label("Back up now").click();
    settle(&mut h);
    let backups = h.state().safety().unwrap().backups.clone();
    let reasons: Vec<&str> = backups.iter().map(|b| b.reason.as_str()).collect();
    assert_eq!(reasons, ["manual", "daily"]);
    // Both encrypted: the daily one was made plain and encrypted with the database.
    for b in &backups {
        assert_eq!(probe(&b.path).unwrap(), Protection::Encrypted, "{b:?}");
    }

    // Change the data behind the app's back, then restore the backup from the screen.
    {
        let mut other = Store::open_with(&db, Some(&Passphrase::new(PASSPHRASE))).unwrap();
        other
            .set_school("990602", Some("Added later"), None)
            .unwrap();
    }
    h.query_all_by_label("Restore…").next().unwrap().click();
    h.run_ok();
    h.get_by_label("Restore this backup").click();
    settle(&mut h);
    assert_eq!(
        h.query_all_by_label_contains("what was there before is backed up")
            .count(),
        2
    );
    let store = Store::open_with(&db, Some(&Passphrase::new(PASSPHRASE))).unwrap();
    let urns: Vec<String> = store
        .schools()
        .unwrap()
        .into_iter()
        .map(|s| s.urn)
        .collect();
    assert_eq!(urns, ["990601"]);
    let reasons: Vec<String> = h
        .state()
        .safety()
        .unwrap()
        .backups
        .iter()
        .map(|b| b.reason.clone())
        .collect();
    assert_eq!(reasons, ["before-restore", "manual", "daily"]);
}
