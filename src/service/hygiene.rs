//! Data hygiene for the screens and the command line: the retention purge (with its
//! preview), deleting a school's data, and the activity log.

use super::{SETTINGS_KEY, Service, ServiceError, Settings};
use crate::domain::{AcademicYear, Period};
use crate::store::{ActivityKind, ActivityRow, DeletedCounts, PurgePreview, Store};
use chrono::NaiveDate;

/// The first academic year kept when `years` academic years are kept as of `today`
/// (3: this academic year and the two before); `None` for 0, which keeps everything.
#[must_use]
pub fn retention_keep_from(today: NaiveDate, years: u32) -> Option<AcademicYear> {
    if years == 0 {
        return None;
    }
    let back = i32::try_from(years - 1).ok()?;
    Some(AcademicYear(Period::of_date(today).year.0 - back))
}

/// The settings saved in a database (the defaults if none were saved).
///
/// # Errors
/// SQLite errors; [`ServiceError::Invalid`] for a damaged settings document.
pub fn saved_settings(store: &Store) -> Result<Settings, ServiceError> {
    match store.setting(SETTINGS_KEY)? {
        Some(json) => serde_json::from_str(&json)
            .map(Settings::upgraded)
            .map_err(|e| ServiceError::Invalid(format!("saved settings are damaged: {e}"))),
        None => Ok(Settings::default()),
    }
}

impl Settings {
    /// The officer's name for audit and activity rows ("(officer not named in
    /// settings)" when blank).
    #[must_use]
    pub fn officer_label(&self) -> String {
        let name = self.officer_name.trim();
        if name.is_empty() {
            "(officer not named in settings)".to_owned()
        } else {
            name.to_owned()
        }
    }
}

impl Service {
    /// The first academic year a purge keeps as of `today`, keeping `years` academic
    /// years (the retention setting if `None`).
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] when retention is off (0 years: keep everything).
    pub fn retention_cutoff(
        &self,
        today: NaiveDate,
        years: Option<u32>,
    ) -> Result<AcademicYear, ServiceError> {
        let years = years.unwrap_or(self.settings.retention_years);
        retention_keep_from(today, years).ok_or_else(|| {
            ServiceError::Invalid(
                "Retention is off (0 years: keep everything); set how many academic years to keep"
                    .into(),
            )
        })
    }

    /// What a purge as of `today` would remove, per school (see
    /// [`Service::retention_cutoff`]). Nothing changes.
    ///
    /// # Errors
    /// Retention off; SQLite errors.
    pub fn purge_preview(
        &self,
        today: NaiveDate,
        years: Option<u32>,
    ) -> Result<PurgePreview, ServiceError> {
        let keep_from = self.retention_cutoff(today, years)?;
        Ok(self.store.purge_preview(keep_from)?)
    }

    /// Purges everything older than the retention period as of `today`, in one
    /// transaction with an activity row, and compacts the file.
    ///
    /// # Errors
    /// Retention off; SQLite errors (nothing is removed then).
    pub fn purge(
        &mut self,
        today: NaiveDate,
        years: Option<u32>,
    ) -> Result<PurgePreview, ServiceError> {
        let keep_from = self.retention_cutoff(today, years)?;
        let officer = self.settings.officer_label();
        let done = self.store.purge(keep_from, &officer)?;
        self.loaded = None;
        Ok(done)
    }

    /// Deletes everything held about a school, in one transaction with an activity row,
    /// and compacts the file.
    ///
    /// # Errors
    /// [`crate::store::StoreError::NoSchool`]; SQLite errors (nothing is deleted then).
    pub fn delete_school(&mut self, urn: &str) -> Result<DeletedCounts, ServiceError> {
        let officer = self.settings.officer_label();
        let done = self.store.delete_school(urn.trim(), &officer)?;
        self.loaded = None;
        Ok(done)
    }

    /// The latest `limit` rows of the activity log, newest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn activity(&self, limit: u32) -> Result<Vec<ActivityRow>, ServiceError> {
        Ok(self.store.activity(limit)?)
    }

    /// Records a print, export or other file written, under the officer's name.
    /// `summary` holds counts, file base names, URNs and terms only.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn log_activity(
        &self,
        kind: ActivityKind,
        urn: Option<&str>,
        summary: &str,
    ) -> Result<(), ServiceError> {
        let officer = self.settings.officer_label();
        Ok(self.store.log_activity(&officer, kind, urn, summary)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Term;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn retention_counts_whole_academic_years_back_from_today() {
        // 24 Nov 2026 is in 2026-27: keeping 3 years keeps 2024-25 onwards.
        assert_eq!(
            retention_keep_from(day(2026, 11, 24), 3),
            Some(AcademicYear(2024))
        );
        // 31 July 2027 is still 2026-27; 1 August starts 2027-28.
        assert_eq!(
            retention_keep_from(day(2027, 7, 31), 1),
            Some(AcademicYear(2026))
        );
        assert_eq!(
            retention_keep_from(day(2027, 8, 1), 1),
            Some(AcademicYear(2027))
        );
        assert_eq!(retention_keep_from(day(2026, 11, 24), 0), None);
        assert_eq!(
            Period::of_date(day(2026, 11, 24)),
            Period::new(2026, Term::Autumn)
        );
    }
}
