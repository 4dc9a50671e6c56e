//! The short list's one priority order, each pupil with the reason for their place in
//! words: severely absent pupils first; then persistently absent pupils with a concern
//! that needs joint action (no support on record, newly persistently absent this term,
//! absence rising, mostly unauthorised absence); then the other persistently absent
//! pupils; then at-risk pupils, strongest signals first.

use super::rules::{AtRiskReason, FlagCategory, Rate, Thresholds, percent};
use std::cmp::Ordering;

/// Where a pupil stands in the priority order, most urgent first.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Severely absent.
    Severe,
    /// Persistently absent with at least one [`Concern`].
    PersistentConcern,
    /// Persistently absent, support on record and no other concern.
    Persistent,
    /// At risk.
    AtRisk,
    /// Not flagged.
    None,
}

impl Tier {
    /// The word used in the CLI's JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Severe => "severe",
            Tier::PersistentConcern => "persistent_concern",
            Tier::Persistent => "persistent",
            Tier::AtRisk => "at_risk",
            Tier::None => "none",
        }
    }
}

/// Why a persistently absent pupil comes before the others.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    /// No meeting has recorded support in place (never discussed, or the latest
    /// discussion said none).
    NoSupport,
    /// Below the persistent threshold last term, at or above it now.
    NewlyPersistent,
    /// Absence up by the rising threshold since last term.
    Rising,
    /// More than half of the absence unauthorised.
    MostlyUnauthorised,
}

impl Concern {
    /// The concern in words.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Concern::NoSupport => "no support on record",
            Concern::NewlyPersistent => "newly persistently absent this term",
            Concern::Rising => "absence rising",
            Concern::MostlyUnauthorised => "mostly unauthorised",
        }
    }
}

/// What the priority needs to know about one pupil.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorityFacts<'a> {
    /// The pupil's category.
    pub category: FlagCategory,
    /// This term's absence.
    pub overall: Rate,
    /// Last term's absence, if the pupil was there.
    pub previous: Option<Rate>,
    /// Unauthorised absence sessions this term.
    pub unauthorised: u32,
    /// At-risk reasons (empty unless at risk).
    pub reasons: &'a [AtRiskReason],
    /// Support in place as the latest meeting that discussed the pupil recorded it;
    /// `None` if no meeting has.
    pub support_on_record: Option<bool>,
}

/// A pupil's place in the priority order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Priority {
    /// The tier.
    pub tier: Tier,
    /// For persistently absent pupils, the concerns that hold, in [`Concern`] order.
    pub concerns: Vec<Concern>,
    /// For at-risk pupils, how many at-risk reasons hold.
    pub signals: usize,
}

/// Works out a pupil's priority.
#[must_use]
pub fn assess(f: &PriorityFacts<'_>, thresholds: &Thresholds) -> Priority {
    let tier_only = |tier| Priority {
        tier,
        concerns: Vec::new(),
        signals: 0,
    };
    match f.category {
        FlagCategory::Severe => tier_only(Tier::Severe),
        FlagCategory::None => tier_only(Tier::None),
        FlagCategory::AtRisk => Priority {
            tier: Tier::AtRisk,
            concerns: Vec::new(),
            signals: f.reasons.len(),
        },
        FlagCategory::Persistent => {
            let mut concerns = Vec::new();
            if f.support_on_record != Some(true) {
                concerns.push(Concern::NoSupport);
            }
            if let Some(prev) = f.previous.filter(|p| p.possible > 0) {
                if !prev.at_least(thresholds.persistent) {
                    concerns.push(Concern::NewlyPersistent);
                }
                if f.overall.risen_by(prev, thresholds.rising) {
                    concerns.push(Concern::Rising);
                }
            }
            if u64::from(f.unauthorised) * 2 > u64::from(f.overall.absence) {
                concerns.push(Concern::MostlyUnauthorised);
            }
            let tier = if concerns.is_empty() {
                Tier::Persistent
            } else {
                Tier::PersistentConcern
            };
            Priority {
                tier,
                concerns,
                signals: 0,
            }
        }
    }
}

/// The priority order: tier, then more concerns (or more at-risk signals) first, then
/// the highest absence rate (no rate last), then UPN.
#[must_use]
pub fn order(a: (&Priority, Option<f64>, &str), b: (&Priority, Option<f64>, &str)) -> Ordering {
    a.0.tier
        .cmp(&b.0.tier)
        .then(b.0.concerns.len().cmp(&a.0.concerns.len()))
        .then(b.0.signals.cmp(&a.0.signals))
        .then(b.1.unwrap_or(-1.0).total_cmp(&a.1.unwrap_or(-1.0)))
        .then(a.2.cmp(b.2))
}

/// Why the pupil is where they are, in words: "severely absent (62.0%)", "persistently
/// absent (23.1%): no support on record, mostly unauthorised", "at risk, 2 signals:
/// …" (`explanations` are the at-risk reasons in words).
#[must_use]
pub fn why(p: &Priority, rate: Option<f64>, explanations: &[String]) -> String {
    let rate = rate.map_or_else(|| "–".to_owned(), percent);
    match p.tier {
        Tier::Severe => format!("severely absent ({rate})"),
        Tier::PersistentConcern => format!(
            "persistently absent ({rate}): {}",
            p.concerns
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Tier::Persistent => format!("persistently absent ({rate}), support in place"),
        Tier::AtRisk => {
            let signals = if p.signals == 1 {
                "1 signal".to_owned()
            } else {
                format!("{} signals", p.signals)
            };
            format!("at risk, {signals}: {}", explanations.join("; "))
        }
        Tier::None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pa(
        absence: u32,
        unauthorised: u32,
        previous: Option<Rate>,
        support: Option<bool>,
    ) -> Priority {
        assess(
            &PriorityFacts {
                category: FlagCategory::Persistent,
                overall: Rate::new(absence, 100),
                previous,
                unauthorised,
                reasons: &[],
                support_on_record: support,
            },
            &Thresholds::default(),
        )
    }

    #[test]
    fn persistent_concerns_are_each_worked_out() {
        // 12% now, 8% before (newly PA, +4 points: rising), 7 of 12 unauthorised,
        // never discussed.
        let p = pa(12, 7, Some(Rate::new(8, 100)), None);
        assert_eq!(p.tier, Tier::PersistentConcern);
        assert_eq!(
            p.concerns,
            vec![
                Concern::NoSupport,
                Concern::NewlyPersistent,
                Concern::Rising,
                Concern::MostlyUnauthorised
            ]
        );
        // 15% now, 14% before (not new, +1: not rising), 6 of 15 unauthorised (not
        // more than half), support on record: no concern.
        let p = pa(15, 6, Some(Rate::new(14, 100)), Some(true));
        assert_eq!(p.tier, Tier::Persistent);
        assert!(p.concerns.is_empty());
        // Exactly half unauthorised is not "mostly"; the latest meeting said no support.
        let p = pa(12, 6, None, Some(false));
        assert_eq!(p.concerns, vec![Concern::NoSupport]);
        assert_eq!(
            why(&p, Some(0.12), &[]),
            "persistently absent (12.0%): no support on record"
        );
    }

    #[test]
    fn order_is_tier_then_concerns_then_rate() {
        let severe = Priority {
            tier: Tier::Severe,
            concerns: vec![],
            signals: 0,
        };
        let two = pa(11, 8, Some(Rate::new(5, 100)), Some(true)); // new, rising, unauth
        let one = pa(40, 0, Some(Rate::new(40, 100)), None); // no support only
        let settled = pa(45, 0, Some(Rate::new(44, 100)), Some(true));
        let mut rows = [
            (&settled, Some(0.45), "D"),
            (&one, Some(0.40), "C"),
            (&two, Some(0.11), "B"),
            (&severe, Some(0.55), "A"),
        ];
        rows.sort_by(|a, b| order(*a, *b));
        let upns: Vec<&str> = rows.iter().map(|r| r.2).collect();
        // Severe first; then three concerns before one however high the rate; the
        // pupil with support and no concern after both.
        assert_eq!(upns, ["A", "B", "C", "D"]);
    }

    #[test]
    fn at_risk_pupils_with_more_signals_come_first() {
        let t = Thresholds::default();
        let facts = |reasons: &'static [AtRiskReason]| PriorityFacts {
            category: FlagCategory::AtRisk,
            overall: Rate::new(8, 100),
            previous: None,
            unauthorised: 0,
            reasons,
            support_on_record: None,
        };
        let two = assess(&facts(&[AtRiskReason::Band, AtRiskReason::Recent]), &t);
        let one = assess(&facts(&[AtRiskReason::Band]), &t);
        assert_eq!(two.signals, 2);
        assert_eq!(
            order((&one, Some(0.09), "A"), (&two, Some(0.08), "B")),
            Ordering::Greater
        );
        assert_eq!(
            why(&one, Some(0.08), &["absent 8.0% this period".into()]),
            "at risk, 1 signal: absent 8.0% this period"
        );
    }
}
