//! Weekly snapshots of year-to-date totals. The DfE weekly file arrives every week
//! with every pupil's figures so far this term; each week's figures for a school are
//! kept as one snapshot, in a compact form (a few bytes a pupil), so the week-by-week
//! line and the *recent* rule can be worked out from the differences between weeks.

use super::codes::SessionCounts;
use chrono::NaiveDate;

/// One pupil's year-to-date totals in a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotRow {
    /// Database id of the pupil.
    pub pupil_id: i64,
    /// The totals (lateness is not in the weekly file and is not kept).
    pub counts: SessionCounts,
}

/// A school's figures for a term as of one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The day the figures run to.
    pub as_of: NaiveDate,
    /// One row per pupil, by pupil id.
    pub rows: Vec<SnapshotRow>,
}

/// Stored snapshot bytes that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a stored weekly snapshot is damaged: {0}")]
pub struct DamagedSnapshot(pub &'static str);

/// The format's first byte.
const VERSION: u8 = 1;

fn put(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let low = u8::try_from(n & 0x7f).unwrap_or(0);
        n >>= 7;
        if n == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

fn take(bytes: &[u8], at: &mut usize) -> Result<u64, DamagedSnapshot> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at).ok_or(DamagedSnapshot("cut short"))?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(DamagedSnapshot("a number runs on"))
}

impl Snapshot {
    /// A snapshot of these rows (sorted by pupil id here).
    #[must_use]
    pub fn new(as_of: NaiveDate, mut rows: Vec<SnapshotRow>) -> Snapshot {
        rows.sort_by_key(|r| r.pupil_id);
        Snapshot { as_of, rows }
    }

    /// The stored form: a version byte, then per pupil the id's difference from the
    /// previous id and six totals, each as a variable-length number (7 bits a byte).
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.rows.len() * 9);
        out.push(VERSION);
        let mut last = 0i64;
        for r in &self.rows {
            put(&mut out, u64::try_from(r.pupil_id - last).unwrap_or(0));
            last = r.pupil_id;
            let c = r.counts;
            for n in [
                c.possible,
                c.present,
                c.approved,
                c.authorised,
                c.unauthorised,
                c.no_mark,
            ] {
                put(&mut out, u64::from(n));
            }
        }
        out
    }

    /// Reads a stored snapshot back.
    ///
    /// # Errors
    /// [`DamagedSnapshot`] for bytes [`Snapshot::encode`] did not write.
    pub fn decode(as_of: NaiveDate, bytes: &[u8]) -> Result<Snapshot, DamagedSnapshot> {
        if bytes.first() != Some(&VERSION) {
            return Err(DamagedSnapshot("unknown version"));
        }
        let mut at = 1;
        let mut rows = Vec::new();
        let mut id = 0i64;
        let count = |n: u64| u32::try_from(n).map_err(|_| DamagedSnapshot("a total is too large"));
        while at < bytes.len() {
            let step = i64::try_from(take(bytes, &mut at)?)
                .map_err(|_| DamagedSnapshot("a pupil id is too large"))?;
            id = id
                .checked_add(step)
                .ok_or(DamagedSnapshot("a pupil id is too large"))?;
            let mut n = [0u32; 6];
            for slot in &mut n {
                *slot = count(take(bytes, &mut at)?)?;
            }
            rows.push(SnapshotRow {
                pupil_id: id,
                counts: SessionCounts {
                    possible: n[0],
                    present: n[1],
                    approved: n[2],
                    authorised: n[3],
                    unauthorised: n[4],
                    no_mark: n[5],
                    late_before_close: 0,
                    late_after_close: 0,
                },
            });
        }
        Ok(Snapshot { as_of, rows })
    }

    /// The pupil's totals in this snapshot, if they are in it.
    #[must_use]
    pub fn get(&self, pupil_id: i64) -> Option<&SessionCounts> {
        self.rows
            .binary_search_by_key(&pupil_id, |r| r.pupil_id)
            .ok()
            .and_then(|i| self.rows.get(i))
            .map(|r| &r.counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pupil_id: i64, possible: u32, authorised: u32, unauthorised: u32) -> SnapshotRow {
        SnapshotRow {
            pupil_id,
            counts: SessionCounts {
                possible,
                present: possible - authorised - unauthorised,
                authorised,
                unauthorised,
                ..SessionCounts::default()
            },
        }
    }

    #[test]
    fn snapshots_round_trip_and_are_small() {
        let day = NaiveDate::from_ymd_opt(2025, 10, 10).unwrap();
        let rows: Vec<SnapshotRow> = (0..1000)
            .map(|i| row(5000 + i * 3, 60, u32::try_from(i % 7).unwrap(), 1))
            .rev()
            .collect();
        let snap = Snapshot::new(day, rows);
        assert_eq!(snap.rows[0].pupil_id, 5000);
        let bytes = snap.encode();
        // One byte for each of seven small numbers a pupil (the first id takes two).
        assert_eq!(bytes.len(), 1 + 1000 * 7 + 1);
        assert_eq!(Snapshot::decode(day, &bytes).unwrap(), snap);
        assert_eq!(snap.get(5003).map(|c| c.authorised), Some(1));
        assert_eq!(snap.get(5004), None);
    }

    #[test]
    fn large_numbers_round_trip() {
        let day = NaiveDate::from_ymd_opt(2025, 10, 10).unwrap();
        let snap = Snapshot::new(day, vec![row(9_000_000_000, 400, 300, 100)]);
        assert_eq!(Snapshot::decode(day, &snap.encode()).unwrap(), snap);
    }

    #[test]
    fn damaged_bytes_are_refused() {
        let day = NaiveDate::from_ymd_opt(2025, 10, 10).unwrap();
        assert!(Snapshot::decode(day, &[]).is_err());
        assert!(Snapshot::decode(day, &[2, 0]).is_err());
        assert!(Snapshot::decode(day, &[1, 5, 60]).is_err());
        assert!(Snapshot::decode(day, &[1, 0xff, 0xff]).is_err());
    }
}
