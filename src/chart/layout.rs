//! Laying a chart out by hand before drawing: sizes, the legend, the plot area, the
//! y axis's ticks and the x labels that fit.

use super::{spec::*, text::*, theme::*};

/// Below this many pixels on either side, [`render`] returns a blank image.
pub(super) const MIN_SIDE: u32 = 50;

/// Sizes in pixels, all proportional to the scale.
#[derive(Debug, Clone, Copy)]
pub(super) struct Metrics {
    pub(super) s: f32,
    pub(super) pad: f32,
    pub(super) title: f32,
    pub(super) label: f32,
}

impl Metrics {
    pub(super) fn new(s: f32) -> Metrics {
        Metrics {
            s,
            pad: 8.0 * s,
            title: 15.0 * s,
            label: 12.5 * s,
        }
    }

    /// Thickness of hairlines (grid, axis), at least one pixel.
    pub(super) fn hairline(&self) -> i32 {
        self.s.round().max(1.0) as i32
    }
}

/// A line of text placed by its left edge and baseline.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Placed {
    pub(super) text: String,
    pub(super) x: f32,
    pub(super) baseline: f32,
    pub(super) size: f32,
}

/// What sits left of a legend entry's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Swatch {
    Bar([u8; 3]),
    Line([u8; 3]),
    Dashed([u8; 3]),
}

/// A legend entry: swatch at `x`, text after it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LegendItem {
    pub(super) swatch: Swatch,
    pub(super) x: f32,
    pub(super) text: Placed,
}

/// One series, cleaned and cut to the number of categories.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) colour: [u8; 3],
    pub(super) values: Vec<Option<f64>>,
}

/// The plot rectangle and its axes.
#[derive(Debug, Clone)]
pub(super) struct Plot {
    pub(super) x0: f32,
    pub(super) y0: f32,
    pub(super) x1: f32,
    pub(super) y1: f32,
    pub(super) lo: f64,
    pub(super) hi: f64,
    /// Tick values and their labels (right-aligned at `tick_right`).
    pub(super) ticks: Vec<(f64, Placed)>,
    /// Labels under the axis, with the index of their category.
    pub(super) x_labels: Vec<(usize, Placed)>,
    /// The reference line's value and its label right of the plot.
    pub(super) reference: Option<(f64, Option<Placed>)>,
    pub(super) n: usize,
}

impl Plot {
    /// Pixel row of value `v`.
    pub(super) fn y(&self, v: f64) -> f32 {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) as f32;
        self.y1 - t * (self.y1 - self.y0)
    }

    /// Width of one category.
    pub(super) fn band(&self) -> f32 {
        (self.x1 - self.x0) / self.n as f32
    }

    /// Pixel column of the centre of category `i`.
    pub(super) fn x(&self, i: usize) -> f32 {
        self.x0 + self.band() * (i as f32 + 0.5)
    }
}

/// Everything [`draw`] needs, with positions in pixels.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) m: Metrics,
    pub(super) bars: bool,
    pub(super) title: Option<Placed>,
    pub(super) legend: Vec<LegendItem>,
    pub(super) lines: Vec<Line>,
    pub(super) plot: Option<Plot>,
}

impl Layout {
    pub(super) fn new(
        spec: &ChartSpec,
        width: f32,
        height: f32,
        scale: f32,
        theme: &ChartTheme,
    ) -> Layout {
        let m = Metrics::new(scale);
        let parts = spec.parts();
        let n = parts.labels.len();
        let lines: Vec<Line> = parts
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| Line {
                colour: theme.series(i),
                values: (0..n)
                    .map(|j| clean(s.values.get(j).copied().flatten()))
                    .collect(),
            })
            .collect();
        let reference = parts
            .reference
            .filter(|r| r.value.is_finite())
            .map(|r| (r.label.as_str(), r.value));

        let title_text = ellipsize(parts.title.trim(), m.title, width - 2.0 * m.pad);
        let title = (!title_text.is_empty()).then_some(Placed {
            text: title_text,
            x: m.pad,
            baseline: m.pad + ASCENT * m.title,
            size: m.title,
        });
        let mut top = if title.is_some() {
            m.pad + m.title + 4.0 * m.s
        } else {
            m.pad
        };

        let mut legend = Vec::new();
        if parts.series.len() >= 2 || reference.is_some() {
            let mut entries: Vec<(Swatch, &str)> = parts
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let c = theme.series(i);
                    let sw = if parts.bars {
                        Swatch::Bar(c)
                    } else {
                        Swatch::Line(c)
                    };
                    (sw, s.name.as_str())
                })
                .collect();
            if let Some((label, _)) = reference {
                entries.push((Swatch::Dashed(theme.reference()), label));
            }
            let (items, bottom) = layout_legend(&entries, m, width, top);
            legend = items;
            top = bottom;
        }

        let mut layout = Layout {
            m,
            bars: parts.bars,
            title,
            legend,
            lines,
            plot: None,
        };
        if n == 0 {
            return layout;
        }
        let plot_top = top + 4.0 * m.s + 0.5 * m.label;
        layout.plot = layout_plot(&parts, &layout.lines, reference, m, width, height, plot_top);
        let cramped = layout
            .plot
            .as_ref()
            .is_none_or(|p| p.y1 - p.y0 < 50.0 * m.s);
        if cramped && !layout.legend.is_empty() {
            // Too little room: give the legend's rows to the plot.
            let legend_top = layout
                .legend
                .iter()
                .map(|l| l.text.baseline)
                .fold(f32::MAX, f32::min)
                - ASCENT * m.label;
            let plot_top = legend_top + 0.5 * m.label;
            if let Some(plot) =
                layout_plot(&parts, &layout.lines, reference, m, width, height, plot_top)
            {
                layout.legend.clear();
                layout.plot = Some(plot);
            }
        }
        if layout.plot.is_none() {
            // A legend for a plot that is not there would only be noise.
            layout.legend.clear();
        }
        layout
    }
}

/// Places legend entries in rows from `top`; returns them and the bottom of the last row.
pub(super) fn layout_legend(
    entries: &[(Swatch, &str)],
    m: Metrics,
    width: f32,
    top: f32,
) -> (Vec<LegendItem>, f32) {
    let swatch_w = |sw: &Swatch| match sw {
        Swatch::Bar(_) => 0.8 * m.label,
        Swatch::Line(_) | Swatch::Dashed(_) => 18.0 * m.s,
    };
    let gap = 5.0 * m.s;
    let spacing = 14.0 * m.s;
    let row_h = 1.25 * m.label;
    let right = width - m.pad;
    let mut items = Vec::new();
    let mut x = m.pad;
    let mut row_top = top;
    for (sw, name) in entries {
        let lead = swatch_w(sw) + gap;
        let text = ellipsize(name, m.label, (right - m.pad - lead).max(0.0));
        let item_w = lead + text_width(&text, m.label);
        if x > m.pad && x + item_w > right {
            x = m.pad;
            row_top += row_h;
        }
        items.push(LegendItem {
            swatch: *sw,
            x,
            text: Placed {
                text,
                x: x + lead,
                baseline: row_top + ASCENT * m.label,
                size: m.label,
            },
        });
        x += item_w + spacing;
    }
    (items, row_top + row_h)
}

/// Lays out the plot below `top`; None when there is no room for one.
pub(super) fn layout_plot(
    parts: &Parts<'_>,
    lines: &[Line],
    reference: Option<(&str, f64)>,
    m: Metrics,
    width: f32,
    height: f32,
    top: f32,
) -> Option<Plot> {
    let n = parts.labels.len();
    let values = lines
        .iter()
        .flat_map(|l| l.values.iter().flatten().copied());
    let (mut vmin, mut vmax) = values.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if let Some((_, r)) = reference {
        // Keep the reference a little below the top (or above the bottom).
        vmax = vmax.max(r + r.abs() * 0.05);
        vmin = vmin.min(r - r.abs() * 0.05);
    }
    let gap = 8.0 * m.s;
    let mut label_lines = 1usize;
    for _ in 0..2 {
        let label_block = label_lines as f32 * 1.15 * m.label;
        let y1 = height - m.pad - label_block - 5.0 * m.s;
        let y0 = top;
        if y1 - y0 < 12.0 * m.s {
            return None;
        }
        // About one tick per 38 points, but never so many that their labels touch.
        let fit = ((y1 - y0) / (1.4 * m.label)).floor().max(1.0);
        let target = ((y1 - y0) / (38.0 * m.s)).floor().clamp(2.0, 6.0).min(fit) as usize;
        let (lo, hi, step) = y_axis(vmin, vmax, parts.percent, target);
        let tick_values: Vec<f64> = (0..=((hi - lo) / step).round().min(60.0) as usize)
            .map(|k| lo + k as f64 * step)
            .collect();
        let tick_texts: Vec<String> = tick_values
            .iter()
            .map(|v| format_value(*v, step, parts.percent))
            .collect();
        let tick_w = tick_texts
            .iter()
            .map(|t| text_width(t, m.label))
            .fold(0.0, f32::max);
        let tick_right = m.pad + tick_w;
        let x0 = tick_right + 6.0 * m.s;
        let mut x1 = width - m.pad;
        let mut ref_label = None;
        if let Some((label, _)) = reference {
            let text = ellipsize(label, m.label, width * 0.25);
            let w = text_width(&text, m.label);
            if !text.is_empty() && x1 - w - 6.0 * m.s - x0 >= 60.0 * m.s {
                x1 -= w + 6.0 * m.s;
                ref_label = Some(Placed {
                    text,
                    x: x1 + 6.0 * m.s,
                    baseline: 0.0, // set below, once the y scale is known
                    size: m.label,
                });
            }
        }
        if x1 - x0 < 12.0 * m.s {
            return None;
        }
        let band = (x1 - x0) / n as f32;
        let (texts, needed_lines) = x_label_texts(parts.labels, parts.bars, band, gap, m, x1 - x0);
        if needed_lines > label_lines {
            label_lines = needed_lines;
            continue;
        }
        let mut plot = Plot {
            x0,
            y0,
            x1,
            y1,
            lo,
            hi,
            ticks: Vec::new(),
            x_labels: Vec::new(),
            reference: None,
            n,
        };
        plot.ticks = tick_values
            .into_iter()
            .zip(tick_texts)
            .map(|(v, text)| {
                let w = text_width(&text, m.label);
                let baseline = plot.y(v) + 0.5 * CAP_HEIGHT * m.label;
                (
                    v,
                    Placed {
                        text,
                        x: tick_right - w,
                        baseline,
                        size: m.label,
                    },
                )
            })
            .collect();
        plot.x_labels = place_x_labels(&plot, texts, m, width, gap);
        plot.reference = reference.map(|(_, r)| {
            let label = ref_label.map(|mut p| {
                let b = plot.y(r) + 0.5 * CAP_HEIGHT * m.label;
                p.baseline = b.clamp(ASCENT * m.label, height - (1.0 - ASCENT) * m.label);
                p
            });
            (r, label)
        });
        return Some(plot);
    }
    None
}

/// The texts under the x axis: per category, None (not shown) or one or two lines.
/// Also returns how many lines the tallest label needs.
pub(super) fn x_label_texts(
    labels: &[String],
    bars: bool,
    band: f32,
    gap: f32,
    m: Metrics,
    plot_w: f32,
) -> (Vec<Option<Vec<String>>>, usize) {
    let fits = |t: &str| text_width(t, m.label) + gap <= band;
    if labels.iter().all(|l| fits(l)) {
        return (labels.iter().map(|l| Some(vec![l.clone()])).collect(), 1);
    }
    if bars {
        // Categories all matter: try two lines each ("Year" / "10"), shortened where needed.
        let wrapped: Vec<Vec<String>> = labels
            .iter()
            .map(|l| wrap_two(l, m.label, band - gap))
            .collect();
        let readable = wrapped.iter().zip(labels).all(|(lines, label)| {
            let shown: usize = lines
                .iter()
                .map(|t| t.chars().filter(|c| *c != ELLIPSIS).count())
                .sum();
            let whole = label
                .split_whitespace()
                .map(|w| w.chars().count())
                .sum::<usize>();
            shown >= whole.min(4)
        });
        if readable {
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            return (wrapped.into_iter().map(Some).collect(), lines);
        }
    }
    // Ordered labels (or bar labels that cannot be shortened usefully): show every k-th,
    // always including the last (the most recent week or term).
    let texts: Vec<String> = labels
        .iter()
        .map(|l| ellipsize(l, m.label, plot_w * 0.45))
        .collect();
    let widest = texts
        .iter()
        .map(|t| text_width(t, m.label))
        .fold(0.0, f32::max);
    let k = ((widest + gap) / band.max(1.0)).ceil().max(1.0) as usize;
    let last = labels.len() - 1;
    let shown = texts
        .into_iter()
        .enumerate()
        .map(|(i, t)| (last - i).is_multiple_of(k).then(|| vec![t]))
        .collect();
    (shown, 1)
}

/// Splits `text` into at most two lines of at most `max_w` pixels, shortening as needed.
pub(super) fn wrap_two(text: &str, size: f32, max_w: f32) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 2 {
        return vec![ellipsize(text, size, max_w)];
    }
    let mut first = words[0].to_owned();
    let mut used = 1;
    while used < words.len() {
        let cand = format!("{first} {}", words[used]);
        if text_width(&cand, size) > max_w {
            break;
        }
        first = cand;
        used += 1;
    }
    let mut out = vec![ellipsize(&first, size, max_w)];
    if used < words.len() {
        out.push(ellipsize(&words[used..].join(" "), size, max_w));
    }
    out
}

/// Centres the chosen x labels under their categories, keeping them inside the image and
/// dropping any that would still touch a neighbour.
pub(super) fn place_x_labels(
    plot: &Plot,
    texts: Vec<Option<Vec<String>>>,
    m: Metrics,
    width: f32,
    gap: f32,
) -> Vec<(usize, Placed)> {
    let first_baseline = plot.y1 + 5.0 * m.s + ASCENT * m.label;
    let edge = 2.0 * m.s;
    let mut out: Vec<(usize, Placed)> = Vec::new();
    let mut left_limit = f32::MAX; // left edge of the label kept last (we walk right to left)
    for (i, lines) in texts.into_iter().enumerate().rev() {
        let Some(lines) = lines else { continue };
        let centre = plot.x(i);
        let widths: Vec<f32> = lines.iter().map(|t| text_width(t, m.label)).collect();
        let w = widths.iter().copied().fold(0.0, f32::max);
        let left = (centre - w / 2.0).clamp(edge, (width - edge - w).max(edge));
        if left + w + gap > left_limit && left_limit < f32::MAX {
            continue;
        }
        left_limit = left;
        for (row, (text, tw)) in lines.into_iter().zip(widths).enumerate() {
            let x = (centre - tw / 2.0).clamp(edge, (width - edge - tw).max(edge));
            out.push((
                i,
                Placed {
                    text,
                    x,
                    baseline: first_baseline + row as f32 * 1.15 * m.label,
                    size: m.label,
                },
            ));
        }
    }
    out.reverse();
    out
}

/// A nice step of at least `raw`: 1, 2, 2.5 or 5 times a power of ten.
pub(super) fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|f| f * mag)
        .find(|s| *s >= raw * (1.0 - 1e-9))
        .unwrap_or(10.0 * mag)
}

/// The y axis: (bottom, top, step) covering `vmin..=vmax` and 0, with about `target` steps.
pub(super) fn y_axis(vmin: f64, vmax: f64, percent: bool, target: usize) -> (f64, f64, f64) {
    let lo = vmin.min(0.0);
    let mut hi = vmax.max(0.0);
    if hi - lo < 1e-12 {
        hi = if percent { 0.1 } else { 1.0 };
    }
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let bottom = (lo / step + 1e-9).floor() * step;
    let mut top = (hi / step - 1e-9).ceil() * step;
    if percent && vmax <= 1.0 && top > 1.0 && (1.0 / step - (1.0 / step).round()).abs() < 1e-9 {
        // Fractions never need an axis past 100%.
        top = 1.0;
    }
    (bottom, top, step)
}

/// A tick label: "12.5%" style for fractions, "1,250" style otherwise, with as many decimals
/// as the step needs.
pub(super) fn format_value(v: f64, step: f64, percent: bool) -> String {
    let (x, st, suffix) = if percent {
        (v * 100.0, step * 100.0, "%")
    } else {
        (v, step, "")
    };
    let decimals = (0..=3)
        .find(|d| {
            let f = st * 10f64.powi(*d);
            (f - f.round()).abs() < 1e-6 * f.abs().max(1.0)
        })
        .unwrap_or(3) as usize;
    let x = if x.abs() < 0.5 * 10f64.powi(-(decimals as i32)) {
        0.0
    } else {
        x
    };
    let mut text = format!("{x:.decimals$}");
    if text.contains('.') {
        // "5.0%" reads "5%": one decimal only where needed.
        text = text.trim_end_matches('0').trim_end_matches('.').to_owned();
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match digits.find('.') {
        Some(dot) => digits.split_at(dot),
        None => (digits, ""),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{frac}{suffix}")
}
