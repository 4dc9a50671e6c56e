//! Figures for the whole patch at once: every school's overall absence, persistent and
//! severe absence for a term, worked out in one pass over all their pupils (a county's
//! weekly file holds hundreds of thousands), so the patch overview stays instant.

use super::{AnalysisError, counts_in_headline, frames, ratio};
use crate::domain::{PatchRow, Rate, Thresholds};
use polars::prelude::*;

/// One school-term's headline figures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PatchFigures {
    /// The group (period id) the figures are for.
    pub group: i64,
    /// Pupils with at least one possible session.
    pub pupils: u32,
    /// Possible sessions.
    pub possible_sessions: u64,
    /// Absence sessions.
    pub absence_sessions: u64,
    /// Overall absence rate.
    pub absence_rate: Option<f64>,
    /// Persistently absent pupils, severe included (as national statistics count them).
    pub persistent: u32,
    /// `persistent / pupils`.
    pub persistent_rate: Option<f64>,
    /// Severely absent pupils.
    pub severe: u32,
    /// `severe / pupils`.
    pub severe_rate: Option<f64>,
}

/// Every group's figures, by group. Each pupil is classified by the domain's exact
/// rule ([`Rate::at_least`]); polars sums the groups.
///
/// # Errors
/// [`AnalysisError`] if polars fails.
pub fn patch_figures(
    rows: &[PatchRow],
    thresholds: &Thresholds,
) -> Result<Vec<PatchFigures>, AnalysisError> {
    let counted: Vec<&PatchRow> = rows
        .iter()
        .filter(|r| r.possible > 0 && counts_in_headline(r.compulsory_school_age, thresholds))
        .collect();
    let rate = |r: &&PatchRow| Rate::new(r.absence, r.possible);
    let df = df!(
        "group" => counted.iter().map(|r| r.group).collect::<Vec<_>>(),
        "possible" => counted.iter().map(|r| i64::from(r.possible)).collect::<Vec<_>>(),
        "absence" => counted.iter().map(|r| i64::from(r.absence)).collect::<Vec<_>>(),
        "pa" => counted.iter().map(|r| i64::from(rate(r).at_least(thresholds.persistent))).collect::<Vec<_>>(),
        "sa" => counted.iter().map(|r| i64::from(rate(r).at_least(thresholds.severe))).collect::<Vec<_>>(),
    )?;
    let out = df
        .lazy()
        .group_by([col("group")])
        .agg([
            len().alias("pupils"),
            col("possible").sum(),
            col("absence").sum(),
            col("pa").sum(),
            col("sa").sum(),
        ])
        .sort(["group"], SortMultipleOptions::default())
        .collect()?;
    let groups = frames::ints(&out, "group")?;
    let pupils = frames::ints(&out, "pupils")?;
    let possible = frames::ints(&out, "possible")?;
    let absence = frames::ints(&out, "absence")?;
    let pa = frames::ints(&out, "pa")?;
    let sa = frames::ints(&out, "sa")?;
    Ok((0..groups.len())
        .map(|i| {
            let n = u32::try_from(pupils[i]).unwrap_or(0);
            let possible_sessions = u64::try_from(possible[i]).unwrap_or(0);
            let absence_sessions = u64::try_from(absence[i]).unwrap_or(0);
            let persistent = u32::try_from(pa[i]).unwrap_or(0);
            let severe = u32::try_from(sa[i]).unwrap_or(0);
            PatchFigures {
                group: groups[i],
                pupils: n,
                possible_sessions,
                absence_sessions,
                absence_rate: ratio(absence_sessions, possible_sessions),
                persistent,
                persistent_rate: ratio(u64::from(persistent), u64::from(n)),
                severe,
                severe_rate: ratio(u64::from(severe), u64::from(n)),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(group: i64, absence: u32, possible: u32, csa: Option<bool>) -> PatchRow {
        PatchRow {
            group,
            possible,
            absence,
            compulsory_school_age: csa,
        }
    }

    #[test]
    fn groups_are_summed_with_exact_thresholds() {
        let rows = [
            row(7, 6, 60, Some(true)),  // 10%: persistent
            row(7, 30, 60, None),       // 50%: severe (and persistent)
            row(7, 5, 60, Some(true)),  // 8.3%: neither
            row(7, 9, 60, Some(false)), // not of compulsory school age: left out
            row(7, 0, 0, Some(true)),   // no possible sessions: left out
            row(3, 1, 10, Some(true)),  // 10%
        ];
        let figures = patch_figures(&rows, &Thresholds::default()).unwrap();
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0].group, 3);
        let seven = &figures[1];
        assert_eq!(
            (
                seven.pupils,
                seven.possible_sessions,
                seven.absence_sessions
            ),
            (3, 180, 41)
        );
        assert_eq!((seven.persistent, seven.severe), (2, 1));
        assert_eq!(seven.absence_rate, Some(41.0 / 180.0));
        assert_eq!(seven.persistent_rate, Some(2.0 / 3.0));
        let all = Thresholds {
            include_non_compulsory: true,
            ..Thresholds::default()
        };
        let seven = patch_figures(&rows, &all).unwrap().remove(1);
        assert_eq!(
            (seven.pupils, seven.persistent, seven.absence_sessions),
            (4, 3, 50)
        );
    }
}
