//! What the store hands to the analysis for one school and period: plain rows, no
//! database or data-frame types.

use super::codes::{Code, SessionCounts};
use super::marks::MarkStrip;
use super::period::Period;
use super::pupil::{SenStatus, Sex, YearGroup};

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
}
