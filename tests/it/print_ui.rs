//! The print preview in the real app (egui_kittest, real worker): the action log from the
//! meeting screen and the pupil list from the pupils screen are laid out, previewed page
//! by page, switched to initials, and saved where the user typed.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::app;

use app::{harness_with, seed_into, settle, upn};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::Path;
use tsm_desk::domain::meeting::{Action, Edit, PupilStep};
use tsm_desk::domain::{Period, Term};
use tsm_desk::report::NameStyle;
use tsm_desk::service::Service;
use tsm_desk::service::Settings;
use tsm_desk::store::Store;
use tsm_desk::ui::{Prefs, TsmApp};

use crate::common::now;

fn app(db: &Path) -> Harness<'static, TsmApp> {
    let db = db.to_path_buf();
    harness_with(
        Box::new(move |_| Service::new(Store::open(&db)?)),
        Prefs::default(),
    )
}

fn text_of(pdf: &Path) -> String {
    let text = pdf_extract::extract_text(pdf).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Types a path into "Save to:" (replacing what is there) and presses `button`.
fn save_to(h: &mut Harness<'static, TsmApp>, path: &Path, button: &str) {
    h.get_by_label("Save to:").click();
    h.run_ok();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_ok();
    h.get_by_label("Save to:")
        .type_text(&path.display().to_string());
    h.run_ok();
    h.get_by_label(button).click();
    settle(h);
}

/// The preview opens with "Open after saving" ticked; tests do not start a viewer.
fn untick_open(h: &mut Harness<'static, TsmApp>) {
    h.get_by_label("Open after saving").click();
    h.run_ok();
}

#[test]
fn action_log_and_pupil_list_are_previewed_and_saved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm.sqlite");
    let mut service = seed_into(dir.path(), Store::open(&db).unwrap());
    // The LA prints initials by default.
    let settings = Settings {
        print_names: NameStyle::Initials,
        ..service.settings().clone()
    };
    service.save_settings(settings).unwrap();
    // Pupil 1 (60% absent) gets an action, so the log names them.
    let autumn = Some(Period::new(2026, Term::Autumn));
    let view = service.open_meeting("990901", autumn, now()).unwrap();
    let pupil = view
        .school
        .pupils
        .iter()
        .find(|p| p.name == "Pupil1 Testcase")
        .unwrap()
        .pupil_id;
    service
        .edit_meeting(
            view.meeting.id,
            &Edit::Discuss(pupil, PupilStep::Severe),
            now(),
        )
        .unwrap();
    let mut a = Action::new(77, Some(pupil));
    a.description = "Daily soft start".into();
    a.owner = "Head of year".into();
    service
        .edit_meeting(view.meeting.id, &Edit::Action(a), now())
        .unwrap();
    drop(service);
    let mut h = app(&db);

    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    h.get_by_label("Open this term's meeting").click();
    settle(&mut h);
    h.get_by_label("Action log…").click();
    settle(&mut h);
    untick_open(&mut h);
    // The preview shows each page, numbered.
    assert!(
        h.query_by_label("Print preview: meeting action log")
            .is_some()
    );
    // Two pages for a meeting with nothing recorded yet; each page as an image and a caption.
    assert!(h.query_all_by_label("Page 1 of 2").count() >= 1);
    assert!(h.query_all_by_label("Page 2 of 2").count() >= 1);

    // Initials, as the settings say.
    let pdf = dir.path().join("log.pdf");
    save_to(&mut h, &pdf, "Save PDF");
    let saved = format!(
        "Wrote the action log of meeting #{} (2 pages) to log.pdf",
        view.meeting.id
    );
    assert!(h.query_by_label(&saved).is_some());
    let text = text_of(&pdf);
    assert!(text.contains("Targeting Support Meeting: action log"));
    assert!(text.contains("Hillside Secondary · URN 990901"));
    assert!(text.contains("OFFICIAL-SENSITIVE"));
    assert!(text.contains("pupils named by initials and UPN"));
    assert!(text.contains(&format!("P.T. ({})", upn(1, 1))), "{text}");
    assert!(text.contains("Daily soft start"));
    assert!(!text.contains("Pupil1"));

    // Full names for this print only.
    h.get_by_label("Full names and UPN").click();
    settle(&mut h);
    let pdf2 = dir.path().join("log-full.pdf");
    save_to(&mut h, &pdf2, "Save PDF");
    let text2 = text_of(&pdf2);
    assert!(text2.contains(&format!("Pupil1 Testcase ({})", upn(1, 1))));

    // Escape closes the preview; the pupil list from the pupils screen.
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    assert!(
        h.query_by_label("Print preview: meeting action log")
            .is_none()
    );
    h.get_by_label("Patch overview").click();
    settle(&mut h);
    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    h.get_by_label("Pupil list").click();
    settle(&mut h);
    h.get_by_label("Pupil list for the school…").click();
    settle(&mut h);
    untick_open(&mut h);
    assert!(h.query_by_label("Print preview: pupil list").is_some());
    let list = dir.path().join("list.pdf");
    save_to(&mut h, &list, "Save PDF");
    let text = text_of(&list);
    // Hillside's flagged pupils: four severe, three persistent, one at risk.
    assert!(text.contains("Severely absent (4)"), "{text}");
    assert!(text.contains("Persistently absent (3)"));
    assert!(text.contains("At risk of persistent absence (1)"));
    // Initials here too (the settings' default), with every flagged UPN.
    assert!(text.contains(&upn(1, 1)) && text.contains("P.T."));
    assert!(!text.contains("Pupil1 Testcase"));
    assert!(!text.contains(&upn(1, 6)), "pupil 6 is not flagged");

    let xlsx = dir.path().join("list.xlsx");
    save_to(&mut h, &xlsx, "Save as spreadsheet (XLSX)");
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    // A header row and the eight flagged pupils.
    assert_eq!(sheet.height(), 9);
}

/// The app's one clock, moved past midnight while the app stays open: the next
/// printout carries the new date (and the activity log the new day), not the day the
/// app started.
#[test]
fn a_printout_made_after_midnight_carries_the_new_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tsm.sqlite");
    drop(seed_into(dir.path(), Store::open(&db).unwrap()));
    let mut h = app(&db);
    let at = |day: u32, h: u32, m: u32| {
        chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(h, m, 30)
            .unwrap()
    };
    h.state().clock().pin(at(23, 23, 59));
    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    h.get_by_label("Open this term's meeting").click();
    settle(&mut h);

    let print = |h: &mut Harness<'static, TsmApp>, name: &str| {
        h.get_by_label("Action log…").click();
        settle(h);
        untick_open(h);
        let pdf = dir.path().join(name);
        save_to(h, &pdf, "Save PDF");
        h.key_press(egui::Key::Escape);
        settle(h);
        text_of(&pdf)
    };
    let before = print(&mut h, "before.pdf");
    assert!(before.contains("23/11/2026 23:59"), "{before}");

    h.state().clock().pin(at(24, 0, 1));
    let after = print(&mut h, "after.pdf");
    assert!(after.contains("24/11/2026 00:01"), "{after}");
    assert!(!after.contains("23/11/2026 23:59"));

    // The worker's service read the same clock: the save is logged on the new day.
    drop(h);
    let store = Store::open(&db).unwrap();
    let rows = store.activity(1).unwrap();
    assert_eq!(rows[0].at, at(24, 0, 1));
}
