//! A small seeded pseudo-random generator (SplitMix64), so the sample data is the same
//! on every run and every machine. Everything is integer arithmetic: no floating point,
//! no platform maths library, no clock.

/// The fixed seed of the whole sample data set.
const SEED: u64 = 0x7473_6D2D_6465_736B; // "tsm-desk"

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output mixer.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A SplitMix64 stream.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The stream named by `parts` (e.g. school, pupil, period). Each name gives an
    /// independent stream, so drawing more numbers in one place never changes another.
    pub fn stream(parts: &[u64]) -> Rng {
        let mut state = SEED;
        for &part in parts {
            state = mix(state ^ mix(part.wrapping_add(GAMMA)));
        }
        Rng { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GAMMA);
        mix(self.state)
    }

    /// A number in `0..n` (0 when `n` is 0), by multiply-high; the bias is below
    /// `n / 2^64` and irrelevant here.
    pub fn below(&mut self, n: u32) -> u32 {
        let wide = (u128::from(self.next_u64()) * u128::from(n)) >> 64;
        u32::try_from(wide).unwrap_or(0)
    }

    /// A number in `lo..=hi` (`lo` when `hi < lo`).
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// An index in `0..len`.
    pub fn index(&mut self, len: usize) -> usize {
        self.below(u32::try_from(len).unwrap_or(u32::MAX)) as usize
    }

    /// True with probability `bp` / 10,000.
    pub fn chance(&mut self, bp: u32) -> bool {
        self.below(10_000) < bp
    }

    /// One item of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// An index chosen with the given integer weights; 0 if they are all zero.
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        if total == 0 {
            return 0;
        }
        let mut at = (u128::from(self.next_u64()) * u128::from(total)) >> 64;
        for (i, &w) in weights.iter().enumerate() {
            if at < u128::from(w) {
                return i;
            }
            at -= u128::from(w);
        }
        weights.len() - 1
    }

    /// Shuffles a slice in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_fixed_and_independent() {
        // SplitMix64 from the seed is a known sequence: pin the first value so a change
        // to the generator (and so to every sample file) is noticed.
        let mut a = Rng::stream(&[1, 2]);
        let mut b = Rng::stream(&[1, 2]);
        let first = a.next_u64();
        assert_eq!(first, b.next_u64());
        assert_eq!(first, 0xa5aa_a209_7198_5e56);
        let mut c = Rng::stream(&[2, 1]);
        assert_ne!(Rng::stream(&[1, 2]).next_u64(), c.next_u64());
        for _ in 0..1000 {
            assert!(a.below(7) < 7);
            assert!((3..=5).contains(&a.between(3, 5)));
        }
        assert_eq!(a.weighted(&[0, 0, 5]), 2);
        assert_eq!(a.weighted(&[0, 0]), 0);
    }
}
