//! The dashboard's charts as specs, built from a school view (shared by the screen and print).

use super::{ChartSpec, Reference, Series};
use crate::analysis::TimeSlice;
use crate::service::view::SchoolView;

/// Absence week by week as a line chart (the school's, or one pupil's).
#[must_use]
pub fn weekly_spec(weeks: &[TimeSlice], reference: Option<Reference>) -> ChartSpec {
    ChartSpec::Lines {
        title: "Absence week by week".into(),
        x_labels: weeks
            .iter()
            .map(|w| w.start.format("%d/%m").to_string())
            .collect(),
        series: vec![Series {
            name: "Absence".into(),
            values: weeks.iter().map(|w| w.absence_rate).collect(),
        }],
        reference,
        percent: true,
    }
}

/// The six charts, built from a school view.
#[must_use]
pub fn chart_specs(s: &SchoolView) -> [ChartSpec; 6] {
    let n = &s.national;
    let by_year = ChartSpec::Bars {
        title: "Persistent and severe absence by year group".into(),
        categories: s.by_year.iter().map(|g| g.group.clone()).collect(),
        series: vec![
            Series {
                name: "Persistently absent".into(),
                values: s.by_year.iter().map(|g| g.persistent_rate).collect(),
            },
            Series {
                name: "Severely absent".into(),
                values: s.by_year.iter().map(|g| g.severe_rate).collect(),
            },
        ],
        reference: n.persistent.as_ref().map(|c| Reference {
            label: format!("{} PA, {}", c.label, c.release()),
            value: c.value,
        }),
        percent: true,
    };
    let characteristics = ChartSpec::Bars {
        title: "Absence by characteristic".into(),
        categories: s.characteristics.iter().map(|c| c.label.clone()).collect(),
        series: vec![Series {
            name: "Overall absence".into(),
            values: s.characteristics.iter().map(|c| c.absence_rate).collect(),
        }],
        reference: s.headline.now.absence_rate.map(|v| Reference {
            label: "School average".into(),
            value: v,
        }),
        percent: true,
    };
    let reasons = ChartSpec::Bars {
        title: "Reasons for absence (share of absence)".into(),
        categories: s
            .reasons
            .iter()
            .map(|r| r.reason.label().to_owned())
            .collect(),
        series: vec![Series {
            name: "Share of absence".into(),
            values: s.reasons.iter().map(|r| r.share_of_absence).collect(),
        }],
        reference: None,
        percent: true,
    };
    let weekly = weekly_spec(
        &s.weekly,
        n.absence.as_ref().map(|c| Reference {
            label: c.name(),
            value: c.value,
        }),
    );
    let days = ChartSpec::Bars {
        title: "Absence by day of the week".into(),
        categories: s
            .day_of_week
            .iter()
            .map(|d| d.label.chars().take(3).collect())
            .collect(),
        series: vec![Series {
            name: "Absence".into(),
            values: s.day_of_week.iter().map(|d| d.absence_rate).collect(),
        }],
        reference: s.headline.now.absence_rate.map(|v| Reference {
            label: "School average".into(),
            value: v,
        }),
        percent: true,
    };
    let trend = ChartSpec::Lines {
        title: "Term on term".into(),
        x_labels: s.trend.iter().map(|t| t.period.to_string()).collect(),
        series: vec![
            Series {
                name: "Overall absence".into(),
                values: s.trend.iter().map(|t| t.absence_rate).collect(),
            },
            Series {
                name: "Persistently absent".into(),
                values: s.trend.iter().map(|t| t.persistent_rate).collect(),
            },
            Series {
                name: "Severely absent".into(),
                values: s.trend.iter().map(|t| t.severe_rate).collect(),
            },
        ],
        reference: None,
        percent: true,
    };
    [by_year, characteristics, reasons, weekly, days, trend]
}
