//! The one clock. Everything that needs the date or the time asks a [`Clock`], passed
//! down from where the program starts (the app, the command line), so that a test can
//! pin it and move it, and so that one rule says which zone each reading is in:
//!
//! - dates and times people read (today's date, "printed on", an edit's time, the
//!   activity log, backups' names) are the **local** wall-clock time;
//! - the stored instant of an import is **UTC**, written with its zone (RFC 3339, `Z`).
//!
//! Clippy's `disallowed-methods` (`clippy.toml`) refuses `Local::now` and `Utc::now`
//! anywhere else.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone as _, Utc};
use std::sync::{Arc, Mutex, PoisonError};

/// The system's clock, which a test may pin to a moment (and move) through any copy:
/// copies share the pin, so the app's screens and its worker read the same time.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    pinned: Arc<Mutex<Option<NaiveDateTime>>>,
}

impl Clock {
    /// The system's clock.
    #[must_use]
    pub fn new() -> Clock {
        Clock::default()
    }

    /// A clock pinned at `at` (local time), for tests.
    #[must_use]
    pub fn pinned(at: NaiveDateTime) -> Clock {
        let clock = Clock::new();
        clock.pin(at);
        clock
    }

    /// Pins this clock and every copy of it at `at` (local time) until moved again.
    pub fn pin(&self, at: NaiveDateTime) {
        *self.pinned.lock().unwrap_or_else(PoisonError::into_inner) = Some(at);
    }

    fn pin_now(&self) -> Option<NaiveDateTime> {
        *self.pinned.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The local date and time.
    #[must_use]
    pub fn now(&self) -> NaiveDateTime {
        self.pin_now().unwrap_or_else(|| system_now().naive_local())
    }

    /// Today's local date.
    #[must_use]
    pub fn today(&self) -> NaiveDate {
        self.now().date()
    }

    /// The instant as UTC, for timestamps stored with their zone. A pinned time is read
    /// as local time (the earlier of two readings in the autumn's repeated hour).
    #[must_use]
    pub fn now_utc(&self) -> DateTime<Utc> {
        match self.pin_now() {
            Some(at) => Local
                .from_local_datetime(&at)
                .earliest()
                .map_or_else(|| at.and_utc(), |t| t.with_timezone(&Utc)),
            None => system_now().with_timezone(&Utc),
        }
    }
}

#[allow(
    clippy::disallowed_methods,
    reason = "the one place that reads the system clock"
)]
fn system_now() -> DateTime<Local> {
    Local::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .unwrap()
    }

    #[test]
    fn a_pinned_clock_moves_for_every_copy() {
        let clock = Clock::pinned(at(23, 23, 59));
        let copy = clock.clone();
        assert_eq!(copy.now(), at(23, 23, 59));
        assert_eq!(copy.today(), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        clock.pin(at(24, 0, 1));
        assert_eq!(copy.today(), NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        // UTC is the same instant: the local time less the zone's offset then.
        let offset = Local
            .from_local_datetime(&at(24, 0, 1))
            .earliest()
            .unwrap()
            .offset()
            .local_minus_utc();
        assert_eq!(
            copy.now_utc().naive_utc() + chrono::Duration::seconds(i64::from(offset)),
            at(24, 0, 1)
        );
    }

    #[test]
    #[allow(clippy::disallowed_methods, reason = "compared with the system clock")]
    fn the_system_clock_ticks() {
        let clock = Clock::new();
        let a = clock.now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(clock.now() > a);
        let drift = (clock.now_utc().naive_utc() - Utc::now().naive_utc()).num_seconds();
        assert!(drift.abs() <= 1);
    }
}
