//! Laid-out pages and the composer that lays text, tables and images onto them.
//!
//! A [`Doc`] is a list of pages of positioned [`Item`]s in points from the top left of
//! the page. The PDF writer ([`super::pdf`]) and the preview rasteriser ([`super::raster`])
//! both draw from it, so the preview is the printed page. The [`Composer`] flows content
//! down the page, starts new pages as needed, repeats table headers on every page a table
//! continues onto, and at the end adds the running header and the footer with the
//! classification and "Page X of Y".

use super::font::{FontKind, font};
use super::{Cell, Column};
use crate::chart::ChartImage;

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Text colour.
pub const INK: Rgb = [0x1F, 0x1F, 0x1F];
/// Secondary text.
pub const MUTED: Rgb = [0x5A, 0x5A, 0x5A];
/// Rules and borders.
pub const RULE: Rgb = [0xB4, 0xB4, 0xB4];
/// Table header fill.
pub const HEADER_FILL: Rgb = [0xE4, 0xEA, 0xF1];
/// Every other table row.
pub const ZEBRA: Rgb = [0xF5, 0xF6, 0xF8];
/// Warnings (missing owner, open CME enquiry).
pub const WARN: Rgb = [0xA1, 0x3A, 0x00];

/// A4 portrait, in points.
pub const A4_PORTRAIT: (f32, f32) = (595.28, 841.89);
/// A4 landscape, in points.
pub const A4_LANDSCAPE: (f32, f32) = (841.89, 595.28);

/// One thing drawn on a page. Coordinates are points from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A line of text; `y` is the baseline.
    Text {
        /// Left edge.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size in points.
        size: f32,
        /// Which font.
        font: FontKind,
        /// Colour.
        color: Rgb,
        /// The text (one line).
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill colour.
        fill: Rgb,
    },
    /// A straight line.
    Line {
        /// Start.
        from: (f32, f32),
        /// End.
        to: (f32, f32),
        /// Thickness in points.
        width: f32,
        /// Colour.
        color: Rgb,
    },
    /// An image from [`Doc::images`], scaled into the box.
    Image {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Index into [`Doc::images`].
        index: usize,
    },
}

/// One page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// What is drawn, in order.
    pub items: Vec<Item>,
}

/// A laid-out document.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Title (the PDF's metadata).
    pub title: String,
    /// Page size in points (width, height).
    pub size: (f32, f32),
    /// The pages.
    pub pages: Vec<Page>,
    /// Images drawn by [`Item::Image`].
    pub images: Vec<ChartImage>,
}

/// The text of a cell as printed: percentages with one decimal, dates as dd/mm/yyyy.
#[must_use]
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Percent(p) => crate::domain::rules::percent(*p),
        Cell::Date(d) => crate::domain::dates::day(*d),
        Cell::Empty => String::new(),
    }
}

/// Body text size.
pub const BODY: f32 = 9.5;
/// Table text size.
pub const SMALL: f32 = 8.5;
/// Footer and header text size.
const TINY: f32 = 7.5;
/// Line height as a multiple of the font size.
const LEADING: f32 = 1.28;
/// Cell padding.
const PAD: f32 = 3.5;

/// How a table row is drawn.
#[derive(Debug, Clone, Copy)]
struct RowStyle {
    fill: Option<Rgb>,
    font: FontKind,
    /// Thickness and colour of the rule under the row.
    rule: (f32, Rgb),
}

/// Flows content onto pages.
#[derive(Debug)]
pub struct Composer {
    doc: Doc,
    /// Top of the next content, on the last page.
    y: f32,
    margin: f32,
    top: f32,
    bottom: f32,
    running_header: String,
    footer: String,
    /// The last section heading, repeated as "(continued)" above a table that runs on.
    section: String,
}

impl Composer {
    /// A new document of `size` with one empty page. `running_header` is printed at the top
    /// of every page after the first, `footer` (the classification) at the foot of every page.
    #[must_use]
    pub fn new(title: &str, size: (f32, f32), running_header: &str, footer: &str) -> Composer {
        let margin = 42.0;
        let mut c = Composer {
            doc: Doc {
                title: title.to_owned(),
                size,
                pages: Vec::new(),
                images: Vec::new(),
            },
            y: 0.0,
            margin,
            top: 48.0,
            bottom: size.1 - 46.0,
            running_header: running_header.to_owned(),
            footer: footer.to_owned(),
            section: String::new(),
        };
        c.new_page();
        c
    }

    /// Width available for content.
    #[must_use]
    pub fn width(&self) -> f32 {
        self.doc.size.0 - 2.0 * self.margin
    }

    /// Left edge of content.
    #[must_use]
    pub fn left(&self) -> f32 {
        self.margin
    }

    /// Space left on this page.
    #[must_use]
    pub fn room(&self) -> f32 {
        self.bottom - self.y
    }

    /// Starts a new page.
    pub fn new_page(&mut self) {
        self.doc.pages.push(Page::default());
        self.y = self.top;
    }

    /// Starts a new page unless `height` still fits on this one.
    pub fn ensure(&mut self, height: f32) {
        if height > self.room() && self.y > self.top + 0.5 {
            self.new_page();
        }
    }

    /// Moves down.
    pub fn space(&mut self, h: f32) {
        self.y += h;
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.doc.pages.last_mut() {
            page.items.push(item);
        }
    }

    /// Draws one line of text with its top at the current position (no wrapping) and returns
    /// nothing; for callers that place text themselves use [`Composer::text_at`].
    pub fn text_at(&mut self, x: f32, top: f32, size: f32, kind: FontKind, color: Rgb, text: &str) {
        if text.is_empty() {
            return;
        }
        let f = font(kind);
        let baseline = top + size * f.ascent / 1000.0;
        self.push(Item::Text {
            x,
            y: baseline,
            size,
            font: kind,
            color,
            text: text.to_owned(),
        });
    }

    /// A horizontal rule across the content width.
    pub fn rule(&mut self, width: f32, color: Rgb) {
        let (x0, x1, y) = (self.margin, self.margin + self.width(), self.y);
        self.push(Item::Line {
            from: (x0, y),
            to: (x1, y),
            width,
            color,
        });
    }

    /// The document title block: a large title and a subtitle, then a rule.
    pub fn title(&mut self, title: &str, subtitle: &str) {
        let w = self.width();
        let x = self.margin;
        for line in font(FontKind::Bold).wrap(title, 17.0, w) {
            self.text_at(x, self.y, 17.0, FontKind::Bold, INK, &line);
            self.y += 17.0 * 1.25;
        }
        for line in font(FontKind::Regular).wrap(subtitle, 10.5, w) {
            self.text_at(x, self.y, 10.5, FontKind::Regular, MUTED, &line);
            self.y += 10.5 * LEADING;
        }
        self.y += 4.0;
        self.rule(1.2, INK);
        self.y += 10.0;
    }

    /// A section heading, kept on the same page as at least `keep` points of what follows.
    pub fn heading(&mut self, text: &str, keep: f32) {
        let size = 12.5;
        self.ensure(size * 1.6 + keep);
        if self.y > self.top + 0.5 {
            self.y += 6.0;
        }
        let x = self.margin;
        self.text_at(x, self.y, size, FontKind::Bold, INK, text);
        self.section = text.to_owned();
        self.y += size * 1.35;
        self.rule(0.6, RULE);
        self.y += 5.0;
    }

    /// A smaller heading inside a section.
    pub fn subheading(&mut self, text: &str, keep: f32) {
        let size = 10.5;
        let lines = font(FontKind::Bold).wrap(text, size, self.width());
        self.ensure(lines.len() as f32 * size * LEADING + keep);
        self.y += 3.0;
        let x = self.margin;
        for line in lines {
            self.text_at(x, self.y, size, FontKind::Bold, INK, &line);
            self.y += size * LEADING;
        }
        self.y += 1.5;
    }

    /// Wrapped text across the content width, breaking across pages between lines.
    pub fn paragraph(&mut self, text: &str, size: f32, kind: FontKind, color: Rgb) {
        let x = self.margin;
        let w = self.width();
        self.paragraph_in(x, w, text, size, kind, color);
    }

    /// Wrapped text in a column from `x`, `w` wide.
    pub fn paragraph_in(
        &mut self,
        x: f32,
        w: f32,
        text: &str,
        size: f32,
        kind: FontKind,
        color: Rgb,
    ) {
        for line in font(kind).wrap(text, size, w) {
            self.ensure(size * LEADING);
            self.text_at(x, self.y, size, kind, color, &line);
            self.y += size * LEADING;
        }
        self.y += size * 0.45;
    }

    /// Label and value pairs in two columns ("Date:  24/11/2026"), values wrapped.
    pub fn key_values(&mut self, pairs: &[(&str, String)]) {
        let label_w = pairs
            .iter()
            .map(|(k, _)| font(FontKind::Bold).width(k, BODY))
            .fold(0.0f32, f32::max)
            + 10.0;
        let x = self.margin;
        let w = self.width() - label_w;
        for (k, v) in pairs {
            let lines = font(FontKind::Regular).wrap(v, BODY, w);
            let n = lines.len().max(1) as f32;
            self.ensure(n * BODY * LEADING);
            self.text_at(x, self.y, BODY, FontKind::Bold, INK, k);
            for line in &lines {
                self.text_at(x + label_w, self.y, BODY, FontKind::Regular, INK, line);
                self.y += BODY * LEADING;
            }
            if lines.is_empty() {
                self.y += BODY * LEADING;
            }
        }
        self.y += 4.0;
    }

    /// Adds an image to the document and draws it `w` x `h` points at the left margin.
    pub fn image(&mut self, image: ChartImage, w: f32, h: f32) {
        self.ensure(h);
        let index = self.doc.images.len();
        self.doc.images.push(image);
        let (x, y) = (self.margin, self.y);
        self.push(Item::Image { x, y, w, h, index });
        self.y += h + 6.0;
    }

    /// A table across the content width. Cells wrap; a row too tall for the rest of the
    /// page continues on the next; the header row is repeated at the top of every page the
    /// table runs onto. `min_row` is the least height of a body row (room to write in).
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], min_row: f32) {
        if columns.is_empty() {
            return;
        }
        let widths = self.column_widths(columns, rows);
        let wrap_cells = |cells: &[String], kind: FontKind| -> Vec<Vec<String>> {
            cells
                .iter()
                .zip(&widths)
                .map(|(text, w)| font(kind).wrap(text, SMALL, (w - 2.0 * PAD).max(4.0)))
                .collect()
        };
        let header = wrap_cells(
            &columns.iter().map(|c| c.title.clone()).collect::<Vec<_>>(),
            FontKind::Bold,
        );
        let line_h = SMALL * LEADING;
        let header_h = header.iter().map(Vec::len).max().unwrap_or(1) as f32 * line_h + 2.0 * PAD;

        let mut first = true;
        for (r, row) in rows.iter().enumerate() {
            let cells = wrap_cells(row, FontKind::Regular);
            let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
            let full_h = (lines as f32 * line_h + 2.0 * PAD).max(min_row);
            // Start on a new page if not even the header and a first line fit.
            if first {
                self.ensure(header_h + line_h.max(min_row.min(full_h)) + 2.0 * PAD);
                self.table_header(&header, &widths, header_h);
                first = false;
            }
            // Rows that fit on a fresh page are never split; taller rows continue over pages.
            let fresh = self.bottom - self.top - header_h - BODY * 1.6;
            let mut from = 0;
            loop {
                let rest = if from == 0 {
                    full_h
                } else {
                    (lines - from) as f32 * line_h + 2.0 * PAD
                };
                if rest <= self.room() {
                    self.table_row(&cells, &widths, r, from..lines, rest);
                    break;
                }
                let can = ((self.room() - 2.0 * PAD) / line_h).floor().max(0.0) as usize;
                if (from == 0 && rest <= fresh) || can == 0 {
                    self.continue_table();
                    self.table_header(&header, &widths, header_h);
                    continue;
                }
                let to = (from + can).min(lines);
                let h = self.room();
                self.table_row(&cells, &widths, r, from..to, h);
                from = to;
                self.continue_table();
                self.table_header(&header, &widths, header_h);
            }
        }
        if first {
            // No rows: the header alone, then a note.
            self.ensure(header_h + line_h + 2.0 * PAD);
            self.table_header(&header, &widths, header_h);
            let x = self.margin + PAD;
            self.text_at(x, self.y + PAD, SMALL, FontKind::Regular, MUTED, "None.");
            self.y += line_h + 2.0 * PAD;
        }
        self.y += 8.0;
    }

    /// A new page for a table that runs on, headed "Section (continued)".
    fn continue_table(&mut self) {
        self.new_page();
        if !self.section.is_empty() {
            let text = format!("{} (continued)", self.section);
            let x = self.margin;
            self.text_at(x, self.y, BODY, FontKind::Bold, MUTED, &text);
            self.y += BODY * 1.6;
        }
    }

    /// Column widths: shares of the content width, but never narrower than the column's
    /// longest word (so dates, UPNs and headers are not broken), within reason.
    fn column_widths(&self, columns: &[Column], rows: &[Vec<String>]) -> Vec<f32> {
        let total_w = self.width();
        let shares: Vec<f32> = columns.iter().map(|c| c.width.max(0.1)).collect();
        let longest = |text: &str, kind: FontKind| {
            text.split_whitespace()
                .map(|w| font(kind).width(w, SMALL))
                .fold(0.0f32, f32::max)
        };
        let mins: Vec<f32> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let body = rows
                    .iter()
                    .filter_map(|r| r.get(i))
                    .map(|t| longest(t, FontKind::Regular))
                    .fold(0.0f32, f32::max);
                (longest(&c.title, FontKind::Bold).max(body) + 2.0 * PAD + 0.5).min(0.4 * total_w)
            })
            .collect();
        let mut fixed = vec![false; columns.len()];
        loop {
            let fixed_w: f32 = mins
                .iter()
                .zip(&fixed)
                .filter(|(_, f)| **f)
                .map(|(m, _)| m)
                .sum();
            let free_share: f32 = shares
                .iter()
                .zip(&fixed)
                .filter(|(_, f)| !**f)
                .map(|(s, _)| s)
                .sum();
            let rest = (total_w - fixed_w).max(0.0);
            let widths: Vec<f32> = (0..columns.len())
                .map(|i| {
                    if fixed[i] {
                        mins[i]
                    } else {
                        shares[i] / free_share.max(0.1) * rest
                    }
                })
                .collect();
            let mut changed = false;
            for i in 0..columns.len() {
                if !fixed[i] && widths[i] < mins[i] {
                    fixed[i] = true;
                    changed = true;
                }
            }
            if !changed || fixed.iter().all(|f| *f) {
                // If even the minimums overflow, scale everything to fit.
                let sum: f32 = widths.iter().sum();
                return widths.iter().map(|w| w * total_w / sum.max(1.0)).collect();
            }
        }
    }

    fn table_header(&mut self, header: &[Vec<String>], widths: &[f32], h: f32) {
        let all = header.iter().map(Vec::len).max().unwrap_or(0);
        let style = RowStyle {
            fill: Some(HEADER_FILL),
            font: FontKind::Bold,
            rule: (0.8, INK),
        };
        self.cells_row(header, widths, 0..all, h, style);
    }

    fn table_row(
        &mut self,
        cells: &[Vec<String>],
        widths: &[f32],
        index: usize,
        lines: std::ops::Range<usize>,
        h: f32,
    ) {
        let style = RowStyle {
            fill: (index % 2 == 1).then_some(ZEBRA),
            font: FontKind::Regular,
            rule: (0.4, RULE),
        };
        self.cells_row(cells, widths, lines, h, style);
    }

    /// One row of a table: a background, each cell's `lines`, and a rule under it.
    fn cells_row(
        &mut self,
        cells: &[Vec<String>],
        widths: &[f32],
        lines: std::ops::Range<usize>,
        h: f32,
        style: RowStyle,
    ) {
        let (x0, y0, w) = (self.margin, self.y, self.width());
        if let Some(fill) = style.fill {
            self.push(Item::Rect {
                x: x0,
                y: y0,
                w,
                h,
                fill,
            });
        }
        let mut x = x0;
        for (cell, cw) in cells.iter().zip(widths) {
            let mut y = y0 + PAD;
            for line in cell.iter().take(lines.end).skip(lines.start) {
                self.text_at(x + PAD, y, SMALL, style.font, INK, line);
                y += SMALL * LEADING;
            }
            x += cw;
        }
        self.y += h;
        let (width, color) = style.rule;
        self.push(Item::Line {
            from: (x0, self.y),
            to: (x0 + w, self.y),
            width,
            color,
        });
    }

    /// A signature block: a line to sign on, with name, role and date lines, for each party
    /// side by side.
    pub fn signatures(&mut self, parties: &[&str]) {
        let h = 92.0;
        self.ensure(h);
        let gap = 24.0;
        let n = parties.len().max(1) as f32;
        let col = (self.width() - gap * (n - 1.0)) / n;
        let top = self.y;
        for (i, party) in parties.iter().enumerate() {
            let x = self.margin + i as f32 * (col + gap);
            self.text_at(x, top, BODY, FontKind::Bold, INK, party);
            let mut y = top + 34.0;
            for label in ["Signature", "Name", "Date"] {
                self.push(Item::Line {
                    from: (x + 52.0, y),
                    to: (x + col, y),
                    width: 0.6,
                    color: INK,
                });
                self.text_at(x, y - BODY, BODY, FontKind::Regular, MUTED, label);
                y += 22.0;
            }
        }
        self.y = top + h;
    }

    /// Adds the running header (pages after the first) and the footer (every page) and
    /// returns the document.
    #[must_use]
    pub fn finish(mut self) -> Doc {
        let pages = self.doc.pages.len();
        let (w, h) = self.doc.size;
        let m = self.margin;
        let regular = font(FontKind::Regular);
        for (i, page) in self.doc.pages.iter_mut().enumerate() {
            let baseline = |top: f32| top + TINY * regular.ascent / 1000.0;
            if i > 0 && !self.running_header.is_empty() {
                let text = regular.ellipsize(&self.running_header, TINY, w - 2.0 * m);
                page.items.push(Item::Text {
                    x: m,
                    y: baseline(24.0),
                    size: TINY,
                    font: FontKind::Regular,
                    color: MUTED,
                    text,
                });
                page.items.push(Item::Line {
                    from: (m, 36.0),
                    to: (w - m, 36.0),
                    width: 0.4,
                    color: RULE,
                });
            }
            let foot = h - 30.0;
            page.items.push(Item::Line {
                from: (m, foot - 6.0),
                to: (w - m, foot - 6.0),
                width: 0.4,
                color: RULE,
            });
            let number = format!("Page {} of {pages}", i + 1);
            let nw = regular.width(&number, TINY);
            let classification = regular.ellipsize(&self.footer, TINY, w - 2.0 * m - nw - 20.0);
            page.items.push(Item::Text {
                x: m,
                y: baseline(foot),
                size: TINY,
                font: FontKind::Bold,
                color: INK,
                text: classification,
            });
            page.items.push(Item::Text {
                x: w - m - nw,
                y: baseline(foot),
                size: TINY,
                font: FontKind::Regular,
                color: INK,
                text: number,
            });
        }
        self.doc
    }
}
