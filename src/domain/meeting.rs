//! The Targeting Support Meeting: its record, the nine agenda steps, pupil discussions
//! (barriers, lead practitioner, agreed actions), CME enquiries, legal-intervention
//! checks, and the [`Edit`]s that change a meeting one field at a time.
//!
//! A [`Meeting`] is a plain document. The UI applies each [`Edit`] to its copy with
//! [`Meeting::apply`] and sends the same edit to the store, which writes it (and an
//! audit row) at once; loading the meeting back gives the same document. Row ids are
//! chosen by whoever creates the row, so an edit never waits for the database.

use super::Period;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The id of a row inside a meeting (attendee, barrier, action), chosen when it is
/// created.
pub type RowId = i64;

/// Declares a C-like enum with a stable storage key and a label for people.
macro_rules! keyed_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $key:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The key stored in the database.
            #[must_use]
            pub fn key(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

            /// The value stored under `key`.
            #[must_use]
            pub fn from_key(key: &str) -> Option<$name> {
                match key { $($key => Some($name::$variant),)+ _ => None }
            }

            /// The label shown to people.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)+ }
            }
        }
    };
}

keyed_enum! {
    /// The nine steps of the TSM agenda (domain.md, "What a TSM does").
    AgendaStep {
        /// Date, mode and who attended.
        Attendees = "attendees", "Attendees and context";
        /// Last term's actions.
        Review = "review", "Review of last term's actions";
        /// Whole-school trends.
        Trends = "trends", "Whole-school trends";
        /// Severely absent pupils.
        Severe = "severe", "Severely absent pupils";
        /// Persistently absent pupils.
        Persistent = "persistent", "Persistently absent pupils";
        /// At-risk pupils.
        AtRisk = "at_risk", "At-risk pupils";
        /// Legal intervention.
        Legal = "legal", "Legal intervention";
        /// Practice and policy (optional).
        Practice = "practice", "Practice and policy";
        /// All agreed actions and the next date.
        Summary = "summary", "Summary";
    }
}

keyed_enum! {
    /// Where a meeting stands.
    MeetingStatus {
        /// Planned, possibly with a date.
        Planned = "planned", "Planned";
        /// Started but not finished.
        InProgress = "in_progress", "In progress";
        /// Held.
        Held = "held", "Held";
    }
}

keyed_enum! {
    /// How the meeting is held.
    MeetingMode {
        /// In person at the school.
        InPerson = "in_person", "In person";
        /// Online.
        Virtual = "virtual", "Virtual";
    }
}

keyed_enum! {
    /// The pupil steps of the agenda a discussion belongs to.
    PupilStep {
        /// Severely absent.
        Severe = "severe", "Severely absent";
        /// Persistently absent.
        Persistent = "persistent", "Persistently absent";
        /// At risk.
        AtRisk = "at_risk", "At risk";
    }
}

keyed_enum! {
    /// Which side of the school gate a barrier sits.
    BarrierSide {
        /// In school.
        InSchool = "in_school", "In school";
        /// Out of school.
        OutOfSchool = "out_of_school", "Out of school";
    }
}

keyed_enum! {
    /// Common barrier categories.
    BarrierCategory {
        /// Physical or mental health.
        Health = "health", "Health";
        /// Special educational needs and disabilities.
        Send = "send", "SEND";
        /// Emotionally based school avoidance / anxiety.
        Ebsa = "ebsa", "EBSA / anxiety";
        /// Family circumstances.
        Family = "family", "Family";
        /// Housing.
        Housing = "housing", "Housing";
        /// Getting to school.
        Transport = "transport", "Transport";
        /// Bullying.
        Bullying = "bullying", "Bullying";
        /// Young carer.
        CaringRole = "caring_role", "Caring role";
        /// Anything else.
        Other = "other", "Other";
    }
}

keyed_enum! {
    /// An action's status.
    ActionStatus {
        /// Not yet reviewed.
        Open = "open", "Open";
        /// Done.
        Done = "done", "Done";
        /// Partly done.
        Partly = "partly", "Partly done";
        /// Not done.
        NotDone = "not_done", "Not done";
        /// No longer needed.
        NoLongerNeeded = "no_longer_needed", "No longer needed";
    }
}

impl ActionStatus {
    /// Whether the action still needs doing (open, partly or not done).
    #[must_use]
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ActionStatus::Open | ActionStatus::Partly | ActionStatus::NotDone
        )
    }
}

keyed_enum! {
    /// The joint reasonable enquiries for a possible child missing education.
    CmeCheckKind {
        /// Contact attempts with parents or carers.
        Parents = "parents", "Contact attempts with parents / carers";
        /// Contact attempts with emergency contacts.
        EmergencyContacts = "emergency_contacts", "Contact attempts with emergency contacts";
        /// A home visit.
        HomeVisit = "home_visit", "Home visit";
        /// Siblings' schools.
        SiblingsSchools = "siblings_schools", "Siblings' schools";
        /// Other local authorities and admissions.
        OtherLa = "other_la", "Other LA / admissions";
        /// Children's social care.
        SocialCare = "social_care", "Children's social care";
        /// Health services.
        Health = "health", "Health (GP, school nursing)";
        /// Police, where there are safeguarding concerns.
        Police = "police", "Police (safeguarding concerns)";
        /// Neighbours or landlord.
        Neighbours = "neighbours", "Neighbours / landlord";
    }
}

keyed_enum! {
    /// How a CME enquiry ended (or that it has not).
    CmeConclusion {
        /// Found on the roll of another school.
        OnRollElsewhere = "on_roll_elsewhere", "Found on roll elsewhere";
        /// Found, but not in education.
        NotInEducation = "not_in_education", "Found, not in education";
        /// Referred to the LA as a child missing education.
        ReferredCme = "referred_cme", "Referred as CME";
        /// Still missing: the enquiry stays open.
        StillMissing = "still_missing", "Still missing";
    }
}

keyed_enum! {
    /// The "support first" evidence looked for before legal intervention.
    LegalEvidence {
        /// A chronology of contacts.
        Chronology = "chronology", "Chronology of contacts";
        /// Meetings offered and held (including virtual and home visits).
        Meetings = "meetings", "Meetings offered and held (incl. virtual / home visits)";
        /// A Notice to Improve was sent.
        NoticeToImprove = "notice_to_improve", "Notice to Improve sent";
        /// A Team Around the Family was held.
        Taf = "taf", "TAF held";
        /// Early help was sought.
        EarlyHelp = "early_help", "Early help sought";
        /// An attendance contract.
        Contract = "contract", "Attendance contract";
        /// SEN / EHCP considered, and the SENCO agrees.
        Send = "send", "SEN / EHCP considered (SENCO agrees)";
        /// Social care involvement considered, and the DSL agrees.
        SocialCare = "social_care", "Social care involvement (DSL agrees)";
        /// CAMHS involvement considered.
        Camhs = "camhs", "CAMHS involvement";
        /// The four statutory defences considered.
        Defences = "defences", "The four statutory defences considered";
    }
}

keyed_enum! {
    /// The legal measures a meeting may decide to proceed with.
    LegalMeasure {
        /// A penalty notice.
        PenaltyNotice = "penalty_notice", "Penalty notice";
        /// Prosecution.
        Prosecution = "prosecution", "Prosecution";
        /// An education supervision order.
        Eso = "eso", "Education supervision order";
        /// A parenting order.
        ParentingOrder = "parenting_order", "Parenting order";
    }
}

/// What the meeting decided about legal intervention for a pupil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalOutcome {
    /// Proceed with a measure.
    Proceed(LegalMeasure),
    /// More support first (with actions).
    MoreSupport,
}

impl LegalOutcome {
    /// The stored key: `more_support` or the measure's key.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            LegalOutcome::Proceed(m) => m.key(),
            LegalOutcome::MoreSupport => "more_support",
        }
    }

    /// The outcome stored under `key`.
    #[must_use]
    pub fn from_key(key: &str) -> Option<LegalOutcome> {
        if key == "more_support" {
            Some(LegalOutcome::MoreSupport)
        } else {
            LegalMeasure::from_key(key).map(LegalOutcome::Proceed)
        }
    }

    /// The label shown to people.
    #[must_use]
    pub fn label(self) -> String {
        match self {
            LegalOutcome::Proceed(m) => format!("Proceed: {}", m.label()),
            LegalOutcome::MoreSupport => "More support first".to_owned(),
        }
    }
}

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
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CmeCheck {
    /// When.
    pub on: Option<NaiveDate>,
    /// By whom.
    pub by: String,
    /// What it found.
    pub outcome: String,
}

impl CmeCheck {
    /// Whether anything has been recorded.
    #[must_use]
    pub fn is_recorded(&self) -> bool {
        self.on.is_some() || !self.by.trim().is_empty() || !self.outcome.trim().is_empty()
    }
}

/// A child-missing-education enquiry opened at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CmeEnquiry {
    /// The pupil.
    pub pupil_id: i64,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// The checks recorded, by kind.
    pub checks: BTreeMap<CmeCheckKind, CmeCheck>,
    /// The conclusion, once reached.
    pub conclusion: Option<CmeConclusion>,
    /// When it was concluded.
    pub concluded_on: Option<NaiveDate>,
}

impl CmeEnquiry {
    /// Whether the enquiry is still open (no conclusion, or "still missing").
    #[must_use]
    pub fn is_open(&self) -> bool {
        matches!(self.conclusion, None | Some(CmeConclusion::StillMissing))
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
    /// Opens a CME enquiry for a pupil.
    OpenCme(i64, NaiveDate),
    /// Records one enquiry.
    CmeCheck(i64, CmeCheckKind, CmeCheck),
    /// Concludes (or reopens) a CME enquiry.
    ConcludeCme(i64, Option<CmeConclusion>, Option<NaiveDate>),
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
            Edit::OpenCme(p, _) => format!("pupil.{p}.cme"),
            Edit::CmeCheck(p, k, _) => format!("pupil.{p}.cme.{}", k.key()),
            Edit::ConcludeCme(p, _, _) => format!("pupil.{p}.cme.conclusion"),
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
            Edit::OpenCme(..) => "CME enquiry opened".into(),
            Edit::CmeCheck(_, k, _) => format!("CME check: {}", k.label()),
            Edit::ConcludeCme(_, c, _) => {
                format!("CME conclusion: {}", c.map_or("none", CmeConclusion::label))
            }
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
            | Edit::OpenCme(p, _)
            | Edit::CmeCheck(p, _, _)
            | Edit::ConcludeCme(p, _, _)
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
    /// CME enquiries opened at this meeting.
    pub cme: Vec<CmeEnquiry>,
    /// Pupils proposed for legal intervention.
    pub legal: Vec<LegalReview>,
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
            legal: Vec::new(),
        }
    }

    /// A pupil's discussion, if they have one.
    #[must_use]
    pub fn discussion(&self, pupil_id: i64) -> Option<&Discussion> {
        self.discussions.iter().find(|d| d.pupil_id == pupil_id)
    }

    /// A pupil's CME enquiry, if one was opened.
    #[must_use]
    pub fn cme_for(&self, pupil_id: i64) -> Option<&CmeEnquiry> {
        self.cme.iter().find(|c| c.pupil_id == pupil_id)
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
            Edit::OpenCme(p, on) => {
                if self.cme_for(*p).is_none() {
                    self.cme.push(CmeEnquiry {
                        pupil_id: *p,
                        opened_on: *on,
                        checks: BTreeMap::new(),
                        conclusion: None,
                        concluded_on: None,
                    });
                }
            }
            Edit::CmeCheck(p, kind, check) => {
                let c = self
                    .cme
                    .iter_mut()
                    .find(|c| c.pupil_id == *p)
                    .ok_or_else(|| EditError::Missing(format!("CME enquiry for pupil {p}")))?;
                c.checks.insert(*kind, check.clone());
            }
            Edit::ConcludeCme(p, conclusion, on) => {
                let c = self
                    .cme
                    .iter_mut()
                    .find(|c| c.pupil_id == *p)
                    .ok_or_else(|| EditError::Missing(format!("CME enquiry for pupil {p}")))?;
                c.conclusion = *conclusion;
                c.concluded_on = *on;
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

/// The pupils the meeting's data flags, by step (each pupil once, most severe
/// first), so the agenda knows who must be discussed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shortlist {
    /// Severely absent pupils.
    pub severe: Vec<i64>,
    /// Persistently absent pupils.
    pub persistent: Vec<i64>,
    /// At-risk pupils.
    pub at_risk: Vec<i64>,
    /// Severely or persistently absent pupils who have left the school, with the day:
    /// the CME question becomes "is a destination known?".
    pub leavers: Vec<(i64, NaiveDate)>,
}

impl Shortlist {
    /// The pupils the severe step asks the CME question about: every severely absent
    /// pupil, then the persistently absent leavers.
    #[must_use]
    pub fn cme_question(&self) -> Vec<i64> {
        let mut out = self.severe.clone();
        for (p, _) in &self.leavers {
            if !out.contains(p) {
                out.push(*p);
            }
        }
        out
    }

    /// The day a listed leaver left, if the pupil is one.
    #[must_use]
    pub fn left_on(&self, pupil: i64) -> Option<NaiveDate> {
        self.leavers
            .iter()
            .find(|(p, _)| *p == pupil)
            .map(|(_, d)| *d)
    }
}

/// Something the summary flags as missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// The pupil it is about, if any.
    pub pupil: Option<i64>,
    /// The action it is about, if any.
    pub action: Option<RowId>,
    /// What is missing, in words.
    pub text: String,
}

/// How a step stands on the progress rail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    /// Nothing recorded yet.
    NotStarted,
    /// Everything the step asks for is recorded.
    Done,
    /// Something is missing, in words ("3 severely absent pupils without a lead
    /// practitioner").
    Needs(Vec<String>),
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Meeting {
    /// Where each step stands, for the progress rail.
    #[must_use]
    pub fn step_state(&self, step: AgendaStep, shortlist: &Shortlist) -> StepState {
        let needs = |v: Vec<String>| {
            if v.is_empty() {
                StepState::Done
            } else {
                StepState::Needs(v)
            }
        };
        match step {
            AgendaStep::Attendees => {
                let mut v = Vec::new();
                if self.date.is_none() {
                    v.push("no meeting date".to_owned());
                }
                let named = self
                    .attendees
                    .iter()
                    .filter(|a| !a.name.trim().is_empty())
                    .count();
                if named < 2 {
                    v.push("fewer than two attendees".to_owned());
                }
                needs(v)
            }
            AgendaStep::Review => {
                let left = self.review.iter().filter(|r| !r.reviewed).count();
                needs(if left > 0 {
                    vec![plural(left, "action not reviewed", "actions not reviewed")]
                } else {
                    Vec::new()
                })
            }
            AgendaStep::Trends => notes_state(&self.trends_notes),
            AgendaStep::Practice => notes_state(&self.practice_notes),
            AgendaStep::Severe => {
                let mut v = Vec::new();
                let no_lead = shortlist
                    .severe
                    .iter()
                    .filter(|p| !self.discussion(**p).is_some_and(|d| d.lead.is_set()))
                    .count();
                if no_lead > 0 {
                    v.push(plural(
                        no_lead,
                        "severely absent pupil without a lead practitioner",
                        "severely absent pupils without a lead practitioner",
                    ));
                }
                let unasked = shortlist
                    .cme_question()
                    .iter()
                    .filter(|p| {
                        self.discussion(**p)
                            .is_none_or(|d| d.whereabouts_known.is_none())
                    })
                    .count();
                if unasked > 0 {
                    v.push(plural(
                        unasked,
                        "pupil not asked the CME question",
                        "pupils not asked the CME question",
                    ));
                }
                let unknown = shortlist
                    .cme_question()
                    .iter()
                    .filter(|p| {
                        self.discussion(**p)
                            .is_some_and(|d| d.whereabouts_known == Some(false))
                            && self.cme_for(**p).is_none()
                    })
                    .count();
                if unknown > 0 {
                    v.push(plural(
                        unknown,
                        "pupil with whereabouts unknown and no CME enquiry",
                        "pupils with whereabouts unknown and no CME enquiry",
                    ));
                }
                needs(v)
            }
            AgendaStep::Persistent | AgendaStep::AtRisk => {
                let ps = if step == AgendaStep::Persistent {
                    PupilStep::Persistent
                } else {
                    PupilStep::AtRisk
                };
                let chosen: Vec<&Discussion> =
                    self.discussions.iter().filter(|d| d.step == ps).collect();
                if chosen.is_empty() {
                    return StepState::NotStarted;
                }
                let bare = chosen
                    .iter()
                    .filter(|d| {
                        !d.support_in_place
                            && !d.lead.is_set()
                            && self.actions_for(d.pupil_id).next().is_none()
                    })
                    .count();
                needs(if bare > 0 {
                    vec![plural(
                        bare,
                        "pupil discussed with no lead, action or support in place",
                        "pupils discussed with no lead, action or support in place",
                    )]
                } else {
                    Vec::new()
                })
            }
            AgendaStep::Legal => {
                if self.legal.is_empty() {
                    return StepState::NotStarted;
                }
                let undecided = self.legal.iter().filter(|l| l.outcome.is_none()).count();
                let mut v = Vec::new();
                if undecided > 0 {
                    v.push(plural(
                        undecided,
                        "proposal without an outcome",
                        "proposals without an outcome",
                    ));
                }
                needs(v)
            }
            AgendaStep::Summary => {
                let n = self.missing(shortlist).len();
                let mut v = Vec::new();
                if n > 0 {
                    v.push(plural(n, "item missing", "items missing"));
                }
                if self.status != MeetingStatus::Held {
                    v.push("meeting not marked held".to_owned());
                }
                needs(v)
            }
        }
    }

    /// Everything the summary flags as missing.
    #[must_use]
    pub fn missing(&self, shortlist: &Shortlist) -> Vec<Missing> {
        let mut v = Vec::new();
        let pupil = |p: i64, text: String| Missing {
            pupil: Some(p),
            action: None,
            text,
        };
        for p in &shortlist.severe {
            if !self.discussion(*p).is_some_and(|d| d.lead.is_set()) {
                v.push(pupil(
                    *p,
                    "severely absent with no lead practitioner".into(),
                ));
            }
        }
        for a in &self.actions {
            let m = a.missing();
            if !m.is_empty() {
                v.push(Missing {
                    pupil: a.pupil_id,
                    action: Some(a.id),
                    text: format!("action {:?}: {}", a.description, m.join(", ")),
                });
            }
        }
        for l in &self.legal {
            if matches!(l.outcome, Some(LegalOutcome::Proceed(_))) {
                let gaps = l.unevidenced().len();
                if gaps > 0 {
                    v.push(pupil(
                        l.pupil_id,
                        format!(
                            "proceeding to legal intervention with {} of the support-first checklist not evidenced",
                            plural(gaps, "item", "items")
                        ),
                    ));
                }
            }
        }
        for c in &self.cme {
            if c.is_open() {
                v.push(pupil(c.pupil_id, "CME enquiry still open".into()));
            }
        }
        if self.next_meeting.is_none() {
            v.push(Missing {
                pupil: None,
                action: None,
                text: "no next meeting date".into(),
            });
        }
        v
    }

    /// Agreed actions and pupils led, per lead practitioner organisation (pupils
    /// without one under "(none)"), by organisation.
    #[must_use]
    pub fn lead_counts(&self) -> Vec<(String, usize, usize)> {
        let mut by: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let lead_of = |p: i64| {
            self.discussion(p)
                .filter(|d| d.lead.is_set())
                .map_or_else(|| "(none)".to_owned(), |d| d.lead.organisation.clone())
        };
        for d in &self.discussions {
            if d.lead.is_set() {
                by.entry(d.lead.organisation.clone()).or_default().0 += 1;
            }
        }
        for a in &self.actions {
            let key = a.pupil_id.map_or_else(|| "(none)".to_owned(), lead_of);
            by.entry(key).or_default().1 += 1;
        }
        by.into_iter().map(|(k, (p, a))| (k, p, a)).collect()
    }
}

fn notes_state(notes: &str) -> StepState {
    if notes.trim().is_empty() {
        StepState::NotStarted
    } else {
        StepState::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Term;

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
