//! Reading stored data back for analysis.

use super::format::{date, parse_code_counts, stored_strip};
use super::import::periods;
use super::{Store, StoreError};
use crate::domain::Period;
use crate::domain::{
    PeriodData, PreviousRate, PupilRecord, School, SenStatus, SessionCounts, Sex, YearGroup,
};
use rusqlite::params;

impl Store {
    /// The school with this URN, or [`StoreError::NoSchool`].
    ///
    /// # Errors
    /// [`StoreError::NoSchool`]; SQLite errors.
    pub fn require_school(&self, urn: &str) -> Result<School, StoreError> {
        self.school(urn)?
            .ok_or_else(|| StoreError::NoSchool(urn.to_owned()))
    }

    /// Everything the analysis needs for a school's period (the latest if `None`),
    /// with the previous period's rates for the at-risk rules.
    ///
    /// # Errors
    /// [`StoreError::NoSchool`], [`StoreError::NoPeriod`]; SQLite errors.
    pub fn period_data(
        &self,
        urn: &str,
        period: Option<Period>,
    ) -> Result<(School, PeriodData), StoreError> {
        let school = self.require_school(urn)?;
        let all = periods(&self.conn, school.id)?;
        let no_period = || StoreError::NoPeriod {
            urn: urn.to_owned(),
            period: period.map(|p| p.to_string()),
        };
        let chosen = match period {
            Some(p) => all
                .iter()
                .copied()
                .find(|x| *x == p)
                .ok_or_else(no_period)?,
            None => all.last().copied().ok_or_else(no_period)?,
        };
        let previous = all.iter().copied().filter(|p| *p < chosen).max();
        let period_id = self.period_id(school.id, chosen)?;
        let pupils = self.pupil_records(period_id)?;
        let previous_rates = match previous {
            Some(p) => {
                let id = self.period_id(school.id, p)?;
                let mut stmt = self.conn.prepare_cached(
                    "SELECT a.pupil_id, a.authorised + a.unauthorised, a.possible, p.compulsory_school_age
                     FROM attendance a JOIN pupils p ON p.id = a.pupil_id
                     WHERE a.period_id = ?1 ORDER BY a.pupil_id",
                )?;
                let rows = stmt.query_map([id], |r| {
                    Ok(PreviousRate {
                        pupil_id: r.get(0)?,
                        absence: r.get(1)?,
                        possible: r.get(2)?,
                        compulsory_school_age: r.get(3)?,
                    })
                })?;
                rows.collect::<Result<_, _>>()?
            }
            None => Vec::new(),
        };
        let marks = self.period_marks(period_id)?;
        let snapshots = self.snapshots(period_id)?;
        Ok((
            school,
            PeriodData {
                period: Some(chosen),
                previous,
                pupils,
                previous_rates,
                marks,
                snapshots,
            },
        ))
    }

    fn period_id(&self, school_id: i64, period: Period) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "SELECT id FROM periods WHERE school_id = ?1 AND academic_year = ?2 AND term = ?3",
            params![school_id, period.year.0, period.term.number()],
            |r| r.get(0),
        )?)
    }

    fn pupil_records(&self, period_id: i64) -> Result<Vec<PupilRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.id, p.upn, p.year_group, p.reg_group, p.sex, p.sen, p.fsm, p.eal, p.looked_after, p.child_in_need,
                    a.possible, a.present, a.approved, a.authorised, a.unauthorised, a.no_mark,
                    a.late_before_close, a.late_after_close, a.code_counts,
                    p.compulsory_school_age, p.previously_looked_after, p.primary_sen_type, p.admission_date,
                    p.leaving_date, p.home_la
             FROM attendance a JOIN pupils p ON p.id = a.pupil_id
             WHERE a.period_id = ?1 ORDER BY p.upn",
        )?;
        let mut rows = stmt.query([period_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let year: Option<i8> = r.get(2)?;
            let sex: Option<String> = r.get(4)?;
            let sen: Option<String> = r.get(5)?;
            let code_json: Option<String> = r.get(18)?;
            out.push(PupilRecord {
                id: r.get(0)?,
                upn: r.get(1)?,
                year_group: year.and_then(YearGroup::from_number),
                reg_group: r.get(3)?,
                sex: sex.as_deref().and_then(Sex::parse),
                sen: sen.as_deref().and_then(SenStatus::parse),
                fsm: r.get(6)?,
                eal: r.get(7)?,
                looked_after: r.get(8)?,
                child_in_need: r.get(9)?,
                counts: counts_at(r, 10)?,
                code_counts: code_json
                    .as_deref()
                    .map(parse_code_counts)
                    .transpose()?
                    .unwrap_or_default(),
                compulsory_school_age: r.get(19)?,
                previously_looked_after: r.get(20)?,
                primary_sen_type: r.get(21)?,
                admission_date: date(r.get(22)?),
                leaving_date: date(r.get(23)?),
                home_la: r.get(24)?,
            });
        }
        Ok(out)
    }

    /// A period's weekly snapshots, oldest first.
    fn snapshots(&self, period_id: i64) -> Result<Vec<crate::domain::Snapshot>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT as_of, counts FROM snapshots WHERE period_id = ?1 ORDER BY as_of",
        )?;
        let mut rows = stmt.query([period_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let as_of: String = r.get(0)?;
            let day = as_of
                .parse()
                .map_err(|_| StoreError::Damaged(format!("snapshot date {as_of:?}")))?;
            let bytes: Vec<u8> = r.get(1)?;
            out.push(
                crate::domain::Snapshot::decode(day, &bytes)
                    .map_err(|e| StoreError::Damaged(e.to_string()))?,
            );
        }
        Ok(out)
    }

    /// Every pupil's marks in a period, all imports overlaid (older first).
    fn period_marks(
        &self,
        period_id: i64,
    ) -> Result<Vec<(i64, crate::domain::MarkStrip)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT pupil_id, first_date, codes FROM marks WHERE period_id = ?1 ORDER BY pupil_id, import_id",
        )?;
        let mut rows = stmt.query([period_id])?;
        let mut out: Vec<(i64, crate::domain::MarkStrip)> = Vec::new();
        while let Some(r) = rows.next()? {
            let pupil_id: i64 = r.get(0)?;
            let first: String = r.get(1)?;
            let strip = stored_strip(&first, r.get(2)?)?;
            match out.last_mut() {
                Some((id, merged)) if *id == pupil_id => {
                    merged.overlay(&strip);
                }
                _ => out.push((pupil_id, strip)),
            }
        }
        Ok(out)
    }
}

/// The eight attendance count columns (`possible, present, approved, authorised,
/// unauthorised, no_mark, late_before_close, late_after_close`, in that order) of a
/// row, starting at column `first`.
pub(super) fn counts_at(r: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<SessionCounts> {
    Ok(SessionCounts {
        possible: r.get(first)?,
        present: r.get(first + 1)?,
        approved: r.get(first + 2)?,
        authorised: r.get(first + 3)?,
        unauthorised: r.get(first + 4)?,
        no_mark: r.get(first + 5)?,
        late_before_close: r.get(first + 6)?,
        late_after_close: r.get(first + 7)?,
    })
}

impl Store {
    /// Every school's terms with attendance data, oldest first: (school id, term,
    /// period id).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn all_periods(&self) -> Result<Vec<(i64, Period, i64)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT school_id, academic_year, term, id FROM periods p
             WHERE EXISTS (SELECT 1 FROM attendance a WHERE a.period_id = p.id)
             ORDER BY school_id, academic_year, term",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let term: u8 = r.get(2)?;
            let term = crate::domain::Term::from_number(term)
                .ok_or_else(|| StoreError::Damaged(format!("term number {term}")))?;
            out.push((r.get(0)?, Period::new(r.get(1)?, term), r.get(3)?));
        }
        Ok(out)
    }

    /// Every pupil's possible and absence sessions in the given terms (period ids), for
    /// figures across the whole patch.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn patch_rows(
        &self,
        period_ids: &[i64],
    ) -> Result<Vec<crate::domain::PatchRow>, StoreError> {
        let mut out = Vec::new();
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.possible, a.authorised + a.unauthorised, p.compulsory_school_age
             FROM attendance a JOIN pupils p ON p.id = a.pupil_id WHERE a.period_id = ?1",
        )?;
        for &group in period_ids {
            let mut rows = stmt.query([group])?;
            while let Some(r) = rows.next()? {
                out.push(crate::domain::PatchRow {
                    group,
                    possible: r.get(0)?,
                    absence: r.get(1)?,
                    compulsory_school_age: r.get(2)?,
                });
            }
        }
        Ok(out)
    }
}

impl Store {
    /// For each pupil of the school discussed at a meeting held in `up_to` or before,
    /// whether the latest such discussion recorded support in place.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn support_on_record(
        &self,
        school_id: i64,
        up_to: Period,
    ) -> Result<std::collections::HashMap<i64, bool>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.pupil_id, d.support_in_place
             FROM discussions d JOIN meetings m ON m.id = d.meeting_id
             WHERE m.school_id = ?1
               AND (m.academic_year < ?2 OR (m.academic_year = ?2 AND m.term <= ?3))
             ORDER BY m.academic_year, m.term",
        )?;
        let rows = stmt.query_map(params![school_id, up_to.year.0, up_to.term.number()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?))
        })?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (pupil, support) = row?;
            // Oldest first: the latest meeting's answer wins.
            out.insert(pupil, support);
        }
        Ok(out)
    }
}
