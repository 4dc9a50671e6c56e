//! The print preview in the real app (egui_kittest, real worker): the action log from the
//! meeting screen and the pupil list from the pupils screen are laid out, previewed page
//! by page, switched to initials, and saved where the user typed.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

mod app;

use app::{harness_with, seed_into, settle};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::Path;
use tsm_desk::service::Service;
use tsm_desk::store::Store;
use tsm_desk::ui::{Prefs, TsmApp};

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
    drop(seed_into(dir.path(), Store::open(&db).unwrap()));
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

    let pdf = dir.path().join("log.pdf");
    save_to(&mut h, &pdf, "Save PDF");
    assert!(h.query_by_label("Saved log.pdf").is_some());
    let text = text_of(&pdf);
    assert!(text.contains("Targeting Support Meeting: action log"));
    assert!(text.contains("Hillside Secondary · URN 990901"));
    assert!(text.contains("OFFICIAL-SENSITIVE"));

    // Initials for this print only.
    h.get_by_label("Initials and UPN only").click();
    settle(&mut h);
    let pdf2 = dir.path().join("log-initials.pdf");
    save_to(&mut h, &pdf2, "Save PDF");
    let text2 = text_of(&pdf2);
    assert!(text2.contains("pupils named by initials and UPN"));

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
    assert!(text.contains("Pupil1 Testcase"));
    assert!(!text.contains("Pupil6 Testcase"), "pupil 6 is not flagged");

    let xlsx = dir.path().join("list.xlsx");
    save_to(&mut h, &xlsx, "Save as spreadsheet (XLSX)");
    use calamine::Reader as _;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    // A header row and the eight flagged pupils.
    assert_eq!(sheet.height(), 9);
}
