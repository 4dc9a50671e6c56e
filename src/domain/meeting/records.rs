//! The rows a meeting is made of: attendees, pupil discussions with barriers and lead
//! practitioners, actions, CME enquiries, legal reviews and the review of last term's
//! actions, and the meeting document itself.

use super::*;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Someone at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Attendee {
    /// Row id.
    pub id: RowId,
    /// Name.
    pub name: String,
    /// Role ("Senior attendance lead").
    pub role: String,
    /// Organisation ("Hillside Academy", "Local authority").
    pub organisation: String,
}

/// A barrier to a pupil's attendance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barrier {
    /// Row id.
    pub id: RowId,
    /// In or out of school.
    pub side: BarrierSide,
    /// Category.
    pub category: BarrierCategory,
    /// Free text.
    pub detail: String,
}

/// The person leading the joint approach for a pupil.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeadPractitioner {
    /// Organisation or service, from the service directory or the school.
    pub organisation: String,
    /// The named person.
    pub person: String,
}

impl LeadPractitioner {
    /// Whether an organisation has been chosen.
    #[must_use]
    pub fn is_set(&self) -> bool {
        !self.organisation.trim().is_empty()
    }
}

/// One pupil talked about at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discussion {
    /// The pupil.
    pub pupil_id: i64,
    /// The step they were discussed in.
    pub step: PupilStep,
    /// The lead practitioner.
    pub lead: LeadPractitioner,
    /// Barriers.
    pub barriers: Vec<Barrier>,
    /// "Support already in place, not discussed" (persistent absence).
    pub support_in_place: bool,
    /// Whether the pupil's whereabouts are known (asked for every SA pupil).
    pub whereabouts_known: Option<bool>,
    /// Notes.
    pub notes: String,
}

impl Discussion {
    /// A new discussion with nothing recorded.
    #[must_use]
    pub fn new(pupil_id: i64, step: PupilStep) -> Discussion {
        Discussion {
            pupil_id,
            step,
            lead: LeadPractitioner::default(),
            barriers: Vec::new(),
            support_in_place: false,
            whereabouts_known: None,
            notes: String::new(),
        }
    }
}

/// An agreed action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// Row id.
    pub id: RowId,
    /// The pupil, if the action is about one.
    pub pupil_id: Option<i64>,
    /// What is to be done.
    pub description: String,
    /// Who does it.
    pub owner: String,
    /// By when.
    pub due: Option<NaiveDate>,
    /// Status.
    pub status: ActionStatus,
    /// The review note (written when the next meeting reviews it).
    pub note: String,
    /// The earlier action this one carries forward.
    pub carried_from: Option<RowId>,
}

impl Action {
    /// A new open action.
    #[must_use]
    pub fn new(id: RowId, pupil_id: Option<i64>) -> Action {
        Action {
            id,
            pupil_id,
            description: String::new(),
            owner: String::new(),
            due: None,
            status: ActionStatus::Open,
            note: String::new(),
            carried_from: None,
        }
    }

    /// What the summary flags as missing ("no owner", "no due date").
    #[must_use]
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.description.trim().is_empty() {
            out.push("no description");
        }
        if self.owner.trim().is_empty() {
            out.push("no owner");
        }
        if self.due.is_none() {
            out.push("no due date");
        }
        out
    }
}

/// One reasonable enquiry made for a possible CME.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmeCheck {
    /// Row id, chosen when the check is first recorded.
    pub id: RowId,
    /// What kind of check (the same kind may be made again at a later meeting).
    pub kind: CmeCheckKind,
    /// When.
    pub on: Option<NaiveDate>,
    /// By whom.
    pub by: String,
    /// What it found.
    pub outcome: String,
}

impl CmeCheck {
    /// A new check with nothing recorded yet.
    #[must_use]
    pub fn new(id: RowId, kind: CmeCheckKind) -> CmeCheck {
        CmeCheck {
            id,
            kind,
            on: None,
            by: String::new(),
            outcome: String::new(),
        }
    }

    /// Whether anything has been recorded.
    #[must_use]
    pub fn is_recorded(&self) -> bool {
        self.on.is_some() || !self.by.trim().is_empty() || !self.outcome.trim().is_empty()
    }
}

/// A meeting as another row names it: its id and its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingRef {
    /// The meeting's database id.
    pub id: i64,
    /// Its term.
    pub period: Period,
}

/// A check on a CME enquiry with the meeting it was recorded at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCheck {
    /// The check.
    pub check: CmeCheck,
    /// The meeting that recorded it.
    pub recorded_in: MeetingRef,
}

/// A child-missing-education enquiry. It belongs to the pupil at the school, not to
/// the meeting that opened it: every later meeting of the school shows it while it is
/// open, adds its checks to it, and any of them may conclude it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmeEnquiry {
    /// Row id, chosen when the enquiry is opened.
    pub id: RowId,
    /// The pupil.
    pub pupil_id: i64,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// The meeting that opened it.
    pub opened_in: MeetingRef,
    /// The checks recorded, at every meeting, in the order of those meetings and then
    /// of recording.
    pub checks: Vec<RecordedCheck>,
    /// The conclusion, once reached.
    pub conclusion: Option<CmeConclusion>,
    /// When it was concluded.
    pub concluded_on: Option<NaiveDate>,
    /// The meeting that set the conclusion (none while there is none).
    pub concluded_in: Option<MeetingRef>,
}

impl CmeEnquiry {
    /// Whether the enquiry is still open (no conclusion, or "still missing").
    #[must_use]
    pub fn is_open(&self) -> bool {
        matches!(self.conclusion, None | Some(CmeConclusion::StillMissing))
    }

    /// The check of `kind` recorded at meeting `meeting_id`, if any.
    #[must_use]
    pub fn check_at(&self, meeting_id: i64, kind: CmeCheckKind) -> Option<&CmeCheck> {
        self.checks
            .iter()
            .find(|c| c.recorded_in.id == meeting_id && c.check.kind == kind)
            .map(|c| &c.check)
    }
}

/// What the latest earlier meeting of the school that discussed a pupil recorded for
/// them, proposed to this meeting to confirm or change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The pupil.
    pub pupil_id: i64,
    /// The term of the meeting it comes from.
    pub from: Period,
    /// Last time's lead practitioner.
    pub lead: LeadPractitioner,
    /// Last time's barriers.
    pub barriers: Vec<Barrier>,
    /// Last time's "support already in place".
    pub support_in_place: bool,
}

impl Proposal {
    /// Whether there is anything to carry forward.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        !self.lead.is_set()
            && self.lead.person.trim().is_empty()
            && self.barriers.is_empty()
            && !self.support_in_place
    }

    /// The edits that store the proposal into this meeting's discussion of the pupil:
    /// one per field (so each is an audit row), starting the discussion in `step` if
    /// there is none (`current`), with barriers given ids from `new_id`.
    #[must_use]
    pub fn confirm_edits(
        &self,
        current: Option<&Discussion>,
        step: PupilStep,
        mut new_id: impl FnMut() -> RowId,
    ) -> Vec<Edit> {
        let p = self.pupil_id;
        let mut out = Vec::new();
        if current.is_none() {
            out.push(Edit::Discuss(p, step));
        }
        if self.lead.is_set() || !self.lead.person.trim().is_empty() {
            out.push(Edit::Lead(p, self.lead.clone()));
        }
        for b in &self.barriers {
            out.push(Edit::Barrier(
                p,
                Barrier {
                    id: new_id(),
                    ..b.clone()
                },
            ));
        }
        if self.support_in_place {
            out.push(Edit::SupportInPlace(p, true));
        }
        out
    }
}

/// One line of the support-first checklist.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EvidenceItem {
    /// Evidence seen.
    pub checked: bool,
    /// Notes on the evidence.
    pub note: String,
}

/// A pupil proposed for legal intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalReview {
    /// The pupil.
    pub pupil_id: i64,
    /// The checklist, by item (items never touched are absent).
    pub evidence: BTreeMap<LegalEvidence, EvidenceItem>,
    /// The decision.
    pub outcome: Option<LegalOutcome>,
}

impl LegalReview {
    /// Checklist items not yet evidenced.
    #[must_use]
    pub fn unevidenced(&self) -> Vec<LegalEvidence> {
        LegalEvidence::ALL
            .iter()
            .copied()
            .filter(|e| !self.evidence.get(e).is_some_and(|i| i.checked))
            .collect()
    }
}

/// A carried-forward action from an earlier meeting, as this meeting reviews it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The action (its status and note are what the review changes).
    pub action: Action,
    /// The term of the meeting that agreed it.
    pub agreed_in: Period,
    /// Whether this meeting has reviewed it.
    pub reviewed: bool,
    /// The action in this meeting that carries it forward, if any.
    pub carried_as: Option<RowId>,
    /// The pupil's absence rate in the term it was agreed, as a fraction (0.04 is 4%;
    /// `None` without possible sessions then).
    pub rate_then: Option<f64>,
    /// The pupil's absence rate in the data this meeting looks at, as a fraction.
    pub rate_now: Option<f64>,
}

/// Text fields of the meeting itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingText {
    /// Start time, "HH:MM".
    Time,
    /// Notes on whole-school trends: patterns and focus areas.
    TrendsNotes,
    /// Practice and policy notes.
    PracticeNotes,
}

/// A meeting, whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// Database id.
    pub id: i64,
    /// The school (database id).
    pub school_id: i64,
    /// The term it is held in.
    pub period: Period,
    /// The date.
    pub date: Option<NaiveDate>,
    /// The start time, "HH:MM".
    pub time: String,
    /// Virtual or in person.
    pub mode: MeetingMode,
    /// Status.
    pub status: MeetingStatus,
    /// The next meeting's date.
    pub next_meeting: Option<NaiveDate>,
    /// Who attended.
    pub attendees: Vec<Attendee>,
    /// Notes on whole-school trends.
    pub trends_notes: String,
    /// Practice and policy notes.
    pub practice_notes: String,
    /// Pupils discussed, in the order added.
    pub discussions: Vec<Discussion>,
    /// Actions agreed at this meeting, in the order added.
    pub actions: Vec<Action>,
    /// Earlier meetings' actions for review.
    pub review: Vec<ReviewItem>,
    /// The CME enquiries of the school's pupils that are live at this meeting: opened
    /// at it, or at an earlier meeting and not concluded before it.
    pub cme: Vec<CmeEnquiry>,
    /// Last time's lead, barriers and support for pupils discussed at an earlier
    /// meeting of the school (the latest that discussed each), by pupil.
    pub proposals: Vec<Proposal>,
    /// Pupils proposed for legal intervention.
    pub legal: Vec<LegalReview>,
}
