//! Charts on screen: a [`ChartView`] shows a [`crate::chart`] drawing as an egui texture.

use std::hash::{DefaultHasher, Hash, Hasher};

pub use crate::chart::{ChartSpec, ChartTheme, Reference, Series};
use crate::chart::{mix, render};

/// The chart theme of egui's visuals: panel fill as background, the text colour, a weak grid.
#[must_use]
pub fn theme_of(v: &egui::Visuals) -> ChartTheme {
    let backdrop = if v.dark_mode { [0x00; 3] } else { [0xFF; 3] };
    let background = flatten(v.panel_fill, backdrop);
    let text = flatten(v.text_color(), background);
    ChartTheme::new(background, text, v.dark_mode)
}

/// An egui colour laid over an opaque backdrop.
fn flatten(c: egui::Color32, backdrop: [u8; 3]) -> [u8; 3] {
    let [r, g, b, a] = c.to_srgba_unmultiplied();
    mix(backdrop, [r, g, b], f32::from(a) / 255.0)
}

/// Shows a chart in egui at the available width and the given height in points, caching the texture: it is redrawn only when the spec, the size in pixels or the theme changes (so resizing redraws crisply, and a still frame costs nothing).
#[derive(Default)]
pub struct ChartView {
    /// Hash of what the texture shows (spec, size in pixels, scale, theme).
    key: Option<u64>,
    /// The rendered chart.
    texture: Option<egui::TextureHandle>,
    /// How many times the chart was rendered (for tests).
    renders: u64,
}

impl ChartView {
    /// Draws the chart; shows "No data for this chart" (weak text) instead when `spec.is_empty()`.
    pub fn ui(&mut self, ui: &mut egui::Ui, spec: &ChartSpec, height: f32) {
        let width = ui.available_width();
        let height = if height.is_finite() {
            height.max(0.0)
        } else {
            0.0
        };
        if spec.is_empty() {
            self.key = None;
            self.texture = None;
            let size = egui::vec2(width.max(0.0), height);
            ui.add_sized(
                size,
                egui::Label::new(egui::RichText::new("No data for this chart").weak()),
            );
            return;
        }
        let ppp = ui.ctx().pixels_per_point();
        let max_side = ui.ctx().input(|i| i.max_texture_side).min(8192) as f32;
        let to_px = |points: f32| {
            let px = (points * ppp).round();
            if px.is_finite() {
                px.clamp(1.0, max_side) as u32
            } else {
                1
            }
        };
        let (w_px, h_px) = (to_px(width), to_px(height));
        let theme = theme_of(ui.visuals());

        let mut hasher = DefaultHasher::new();
        spec.hash_into(&mut hasher);
        (w_px, h_px, ppp.to_bits(), theme).hash(&mut hasher);
        let key = hasher.finish();

        if self.key != Some(key) || self.texture.is_none() {
            let chart = render(spec, w_px, h_px, ppp, &theme);
            let image = egui::ColorImage::from_rgb(
                [chart.width as usize, chart.height as usize],
                &chart.rgb,
            );
            self.renders += 1;
            match &mut self.texture {
                Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
                None => {
                    let name = format!("chart: {}", spec.title());
                    self.texture = Some(ui.ctx().load_texture(
                        name,
                        image,
                        egui::TextureOptions::LINEAR,
                    ));
                }
            }
            self.key = Some(key);
        }
        if let Some(texture) = &self.texture {
            let size = egui::vec2(w_px as f32 / ppp, h_px as f32 / ppp);
            ui.add(egui::Image::new((texture.id(), size)).alt_text(spec.title()));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn weeks(n: usize) -> ChartSpec {
        ChartSpec::Lines {
            title: "Weekly attendance".to_owned(),
            x_labels: (0..n).map(|i| format!("w/c {:02}/09", i + 1)).collect(),
            series: vec![Series {
                name: "Pupils".to_owned(),
                values: (0..n).map(|i| Some(0.9 + 0.01 * (i % 5) as f64)).collect(),
            }],
            reference: None,
            percent: true,
        }
    }

    #[test]
    fn themes_follow_egui() {
        let light = theme_of(&egui::Visuals::light());
        let dark = theme_of(&egui::Visuals::dark());
        assert!(!light.dark && dark.dark);
        assert!(light.background.iter().all(|c| *c > 200));
        assert!(dark.background.iter().all(|c| *c < 60));
    }

    #[test]
    fn chart_view_caches_texture() {
        let ctx = egui::Context::default();
        let mut view = ChartView::default();
        let mut frame = |spec: &ChartSpec, height: f32| {
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| view.ui(ui, spec, height));
            out.textures_delta.clear();
        };
        let (spec, other, empty) = (
            weeks(8),
            weeks(9),
            ChartSpec::Bars {
                title: String::new(),
                categories: vec![],
                series: vec![],
                reference: None,
                percent: true,
            },
        );
        frame(&spec, 200.0);
        frame(&spec, 200.0);
        frame(&spec, 200.0);
        frame(&other, 200.0);
        frame(&other, 150.0);
        frame(&empty, 150.0);
        assert_eq!(view.renders, 3);
        assert!(view.texture.is_none());
    }
}
