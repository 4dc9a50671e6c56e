//! Backtest of the at-risk rules on a school's own history: of the pupils flagged at
//! risk in one term, how many were persistently absent in the next (precision), and of
//! the pupils newly persistently absent in the next term, how many had been flagged
//! (recall). Pure counting over flags already worked out for both terms.

use crate::domain::period::Period;
use crate::domain::rules::{AtRiskReason, FlagCategory};
use std::collections::HashMap;

/// Every at-risk reason, in rule order (the order of `by_reason`).
pub const REASONS: [AtRiskReason; 4] = [
    AtRiskReason::Band,
    AtRiskReason::Recent,
    AtRiskReason::WasPa,
    AtRiskReason::Rising,
];

/// One pupil's outcome in one term, as the backtest needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome<'a> {
    /// What identifies the pupil across terms at the school (the UPN).
    pub upn: &'a str,
    /// Whether the pupil had possible sessions in the term.
    pub had_sessions: bool,
    /// The pupil's category in the term.
    pub category: FlagCategory,
    /// The at-risk reasons that held (empty unless at risk).
    pub reasons: &'a [AtRiskReason],
}

/// How one at-risk reason fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct ReasonCounts {
    /// Pupils flagged at risk for this reason (among others, perhaps) in the earlier term.
    pub flagged: u32,
    /// Of those, how many were persistently absent in the later term.
    pub flagged_then_pa: u32,
}

impl ReasonCounts {
    /// `flagged_then_pa / flagged`, or `None` when nobody was flagged for the reason.
    #[must_use]
    pub fn precision(self) -> Option<f64> {
        ratio(self.flagged_then_pa, self.flagged)
    }
}

/// The backtest of one pair of consecutive terms with data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairBacktest {
    /// The earlier term, whose flags are tested.
    pub from: Period,
    /// The later term, whose persistent absence they are tested against.
    pub to: Period,
    /// Pupils on roll with possible sessions in both terms: only they count.
    pub pupils: u32,
    /// Of those, flagged at risk in the earlier term.
    pub flagged: u32,
    /// Of the flagged, persistently absent (severe included) in the later term.
    pub flagged_then_pa: u32,
    /// Persistently absent in the later term and not in the earlier one.
    pub new_pa: u32,
    /// Of the newly persistently absent, flagged at risk in the earlier term.
    pub new_pa_flagged: u32,
    /// Per reason, in [`REASONS`] order.
    pub by_reason: [(AtRiskReason, ReasonCounts); 4],
}

impl PairBacktest {
    /// `flagged_then_pa / flagged`: how often an at-risk flag came true. `None` when
    /// nobody was flagged.
    #[must_use]
    pub fn precision(&self) -> Option<f64> {
        ratio(self.flagged_then_pa, self.flagged)
    }

    /// `new_pa_flagged / new_pa`: how much of the new persistent absence the flags
    /// caught. `None` when nobody became persistently absent.
    #[must_use]
    pub fn recall(&self) -> Option<f64> {
        ratio(self.new_pa_flagged, self.new_pa)
    }

    /// `flagged / pupils`: the share of pupils the rules flagged. `None` with no pupils.
    #[must_use]
    pub fn flagged_share(&self) -> Option<f64> {
        ratio(self.flagged, self.pupils)
    }
}

/// One line on how the earlier term's flags fared, for beside the at-risk figures:
/// "2025-26 summer's at-risk flags: 41% became PA; they caught 63% of new PA".
#[must_use]
pub fn summary(bt: &PairBacktest) -> String {
    let whole = |f: f64| format!("{:.0}%", f * 100.0);
    let Some(precision) = bt.precision() else {
        return format!("{}: no pupil was flagged at risk", bt.from);
    };
    let caught = bt.recall().map_or_else(
        || "nobody became PA who was not before".to_owned(),
        |r| format!("they caught {} of new PA", whole(r)),
    );
    format!(
        "{}'s at-risk flags: {} became PA; {caught}",
        bt.from,
        whole(precision)
    )
}

fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| f64::from(num) / f64::from(den))
}

/// Counts one pair of terms. A pupil counts only if they are in both terms with
/// possible sessions in each (matched by UPN).
#[must_use]
pub fn pair(
    from: Period,
    earlier: &[Outcome<'_>],
    to: Period,
    later: &[Outcome<'_>],
) -> PairBacktest {
    let later: HashMap<&str, &Outcome<'_>> = later
        .iter()
        .filter(|o| o.had_sessions)
        .map(|o| (o.upn, o))
        .collect();
    let mut out = PairBacktest {
        from,
        to,
        pupils: 0,
        flagged: 0,
        flagged_then_pa: 0,
        new_pa: 0,
        new_pa_flagged: 0,
        by_reason: REASONS.map(|r| (r, ReasonCounts::default())),
    };
    for before in earlier.iter().filter(|o| o.had_sessions) {
        let Some(after) = later.get(before.upn) else {
            continue;
        };
        out.pupils += 1;
        let flagged = before.category == FlagCategory::AtRisk;
        let pa_after = after.category.is_persistent();
        if flagged {
            out.flagged += 1;
            out.flagged_then_pa += u32::from(pa_after);
            for (reason, counts) in &mut out.by_reason {
                if before.reasons.contains(reason) {
                    counts.flagged += 1;
                    counts.flagged_then_pa += u32::from(pa_after);
                }
            }
        }
        if pa_after && !before.category.is_persistent() {
            out.new_pa += 1;
            out.new_pa_flagged += u32::from(flagged);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::period::Term;
    use AtRiskReason::{Band, Rising, WasPa};
    use FlagCategory::{AtRisk, None as Clear, Persistent, Severe};

    fn o<'a>(upn: &'a str, category: FlagCategory, reasons: &'a [AtRiskReason]) -> Outcome<'a> {
        Outcome {
            upn,
            had_sessions: true,
            category,
            reasons,
        }
    }

    #[test]
    fn counts_each_reason_and_leaves_out_pupils_not_in_both() {
        let from = Period::new(2025, Term::Autumn);
        let to = Period::new(2025, Term::Spring);
        let earlier = [
            o("a", AtRisk, &[Band, WasPa]), // then PA: band and was_pa both hit
            o("b", AtRisk, &[Rising]),      // then clear: rising missed
            o("c", AtRisk, &[Band]),        // then severe: counts as PA
            o("d", Clear, &[]),             // then PA: new PA not flagged
            o("e", Persistent, &[]),        // still PA: not new
            o("f", AtRisk, &[Band]),        // left: not counted
            Outcome {
                had_sessions: false, // no sessions: not counted
                ..o("g", Clear, &[])
            },
        ];
        let later = [
            o("a", Persistent, &[]),
            o("b", Clear, &[]),
            o("c", Severe, &[]),
            o("d", Persistent, &[]),
            o("e", Persistent, &[]),
            o("g", Persistent, &[]),
            o("h", Severe, &[]), // joined: not counted
        ];
        let bt = pair(from, &earlier, to, &later);
        assert_eq!(
            (
                bt.pupils,
                bt.flagged,
                bt.flagged_then_pa,
                bt.new_pa,
                bt.new_pa_flagged
            ),
            (5, 3, 2, 3, 2)
        );
        assert_eq!(bt.precision(), Some(2.0 / 3.0));
        assert_eq!(bt.recall(), Some(2.0 / 3.0));
        assert_eq!(bt.flagged_share(), Some(3.0 / 5.0));
        assert_eq!(
            summary(&bt),
            "2025-26 autumn's at-risk flags: 67% became PA; they caught 67% of new PA"
        );
        let get = |r: AtRiskReason| bt.by_reason.iter().find(|(x, _)| *x == r).map(|(_, c)| *c);
        let counts = |flagged, flagged_then_pa| {
            Some(ReasonCounts {
                flagged,
                flagged_then_pa,
            })
        };
        assert_eq!(get(Band), counts(2, 2));
        assert_eq!(get(WasPa), counts(1, 1));
        assert_eq!(get(Rising), counts(1, 0));
        assert_eq!(get(AtRiskReason::Recent), counts(0, 0));
        assert_eq!(
            get(AtRiskReason::Recent).and_then(ReasonCounts::precision),
            None
        );
    }

    #[test]
    fn no_denominators_give_no_ratios() {
        let p = Period::new(2025, Term::Autumn);
        let bt = pair(p, &[o("a", Clear, &[])], p, &[o("a", Clear, &[])]);
        assert_eq!((bt.pupils, bt.flagged, bt.new_pa), (1, 0, 0));
        assert_eq!((bt.precision(), bt.recall()), (None, None));
        assert_eq!(summary(&bt), "2025-26 autumn: no pupil was flagged at risk");
        assert_eq!(pair(p, &[], p, &[]).flagged_share(), None);
    }
}
