//! Draws laid-out pages into pixels for the print preview, with the same fonts and
//! positions the PDF uses.

use super::doc::{Doc, Item, Rgb};
use super::font::font;
use ab_glyph::{Font as _, GlyphId, PxScale, point};

/// A page in pixels: RGB, row by row from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// RGB bytes.
    pub rgb: Vec<u8>,
}

struct Canvas {
    w: usize,
    h: usize,
    rgb: Vec<u8>,
}

impl Canvas {
    /// Blends `c` over the pixel at coverage `a` (0..=1).
    fn blend(&mut self, x: i64, y: i64, c: Rgb, a: f32) {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h || a <= 0.0 {
            return;
        }
        let a = a.min(1.0);
        let at = 3 * (y as usize * self.w + x as usize);
        for (px, new) in self.rgb[at..at + 3].iter_mut().zip(c) {
            let old = f32::from(*px);
            *px = (old + (f32::from(new) - old) * a).round() as u8;
        }
    }

    /// Fills a rectangle given in pixels, with partial coverage at its edges.
    fn fill(&mut self, x0: f32, y0: f32, x1: f32, y1: f32, c: Rgb) {
        let (x0, x1) = (x0.min(x1), x0.max(x1));
        let (y0, y1) = (y0.min(y1), y0.max(y1));
        let ys = y0.floor() as i64;
        let ye = y1.ceil() as i64;
        let xs = x0.floor() as i64;
        let xe = x1.ceil() as i64;
        for y in ys..ye {
            let cy = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).clamp(0.0, 1.0);
            for x in xs..xe {
                let cx = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).clamp(0.0, 1.0);
                self.blend(x, y, c, cx * cy);
            }
        }
    }
}

/// Page `index` of `doc` at `scale` pixels per point (1.0 is 72 dpi). An index past the
/// end gives a blank page.
#[must_use]
pub fn render_page(doc: &Doc, index: usize, scale: f32) -> PageImage {
    let scale = if scale.is_finite() {
        scale.clamp(0.1, 8.0)
    } else {
        1.0
    };
    let w = (doc.size.0 * scale).round().max(1.0) as usize;
    let h = (doc.size.1 * scale).round().max(1.0) as usize;
    let mut canvas = Canvas {
        w,
        h,
        rgb: vec![0xFF; 3 * w * h],
    };
    let Some(page) = doc.pages.get(index) else {
        return finish(canvas);
    };
    for item in &page.items {
        match item {
            Item::Rect { x, y, w, h, fill } => {
                canvas.fill(
                    x * scale,
                    y * scale,
                    (x + w) * scale,
                    (y + h) * scale,
                    *fill,
                );
            }
            Item::Line {
                from,
                to,
                width,
                color,
            } => {
                let t = (width * scale).max(0.8);
                let (x0, y0, x1, y1) = (from.0 * scale, from.1 * scale, to.0 * scale, to.1 * scale);
                if (y0 - y1).abs() < 0.01 {
                    canvas.fill(x0, y0 - t / 2.0, x1, y0 + t / 2.0, *color);
                } else if (x0 - x1).abs() < 0.01 {
                    canvas.fill(x0 - t / 2.0, y0, x0 + t / 2.0, y1, *color);
                } else {
                    let steps = ((x1 - x0).hypot(y1 - y0)).ceil().max(1.0) as usize;
                    for i in 0..=steps {
                        let f = i as f32 / steps as f32;
                        let (x, y) = (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f);
                        canvas.fill(x - t / 2.0, y - t / 2.0, x + t / 2.0, y + t / 2.0, *color);
                    }
                }
            }
            Item::Image { x, y, w, h, index } => {
                if let Some(img) = doc.images.get(*index) {
                    draw_image(&mut canvas, img, x * scale, y * scale, w * scale, h * scale);
                }
            }
            Item::Text {
                x,
                y,
                size,
                font: kind,
                color,
                text,
            } => {
                let f = font(*kind);
                let em = size * scale;
                let height_units = f.font.height_unscaled();
                let px = PxScale::from(em * height_units / f.units_per_em);
                let mut pen = x * scale;
                let base = y * scale;
                for c in text.chars() {
                    let gid = f.glyph(c);
                    let glyph = GlyphId(gid).with_scale_and_position(px, point(pen, base));
                    if let Some(outlined) = f.font.outline_glyph(glyph) {
                        let b = outlined.px_bounds();
                        outlined.draw(|gx, gy, cov| {
                            canvas.blend(
                                b.min.x as i64 + i64::from(gx),
                                b.min.y as i64 + i64::from(gy),
                                *color,
                                cov,
                            );
                        });
                    }
                    pen += f.advance(gid) / 1000.0 * em;
                }
            }
        }
    }
    finish(canvas)
}

fn finish(c: Canvas) -> PageImage {
    PageImage {
        width: u32::try_from(c.w).unwrap_or(u32::MAX),
        height: u32::try_from(c.h).unwrap_or(u32::MAX),
        rgb: c.rgb,
    }
}

/// Draws an image into a box, averaging the source pixels each target pixel covers.
fn draw_image(canvas: &mut Canvas, img: &crate::chart::ChartImage, x: f32, y: f32, w: f32, h: f32) {
    let (sw, sh) = (img.width as usize, img.height as usize);
    if sw == 0 || sh == 0 || w < 1.0 || h < 1.0 || img.rgb.len() < 3 * sw * sh {
        return;
    }
    let (tw, th) = (w.round() as usize, h.round() as usize);
    let (x0, y0) = (x.round() as i64, y.round() as i64);
    for ty in 0..th {
        let sy0 = ty * sh / th;
        let sy1 = ((ty + 1) * sh / th).max(sy0 + 1).min(sh);
        for tx in 0..tw {
            let sx0 = tx * sw / tw;
            let sx1 = ((tx + 1) * sw / tw).max(sx0 + 1).min(sw);
            let mut sum = [0u32; 3];
            let mut n = 0u32;
            for sy in sy0..sy1 {
                for sx in sx0..sx1 {
                    let at = 3 * (sy * sw + sx);
                    for (s, v) in sum.iter_mut().zip(&img.rgb[at..at + 3]) {
                        *s += u32::from(*v);
                    }
                    n += 1;
                }
            }
            let n = n.max(1);
            let c = sum.map(|s| (s / n) as u8);
            canvas.blend(x0 + tx as i64, y0 + ty as i64, c, 1.0);
        }
    }
}
