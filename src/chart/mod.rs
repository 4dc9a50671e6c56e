//! Charts drawn with plotters into an RGB buffer, for the screen and for paper.
//!
//! [`render`] lays a [`ChartSpec`] out by hand (title, legend, y ticks, x labels) and draws it
//! with plotters' bitmap backend into a [`ChartImage`]. The UI's `ChartView` turns it into an
//! egui texture; the printed action log embeds it at print resolution. [`specs`] builds the
//! dashboard's six charts from a school view.

use std::error::Error;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

pub mod specs;

use crate::ttf::{read_i16, read_u16, read_u32, table_range};

use plotters::backend::BitMapBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Rectangle};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor, ShapeStyle, TextStyle};

// ---------------------------------------------------------------------------------------------
// Colours: every colour constant of the charts lives here.

/// Okabe–Ito colours ordered for light backgrounds (yellow is left out: too faint on white).
const SERIES_LIGHT: [[u8; 3]; 7] = [
    [0x00, 0x72, 0xB2], // blue
    [0xE6, 0x9F, 0x00], // orange
    [0x00, 0x9E, 0x73], // bluish green
    [0xD5, 0x5E, 0x00], // vermillion
    [0xCC, 0x79, 0xA7], // reddish purple
    [0x56, 0xB4, 0xE9], // sky blue
    [0x66, 0x66, 0x66], // grey
];

/// Lighter variants of [`SERIES_LIGHT`] for dark backgrounds.
const SERIES_DARK: [[u8; 3]; 7] = [
    [0x56, 0xB4, 0xE9], // sky blue (for blue)
    [0xF5, 0xB8, 0x3D], // light orange
    [0x2E, 0xCC, 0x9C], // light bluish green
    [0xF5, 0x8A, 0x45], // light vermillion
    [0xE5, 0xA3, 0xC8], // light reddish purple
    [0xF0, 0xE4, 0x42], // yellow
    [0xBB, 0xBB, 0xBB], // light grey
];

/// White, the background of paper.
const WHITE: [u8; 3] = [0xFF, 0xFF, 0xFF];
/// The text colour on paper.
const INK: [u8; 3] = [0x1F, 0x1F, 0x1F];

/// How much of the text colour is mixed into the background for grid lines.
const GRID_MIX_LIGHT: f32 = 0.13;
/// [`GRID_MIX_LIGHT`] for dark mode.
const GRID_MIX_DARK: f32 = 0.17;
/// How much of the text colour is mixed into the background for the zero axis line.
const AXIS_MIX: f32 = 0.45;
/// How much of the text colour is mixed into the background for tick labels.
const TICK_TEXT_MIX: f32 = 0.9;

// ---------------------------------------------------------------------------------------------
// Fonts.

/// Ascent of the font as a share of the plotters/ab_glyph font size (ascent − descent).
const ASCENT: f32 = 0.83;
/// Height of capitals and digits as a share of the font size.
const CAP_HEIGHT: f32 = 0.62;
/// Ellipsis appended to shortened labels.
const ELLIPSIS: char = '…';

/// egui's proportional font (Ubuntu Light, from `epaint_default_fonts`), registered with plotters as "sans-serif" (once), with the few
/// metrics read from its tables that plotters does not offer.
///
/// None if plotters refuses the font: text is then skipped.
fn chart_font() -> Option<&'static ChartFont> {
    static FONT: OnceLock<Option<ChartFont>> = OnceLock::new();
    FONT.get_or_init(|| {
        let bytes: &'static [u8] = epaint_default_fonts::UBUNTU_LIGHT;
        plotters::style::register_font(FontFamily::SansSerif.as_str(), FontStyle::Normal, bytes)
            .ok()?;
        Some(ChartFont {
            metrics: FontMetrics::read(bytes),
        })
    })
    .as_ref()
}

/// The registered chart font.
struct ChartFont {
    /// Horizontal metrics, or None if the tables could not be read (plotters then lays out
    /// whole strings itself).
    metrics: Option<FontMetrics>,
}

/// Horizontal metrics from a TrueType font's `cmap`, `hhea` and `hmtx` tables.
///
/// Plotters' ab_glyph text drops each glyph's left side bearing and truncates the pen position
/// to whole pixels, which spaces letters unevenly ("Sch ool"). With these, text is drawn one
/// glyph at a time at its proper place.
struct FontMetrics {
    bytes: &'static [u8],
    /// Offset and format (4 or 12) of the Unicode `cmap` subtable.
    cmap: (usize, u16),
    hmtx: usize,
    long_metrics: usize,
    /// Ascent − descent in font units: ab_glyph's font size is this height in pixels.
    height: f32,
}

impl FontMetrics {
    fn read(bytes: &'static [u8]) -> Option<FontMetrics> {
        let table = |tag: &[u8; 4]| table_range(bytes, *tag).map(|r| r.start);
        let hhea = table(b"hhea")?;
        let (mut ascent, mut descent) = (read_i16(bytes, hhea + 4)?, read_i16(bytes, hhea + 6)?);
        if let Some(os2) = table(b"OS/2") {
            // Like ttf-parser (and so ab_glyph): typographic metrics when USE_TYPO_METRICS is set.
            let use_typo = read_u16(bytes, os2 + 62).is_some_and(|f| f & (1 << 7) != 0);
            if use_typo || (ascent == 0 && descent == 0) {
                ascent = read_i16(bytes, os2 + 68)?;
                descent = read_i16(bytes, os2 + 70)?;
            }
        }
        let height = f32::from(ascent) - f32::from(descent);
        let long_metrics = usize::from(read_u16(bytes, hhea + 34)?);
        let cmap = table(b"cmap")?;
        let encodings = usize::from(read_u16(bytes, cmap + 2)?);
        let mut best: Option<(usize, u16)> = None;
        for i in 0..encodings {
            let rec = cmap + 4 + 8 * i;
            let platform = read_u16(bytes, rec)?;
            let encoding = read_u16(bytes, rec + 2)?;
            let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
            let offset = cmap + read_u32(bytes, rec + 4)? as usize;
            let format = read_u16(bytes, offset)?;
            if unicode && (format == 12 || (format == 4 && best.is_none())) {
                best = Some((offset, format));
            }
        }
        (height > 0.0 && long_metrics > 0).then_some(FontMetrics {
            bytes,
            cmap: best?,
            hmtx: table(b"hmtx")?,
            long_metrics,
            height,
        })
    }

    /// The glyph for `c` (0, the "missing" glyph, when there is none).
    fn glyph(&self, c: char) -> u16 {
        let c = u32::from(c);
        let b = self.bytes;
        let (at, format) = self.cmap;
        let found = if format == 12 {
            let groups = read_u32(b, at + 12).unwrap_or(0) as usize;
            (0..groups).find_map(|i| {
                let g = at + 16 + 12 * i;
                let (start, end) = (read_u32(b, g)?, read_u32(b, g + 4)?);
                (start..=end)
                    .contains(&c)
                    .then(|| read_u32(b, g + 8).map(|first| first + (c - start)))
                    .flatten()
            })
        } else {
            Self::glyph_format4(b, at, c)
        };
        found.and_then(|g| u16::try_from(g).ok()).unwrap_or(0)
    }

    fn glyph_format4(b: &[u8], at: usize, c: u32) -> Option<u32> {
        let c = u16::try_from(c).ok()?;
        let segs = usize::from(read_u16(b, at + 6)? / 2);
        let ends = at + 14;
        let starts = ends + 2 * segs + 2;
        let deltas = starts + 2 * segs;
        let ranges = deltas + 2 * segs;
        let i = (0..segs).find(|i| read_u16(b, ends + 2 * i).is_some_and(|e| e >= c))?;
        let start = read_u16(b, starts + 2 * i)?;
        if c < start {
            return None;
        }
        let delta = read_u16(b, deltas + 2 * i)?;
        let range = read_u16(b, ranges + 2 * i)?;
        if range == 0 {
            return Some(u32::from(c.wrapping_add(delta)));
        }
        let at = ranges + 2 * i + usize::from(range) + 2 * usize::from(c - start);
        let g = read_u16(b, at)?;
        (g != 0).then(|| u32::from(g.wrapping_add(delta)))
    }

    /// Advance width and left side bearing of glyph `g`, in font units.
    fn h_metrics(&self, g: u16) -> (f32, f32) {
        let (b, g, n) = (self.bytes, usize::from(g), self.long_metrics);
        let advance = read_u16(b, self.hmtx + 4 * g.min(n - 1)).unwrap_or(0);
        let lsb = if g < n {
            read_i16(b, self.hmtx + 4 * g + 2)
        } else {
            read_i16(b, self.hmtx + 4 * n + 2 * (g - n))
        };
        (f32::from(advance), f32::from(lsb.unwrap_or(0)))
    }

    /// Pixels per font unit at ab_glyph font size `size`.
    fn scale(&self, size: f32) -> f32 {
        size / self.height
    }
}

/// The chart font at `size` pixels.
fn font(size: f32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, f64::from(size), FontStyle::Normal)
}

/// Width in pixels of `text` at `size`.
fn text_width(text: &str, size: f32) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    match chart_font() {
        Some(ChartFont {
            metrics: Some(fm), ..
        }) => {
            let units: f32 = text.chars().map(|c| fm.h_metrics(fm.glyph(c)).0).sum();
            units * fm.scale(size)
        }
        Some(ChartFont { metrics: None, .. }) => match font(size).box_size(text) {
            Ok((w, _)) => w as f32,
            Err(_) => 0.55 * size * text.chars().count() as f32,
        },
        None => 0.55 * size * text.chars().count() as f32,
    }
}

/// `text`, shortened with an ellipsis to fit `max_w` pixels (empty when not even "…" fits).
fn ellipsize(text: &str, size: f32, max_w: f32) -> String {
    if text_width(text, size) <= max_w {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (0..chars.len()).rev() {
        let mut cand: String = chars[..n].iter().collect::<String>().trim_end().to_owned();
        cand.push(ELLIPSIS);
        if text_width(&cand, size) <= max_w {
            return cand;
        }
    }
    String::new()
}

// ---------------------------------------------------------------------------------------------
// Public types.

/// A colour theme for charts (the UI takes it from egui's visuals; paper is [`ChartTheme::paper`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChartTheme {
    /// Background (egui's panel fill).
    pub background: [u8; 3],
    /// Text colour.
    pub text: [u8; 3],
    /// Colour of the horizontal grid lines.
    pub grid: [u8; 3],
    /// Whether this is a dark theme (selects the lighter series palette).
    pub dark: bool,
}

impl ChartTheme {
    /// A theme from its background and text colours; the grid is a weak mix of the two.
    #[must_use]
    pub fn new(background: [u8; 3], text: [u8; 3], dark: bool) -> ChartTheme {
        let grid_mix = if dark { GRID_MIX_DARK } else { GRID_MIX_LIGHT };
        ChartTheme {
            background,
            text,
            grid: mix(background, text, grid_mix),
            dark,
        }
    }

    /// Near-black on white, for print.
    #[must_use]
    pub fn paper() -> ChartTheme {
        ChartTheme::new(WHITE, INK, false)
    }

    /// Series colours: a colour-blind-safe palette (e.g. Okabe-Ito), lighter variants in dark mode.
    pub fn series(&self, i: usize) -> [u8; 3] {
        let palette = if self.dark {
            &SERIES_DARK
        } else {
            &SERIES_LIGHT
        };
        palette[i % palette.len()]
    }

    /// Colour of the zero line at the foot of the plot.
    fn axis(&self) -> [u8; 3] {
        mix(self.background, self.text, AXIS_MIX)
    }

    /// Colour of tick labels (slightly softer than the title).
    fn tick_text(&self) -> [u8; 3] {
        mix(self.background, self.text, TICK_TEXT_MIX)
    }

    /// Colour of the dashed reference line and its label.
    fn reference(&self) -> [u8; 3] {
        self.text
    }
}

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
    fn parts(&self) -> Parts<'_> {
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
struct Parts<'a> {
    bars: bool,
    title: &'a str,
    labels: &'a [String],
    series: &'a [Series],
    reference: Option<&'a Reference>,
    percent: bool,
}

/// A finite value, or None.
fn clean(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/// A rendered chart: `width` x `height` pixels, three bytes (RGB) each, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGB bytes, row by row from the top.
    pub rgb: Vec<u8>,
}

/// Draws the chart into an image of `width` x `height` physical pixels; `scale` multiplies font sizes and line widths (egui's pixels_per_point on screen, so the chart is crisp on HiDPI; larger for print).
#[must_use]
pub fn render(
    spec: &ChartSpec,
    width: u32,
    height: u32,
    scale: f32,
    theme: &ChartTheme,
) -> ChartImage {
    let (w, h) = (width as usize, height as usize);
    let mut buf: Vec<u8> = theme.background.repeat(w * h);
    if width >= MIN_SIDE && height >= MIN_SIDE {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale.clamp(0.5, 8.0)
        } else {
            1.0
        };
        let layout = Layout::new(spec, width as f32, height as f32, scale, theme);
        // A drawing error leaves a partly drawn chart, which is still the best we can show.
        let _ = draw(&mut buf, width, height, &layout, theme);
    }
    ChartImage {
        width,
        height,
        rgb: buf,
    }
}

/// Below this many pixels on either side, [`render`] returns a blank image.
const MIN_SIDE: u32 = 50;

/// Sizes in pixels, all proportional to the scale.
#[derive(Debug, Clone, Copy)]
struct Metrics {
    s: f32,
    pad: f32,
    title: f32,
    label: f32,
}

impl Metrics {
    fn new(s: f32) -> Metrics {
        Metrics {
            s,
            pad: 8.0 * s,
            title: 15.0 * s,
            label: 12.5 * s,
        }
    }

    /// Thickness of hairlines (grid, axis), at least one pixel.
    fn hairline(&self) -> i32 {
        self.s.round().max(1.0) as i32
    }
}

/// A line of text placed by its left edge and baseline.
#[derive(Debug, Clone, PartialEq)]
struct Placed {
    text: String,
    x: f32,
    baseline: f32,
    size: f32,
}

/// What sits left of a legend entry's text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Swatch {
    Bar([u8; 3]),
    Line([u8; 3]),
    Dashed([u8; 3]),
}

/// A legend entry: swatch at `x`, text after it.
#[derive(Debug, Clone, PartialEq)]
struct LegendItem {
    swatch: Swatch,
    x: f32,
    text: Placed,
}

/// One series, cleaned and cut to the number of categories.
#[derive(Debug, Clone)]
struct Line {
    colour: [u8; 3],
    values: Vec<Option<f64>>,
}

/// The plot rectangle and its axes.
#[derive(Debug, Clone)]
struct Plot {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    lo: f64,
    hi: f64,
    /// Tick values and their labels (right-aligned at `tick_right`).
    ticks: Vec<(f64, Placed)>,
    /// Labels under the axis, with the index of their category.
    x_labels: Vec<(usize, Placed)>,
    /// The reference line's value and its label right of the plot.
    reference: Option<(f64, Option<Placed>)>,
    n: usize,
}

impl Plot {
    /// Pixel row of value `v`.
    fn y(&self, v: f64) -> f32 {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) as f32;
        self.y1 - t * (self.y1 - self.y0)
    }

    /// Width of one category.
    fn band(&self) -> f32 {
        (self.x1 - self.x0) / self.n as f32
    }

    /// Pixel column of the centre of category `i`.
    fn x(&self, i: usize) -> f32 {
        self.x0 + self.band() * (i as f32 + 0.5)
    }
}

/// Everything [`draw`] needs, with positions in pixels.
#[derive(Debug, Clone)]
struct Layout {
    m: Metrics,
    bars: bool,
    title: Option<Placed>,
    legend: Vec<LegendItem>,
    lines: Vec<Line>,
    plot: Option<Plot>,
}

impl Layout {
    fn new(spec: &ChartSpec, width: f32, height: f32, scale: f32, theme: &ChartTheme) -> Layout {
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
fn layout_legend(
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
fn layout_plot(
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
fn x_label_texts(
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
fn wrap_two(text: &str, size: f32, max_w: f32) -> Vec<String> {
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
fn place_x_labels(
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
fn nice_step(raw: f64) -> f64 {
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
fn y_axis(vmin: f64, vmax: f64, percent: bool, target: usize) -> (f64, f64, f64) {
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
fn format_value(v: f64, step: f64, percent: bool) -> String {
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

// ---------------------------------------------------------------------------------------------
// Drawing.

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn Error>>;

fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// `a` moved towards `b` by `t` (0..=1).
#[must_use]
pub fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let f = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2])]
}

/// Fills the half-open pixel rectangle `[x0, x1) × [y0, y1)`.
fn fill(area: &Area<'_>, x0: i32, y0: i32, x1: i32, y1: i32, c: [u8; 3]) -> DrawResult {
    if x1 > x0 && y1 > y0 {
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], rgb(c).filled()))?;
    }
    Ok(())
}

/// A horizontal line `thickness` pixels thick, centred on row `y`.
fn hline(area: &Area<'_>, x0: f32, x1: f32, y: f32, thickness: i32, c: [u8; 3]) -> DrawResult {
    let top = (y - thickness as f32 / 2.0).round() as i32;
    fill(
        area,
        x0.round() as i32,
        top,
        x1.round() as i32,
        top + thickness,
        c,
    )
}

/// A dashed horizontal line centred on row `y`.
fn dashed(area: &Area<'_>, x0: f32, x1: f32, y: f32, m: Metrics, c: [u8; 3]) -> DrawResult {
    let thickness = (1.5 * m.s).round().max(1.0) as i32;
    let (dash, space) = (6.0 * m.s, 4.0 * m.s);
    let mut x = x0;
    while x < x1 {
        hline(area, x, (x + dash).min(x1), y, thickness, c)?;
        x += dash + space;
    }
    Ok(())
}

/// Draws text by its left edge and baseline.
///
/// Plotters' ab_glyph backend puts the baseline half a font size below the anchor it is
/// given, and starts each glyph's ink at the pen, so glyphs are drawn one by one, each moved
/// by its own left side bearing.
fn text(area: &Area<'_>, p: &Placed, c: [u8; 3]) {
    let Some(chart_font) = chart_font() else {
        return;
    };
    if p.text.is_empty() {
        return;
    }
    let colour = rgb(c);
    let style = TextStyle::from(font(p.size)).color(&colour);
    let y = (p.baseline - 0.5 * p.size).round() as i32;
    // A glyph that fails to draw is not worth losing the rest of the chart for.
    let Some(fm) = &chart_font.metrics else {
        let _ = area.draw_text(&p.text, &style, (p.x.round() as i32, y));
        return;
    };
    let scale = fm.scale(p.size);
    let passes = if p.size < 24.0 { 2 } else { 1 };
    let mut pen = p.x;
    let mut buf = [0u8; 4];
    for ch in p.text.chars() {
        let (advance, lsb) = fm.h_metrics(fm.glyph(ch));
        if !ch.is_whitespace() {
            let x = pen.round() as i32 + (lsb * scale).floor() as i32;
            let glyph = ch.encode_utf8(&mut buf);
            // Drawn twice, coverage a becomes 1 − (1 − a)²: the light font's thin strokes are
            // otherwise faint at small sizes (plotters blends coverage without gamma).
            for _ in 0..passes {
                let _ = area.draw_text(glyph, &style, (x, y));
            }
        }
        pen += advance * scale;
    }
}

fn draw(buf: &mut [u8], width: u32, height: u32, l: &Layout, theme: &ChartTheme) -> DrawResult {
    let area = BitMapBackend::with_buffer(buf, (width, height)).into_drawing_area();
    let m = l.m;
    if let Some(t) = &l.title {
        text(&area, t, theme.text);
    }
    for item in &l.legend {
        draw_swatch(&area, item, m)?;
        text(&area, &item.text, theme.text);
    }
    if let Some(plot) = &l.plot {
        draw_plot(&area, plot, l, theme)?;
    }
    area.present()?;
    Ok(())
}

fn draw_swatch(area: &Area<'_>, item: &LegendItem, m: Metrics) -> DrawResult {
    let mid = item.text.baseline - 0.5 * CAP_HEIGHT * m.label;
    match item.swatch {
        Swatch::Bar(c) => {
            let side = 0.8 * m.label;
            let (x0, y0) = (item.x.round() as i32, (mid - side / 2.0).round() as i32);
            let side = side.round() as i32;
            fill(area, x0, y0, x0 + side, y0 + side, c)
        }
        Swatch::Line(c) => {
            let len = 18.0 * m.s;
            hline(
                area,
                item.x,
                item.x + len,
                mid,
                (2.0 * m.s).round().max(1.0) as i32,
                c,
            )?;
            let centre = ((item.x + len / 2.0).round() as i32, mid.round() as i32);
            area.draw(&Circle::new(centre, marker_radius(m), rgb(c).filled()))?;
            Ok(())
        }
        Swatch::Dashed(c) => {
            let len = 18.0 * m.s;
            let thickness = (1.5 * m.s).round().max(1.0) as i32;
            let dash = (len - 2.0 * m.s) / 2.0;
            hline(area, item.x, item.x + dash, mid, thickness, c)?;
            hline(area, item.x + len - dash, item.x + len, mid, thickness, c)
        }
    }
}

fn marker_radius(m: Metrics) -> u32 {
    (3.5 * m.s).round().max(2.0) as u32
}

fn draw_plot(area: &Area<'_>, plot: &Plot, l: &Layout, theme: &ChartTheme) -> DrawResult {
    let m = l.m;
    let hair = m.hairline();
    for (v, label) in &plot.ticks {
        if *v != 0.0 {
            hline(area, plot.x0, plot.x1, plot.y(*v), hair, theme.grid)?;
        }
        text(area, label, theme.tick_text());
    }
    let series = l.lines.len().max(1);
    let band = plot.band();
    if l.bars {
        let group = (band * 0.8).min(series as f32 * 48.0 * m.s);
        let bar = group / series as f32;
        let inner_gap = if bar > 8.0 * m.s { m.s.round() } else { 0.0 };
        let base = plot.y(0.0).round() as i32;
        for (k, line) in l.lines.iter().enumerate() {
            for (i, v) in line.values.iter().enumerate() {
                let Some(v) = *v else { continue };
                let left = plot.x(i) - group / 2.0 + k as f32 * bar;
                let (x0, x1) = (left.round() as i32, (left + bar - inner_gap).round() as i32);
                let x1 = x1.max(x0 + 1);
                let mut y = plot.y(v).round() as i32;
                if v > 0.0 && y == base {
                    y -= 1;
                } else if v < 0.0 && y == base {
                    y += 1;
                }
                fill(area, x0, y.min(base), x1, y.max(base), line.colour)?;
            }
        }
    } else {
        let stroke = (2.0 * m.s).round().max(1.0) as u32;
        for line in &l.lines {
            let mut run: Vec<(i32, i32)> = Vec::new();
            let mut runs = Vec::new();
            for (i, v) in line.values.iter().enumerate() {
                match v {
                    Some(v) => run.push((plot.x(i).round() as i32, plot.y(*v).round() as i32)),
                    None => runs.push(std::mem::take(&mut run)),
                }
            }
            runs.push(run);
            let style = ShapeStyle {
                color: rgb(line.colour).to_rgba(),
                filled: false,
                stroke_width: stroke,
            };
            for run in &runs {
                if run.len() >= 2 {
                    area.draw(&PathElement::new(run.clone(), style))?;
                }
            }
            let r = marker_radius(m);
            for p in runs.iter().flatten() {
                area.draw(&Circle::new(
                    *p,
                    r + hair as u32,
                    rgb(theme.background).filled(),
                ))?;
                area.draw(&Circle::new(*p, r, rgb(line.colour).filled()))?;
            }
        }
        // Small ticks under the labelled positions.
        let tick = (3.0 * m.s).round() as i32;
        let mut last = None;
        for (i, _) in &plot.x_labels {
            if last == Some(*i) {
                continue;
            }
            last = Some(*i);
            let x = plot.x(*i).round() as i32;
            let y = plot.y1.round() as i32;
            fill(
                area,
                x - hair / 2,
                y,
                x - hair / 2 + hair,
                y + tick,
                theme.axis(),
            )?;
        }
    }
    // The zero line, over the feet of the bars.
    hline(area, plot.x0, plot.x1, plot.y(0.0), hair, theme.axis())?;
    if let Some((r, label)) = &plot.reference {
        dashed(area, plot.x0, plot.x1, plot.y(*r), m, theme.reference())?;
        if let Some(label) = label {
            text(area, label, theme.reference());
        }
    }
    for (_, label) in &plot.x_labels {
        text(area, label, theme.tick_text());
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn light() -> ChartTheme {
        // egui's light panel fill and text colour.
        ChartTheme::new([248, 248, 248], [60, 60, 60], false)
    }

    fn dark() -> ChartTheme {
        // egui's dark panel fill and text colour.
        ChartTheme::new([27, 27, 27], [140, 140, 140], true)
    }

    fn series(name: &str, values: &[Option<f64>]) -> Series {
        Series {
            name: name.to_owned(),
            values: values.to_vec(),
        }
    }

    fn bars(categories: &[&str], series: Vec<Series>, reference: Option<Reference>) -> ChartSpec {
        ChartSpec::Bars {
            title: "Absence by year group".to_owned(),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            series,
            reference,
            percent: true,
        }
    }

    fn weeks(n: usize) -> ChartSpec {
        ChartSpec::Lines {
            title: "Weekly attendance".to_owned(),
            x_labels: (0..n).map(|i| format!("w/c {:02}/09", i + 1)).collect(),
            series: vec![
                series(
                    "Pupils",
                    &(0..n)
                        .map(|i| Some(0.9 + 0.01 * (i % 5) as f64))
                        .collect::<Vec<_>>(),
                ),
                series(
                    "Persistent absentees",
                    &(0..n)
                        .map(|i| {
                            if i == 3 {
                                None
                            } else {
                                Some(0.7 + 0.02 * (i % 4) as f64)
                            }
                        })
                        .collect::<Vec<_>>(),
                ),
            ],
            reference: Some(Reference {
                label: "National".to_owned(),
                value: 0.93,
            }),
            percent: true,
        }
    }

    fn count(img: &ChartImage, c: [u8; 3]) -> usize {
        img.rgb.chunks_exact(3).filter(|p| **p == c).count()
    }

    fn pixel(img: &ChartImage, x: usize, y: usize) -> [u8; 3] {
        let at = 3 * (y * img.width as usize + x);
        [img.rgb[at], img.rgb[at + 1], img.rgb[at + 2]]
    }

    #[test]
    fn image_has_requested_size() {
        for (w, h) in [
            (400, 250),
            (1000, 300),
            (123, 77),
            (0, 0),
            (1, 1),
            (49, 300),
            (300, 49),
        ] {
            for scale in [1.0, 2.0] {
                let img = render(&weeks(15), w, h, scale, &light());
                assert_eq!((img.width, img.height), (w, h));
            }
        }
    }

    #[test]
    fn empty_specs() {
        assert!(bars(&[], vec![series("A", &[])], None).is_empty());
        assert!(bars(&["Y7", "Y8"], vec![], None).is_empty());
        assert!(
            bars(
                &["Y7", "Y8"],
                vec![series("A", &[None, Some(f64::NAN)])],
                None
            )
            .is_empty()
        );
        assert!(!bars(&["Y7", "Y8"], vec![series("A", &[None, Some(0.0)])], None).is_empty());
        assert!(!weeks(1).is_empty());
    }

    #[test]
    fn one_tall_bar_uses_series_colour_zero_only() {
        let theme = light();
        let spec = bars(&["Year 7"], vec![series("Absence", &[Some(0.9)])], None);
        let img = render(&spec, 400, 250, 1.0, &theme);
        assert!(
            count(&img, theme.series(0)) > 5_000,
            "{}",
            count(&img, theme.series(0))
        );
        assert_eq!(count(&img, theme.series(1)), 0);
    }

    #[test]
    fn dark_background_at_corners() {
        let theme = dark();
        assert!(theme.dark);
        let img = render(&weeks(15), 600, 300, 1.0, &theme);
        assert_eq!(pixel(&img, 0, 0), theme.background);
        assert_eq!(pixel(&img, 599, 299), theme.background);
        assert_ne!(theme.series(0), light().series(0));
    }

    #[test]
    fn reference_line_is_at_its_value() {
        let theme = light();
        let spec = bars(
            &["Year 7", "Year 8"],
            vec![series("Absence", &[Some(0.02), Some(0.03)])],
            Some(Reference {
                label: "National".to_owned(),
                value: 0.06,
            }),
        );
        let layout = Layout::new(&spec, 500.0, 250.0, 1.0, &theme);
        let plot = layout.plot.unwrap();
        assert!(plot.hi > 0.06);
        let y = plot.y(0.06).round() as usize;
        let img = render(&spec, 500, 250, 1.0, &theme);
        let row = (plot.x0 as usize..plot.x1 as usize)
            .filter(|x| pixel(&img, *x, y) == theme.reference())
            .count();
        let width = (plot.x1 - plot.x0) as usize;
        assert!(row > width / 2, "{row} of {width}");
        // Dashed, so not solid.
        assert!(row < width, "{row} of {width}");
    }

    #[test]
    fn no_panic_on_odd_input() {
        let theme = dark();
        let odd = [
            bars(&[], vec![], None),
            bars(&["A"], vec![series("A", &[Some(f64::NAN)])], None),
            bars(
                &["A", "B"],
                vec![series("A", &[Some(0.0), Some(0.0)])],
                None,
            ),
            bars(
                &["A"],
                vec![series("A", &[Some(f64::INFINITY), Some(1.0)])],
                None,
            ),
            bars(
                &["A", "B"],
                vec![series("A", &[Some(-0.2), Some(0.5)])],
                None,
            ),
            bars(&["A"], vec![series("A", &[Some(1e9)])], None),
            weeks(1),
            weeks(60),
            ChartSpec::Lines {
                title: String::new(),
                x_labels: vec!["Only".to_owned()],
                series: vec![series("A", &[Some(f64::NAN)])],
                reference: Some(Reference {
                    label: "Nan".to_owned(),
                    value: f64::NAN,
                }),
                percent: false,
            },
        ];
        for spec in &odd {
            for (w, h) in [
                (0, 0),
                (1, 1),
                (49, 49),
                (50, 50),
                (51, 80),
                (80, 51),
                (1000, 300),
            ] {
                for scale in [0.0, 1.0, 2.0, f32::NAN, 100.0] {
                    let img = render(spec, w, h, scale, &theme);
                    assert_eq!((img.width, img.height), (w, h));
                }
            }
        }
        let tiny = render(&weeks(5), 40, 40, 1.0, &theme);
        assert!(tiny.rgb.chunks_exact(3).all(|p| *p == tiny.rgb[..3]));
    }

    #[test]
    fn single_point_draws_markers() {
        let theme = light();
        let img = render(&weeks(1), 400, 200, 1.0, &theme);
        assert!(count(&img, theme.series(0)) > 10);
        assert!(count(&img, theme.series(1)) > 10);
    }

    #[test]
    fn percent_and_number_labels() {
        assert_eq!(format_value(0.0, 0.05, true), "0%");
        assert_eq!(format_value(0.05, 0.05, true), "5%");
        assert_eq!(format_value(0.125, 0.025, true), "12.5%");
        assert_eq!(format_value(1.0, 0.2, true), "100%");
        assert_eq!(format_value(-0.0, 0.1, true), "0%");
        assert_eq!(format_value(1250.0, 250.0, false), "1,250");
        assert_eq!(format_value(2.5, 2.5, false), "2.5");
        assert_eq!(format_value(0.05, 0.025, true), "5%");
        assert_eq!(format_value(0.0, 0.025, true), "0%");
        let (lo, hi, step) = y_axis(0.0, 0.93, true, 5);
        assert_eq!((lo, hi, step), (0.0, 1.0, 0.2));
        let (_, hi, _) = y_axis(0.0, 0.0, true, 4);
        assert!(hi > 0.0);
    }

    #[test]
    fn weekly_labels_are_thinned_without_overlap() {
        let spec = weeks(15);
        let layout = Layout::new(&spec, 400.0, 250.0, 1.0, &light());
        let plot = layout.plot.unwrap();
        let shown = plot.x_labels.len();
        assert!((3..15).contains(&shown), "{shown}");
        assert_eq!(plot.x_labels.last().unwrap().0, 14, "latest week labelled");
        for pair in plot.x_labels.windows(2) {
            let right = pair[0].1.x + text_width(&pair[0].1.text, pair[0].1.size);
            assert!(right < pair[1].1.x, "{pair:?}");
        }
        for (_, p) in &plot.x_labels {
            assert!(p.x >= 0.0 && p.x + text_width(&p.text, p.size) <= 400.0);
        }
    }

    #[test]
    fn font_is_registered() {
        let chart_font = chart_font().unwrap();
        let fm = chart_font.metrics.as_ref().unwrap();
        assert_ne!(fm.glyph('a'), 0);
        assert_ne!(fm.glyph(ELLIPSIS), 0);
        assert_ne!(fm.glyph('%'), 0);
        // Our widths agree with ab_glyph's own (plotters truncates to whole pixels).
        let ours = text_width("Attendance 95.2%", 100.0);
        let theirs = font(100.0).box_size("Attendance 95.2%").unwrap().0 as f32;
        assert!((ours - theirs).abs() < 0.02 * theirs, "{ours} vs {theirs}");
    }
}
