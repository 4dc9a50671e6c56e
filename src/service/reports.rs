//! A school's figures as the command line prints them: the flagged pupils, cohort
//! tables and the headline summary, worked out with the saved settings exactly as the
//! app's screens are, so the two always agree.

use super::{Service, ServiceError};
use crate::analysis::{
    self, CohortBy, CohortGroup, HeadlineComparison, Lateness, PupilFlag, ReasonShare, TimeSlice,
};
use crate::domain::backtest::{self, PairBacktest};
use crate::domain::{Period, PupilTag, School, Thresholds};

/// A school's pupils with their flags, short list first.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagList {
    /// The school.
    pub school: School,
    /// The term.
    pub period: Period,
    /// Every pupil in the term, in the short list's priority order.
    pub pupils: Vec<FlaggedPupil>,
}

/// One pupil's flag with what the lists say about them.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedPupil {
    /// Figures and flag.
    pub flag: PupilFlag,
    /// The pupil's place in the short list's priority order.
    pub priority: crate::domain::priority::Priority,
    /// Why the pupil is where they are, in words.
    pub why: String,
    /// Of compulsory school age, if known (pupils who are not are outside headline
    /// figures by default, but flagged and listed all the same).
    pub compulsory_school_age: Option<bool>,
    /// Left, joined, lives in another LA, not of compulsory school age.
    pub tags: Vec<PupilTag>,
}

/// A school's absence broken down by one characteristic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CohortTable {
    /// The school.
    pub school: School,
    /// The term.
    pub period: Period,
    /// The breakdown.
    pub by: CohortBy,
    /// The groups, in order.
    pub groups: Vec<CohortGroup>,
}

/// A school's headline figures with reasons, lateness and the weekly and day-of-week
/// patterns.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SchoolSummary {
    /// The school.
    pub school: School,
    /// The term.
    pub term: Option<String>,
    /// The term compared with.
    pub previous_term: Option<String>,
    /// Headline now and then.
    pub headline: HeadlineComparison,
    /// Absence by reason.
    pub reasons: Vec<ReasonShare>,
    /// Late marks.
    pub lateness: Lateness,
    /// Week by week.
    pub weekly: Vec<TimeSlice>,
    /// Monday to Friday.
    pub day_of_week: Vec<TimeSlice>,
}

impl Service {
    /// A school's pupils and flags in a term (the latest if `None`), with the saved
    /// thresholds, short list first.
    ///
    /// # Errors
    /// No such school or term; analysis errors.
    pub fn flag_list(
        &mut self,
        urn: &str,
        period: Option<Period>,
    ) -> Result<FlagList, ServiceError> {
        let thresholds = self.settings.thresholds;
        let school = self.store.require_school(urn)?;
        let support = match period.or(self.store.periods(school.id)?.last().copied()) {
            Some(p) => self.store.support_on_record(school.id, p)?,
            None => std::collections::HashMap::new(),
        };
        let loaded = self.load(urn, period)?;
        let priorities = super::priorities(&support, &loaded.flags, &thresholds);
        let period = loaded
            .data
            .period
            .ok_or_else(|| ServiceError::Invalid("no period loaded".into()))?;
        let school_la = loaded.school.la_name.as_deref();
        let mut pupils: Vec<FlaggedPupil> = loaded
            .data
            .pupils
            .iter()
            .zip(&loaded.flags)
            .zip(priorities)
            .map(|((p, f), priority)| FlaggedPupil {
                why: crate::domain::priority::why(&priority, f.absence_rate, &f.explanations),
                priority,
                flag: f.clone(),
                compulsory_school_age: p.compulsory_school_age,
                tags: p.tags(period, school_la),
            })
            .collect();
        pupils.sort_by(|a, b| {
            crate::domain::priority::order(
                (&a.priority, a.flag.absence_rate, &a.flag.upn),
                (&b.priority, b.flag.absence_rate, &b.flag.upn),
            )
        });
        Ok(FlagList {
            school: loaded.school.clone(),
            period,
            pupils,
        })
    }

    /// A school's absence by one characteristic in a term (the latest if `None`),
    /// counting the pupils the headline counts.
    ///
    /// # Errors
    /// No such school or term; analysis errors.
    pub fn cohort_table(
        &mut self,
        urn: &str,
        period: Option<Period>,
        by: CohortBy,
    ) -> Result<CohortTable, ServiceError> {
        let thresholds = self.settings.thresholds;
        let loaded = self.load(urn, period)?;
        let period = loaded
            .data
            .period
            .ok_or_else(|| ServiceError::Invalid("no period loaded".into()))?;
        let scoped = analysis::headline_scope(&loaded.data, &thresholds);
        Ok(CohortTable {
            school: loaded.school.clone(),
            period,
            by,
            groups: analysis::cohorts(&scoped, &loaded.flags, by)?,
        })
    }

    /// A school's headline figures in a term (the latest if `None`) against its
    /// previous term, with reasons, lateness and the weekly and day-of-week patterns.
    ///
    /// # Errors
    /// No such school or term; analysis errors.
    pub fn summary(
        &mut self,
        urn: &str,
        period: Option<Period>,
    ) -> Result<SchoolSummary, ServiceError> {
        let thresholds = self.settings.thresholds;
        let loaded = self.load(urn, period)?;
        let data = analysis::headline_scope(&loaded.data, &thresholds);
        Ok(SchoolSummary {
            school: loaded.school.clone(),
            term: data.period.map(|p| p.to_string()),
            previous_term: data.previous.map(|p| p.to_string()),
            headline: analysis::headline(&data, &loaded.flags, &thresholds),
            reasons: analysis::reasons(&data)?,
            lateness: analysis::lateness(&data),
            weekly: analysis::weekly(&data)?,
            day_of_week: analysis::day_of_week(&data)?,
        })
    }
}

/// The at-risk backtest of a school: one entry per pair of consecutive terms held.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolBacktest {
    /// The school.
    pub school: School,
    /// Each pair of consecutive terms with data, oldest first.
    pub pairs: Vec<PairBacktest>,
}

impl Service {
    /// Tests the at-risk rules (with the saved thresholds) on the school's own history:
    /// for each pair of consecutive terms held, the earlier term's flags against the
    /// later term's persistent absence.
    ///
    /// # Errors
    /// No such school; analysis errors.
    pub fn backtest(&self, urn: &str) -> Result<SchoolBacktest, ServiceError> {
        self.backtest_with(urn, &self.settings.thresholds)
    }

    /// [`Service::backtest`] with other thresholds than the saved ones (to compare
    /// settings before saving them).
    ///
    /// # Errors
    /// No such school; analysis errors.
    pub fn backtest_with(
        &self,
        urn: &str,
        thresholds: &Thresholds,
    ) -> Result<SchoolBacktest, ServiceError> {
        let school = self.store.require_school(urn)?;
        let mut terms = Vec::new();
        for period in self.store.periods(school.id)? {
            let (_, data) = self.store.period_data(urn, Some(period))?;
            terms.push((period, analysis::flags(&data, thresholds)?));
        }
        Ok(SchoolBacktest {
            school,
            pairs: backtest_pairs(&terms),
        })
    }
}

/// Backtests each pair of consecutive terms among `terms` (oldest first).
#[must_use]
pub fn backtest_pairs(terms: &[(Period, Vec<PupilFlag>)]) -> Vec<PairBacktest> {
    terms
        .windows(2)
        .map(|w| {
            let (from, before) = &w[0];
            let (to, after) = &w[1];
            backtest::pair(*from, &outcomes(before), *to, &outcomes(after))
        })
        .collect()
}

/// The backtest's view of one term's flags.
fn outcomes(flags: &[PupilFlag]) -> Vec<backtest::Outcome<'_>> {
    flags
        .iter()
        .map(|f| backtest::Outcome {
            upn: &f.upn,
            had_sessions: f.counts.possible > 0,
            category: f.category,
            reasons: &f.reasons,
        })
        .collect()
}
