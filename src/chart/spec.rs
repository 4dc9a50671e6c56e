//! What a chart shows: its series, reference lines and kind ([`ChartSpec`]).

use std::hash::{Hash, Hasher};

/// One named series of values (a value per category / x position; None = no data, draw nothing there).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub name: String,
    /// One value per category or x position; `None` (or NaN) means no data there.
    pub values: Vec<Option<f64>>,
}

/// What to draw. Values are fractions (0.125 = 12.5%) when `percent` is true; axis labels then read "12.5%" style (one decimal only where needed, e.g. 0%, 5%, 10% ticks).
#[derive(Debug, Clone, PartialEq)]
pub enum ChartSpec {
    /// Grouped vertical bars: one group per category, one bar per series in each group.
    Bars {
        /// Title at the top left.
        title: String,
        /// One group of bars per category, labelled under the axis.
        categories: Vec<String>,
        /// One bar per series in each group.
        series: Vec<Series>,
        /// Optional dashed horizontal reference line.
        reference: Option<Reference>,
        /// Values are fractions shown as percentages.
        percent: bool,
    },
    /// Lines with point markers over ordered x labels (weeks, terms, days). With one x position draw just the markers.
    Lines {
        /// Title at the top left.
        title: String,
        /// Ordered x positions (weeks, terms, days).
        x_labels: Vec<String>,
        /// One line per series; a `None` value breaks the line.
        series: Vec<Series>,
        /// Optional dashed horizontal reference line.
        reference: Option<Reference>,
        /// Values are fractions shown as percentages.
        percent: bool,
    },
}

/// A horizontal reference line across the plot (e.g. "School average" or "National"), drawn dashed, with its label at the right end.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    /// Label at the right end of the line and in the legend.
    pub label: String,
    /// Height of the line, in the chart's units.
    pub value: f64,
}

impl ChartSpec {
    /// True when there is nothing to draw (no categories, or every value None).
    pub fn is_empty(&self) -> bool {
        let parts = self.parts();
        let n = parts.labels.len();
        n == 0
            || parts
                .series
                .iter()
                .all(|s| s.values.iter().take(n).all(|v| clean(*v).is_none()))
    }

    /// The chart's title.
    #[must_use]
    pub fn title(&self) -> &str {
        self.parts().title
    }

    /// Feeds everything that affects the picture into `h` (f64 by its bits).
    pub fn hash_into(&self, h: &mut impl Hasher) {
        let parts = self.parts();
        (parts.bars, parts.title, parts.labels, parts.percent).hash(h);
        parts.series.len().hash(h);
        for s in parts.series {
            s.name.hash(h);
            s.values.len().hash(h);
            for v in &s.values {
                v.map(f64::to_bits).hash(h);
            }
        }
        parts
            .reference
            .map(|r| (&r.label, r.value.to_bits()))
            .hash(h);
    }

    /// The fields shared by both kinds of chart.
    pub(super) fn parts(&self) -> Parts<'_> {
        match self {
            ChartSpec::Bars {
                title,
                categories,
                series,
                reference,
                percent,
            } => Parts {
                bars: true,
                title,
                labels: categories,
                series,
                reference: reference.as_ref(),
                percent: *percent,
            },
            ChartSpec::Lines {
                title,
                x_labels,
                series,
                reference,
                percent,
            } => Parts {
                bars: false,
                title,
                labels: x_labels,
                series,
                reference: reference.as_ref(),
                percent: *percent,
            },
        }
    }
}

/// The fields of a [`ChartSpec`], whatever its kind.
pub(super) struct Parts<'a> {
    pub(super) bars: bool,
    pub(super) title: &'a str,
    pub(super) labels: &'a [String],
    pub(super) series: &'a [Series],
    pub(super) reference: Option<&'a Reference>,
    pub(super) percent: bool,
}

/// A finite value, or None.
pub(super) fn clean(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}
