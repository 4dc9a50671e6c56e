//! What the store hands to the analysis for one school and period: plain rows, no
//! database or data-frame types.

use super::codes::{Code, SessionCounts};
use super::marks::MarkStrip;
use super::period::Period;
use super::pupil::{SenStatus, Sex, YearGroup};
use super::snapshot::Snapshot;
use chrono::NaiveDate;

/// A school.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct School {
    /// Database id.
    pub id: i64,
    /// Unique Reference Number.
    pub urn: String,
    /// Name, if known.
    pub name: Option<String>,
    /// Phase (primary, secondary, special...), if known.
    pub phase: Option<String>,
    /// The local authority the school is in, if known (from the DfE weekly file).
    pub la_name: Option<String>,
}

/// One pupil with their totals for the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PupilRecord {
    /// Database id.
    pub id: i64,
    /// UPN.
    pub upn: String,
    /// Year group, if known.
    pub year_group: Option<YearGroup>,
    /// Registration group, if known.
    pub reg_group: Option<String>,
    /// Sex, if known.
    pub sex: Option<Sex>,
    /// SEN status, if known.
    pub sen: Option<SenStatus>,
    /// FSM or pupil premium.
    pub fsm: Option<bool>,
    /// English as an additional language.
    pub eal: Option<bool>,
    /// Looked after.
    pub looked_after: Option<bool>,
    /// Child in need or protection plan.
    pub child_in_need: Option<bool>,
    /// Of compulsory school age; pupils who are not are left out of headline figures
    /// (unless the settings include them), as national statistics do.
    pub compulsory_school_age: Option<bool>,
    /// Previously looked after.
    pub previously_looked_after: Option<bool>,
    /// Primary type of special educational need.
    pub primary_sen_type: Option<String>,
    /// When the pupil joined the school.
    pub admission_date: Option<NaiveDate>,
    /// When the pupil left, if they have.
    pub leaving_date: Option<NaiveDate>,
    /// The local authority the pupil lives in, if known.
    pub home_la: Option<String>,
    /// The period's totals.
    pub counts: SessionCounts,
    /// Marks by code, when the totals come from session marks.
    pub code_counts: Vec<(Code, u32)>,
}

/// A pupil's overall absence in the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviousRate {
    /// Database id of the pupil.
    pub pupil_id: i64,
    /// Absence sessions.
    pub absence: u32,
    /// Possible sessions.
    pub possible: u32,
    /// Whether the pupil is of compulsory school age, if known.
    pub compulsory_school_age: Option<bool>,
}

/// Everything the analysis needs for one school and period.
#[derive(Debug, Clone, Default)]
pub struct PeriodData {
    /// The period.
    pub period: Option<Period>,
    /// The school's latest earlier period with data, if any.
    pub previous: Option<Period>,
    /// Pupils with totals in the period.
    pub pupils: Vec<PupilRecord>,
    /// Pupils' totals in the previous period.
    pub previous_rates: Vec<PreviousRate>,
    /// Session marks by pupil id (empty when the period came from a summary).
    pub marks: Vec<(i64, MarkStrip)>,
    /// Weekly snapshots of year-to-date totals, oldest first (from DfE weekly files).
    pub snapshots: Vec<Snapshot>,
}

/// One pupil's totals in one school's term, as figures across the whole patch need them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatchRow {
    /// The school's term (a database period id): figures are grouped by it.
    pub group: i64,
    /// Possible sessions.
    pub possible: u32,
    /// Absence sessions.
    pub absence: u32,
    /// Of compulsory school age, if known.
    pub compulsory_school_age: Option<bool>,
}

/// Something a list says about a pupil besides their figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "tag", content = "value")]
pub enum PupilTag {
    /// Left the school on this day; their figures up to then stay in the school's
    /// results, as the DfE counts them.
    Left(NaiveDate),
    /// Joined the school on this day, after the term began.
    Joined(NaiveDate),
    /// Lives in another local authority (cross-border: it matters for CME enquiries and
    /// legal action).
    LivesIn(String),
    /// Not of compulsory school age: outside headline figures unless the settings
    /// include them.
    NotCompulsoryAge,
}

impl PupilTag {
    /// The tag in words, as lists show it ("left 10/10/2025").
    #[must_use]
    pub fn text(&self) -> String {
        match self {
            PupilTag::Left(d) => format!("left {}", crate::domain::dates::day(*d)),
            PupilTag::Joined(d) => format!("joined {}", crate::domain::dates::day(*d)),
            PupilTag::LivesIn(la) => format!("lives in {la}"),
            PupilTag::NotCompulsoryAge => "not of compulsory school age".to_owned(),
        }
    }
}

/// How long after a term's usual start an admission counts as joining during the term
/// (the first days of a term are its normal intake).
const JOINED_AFTER_DAYS: u64 = 7;

impl PupilRecord {
    /// The pupil's tags in a period at a school in local authority `school_la`.
    #[must_use]
    pub fn tags(&self, period: Period, school_la: Option<&str>) -> Vec<PupilTag> {
        let mut tags = Vec::new();
        if let Some(day) = self.leaving_date {
            tags.push(PupilTag::Left(day));
        }
        if let (Some(day), Some((start, end))) = (self.admission_date, period.date_range()) {
            let usual = period.usual_start().unwrap_or(start);
            if day > usual + chrono::Days::new(JOINED_AFTER_DAYS) && day <= end {
                tags.push(PupilTag::Joined(day));
            }
        }
        if let (Some(home), Some(school)) = (self.home_la.as_deref(), school_la)
            && !home.trim().is_empty()
            && !home.trim().eq_ignore_ascii_case(school.trim())
        {
            tags.push(PupilTag::LivesIn(home.trim().to_owned()));
        }
        if self.compulsory_school_age == Some(false) {
            tags.push(PupilTag::NotCompulsoryAge);
        }
        tags
    }
}
