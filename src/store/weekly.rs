//! Storing a DfE weekly file: every school in it (or the one asked for), each with its
//! pupils, their year-to-date figures and the week's snapshot, inside the import's one
//! transaction. A [`WeeklyWriter`] takes the file school by school as it is read, so a
//! county's file is stored on one core while the next schools are read on the other.
//!
//! The file arrives every week with the figures so far this term. A later week's file
//! replaces the pupils' figures (it is not a duplicate or a conflict), and every week is
//! kept as a snapshot with the day its figures run to, so the week-by-week line can be
//! drawn from the differences. An earlier week imported after a later one is kept as a
//! snapshot only. Pupils whose session marks are held for the term keep their marks,
//! which say more (reasons, the recent window) than the weekly totals.

use super::StoreError;
use super::format::PupilParams;
use super::rows::{
    ImportOptions, ImportOutcome, ImportTime, delete_import, period_id, sources, upsert_school_with,
};
use crate::domain::{
    BatchSchool, ImportBatch, Layout, Period, PupilDetails, SenStatus, SessionCounts, Sex,
    Snapshot, SnapshotRow, Warning, WeeklyContent, WeeklyFile, WeeklyRow, YearGroup,
};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, ToSql, Transaction, params};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Stores a whole weekly file's schools (only `only` when given).
pub(super) fn store_weekly(
    tx: &Transaction<'_>,
    batch: &ImportBatch,
    content: &WeeklyContent,
    only: Option<&str>,
    options: &ImportOptions,
    time: &ImportTime,
) -> Result<ImportOutcome, StoreError> {
    let file = WeeklyFile {
        file_name: batch.file_name.clone(),
        sha256: batch.sha256.clone(),
        as_of: batch.as_of,
    };
    let mut writer = WeeklyWriter::new(tx, file, only, options, time)?;
    writer.add(&content.schools, &content.rows)?;
    writer.finish(batch.rows, batch.warnings.clone())
}

/// One school being stored.
struct SchoolState {
    urn: String,
    school_id: i64,
    import_id: i64,
    replaced: bool,
    pupils: SchoolPupils,
    periods: BTreeMap<Period, PeriodState>,
    rows: usize,
}

/// A school's pupils as the import goes.
struct SchoolPupils {
    /// As stored before this file, by UPN (read once, kept up to date).
    held: HashMap<String, (i64, PupilDetails)>,
    /// Added by this file, by UPN as a number (a second row for one, in another term,
    /// finds them here).
    added: HashMap<u128, i64>,
}

/// One school's term being stored.
struct PeriodState {
    period_id: i64,
    /// Pupils with figures held for the term before this file, and their source.
    held: HashMap<i64, (String, Option<i64>)>,
    /// Whether this file is the latest week held (its figures become the pupils').
    current: bool,
    snapshot: Vec<SnapshotRow>,
    seen: HashSet<i64>,
}

/// Stores a weekly file as its schools' rows arrive, inside the caller's transaction.
pub struct WeeklyWriter<'a, 'c> {
    tx: &'a Transaction<'c>,
    file: WeeklyFile,
    as_of: NaiveDate,
    only: Option<String>,
    options: &'a ImportOptions,
    /// When the import happens (UTC, as stored).
    imported_at: String,
    /// Every school the file has named so far, in order (rows name them by index);
    /// `None` for a school not asked for.
    schools: Vec<Option<SchoolState>>,
    names: Vec<String>,
    next_pupil_id: i64,
    notes: Notes,
}

impl<'a, 'c> WeeklyWriter<'a, 'c> {
    /// A writer for one file.
    ///
    /// # Errors
    /// [`StoreError::AsOfRequired`] when neither the import nor the file gives the day
    /// the figures run to; SQLite errors.
    pub fn new(
        tx: &'a Transaction<'c>,
        file: WeeklyFile,
        only: Option<&str>,
        options: &'a ImportOptions,
        time: &ImportTime,
    ) -> Result<Self, StoreError> {
        let as_of = options
            .as_of
            .or(file.as_of)
            .ok_or_else(|| StoreError::AsOfRequired {
                file: file.file_name.clone(),
            })?;
        let next_pupil_id =
            tx.query_row("SELECT COALESCE(MAX(id), 0) FROM pupils", [], |r| r.get(0))?;
        Ok(WeeklyWriter {
            tx,
            file,
            as_of,
            only: only.map(str::to_owned),
            options,
            imported_at: time.utc.clone(),
            schools: Vec::new(),
            names: Vec::new(),
            next_pupil_id,
            notes: Notes::default(),
        })
    }

    /// Stores more of the file: `schools` are the schools first named since the last
    /// call (rows name schools by their place among all given so far), `rows` the rows
    /// read since.
    ///
    /// # Errors
    /// [`StoreError::AlreadyImported`], [`StoreError::TermRequired`],
    /// [`StoreError::AsOfRequired`]; SQLite errors.
    pub fn add(&mut self, schools: &[BatchSchool], rows: &[WeeklyRow]) -> Result<(), StoreError> {
        for school in schools {
            let chosen = self.only.as_deref().is_none_or(|urn| urn == school.urn);
            let state = if chosen {
                Some(self.start_school(school)?)
            } else {
                None
            };
            self.schools.push(state);
            self.names.push(school.urn.clone());
        }
        let mut start = 0;
        while start < rows.len() {
            let school = rows[start].school;
            let end = rows[start..]
                .iter()
                .position(|r| r.school != school)
                .map_or(rows.len(), |n| start + n);
            if self.schools.get(school).is_some_and(Option::is_some) {
                self.school_rows(school, &rows[start..end])?;
            }
            start = end;
        }
        Ok(())
    }

    /// Adds or updates the school and its import record, refusing a file imported for
    /// it before (unless replacing).
    fn start_school(&mut self, school: &BatchSchool) -> Result<SchoolState, StoreError> {
        let tx = self.tx;
        let school_id = upsert_school_with(
            tx,
            &school.urn,
            school.name.as_deref(),
            school.phase.as_deref(),
            school.la_name.as_deref(),
        )?;
        let earlier: Option<(i64, String, String)> = tx
            .query_row(
                "SELECT id, file_name, imported_at FROM imports WHERE school_id = ?1 AND sha256 = ?2",
                params![school_id, self.file.sha256],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let replaced = earlier.is_some();
        if let Some((id, previous, imported_at)) = earlier {
            if !self.options.replace {
                return Err(StoreError::AlreadyImported {
                    file: self.file.file_name.clone(),
                    urn: school.urn.clone(),
                    previous,
                    imported_at,
                });
            }
            delete_import(tx, id)?;
        }
        tx.prepare_cached(
            "INSERT INTO imports (school_id, file_name, sha256, layout, rows, warnings, imported_at)
             VALUES (?1, ?2, ?3, ?4, 0, '[]', ?5)",
        )?
        .execute(params![
            school_id,
            self.file.file_name,
            self.file.sha256,
            Layout::DfeWeekly.as_str(),
            self.imported_at
        ])?;
        Ok(SchoolState {
            urn: school.urn.clone(),
            school_id,
            import_id: tx.last_insert_rowid(),
            replaced,
            pupils: SchoolPupils {
                held: held_pupils(tx, school_id)?,
                added: HashMap::new(),
            },
            periods: BTreeMap::new(),
            rows: 0,
        })
    }

    /// One school's rows: its pupils, their figures (when this is the latest week held)
    /// and their place in the week's snapshot.
    fn school_rows(&mut self, index: usize, rows: &[WeeklyRow]) -> Result<(), StoreError> {
        let tx = self.tx;
        let term = self.options.term;
        let Some(Some(state)) = self.schools.get_mut(index) else {
            return Ok(());
        };
        state.rows += rows.len();
        let ids = write_pupils(
            tx,
            state.school_id,
            &mut state.pupils,
            &mut self.next_pupil_id,
            rows,
        )?;
        let mut by_period: BTreeMap<Period, Vec<(i64, &WeeklyRow)>> = BTreeMap::new();
        for (row, id) in rows.iter().zip(&ids) {
            let period = match (term, row.period) {
                (Some(t), file) => {
                    if file.is_some_and(|f| f != t) {
                        self.notes.term_given += 1;
                    }
                    t
                }
                (None, Some(p)) => p,
                (None, None) => {
                    return Err(StoreError::TermRequired {
                        file: self.file.file_name.clone(),
                    });
                }
            };
            by_period.entry(period).or_default().push((*id, row));
        }
        let as_of = self.as_of;
        for (period, mut pupils) in by_period {
            let p = match state.periods.entry(period) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let period_id = period_id(tx, state.school_id, period)?;
                    let latest: Option<String> = tx
                        .prepare_cached("SELECT MAX(as_of) FROM snapshots WHERE period_id = ?1")?
                        .query_row([period_id], |r| r.get(0))?;
                    let latest = latest.and_then(|d| d.parse::<NaiveDate>().ok());
                    if let Some(later) = latest.filter(|l| *l > as_of) {
                        self.notes.older.push((state.urn.clone(), later));
                    }
                    if latest == Some(as_of) {
                        self.notes.same_day += 1;
                    }
                    e.insert(PeriodState {
                        period_id,
                        held: sources(tx, period_id)?,
                        current: latest.is_none_or(|l| as_of >= l),
                        snapshot: Vec::new(),
                        seen: HashSet::new(),
                    })
                }
            };
            // In id order: the attendance table's key is (period, pupil).
            pupils.sort_unstable_by_key(|(id, _)| *id);
            write_figures(tx, state.import_id, p, &pupils, &mut self.notes)?;
        }
        Ok(())
    }

    /// Ends the file: the week's snapshots, the import records' terms and counts, and
    /// what to tell the user. `rows` is every row the file held, `warnings` the reader's.
    ///
    /// # Errors
    /// [`StoreError::SchoolNotInFile`]; SQLite errors.
    pub fn finish(
        mut self,
        rows: usize,
        warnings: Vec<Warning>,
    ) -> Result<ImportOutcome, StoreError> {
        let as_of = self.as_of;
        if let Some(urn) = &self.only
            && !self.schools.iter().any(Option::is_some)
        {
            return Err(StoreError::SchoolNotInFile {
                file: self.file.file_name.clone(),
                urn: urn.clone(),
                schools: self.schools.len(),
            });
        }
        let tx = self.tx;
        let mut outcome = ImportOutcome {
            import_id: 0,
            file_name: self.file.file_name.clone(),
            layout: Layout::DfeWeekly,
            periods: Vec::new(),
            pupils: 0,
            rows: 0,
            marks: 0,
            date_range: None,
            warnings,
            replaced: false,
            schools: Vec::new(),
            as_of: Some(as_of),
        };
        let mut periods = BTreeSet::new();
        for state in self.schools.iter_mut().flatten() {
            let mut missing = 0;
            for (period, p) in &mut state.periods {
                if p.current {
                    missing += p.held.keys().filter(|id| !p.seen.contains(id)).count();
                }
                let snapshot = Snapshot::new(as_of, std::mem::take(&mut p.snapshot));
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO snapshots (period_id, as_of, import_id, pupils, counts) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    p.period_id,
                    as_of.to_string(),
                    state.import_id,
                    i64::try_from(snapshot.rows.len()).unwrap_or(i64::MAX),
                    snapshot.encode()
                ])?;
                periods.insert(*period);
            }
            if missing > 0 {
                self.notes.missing.0 += 1;
                self.notes.missing.1 += missing;
            }
            let label = state
                .periods
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            tx.prepare_cached(
                "UPDATE imports SET period_label = ?1, rows = ?2, as_of = ?3 WHERE id = ?4",
            )?
            .execute(params![
                label,
                i64::try_from(state.rows).unwrap_or(i64::MAX),
                as_of.to_string(),
                state.import_id
            ])?;
            if outcome.import_id == 0 {
                outcome.import_id = state.import_id;
            }
            outcome.replaced |= state.replaced;
            outcome.pupils += state.rows;
            outcome.rows += state.rows;
            outcome.schools.push(state.urn.clone());
        }
        if let Some(only) = &self.only {
            let skipped = rows.saturating_sub(outcome.rows);
            if skipped > 0 {
                outcome.warnings.push(Warning {
                    line: None,
                    field: None,
                    message: format!(
                        "only school {only}'s {} rows were taken; {skipped} rows of {} other school{} were left out, as asked",
                        outcome.rows,
                        self.schools.len() - 1,
                        if self.schools.len() == 2 { "" } else { "s" }
                    ),
                });
            }
        }
        outcome.periods = periods.iter().map(ToString::to_string).collect();
        outcome.warnings.extend(self.notes.warnings(as_of));
        Ok(outcome)
    }
}

/// One school-term's rows: the pupils' figures (updated in place where held, added
/// many to a statement where new) unless a later week is held, and the snapshot rows.
fn write_figures(
    tx: &Transaction<'_>,
    import_id: i64,
    p: &mut PeriodState,
    pupils: &[(i64, &WeeklyRow)],
    notes: &mut Notes,
) -> Result<(), StoreError> {
    let mut update = tx.prepare_cached(
        "UPDATE attendance SET import_id = ?3, possible = ?4, present = ?5, approved = ?6, authorised = ?7,
            unauthorised = ?8, no_mark = ?9, late_before_close = ?10, late_after_close = ?11, code_counts = NULL
         WHERE period_id = ?1 AND pupil_id = ?2",
    )?;
    let period_id = p.period_id;
    let mut added: Vec<(i64, &SessionCounts)> = Vec::with_capacity(pupils.len());
    let mut marks_kept = 0;
    for (pupil_id, row) in pupils {
        p.snapshot.push(SnapshotRow {
            pupil_id: *pupil_id,
            counts: row.counts,
        });
        // Only needed to tell which held pupils the file leaves out (a pupil is on one
        // row a term: the reader refuses a second).
        if !p.held.is_empty() {
            p.seen.insert(*pupil_id);
        }
        if !p.current {
            continue;
        }
        let held = if p.held.is_empty() {
            None
        } else {
            p.held.get(pupil_id)
        };
        match held {
            Some((source, _)) if source == "marks" => marks_kept += 1,
            Some(_) => {
                let c = &row.counts;
                update.execute(params![
                    period_id,
                    pupil_id,
                    import_id,
                    c.possible,
                    c.present,
                    c.approved,
                    c.authorised,
                    c.unauthorised,
                    c.no_mark,
                    c.late_before_close,
                    c.late_after_close
                ])?;
            }
            None => added.push((*pupil_id, &row.counts)),
        }
    }
    if marks_kept > 0 {
        notes.marks_kept.1 += marks_kept;
        notes.marks_schools.insert(period_id);
        notes.marks_kept.0 = notes.marks_schools.len();
    }
    insert_many(
        tx,
        "INSERT INTO attendance (period_id, pupil_id, source, import_id, possible, present, approved, authorised,
            unauthorised, no_mark, late_before_close, late_after_close)",
        12,
        added.len(),
        |i, v| {
            let (pupil_id, c) = &added[i];
            v.extend([
                &period_id as &dyn ToSql,
                pupil_id,
                &"summary",
                &import_id,
                &c.possible,
                &c.present,
                &c.approved,
                &c.authorised,
                &c.unauthorised,
                &c.no_mark,
                &c.late_before_close,
                &c.late_after_close,
            ]);
        },
    )?;
    Ok(())
}

/// Counts across schools, said once at the end.
#[derive(Default)]
struct Notes {
    /// Pupils whose session marks were kept (schools, pupils).
    marks_kept: (usize, usize),
    /// The school-terms those pupils are in.
    marks_schools: HashSet<i64>,
    /// Schools for which a later week was already held: (school URN, that week).
    older: Vec<(String, NaiveDate)>,
    /// Schools whose snapshot of the same day was replaced.
    same_day: usize,
    /// Pupils held for the term who are not in this file (schools, pupils).
    missing: (usize, usize),
    /// Rows whose term came from the import, not the file.
    term_given: usize,
}

impl Notes {
    fn warnings(&self, as_of: NaiveDate) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut say = |message: String| {
            out.push(Warning {
                line: None,
                field: None,
                message,
            });
        };
        if self.marks_kept.1 > 0 {
            say(format!(
                "{} pupils at {} school{} already have session marks for the term: their marks are kept (they say more than weekly totals); this week's figures for them are kept in the weekly snapshot",
                self.marks_kept.1,
                self.marks_kept.0,
                plural(self.marks_kept.0)
            ));
        }
        if let Some((urn, later)) = self.older.first() {
            say(format!(
                "figures to {as_of} are older than the week already held ({later} for school {urn}{}): they are kept as that week's snapshot, and the later figures stay current",
                if self.older.len() > 1 {
                    format!(", and {} more schools", self.older.len() - 1)
                } else {
                    String::new()
                }
            ));
        }
        if self.same_day > 0 {
            say(format!(
                "{} school{}' figures to {as_of} replace an earlier file's for the same day",
                self.same_day,
                plural(self.same_day)
            ));
        }
        if self.missing.1 > 0 {
            say(format!(
                "{} pupils held for the term at {} school{} are not in this file: their earlier figures are kept",
                self.missing.1,
                self.missing.0,
                plural(self.missing.0)
            ));
        }
        if self.term_given > 0 {
            say(format!(
                "{} rows stored in the term given for the import rather than the file's academic_term",
                self.term_given
            ));
        }
        out
    }
}

/// Rows per multi-row statement (SQLite takes up to 32,766 values a statement).
const ROWS_PER_STATEMENT: usize = 64;

/// Inserts `n` rows of `columns` values each: `head` is the statement up to `VALUES`,
/// and `values(i, into)` pushes row `i`'s values. Many rows go in one statement, which
/// for a county's pupils is several times faster than a statement a row.
fn insert_many<'v>(
    tx: &Transaction<'_>,
    head: &str,
    columns: usize,
    n: usize,
    mut values: impl FnMut(usize, &mut Vec<&'v dyn ToSql>),
) -> Result<(), StoreError> {
    // The statement's text for each size, made once a call.
    let mut texts: Vec<Option<String>> =
        vec![None; ROWS_PER_STATEMENT.trailing_zeros() as usize + 1];
    let mut sql = |rows: usize| -> String {
        let slot = rows.trailing_zeros() as usize;
        texts[slot]
            .get_or_insert_with(|| {
                let one = format!("({})", vec!["?"; columns].join(", "));
                format!("{head} VALUES {}", vec![one; rows].join(", "))
            })
            .clone()
    };
    let mut buffer: Vec<&'v dyn ToSql> = Vec::with_capacity(columns * ROWS_PER_STATEMENT);
    let mut start = 0;
    while start < n {
        // Statements of 64, 32, 16 ... 1 rows, each prepared once for the connection.
        let mut rows = ROWS_PER_STATEMENT;
        while rows > n - start {
            rows /= 2;
        }
        buffer.clear();
        for i in start..start + rows {
            values(i, &mut buffer);
        }
        tx.prepare_cached(&sql(rows))?
            .execute(rusqlite::params_from_iter(buffer.iter()))?;
        start += rows;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The stored details `d` would leave: each field the file gives replaces the stored
/// one; a field it does not give keeps the stored value.
fn merged(held: &PupilDetails, d: &PupilDetails) -> PupilDetails {
    fn pick<T: Clone>(new: &Option<T>, old: &Option<T>) -> Option<T> {
        new.clone().or_else(|| old.clone())
    }
    PupilDetails {
        forename: pick(&d.forename, &held.forename),
        surname: pick(&d.surname, &held.surname),
        year_group: pick(&d.year_group, &held.year_group),
        reg_group: pick(&d.reg_group, &held.reg_group),
        sex: pick(&d.sex, &held.sex),
        date_of_birth: pick(&d.date_of_birth, &held.date_of_birth),
        sen: pick(&d.sen, &held.sen),
        fsm: pick(&d.fsm, &held.fsm),
        eal: pick(&d.eal, &held.eal),
        looked_after: pick(&d.looked_after, &held.looked_after),
        child_in_need: pick(&d.child_in_need, &held.child_in_need),
        ethnicity: pick(&d.ethnicity, &held.ethnicity),
        compulsory_school_age: pick(&d.compulsory_school_age, &held.compulsory_school_age),
        previously_looked_after: pick(&d.previously_looked_after, &held.previously_looked_after),
        primary_sen_type: pick(&d.primary_sen_type, &held.primary_sen_type),
        admission_date: pick(&d.admission_date, &held.admission_date),
        leaving_date: pick(&d.leaving_date, &held.leaving_date),
        home_la: pick(&d.home_la, &held.home_la),
    }
}

/// Adds the school's new pupils (many to a statement, with ids given here: the write
/// transaction holds the lock, so no one else adds a pupil meanwhile) and updates the
/// details of those held whose details the file changes; returns each row's pupil id.
/// `pupils` is the school's pupils so far.
fn write_pupils(
    tx: &Transaction<'_>,
    school_id: i64,
    pupils: &mut SchoolPupils,
    next_id: &mut i64,
    rows: &[WeeklyRow],
) -> Result<Vec<i64>, StoreError> {
    let mut update = tx.prepare_cached(
        "UPDATE pupils SET forename = ?2, surname = ?3, year_group = ?4, reg_group = ?5, sex = ?6, date_of_birth = ?7,
            sen = ?8, fsm = ?9, eal = ?10, looked_after = ?11, child_in_need = ?12, ethnicity = ?13,
            compulsory_school_age = ?14, previously_looked_after = ?15, primary_sen_type = ?16, admission_date = ?17,
            leaving_date = ?18, home_la = ?19
         WHERE id = ?1",
    )?;
    let SchoolPupils { held, added } = pupils;
    let mut ids = vec![0i64; rows.len()];
    let mut new: Vec<(i64, &WeeklyRow, &str, PupilParams)> = Vec::new();
    // In UPN order, so the (school, UPN) index grows at its end rather than splitting
    // pages all over, and the new ids follow the same order.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by(|&a, &b| rows[a].upn.cmp(&rows[b].upn));
    for i in order {
        let row = &rows[i];
        let d = &row.details;
        let found = if held.is_empty() {
            None
        } else {
            held.get_mut(row.upn.as_str())
        };
        if let Some((id, old)) = found {
            let changed = merged(old, d);
            if changed != *old {
                let p = PupilParams::of(&changed);
                update.execute(params![
                    *id,
                    changed.forename,
                    changed.surname,
                    p.year_group,
                    changed.reg_group,
                    p.sex,
                    p.date_of_birth,
                    p.sen,
                    changed.fsm,
                    changed.eal,
                    changed.looked_after,
                    changed.child_in_need,
                    changed.ethnicity,
                    changed.compulsory_school_age,
                    changed.previously_looked_after,
                    changed.primary_sen_type,
                    p.admission_date,
                    p.leaving_date,
                    changed.home_la
                ])?;
                *old = changed;
            }
            ids[i] = *id;
            continue;
        }
        // Added by this file: a second row for the pupil (another term) keeps the
        // first row's details.
        let key = row
            .upn
            .as_str()
            .bytes()
            .fold(0u128, |acc, b| (acc << 8) | u128::from(b));
        if let Some(id) = added.get(&key) {
            ids[i] = *id;
            continue;
        }
        *next_id += 1;
        added.insert(key, *next_id);
        ids[i] = *next_id;
        new.push((*next_id, row, row.upn.as_str(), PupilParams::of(d)));
    }
    insert_many(
        tx,
        "INSERT INTO pupils (id, school_id, upn, forename, surname, year_group, reg_group, sex, date_of_birth, sen, fsm,
            eal, looked_after, child_in_need, ethnicity, compulsory_school_age, previously_looked_after, primary_sen_type,
            admission_date, leaving_date, home_la)",
        21,
        new.len(),
        |i, v| {
            let (id, row, upn, p) = &new[i];
            let d = &row.details;
            v.extend([
                id as &dyn ToSql,
                &school_id,
                upn,
                &d.forename,
                &d.surname,
                &p.year_group,
                &d.reg_group,
                &p.sex,
                &p.date_of_birth,
                &p.sen,
                &d.fsm,
                &d.eal,
                &d.looked_after,
                &d.child_in_need,
                &d.ethnicity,
                &d.compulsory_school_age,
                &d.previously_looked_after,
                &d.primary_sen_type,
                &p.admission_date,
                &p.leaving_date,
                &d.home_la,
            ]);
        },
    )?;
    Ok(ids)
}

/// The school's pupils as stored, by UPN.
fn held_pupils(
    tx: &Transaction<'_>,
    school_id: i64,
) -> Result<HashMap<String, (i64, PupilDetails)>, StoreError> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, upn, forename, surname, year_group, reg_group, sex, date_of_birth, sen, fsm, eal, looked_after,
            child_in_need, ethnicity, compulsory_school_age, previously_looked_after, primary_sen_type, admission_date,
            leaving_date, home_la
         FROM pupils WHERE school_id = ?1",
    )?;
    let mut rows = stmt.query([school_id])?;
    let mut out = HashMap::new();
    let date = |s: Option<String>| s.and_then(|s| s.parse::<NaiveDate>().ok());
    while let Some(r) = rows.next()? {
        let year: Option<i8> = r.get(4)?;
        let sex: Option<String> = r.get(6)?;
        let sen: Option<String> = r.get(8)?;
        let details = PupilDetails {
            forename: r.get(2)?,
            surname: r.get(3)?,
            year_group: year.and_then(YearGroup::from_number),
            reg_group: r.get(5)?,
            sex: sex.as_deref().and_then(Sex::parse),
            date_of_birth: date(r.get(7)?),
            sen: sen.as_deref().and_then(SenStatus::parse),
            fsm: r.get(9)?,
            eal: r.get(10)?,
            looked_after: r.get(11)?,
            child_in_need: r.get(12)?,
            ethnicity: r.get(13)?,
            compulsory_school_age: r.get(14)?,
            previously_looked_after: r.get(15)?,
            primary_sen_type: r.get(16)?,
            admission_date: date(r.get(17)?),
            leaving_date: date(r.get(18)?),
            home_la: r.get(19)?,
        };
        out.insert(r.get::<_, String>(1)?, (r.get(0)?, details));
    }
    Ok(out)
}
