//! Comparators from their source: importing the DfE's published weekly attendance
//! statistics, listing what is held (the shipped releases in settings and the imported
//! weeks, each with its source), and the national and own-LA lines drawn beside a
//! school's week-by-week absence.

use super::{NationalFigures, Service, ServiceError};
use crate::analysis::TimeSlice;
use crate::domain::published::{la_key, monday_of};
use crate::domain::{GeographicLevel, PublishedPhase, School};
use crate::store::{PublishedHeld, PublishedOutcome};
use crate::view::WeeklyComparator;
use chrono::NaiveDate;
use std::path::Path;

/// The publication imported rows are stored under, followed by the file's name.
pub const PUBLISHED_SOURCE: &str = "DfE, Pupil attendance in schools";

/// What importing a published statistics file did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ComparatorImport {
    /// What was stored.
    #[serde(flatten)]
    pub stored: PublishedOutcome,
    /// Regional rows skipped.
    pub skipped_regional: usize,
    /// Rows skipped for other areas, phases or breakdowns.
    pub skipped_other: usize,
    /// Suppressed values left empty.
    pub suppressed: usize,
}

/// The comparators held: what the settings ship or the officer typed, and what was
/// imported.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ComparatorsView {
    /// The national table in settings, each row with its release.
    pub national: Vec<NationalFigures>,
    /// The published weekly figures imported, one entry per source, latest first.
    pub published: Vec<PublishedHeld>,
    /// The LA whose weekly figures are drawn (empty: each school's own).
    pub la_name: String,
}

impl Service {
    /// Reads a published statistics file and stores its national and LA rows in one
    /// transaction with an activity row; the same weeks imported before are replaced.
    ///
    /// # Errors
    /// The file's [`crate::import::ImportError`] naming file, line and field (nothing
    /// is stored then); SQLite errors.
    pub fn import_published(&mut self, path: &Path) -> Result<ComparatorImport, ServiceError> {
        let file = crate::import::published::read_published_file(path)?;
        let release = format!("{PUBLISHED_SOURCE}: {}", file.file_name);
        let officer = self.settings.officer_label();
        let stored =
            self.store
                .import_published(&file.file_name, &file.rows, &release, &officer)?;
        Ok(ComparatorImport {
            stored,
            skipped_regional: file.skipped_regional,
            skipped_other: file.skipped_other,
            suppressed: file.suppressed,
        })
    }

    /// The comparators held.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn comparators(&self) -> Result<ComparatorsView, ServiceError> {
        Ok(ComparatorsView {
            national: self.settings.national.clone(),
            published: self.store.published_held()?,
            la_name: self.settings.la_name.clone(),
        })
    }

    /// The published lines for a school's weeks: national, then the LA's (the LA in
    /// settings, else the school's own). Each is for the school's phase when figures
    /// for it are held in those weeks, else for all schools; a line with no figure in
    /// any of the weeks is left out.
    pub(super) fn weekly_comparators(
        &self,
        school: &School,
        weeks: &[TimeSlice],
    ) -> Result<Vec<WeeklyComparator>, ServiceError> {
        let mondays: Vec<NaiveDate> = weeks.iter().map(|w| monday_of(w.start)).collect();
        let (Some(from), Some(to)) = (mondays.iter().min(), mondays.iter().max()) else {
            return Ok(Vec::new());
        };
        let phase = school.phase.as_deref().and_then(PublishedPhase::parse);
        let mut out = Vec::new();
        let national = (GeographicLevel::National, "");
        if let Some(line) =
            self.published_line(national, "National", phase, &mondays, (*from, *to))?
        {
            out.push(line);
        }
        let la = Some(self.settings.la_name.trim())
            .filter(|n| !n.is_empty())
            .or(school.la_name.as_deref().map(str::trim));
        if let Some(la) = la.filter(|n| !la_key(n).is_empty()) {
            let area = la_key(la);
            let own = (GeographicLevel::LocalAuthority, area.as_str());
            if let Some(line) = self.published_line(own, la, phase, &mondays, (*from, *to))? {
                out.push(line);
            }
        }
        Ok(out)
    }

    /// One published line: `(level, area)` as stored; named by the published LA name,
    /// else `name`, and the phase.
    fn published_line(
        &self,
        (level, area): (GeographicLevel, &str),
        name: &str,
        phase: Option<PublishedPhase>,
        mondays: &[NaiveDate],
        range: (NaiveDate, NaiveDate),
    ) -> Result<Option<WeeklyComparator>, ServiceError> {
        let phases = phase
            .filter(|p| *p != PublishedPhase::AllSchools)
            .into_iter()
            .chain([PublishedPhase::AllSchools]);
        for p in phases {
            let points = self.store.published_points(level, area, p, range)?;
            let mut sources: Vec<&str> = Vec::new();
            let mut published_name = None;
            let values: Vec<Option<f64>> = mondays
                .iter()
                .map(|m| {
                    let point = points
                        .iter()
                        .find(|pt| pt.week_start == *m && pt.overall_absence.is_some())?;
                    if !sources.contains(&point.release.as_str()) {
                        sources.push(&point.release);
                    }
                    published_name = published_name.or(point.la_name.as_deref());
                    point.overall_absence.map(|v| v / 100.0)
                })
                .collect();
            if values.iter().any(Option::is_some) {
                let phase = p.label().to_lowercase();
                let name = format!("{} ({phase})", published_name.unwrap_or(name));
                return Ok(Some(WeeklyComparator {
                    name,
                    source: sources.join("; "),
                    values,
                }));
            }
        }
        Ok(None)
    }
}
