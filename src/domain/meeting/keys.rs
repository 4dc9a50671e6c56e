//! The meeting's keyed choices (agenda steps, attendee roles, barrier kinds, action
//! statuses, CME and legal options …): each with a stable storage key and a label for
//! people, declared by one macro.

use serde::{Deserialize, Serialize};

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
