//! The [`Edit`]s that change a meeting one field at a time, how each is described in
//! the audit trail, and [`Meeting::apply`].

use super::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One change to a meeting. Every edit the UI makes is one of these, applied to its
/// copy and written by the store with an audit row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edit {
    /// The date.
    Date(Option<NaiveDate>),
    /// A text field.
    Text(MeetingText, String),
    /// Virtual or in person.
    Mode(MeetingMode),
    /// The status.
    Status(MeetingStatus),
    /// The next meeting's date.
    NextMeeting(Option<NaiveDate>),
    /// Adds or changes an attendee.
    Attendee(Attendee),
    /// Removes an attendee.
    RemoveAttendee(RowId),
    /// Starts discussing a pupil.
    Discuss(i64, PupilStep),
    /// Removes a pupil's discussion (with its barriers).
    Undiscuss(i64),
    /// Sets a pupil's lead practitioner.
    Lead(i64, LeadPractitioner),
    /// Adds or changes a barrier.
    Barrier(i64, Barrier),
    /// Removes a barrier.
    RemoveBarrier(i64, RowId),
    /// "Support already in place, not discussed".
    SupportInPlace(i64, bool),
    /// Whether the pupil's whereabouts are known.
    Whereabouts(i64, Option<bool>),
    /// Discussion notes.
    PupilNotes(i64, String),
    /// Adds or changes an action agreed at this meeting.
    Action(Action),
    /// Removes an action agreed at this meeting.
    RemoveAction(RowId),
    /// Reviews an earlier meeting's action.
    Review {
        /// The action.
        action: RowId,
        /// Its new status.
        status: ActionStatus,
        /// The review note.
        note: String,
    },
    /// Carries an earlier action forward as a new one at this meeting.
    CarryForward {
        /// The earlier action.
        from: RowId,
        /// The new action's id.
        id: RowId,
    },
    /// Opens a CME enquiry for a pupil (nothing happens if one is open already).
    OpenCme {
        /// The new enquiry's id.
        id: RowId,
        /// The pupil.
        pupil: i64,
        /// The day it is opened.
        on: NaiveDate,
    },
    /// Records (or corrects) one check on an enquiry, at this meeting; the enquiry may
    /// have been opened at an earlier one.
    CmeCheck {
        /// The enquiry.
        enquiry: RowId,
        /// Its pupil.
        pupil: i64,
        /// The check.
        check: CmeCheck,
    },
    /// Concludes (or reopens) a CME enquiry, from any meeting.
    ConcludeCme {
        /// The enquiry.
        enquiry: RowId,
        /// Its pupil.
        pupil: i64,
        /// The conclusion (`None` reopens it).
        conclusion: Option<CmeConclusion>,
        /// When it was reached.
        on: Option<NaiveDate>,
    },
    /// Proposes a pupil for legal intervention.
    ProposeLegal(i64),
    /// Withdraws a legal proposal.
    WithdrawLegal(i64),
    /// One line of the support-first checklist.
    Evidence(i64, LegalEvidence, EvidenceItem),
    /// The legal decision.
    LegalOutcome(i64, Option<LegalOutcome>),
}

impl Edit {
    /// What the edit changes, as a stable key: consecutive edits to the same target
    /// (typing into one box) are one change in the audit trail.
    #[must_use]
    pub fn target(&self) -> String {
        match self {
            Edit::Date(_) => "meeting.date".into(),
            Edit::Text(t, _) => format!("meeting.{t:?}"),
            Edit::Mode(_) => "meeting.mode".into(),
            Edit::Status(_) => "meeting.status".into(),
            Edit::NextMeeting(_) => "meeting.next".into(),
            Edit::Attendee(a) => format!("attendee.{}", a.id),
            Edit::RemoveAttendee(id) => format!("attendee.{id}.removed"),
            Edit::Discuss(p, _) | Edit::Undiscuss(p) => format!("pupil.{p}.discussed"),
            Edit::Lead(p, _) => format!("pupil.{p}.lead"),
            Edit::Barrier(p, b) => format!("pupil.{p}.barrier.{}", b.id),
            Edit::RemoveBarrier(p, id) => format!("pupil.{p}.barrier.{id}.removed"),
            Edit::SupportInPlace(p, _) => format!("pupil.{p}.support_in_place"),
            Edit::Whereabouts(p, _) => format!("pupil.{p}.whereabouts"),
            Edit::PupilNotes(p, _) => format!("pupil.{p}.notes"),
            Edit::Action(a) => format!("action.{}", a.id),
            Edit::RemoveAction(id) => format!("action.{id}.removed"),
            Edit::Review { action, .. } => format!("review.{action}"),
            Edit::CarryForward { from, .. } => format!("review.{from}.carried"),
            Edit::OpenCme { id, .. } => format!("cme.{id}"),
            Edit::CmeCheck { enquiry, check, .. } => format!("cme.{enquiry}.check.{}", check.id),
            Edit::ConcludeCme { enquiry, .. } => format!("cme.{enquiry}.conclusion"),
            Edit::ProposeLegal(p) | Edit::WithdrawLegal(p) => format!("pupil.{p}.legal"),
            Edit::Evidence(p, e, _) => format!("pupil.{p}.legal.{}", e.key()),
            Edit::LegalOutcome(p, _) => format!("pupil.{p}.legal.outcome"),
        }
    }

    /// A short description for the audit trail, without free text (which may name
    /// people).
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Edit::Date(d) => format!("meeting date {}", opt_date(*d)),
            Edit::Text(MeetingText::Time, t) => format!("start time {t}"),
            Edit::Text(MeetingText::TrendsNotes, _) => "trends notes".into(),
            Edit::Text(MeetingText::PracticeNotes, _) => "practice and policy notes".into(),
            Edit::Mode(m) => format!("mode {}", m.label()),
            Edit::Status(s) => format!("status {}", s.label()),
            Edit::NextMeeting(d) => format!("next meeting {}", opt_date(*d)),
            Edit::Attendee(_) => "attendee".into(),
            Edit::RemoveAttendee(_) => "attendee removed".into(),
            Edit::Discuss(_, s) => format!("pupil added ({})", s.label()),
            Edit::Undiscuss(_) => "pupil removed".into(),
            Edit::Lead(_, l) => format!("lead practitioner {}", l.organisation),
            Edit::Barrier(_, b) => format!("barrier {} / {}", b.side.label(), b.category.label()),
            Edit::RemoveBarrier(..) => "barrier removed".into(),
            Edit::SupportInPlace(_, b) => format!("support in place {}", yes_no(*b)),
            Edit::Whereabouts(_, k) => format!(
                "whereabouts known {}",
                k.map_or("not answered", |k| yes_no(k))
            ),
            Edit::PupilNotes(..) => "pupil notes".into(),
            Edit::Action(a) => format!("action ({})", a.status.label()),
            Edit::RemoveAction(_) => "action removed".into(),
            Edit::Review { status, .. } => format!("reviewed: {}", status.label()),
            Edit::CarryForward { .. } => "carried forward".into(),
            Edit::OpenCme { .. } => "CME enquiry opened".into(),
            Edit::CmeCheck { check, .. } => format!("CME check: {}", check.kind.label()),
            Edit::ConcludeCme { conclusion, .. } => format!(
                "CME conclusion: {}",
                conclusion.map_or("none", CmeConclusion::label)
            ),
            Edit::ProposeLegal(_) => "proposed for legal intervention".into(),
            Edit::WithdrawLegal(_) => "legal proposal withdrawn".into(),
            Edit::Evidence(_, e, i) => format!("evidence {}: {}", e.label(), yes_no(i.checked)),
            Edit::LegalOutcome(_, o) => format!(
                "legal outcome: {}",
                o.map_or_else(|| "none".to_owned(), LegalOutcome::label)
            ),
        }
    }

    /// The pupil the edit is about, if any.
    #[must_use]
    pub fn pupil(&self) -> Option<i64> {
        match self {
            Edit::Discuss(p, _)
            | Edit::Undiscuss(p)
            | Edit::Lead(p, _)
            | Edit::Barrier(p, _)
            | Edit::RemoveBarrier(p, _)
            | Edit::SupportInPlace(p, _)
            | Edit::Whereabouts(p, _)
            | Edit::PupilNotes(p, _)
            | Edit::OpenCme { pupil: p, .. }
            | Edit::CmeCheck { pupil: p, .. }
            | Edit::ConcludeCme { pupil: p, .. }
            | Edit::ProposeLegal(p)
            | Edit::WithdrawLegal(p)
            | Edit::Evidence(p, _, _)
            | Edit::LegalOutcome(p, _) => Some(*p),
            Edit::Action(a) => a.pupil_id,
            _ => None,
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "cleared".to_owned(), crate::domain::dates::day)
}

/// Why an edit could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The edit names a row the meeting does not have.
    #[error("{0} is not part of this meeting")]
    Missing(String),
}

impl Meeting {
    /// An empty meeting record.
    #[must_use]
    pub fn new(id: i64, school_id: i64, period: Period) -> Meeting {
        Meeting {
            id,
            school_id,
            period,
            date: None,
            time: String::new(),
            mode: MeetingMode::InPerson,
            status: MeetingStatus::Planned,
            next_meeting: None,
            attendees: Vec::new(),
            trends_notes: String::new(),
            practice_notes: String::new(),
            discussions: Vec::new(),
            actions: Vec::new(),
            review: Vec::new(),
            cme: Vec::new(),
            proposals: Vec::new(),
            legal: Vec::new(),
        }
    }

    /// A pupil's discussion, if they have one.
    #[must_use]
    pub fn discussion(&self, pupil_id: i64) -> Option<&Discussion> {
        self.discussions.iter().find(|d| d.pupil_id == pupil_id)
    }

    /// A pupil's CME enquiry live at this meeting: the open one, else the latest.
    #[must_use]
    pub fn cme_for(&self, pupil_id: i64) -> Option<&CmeEnquiry> {
        self.cme
            .iter()
            .find(|c| c.pupil_id == pupil_id && c.is_open())
            .or_else(|| self.cme.iter().rev().find(|c| c.pupil_id == pupil_id))
    }

    /// This meeting as other rows name it.
    #[must_use]
    pub fn meeting_ref(&self) -> MeetingRef {
        MeetingRef {
            id: self.id,
            period: self.period,
        }
    }

    /// Last time's lead, barriers and support for a pupil, while this meeting's
    /// discussion records none of them (once confirmed or changed it is not proposed).
    #[must_use]
    pub fn pending_proposal(&self, pupil_id: i64) -> Option<&Proposal> {
        let p = self.proposals.iter().find(|p| p.pupil_id == pupil_id)?;
        let d = self.discussion(pupil_id);
        let recorded = d.is_some_and(|d| {
            d.lead.is_set()
                || !d.lead.person.trim().is_empty()
                || !d.barriers.is_empty()
                || d.support_in_place
        });
        (!recorded && !p.is_empty()).then_some(p)
    }

    fn cme_mut(&mut self, enquiry: RowId, pupil: i64) -> Result<&mut CmeEnquiry, EditError> {
        self.cme
            .iter_mut()
            .find(|c| c.id == enquiry && c.pupil_id == pupil)
            .ok_or_else(|| EditError::Missing(format!("CME enquiry {enquiry}")))
    }

    /// A pupil's legal review, if proposed.
    #[must_use]
    pub fn legal_for(&self, pupil_id: i64) -> Option<&LegalReview> {
        self.legal.iter().find(|l| l.pupil_id == pupil_id)
    }

    /// Actions agreed for a pupil at this meeting.
    pub fn actions_for(&self, pupil_id: i64) -> impl Iterator<Item = &Action> {
        self.actions
            .iter()
            .filter(move |a| a.pupil_id == Some(pupil_id))
    }

    /// The discussion for a pupil, started in `step` if there is none yet (every
    /// per-pupil edit starts one, as the store does).
    fn discussion_mut(&mut self, pupil_id: i64, step: PupilStep) -> &mut Discussion {
        let i = match self.discussions.iter().position(|d| d.pupil_id == pupil_id) {
            Some(i) => i,
            None => {
                self.discussions.push(Discussion::new(pupil_id, step));
                self.discussions.len() - 1
            }
        };
        &mut self.discussions[i]
    }

    fn review_mut(&mut self, action: RowId) -> Result<&mut ReviewItem, EditError> {
        self.review
            .iter_mut()
            .find(|r| r.action.id == action)
            .ok_or_else(|| EditError::Missing(format!("action {action}")))
    }

    /// Applies one edit. Per-pupil edits start a discussion for a pupil who has none
    /// (in the severe step, the only step that lists pupils without choosing them).
    ///
    /// # Errors
    /// [`EditError::Missing`] for a review of an action that is not up for review.
    pub fn apply(&mut self, edit: &Edit) -> Result<(), EditError> {
        let default_step = PupilStep::Severe;
        match edit {
            Edit::Date(d) => self.date = *d,
            Edit::Text(MeetingText::Time, t) => self.time.clone_from(t),
            Edit::Text(MeetingText::TrendsNotes, t) => self.trends_notes.clone_from(t),
            Edit::Text(MeetingText::PracticeNotes, t) => self.practice_notes.clone_from(t),
            Edit::Mode(m) => self.mode = *m,
            Edit::Status(s) => self.status = *s,
            Edit::NextMeeting(d) => self.next_meeting = *d,
            Edit::Attendee(a) => upsert(&mut self.attendees, a.clone(), |x| x.id),
            Edit::RemoveAttendee(id) => self.attendees.retain(|a| a.id != *id),
            Edit::Discuss(p, step) => {
                if let Some(d) = self.discussions.iter_mut().find(|d| d.pupil_id == *p) {
                    d.step = *step;
                } else {
                    self.discussions.push(Discussion::new(*p, *step));
                }
            }
            Edit::Undiscuss(p) => self.discussions.retain(|d| d.pupil_id != *p),
            Edit::Lead(p, lead) => self.discussion_mut(*p, default_step).lead = lead.clone(),
            Edit::Barrier(p, b) => {
                let d = self.discussion_mut(*p, default_step);
                upsert(&mut d.barriers, b.clone(), |x| x.id);
            }
            Edit::RemoveBarrier(p, id) => {
                if let Some(d) = self.discussions.iter_mut().find(|d| d.pupil_id == *p) {
                    d.barriers.retain(|b| b.id != *id);
                }
            }
            Edit::SupportInPlace(p, v) => {
                self.discussion_mut(*p, PupilStep::Persistent)
                    .support_in_place = *v;
            }
            Edit::Whereabouts(p, v) => {
                self.discussion_mut(*p, default_step).whereabouts_known = *v;
            }
            Edit::PupilNotes(p, t) => self.discussion_mut(*p, default_step).notes.clone_from(t),
            Edit::Action(a) => upsert(&mut self.actions, a.clone(), |x| x.id),
            Edit::RemoveAction(id) => {
                self.actions.retain(|a| a.id != *id);
                for r in &mut self.review {
                    if r.carried_as == Some(*id) {
                        r.carried_as = None;
                    }
                }
            }
            Edit::Review {
                action,
                status,
                note,
            } => {
                let r = self.review_mut(*action)?;
                r.action.status = *status;
                r.action.note.clone_from(note);
                r.reviewed = true;
            }
            Edit::CarryForward { from, id } => {
                let r = self.review_mut(*from)?;
                r.carried_as = Some(*id);
                r.reviewed = true;
                let carried = carry_forward(&r.action, *id);
                upsert(&mut self.actions, carried, |x| x.id);
            }
            Edit::OpenCme { id, pupil, on } => {
                let open = self
                    .cme
                    .iter()
                    .any(|c| c.id == *id || (c.pupil_id == *pupil && c.is_open()));
                if !open {
                    let here = self.meeting_ref();
                    self.cme.push(CmeEnquiry {
                        id: *id,
                        pupil_id: *pupil,
                        opened_on: *on,
                        opened_in: here,
                        checks: Vec::new(),
                        conclusion: None,
                        concluded_on: None,
                        concluded_in: None,
                    });
                }
            }
            Edit::CmeCheck {
                enquiry,
                pupil,
                check,
            } => {
                let here = self.meeting_ref();
                let c = self.cme_mut(*enquiry, *pupil)?;
                match c.checks.iter_mut().find(|r| r.check.id == check.id) {
                    // A check recorded at another meeting is that meeting's record.
                    Some(r) if r.recorded_in.id != here.id => {
                        return Err(EditError::Missing(format!("CME check {}", check.id)));
                    }
                    Some(r) => r.check = check.clone(),
                    None => c.checks.push(RecordedCheck {
                        check: check.clone(),
                        recorded_in: here,
                    }),
                }
            }
            Edit::ConcludeCme {
                enquiry,
                pupil,
                conclusion,
                on,
            } => {
                let here = self.meeting_ref();
                let c = self.cme_mut(*enquiry, *pupil)?;
                c.conclusion = *conclusion;
                c.concluded_on = *on;
                c.concluded_in = conclusion.map(|_| here);
            }
            Edit::ProposeLegal(p) => {
                if self.legal_for(*p).is_none() {
                    self.legal.push(LegalReview {
                        pupil_id: *p,
                        evidence: BTreeMap::new(),
                        outcome: None,
                    });
                }
            }
            Edit::WithdrawLegal(p) => self.legal.retain(|l| l.pupil_id != *p),
            Edit::Evidence(p, item, value) => {
                let l = self.legal_mut(*p)?;
                l.evidence.insert(*item, value.clone());
            }
            Edit::LegalOutcome(p, outcome) => self.legal_mut(*p)?.outcome = *outcome,
        }
        Ok(())
    }

    fn legal_mut(&mut self, pupil_id: i64) -> Result<&mut LegalReview, EditError> {
        self.legal
            .iter_mut()
            .find(|l| l.pupil_id == pupil_id)
            .ok_or_else(|| EditError::Missing(format!("legal proposal for pupil {pupil_id}")))
    }
}

/// The new action that carries `from` forward: same pupil, description and owner,
/// open, with a due date still to agree.
#[must_use]
pub fn carry_forward(from: &Action, id: RowId) -> Action {
    Action {
        id,
        pupil_id: from.pupil_id,
        description: from.description.clone(),
        owner: from.owner.clone(),
        due: None,
        status: ActionStatus::Open,
        note: String::new(),
        carried_from: Some(from.id),
    }
}

fn upsert<T>(rows: &mut Vec<T>, row: T, id: impl Fn(&T) -> RowId) {
    let key = id(&row);
    match rows.iter_mut().find(|r| id(r) == key) {
        Some(slot) => *slot = row,
        None => rows.push(row),
    }
}
