//! Helpers shared by the benchmark programs.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "rank arithmetic on small sample counts"
)]

/// The `p` quantile (0 to 1) of `v`, by nearest rank.
///
/// # Panics
/// On an empty sample.
#[must_use]
pub fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}
