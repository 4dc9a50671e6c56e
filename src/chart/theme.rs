//! The charts' colours: the series palettes for light and dark backgrounds, the ink and
//! the mixes for grid and axes, and the [`ChartTheme`] a chart is drawn in.

use plotters::style::RGBColor;

// ---------------------------------------------------------------------------------------------
// Colours: every colour constant of the charts lives here.

/// Okabe–Ito colours ordered for light backgrounds (yellow is left out: too faint on white).
pub(super) const SERIES_LIGHT: [[u8; 3]; 7] = [
    [0x00, 0x72, 0xB2], // blue
    [0xE6, 0x9F, 0x00], // orange
    [0x00, 0x9E, 0x73], // bluish green
    [0xD5, 0x5E, 0x00], // vermillion
    [0xCC, 0x79, 0xA7], // reddish purple
    [0x56, 0xB4, 0xE9], // sky blue
    [0x66, 0x66, 0x66], // grey
];

/// Lighter variants of [`SERIES_LIGHT`] for dark backgrounds.
pub(super) const SERIES_DARK: [[u8; 3]; 7] = [
    [0x56, 0xB4, 0xE9], // sky blue (for blue)
    [0xF5, 0xB8, 0x3D], // light orange
    [0x2E, 0xCC, 0x9C], // light bluish green
    [0xF5, 0x8A, 0x45], // light vermillion
    [0xE5, 0xA3, 0xC8], // light reddish purple
    [0xF0, 0xE4, 0x42], // yellow
    [0xBB, 0xBB, 0xBB], // light grey
];

/// White, the background of paper.
pub(super) const WHITE: [u8; 3] = [0xFF, 0xFF, 0xFF];
/// The text colour on paper.
pub(super) const INK: [u8; 3] = [0x1F, 0x1F, 0x1F];

/// How much of the text colour is mixed into the background for grid lines.
pub(super) const GRID_MIX_LIGHT: f32 = 0.13;
/// [`GRID_MIX_LIGHT`] for dark mode.
pub(super) const GRID_MIX_DARK: f32 = 0.17;
/// How much of the text colour is mixed into the background for the zero axis line.
pub(super) const AXIS_MIX: f32 = 0.45;
/// How much of the text colour is mixed into the background for tick labels.
pub(super) const TICK_TEXT_MIX: f32 = 0.9;

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
    pub(super) fn axis(&self) -> [u8; 3] {
        mix(self.background, self.text, AXIS_MIX)
    }

    /// Colour of tick labels (slightly softer than the title).
    pub(super) fn tick_text(&self) -> [u8; 3] {
        mix(self.background, self.text, TICK_TEXT_MIX)
    }

    /// Colour of the dashed reference line and its label.
    pub(super) fn reference(&self) -> [u8; 3] {
        self.text
    }
}

pub(super) fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// `a` moved towards `b` by `t` (0..=1).
#[must_use]
pub fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let f = |x: u8, y: u8| (f32::from(x) + (f32::from(y) - f32::from(x)) * t).round() as u8;
    [f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2])]
}
