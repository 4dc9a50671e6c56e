//! The short list's priority order and the meeting's top-N lists, on the Hillside
//! fixture (`app.rs`). Autumn, 100 possible sessions each; summer 4% for everyone
//! (3 authorised, 1 unauthorised), so every persistently absent pupil is newly PA and
//! rising (+ 3 points or more):
//!
//! | pupil | autumn | unauthorised | concerns before any meeting |
//! |---|---|---|---|
//! | 8 | 49% | 20 of 49 | no support, newly PA, rising |
//! | 3 | 20% | 10 of 20 (half: not "mostly") | no support, newly PA, rising |
//! | 7 | 15% | 5 of 15 | no support, newly PA, rising |
//!
//! Three concerns each, so highest absence first: 8, 3, 7. Once a meeting records
//! support in place for pupil 8, they have two and go after 3 and 7.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::app::{self, settle, upn};
use crate::common::now;
use egui_kittest::kittest::Queryable as _;
use tsm_desk::domain::meeting::{AgendaStep, Edit, PupilStep};
use tsm_desk::domain::priority::Tier;
use tsm_desk::domain::{FlagCategory, Period, Term};
use tsm_desk::service::Service;

const HILLSIDE: &str = "990901";

fn persistent_order(service: &mut Service) -> Vec<(String, Tier, String)> {
    let view = service
        .school_view(HILLSIDE, Some(Period::new(2026, Term::Autumn)))
        .unwrap();
    view.pupils
        .iter()
        .filter(|p| p.category == FlagCategory::Persistent)
        .map(|p| (p.upn.clone(), p.priority.tier, p.reasons.clone()))
        .collect()
}

#[test]
fn recorded_support_moves_a_pupil_down_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut service = app::seed(dir.path());
    let all_three = "no support on record, newly persistently absent this term, absence rising";
    assert_eq!(
        persistent_order(&mut service),
        [
            (
                upn(1, 8),
                Tier::PersistentConcern,
                format!("persistently absent (49.0%): {all_three}")
            ),
            (
                upn(1, 3),
                Tier::PersistentConcern,
                format!("persistently absent (20.0%): {all_three}")
            ),
            (
                upn(1, 7),
                Tier::PersistentConcern,
                format!("persistently absent (15.0%): {all_three}")
            ),
        ]
    );
    // The CLI's list is in the same order and says the same.
    let flags = service.flag_list(HILLSIDE, None).unwrap();
    let cli: Vec<(String, String)> = flags
        .pupils
        .iter()
        .filter(|p| p.flag.category == FlagCategory::Persistent)
        .map(|p| (p.flag.upn.clone(), p.why.clone()))
        .collect();
    let ui: Vec<(String, String)> = persistent_order(&mut service)
        .into_iter()
        .map(|(u, _, w)| (u, w))
        .collect();
    assert_eq!(cli, ui);

    let meeting = service
        .open_meeting(HILLSIDE, Some(Period::new(2026, Term::Autumn)), now())
        .unwrap();
    let p8 = meeting
        .school
        .pupils
        .iter()
        .find(|p| p.upn == upn(1, 8))
        .unwrap()
        .pupil_id;
    for edit in [
        Edit::Discuss(p8, PupilStep::Persistent),
        Edit::SupportInPlace(p8, true),
    ] {
        service
            .edit_meeting(meeting.meeting.id, &edit, now())
            .unwrap();
    }
    let order = persistent_order(&mut service);
    assert_eq!(
        order.iter().map(|o| o.0.clone()).collect::<Vec<_>>(),
        [upn(1, 3), upn(1, 7), upn(1, 8)]
    );
    assert_eq!(
        order[2].2,
        "persistently absent (49.0%): newly persistently absent this term, absence rising"
    );
}

#[test]
fn the_persistent_step_lists_the_top_n_and_shows_all_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let opener: tsm_desk::ui::Opener = Box::new(move |_| {
        let mut service = app::seed(&path);
        let settings = tsm_desk::service::Settings {
            meeting_top_n: 2,
            ..service.settings().clone()
        };
        service.save_settings(settings)?;
        Ok(service)
    });
    let mut h = app::harness_with(opener, tsm_desk::ui::Prefs::default());
    h.get_by_label("Hillside Secondary").click();
    settle(&mut h);
    h.get_by_label("Open this term's meeting").click();
    settle(&mut h);
    let step = AgendaStep::ALL
        .iter()
        .position(|s| *s == AgendaStep::Persistent)
        .unwrap();
    h.get_by_label(&format!("{}. Persistently absent pupils", step + 1))
        .click();
    settle(&mut h);
    h.get_by_label("Persistently absent not yet chosen (3)");
    // The top 2 by priority, each with its reason; pupil 7 (15%) waits.
    h.get_by_label_contains(&upn(1, 8));
    h.get_by_label_contains(&upn(1, 3));
    assert!(h.query_by_label_contains(&upn(1, 7)).is_none());
    assert!(
        h.query_all_by_label_contains("newly persistently absent this term")
            .count()
            >= 2
    );
    h.get_by_label("Show all 3").click();
    settle(&mut h);
    h.get_by_label_contains(&upn(1, 7));
    h.get_by_label("Show the top 2").click();
    settle(&mut h);
    assert!(h.query_by_label_contains(&upn(1, 7)).is_none());
}
