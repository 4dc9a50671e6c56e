//! View models: everything a screen shows, built by the worker from the store and the
//! analysis, so the UI never touches SQL or polars.

pub mod comparator;

pub use crate::analysis::{CohortGroup, HeadlineComparison, Lateness, ReasonShare, TimeSlice};
use crate::domain::backtest::PairBacktest;
use crate::domain::meeting::{Action, Meeting, Shortlist};
use crate::domain::{Category, FlagCategory, Layout, Period, School, Thresholds, YearGroup};
use crate::import::Field;
pub use crate::store::{ActionCounts, AuditRow, ImportOutcome, MeetingStatus, SchoolMeeting};
use chrono::NaiveDate;
pub use comparator::{Comparator, NationalComparator};
use std::path::PathBuf;

/// The patch overview: one row per school.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overview {
    /// Schools, by URN.
    pub rows: Vec<OverviewRow>,
    /// The term the TSM status is for (the current term).
    pub this_term: Option<Period>,
}

/// One school on the patch overview.
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewRow {
    /// URN.
    pub urn: String,
    /// Name, or the URN when unknown.
    pub name: String,
    /// Phase, if known.
    pub phase: Option<String>,
    /// Pupils with possible sessions in the latest period.
    pub pupils: u32,
    /// The latest period with data.
    pub latest: Option<Period>,
    /// Overall absence rate in the latest period.
    pub absence: Option<f64>,
    /// Change in overall absence since the previous period.
    pub absence_change: Option<f64>,
    /// Share of pupils persistently absent (severe included).
    pub persistent: Option<f64>,
    /// Change since the previous period.
    pub persistent_change: Option<f64>,
    /// Pupils persistently absent (severe included).
    pub persistent_pupils: u32,
    /// Share of pupils severely absent.
    pub severe: Option<f64>,
    /// Change since the previous period.
    pub severe_change: Option<f64>,
    /// Pupils severely absent.
    pub severe_pupils: u32,
    /// This term's meeting, if one is recorded.
    pub meeting: Option<SchoolMeeting>,
    /// Open and overdue actions.
    pub actions: ActionCounts,
    /// CME enquiries not yet concluded (highlighted until closed).
    pub open_cme: u32,
}

/// One school and period: the dashboard and the pupil list.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolView {
    /// The school.
    pub school: School,
    /// The period shown.
    pub period: Period,
    /// Every period held for the school, oldest first.
    pub periods: Vec<Period>,
    /// The previous period, if held.
    pub previous: Option<Period>,
    /// Whether the period has session marks (weekly, reasons and day charts need them).
    pub has_marks: bool,
    /// Headline now and in the previous period.
    pub headline: HeadlineComparison,
    /// National comparator for the school's phase.
    pub national: NationalComparator,
    /// Cohorts by year group.
    pub by_year: Vec<CohortGroup>,
    /// Absence by characteristic.
    pub characteristics: Vec<CharacteristicRate>,
    /// Absence by reason.
    pub reasons: Vec<ReasonShare>,
    /// Late marks.
    pub lateness: Lateness,
    /// Week by week.
    pub weekly: Vec<TimeSlice>,
    /// Published overall absence for the same weeks, nationally then in the LA, when
    /// held (`tsm-desk comparators import`); empty otherwise.
    pub weekly_comparators: Vec<WeeklyComparator>,
    /// Monday to Friday.
    pub day_of_week: Vec<TimeSlice>,
    /// Sessions not yet marked (left out of possible sessions), in the headline's pupils.
    pub unmarked: u64,
    /// Every period's headline figures, oldest first.
    pub trend: Vec<TrendPoint>,
    /// Every pupil, short list first.
    pub pupils: Vec<PupilRow>,
    /// The thresholds the flags were worked out with.
    pub thresholds: Thresholds,
    /// How the at-risk flags of the term before did on this term (pupils in both),
    /// when both are held.
    pub backtest: Option<PairBacktest>,
}

/// Published overall absence drawn week by week beside a school's line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WeeklyComparator {
    /// The line's name: "National (primary)", or the LA's name and phase
    /// ("Countyshire (primary)"); "all schools" when the phase has no figures.
    pub name: String,
    /// Where the figures come from (each release, in week order).
    pub source: String,
    /// One value per week of [`SchoolView::weekly`] (matched on the week's Monday), as
    /// a fraction; `None` where no figure is held.
    pub values: Vec<Option<f64>>,
}

/// Absence for one group of pupils sharing a characteristic.
#[derive(Debug, Clone, PartialEq)]
pub struct CharacteristicRate {
    /// The group ("SEN support", "FSM", "Female"...).
    pub label: String,
    /// Pupils in the group.
    pub pupils: u32,
    /// Overall absence rate.
    pub absence_rate: Option<f64>,
    /// Share persistently absent.
    pub persistent_rate: Option<f64>,
}

/// Headline figures for one period.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    /// The period.
    pub period: Period,
    /// Overall absence rate.
    pub absence_rate: Option<f64>,
    /// Share persistently absent.
    pub persistent_rate: Option<f64>,
    /// Share severely absent.
    pub severe_rate: Option<f64>,
}

/// A characteristic shown as a badge beside a pupil.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Badge {
    /// SEN support (`K`).
    SenSupport,
    /// EHC plan (`E`).
    Ehcp,
    /// FSM or pupil premium.
    Fsm,
    /// English as an additional language.
    Eal,
    /// Looked after.
    LookedAfter,
    /// Child in need or protection plan.
    ChildInNeed,
}

impl Badge {
    /// Every badge.
    pub const ALL: [Badge; 6] = [
        Badge::SenSupport,
        Badge::Ehcp,
        Badge::Fsm,
        Badge::Eal,
        Badge::LookedAfter,
        Badge::ChildInNeed,
    ];

    /// The short label on the badge.
    #[must_use]
    pub fn short(self) -> &'static str {
        match self {
            Badge::SenSupport => "SEN K",
            Badge::Ehcp => "EHCP",
            Badge::Fsm => "FSM",
            Badge::Eal => "EAL",
            Badge::LookedAfter => "CLA",
            Badge::ChildInNeed => "CIN",
        }
    }

    /// The label in words.
    #[must_use]
    pub fn long(self) -> &'static str {
        match self {
            Badge::SenSupport => "SEN support",
            Badge::Ehcp => "EHC plan",
            Badge::Fsm => "FSM / pupil premium",
            Badge::Eal => "English as an additional language",
            Badge::LookedAfter => "Looked after",
            Badge::ChildInNeed => "Child in need / protection plan",
        }
    }
}

/// One pupil in the list.
#[derive(Debug, Clone, PartialEq)]
pub struct PupilRow {
    /// Database id.
    pub pupil_id: i64,
    /// UPN.
    pub upn: String,
    /// Name, or empty when none is on record.
    pub name: String,
    /// Year group.
    pub year: Option<YearGroup>,
    /// Registration group.
    pub reg_group: Option<String>,
    /// Characteristics.
    pub badges: Vec<Badge>,
    /// Possible sessions.
    pub possible: u32,
    /// Overall absence rate.
    pub absence_rate: Option<f64>,
    /// Authorised absence sessions.
    pub authorised: u32,
    /// Unauthorised absence sessions.
    pub unauthorised: u32,
    /// Change in absence rate since the previous period.
    pub change: Option<f64>,
    /// The most severe category.
    pub category: FlagCategory,
    /// The pupil's place in the short list's priority order.
    pub priority: crate::domain::priority::Priority,
    /// Why the pupil is where they are on the list, in words.
    pub reasons: String,
    /// What else the list says about the pupil (left, joined, lives in another LA, not
    /// of compulsory school age).
    pub tags: Vec<crate::domain::PupilTag>,
    /// Of compulsory school age, if known.
    pub compulsory_school_age: Option<bool>,
    /// Sessions not yet marked (not possible sessions).
    pub unmarked: u32,
}

/// One session's mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayMark {
    /// The code as written (`/`, `I`, `N`...).
    pub mark: String,
    /// What it counts as.
    pub category: Category,
}

/// One school day's marks for a pupil.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    /// The date.
    pub date: NaiveDate,
    /// The AM mark, if recorded.
    pub am: Option<DayMark>,
    /// The PM mark, if recorded.
    pub pm: Option<DayMark>,
}

/// A pupil's period in their history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// The period.
    pub period: Period,
    /// Possible sessions.
    pub possible: u32,
    /// Absence sessions.
    pub absence: u32,
    /// Overall absence rate.
    pub absence_rate: Option<f64>,
}

/// One pupil's detail.
#[derive(Debug, Clone, PartialEq)]
pub struct PupilDetail {
    /// Database id.
    pub pupil_id: i64,
    /// The period shown.
    pub period: Period,
    /// Week by week (from marks).
    pub weekly: Vec<TimeSlice>,
    /// Absence by reason (from marks).
    pub reasons: Vec<ReasonShare>,
    /// Every school day's marks, when marks are held.
    pub calendar: Vec<CalendarDay>,
    /// Every period held.
    pub history: Vec<HistoryPoint>,
    /// Flag reasons in words.
    pub explanations: Vec<String>,
}

/// The import wizard's look at one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePreview {
    /// Where the file is.
    pub path: PathBuf,
    /// The preview, or why the file cannot be read.
    pub result: Result<crate::import::Preview, String>,
}

impl FilePreview {
    /// The detected layout, if the file could be read and fits one.
    #[must_use]
    pub fn layout(&self) -> Option<Layout> {
        self.result.as_ref().ok().and_then(|p| p.layout)
    }

    /// Required fields not found.
    #[must_use]
    pub fn missing(&self) -> &[Field] {
        self.result.as_ref().map_or(&[], |p| p.missing.as_slice())
    }
}

/// What an import did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportReport {
    /// The school imported into.
    pub urn: String,
    /// One outcome per file.
    pub outcomes: Vec<ImportOutcome>,
}

/// Why an import stored nothing, for the wizard: the message, and the unknown codes it
/// could offer to map (those short enough to be codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFailure {
    /// What went wrong, naming file, line and field.
    pub message: String,
    /// Attendance codes the files use that are neither national nor mapped.
    pub unknown_codes: Vec<String>,
}

/// Progress of long work on the worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// What is happening ("Reading marks.csv").
    pub label: String,
    /// Fraction done, 0 to 1.
    pub fraction: f32,
}

/// A meeting with the data it discusses.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingView {
    /// The school's URN.
    pub urn: String,
    /// The meeting, whole.
    pub meeting: Meeting,
    /// The term whose data the meeting looks at (the latest up to the meeting's term).
    pub data_period: Period,
    /// The school's dashboard and pupil list for that term.
    pub school: Box<SchoolView>,
    /// The flagged pupils, by step.
    pub shortlist: Shortlist,
    /// "Name (UPN)" for pupils the meeting mentions who are not in that term's data.
    pub labels: std::collections::HashMap<i64, String>,
    /// The audit trail, newest first.
    pub audit: Vec<AuditRow>,
    /// The service directory, for lead practitioners.
    pub services: Vec<String>,
    /// How many pupils the persistent and at-risk steps list before "show all".
    pub top_n: usize,
}

/// One action on the tracker.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedRow {
    /// The action.
    pub action: Action,
    /// The school's URN.
    pub urn: String,
    /// The school's name.
    pub school: String,
    /// The term of the meeting that agreed it.
    pub period: Period,
    /// "Name (UPN)" or the UPN; empty for whole-school actions.
    pub pupil: String,
    /// The pupil's lead practitioner organisation, or empty.
    pub lead: String,
    /// Open and past its due date.
    pub overdue: bool,
}

/// How a pupil is named on screen: "Name (UPN)", or the UPN alone when no name is on
/// record.
#[must_use]
pub fn pupil_label(name: &str, upn: &str) -> String {
    if name.is_empty() {
        upn.to_owned()
    } else {
        format!("{name} ({upn})")
    }
}
