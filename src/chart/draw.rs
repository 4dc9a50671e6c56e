//! Drawing a laid-out chart with plotters' bitmap backend.

use super::{layout::*, text::*, theme::*};
use plotters::backend::BitMapBackend;
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, PathElement, Rectangle};
use plotters::style::{Color, ShapeStyle, TextStyle};
use std::error::Error;

// ---------------------------------------------------------------------------------------------
// Drawing.

pub(super) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
pub(super) type DrawResult = Result<(), Box<dyn Error>>;

/// Fills the half-open pixel rectangle `[x0, x1) × [y0, y1)`.
pub(super) fn fill(area: &Area<'_>, x0: i32, y0: i32, x1: i32, y1: i32, c: [u8; 3]) -> DrawResult {
    if x1 > x0 && y1 > y0 {
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], rgb(c).filled()))?;
    }
    Ok(())
}

/// A horizontal line `thickness` pixels thick, centred on row `y`.
pub(super) fn hline(
    area: &Area<'_>,
    x0: f32,
    x1: f32,
    y: f32,
    thickness: i32,
    c: [u8; 3],
) -> DrawResult {
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
pub(super) fn dashed(
    area: &Area<'_>,
    x0: f32,
    x1: f32,
    y: f32,
    m: Metrics,
    c: [u8; 3],
) -> DrawResult {
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
pub(super) fn text(area: &Area<'_>, p: &Placed, c: [u8; 3]) {
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
    let passes = if p.size < 24.0 { 2 } else { 1 };
    let mut pen = p.x;
    let mut buf = [0u8; 4];
    for ch in p.text.chars() {
        let (advance, lsb) = h_metrics(fm, ch, p.size);
        if !ch.is_whitespace() {
            let x = pen.round() as i32 + lsb.floor() as i32;
            let glyph = ch.encode_utf8(&mut buf);
            // Drawn twice, coverage a becomes 1 − (1 − a)²: the light font's thin strokes are
            // otherwise faint at small sizes (plotters blends coverage without gamma).
            for _ in 0..passes {
                let _ = area.draw_text(glyph, &style, (x, y));
            }
        }
        pen += advance;
    }
}

pub(super) fn draw(
    buf: &mut [u8],
    width: u32,
    height: u32,
    l: &Layout,
    theme: &ChartTheme,
) -> DrawResult {
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

pub(super) fn draw_swatch(area: &Area<'_>, item: &LegendItem, m: Metrics) -> DrawResult {
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

pub(super) fn marker_radius(m: Metrics) -> u32 {
    (3.5 * m.s).round().max(2.0) as u32
}

pub(super) fn draw_plot(
    area: &Area<'_>,
    plot: &Plot,
    l: &Layout,
    theme: &ChartTheme,
) -> DrawResult {
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
