//! Storing a DfE weekly file: every school in it (or the one asked for), each with its
//! pupils, their year-to-date figures and the week's snapshot, inside the import's one
//! transaction.
//!
//! The file arrives every week with the figures so far this term. A later week's file
//! replaces the pupils' figures (it is not a duplicate or a conflict), and every week is
//! kept as a snapshot with the day its figures run to, so the week-by-week line can be
//! drawn from the differences. An earlier week imported after a later one is kept as a
//! snapshot only. Pupils whose session marks are held for the term keep their marks,
//! which say more (reasons, the recent window) than the weekly totals.

use super::StoreError;
use super::import::{
    ImportOptions, ImportOutcome, PupilParams, delete_import, period_id, sources,
    upsert_school_with,
};
use crate::domain::{
    ImportBatch, Period, PupilDetails, SenStatus, SessionCounts, Sex, Snapshot, SnapshotRow, Upn,
    Warning, WeeklyContent, WeeklyRow, YearGroup,
};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, ToSql, Transaction, params};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Stores a weekly file's schools (only `only` when given).
pub(super) fn store_weekly(
    tx: &Transaction<'_>,
    batch: &ImportBatch,
    content: &WeeklyContent,
    only: Option<&str>,
    options: &ImportOptions,
) -> Result<ImportOutcome, StoreError> {
    let as_of = options
        .as_of
        .or(batch.as_of)
        .ok_or_else(|| StoreError::AsOfRequired {
            file: batch.file_name.clone(),
        })?;
    let mut by_school: Vec<Vec<&WeeklyRow>> = vec![Vec::new(); content.schools.len()];
    for row in &content.rows {
        if let Some(rows) = by_school.get_mut(row.school) {
            rows.push(row);
        }
    }
    let chosen: Vec<usize> = (0..content.schools.len())
        .filter(|i| only.is_none_or(|urn| content.schools[*i].urn == urn))
        .collect();
    if let Some(urn) = only
        && chosen.is_empty()
    {
        return Err(StoreError::SchoolNotInFile {
            file: batch.file_name.clone(),
            urn: urn.to_owned(),
            schools: content.schools.len(),
        });
    }
    let mut outcome = ImportOutcome {
        import_id: 0,
        file_name: batch.file_name.clone(),
        layout: batch.layout,
        periods: Vec::new(),
        pupils: 0,
        rows: 0,
        marks: 0,
        date_range: None,
        warnings: batch.warnings.clone(),
        replaced: false,
        schools: Vec::new(),
        as_of: Some(as_of),
    };
    let mut notes = Notes::default();
    let mut periods = BTreeSet::new();
    for i in chosen {
        let school = &content.schools[i];
        let rows = &by_school[i];
        let stored = store_school(tx, batch, school, rows, as_of, options, &mut notes)?;
        if outcome.import_id == 0 {
            outcome.import_id = stored.import_id;
        }
        outcome.replaced |= stored.replaced;
        periods.extend(stored.periods);
        outcome.pupils += rows.len();
        outcome.rows += rows.len();
        outcome.schools.push(school.urn.clone());
    }
    if only.is_some() {
        let skipped = content.rows.len() - outcome.rows;
        if skipped > 0 {
            outcome.warnings.push(Warning {
                line: None,
                field: None,
                message: format!(
                    "only school {}'s {} rows were taken; {skipped} rows of {} other school{} were left out, as asked",
                    only.unwrap_or_default(),
                    outcome.rows,
                    content.schools.len() - 1,
                    if content.schools.len() == 2 { "" } else { "s" }
                ),
            });
        }
    }
    outcome.periods = periods.iter().map(ToString::to_string).collect();
    outcome.warnings.extend(notes.warnings(as_of));
    Ok(outcome)
}

/// What storing one school did.
struct StoredSchool {
    import_id: i64,
    replaced: bool,
    periods: Vec<Period>,
}

/// Counts across schools, said once at the end.
#[derive(Default)]
struct Notes {
    /// Pupils whose session marks were kept (schools, pupils).
    marks_kept: (usize, usize),
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
    let sql = |rows: usize| {
        let one = format!("({})", vec!["?"; columns].join(", "));
        format!("{head} VALUES {}", vec![one; rows].join(", "))
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

fn store_school(
    tx: &Transaction<'_>,
    batch: &ImportBatch,
    school: &crate::domain::BatchSchool,
    rows: &[&WeeklyRow],
    as_of: NaiveDate,
    options: &ImportOptions,
    notes: &mut Notes,
) -> Result<StoredSchool, StoreError> {
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
            params![school_id, batch.sha256],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let replaced = earlier.is_some();
    if let Some((id, previous, imported_at)) = earlier {
        if !options.replace {
            return Err(StoreError::AlreadyImported {
                file: batch.file_name.clone(),
                urn: school.urn.clone(),
                previous,
                imported_at,
            });
        }
        delete_import(tx, id)?;
    }
    let imported_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    tx.prepare_cached(
        "INSERT INTO imports (school_id, file_name, sha256, layout, rows, warnings, imported_at, as_of)
         VALUES (?1, ?2, ?3, ?4, ?5, '[]', ?6, ?7)",
    )?
    .execute(params![
        school_id,
        batch.file_name,
        batch.sha256,
        batch.layout.as_str(),
        i64::try_from(rows.len()).unwrap_or(i64::MAX),
        imported_at,
        as_of.to_string()
    ])?;
    let import_id = tx.last_insert_rowid();
    let ids = write_pupils(tx, school_id, rows)?;

    let mut by_period: BTreeMap<Period, Vec<(i64, &WeeklyRow)>> = BTreeMap::new();
    for (row, id) in rows.iter().zip(&ids) {
        let period = match (options.term, row.period) {
            (Some(t), file) => {
                if file.is_some_and(|f| f != t) {
                    notes.term_given += 1;
                }
                t
            }
            (None, Some(p)) => p,
            (None, None) => {
                return Err(StoreError::TermRequired {
                    file: batch.file_name.clone(),
                });
            }
        };
        by_period.entry(period).or_default().push((*id, row));
    }
    let mut marks_kept = 0;
    let mut missing = 0;
    // Rows held already are updated in place (only the import's key changes, so only it
    // is checked); new rows go in many to a statement.
    let mut update = tx.prepare(
        "UPDATE attendance SET import_id = ?3, possible = ?4, present = ?5, approved = ?6, authorised = ?7,
            unauthorised = ?8, no_mark = ?9, late_before_close = ?10, late_after_close = ?11, code_counts = NULL
         WHERE period_id = ?1 AND pupil_id = ?2",
    )?;
    for pupils in by_period.values_mut() {
        // In id order: the attendance table's key is (period, pupil).
        pupils.sort_unstable_by_key(|(id, _)| *id);
    }
    for (period, pupils) in &by_period {
        let period_id = period_id(tx, school_id, *period)?;
        let held = sources(tx, period_id)?;
        let latest: Option<String> = tx
            .prepare_cached("SELECT MAX(as_of) FROM snapshots WHERE period_id = ?1")?
            .query_row([period_id], |r| r.get(0))?;
        let latest = latest.and_then(|d| d.parse::<NaiveDate>().ok());
        let current = latest.is_none_or(|l| as_of >= l);
        if !current && let Some(later) = latest {
            notes.older.push((school.urn.clone(), later));
        }
        if latest == Some(as_of) {
            notes.same_day += 1;
        }
        let mut snapshot = Vec::with_capacity(pupils.len());
        let mut added: Vec<(i64, &SessionCounts)> = Vec::with_capacity(pupils.len());
        for (pupil_id, row) in pupils {
            snapshot.push(SnapshotRow {
                pupil_id: *pupil_id,
                counts: row.counts,
            });
            if !current {
                continue;
            }
            if held
                .get(pupil_id)
                .is_some_and(|(source, _)| source == "marks")
            {
                marks_kept += 1;
                continue;
            }
            let c = &row.counts;
            if held.contains_key(pupil_id) {
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
            } else {
                added.push((*pupil_id, c));
            }
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
        if current {
            let here: std::collections::HashSet<i64> = pupils.iter().map(|(id, _)| *id).collect();
            missing += held.keys().filter(|id| !here.contains(id)).count();
        }
        let snapshot = Snapshot::new(as_of, snapshot);
        tx.prepare_cached(
            "INSERT OR REPLACE INTO snapshots (period_id, as_of, import_id, pupils, counts) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            period_id,
            as_of.to_string(),
            import_id,
            i64::try_from(pupils.len()).unwrap_or(i64::MAX),
            snapshot.encode()
        ])?;
    }
    if marks_kept > 0 {
        notes.marks_kept.0 += 1;
        notes.marks_kept.1 += marks_kept;
    }
    if missing > 0 {
        notes.missing.0 += 1;
        notes.missing.1 += missing;
    }
    let label = by_period
        .keys()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    tx.prepare_cached("UPDATE imports SET period_label = ?1 WHERE id = ?2")?
        .execute(params![label, import_id])?;
    Ok(StoredSchool {
        import_id,
        replaced,
        periods: by_period.into_keys().collect(),
    })
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

/// Adds the school's new pupils and updates the details of those held whose details
/// the file changes; returns each row's pupil id. The pupils held are read once, so a
/// week's file that changes nothing about a pupil writes nothing for them.
fn write_pupils(
    tx: &Transaction<'_>,
    school_id: i64,
    rows: &[&WeeklyRow],
) -> Result<Vec<i64>, StoreError> {
    let held = held_pupils(tx, school_id)?;
    let mut next_id: i64 =
        tx.query_row("SELECT COALESCE(MAX(id), 0) FROM pupils", [], |r| r.get(0))?;
    let mut new: Vec<(i64, &WeeklyRow, &str, PupilParams)> = Vec::new();
    let mut update = tx.prepare_cached(
        "UPDATE pupils SET forename = ?2, surname = ?3, year_group = ?4, reg_group = ?5, sex = ?6, date_of_birth = ?7,
            sen = ?8, fsm = ?9, eal = ?10, looked_after = ?11, child_in_need = ?12, ethnicity = ?13,
            compulsory_school_age = ?14, previously_looked_after = ?15, primary_sen_type = ?16, admission_date = ?17,
            leaving_date = ?18, home_la = ?19
         WHERE id = ?1",
    )?;
    let mut ids = vec![0i64; rows.len()];
    // A pupil on two rows (two terms in one file) is added once.
    let mut added: HashMap<&Upn, i64> = HashMap::new();
    // In UPN order, so the (school, UPN) index grows at its end rather than splitting
    // pages all over, and the new ids follow the same order.
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_unstable_by(|&a, &b| rows[a].upn.cmp(&rows[b].upn));
    for i in order {
        let row = rows[i];
        let d = &row.details;
        if let Some((id, old)) = held.get(row.upn.as_str()) {
            let new = merged(old, d);
            if new != *old {
                let p = PupilParams::of(&new);
                update.execute(params![
                    id,
                    new.forename,
                    new.surname,
                    p.year_group,
                    new.reg_group,
                    p.sex,
                    p.date_of_birth,
                    p.sen,
                    new.fsm,
                    new.eal,
                    new.looked_after,
                    new.child_in_need,
                    new.ethnicity,
                    new.compulsory_school_age,
                    new.previously_looked_after,
                    new.primary_sen_type,
                    p.admission_date,
                    p.leaving_date,
                    new.home_la
                ])?;
            }
            ids[i] = *id;
            continue;
        }
        if let Some(id) = added.get(&row.upn) {
            ids[i] = *id;
            continue;
        }
        next_id += 1;
        added.insert(&row.upn, next_id);
        ids[i] = next_id;
        new.push((next_id, row, row.upn.as_str(), PupilParams::of(d)));
    }
    // New pupils in multi-row statements with the ids given here: the write
    // transaction holds the lock, so no one else adds a pupil meanwhile.
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
