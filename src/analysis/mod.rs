//! Analysis with polars: per-pupil rates and flags, cohort breakdowns, reasons for
//! absence, lateness, weekly and day-of-week patterns, and change since the previous
//! period. Data frames stay inside this module; results leave as plain structs.
//!
//! The flag rules themselves live in [`crate::domain::rules`]: polars gathers each
//! pupil's facts (overall, recent window, previous period) and the domain decides.

mod frames;
mod patch;

pub use patch::{PatchFigures, patch_figures};

use crate::domain::rules::{Rate, classify, explain};
use crate::domain::{
    AtRiskReason, FlagCategory, PeriodData, PupilFacts, PupilRecord, ReasonGroup, SessionCounts,
    Thresholds, YearGroup,
};
use chrono::{Datelike as _, NaiveDate};
use polars::prelude::*;
use std::collections::HashMap;

/// Analysis failed inside polars (a bug rather than bad data: inputs are checked).
#[derive(Debug, thiserror::Error)]
#[error("analysis failed: {0}")]
pub struct AnalysisError(#[from] PolarsError);

/// One pupil's figures and flag for a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PupilFlag {
    /// Database id.
    pub pupil_id: i64,
    /// UPN.
    pub upn: String,
    /// Year group, if known.
    pub year_group: Option<YearGroup>,
    /// The period's totals.
    pub counts: SessionCounts,
    /// Absence / possible, unrounded; `None` with no possible sessions.
    pub absence_rate: Option<f64>,
    /// The most severe category that applies.
    pub category: FlagCategory,
    /// At-risk reasons (empty unless at risk).
    pub reasons: Vec<AtRiskReason>,
    /// The reasons in words.
    pub explanations: Vec<String>,
    /// Absence over the recent window, when marks are held.
    pub recent: Option<Rate>,
    /// The rest of the school's absence over the same days, when `recent` is known.
    pub school_recent: Option<Rate>,
    /// The previous period's absence, if the pupil was there.
    pub previous: Option<Rate>,
    /// Change in absence rate since the previous period (fraction, e.g. 0.03).
    pub change: Option<f64>,
}

/// Computes every pupil's figures and flag.
///
/// # Errors
/// [`AnalysisError`] if polars fails.
pub fn flags(data: &PeriodData, thresholds: &Thresholds) -> Result<Vec<PupilFlag>, AnalysisError> {
    let facts = frames::pupil_facts(data, thresholds.recent_days)?;
    let mut out = Vec::with_capacity(data.pupils.len());
    for pupil in &data.pupils {
        let f = facts.get(&pupil.id).copied().unwrap_or(PupilFacts {
            overall: Rate::new(pupil.counts.absence(), pupil.counts.possible),
            recent: None,
            school_recent: None,
            previous: None,
            recent_weeks: None,
        });
        let flag = classify(&f, thresholds);
        let explanations = flag
            .reasons
            .iter()
            .map(|r| explain(*r, &f, thresholds))
            .collect();
        let change = match (f.overall.fraction(), f.previous.and_then(Rate::fraction)) {
            (Some(now), Some(then)) => Some(now - then),
            _ => None,
        };
        out.push(PupilFlag {
            pupil_id: pupil.id,
            upn: pupil.upn.clone(),
            year_group: pupil.year_group,
            counts: pupil.counts,
            absence_rate: f.overall.fraction(),
            category: flag.category,
            reasons: flag.reasons,
            explanations,
            recent: f.recent,
            school_recent: f.school_recent,
            previous: f.previous,
            change,
        });
    }
    Ok(out)
}

/// Whether a pupil counts in headline figures: pupils known not to be of compulsory
/// school age are left out unless the settings include them, as national statistics
/// count pupils aged 5 to 15 only.
#[must_use]
pub fn counts_in_headline(compulsory_school_age: Option<bool>, thresholds: &Thresholds) -> bool {
    thresholds.include_non_compulsory || compulsory_school_age != Some(false)
}

/// The period's data for school-level figures (headline, cohorts, reasons, weekly and
/// day-of-week patterns): without pupils who are not of compulsory school age, unless
/// the settings include them. Lists and flags keep every pupil.
#[must_use]
pub fn headline_scope<'a>(
    data: &'a PeriodData,
    thresholds: &Thresholds,
) -> std::borrow::Cow<'a, PeriodData> {
    let out: std::collections::HashSet<i64> = data
        .pupils
        .iter()
        .filter(|p| !counts_in_headline(p.compulsory_school_age, thresholds))
        .map(|p| p.id)
        .collect();
    if out.is_empty()
        && data
            .previous_rates
            .iter()
            .all(|r| counts_in_headline(r.compulsory_school_age, thresholds))
    {
        return std::borrow::Cow::Borrowed(data);
    }
    let keep = |id: &i64| !out.contains(id);
    std::borrow::Cow::Owned(PeriodData {
        period: data.period,
        previous: data.previous,
        pupils: data
            .pupils
            .iter()
            .filter(|p| keep(&p.id))
            .cloned()
            .collect(),
        previous_rates: data
            .previous_rates
            .iter()
            .filter(|r| {
                keep(&r.pupil_id) && counts_in_headline(r.compulsory_school_age, thresholds)
            })
            .copied()
            .collect(),
        marks: data
            .marks
            .iter()
            .filter(|(id, _)| keep(id))
            .cloned()
            .collect(),
        snapshots: data
            .snapshots
            .iter()
            .map(|s| crate::domain::Snapshot {
                as_of: s.as_of,
                rows: s
                    .rows
                    .iter()
                    .filter(|r| keep(&r.pupil_id))
                    .copied()
                    .collect(),
            })
            .collect(),
    })
}

/// A characteristic to break a cohort down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CohortBy {
    /// Year group.
    Year,
    /// Sex.
    Sex,
    /// SEN status (N, K, E).
    Sen,
    /// FSM or pupil premium.
    Fsm,
    /// English as an additional language.
    Eal,
    /// Looked after.
    Cla,
    /// Child in need or protection plan.
    Cin,
    /// Previously looked after.
    Pla,
    /// Primary type of special educational need.
    SenType,
}

impl CohortBy {
    /// Every breakdown.
    pub const ALL: [CohortBy; 9] = [
        CohortBy::Year,
        CohortBy::Sex,
        CohortBy::Sen,
        CohortBy::Fsm,
        CohortBy::Eal,
        CohortBy::Cla,
        CohortBy::Cin,
        CohortBy::Pla,
        CohortBy::SenType,
    ];

    /// The name used on the command line and in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            CohortBy::Year => "year",
            CohortBy::Sex => "sex",
            CohortBy::Sen => "sen",
            CohortBy::Fsm => "fsm",
            CohortBy::Eal => "eal",
            CohortBy::Cla => "cla",
            CohortBy::Cin => "cin",
            CohortBy::Pla => "pla",
            CohortBy::SenType => "sen_type",
        }
    }

    /// The group a pupil falls in, with a sort key.
    fn group(self, p: &PupilRecord) -> (i32, String) {
        let yes_no = |v: Option<bool>| match v {
            Some(true) => (0, "yes".to_owned()),
            Some(false) => (1, "no".to_owned()),
            None => (2, "unknown".to_owned()),
        };
        match self {
            CohortBy::Year => p.year_group.map_or((99, "unknown".to_owned()), |y| {
                (i32::from(y.number()), y.to_string())
            }),
            CohortBy::Sex => p.sex.map_or((9, "unknown".to_owned()), |s| {
                (
                    i32::from(s == crate::domain::Sex::Male),
                    s.code().to_owned(),
                )
            }),
            CohortBy::Sen => p.sen.map_or((9, "unknown".to_owned()), |s| {
                let order = match s {
                    crate::domain::SenStatus::None => 0,
                    crate::domain::SenStatus::SenSupport => 1,
                    crate::domain::SenStatus::Ehcp => 2,
                };
                (order, s.code().to_owned())
            }),
            CohortBy::Fsm => yes_no(p.fsm),
            CohortBy::Eal => yes_no(p.eal),
            CohortBy::Cla => yes_no(p.looked_after),
            CohortBy::Cin => yes_no(p.child_in_need),
            CohortBy::Pla => yes_no(p.previously_looked_after),
            CohortBy::SenType => p
                .primary_sen_type
                .as_deref()
                .filter(|t| !t.is_empty())
                .map_or((1, "none recorded".to_owned()), |t| (0, t.to_owned())),
        }
    }
}

/// Figures for one group of pupils.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortGroup {
    /// The group's label (`Y7`, `F`, `K`, `yes`...).
    pub group: String,
    /// Pupils in the group with at least one possible session.
    pub pupils: u32,
    /// Possible sessions.
    pub possible_sessions: u64,
    /// Absence sessions.
    pub absence_sessions: u64,
    /// Overall absence rate; `None` with no possible sessions.
    pub absence_rate: Option<f64>,
    /// Persistently absent pupils (severe included).
    pub persistent: u32,
    /// `persistent / pupils`.
    pub persistent_rate: Option<f64>,
    /// Severely absent pupils.
    pub severe: u32,
    /// `severe / pupils`.
    pub severe_rate: Option<f64>,
}

/// Breaks the pupils down by a characteristic. `flags` must come from [`flags`] on
/// the same data.
///
/// # Errors
/// [`AnalysisError`] if polars fails.
pub fn cohorts(
    data: &PeriodData,
    flags: &[PupilFlag],
    by: CohortBy,
) -> Result<Vec<CohortGroup>, AnalysisError> {
    let category: HashMap<i64, FlagCategory> =
        flags.iter().map(|f| (f.pupil_id, f.category)).collect();
    let pupils: Vec<&PupilRecord> = data
        .pupils
        .iter()
        .filter(|p| p.counts.possible > 0)
        .collect();
    let (order, label): (Vec<i32>, Vec<String>) = pupils.iter().map(|p| by.group(p)).unzip();
    let cat = |p: &&PupilRecord| category.get(&p.id).copied().unwrap_or(FlagCategory::None);
    let df = df!(
        "order" => order,
        "group" => label,
        "possible" => pupils.iter().map(|p| i64::from(p.counts.possible)).collect::<Vec<_>>(),
        "absence" => pupils.iter().map(|p| i64::from(p.counts.absence())).collect::<Vec<_>>(),
        "pa" => pupils.iter().map(|p| i64::from(cat(p).is_persistent())).collect::<Vec<_>>(),
        "sa" => pupils.iter().map(|p| i64::from(cat(p) == FlagCategory::Severe)).collect::<Vec<_>>(),
    )?;
    let out = df
        .lazy()
        .group_by([col("order"), col("group")])
        .agg([
            len().alias("pupils"),
            col("possible").sum(),
            col("absence").sum(),
            col("pa").sum(),
            col("sa").sum(),
        ])
        .sort(["order", "group"], SortMultipleOptions::default())
        .collect()?;
    let groups = frames::strings(&out, "group")?;
    let n = frames::ints(&out, "pupils")?;
    let possible = frames::ints(&out, "possible")?;
    let absence = frames::ints(&out, "absence")?;
    let pa = frames::ints(&out, "pa")?;
    let sa = frames::ints(&out, "sa")?;
    let mut result = Vec::with_capacity(groups.len());
    for i in 0..groups.len() {
        let pupils = u32::try_from(n[i]).unwrap_or(0);
        let possible_sessions = u64::try_from(possible[i]).unwrap_or(0);
        let absence_sessions = u64::try_from(absence[i]).unwrap_or(0);
        let persistent = u32::try_from(pa[i]).unwrap_or(0);
        let severe = u32::try_from(sa[i]).unwrap_or(0);
        result.push(CohortGroup {
            group: groups[i].clone(),
            pupils,
            possible_sessions,
            absence_sessions,
            absence_rate: ratio(absence_sessions, possible_sessions),
            persistent,
            persistent_rate: ratio(u64::from(persistent), u64::from(pupils)),
            severe,
            severe_rate: ratio(u64::from(severe), u64::from(pupils)),
        });
    }
    Ok(result)
}

#[expect(
    clippy::cast_precision_loss,
    reason = "session counts are far below 2^52"
)]
fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Whole-school headline figures for a period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Headline {
    /// Pupils with at least one possible session.
    pub pupils: u32,
    /// Possible sessions.
    pub possible_sessions: u64,
    /// Overall absence rate.
    pub absence_rate: Option<f64>,
    /// Authorised absence rate.
    pub authorised_rate: Option<f64>,
    /// Unauthorised absence rate.
    pub unauthorised_rate: Option<f64>,
    /// Persistently absent pupils (severe included).
    pub persistent: u32,
    /// Share of pupils persistently absent.
    pub persistent_rate: Option<f64>,
    /// Severely absent pupils.
    pub severe: u32,
    /// Share of pupils severely absent.
    pub severe_rate: Option<f64>,
    /// At-risk pupils (`None` for a previous period, where it is not worked out).
    pub at_risk: Option<u32>,
}

/// The headline for the period and, when there is one, the previous period.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HeadlineComparison {
    /// This period.
    pub now: Headline,
    /// The previous period.
    pub previous: Option<Headline>,
}

/// Headline figures now and in the previous period.
#[must_use]
pub fn headline(
    data: &PeriodData,
    flags: &[PupilFlag],
    thresholds: &Thresholds,
) -> HeadlineComparison {
    let mut totals = SessionCounts::default();
    let mut pupils = 0u32;
    let mut counted = std::collections::HashSet::new();
    for p in data.pupils.iter().filter(|p| p.counts.possible > 0) {
        pupils += 1;
        counted.insert(p.id);
        totals.possible += p.counts.possible;
        totals.authorised += p.counts.authorised;
        totals.unauthorised += p.counts.unauthorised;
    }
    // Only the flags of the pupils counted here (the data may leave some out).
    let count = |pred: &dyn Fn(&PupilFlag) -> bool| {
        u32::try_from(
            flags
                .iter()
                .filter(|f| counted.contains(&f.pupil_id) && pred(f))
                .count(),
        )
        .unwrap_or(u32::MAX)
    };
    let persistent = count(&|f| f.category.is_persistent());
    let severe = count(&|f| f.category == FlagCategory::Severe);
    let possible = u64::from(totals.possible);
    let now = Headline {
        pupils,
        possible_sessions: possible,
        absence_rate: ratio(u64::from(totals.absence()), possible),
        authorised_rate: ratio(u64::from(totals.authorised), possible),
        unauthorised_rate: ratio(u64::from(totals.unauthorised), possible),
        persistent,
        persistent_rate: ratio(u64::from(persistent), u64::from(pupils)),
        severe,
        severe_rate: ratio(u64::from(severe), u64::from(pupils)),
        at_risk: Some(count(&|f| f.category == FlagCategory::AtRisk)),
    };
    let previous = data.previous.map(|_| {
        let rates: Vec<Rate> = data
            .previous_rates
            .iter()
            .filter(|r| r.possible > 0)
            .map(|r| Rate::new(r.absence, r.possible))
            .collect();
        let possible: u64 = rates.iter().map(|r| u64::from(r.possible)).sum();
        let absence: u64 = rates.iter().map(|r| u64::from(r.absence)).sum();
        let n = u32::try_from(rates.len()).unwrap_or(u32::MAX);
        let pa = u32::try_from(
            rates
                .iter()
                .filter(|r| r.at_least(thresholds.persistent))
                .count(),
        )
        .unwrap_or(0);
        let sa = u32::try_from(
            rates
                .iter()
                .filter(|r| r.at_least(thresholds.severe))
                .count(),
        )
        .unwrap_or(0);
        Headline {
            pupils: n,
            possible_sessions: possible,
            absence_rate: ratio(absence, possible),
            authorised_rate: None,
            unauthorised_rate: None,
            persistent: pa,
            persistent_rate: ratio(u64::from(pa), u64::from(n)),
            severe: sa,
            severe_rate: ratio(u64::from(sa), u64::from(n)),
            at_risk: None,
        }
    });
    HeadlineComparison { now, previous }
}

/// Absence sessions for one reason group.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReasonShare {
    /// The group.
    pub reason: ReasonGroup,
    /// Sessions with a code in the group.
    pub sessions: u64,
    /// Share of all absence sessions (late after close included, as it is absence).
    pub share_of_absence: Option<f64>,
}

/// Absence by reason group (only from session marks; empty for a summary period).
///
/// # Errors
/// [`AnalysisError`] if polars fails.
pub fn reasons(data: &PeriodData) -> Result<Vec<ReasonShare>, AnalysisError> {
    let mut group_ids = Vec::new();
    let mut sessions = Vec::new();
    for p in &data.pupils {
        for (code, n) in &p.code_counts {
            if let Some(group) = code.info().reason {
                group_ids.push(
                    i32::try_from(
                        ReasonGroup::ALL
                            .iter()
                            .position(|g| *g == group)
                            .unwrap_or(0),
                    )
                    .unwrap_or(0),
                );
                sessions.push(i64::from(*n));
            }
        }
    }
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let df = df!("reason" => group_ids, "sessions" => sessions)?;
    let out = df
        .lazy()
        .group_by([col("reason")])
        .agg([col("sessions").sum()])
        .sort(["reason"], SortMultipleOptions::default())
        .collect()?;
    let ids = frames::ints(&out, "reason")?;
    let totals = frames::ints(&out, "sessions")?;
    let all_absence: u64 = data
        .pupils
        .iter()
        .map(|p| u64::from(p.counts.absence()))
        .sum();
    Ok(ids
        .iter()
        .zip(totals)
        .filter_map(|(id, n)| {
            let reason = *ReasonGroup::ALL.get(usize::try_from(*id).ok()?)?;
            let sessions = u64::try_from(n).ok()?;
            Some(ReasonShare {
                reason,
                sessions,
                share_of_absence: ratio(sessions, all_absence),
            })
        })
        .collect())
}

/// Late marks in the period.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Lateness {
    /// `L` marks (late before the register closed, present).
    pub before_close: u64,
    /// `U` marks (late after the register closed, unauthorised absence).
    pub after_close: u64,
    /// Pupils with at least one late mark.
    pub pupils_late: u32,
}

/// Lateness totals (from marks, or a summary's late columns).
#[must_use]
pub fn lateness(data: &PeriodData) -> Lateness {
    let before_close = data
        .pupils
        .iter()
        .map(|p| u64::from(p.counts.late_before_close))
        .sum();
    let after_close = data
        .pupils
        .iter()
        .map(|p| u64::from(p.counts.late_after_close))
        .sum();
    let pupils_late = data
        .pupils
        .iter()
        .filter(|p| p.counts.late_before_close + p.counts.late_after_close > 0)
        .count();
    Lateness {
        before_close,
        after_close,
        pupils_late: u32::try_from(pupils_late).unwrap_or(u32::MAX),
    }
}

/// Possible and absence sessions for a slice of time.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TimeSlice {
    /// The week's Monday, or for day-of-week figures the weekday's first date seen.
    pub start: NaiveDate,
    /// A label (`w/c 08/09/2025`, `Monday`).
    pub label: String,
    /// Possible sessions.
    pub possible_sessions: u64,
    /// Absence sessions.
    pub absence_sessions: u64,
    /// Absence rate; `None` with no possible sessions.
    pub absence_rate: Option<f64>,
}

/// Absence week by week: from session marks, or else from weekly snapshots (each
/// week's absence is the difference between consecutive snapshots; the first covers the
/// term up to its date); empty for a period with neither.
///
/// # Errors
/// [`AnalysisError`] if polars fails.
pub fn weekly(data: &PeriodData) -> Result<Vec<TimeSlice>, AnalysisError> {
    if data.marks.is_empty() && !data.snapshots.is_empty() {
        return Ok(snapshot_weeks(data));
    }
    frames::time_slices(data, frames::Slice::Week)
}

/// The week-by-week figures from weekly snapshots: each snapshot's totals less the
/// previous snapshot's, labelled by the day the figures run to.
fn snapshot_weeks(data: &PeriodData) -> Vec<TimeSlice> {
    let mut out = Vec::with_capacity(data.snapshots.len());
    let mut before = (0u64, 0u64);
    for snap in &data.snapshots {
        let (possible, absence) = snap.rows.iter().fold((0u64, 0u64), |(p, a), r| {
            (
                p + u64::from(r.counts.possible),
                a + u64::from(r.counts.absence()),
            )
        });
        let possible_sessions = possible.saturating_sub(before.0);
        let absence_sessions = absence.saturating_sub(before.1);
        let monday =
            snap.as_of - chrono::Days::new(u64::from(snap.as_of.weekday().num_days_from_monday()));
        out.push(TimeSlice {
            start: monday,
            label: if out.is_empty() {
                format!("to {}", crate::domain::dates::day(snap.as_of))
            } else {
                format!("week to {}", crate::domain::dates::day(snap.as_of))
            },
            possible_sessions,
            absence_sessions,
            absence_rate: ratio(absence_sessions, possible_sessions),
        });
        before = (possible, absence);
    }
    out
}

/// Absence by day of the week, Monday to Friday (from marks; empty for a summary
/// period).
///
/// # Errors
/// [`AnalysisError`] if polars fails.
pub fn day_of_week(data: &PeriodData) -> Result<Vec<TimeSlice>, AnalysisError> {
    frames::time_slices(data, frames::Slice::Weekday)
}
