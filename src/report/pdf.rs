//! Writes a [`Doc`] as a PDF 1.7 file: the two fonts embedded as TrueType subsets
//! (CIDFontType2, Identity-H, with ToUnicode maps so text can be searched and copied),
//! images as compressed RGB, content streams compressed.

use super::doc::{Doc, Item, Rgb};
use super::font::{FontKind, font};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Objects by number, each the bytes between `N 0 obj` and `endobj`.
struct Objects {
    bodies: Vec<Vec<u8>>,
}

impl Objects {
    /// Reserves an object number.
    fn reserve(&mut self) -> usize {
        self.bodies.push(Vec::new());
        self.bodies.len()
    }

    fn set(&mut self, id: usize, body: Vec<u8>) {
        if let Some(slot) = self.bodies.get_mut(id - 1) {
            *slot = body;
        }
    }

    fn add(&mut self, body: Vec<u8>) -> usize {
        self.bodies.push(body);
        self.bodies.len()
    }

    /// A compressed stream object.
    fn stream(&mut self, dict: &str, data: &[u8]) -> usize {
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(data, 6);
        let mut body = format!(
            "<< {dict} /Filter /FlateDecode /Length {} >>\nstream\n",
            packed.len()
        )
        .into_bytes();
        body.extend_from_slice(&packed);
        body.extend_from_slice(b"\nendstream");
        self.add(body)
    }
}

/// A number with at most two decimals, as PDF wants it.
fn num(v: f32) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}

fn color(c: Rgb) -> String {
    let f = |x: u8| num(f32::from(x) / 255.0);
    format!("{} {} {}", f(c[0]), f(c[1]), f(c[2]))
}

/// A PDF text string (literal, with escapes) for metadata; non-ASCII as UTF-16BE hex.
fn text_string(s: &str) -> String {
    if s.is_ascii() {
        let mut out = String::from("(");
        for c in s.chars() {
            match c {
                '(' | ')' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                c if c.is_ascii_control() => out.push(' '),
                c => out.push(c),
            }
        }
        out.push(')');
        out
    } else {
        let mut out = String::from("<FEFF");
        for unit in s.encode_utf16() {
            let _ = write!(out, "{unit:04X}");
        }
        out.push('>');
        out
    }
}

/// The document as PDF bytes. `created` is the creation date as `YYYYMMDDHHmmSS`.
#[must_use]
pub fn write(doc: &Doc, created: &str) -> Vec<u8> {
    let mut objs = Objects { bodies: Vec::new() };
    let catalog = objs.reserve();
    let pages_id = objs.reserve();

    // Glyphs used per font, and the character each glyph shows (for ToUnicode).
    let mut used: BTreeMap<FontKind, BTreeMap<u16, char>> = BTreeMap::new();
    for page in &doc.pages {
        for item in &page.items {
            if let Item::Text {
                font: kind, text, ..
            } = item
            {
                let f = font(*kind);
                let map = used.entry(*kind).or_default();
                for c in text.chars() {
                    map.entry(f.glyph(c)).or_insert(c);
                }
            }
        }
    }

    // Fonts.
    let mut font_ids: BTreeMap<FontKind, usize> = BTreeMap::new();
    for (kind, glyphs) in &used {
        let f = font(*kind);
        let set: BTreeSet<u16> = glyphs.keys().copied().collect();
        let file = f.subset(&set).unwrap_or_else(|| f.bytes.to_vec());
        // A subset's name starts with six capitals derived from the glyphs it holds.
        let mut tag_seed: u32 = 2_166_136_261;
        for g in &set {
            tag_seed = (tag_seed ^ u32::from(*g)).wrapping_mul(16_777_619);
        }
        let tag: String = (0..6)
            .map(|i| char::from(b'A' + ((tag_seed >> (i * 5)) % 26) as u8))
            .collect();
        let base = format!("{tag}+{}", f.name);
        let file_id = objs.stream(&format!("/Length1 {}", file.len()), &file);
        let descriptor = objs.add(
            format!(
                "<< /Type /FontDescriptor /FontName /{base} /Flags 32 /FontBBox [{} {} {} {}] \
                 /ItalicAngle 0 /Ascent {} /Descent {} /CapHeight {} /StemV {} /FontFile2 {file_id} 0 R >>",
                num(f.bbox[0]),
                num(f.bbox[1]),
                num(f.bbox[2]),
                num(f.bbox[3]),
                num(f.ascent),
                num(f.descent),
                num(f.cap_height),
                if *kind == FontKind::Bold { 140 } else { 80 },
            )
            .into_bytes(),
        );
        let mut widths = String::new();
        for g in &set {
            let _ = write!(widths, "{g} [{}] ", num(f.advance(*g)));
        }
        let cid = objs.add(
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {descriptor} 0 R /DW 1000 /W [{widths}] /CIDToGIDMap /Identity >>"
            )
            .into_bytes(),
        );
        let to_unicode = objs.stream("", to_unicode(glyphs).as_bytes());
        let id = objs.add(
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H \
                 /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
            )
            .into_bytes(),
        );
        font_ids.insert(*kind, id);
    }

    // Images.
    let image_ids: Vec<usize> = doc
        .images
        .iter()
        .map(|img| {
            objs.stream(
                &format!(
                    "/Type /XObject /Subtype /Image /Width {} /Height {} /ColorSpace /DeviceRGB /BitsPerComponent 8",
                    img.width, img.height
                ),
                &img.rgb,
            )
        })
        .collect();

    let mut resources = String::from("<< /Font << ");
    for (kind, id) in &font_ids {
        let _ = write!(resources, "/{} {id} 0 R ", font_name(*kind));
    }
    resources.push_str(">> /XObject << ");
    for (i, id) in image_ids.iter().enumerate() {
        let _ = write!(resources, "/Im{i} {id} 0 R ");
    }
    resources.push_str(">> >>");
    let resources_id = objs.add(resources.into_bytes());

    let (w, h) = doc.size;
    let mut kids = Vec::new();
    for page in &doc.pages {
        let content = content_stream(page, h);
        let content_id = objs.stream("", content.as_bytes());
        let page_id = objs.add(
            format!(
                "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 {} {}] /Resources {resources_id} 0 R /Contents {content_id} 0 R >>",
                num(w),
                num(h)
            )
            .into_bytes(),
        );
        kids.push(format!("{page_id} 0 R"));
    }
    objs.set(
        pages_id,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            kids.len()
        )
        .into_bytes(),
    );
    objs.set(
        catalog,
        format!("<< /Type /Catalog /Pages {pages_id} 0 R >>").into_bytes(),
    );
    let info = objs.add(
        format!(
            "<< /Title {} /Producer (tsm-desk {}) /CreationDate (D:{created}) >>",
            text_string(&doc.title),
            env!("CARGO_PKG_VERSION")
        )
        .into_bytes(),
    );

    // Serialise with the cross-reference table.
    let mut out: Vec<u8> = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objs.bodies.len());
    for (i, body) in objs.bodies.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objs.bodies.len() + 1);
    for o in offsets {
        // Each entry is exactly 20 bytes: "nnnnnnnnnn ggggg n" plus space and newline.
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    let _ = write!(
        table,
        "trailer\n<< /Size {} /Root {catalog} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objs.bodies.len() + 1
    );
    out.extend_from_slice(table.as_bytes());
    out
}

fn font_name(kind: FontKind) -> &'static str {
    match kind {
        FontKind::Regular => "F1",
        FontKind::Bold => "F2",
    }
}

/// The drawing operators for one page (PDF's origin is the bottom left, ours the top left).
fn content_stream(page: &super::doc::Page, height: f32) -> String {
    let mut s = String::new();
    for item in &page.items {
        match item {
            Item::Rect { x, y, w, h, fill } => {
                let _ = writeln!(
                    s,
                    "{} rg {} {} {} {} re f",
                    color(*fill),
                    num(*x),
                    num(height - y - h),
                    num(*w),
                    num(*h)
                );
            }
            Item::Line {
                from,
                to,
                width,
                color: c,
            } => {
                let _ = writeln!(
                    s,
                    "{} RG {} w {} {} m {} {} l S",
                    color(*c),
                    num(*width),
                    num(from.0),
                    num(height - from.1),
                    num(to.0),
                    num(height - to.1)
                );
            }
            Item::Image { x, y, w, h, index } => {
                let _ = writeln!(
                    s,
                    "q {} 0 0 {} {} {} cm /Im{index} Do Q",
                    num(*w),
                    num(*h),
                    num(*x),
                    num(height - y - h)
                );
            }
            Item::Text {
                x,
                y,
                size,
                font: kind,
                color: c,
                text,
            } => {
                let f = font(*kind);
                let mut hex = String::with_capacity(text.len() * 4);
                for ch in text.chars() {
                    let _ = write!(hex, "{:04X}", f.glyph(ch));
                }
                let _ = writeln!(
                    s,
                    "BT /{} {} Tf {} rg 1 0 0 1 {} {} Tm <{hex}> Tj ET",
                    font_name(*kind),
                    num(*size),
                    color(*c),
                    num(*x),
                    num(height - y)
                );
            }
        }
    }
    s
}

/// A ToUnicode CMap from glyph ids to the characters they show.
fn to_unicode(glyphs: &BTreeMap<u16, char>) -> String {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(&u16, &char)> = glyphs.iter().filter(|(g, _)| **g != 0).collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (g, c) in chunk {
            let mut utf16 = String::new();
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                let _ = write!(utf16, "{unit:04X}");
            }
            let _ = writeln!(s, "<{g:04X}> <{utf16}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s
}
