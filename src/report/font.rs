//! The two fonts printed documents use (DejaVu Sans and DejaVu Sans Bold, shipped in
//! `assets/fonts/`): glyph lookup, widths for layout and wrapping, and a TrueType subset
//! of the glyphs a document uses, for embedding.

use ab_glyph::{Font as _, FontRef, GlyphId};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::ttf::{read_i16, read_u16, read_u32, table_range};

/// Which of the two fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FontKind {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

impl FontKind {
    /// Both fonts.
    pub const ALL: [FontKind; 2] = [FontKind::Regular, FontKind::Bold];
}

/// DejaVu Sans, embedded in the binary.
const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, embedded in the binary.
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A font with what layout and embedding need.
#[derive(Debug)]
pub struct PrintFont {
    /// PostScript-style name, e.g. "DejaVuSans".
    pub name: &'static str,
    /// The TrueType file.
    pub bytes: &'static [u8],
    /// ab_glyph's view of it (glyph ids, advances, outlines).
    pub font: FontRef<'static>,
    /// Font units per em.
    pub units_per_em: f32,
    /// Ascent, in thousandths of an em.
    pub ascent: f32,
    /// Descent (negative), in thousandths of an em.
    pub descent: f32,
    /// Height of capitals, in thousandths of an em.
    pub cap_height: f32,
    /// Bounding box of all glyphs, in thousandths of an em.
    pub bbox: [f32; 4],
}

/// The font of `kind`. The fonts are compiled in, so this cannot fail in practice; if a
/// font were unreadable this panics once at the first print, naming the font (no pupil data).
#[must_use]
pub fn font(kind: FontKind) -> &'static PrintFont {
    static FONTS: OnceLock<[PrintFont; 2]> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        [
            PrintFont::load("DejaVuSans", REGULAR),
            PrintFont::load("DejaVuSans-Bold", BOLD),
        ]
    });
    match kind {
        FontKind::Regular => &fonts[0],
        FontKind::Bold => &fonts[1],
    }
}

impl PrintFont {
    #[allow(
        clippy::expect_used,
        reason = "the font files are compiled in; a broken one is a build defect"
    )]
    fn load(name: &'static str, bytes: &'static [u8]) -> PrintFont {
        let font =
            FontRef::try_from_slice(bytes).expect("the shipped font is a valid TrueType font");
        let upem = font.units_per_em().unwrap_or(2048.0);
        let k = 1000.0 / upem;
        let head = table(bytes, *b"head").unwrap_or(&[]);
        let bbox = [36, 38, 40, 42].map(|at| f32::from(read_i16(head, at).unwrap_or(0)) * k);
        let cap = font
            .outline(font.glyph_id('H'))
            .map_or(0.7 * upem, |o| o.bounds.max.y);
        PrintFont {
            name,
            bytes,
            units_per_em: upem,
            ascent: font.ascent_unscaled() * k,
            descent: font.descent_unscaled() * k,
            cap_height: cap * k,
            bbox,
            font,
        }
    }

    /// The glyph for `c` (0, the "missing" box, if the font has none).
    #[must_use]
    pub fn glyph(&self, c: char) -> u16 {
        self.font.glyph_id(c).0
    }

    /// The advance of glyph `gid`, in thousandths of an em.
    #[must_use]
    pub fn advance(&self, gid: u16) -> f32 {
        self.font.h_advance_unscaled(GlyphId(gid)) * 1000.0 / self.units_per_em
    }

    /// Width of `text` at `size` points, in points.
    #[must_use]
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text.chars().map(|c| self.advance(self.glyph(c))).sum();
        units * size / 1000.0
    }

    /// `text` broken into lines no wider than `width` points at `size`: at spaces where
    /// possible, inside a word only when the word alone is too wide. Line breaks in the
    /// text are kept; an empty text gives no lines.
    #[must_use]
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let para = para.trim_end();
            // A bulleted paragraph hangs: continuation lines start under the text.
            if let Some(rest) = para.strip_prefix("• ") {
                let hang = "   ";
                let inner = self.wrap(rest, size, width - self.width(hang, size));
                for (i, line) in inner.into_iter().enumerate() {
                    lines.push(if i == 0 {
                        format!("• {line}")
                    } else {
                        format!("{hang}{line}")
                    });
                }
                continue;
            }
            if para.trim().is_empty() {
                if !lines.is_empty() {
                    lines.push(String::new());
                }
                continue;
            }
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: break it by characters if it is still too wide.
                let mut piece = String::new();
                for c in word.chars() {
                    piece.push(c);
                    if self.width(&piece, size) > width && piece.chars().count() > 1 {
                        piece.pop();
                        lines.push(std::mem::take(&mut piece));
                        piece.push(c);
                    }
                }
                line = piece;
            }
            if !line.is_empty() {
                lines.push(line);
            }
        }
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines
    }

    /// `text` shortened with "…" to fit `width` points at `size`.
    #[must_use]
    pub fn ellipsize(&self, text: &str, size: f32, width: f32) -> String {
        if self.width(text, size) <= width {
            return text.to_owned();
        }
        let chars: Vec<char> = text.chars().collect();
        for n in (0..chars.len()).rev() {
            let mut cand: String = chars[..n].iter().collect::<String>().trim_end().to_owned();
            cand.push('…');
            if self.width(&cand, size) <= width {
                return cand;
            }
        }
        String::new()
    }

    /// A TrueType font holding only the glyphs in `used` (plus glyph 0), with glyph ids
    /// unchanged, for embedding as a PDF `FontFile2`. Tables a PDF viewer does not need
    /// (cmap, names, layout tables) are left out. None if the font's tables cannot be read.
    #[must_use]
    pub fn subset(&self, used: &BTreeSet<u16>) -> Option<Vec<u8>> {
        subset(self.bytes, used)
    }
}

/// The bytes of table `tag`, if present.
fn table(font: &[u8], tag: [u8; 4]) -> Option<&[u8]> {
    font.get(table_range(font, tag)?)
}

/// Glyph data ranges from `loca`.
fn glyph_range(loca: &[u8], long: bool, gid: u16) -> Option<(usize, usize)> {
    let i = usize::from(gid);
    if long {
        Some((
            read_u32(loca, 4 * i)? as usize,
            read_u32(loca, 4 * i + 4)? as usize,
        ))
    } else {
        Some((
            2 * usize::from(read_u16(loca, 2 * i)?),
            2 * usize::from(read_u16(loca, 2 * i + 2)?),
        ))
    }
}

/// The glyphs a composite glyph is built from.
fn components(glyph: &[u8]) -> Vec<u16> {
    const ARGS_ARE_WORDS: u16 = 0x0001;
    const HAVE_SCALE: u16 = 0x0008;
    const MORE: u16 = 0x0020;
    const X_AND_Y_SCALE: u16 = 0x0040;
    const TWO_BY_TWO: u16 = 0x0080;
    let mut out = Vec::new();
    if read_i16(glyph, 0).is_none_or(|contours| contours >= 0) {
        return out;
    }
    let mut at = 10;
    while let (Some(flags), Some(gid)) = (read_u16(glyph, at), read_u16(glyph, at + 2)) {
        out.push(gid);
        at += 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
        at += if flags & HAVE_SCALE != 0 {
            2
        } else if flags & X_AND_Y_SCALE != 0 {
            4
        } else if flags & TWO_BY_TWO != 0 {
            8
        } else {
            0
        };
        if flags & MORE == 0 {
            break;
        }
    }
    out
}

/// See [`PrintFont::subset`].
fn subset(font: &[u8], used: &BTreeSet<u16>) -> Option<Vec<u8>> {
    let head = table(font, *b"head")?;
    let maxp = table(font, *b"maxp")?;
    let loca = table(font, *b"loca")?;
    let glyf = table(font, *b"glyf")?;
    let long = read_i16(head, 50)? == 1;
    let count = read_u16(maxp, 4)?;

    // Every glyph needed, composites' parts included.
    let mut keep: BTreeSet<u16> = BTreeSet::from([0]);
    let mut todo: Vec<u16> = used.iter().copied().filter(|g| *g < count).collect();
    while let Some(gid) = todo.pop() {
        if !keep.insert(gid) && gid != 0 {
            continue;
        }
        let (a, b) = glyph_range(loca, long, gid)?;
        for part in components(glyf.get(a..b)?) {
            if part < count && !keep.contains(&part) {
                todo.push(part);
            }
        }
    }

    // New glyf (kept glyphs only, 4-byte aligned) and a long loca.
    let mut new_glyf = Vec::new();
    let mut new_loca = Vec::with_capacity(4 * (usize::from(count) + 1));
    for gid in 0..count {
        new_loca.extend_from_slice(&u32::try_from(new_glyf.len()).ok()?.to_be_bytes());
        if keep.contains(&gid) {
            let (a, b) = glyph_range(loca, long, gid)?;
            new_glyf.extend_from_slice(glyf.get(a..b)?);
            while new_glyf.len() % 4 != 0 {
                new_glyf.push(0);
            }
        }
    }
    new_loca.extend_from_slice(&u32::try_from(new_glyf.len()).ok()?.to_be_bytes());

    let mut new_head = head.to_vec();
    new_head.get_mut(8..12)?.copy_from_slice(&[0; 4]); // checkSumAdjustment, recomputed below
    new_head
        .get_mut(50..52)?
        .copy_from_slice(&1i16.to_be_bytes());

    let mut tables: BTreeMap<[u8; 4], Vec<u8>> = BTreeMap::new();
    tables.insert(*b"head", new_head);
    tables.insert(*b"loca", new_loca);
    tables.insert(*b"glyf", new_glyf);
    for tag in [*b"hhea", *b"hmtx", *b"maxp", *b"cvt ", *b"fpgm", *b"prep"] {
        if let Some(t) = table(font, tag) {
            tables.insert(tag, t.to_vec());
        }
    }
    Some(assemble(&tables))
}

/// TrueType checksum of a table (big-endian u32 words, zero padded).
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// A font file from its tables (sorted by tag, as the format wants).
fn assemble(tables: &BTreeMap<[u8; 4], Vec<u8>>) -> Vec<u8> {
    let n = tables.len();
    let mut entry_selector = 0u16;
    while (2usize << entry_selector) <= n {
        entry_selector += 1;
    }
    let search_range = 16u16 << entry_selector;
    let n16 = u16::try_from(n).unwrap_or(u16::MAX);
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n16.to_be_bytes());
    out.extend_from_slice(&search_range.to_be_bytes());
    out.extend_from_slice(&entry_selector.to_be_bytes());
    out.extend_from_slice(&(n16 * 16).saturating_sub(search_range).to_be_bytes());
    let mut offset = 12 + 16 * n;
    let mut head_at = None;
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        if tag == b"head" {
            head_at = Some(offset);
        }
        offset += data.len().next_multiple_of(4);
    }
    for data in tables.values() {
        out.extend_from_slice(data);
        while out.len() % 4 != 0 {
            out.push(0);
        }
    }
    if let Some(at) = head_at {
        let adjust = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjust.to_be_bytes());
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_wrapping() {
        let f = font(FontKind::Regular);
        assert!(f.glyph('a') != 0 && f.glyph('é') != 0 && f.glyph('…') != 0);
        let w = f.width("Attendance", 10.0);
        assert!(w > 40.0 && w < 70.0, "{w}");
        assert!(font(FontKind::Bold).width("Attendance", 10.0) > w);
        let lines = f.wrap("the quick brown fox jumps over the lazy dog", 10.0, 80.0);
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| f.width(l, 10.0) <= 80.0));
        assert_eq!(
            lines.join(" "),
            "the quick brown fox jumps over the lazy dog"
        );
        // A word wider than the line is broken inside.
        let long = f.wrap("Supercalifragilisticexpialidocious", 10.0, 50.0);
        assert!(long.len() > 2 && long.iter().all(|l| f.width(l, 10.0) <= 50.0));
        assert_eq!(long.concat(), "Supercalifragilisticexpialidocious");
        assert_eq!(f.wrap("a\n\nb", 10.0, 80.0), vec!["a", "", "b"]);
        assert!(f.wrap("  ", 10.0, 80.0).is_empty());
        // Bullets hang.
        let bullet = f.wrap("• one two three four five six seven", 10.0, 80.0);
        assert!(bullet.len() > 1 && bullet[0].starts_with("• "));
        assert!(
            bullet[1..]
                .iter()
                .all(|l| l.starts_with("   ") && f.width(l, 10.0) <= 80.0)
        );
    }

    #[test]
    fn subset_keeps_used_glyphs_and_is_a_font() {
        let f = font(FontKind::Regular);
        let used: BTreeSet<u16> = "Hé!".chars().map(|c| f.glyph(c)).collect();
        let sub = f.subset(&used).unwrap();
        assert!(sub.len() < f.bytes.len() / 5, "{} bytes", sub.len());
        let parsed = FontRef::try_from_slice(&sub).unwrap();
        // Kept glyphs have outlines; dropped ones do not.
        assert!(parsed.outline(GlyphId(f.glyph('H'))).is_some());
        assert!(parsed.outline(GlyphId(f.glyph('é'))).is_some());
        assert!(parsed.outline(GlyphId(f.glyph('Z'))).is_none());
        // The whole-file checksum comes out at the magic value.
        assert_eq!(checksum(&sub), 0xB1B0_AFBA);
    }
}
