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
        m.apply(&Edit::OpenCme {
            id: 50,
            pupil: 12,
            on: day(20),
        })
        .unwrap();
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
        m.apply(&Edit::OpenCme {
            id: 60,
            pupil: 3,
            on: day(20),
        })
        .unwrap();
        m.apply(&Edit::CmeCheck {
            enquiry: 60,
            pupil: 3,
            check: CmeCheck {
                on: Some(day(21)),
                by: "EWO".into(),
                outcome: "No answer".into(),
                ..CmeCheck::new(61, CmeCheckKind::HomeVisit)
            },
        })
        .unwrap();
        assert!(m.cme[0].is_open());
        m.apply(&Edit::ConcludeCme {
            enquiry: 60,
            pupil: 3,
            conclusion: Some(CmeConclusion::StillMissing),
            on: None,
        })
        .unwrap();
        assert!(m.cme[0].is_open());
        m.apply(&Edit::ConcludeCme {
            enquiry: 60,
            pupil: 3,
            conclusion: Some(CmeConclusion::OnRollElsewhere),
            on: Some(day(22)),
        })
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

    /// The summer meeting that opened an enquiry, as a later meeting sees it.
    fn summer_enquiry() -> CmeEnquiry {
        let summer = MeetingRef {
            id: 7,
            period: Period::new(2025, Term::Summer),
        };
        CmeEnquiry {
            id: 70,
            pupil_id: 3,
            opened_on: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
            opened_in: summer,
            checks: vec![RecordedCheck {
                check: CmeCheck {
                    on: NaiveDate::from_ymd_opt(2026, 7, 2),
                    by: "EWO".into(),
                    outcome: "No answer".into(),
                    ..CmeCheck::new(71, CmeCheckKind::HomeVisit)
                },
                recorded_in: summer,
            }],
            conclusion: None,
            concluded_on: None,
            concluded_in: None,
        }
    }

    #[test]
    fn a_later_meeting_adds_checks_to_the_same_enquiry_and_concludes_it() {
        let mut m = meeting();
        m.cme.push(summer_enquiry());
        // Opening another while this one is open changes nothing.
        m.apply(&Edit::OpenCme {
            id: 80,
            pupil: 3,
            on: day(20),
        })
        .unwrap();
        assert_eq!(m.cme.len(), 1);
        // A second home visit, recorded at this meeting, then corrected.
        let mut visit = CmeCheck {
            on: Some(day(21)),
            by: "Family Worker".into(),
            outcome: "Neighbours say moved".into(),
            ..CmeCheck::new(81, CmeCheckKind::HomeVisit)
        };
        for outcome in ["Neighbours", "Neighbours say moved"] {
            visit.outcome = outcome.into();
            m.apply(&Edit::CmeCheck {
                enquiry: 70,
                pupil: 3,
                check: visit.clone(),
            })
            .unwrap();
        }
        let c = m.cme_for(3).unwrap();
        let got: Vec<_> = c
            .checks
            .iter()
            .map(|r| (r.check.id, r.recorded_in.id, r.check.outcome.as_str()))
            .collect();
        assert_eq!(got, [(71, 7, "No answer"), (81, 1, "Neighbours say moved")]);
        assert_eq!(c.check_at(1, CmeCheckKind::HomeVisit), Some(&visit));
        assert_eq!(c.check_at(1, CmeCheckKind::Parents), None);
        // The summer's check is the summer's record: this meeting cannot change it.
        let mut old = c.checks[0].check.clone();
        old.outcome = "rewritten".into();
        assert!(
            m.apply(&Edit::CmeCheck {
                enquiry: 70,
                pupil: 3,
                check: old,
            })
            .is_err()
        );
        // The wrong pupil for the enquiry is refused.
        assert!(
            m.apply(&Edit::ConcludeCme {
                enquiry: 70,
                pupil: 4,
                conclusion: Some(CmeConclusion::ReferredCme),
                on: None,
            })
            .is_err()
        );
        m.apply(&Edit::ConcludeCme {
            enquiry: 70,
            pupil: 3,
            conclusion: Some(CmeConclusion::OnRollElsewhere),
            on: Some(day(22)),
        })
        .unwrap();
        let c = m.cme_for(3).unwrap();
        assert!(!c.is_open());
        assert_eq!(c.concluded_in, Some(m.meeting_ref()));
        assert_eq!(c.opened_in.period, Period::new(2025, Term::Summer));
        // Closed: a new enquiry may now be opened, and is the one shown.
        m.apply(&Edit::OpenCme {
            id: 90,
            pupil: 3,
            on: day(25),
        })
        .unwrap();
        assert_eq!(m.cme.len(), 2);
        assert_eq!(m.cme_for(3).map(|c| c.id), Some(90));
        // Reopening the first: the open one is shown first.
        m.apply(&Edit::ConcludeCme {
            enquiry: 70,
            pupil: 3,
            conclusion: None,
            on: None,
        })
        .unwrap();
        assert_eq!(m.cme[0].concluded_in, None);
        assert_eq!(m.cme_for(3).map(|c| c.id), Some(70));
    }

    #[test]
    fn confirming_a_proposal_stores_each_field_and_then_it_is_no_longer_proposed() {
        let mut m = meeting();
        let housing = Barrier {
            id: 5,
            side: BarrierSide::OutOfSchool,
            category: BarrierCategory::Housing,
            detail: "temporary accommodation".into(),
        };
        m.proposals.push(Proposal {
            pupil_id: 3,
            from: Period::new(2025, Term::Summer),
            lead: LeadPractitioner {
                organisation: "Virtual School".into(),
                person: "A. Worker".into(),
            },
            barriers: vec![housing.clone()],
            support_in_place: false,
        });
        m.proposals.push(Proposal {
            pupil_id: 4,
            from: Period::new(2025, Term::Summer),
            lead: LeadPractitioner::default(),
            barriers: Vec::new(),
            support_in_place: false,
        });
        assert_eq!(m.pending_proposal(4), None, "nothing to carry");
        assert_eq!(m.pending_proposal(9), None);
        let p = m.pending_proposal(3).unwrap().clone();
        let mut ids = 100..;
        let edits = p.confirm_edits(m.discussion(3), PupilStep::Persistent, || {
            ids.next().unwrap_or_default()
        });
        assert_eq!(
            edits,
            vec![
                Edit::Discuss(3, PupilStep::Persistent),
                Edit::Lead(3, p.lead.clone()),
                Edit::Barrier(
                    3,
                    Barrier {
                        id: 100,
                        ..housing.clone()
                    }
                ),
            ]
        );
        for e in &edits {
            m.apply(e).unwrap();
        }
        let d = m.discussion(3).unwrap();
        assert_eq!(d.step, PupilStep::Persistent);
        assert_eq!(d.lead.person, "A. Worker");
        assert_eq!(d.barriers[0].detail, "temporary accommodation");
        assert_eq!(m.pending_proposal(3), None, "confirmed");
        // Support in place carries as one more edit; a discussion already started is
        // not started again.
        m.apply(&Edit::Discuss(4, PupilStep::Persistent)).unwrap();
        let support = Proposal {
            pupil_id: 4,
            from: Period::new(2025, Term::Summer),
            lead: LeadPractitioner::default(),
            barriers: Vec::new(),
            support_in_place: true,
        };
        assert_eq!(
            support.confirm_edits(m.discussion(4), PupilStep::Persistent, || 0),
            vec![Edit::SupportInPlace(4, true)]
        );
    }
}
