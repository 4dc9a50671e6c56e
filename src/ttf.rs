//! Big-endian readers for TrueType font tables, shared by the chart text metrics and
//! the printed documents' font embedding.

/// A `u16` at `at`, if in range.
#[must_use]
pub fn read_u16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// An `i16` at `at`, if in range.
#[must_use]
pub fn read_i16(b: &[u8], at: usize) -> Option<i16> {
    read_u16(b, at).map(|v| i16::from_be_bytes(v.to_be_bytes()))
}

/// A `u32` at `at`, if in range.
#[must_use]
pub fn read_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *b.get(at)?,
        *b.get(at + 1)?,
        *b.get(at + 2)?,
        *b.get(at + 3)?,
    ]))
}

/// Where table `tag` lies in the font file, from its table directory.
#[must_use]
pub fn table_range(font: &[u8], tag: [u8; 4]) -> Option<std::ops::Range<usize>> {
    let n = usize::from(read_u16(font, 4)?);
    (0..n).find_map(|i| {
        let rec = 12 + 16 * i;
        if font.get(rec..rec + 4)? != tag {
            return None;
        }
        let offset = read_u32(font, rec + 8)? as usize;
        let len = read_u32(font, rec + 12)? as usize;
        Some(offset..offset + len)
    })
}
