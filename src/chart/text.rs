//! Text on charts: the chart font (egui's Ubuntu Light, registered with plotters) and
//! its horizontal metrics from ab_glyph, for widths and glyph-by-glyph placement.

use ab_glyph::{Font as _, FontRef};
use plotters::style::{FontDesc, FontFamily, FontStyle};
use std::sync::OnceLock;

/// Ascent of the font as a share of the plotters/ab_glyph font size (ascent − descent).
pub(super) const ASCENT: f32 = 0.83;
/// Height of capitals and digits as a share of the font size.
pub(super) const CAP_HEIGHT: f32 = 0.62;
/// Ellipsis appended to shortened labels.
pub(super) const ELLIPSIS: char = '…';

/// egui's proportional font (Ubuntu Light, from `epaint_default_fonts`), registered
/// with plotters as "sans-serif" (once), with the metrics plotters does not offer.
///
/// None if plotters refuses the font: text is then skipped.
pub(super) fn chart_font() -> Option<&'static ChartFont> {
    static FONT: OnceLock<Option<ChartFont>> = OnceLock::new();
    FONT.get_or_init(|| {
        let bytes: &'static [u8] = epaint_default_fonts::UBUNTU_LIGHT;
        plotters::style::register_font(FontFamily::SansSerif.as_str(), FontStyle::Normal, bytes)
            .ok()?;
        Some(ChartFont {
            metrics: FontRef::try_from_slice(bytes).ok(),
        })
    })
    .as_ref()
}

/// The registered chart font.
///
/// Plotters' ab_glyph text drops each glyph's left side bearing and truncates the pen
/// position to whole pixels, which spaces letters unevenly ("Sch ool"). With the
/// font's own metrics, text is drawn one glyph at a time at its proper place.
pub(super) struct ChartFont {
    /// The font as ab_glyph reads it, or None if it could not be parsed (plotters then
    /// lays out whole strings itself).
    pub(super) metrics: Option<FontRef<'static>>,
}

/// Advance width and left side bearing of `c`, in pixels at ab_glyph font size `size`
/// (the font's ascent − descent in pixels).
pub(super) fn h_metrics(font: &FontRef<'static>, c: char, size: f32) -> (f32, f32) {
    let id = font.glyph_id(c);
    let scale = size / font.height_unscaled();
    (
        font.h_advance_unscaled(id) * scale,
        font.h_side_bearing_unscaled(id) * scale,
    )
}

/// The chart font at `size` pixels.
pub(super) fn font(size: f32) -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, f64::from(size), FontStyle::Normal)
}

/// Width in pixels of `text` at `size`.
pub(super) fn text_width(text: &str, size: f32) -> f32 {
    if text.is_empty() {
        return 0.0;
    }
    match chart_font() {
        Some(ChartFont {
            metrics: Some(fm), ..
        }) => text.chars().map(|c| h_metrics(fm, c, size).0).sum(),
        Some(ChartFont { metrics: None, .. }) => match font(size).box_size(text) {
            Ok((w, _)) => w as f32,
            Err(_) => 0.55 * size * text.chars().count() as f32,
        },
        None => 0.55 * size * text.chars().count() as f32,
    }
}

/// `text`, shortened with an ellipsis to fit `max_w` pixels (empty when not even "…"
/// fits).
pub(super) fn ellipsize(text: &str, size: f32, max_w: f32) -> String {
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
