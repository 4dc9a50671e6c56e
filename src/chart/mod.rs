//! Charts drawn with plotters into an RGB buffer, for the screen and for paper.
//!
//! [`render`] lays a [`ChartSpec`] out by hand (title, legend, y ticks, x labels) and draws it
//! with plotters' bitmap backend into a [`ChartImage`]. The UI's `ChartView` turns it into an
//! egui texture; the printed action log embeds it at print resolution. [`specs`] builds the
//! dashboard's six charts from a school view.

mod draw;
mod layout;
mod spec;
pub mod specs;
mod text;
mod theme;

pub use spec::{ChartSpec, Reference, Series};
pub use theme::{ChartTheme, mix};

use draw::draw;
use layout::{Layout, MIN_SIDE};

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use super::{layout::*, spec::*, text::*, theme::*};

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
        use ab_glyph::Font as _;
        let chart_font = chart_font().unwrap();
        let fm = chart_font.metrics.as_ref().unwrap();
        assert_ne!(fm.glyph_id('a').0, 0);
        assert_ne!(fm.glyph_id(ELLIPSIS).0, 0);
        assert_ne!(fm.glyph_id('%').0, 0);
        // Our widths agree with ab_glyph's own (plotters truncates to whole pixels).
        let ours = text_width("Attendance 95.2%", 100.0);
        let theirs = font(100.0).box_size("Attendance 95.2%").unwrap().0 as f32;
        assert!((ours - theirs).abs() < 0.02 * theirs, "{ours} vs {theirs}");
    }
}
