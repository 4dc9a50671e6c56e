//! Printing benchmarks on the bundled demo database (release build): the action log of a
//! Riverside Academy meeting with 58 pupils discussed (every severely absent pupil and 40
//! persistently absent, each with a barrier and two actions), laid out, written as PDF and
//! rendered for the preview; the pupil list as PDF and XLSX.
//!
//! `cargo bench --bench print`
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a benchmark"
)]

mod common;
use common::percentile;
use std::time::Instant;
use tsm_desk::domain::Clock;
use tsm_desk::domain::meeting::{
    Action, Barrier, BarrierCategory, BarrierSide, Edit, LeadPractitioner, PupilStep,
};
use tsm_desk::domain::{Period, Term};
use tsm_desk::report::raster::render_page;
use tsm_desk::report::{NameStyle, PrintOptions, action_log, export, pdf_bytes, pupil_list};
use tsm_desk::service::print::PREVIEW_SCALE;
use tsm_desk::service::{Service, new_row_id};

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    (times, last.unwrap())
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.sqlite");
    let sample = tsm_desk::demo::sample_dir().unwrap();
    let mut service = Service::open(&db, None, Some(&sample), &Clock::new(), &mut |_| {}).unwrap();
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let autumn = Some(Period::new(2026, Term::Autumn));
    let urn = "990202"; // Riverside Academy, 1,156 pupils
    let v = service.open_meeting(urn, autumn, now).unwrap();
    let id = v.meeting.id;
    let pupils: Vec<(i64, PupilStep)> = v
        .shortlist
        .severe
        .iter()
        .map(|p| (*p, PupilStep::Severe))
        .chain(
            v.shortlist
                .persistent
                .iter()
                .take(40)
                .map(|p| (*p, PupilStep::Persistent)),
        )
        .collect();
    for (i, (pupil, step)) in pupils.iter().enumerate() {
        let mut edit = |e: Edit| service.edit_meeting(id, &e, now).unwrap();
        edit(Edit::Discuss(*pupil, *step));
        edit(Edit::Lead(
            *pupil,
            LeadPractitioner {
                organisation: "Early Help / family support".into(),
                person: format!("Family worker {}", i % 7),
            },
        ));
        edit(Edit::Barrier(
            *pupil,
            Barrier {
                id: new_row_id(),
                side: BarrierSide::OutOfSchool,
                category: BarrierCategory::ALL[i % BarrierCategory::ALL.len()],
                detail: "Anxiety about the journey; older sibling also absent".into(),
            },
        ));
        for k in 0..2 {
            let mut a = Action::new(new_row_id(), Some(*pupil));
            a.description =
                format!("Weekly check-in with the family and a review of the support plan ({k})");
            a.owner = ["Head of year", "SENCO", "Attendance officer"][(i + k) % 3].into();
            a.due = chrono::NaiveDate::from_ymd_opt(2026, 12, 1 + (i % 20) as u32);
            edit(Edit::Action(a));
        }
    }
    let view = service.meeting_view(urn, id).unwrap();
    let school = service.school_view(urn, autumn).unwrap();
    let opts = PrintOptions {
        names: NameStyle::Full,
        printed_on: now,
    };
    let (layout, doc) = time(20, || action_log::action_log(&view, &opts));
    let (pdf, bytes) = time(20, || pdf_bytes(&doc, &opts));
    let (page, _) = time(20, || render_page(&doc, 1, PREVIEW_SCALE));
    let (list, list_doc) = time(20, || pupil_list::pupil_list(&school, &opts));
    let (list_pdf, list_bytes) = time(20, || pdf_bytes(&list_doc, &opts));
    let xlsx_path = dir.path().join("list.xlsx");
    let (xlsx, ()) = time(20, || {
        export::write_table(&[export::pupil_list_table(&school)], &xlsx_path).unwrap();
    });
    println!(
        "action log: {} pupils discussed, {} actions, {} pages, {} KB; pupil list: {} pages, {} KB",
        view.meeting.discussions.len(),
        view.meeting.actions.len(),
        doc.pages.len(),
        bytes.len() / 1024,
        list_doc.pages.len(),
        list_bytes.len() / 1024
    );
    println!("| measure | median | p95 |");
    println!("|---|---|---|");
    for (name, v) in [
        ("action log: lay out (incl. trend chart at 250 dpi)", layout),
        ("action log: write PDF (font subsets, compression)", pdf),
        ("preview: render one page at 100 dpi", page),
        ("pupil list: lay out", list),
        ("pupil list: write PDF", list_pdf),
        ("pupil list: write XLSX", xlsx),
    ] {
        println!(
            "| {name} | {:.1} ms | {:.1} ms |",
            percentile(v.clone(), 0.5),
            percentile(v, 0.95)
        );
    }
}
