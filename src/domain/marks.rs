//! Session marks and their compact form: a [`MarkStrip`] holds one pupil's marks over a
//! run of calendar days as two bytes a day (AM, PM), each `0` for "no session" or a
//! code's id plus one. A term of 100 calendar days is 200 bytes a pupil.

use super::codes::{Code, SessionCounts};
use chrono::NaiveDate;

/// Morning or afternoon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Session {
    /// Morning.
    Am,
    /// Afternoon.
    Pm,
}

impl Session {
    /// Reads `AM`/`PM` and the usual variants (`A`, `P`, `Morning`, `Afternoon`, `1`, `2`).
    #[must_use]
    pub fn parse(s: &str) -> Option<Session> {
        let s = s.trim();
        let is = |options: &[&str]| options.iter().any(|o| o.eq_ignore_ascii_case(s));
        if is(&["am", "a", "morning", "1", "a.m."]) {
            Some(Session::Am)
        } else if is(&["pm", "p", "afternoon", "2", "p.m."]) {
            Some(Session::Pm)
        } else {
            None
        }
    }

    fn offset(self) -> usize {
        match self {
            Session::Am => 0,
            Session::Pm => 1,
        }
    }

    /// `AM` or `PM`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Session::Am => "AM",
            Session::Pm => "PM",
        }
    }
}

/// One register mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The school day.
    pub date: NaiveDate,
    /// Morning or afternoon.
    pub session: Session,
    /// The code.
    pub code: Code,
}

/// One pupil's marks over consecutive calendar days.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MarkStrip {
    first: Option<NaiveDate>,
    slots: Vec<u8>,
}

/// Why stored mark bytes could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored marks are damaged: {0}")]
pub struct DamagedMarks(pub &'static str);

impl MarkStrip {
    /// Builds a strip from marks; a later mark for the same session replaces an earlier.
    #[must_use]
    pub fn from_marks(marks: &[Mark]) -> MarkStrip {
        let mut strip = MarkStrip::default();
        let (Some(first), Some(last)) = (
            marks.iter().map(|m| m.date).min(),
            marks.iter().map(|m| m.date).max(),
        ) else {
            return strip;
        };
        strip.first = Some(first);
        strip.slots = vec![0; day_index(first, last) * 2 + 2];
        for m in marks {
            let at = day_index(first, m.date) * 2 + m.session.offset();
            if let Some(slot) = strip.slots.get_mut(at) {
                *slot = m.code.id() + 1;
            }
        }
        strip
    }

    /// Rebuilds a strip from its stored form.
    ///
    /// # Errors
    /// [`DamagedMarks`] if the bytes are not a valid strip.
    pub fn from_stored(first: NaiveDate, bytes: Vec<u8>) -> Result<MarkStrip, DamagedMarks> {
        if !bytes.len().is_multiple_of(2) {
            return Err(DamagedMarks("odd length"));
        }
        if bytes
            .iter()
            .any(|&b| b != 0 && Code::from_id(b - 1).is_none())
        {
            return Err(DamagedMarks("unknown code byte"));
        }
        Ok(MarkStrip {
            first: Some(first),
            slots: bytes,
        })
    }

    /// The first day and the bytes to store, or `None` for an empty strip.
    #[must_use]
    pub fn stored(&self) -> Option<(NaiveDate, &[u8])> {
        self.first.map(|f| (f, self.slots.as_slice()))
    }

    /// Overlays `newer` on this strip: every session `newer` holds replaces this one's.
    /// Returns how many sessions changed code.
    pub fn overlay(&mut self, newer: &MarkStrip) -> usize {
        let (Some(new_first), Some(old_first)) = (newer.first, self.first) else {
            if self.first.is_none() {
                *self = newer.clone();
            }
            return 0;
        };
        let first = new_first.min(old_first);
        let end_days = |s: &MarkStrip, f: NaiveDate| day_index(first, f) * 2 + s.slots.len();
        let len = end_days(self, old_first).max(end_days(newer, new_first));
        let mut slots = vec![0u8; len];
        let old_at = day_index(first, old_first) * 2;
        slots[old_at..old_at + self.slots.len()].copy_from_slice(&self.slots);
        let new_at = day_index(first, new_first) * 2;
        let mut changed = 0;
        for (slot, &b) in slots[new_at..].iter_mut().zip(&newer.slots) {
            if b != 0 {
                if *slot != 0 && *slot != b {
                    changed += 1;
                }
                *slot = b;
            }
        }
        *self = MarkStrip {
            first: Some(first),
            slots,
        };
        changed
    }

    /// Every mark, in date and session order.
    pub fn marks(&self) -> impl Iterator<Item = Mark> + '_ {
        let first = self.first;
        self.slots.iter().enumerate().filter_map(move |(i, &b)| {
            if b == 0 {
                return None;
            }
            let date = first?.checked_add_days(chrono::Days::new(u64::try_from(i / 2).ok()?))?;
            let session = if i % 2 == 0 { Session::Am } else { Session::Pm };
            Some(Mark {
                date,
                session,
                code: Code::from_id(b - 1)?,
            })
        })
    }

    /// Totals of the strip's marks.
    #[must_use]
    pub fn counts(&self) -> SessionCounts {
        SessionCounts::from_code_totals(&self.code_totals())
    }

    /// How many marks of each code the strip holds (codes with none left out), in code
    /// order.
    #[must_use]
    pub fn code_totals(&self) -> Vec<(Code, u32)> {
        let mut by_byte = [0u32; 256];
        for &b in &self.slots {
            by_byte[usize::from(b)] += 1;
        }
        by_byte
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, n)| **n > 0)
            .filter_map(|(b, n)| Some((Code::from_id(u8::try_from(b - 1).ok()?)?, *n)))
            .collect()
    }

    /// The first and last dates with a mark.
    #[must_use]
    pub fn date_range(&self) -> Option<(NaiveDate, NaiveDate)> {
        let mut marks = self.marks();
        let first = marks.next()?.date;
        let last = marks.last().map_or(first, |m| m.date);
        Some((first, last))
    }
}

fn day_index(first: NaiveDate, date: NaiveDate) -> usize {
    usize::try_from((date - first).num_days()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(day: u32, session: Session, code: &str) -> Mark {
        Mark {
            date: NaiveDate::from_ymd_opt(2025, 9, day).unwrap(),
            session,
            code: Code::parse(code).unwrap(),
        }
    }

    #[test]
    fn sessions_parse() {
        for s in ["AM", "am", " a ", "Morning", "1"] {
            assert_eq!(Session::parse(s), Some(Session::Am), "{s}");
        }
        for s in ["PM", "p", "afternoon", "2", "P.M."] {
            assert_eq!(Session::parse(s), Some(Session::Pm), "{s}");
        }
        assert_eq!(Session::parse("noon"), None);
    }

    #[test]
    fn strips_round_trip_through_storage() {
        let marks = vec![
            mark(1, Session::Am, "/"),
            mark(1, Session::Pm, "I"),
            mark(5, Session::Pm, "C1"),
        ];
        let strip = MarkStrip::from_marks(&marks);
        let (first, bytes) = strip.stored().unwrap();
        assert_eq!(bytes.len(), 10);
        let back = MarkStrip::from_stored(first, bytes.to_vec()).unwrap();
        assert_eq!(back.marks().collect::<Vec<_>>(), marks);
        let counts = back.counts();
        assert_eq!(
            (counts.possible, counts.present, counts.authorised),
            (3, 1, 2)
        );
        assert!(MarkStrip::from_stored(first, vec![1]).is_err());
        assert!(MarkStrip::from_stored(first, vec![250, 0]).is_err());
    }

    #[test]
    fn overlay_replaces_and_counts_changes() {
        let mut older =
            MarkStrip::from_marks(&[mark(1, Session::Am, "N"), mark(1, Session::Pm, "N")]);
        let newer = MarkStrip::from_marks(&[
            mark(1, Session::Am, "I"),
            mark(1, Session::Pm, "N"),
            mark(2, Session::Am, "/"),
        ]);
        assert_eq!(older.overlay(&newer), 1);
        let codes: Vec<String> = older.marks().map(|m| m.code.to_string()).collect();
        assert_eq!(codes, ["I", "N", "/"]);
    }
}
