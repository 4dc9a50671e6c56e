//! Meetings in the database: loading one whole (with the review of last term's actions,
//! CME enquiries and legal reviews). Writing edits is in `edits.rs`, the actions
//! tracker in `tracker.rs`.

use super::format::date;
use super::{Store, StoreError};
use crate::domain::meeting::{
    Action, ActionStatus, Attendee, Barrier, BarrierCategory, BarrierSide, CmeCheck, CmeCheckKind,
    CmeConclusion, CmeEnquiry, Discussion, EvidenceItem, LeadPractitioner, LegalEvidence,
    LegalOutcome, LegalReview, Meeting, MeetingMode, MeetingRef, MeetingStatus, Proposal,
    PupilStep, RecordedCheck, ReviewItem,
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

fn meeting_ref(id: i64, year: i32, term: u8) -> Result<MeetingRef, StoreError> {
    let term = Term::from_number(term).ok_or_else(|| damaged("term", &term.to_string()))?;
    Ok(MeetingRef {
        id,
        period: Period::new(year, term),
    })
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

        let mut barriers = self.barriers(id)?;
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
        m.cme = self.cme_enquiries(&m)?;
        m.proposals = self.proposals(&m)?;
        m.legal = self.legal_reviews(id)?;
        Ok(m)
    }

    /// A meeting's barriers, by pupil, in the order they were made.
    fn barriers(&self, meeting_id: i64) -> Result<BTreeMap<i64, Vec<Barrier>>, StoreError> {
        let mut barriers: BTreeMap<i64, Vec<Barrier>> = BTreeMap::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT pupil_id, id, side, category, detail FROM barriers WHERE meeting_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([meeting_id], |r| {
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
        Ok(barriers)
    }

    /// For each pupil discussed at an earlier meeting of the school, what the latest
    /// such meeting recorded (lead, barriers, support in place), when there is any.
    fn proposals(&self, m: &Meeting) -> Result<Vec<Proposal>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.pupil_id, e.id, e.academic_year, e.term, d.lead_organisation,
                    d.lead_person, d.support_in_place
             FROM discussions d JOIN meetings e ON e.id = d.meeting_id
             WHERE e.school_id = ?1
               AND (e.academic_year < ?2 OR (e.academic_year = ?2 AND e.term < ?3))
             ORDER BY e.academic_year DESC, e.term DESC, d.rowid",
        )?;
        let rows = stmt.query_map(
            params![m.school_id, m.period.year.0, m.period.term.number()],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i32>(2)?,
                    r.get::<_, u8>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, bool>(6)?,
                ))
            },
        )?;
        let mut latest: BTreeMap<i64, (i64, Proposal)> = BTreeMap::new();
        for row in rows {
            let (pupil_id, meeting, year, term, organisation, person, support) = row?;
            if latest.contains_key(&pupil_id) {
                continue;
            }
            let term = Term::from_number(term).ok_or_else(|| damaged("term", &term.to_string()))?;
            latest.insert(
                pupil_id,
                (
                    meeting,
                    Proposal {
                        pupil_id,
                        from: Period::new(year, term),
                        lead: LeadPractitioner {
                            organisation,
                            person,
                        },
                        barriers: Vec::new(),
                        support_in_place: support,
                    },
                ),
            );
        }
        let mut by_meeting: BTreeMap<i64, BTreeMap<i64, Vec<Barrier>>> = BTreeMap::new();
        let mut out = Vec::new();
        for (pupil, (meeting, mut proposal)) in latest {
            if let std::collections::btree_map::Entry::Vacant(e) = by_meeting.entry(meeting) {
                e.insert(self.barriers(meeting)?);
            }
            proposal.barriers = by_meeting
                .get_mut(&meeting)
                .and_then(|b| b.remove(&pupil))
                .unwrap_or_default();
            if !proposal.is_empty() {
                out.push(proposal);
            }
        }
        Ok(out)
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

    /// The CME enquiries of the school's pupils live at meeting `m`: opened at it, or
    /// at an earlier meeting and open, or concluded at it or a later one (or at a
    /// meeting since deleted), with every check recorded on them.
    fn cme_enquiries(&self, m: &Meeting) -> Result<Vec<CmeEnquiry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.pupil_id, c.opened_on, c.conclusion, c.concluded_on,
                    o.id, o.academic_year, o.term, k.id, k.academic_year, k.term
             FROM cme_enquiries c
             JOIN meetings o ON o.id = c.meeting_id
             LEFT JOIN meetings k ON k.id = c.concluded_in
             WHERE o.school_id = ?1
               AND (o.academic_year < ?2 OR (o.academic_year = ?2 AND o.term <= ?3))
               AND (o.id = ?4 OR c.conclusion IS NULL OR c.conclusion = 'still_missing'
                    OR k.id IS NULL OR k.academic_year > ?2
                    OR (k.academic_year = ?2 AND k.term >= ?3))
             ORDER BY o.academic_year, o.term, c.id",
        )?;
        let rows = stmt.query_map(
            params![m.school_id, m.period.year.0, m.period.term.number(), m.id],
            |r| {
                Ok((
                    (
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ),
                    (r.get::<_, i64>(5)?, r.get::<_, i32>(6)?, r.get::<_, u8>(7)?),
                    (
                        r.get::<_, Option<i64>>(8)?,
                        r.get::<_, Option<i32>>(9)?,
                        r.get::<_, Option<u8>>(10)?,
                    ),
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let ((id, pupil_id, opened, conclusion, concluded), opened_in, concluded_in) = row?;
            let concluded_in = match concluded_in {
                (Some(k), Some(y), Some(t)) => Some(meeting_ref(k, y, t)?),
                _ => None,
            };
            out.push(CmeEnquiry {
                id,
                pupil_id,
                opened_on: date(Some(opened.clone()))
                    .ok_or_else(|| damaged("CME opening date", &opened))?,
                opened_in: meeting_ref(opened_in.0, opened_in.1, opened_in.2)?,
                checks: self.cme_checks(id)?,
                conclusion: conclusion
                    .map(|c| {
                        CmeConclusion::from_key(&c).ok_or_else(|| damaged("CME conclusion", &c))
                    })
                    .transpose()?,
                concluded_on: date(concluded),
                concluded_in,
            });
        }
        Ok(out)
    }

    /// An enquiry's checks, at every meeting, by meeting and then as recorded.
    fn cme_checks(&self, enquiry: i64) -> Result<Vec<RecordedCheck>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT k.id, k.kind, k.done_on, k.done_by, k.outcome, me.id, me.academic_year, me.term
             FROM cme_checks k JOIN meetings me ON me.id = k.meeting_id
             WHERE k.enquiry_id = ?1
             ORDER BY me.academic_year, me.term, k.id",
        )?;
        let rows = stmt.query_map([enquiry], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, i32>(6)?,
                r.get::<_, u8>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, on, by, outcome, meeting, year, term) = row?;
            let kind = CmeCheckKind::from_key(&kind).ok_or_else(|| damaged("CME check", &kind))?;
            out.push(RecordedCheck {
                check: CmeCheck {
                    id,
                    kind,
                    on: date(on),
                    by,
                    outcome,
                },
                recorded_in: meeting_ref(meeting, year, term)?,
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
            Edit::OpenCme {
                id: 330,
                pupil: p[2],
                on: day(24),
            },
            Edit::CmeCheck {
                enquiry: 330,
                pupil: p[2],
                check: CmeCheck {
                    on: Some(day(25)),
                    by: "EWO".into(),
                    outcome: "no answer".into(),
                    ..CmeCheck::new(331, CmeCheckKind::HomeVisit)
                },
            },
            Edit::ConcludeCme {
                enquiry: 330,
                pupil: p[2],
                conclusion: Some(CmeConclusion::ReferredCme),
                on: Some(day(26)),
            },
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
                Edit::OpenCme { .. } => "open cme",
                Edit::CmeCheck { .. } => "cme check",
                Edit::ConcludeCme { .. } => "conclude cme",
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
                    &Edit::ConcludeCme {
                        enquiry: 1,
                        pupil: 1,
                        conclusion: Some(CmeConclusion::ReferredCme),
                        on: None
                    },
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

    /// Pupil 3's enquiry opened at the summer meeting with a home visit; the autumn
    /// meeting records a second home visit and concludes it.
    #[test]
    fn an_enquiry_follows_the_pupil_into_later_meetings_and_is_concluded_once() {
        let (mut store, school, p) = fixture();
        let summer = store
            .ensure_meeting(school, Period::new(2025, Term::Summer))
            .unwrap()
            .0;
        let autumn = store
            .ensure_meeting(school, Period::new(2026, Term::Autumn))
            .unwrap()
            .0;
        let spring = store
            .ensure_meeting(school, Period::new(2026, Term::Spring))
            .unwrap()
            .0;
        let visit = |id, by: &str| CmeCheck {
            on: Some(day(2)),
            by: by.into(),
            outcome: "no answer".into(),
            ..CmeCheck::new(id, CmeCheckKind::HomeVisit)
        };
        let mut doc = store.load_meeting(summer).unwrap();
        for e in [
            Edit::OpenCme {
                id: 40,
                pupil: p[2],
                on: day(1),
            },
            Edit::CmeCheck {
                enquiry: 40,
                pupil: p[2],
                check: visit(41, "EWO"),
            },
        ] {
            both(&mut store, &mut doc, &e, at(9, 0, 0));
        }
        assert_eq!(store.open_cme_count(school).unwrap(), 1);

        // Autumn sees it open, with the summer's check and where it was made.
        let mut doc = store.load_meeting(autumn).unwrap();
        assert_eq!(doc.cme.len(), 1);
        let c = &doc.cme[0];
        assert_eq!((c.id, c.pupil_id, c.is_open()), (40, p[2], true));
        assert_eq!(c.opened_in.id, summer);
        assert_eq!(c.checks.len(), 1);
        assert_eq!(
            c.checks[0].recorded_in.period,
            Period::new(2025, Term::Summer)
        );
        // Opening again in autumn changes nothing; a second home visit is added.
        let edits = [
            Edit::OpenCme {
                id: 50,
                pupil: p[2],
                on: day(20),
            },
            Edit::CmeCheck {
                enquiry: 40,
                pupil: p[2],
                check: visit(51, "Family Worker"),
            },
        ];
        for (i, e) in edits.iter().enumerate() {
            both(&mut store, &mut doc, e, at(9, 1, u32::try_from(i).unwrap()));
        }
        // The summer's check cannot be rewritten from autumn.
        let err = store
            .apply_edit(
                autumn,
                &Edit::CmeCheck {
                    enquiry: 40,
                    pupil: p[2],
                    check: visit(41, "rewritten"),
                },
                "O",
                at(9, 2, 0),
            )
            .unwrap_err();
        assert!(
            err.to_string().contains("not part of this meeting"),
            "{err}"
        );
        both(
            &mut store,
            &mut doc,
            &Edit::ConcludeCme {
                enquiry: 40,
                pupil: p[2],
                conclusion: Some(CmeConclusion::OnRollElsewhere),
                on: Some(day(22)),
            },
            at(9, 3, 0),
        );
        assert_eq!(store.load_meeting(autumn).unwrap(), doc);
        let rows: (i64, i64, i64) = store
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM cme_enquiries), (SELECT COUNT(*) FROM cme_checks),
                        (SELECT COUNT(*) FROM cme_checks WHERE meeting_id = ?1)",
                [autumn],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(rows, (1, 2, 1));
        assert_eq!(store.open_cme_count(school).unwrap(), 0);
        // The summer meeting shows the whole history, concluded in autumn; the spring
        // meeting after it no longer lists it.
        let s = store.load_meeting(summer).unwrap();
        assert_eq!(s.cme[0].checks.len(), 2);
        assert_eq!(s.cme[0].concluded_in.map(|k| k.id), Some(autumn));
        assert!(store.load_meeting(spring).unwrap().cme.is_empty());
        // An enquiry of another school's pupil is refused.
        let other = store.set_school("100002", Some("B"), None).unwrap();
        let (theirs, _) = store
            .ensure_meeting(other.id, Period::new(2026, Term::Autumn))
            .unwrap();
        assert!(
            store
                .apply_edit(
                    theirs,
                    &Edit::ConcludeCme {
                        enquiry: 40,
                        pupil: p[2],
                        conclusion: None,
                        on: None
                    },
                    "O",
                    at(9, 4, 0)
                )
                .is_err()
        );
        assert!(
            store
                .apply_edit(
                    theirs,
                    &Edit::OpenCme {
                        id: 60,
                        pupil: p[2],
                        on: day(1)
                    },
                    "O",
                    at(9, 4, 1)
                )
                .is_err()
        );
    }

    #[test]
    fn a_pupil_discussed_before_arrives_with_last_times_lead_and_barriers_proposed() {
        let (mut store, school, p) = fixture();
        let summer = store
            .ensure_meeting(school, Period::new(2025, Term::Summer))
            .unwrap()
            .0;
        let housing = Barrier {
            id: 70,
            side: BarrierSide::OutOfSchool,
            category: BarrierCategory::Housing,
            detail: "temporary accommodation".into(),
        };
        let lead = LeadPractitioner {
            organisation: "Virtual School".into(),
            person: "A. Worker".into(),
        };
        let mut doc = store.load_meeting(summer).unwrap();
        for e in [
            Edit::Lead(p[0], lead.clone()),
            Edit::Barrier(p[0], housing.clone()),
            Edit::Discuss(p[1], PupilStep::Persistent),
            Edit::SupportInPlace(p[1], true),
            // Discussed with nothing to carry: no proposal.
            Edit::Discuss(p[3], PupilStep::AtRisk),
        ] {
            both(&mut store, &mut doc, &e, at(9, 0, 0));
        }
        assert!(doc.proposals.is_empty(), "nothing earlier than the summer");
        let autumn = store
            .ensure_meeting(school, Period::new(2026, Term::Autumn))
            .unwrap()
            .0;
        let doc = store.load_meeting(autumn).unwrap();
        let from = Period::new(2025, Term::Summer);
        assert_eq!(
            doc.proposals,
            vec![
                Proposal {
                    pupil_id: p[0],
                    from,
                    lead: lead.clone(),
                    barriers: vec![housing],
                    support_in_place: false,
                },
                Proposal {
                    pupil_id: p[1],
                    from,
                    lead: LeadPractitioner::default(),
                    barriers: Vec::new(),
                    support_in_place: true,
                },
            ]
        );
        assert!(doc.pending_proposal(p[0]).is_some());
        // Autumn changes the lead; spring is proposed autumn's, the latest.
        let changed = LeadPractitioner {
            organisation: "Housing".into(),
            person: String::new(),
        };
        store
            .apply_edit(autumn, &Edit::Lead(p[0], changed.clone()), "O", at(9, 1, 0))
            .unwrap();
        let (spring, _) = store
            .ensure_meeting(school, Period::new(2026, Term::Spring))
            .unwrap();
        let next = store.load_meeting(spring).unwrap();
        let got = next.pending_proposal(p[0]).unwrap();
        assert_eq!(
            (got.from, &got.lead),
            (Period::new(2026, Term::Autumn), &changed)
        );
        assert!(got.barriers.is_empty());
    }

    /// A version-6 database with an enquiry and a check keeps both through migration 7.
    #[test]
    fn migration_7_keeps_existing_enquiries_and_checks() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        for sql in &crate::store::MIGRATIONS[..6] {
            let tx = conn.transaction().unwrap();
            tx.execute_batch(sql).unwrap();
            tx.commit().unwrap();
        }
        conn.execute_batch(
            "INSERT INTO schools (id, urn) VALUES (1, '100001');
             INSERT INTO pupils (id, school_id, upn) VALUES (5, 1, 'A000000000001'), (6, 1, 'A000000000002');
             INSERT INTO meetings (id, school_id, academic_year, term) VALUES (9, 1, 2025, 3);
             INSERT INTO cme_enquiries (meeting_id, pupil_id, opened_on) VALUES (9, 5, '2026-07-01');
             INSERT INTO cme_enquiries (meeting_id, pupil_id, opened_on, conclusion, concluded_on)
                 VALUES (9, 6, '2026-07-01', 'referred_cme', '2026-07-03');
             INSERT INTO cme_checks (meeting_id, pupil_id, kind, done_on, done_by, outcome)
                 VALUES (9, 5, 'home_visit', '2026-07-02', 'EWO', 'no answer'),
                        (9, 5, 'parents', NULL, 'EWO', 'phone off');
             PRAGMA user_version = 6;",
        )
        .unwrap();
        let mut store = Store::init(conn, None).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            crate::store::SCHEMA_VERSION
        );
        let m = store.load_meeting(9).unwrap();
        let got: Vec<_> = m
            .cme
            .iter()
            .map(|c| {
                (
                    c.id,
                    c.pupil_id,
                    c.is_open(),
                    c.concluded_in.map(|k| k.id),
                    c.checks
                        .iter()
                        .map(|k| (k.check.id, k.check.kind, k.check.outcome.as_str()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    1,
                    5,
                    true,
                    None,
                    vec![
                        (1, CmeCheckKind::HomeVisit, "no answer"),
                        (2, CmeCheckKind::Parents, "phone off")
                    ]
                ),
                (2, 6, false, Some(9), vec![]),
            ]
        );
        assert_eq!(store.open_cme_count(1).unwrap(), 1);
        // New checks get the app's ids beside the migrated ones.
        store
            .apply_edit(
                9,
                &Edit::CmeCheck {
                    enquiry: 1,
                    pupil: 5,
                    check: CmeCheck::new(1_000_000, CmeCheckKind::Police),
                },
                "O",
                at(9, 0, 0),
            )
            .unwrap();
        assert_eq!(store.load_meeting(9).unwrap().cme[0].checks.len(), 3);
    }
}
