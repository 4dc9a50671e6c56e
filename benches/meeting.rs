//! Meeting benchmarks on the bundled demo database (release build):
//! opening a meeting with the data it discusses, and writing one edit with its audit
//! row to a database file (WAL), as the worker does for every keystroke.
//!
//! `cargo bench --bench meeting`
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a benchmark"
)]

mod common;
use common::percentile;
use std::time::Instant;
use tsm_desk::domain::Clock;
use tsm_desk::domain::meeting::{Action, Edit, LeadPractitioner, MeetingText};
use tsm_desk::domain::{Period, Term};
use tsm_desk::service::{Service, new_row_id};

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
    let mut open = Vec::new();
    let mut id = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let v = service.open_meeting(urn, autumn, now).unwrap();
        open.push(t.elapsed().as_secs_f64() * 1e3);
        id = v.meeting.id;
        assert!(v.shortlist.severe.len() > 10);
    }
    let pupil = service
        .open_meeting(urn, autumn, now)
        .unwrap()
        .shortlist
        .severe[0];
    let mut writes = Vec::new();
    let mut text = String::new();
    for i in 0..600 {
        text.push(char::from(b'a' + (i % 26) as u8));
        let edit = match i % 3 {
            0 => Edit::Text(MeetingText::TrendsNotes, text.clone()),
            1 => Edit::Lead(
                pupil,
                LeadPractitioner {
                    organisation: "Virtual School".into(),
                    person: text.clone(),
                },
            ),
            _ => {
                let mut a = Action::new(new_row_id(), Some(pupil));
                a.description.clone_from(&text);
                Edit::Action(a)
            }
        };
        let t = Instant::now();
        service.edit_meeting(id, &edit, now).unwrap();
        writes.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let mut reload = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let v = service.meeting_view(urn, id).unwrap();
        reload.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(v.meeting.actions.len(), 200);
    }
    println!("| measure | median | p95 |");
    println!("|---|---|---|");
    for (name, v) in [
        (
            "open a meeting (1,156 pupils, first load then cached term)",
            open,
        ),
        ("write one edit + audit row (600 edits, WAL file)", writes),
        ("reload a meeting with 200 actions", reload),
    ] {
        println!(
            "| {name} | {:.2} ms | {:.2} ms |",
            percentile(v.clone(), 0.5),
            percentile(v, 0.95)
        );
    }
}
