//! Persistent absence, severe absence and at-risk rules (`shared/domain.md`,
//! "Definitions"). Every comparison is made on exact integer fractions, never on a
//! rounded percentage or a floating-point difference.

use std::fmt;

/// A proportion in basis points (1 bp = 0.01 percentage point): `1000` is 10%.
///
/// Thresholds are held this way so that "absence rate >= 10%" can be decided exactly
/// as `absence * 10_000 >= 1000 * possible`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct BasisPoints(pub u32);

impl BasisPoints {
    /// The threshold as a fraction, for display.
    #[must_use]
    pub fn fraction(self) -> f64 {
        f64::from(self.0) / 10_000.0
    }
}

impl fmt::Display for BasisPoints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", percent(self.fraction()))
    }
}

/// Formats a fraction as a percentage to one decimal place ("14.0%").
#[must_use]
pub fn percent(fraction: f64) -> String {
    format!("{:.1}%", fraction * 100.0)
}

/// How a figure that cannot be worked out (no possible sessions, nothing published) is
/// shown, on screen, on paper and at the command line alike.
pub const MISSING: &str = "–";

/// A fraction as a percentage ([`percent`]), or [`MISSING`].
#[must_use]
pub fn percent_or_missing(fraction: Option<f64>) -> String {
    fraction.map_or_else(|| MISSING.to_owned(), percent)
}

/// Every threshold of the flag rules, with the defaults from `shared/domain.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Persistently absent at or above this overall absence rate (default 10%).
    pub persistent: BasisPoints,
    /// Severely absent at or above this overall absence rate (default 50%).
    pub severe: BasisPoints,
    /// At risk (*band*): at or above this rate and below `persistent` (default 7%:
    /// 5%, the old default, flagged a fifth of pupils; see the README on how the
    /// defaults were chosen).
    pub band_lower: BasisPoints,
    /// At risk (*recent*): how many of the latest school days with possible sessions
    /// make the recent window (default 20).
    pub recent_days: u32,
    /// At risk (*recent*): at or above this absence rate in the recent window (default 10%).
    pub recent: BasisPoints,
    /// At risk (*recent*): and at least this many points above the rest of the school
    /// over the same days (default 10 points), so a school-wide illness week alone
    /// flags nobody. 0 turns the comparison off.
    pub recent_above_school: BasisPoints,
    /// At risk (*rising*): absence rate up by at least this much since the previous
    /// period (default 3 percentage points).
    pub rising: BasisPoints,
    /// Count pupils who are not of compulsory school age in headline rates and PA/SA
    /// counts. Off by default: national statistics count pupils aged 5 to 15 only.
    /// Such pupils are flagged and listed either way.
    pub include_non_compulsory: bool,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            persistent: BasisPoints(1000),
            severe: BasisPoints(5000),
            band_lower: BasisPoints(700),
            recent_days: 20,
            recent: BasisPoints(1000),
            recent_above_school: BasisPoints(1000),
            rising: BasisPoints(300),
            include_non_compulsory: false,
        }
    }
}

/// Absence sessions out of possible sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Rate {
    /// Absence sessions (authorised + unauthorised).
    pub absence: u32,
    /// Possible sessions.
    pub possible: u32,
}

impl Rate {
    /// A rate of `absence` out of `possible`.
    #[must_use]
    pub fn new(absence: u32, possible: u32) -> Self {
        Rate { absence, possible }
    }

    /// The unrounded fraction, or `None` with no possible sessions.
    #[must_use]
    pub fn fraction(self) -> Option<f64> {
        (self.possible > 0).then(|| f64::from(self.absence) / f64::from(self.possible))
    }

    /// Whether the rate is at or above `threshold`, decided exactly. `false` with no
    /// possible sessions.
    #[must_use]
    pub fn at_least(self, threshold: BasisPoints) -> bool {
        self.possible > 0
            && u64::from(self.absence) * 10_000 >= u64::from(threshold.0) * u64::from(self.possible)
    }

    /// Whether this rate exceeds `earlier` by at least `points`, decided exactly.
    /// `false` if either has no possible sessions.
    #[must_use]
    pub fn risen_by(self, earlier: Rate, points: BasisPoints) -> bool {
        if self.possible == 0 || earlier.possible == 0 {
            return false;
        }
        // a1/b1 - a0/b0 >= p/10000  <=>  (a1*b0 - a0*b1) * 10000 >= p * b0 * b1
        let lhs = (i128::from(self.absence) * i128::from(earlier.possible)
            - i128::from(earlier.absence) * i128::from(self.possible))
            * 10_000;
        let rhs = i128::from(points.0) * i128::from(earlier.possible) * i128::from(self.possible);
        lhs >= rhs
    }
}

/// A pupil's place on the short list. Each pupil is in exactly one, the most severe.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FlagCategory {
    /// 50% or more absence (also persistently absent).
    Severe,
    /// 10% or more absence.
    Persistent,
    /// Not persistently absent, but one or more at-risk rules hold.
    AtRisk,
    /// None of the above (or no possible sessions).
    None,
}

impl FlagCategory {
    /// The word used in the CLI's JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            FlagCategory::Severe => "severe",
            FlagCategory::Persistent => "persistent",
            FlagCategory::AtRisk => "at_risk",
            FlagCategory::None => "none",
        }
    }

    /// Whether the pupil counts as persistently absent (severe included, as national
    /// statistics count them).
    #[must_use]
    pub fn is_persistent(self) -> bool {
        matches!(self, FlagCategory::Severe | FlagCategory::Persistent)
    }
}

/// Why a pupil is at risk.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AtRiskReason {
    /// Overall absence rate in the 5%-10% band.
    Band,
    /// Absence at or above the threshold over the latest school days.
    Recent,
    /// Persistently absent in the previous period.
    WasPa,
    /// Absence rate up by the rising threshold since the previous period.
    Rising,
}

impl AtRiskReason {
    /// The word used in the CLI's JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            AtRiskReason::Band => "band",
            AtRiskReason::Recent => "recent",
            AtRiskReason::WasPa => "was_pa",
            AtRiskReason::Rising => "rising",
        }
    }
}

/// What the rules need to know about one pupil in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PupilFacts {
    /// The period's overall absence.
    pub overall: Rate,
    /// Absence over the latest `recent_days` school days with possible sessions, when
    /// session-level marks are held.
    pub recent: Option<Rate>,
    /// The rest of the school's absence over the same days as `recent` (or the same
    /// weeks of weekly figures), when known.
    pub school_recent: Option<Rate>,
    /// The pupil's overall absence in the school's previous period, if they were there.
    pub previous: Option<Rate>,
    /// When `recent` comes from weekly snapshots instead of session marks: how many
    /// weeks it covers.
    pub recent_weeks: Option<u32>,
}

/// The outcome of the rules for one pupil, explaining itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The most severe category that applies.
    pub category: FlagCategory,
    /// For at-risk pupils, every rule that holds, in rule order. Empty otherwise.
    pub reasons: Vec<AtRiskReason>,
}

/// Applies the rules.
#[must_use]
pub fn classify(facts: &PupilFacts, thresholds: &Thresholds) -> Flag {
    let overall = facts.overall;
    if overall.possible == 0 {
        return Flag {
            category: FlagCategory::None,
            reasons: Vec::new(),
        };
    }
    if overall.at_least(thresholds.severe) {
        return Flag {
            category: FlagCategory::Severe,
            reasons: Vec::new(),
        };
    }
    if overall.at_least(thresholds.persistent) {
        return Flag {
            category: FlagCategory::Persistent,
            reasons: Vec::new(),
        };
    }
    let mut reasons = Vec::new();
    if overall.at_least(thresholds.band_lower) {
        reasons.push(AtRiskReason::Band);
    }
    if facts.recent.is_some_and(|recent| {
        recent.at_least(thresholds.recent)
            && (thresholds.recent_above_school.0 == 0
                || facts.school_recent.is_none_or(|school| {
                    school.possible == 0 || recent.risen_by(school, thresholds.recent_above_school)
                }))
    }) {
        reasons.push(AtRiskReason::Recent);
    }
    if facts
        .previous
        .is_some_and(|prev| prev.at_least(thresholds.persistent))
    {
        reasons.push(AtRiskReason::WasPa);
    }
    if facts
        .previous
        .is_some_and(|prev| overall.risen_by(prev, thresholds.rising))
    {
        reasons.push(AtRiskReason::Rising);
    }
    let category = if reasons.is_empty() {
        FlagCategory::None
    } else {
        FlagCategory::AtRisk
    };
    Flag { category, reasons }
}

/// Explains an at-risk reason in words, for lists and printed logs.
#[must_use]
pub fn explain(reason: AtRiskReason, facts: &PupilFacts, thresholds: &Thresholds) -> String {
    let pct = |rate: Option<Rate>| percent_or_missing(rate.and_then(Rate::fraction));
    match reason {
        AtRiskReason::Band => format!(
            "absent {} this period, between {} and {}",
            pct(Some(facts.overall)),
            thresholds.band_lower,
            thresholds.persistent
        ),
        AtRiskReason::Recent => {
            let school = facts
                .school_recent
                .filter(|s| s.possible > 0)
                .map_or_else(String::new, |s| {
                    format!(" (the rest of the school {})", pct(Some(s)))
                });
            match facts.recent_weeks {
                Some(weeks) => format!(
                    "absent {} in the last {weeks} week{} of weekly figures{school}",
                    pct(facts.recent),
                    if weeks == 1 { "" } else { "s" }
                ),
                None => format!(
                    "absent {} in the last {} school days{school}",
                    pct(facts.recent),
                    thresholds.recent_days
                ),
            }
        }
        AtRiskReason::WasPa => format!("persistently absent last period ({})", pct(facts.previous)),
        AtRiskReason::Rising => format!(
            "absence up from {} to {} since last period",
            pct(facts.previous),
            pct(Some(facts.overall))
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(absence: u32, possible: u32) -> PupilFacts {
        PupilFacts {
            overall: Rate::new(absence, possible),
            recent: None,
            school_recent: None,
            previous: None,
            recent_weeks: None,
        }
    }

    fn category(f: PupilFacts) -> FlagCategory {
        classify(&f, &Thresholds::default()).category
    }

    #[test]
    fn boundaries_are_exact() {
        // 9.99% is not PA, 10% is; 49.99% is PA, 50% is SA.
        assert_eq!(category(facts(999, 10_000)), FlagCategory::AtRisk);
        assert_eq!(category(facts(1000, 10_000)), FlagCategory::Persistent);
        assert_eq!(category(facts(4999, 10_000)), FlagCategory::Persistent);
        assert_eq!(category(facts(5000, 10_000)), FlagCategory::Severe);
        // 10% on an odd denominator: 3 of 30, where 0.1 * 30 is 3.0000000000000004 in f64.
        assert_eq!(category(facts(3, 30)), FlagCategory::Persistent);
        assert_eq!(category(facts(2, 30)), FlagCategory::None); // 6.7%, below the band
        assert_eq!(category(facts(7, 100)), FlagCategory::AtRisk); // 7%, band
        // Band lower edge: 6.99% is nothing, 7% is band.
        assert_eq!(category(facts(699, 10_000)), FlagCategory::None);
        assert_eq!(category(facts(700, 10_000)), FlagCategory::AtRisk);
        assert_eq!(category(facts(0, 10)), FlagCategory::None);
        assert_eq!(category(facts(10, 10)), FlagCategory::Severe);
    }

    #[test]
    fn zero_possible_sessions_gets_no_rate_and_no_flag() {
        let f = PupilFacts {
            overall: Rate::new(0, 0),
            recent: Some(Rate::new(5, 10)),
            school_recent: None,
            previous: Some(Rate::new(50, 100)),
            recent_weeks: None,
        };
        assert_eq!(f.overall.fraction(), None);
        let flag = classify(&f, &Thresholds::default());
        assert_eq!(flag.category, FlagCategory::None);
        assert!(flag.reasons.is_empty());
    }

    #[test]
    fn at_risk_reasons_are_all_listed() {
        let f = PupilFacts {
            overall: Rate::new(8, 100),     // band
            recent: Some(Rate::new(4, 40)), // exactly 10%: recent
            school_recent: None,
            previous: Some(Rate::new(5, 50)), // exactly 10%: was PA
            recent_weeks: None,
        };
        let flag = classify(&f, &Thresholds::default());
        assert_eq!(flag.category, FlagCategory::AtRisk);
        assert_eq!(
            flag.reasons,
            vec![
                AtRiskReason::Band,
                AtRiskReason::Recent,
                AtRiskReason::WasPa
            ]
        );
    }

    #[test]
    fn rising_is_exact_at_three_points() {
        // 0.35 - 0.32 is 0.02999999999999997 in f64; the rule must still see 3 points.
        let risen = Rate::new(35, 100).risen_by(Rate::new(32, 100), BasisPoints(300));
        assert!(risen);
        // 4% from 1%: rising, but 4% is below the band, so rising is the only reason.
        let f = PupilFacts {
            overall: Rate::new(4, 100),
            recent: None,
            school_recent: None,
            previous: Some(Rate::new(1, 100)),
            recent_weeks: None,
        };
        let flag = classify(&f, &Thresholds::default());
        assert_eq!(flag.reasons, vec![AtRiskReason::Rising]);
        // 3.99% from 1%: not rising.
        let f = PupilFacts {
            overall: Rate::new(399, 10_000),
            recent: None,
            school_recent: None,
            previous: Some(Rate::new(1, 100)),
            recent_weeks: None,
        };
        assert_eq!(
            classify(&f, &Thresholds::default()).category,
            FlagCategory::None
        );
    }

    #[test]
    fn pa_pupils_are_never_at_risk() {
        let f = PupilFacts {
            overall: Rate::new(12, 100),
            recent: Some(Rate::new(9, 10)),
            school_recent: None,
            previous: Some(Rate::new(0, 100)),
            recent_weeks: None,
        };
        let flag = classify(&f, &Thresholds::default());
        assert_eq!(flag.category, FlagCategory::Persistent);
        assert!(flag.reasons.is_empty());
    }

    #[test]
    fn thresholds_are_configurable() {
        let t = Thresholds {
            persistent: BasisPoints(1500),
            ..Thresholds::default()
        };
        assert_eq!(classify(&facts(12, 100), &t).category, FlagCategory::AtRisk);
        assert_eq!(
            classify(&facts(15, 100), &t).category,
            FlagCategory::Persistent
        );
    }

    #[test]
    fn explanations_read_well() {
        let f = PupilFacts {
            overall: Rate::new(8, 100),
            recent: Some(Rate::new(14, 100)),
            school_recent: None,
            previous: None,
            recent_weeks: None,
        };
        let t = Thresholds::default();
        assert_eq!(
            explain(AtRiskReason::Recent, &f, &t),
            "absent 14.0% in the last 20 school days"
        );
        assert_eq!(
            explain(AtRiskReason::Band, &f, &t),
            "absent 8.0% this period, between 7.0% and 10.0%"
        );
        let weekly = PupilFacts {
            recent_weeks: Some(4),
            ..f
        };
        assert_eq!(
            explain(AtRiskReason::Recent, &weekly, &t),
            "absent 14.0% in the last 4 weeks of weekly figures"
        );
    }

    #[test]
    fn recent_must_stand_out_from_the_rest_of_the_school() {
        let t = Thresholds::default(); // 10% recent, 10 points above the school
        let with_school = |recent: (u32, u32), school: (u32, u32)| PupilFacts {
            overall: Rate::new(2, 100),
            recent: Some(Rate::new(recent.0, recent.1)),
            school_recent: Some(Rate::new(school.0, school.1)),
            previous: None,
            recent_weeks: None,
        };
        // An illness week: the school 15% absent, the pupil 20%: only 5 points above.
        assert_eq!(
            classify(&with_school((8, 40), (150, 1000)), &t).category,
            FlagCategory::None
        );
        // 25% against 15%: exactly 10 points above, flagged.
        let f = with_school((10, 40), (150, 1000));
        assert_eq!(classify(&f, &t).reasons, vec![AtRiskReason::Recent]);
        assert_eq!(
            explain(AtRiskReason::Recent, &f, &t),
            "absent 25.0% in the last 20 school days (the rest of the school 15.0%)"
        );
        // 12% against a school at 1%: above the 10% threshold and 11 points above.
        assert_eq!(
            classify(&with_school((12, 100), (10, 1000)), &t).category,
            FlagCategory::AtRisk
        );
        // 0 turns the comparison off: 20% against 15% flags again.
        let off = Thresholds {
            recent_above_school: BasisPoints(0),
            ..t
        };
        assert_eq!(
            classify(&with_school((8, 40), (150, 1000)), &off).category,
            FlagCategory::AtRisk
        );
    }
}
