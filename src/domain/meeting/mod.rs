//! The Targeting Support Meeting: its record, the nine agenda steps, pupil discussions
//! (barriers, lead practitioner, agreed actions), CME enquiries, legal-intervention
//! checks, and the [`Edit`]s that change a meeting one field at a time.
//!
//! A [`Meeting`] is a plain document. The UI applies each [`Edit`] to its copy with
//! [`Meeting::apply`] and sends the same edit to the store, which writes it (and an
//! audit row) at once; loading the meeting back gives the same document. Row ids are
//! chosen by whoever creates the row, so an edit never waits for the database.

use super::Period;
use std::collections::BTreeMap;

/// The id of a row inside a meeting (attendee, barrier, action), chosen when it is
/// created.
pub type RowId = i64;

mod edit;
mod keys;
mod records;
mod steps;

pub use edit::*;
pub use keys::*;
pub use records::*;
pub use steps::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Term;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn meeting() -> Meeting {
        Meeting::new(1, 1, Period::new(2026, Term::Autumn))
    }

    #[test]
    fn keys_round_trip_for_every_enum() {
        for s in AgendaStep::ALL {
            assert_eq!(AgendaStep::from_key(s.key()), Some(*s));
        }
        assert_eq!(AgendaStep::ALL.len(), 9);
        for e in LegalEvidence::ALL {
            assert_eq!(LegalEvidence::from_key(e.key()), Some(*e));
        }
        assert_eq!(LegalEvidence::ALL.len(), 10);
        for m in LegalMeasure::ALL {
            let o = LegalOutcome::Proceed(*m);
            assert_eq!(LegalOutcome::from_key(o.key()), Some(o));
        }
        assert_eq!(
            LegalOutcome::from_key("more_support"),
            Some(LegalOutcome::MoreSupport)
        );
        assert_eq!(
            BarrierCategory::from_key("ebsa"),
            Some(BarrierCategory::Ebsa)
        );
        assert_eq!(CmeCheckKind::from_key("nope"), None);
    }

    #[test]
    fn severe_step_names_what_is_missing_until_each_pupil_has_a_lead_and_an_answer() {
        let mut m = meeting();
        let list = Shortlist {
            severe: vec![10, 11, 12],
            ..Shortlist::default()
        };
        assert_eq!(
            m.step_state(AgendaStep::Severe, &list),
            StepState::Needs(vec![
                "3 severely absent pupils without a lead practitioner".into(),
                "3 pupils not asked the CME question".into()
            ])
        );
        for p in [10, 11] {
            m.apply(&Edit::Lead(
                p,
                LeadPractitioner {
                    organisation: "Early Help / family support".into(),
                    person: "A. Worker".into(),
                },
            ))
            .unwrap();
            m.apply(&Edit::Whereabouts(p, Some(true))).unwrap();
        }
        m.apply(&Edit::Whereabouts(12, Some(false))).unwrap();
        assert_eq!(
            m.step_state(AgendaStep::Severe, &list),
            StepState::Needs(vec![
                "1 severely absent pupil without a lead practitioner".into(),
                "1 pupil with whereabouts unknown and no CME enquiry".into()
            ])
        );
        m.apply(&Edit::OpenCme(12, day(20))).unwrap();
        m.apply(&Edit::Lead(
            12,
            LeadPractitioner {
                organisation: "Children's social care".into(),
                person: String::new(),
            },
        ))
        .unwrap();
        assert_eq!(m.step_state(AgendaStep::Severe, &list), StepState::Done);
        // Per-pupil edits started discussions in the severe step, once each.
        assert_eq!(m.discussions.len(), 3);
        assert!(m.discussions.iter().all(|d| d.step == PupilStep::Severe));
    }

    #[test]
    fn review_and_carry_forward_mark_items_and_copy_the_action() {
        let mut m = meeting();
        let mut old = Action::new(500, Some(7));
        old.description = "Home visit".into();
        old.owner = "EWO".into();
        old.due = Some(day(1));
        m.review.push(ReviewItem {
            action: old,
            agreed_in: Period::new(2025, Term::Summer),
            reviewed: false,
            carried_as: None,
            rate_then: Some(0.55),
            rate_now: Some(0.40),
        });
        assert_eq!(
            m.step_state(AgendaStep::Review, &Shortlist::default()),
            StepState::Needs(vec!["1 action not reviewed".into()])
        );
        m.apply(&Edit::Review {
            action: 500,
            status: ActionStatus::NotDone,
            note: "family moved".into(),
        })
        .unwrap();
        m.apply(&Edit::CarryForward { from: 500, id: 900 }).unwrap();
        assert_eq!(
            m.step_state(AgendaStep::Review, &Shortlist::default()),
            StepState::Done
        );
        assert_eq!(m.review[0].action.status, ActionStatus::NotDone);
        assert_eq!(m.review[0].carried_as, Some(900));
        let new = &m.actions[0];
        assert_eq!(
            (
                new.id,
                new.pupil_id,
                new.description.as_str(),
                new.owner.as_str(),
                new.due,
                new.carried_from
            ),
            (900, Some(7), "Home visit", "EWO", None, Some(500))
        );
        let missing: Vec<_> = m
            .missing(&Shortlist::default())
            .into_iter()
            .map(|x| (x.pupil, x.action, x.text))
            .collect();
        assert_eq!(
            missing,
            vec![
                (
                    Some(7),
                    Some(900),
                    "action \"Home visit\": no due date".to_owned()
                ),
                (None, None, "no next meeting date".to_owned())
            ]
        );
        assert!(
            m.apply(&Edit::Review {
                action: 1,
                status: ActionStatus::Done,
                note: String::new()
            })
            .is_err()
        );
    }

    #[test]
    fn cme_stays_open_until_a_closing_conclusion_and_legal_gaps_are_flagged() {
        let mut m = meeting();
        m.next_meeting = Some(day(30));
        m.apply(&Edit::OpenCme(3, day(20))).unwrap();
        m.apply(&Edit::CmeCheck(
            3,
            CmeCheckKind::HomeVisit,
            CmeCheck {
                on: Some(day(21)),
                by: "EWO".into(),
                outcome: "No answer".into(),
            },
        ))
        .unwrap();
        assert!(m.cme[0].is_open());
        m.apply(&Edit::ConcludeCme(
            3,
            Some(CmeConclusion::StillMissing),
            None,
        ))
        .unwrap();
        assert!(m.cme[0].is_open());
        m.apply(&Edit::ConcludeCme(
            3,
            Some(CmeConclusion::OnRollElsewhere),
            Some(day(22)),
        ))
        .unwrap();
        assert!(!m.cme[0].is_open());
        assert_eq!(m.cme[0].checks.len(), 1);

        m.apply(&Edit::ProposeLegal(4)).unwrap();
        for e in &LegalEvidence::ALL[..8] {
            m.apply(&Edit::Evidence(
                4,
                *e,
                EvidenceItem {
                    checked: true,
                    note: String::new(),
                },
            ))
            .unwrap();
        }
        m.apply(&Edit::LegalOutcome(
            4,
            Some(LegalOutcome::Proceed(LegalMeasure::PenaltyNotice)),
        ))
        .unwrap();
        let missing: Vec<_> = m
            .missing(&Shortlist::default())
            .into_iter()
            .map(|x| (x.pupil, x.text))
            .collect();
        assert_eq!(
            missing,
            vec![(
                Some(4),
                "proceeding to legal intervention with 2 items of the support-first checklist not evidenced"
                    .to_owned()
            )]
        );
        assert_eq!(
            m.step_state(AgendaStep::Legal, &Shortlist::default()),
            StepState::Done
        );
    }

    #[test]
    fn lead_counts_group_pupils_and_their_actions() {
        let mut m = meeting();
        let lead = |o: &str| LeadPractitioner {
            organisation: o.into(),
            person: String::new(),
        };
        m.apply(&Edit::Lead(1, lead("Virtual School"))).unwrap();
        m.apply(&Edit::Lead(2, lead("Virtual School"))).unwrap();
        m.apply(&Edit::Lead(3, lead("Housing"))).unwrap();
        for (id, pupil) in [(1, Some(1)), (2, Some(1)), (3, Some(3)), (4, None)] {
            m.apply(&Edit::Action(Action::new(id, pupil))).unwrap();
        }
        assert_eq!(
            m.lead_counts(),
            vec![
                ("(none)".to_owned(), 0, 1),
                ("Housing".to_owned(), 1, 1),
                ("Virtual School".to_owned(), 2, 2)
            ]
        );
    }
}
