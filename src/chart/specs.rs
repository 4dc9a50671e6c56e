//! The dashboard's charts as specs, built from a school view (shared by the screen and print).

use super::{ChartSpec, Reference, Series};
use crate::view::{SchoolView, TimeSlice, WeeklyComparator};

/// Absence week by week as a line chart (the school's, or one pupil's).
#[must_use]
pub fn weekly_spec(weeks: &[TimeSlice], reference: Option<Reference>) -> ChartSpec {
    weekly_comparison_spec(weeks, reference, &[])
}

/// Absence week by week with published lines beside it (national, then the LA's),
/// their sources named in the title. The dashed `reference` (the termly national
/// figure) is drawn only when no national weekly line is.
#[must_use]
pub fn weekly_comparison_spec(
    weeks: &[TimeSlice],
    reference: Option<Reference>,
    lines: &[WeeklyComparator],
) -> ChartSpec {
    let mut title = "Absence week by week".to_owned();
    let mut sources: Vec<&str> = Vec::new();
    for s in lines.iter().flat_map(|l| l.source.split("; ")) {
        if !s.is_empty() && !sources.contains(&s) {
            sources.push(s);
        }
    }
    if !sources.is_empty() {
        title.push_str(" (published lines: ");
        title.push_str(&sources.join("; "));
        title.push(')');
    }
    let mut series = vec![Series {
        name: if lines.is_empty() {
            "Absence"
        } else {
            "This school"
        }
        .into(),
        values: weeks.iter().map(|w| w.absence_rate).collect(),
    }];
    series.extend(lines.iter().map(|l| Series {
        name: l.name.clone(),
        values: l.values.clone(),
    }));
    let national_line = lines.iter().any(|l| l.name.starts_with("National"));
    ChartSpec::Lines {
        title,
        x_labels: weeks
            .iter()
            .map(|w| w.start.format("%d/%m").to_string())
            .collect(),
        series,
        reference: reference.filter(|_| !national_line),
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
    let weekly = weekly_comparison_spec(
        &s.weekly,
        n.absence.as_ref().map(|c| Reference {
            label: c.name(),
            value: c.value,
        }),
        &s.weekly_comparators,
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
