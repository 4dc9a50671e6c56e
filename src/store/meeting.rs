//! Meetings in the database: loading one whole (with the review of last term's actions,
//! CME enquiries and legal reviews). Writing edits is in `edits.rs`, the actions
//! tracker in `tracker.rs`.

use super::format::date;
use super::{Store, StoreError};
use crate::domain::meeting::{
    Action, ActionStatus, Attendee, Barrier, BarrierCategory, BarrierSide, CmeCheck, CmeCheckKind,
    CmeConclusion, CmeEnquiry, Discussion, EvidenceItem, LeadPractitioner, LegalEvidence,
    LegalOutcome, LegalReview, Meeting, MeetingMode, MeetingStatus, PupilStep, ReviewItem,
};
use crate::domain::{Period, Term};
use rusqlite::{OptionalExtension as _, params};
use std::collections::BTreeMap;

pub(super) fn damaged(what: &str, value: &str) -> StoreError {
    StoreError::Damaged(format!("{what} {value:?}"))
}

pub(super) fn action_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<(Action, String)> {
    let status: String = r.get(at + 5)?;
    Ok((
        Action {
            id: r.get(at)?,
            pupil_id: r.get(at + 1)?,
            description: r.get(at + 2)?,
            owner: r.get::<_, Option<String>>(at + 3)?.unwrap_or_default(),
            due: date(r.get(at + 4)?),
            status: ActionStatus::Open,
            note: r.get(at + 6)?,
            carried_from: r.get(at + 7)?,
        },
        status,
    ))
}

pub(super) const ACTION_COLUMNS: &str =
    "a.id, a.pupil_id, a.description, a.owner, a.due_date, a.status, a.note, a.carried_from";

pub(super) fn with_status((mut a, status): (Action, String)) -> Result<Action, StoreError> {
    a.status = ActionStatus::from_key(&status).ok_or_else(|| damaged("action status", &status))?;
    Ok(a)
}

impl Store {
    /// The id of the school's meeting for a term, made (planned, undated) if there is
    /// none; `true` when it was made now.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn ensure_meeting(
        &mut self,
        school_id: i64,
        period: Period,
    ) -> Result<(i64, bool), StoreError> {
        if let Some(m) = self.meeting(school_id, period)? {
            return Ok((m.id, false));
        }
        self.conn.execute(
            "INSERT INTO meetings (school_id, academic_year, term) VALUES (?1, ?2, ?3)",
            params![school_id, period.year.0, period.term.number()],
        )?;
        Ok((self.conn.last_insert_rowid(), true))
    }

    /// A meeting, whole: its record, attendees, discussions, actions, CME enquiries,
    /// legal reviews, and the earlier actions up for review (their rates left empty
    /// for the caller to fill from the analysis).
    ///
    /// # Errors
    /// SQLite errors; [`StoreError::Damaged`] for values this build cannot read.
    pub fn load_meeting(&self, id: i64) -> Result<Meeting, StoreError> {
        let c = &self.conn;
        let row = c
            .query_row(
                "SELECT school_id, academic_year, term, scheduled_for, start_time, mode, status,
                        next_meeting, trends_notes, practice_notes
                 FROM meetings WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i32>(1)?,
                        r.get::<_, u8>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, String>(8)?,
                        r.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::Damaged(format!("no meeting {id}")))?;
        let (school_id, year, term, day, time, mode, status, next, trends, practice) = row;
        let term = Term::from_number(term).ok_or_else(|| damaged("term", &term.to_string()))?;
        let mut m = Meeting::new(id, school_id, Period::new(year, term));
        m.date = date(day);
        m.time = time;
        m.mode = MeetingMode::from_key(&mode).ok_or_else(|| damaged("meeting mode", &mode))?;
        m.status =
            MeetingStatus::from_key(&status).ok_or_else(|| damaged("meeting status", &status))?;
        m.next_meeting = date(next);
        m.trends_notes = trends;
        m.practice_notes = practice;

        let mut stmt = c.prepare_cached(
            "SELECT id, name, role, organisation FROM attendees WHERE meeting_id = ?1 ORDER BY id",
        )?;
        m.attendees = stmt
            .query_map([id], |r| {
                Ok(Attendee {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    organisation: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;

        let mut barriers: BTreeMap<i64, Vec<Barrier>> = BTreeMap::new();
        let mut stmt = c.prepare_cached(
            "SELECT pupil_id, id, side, category, detail FROM barriers WHERE meeting_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (pupil, bid, side, category, detail) = row?;
            barriers.entry(pupil).or_default().push(Barrier {
                id: bid,
                side: BarrierSide::from_key(&side).ok_or_else(|| damaged("barrier side", &side))?,
                category: BarrierCategory::from_key(&category)
                    .ok_or_else(|| damaged("barrier category", &category))?,
                detail,
            });
        }
        let mut stmt = c.prepare_cached(
            "SELECT pupil_id, step, lead_organisation, lead_person, support_in_place,
                    whereabouts_known, notes
             FROM discussions WHERE meeting_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, Option<bool>>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        for row in rows {
            let (pupil_id, step, organisation, person, support, known, notes) = row?;
            m.discussions.push(Discussion {
                pupil_id,
                step: PupilStep::from_key(&step).ok_or_else(|| damaged("pupil step", &step))?,
                lead: LeadPractitioner {
                    organisation,
                    person,
                },
                barriers: barriers.remove(&pupil_id).unwrap_or_default(),
                support_in_place: support,
                whereabouts_known: known,
                notes,
            });
        }

        let mut stmt = c.prepare_cached(&format!(
            "SELECT {ACTION_COLUMNS} FROM actions a WHERE a.meeting_id = ?1 ORDER BY a.id"
        ))?;
        let rows = stmt.query_map([id], |r| action_row(r, 0))?;
        for row in rows {
            m.actions.push(with_status(row?)?);
        }

        m.review = self.review_items(&m)?;
        m.cme = self.cme_enquiries(id)?;
        m.legal = self.legal_reviews(id)?;
        Ok(m)
    }

    fn review_items(&self, m: &Meeting) -> Result<Vec<ReviewItem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACTION_COLUMNS}, e.academic_year, e.term, a.reviewed_in,
                    (SELECT n.id FROM actions n WHERE n.carried_from = a.id AND n.meeting_id = ?1)
             FROM actions a JOIN meetings e ON e.id = a.meeting_id
             WHERE e.school_id = ?2
               AND (e.academic_year < ?3 OR (e.academic_year = ?3 AND e.term < ?4))
               AND (a.reviewed_in IS NULL OR a.reviewed_in = ?1)
             ORDER BY e.academic_year, e.term, a.id"
        ))?;
        let rows = stmt.query_map(
            params![m.id, m.school_id, m.period.year.0, m.period.term.number()],
            |r| {
                Ok((
                    action_row(r, 0)?,
                    r.get::<_, i32>(8)?,
                    r.get::<_, u8>(9)?,
                    r.get::<_, Option<i64>>(10)?,
                    r.get::<_, Option<i64>>(11)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (action, year, term, reviewed_in, carried_as) = row?;
            let term = Term::from_number(term).ok_or_else(|| damaged("term", &term.to_string()))?;
            out.push(ReviewItem {
                action: with_status(action)?,
                agreed_in: Period::new(year, term),
                reviewed: reviewed_in == Some(m.id),
                carried_as,
                rate_then: None,
                rate_now: None,
            });
        }
        Ok(out)
    }

    fn cme_enquiries(&self, meeting_id: i64) -> Result<Vec<CmeEnquiry>, StoreError> {
        let mut checks: BTreeMap<i64, BTreeMap<CmeCheckKind, CmeCheck>> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT pupil_id, kind, done_on, done_by, outcome FROM cme_checks WHERE meeting_id = ?1",
        )?;
        let rows = stmt.query_map([meeting_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (pupil, kind, on, by, outcome) = row?;
            let kind = CmeCheckKind::from_key(&kind).ok_or_else(|| damaged("CME check", &kind))?;
            checks.entry(pupil).or_default().insert(
                kind,
                CmeCheck {
                    on: date(on),
                    by,
                    outcome,
                },
            );
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT pupil_id, opened_on, conclusion, concluded_on FROM cme_enquiries
             WHERE meeting_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([meeting_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (pupil_id, opened, conclusion, concluded) = row?;
            out.push(CmeEnquiry {
                pupil_id,
                opened_on: date(Some(opened.clone()))
                    .ok_or_else(|| damaged("CME opening date", &opened))?,
                checks: checks.remove(&pupil_id).unwrap_or_default(),
                conclusion: conclusion
                    .map(|c| {
                        CmeConclusion::from_key(&c).ok_or_else(|| damaged("CME conclusion", &c))
                    })
                    .transpose()?,
                concluded_on: date(concluded),
            });
        }
        Ok(out)
    }

    fn legal_reviews(&self, meeting_id: i64) -> Result<Vec<LegalReview>, StoreError> {
        let mut evidence: BTreeMap<i64, BTreeMap<LegalEvidence, EvidenceItem>> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT pupil_id, item, checked, note FROM legal_evidence WHERE meeting_id = ?1",
        )?;
        let rows = stmt.query_map([meeting_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (pupil, item, checked, note) = row?;
            let item =
                LegalEvidence::from_key(&item).ok_or_else(|| damaged("legal evidence", &item))?;
            evidence
                .entry(pupil)
                .or_default()
                .insert(item, EvidenceItem { checked, note });
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT pupil_id, outcome FROM legal_reviews WHERE meeting_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([meeting_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (pupil_id, outcome) = row?;
            out.push(LegalReview {
                pupil_id,
                evidence: evidence.remove(&pupil_id).unwrap_or_default(),
                outcome: outcome
                    .map(|o| LegalOutcome::from_key(&o).ok_or_else(|| damaged("legal outcome", &o)))
                    .transpose()?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::meeting::{CmeCheck, LegalMeasure};
    use crate::domain::meeting::{Edit, MeetingText};
    use chrono::{NaiveDate, NaiveDateTime};

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    /// A school with pupils 1..=4 and a meeting in 2025-26 summer with two actions.
    fn fixture() -> (Store, i64, Vec<i64>) {
        let mut store = Store::open_in_memory().unwrap();
        let school = store.set_school("100001", Some("A"), None).unwrap();
        let mut pupils = Vec::new();
        for i in 1..=4 {
            store
                .conn
                .execute(
                    "INSERT INTO pupils (school_id, upn) VALUES (?1, ?2)",
                    params![school.id, format!("A00000000000{i}")],
                )
                .unwrap();
            pupils.push(store.conn.last_insert_rowid());
        }
        (store, school.id, pupils)
    }

    fn both(store: &mut Store, doc: &mut Meeting, edit: &Edit, when: NaiveDateTime) {
        doc.apply(edit).unwrap();
        store.apply_edit(doc.id, edit, "Officer A", when).unwrap();
    }

    #[test]
    fn every_kind_of_edit_loads_back_as_the_document_that_applied_it() {
        let (mut store, school, p) = fixture();
        let summer = Period::new(2025, Term::Summer);
        let (old, made) = store.ensure_meeting(school, summer).unwrap();
        assert!(made);
        let mut old_doc = store.load_meeting(old).unwrap();
        let mut a1 = Action::new(100, Some(p[0]));
        a1.description = "Weekly check-in".into();
        a1.owner = "Head of year".into();
        a1.due = Some(day(1));
        let mut a2 = Action::new(101, Some(p[1]));
        a2.description = "Referral to Early Help".into();
        both(
            &mut store,
            &mut old_doc,
            &Edit::Action(a1.clone()),
            at(9, 0, 0),
        );
        both(&mut store, &mut old_doc, &Edit::Action(a2), at(9, 0, 1));
        assert_eq!(store.load_meeting(old).unwrap(), old_doc);

        let autumn = Period::new(2026, Term::Autumn);
        let (id, _) = store.ensure_meeting(school, autumn).unwrap();
        assert_eq!(store.ensure_meeting(school, autumn).unwrap(), (id, false));
        let mut doc = store.load_meeting(id).unwrap();
        assert_eq!(
            doc.review.len(),
            2,
            "both summer actions come up for review"
        );
        assert!(doc.review.iter().all(|r| !r.reviewed));

        let edits = vec![
            Edit::Date(Some(day(24))),
            Edit::Text(MeetingText::Time, "10:30".into()),
            Edit::Mode(MeetingMode::Virtual),
            Edit::Status(MeetingStatus::InProgress),
            Edit::Attendee(Attendee {
                id: 200,
                name: "Officer A".into(),
                role: "Attendance officer".into(),
                organisation: "Local authority".into(),
            }),
            Edit::Attendee(Attendee {
                id: 201,
                name: "Lead B".into(),
                role: "Senior attendance lead".into(),
                organisation: "School".into(),
            }),
            Edit::Attendee(Attendee {
                id: 202,
                name: "Gone".into(),
                ..Attendee::default()
            }),
            Edit::RemoveAttendee(202),
            Edit::Text(MeetingText::TrendsNotes, "Year 9 girls".into()),
            Edit::Review {
                action: 100,
                status: ActionStatus::Done,
                note: "done in October".into(),
            },
            Edit::Review {
                action: 101,
                status: ActionStatus::NotDone,
                note: String::new(),
            },
            Edit::CarryForward { from: 101, id: 300 },
            Edit::Lead(
                p[2],
                LeadPractitioner {
                    organisation: "Virtual School".into(),
                    person: "C".into(),
                },
            ),
            Edit::Barrier(
                p[2],
                Barrier {
                    id: 310,
                    side: BarrierSide::OutOfSchool,
                    category: BarrierCategory::Housing,
                    detail: "temporary accommodation".into(),
                },
            ),
            Edit::Barrier(
                p[2],
                Barrier {
                    id: 311,
                    side: BarrierSide::InSchool,
                    category: BarrierCategory::Bullying,
                    detail: String::new(),
                },
            ),
            Edit::RemoveBarrier(p[2], 311),
            Edit::Whereabouts(p[2], Some(false)),
            Edit::OpenCme(p[2], day(24)),
            Edit::CmeCheck(
                p[2],
                CmeCheckKind::HomeVisit,
                CmeCheck {
                    on: Some(day(25)),
                    by: "EWO".into(),
                    outcome: "no answer".into(),
                },
            ),
            Edit::ConcludeCme(p[2], Some(CmeConclusion::ReferredCme), Some(day(26))),
            Edit::Discuss(p[1], PupilStep::Severe),
            Edit::Barrier(
                p[1],
                Barrier {
                    id: 312,
                    side: BarrierSide::InSchool,
                    category: BarrierCategory::Bullying,
                    detail: "goes with the discussion".into(),
                },
            ),
            Edit::Undiscuss(p[1]),
            Edit::Discuss(p[3], PupilStep::Persistent),
            Edit::SupportInPlace(p[3], true),
            Edit::PupilNotes(p[3], "CAMHS already involved".into()),
            Edit::ProposeLegal(p[1]),
            Edit::WithdrawLegal(p[1]),
            Edit::Text(MeetingText::PracticeNotes, "first-day calls".into()),
            Edit::ProposeLegal(p[0]),
            Edit::Evidence(
                p[0],
                LegalEvidence::NoticeToImprove,
                EvidenceItem {
                    checked: true,
                    note: "sent 1 Oct".into(),
                },
            ),
            Edit::LegalOutcome(
                p[0],
                Some(LegalOutcome::Proceed(LegalMeasure::PenaltyNotice)),
            ),
            Edit::Action(Action {
                due: Some(day(30)),
                ..Action::new(320, Some(p[2]))
            }),
            Edit::RemoveAction(320),
            Edit::NextMeeting(Some(NaiveDate::from_ymd_opt(2027, 2, 2).unwrap())),
            Edit::Status(MeetingStatus::Held),
        ];
        // Every kind of edit is in the list: a new kind fails to compile here (the
        // match has no wildcard) until the list has one.
        let kind = |e: &Edit| -> &'static str {
            match e {
                Edit::Date(_) => "date",
                Edit::Text(MeetingText::Time, _) => "text time",
                Edit::Text(MeetingText::TrendsNotes, _) => "text trends",
                Edit::Text(MeetingText::PracticeNotes, _) => "text practice",
                Edit::Mode(_) => "mode",
                Edit::Status(_) => "status",
                Edit::NextMeeting(_) => "next meeting",
                Edit::Attendee(_) => "attendee",
                Edit::RemoveAttendee(_) => "remove attendee",
                Edit::Discuss(..) => "discuss",
                Edit::Undiscuss(_) => "undiscuss",
                Edit::Lead(..) => "lead",
                Edit::Barrier(..) => "barrier",
                Edit::RemoveBarrier(..) => "remove barrier",
                Edit::SupportInPlace(..) => "support in place",
                Edit::Whereabouts(..) => "whereabouts",
                Edit::PupilNotes(..) => "pupil notes",
                Edit::Action(_) => "action",
                Edit::RemoveAction(_) => "remove action",
                Edit::Review { .. } => "review",
                Edit::CarryForward { .. } => "carry forward",
                Edit::OpenCme(..) => "open cme",
                Edit::CmeCheck(..) => "cme check",
                Edit::ConcludeCme(..) => "conclude cme",
                Edit::ProposeLegal(_) => "propose legal",
                Edit::WithdrawLegal(_) => "withdraw legal",
                Edit::Evidence(..) => "evidence",
                Edit::LegalOutcome(..) => "legal outcome",
            }
        };
        let kinds: std::collections::BTreeSet<_> = edits.iter().map(kind).collect();
        assert_eq!(kinds.len(), 28, "every kind of edit is applied: {kinds:?}");
        for (i, e) in edits.iter().enumerate() {
            let secs = u32::try_from(i).unwrap();
            both(&mut store, &mut doc, e, at(10, 0, secs));
        }
        // The pupil discussed then undiscussed has no discussion or barrier left, and
        // the withdrawn proposal is gone.
        assert!(!doc.discussions.iter().any(|d| d.pupil_id == p[1]));
        assert_eq!(doc.practice_notes, "first-day calls");
        let left: i64 = store
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM discussions WHERE pupil_id = ?1)
                      + (SELECT COUNT(*) FROM barriers WHERE pupil_id = ?1)
                      + (SELECT COUNT(*) FROM legal_reviews WHERE pupil_id = ?1)",
                [p[1]],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0);
        let loaded = store.load_meeting(id).unwrap();
        assert_eq!(loaded, doc);
        assert_eq!(loaded.attendees.len(), 2);
        assert_eq!(loaded.actions.len(), 1);
        assert_eq!(loaded.actions[0].carried_from, Some(101));
        assert_eq!(loaded.review[1].carried_as, Some(300));
        assert_eq!(store.open_cme_count(school).unwrap(), 0);
        let held: Option<String> = store
            .conn
            .query_row("SELECT held_on FROM meetings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(held.as_deref(), Some("2026-11-24"));

        // The next term's meeting reviews only the action carried forward.
        let spring = Period::new(2026, Term::Spring);
        let (next, _) = store.ensure_meeting(school, spring).unwrap();
        let next_doc = store.load_meeting(next).unwrap();
        let ids: Vec<_> = next_doc.review.iter().map(|r| r.action.id).collect();
        assert_eq!(ids, vec![300]);
    }

    #[test]
    fn an_edit_naming_another_meetings_row_changes_nothing() {
        let (mut store, school, _) = fixture();
        let (a, _) = store
            .ensure_meeting(school, Period::new(2026, Term::Autumn))
            .unwrap();
        let (b, _) = store
            .ensure_meeting(school, Period::new(2026, Term::Spring))
            .unwrap();
        let mut action = Action::new(1, None);
        action.description = "x".into();
        store
            .apply_edit(a, &Edit::Action(action.clone()), "O", at(9, 0, 0))
            .unwrap();
        action.description = "hijack".into();
        let err = store
            .apply_edit(b, &Edit::Action(action), "O", at(9, 0, 1))
            .unwrap_err();
        assert!(
            err.to_string().contains("not part of this meeting"),
            "{err}"
        );
        assert_eq!(store.load_meeting(a).unwrap().actions[0].description, "x");
        assert!(store.load_meeting(b).unwrap().actions.is_empty());
        assert_eq!(store.audit_trail(b, 10).unwrap(), vec![]);
        // Concluding an enquiry that was never opened is refused too.
        assert!(
            store
                .apply_edit(
                    b,
                    &Edit::ConcludeCme(1, Some(CmeConclusion::ReferredCme), None),
                    "O",
                    at(9, 0, 2)
                )
                .is_err()
        );
    }

    #[test]
    fn typing_into_one_box_is_one_audit_row_and_another_officer_starts_a_new_one() {
        let (mut store, school, _) = fixture();
        let (m, _) = store
            .ensure_meeting(school, Period::new(2026, Term::Autumn))
            .unwrap();
        for (i, text) in ["Y", "Ye", "Yea", "Year"].iter().enumerate() {
            let secs = u32::try_from(i).unwrap() * 10;
            store
                .apply_edit(
                    m,
                    &Edit::Text(MeetingText::TrendsNotes, (*text).into()),
                    "Officer A",
                    at(10, 0, secs),
                )
                .unwrap();
        }
        store
            .apply_edit(
                m,
                &Edit::Mode(MeetingMode::Virtual),
                "Officer A",
                at(10, 1, 0),
            )
            .unwrap();
        store
            .apply_edit(
                m,
                &Edit::Text(MeetingText::TrendsNotes, "Year 9".into()),
                "Officer B",
                at(10, 1, 5),
            )
            .unwrap();
        store
            .apply_edit(
                m,
                &Edit::Text(MeetingText::TrendsNotes, "Year 9 girls".into()),
                "Officer B",
                at(10, 5, 0),
            )
            .unwrap();
        let trail = store.audit_trail(m, 10).unwrap();
        let got: Vec<_> = trail
            .iter()
            .map(|r| {
                (
                    r.at.format("%H:%M:%S").to_string(),
                    r.officer.as_str(),
                    r.summary.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("10:05:00".to_owned(), "Officer B", "trends notes"),
                ("10:01:05".to_owned(), "Officer B", "trends notes"),
                ("10:01:00".to_owned(), "Officer A", "mode Virtual"),
                ("10:00:30".to_owned(), "Officer A", "trends notes"),
            ]
        );
    }

    #[test]
    fn tracker_lists_actions_with_lead_and_status_changes_show_at_review() {
        let (mut store, school, p) = fixture();
        let (m, _) = store
            .ensure_meeting(school, Period::new(2026, Term::Autumn))
            .unwrap();
        let lead = LeadPractitioner {
            organisation: "Housing".into(),
            person: String::new(),
        };
        store
            .apply_edit(m, &Edit::Lead(p[0], lead), "O", at(9, 0, 0))
            .unwrap();
        let mut a = Action::new(7, Some(p[0]));
        a.description = "Call housing".into();
        store
            .apply_edit(m, &Edit::Action(a), "O", at(9, 0, 1))
            .unwrap();
        store
            .apply_edit(m, &Edit::Action(Action::new(8, None)), "O", at(9, 0, 2))
            .unwrap();
        let t = store.tracked_actions().unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(
            (t[0].lead.as_str(), t[0].upn.as_deref(), t[0].urn.as_str()),
            ("Housing", Some("A000000000001"), "100001")
        );
        assert_eq!((t[1].lead.as_str(), t[1].upn.as_deref()), ("", None));
        store
            .set_action_status(7, ActionStatus::Partly, "O", at(9, 1, 0))
            .unwrap();
        assert!(
            store
                .set_action_status(99, ActionStatus::Done, "O", at(9, 1, 0))
                .is_err()
        );
        let (next, _) = store
            .ensure_meeting(school, Period::new(2026, Term::Spring))
            .unwrap();
        let review = store.load_meeting(next).unwrap().review;
        assert_eq!(review[0].action.status, ActionStatus::Partly);
        assert!(!review[0].reviewed);
    }
}
