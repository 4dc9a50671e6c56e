//! Storing an [`ImportBatch`] in one transaction.

use super::format::PupilParams;
use super::rows::{
    ImportOptions, ImportOutcome, ImportTime, delete_import, merged_strip, period_id, sources,
    upsert_school, write_attendance, write_marks_attendance,
};
use super::{Store, StoreError};
use crate::domain::{BatchContent, ImportBatch, MarkStrip, Period, PupilDetails, Upn, Warning};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension as _, Transaction, params};
use std::collections::{BTreeMap, HashMap};

impl Store {
    /// Stores a checked batch for the school with `urn`, adding the school if new. All
    /// or nothing: on error the database is unchanged.
    ///
    /// # Errors
    /// [`StoreError::AlreadyImported`] for a file imported before (unless
    /// `options.replace`), [`StoreError::TermRequired`] for a summary without a term,
    /// [`StoreError::Conflict`] when the file's attendance clashes with stored data of
    /// the other kind, and SQLite errors.
    pub fn import_batch(
        &mut self,
        urn: &str,
        batch: &ImportBatch,
        options: &ImportOptions,
    ) -> Result<ImportOutcome, StoreError> {
        let mut outcomes = self.import_batches(urn, std::slice::from_ref(batch), options)?;
        outcomes
            .pop()
            .ok_or_else(|| StoreError::Damaged("no import outcome".into()))
    }

    /// Stores several batches for one school in a single transaction: all of them or
    /// none.
    ///
    /// # Errors
    /// As [`Store::import_batch`], for the first batch that fails.
    pub fn import_batches(
        &mut self,
        urn: &str,
        batches: &[ImportBatch],
        options: &ImportOptions,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        self.import_batches_with_school(Some(urn), None, batches, options)
    }

    /// Stores several batches in a single transaction: all of them or none. A one-school
    /// file is stored for the school with `urn` (needed then); a file holding several
    /// schools (the DfE weekly file) stores each of its schools, or only `urn` when one
    /// is given. The school's phase is set in the same transaction (so a failed import
    /// leaves no new school behind).
    ///
    /// # Errors
    /// As [`Store::import_batch`]; [`StoreError::SchoolRequired`] for a one-school file
    /// without a URN, [`StoreError::SchoolNotInFile`].
    pub fn import_batches_with_school(
        &mut self,
        urn: Option<&str>,
        phase: Option<&str>,
        batches: &[ImportBatch],
        options: &ImportOptions,
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        let time = ImportTime::of(&self.clock);
        let tx = self.conn.transaction()?;
        let mut outcomes = Vec::with_capacity(batches.len());
        for batch in batches {
            let outcome = match (&batch.content, urn) {
                (BatchContent::Weekly(content), _) => {
                    super::weekly::store_weekly(&tx, batch, content, urn, options, &time)?
                }
                (_, Some(urn)) => store_batch(&tx, urn, batch, options, &time)?,
                (_, None) => {
                    return Err(StoreError::SchoolRequired {
                        file: batch.file_name.clone(),
                    });
                }
            };
            outcomes.push(outcome);
        }
        if let (Some(phase), Some(urn)) = (phase, urn) {
            tx.execute(
                "UPDATE schools SET phase = ?1 WHERE urn = ?2",
                params![phase, urn],
            )?;
        }
        log_import(&tx, &time, options, urn, &outcomes)?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// Stores a DfE weekly file as it is read, in one transaction: `file` first, then
    /// each part from `next` (until it gives `None`; it is handed the rows of the part
    /// before, stored, so the reader can free them on its own thread), then `end` says
    /// whether the whole file read well, with its row count and warnings. If it did not
    /// (`None`), nothing is stored and the result is `Ok(None)`; the reader has the error.
    ///
    /// # Errors
    /// As [`Store::import_batches_with_school`].
    pub fn import_weekly_parts(
        &mut self,
        file: crate::domain::WeeklyFile,
        urn: Option<&str>,
        options: &ImportOptions,
        next: &mut NextPart<'_>,
        end: &mut dyn FnMut() -> Option<(usize, Vec<Warning>)>,
    ) -> Result<Option<ImportOutcome>, StoreError> {
        let time = ImportTime::of(&self.clock);
        let bulk = super::bulk::enter(&self.conn)?;
        let stored = weekly_parts(&mut self.conn, &time, file, urn, options, next, end);
        let restored = super::bulk::leave(&self.conn, bulk);
        let stored = stored?;
        restored?;
        Ok(stored)
    }

    /// The school's periods with attendance data, oldest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn periods(&self, school_id: i64) -> Result<Vec<Period>, StoreError> {
        periods(&self.conn, school_id)
    }
}

/// Gives the next part of a weekly file (its newly named schools and rows), handed the
/// rows of the part before once they are stored.
pub type NextPart<'a> = dyn FnMut(
        Vec<crate::domain::WeeklyRow>,
    ) -> Option<(
        Vec<crate::domain::BatchSchool>,
        Vec<crate::domain::WeeklyRow>,
    )> + 'a;

/// [`Store::import_weekly_parts`]'s transaction.
fn weekly_parts(
    conn: &mut rusqlite::Connection,
    time: &ImportTime,
    file: crate::domain::WeeklyFile,
    urn: Option<&str>,
    options: &ImportOptions,
    next: &mut NextPart<'_>,
    end: &mut dyn FnMut() -> Option<(usize, Vec<Warning>)>,
) -> Result<Option<ImportOutcome>, StoreError> {
    let tx = conn.transaction()?;
    let mut writer = super::weekly::WeeklyWriter::new(&tx, file, urn, options, time)?;
    let mut spent = Vec::new();
    while let Some((schools, rows)) = next(spent) {
        writer.add(&schools, &rows)?;
        spent = rows;
    }
    let Some((rows, warnings)) = end() else {
        return Ok(None);
    };
    let outcome = writer.finish(rows, warnings)?;
    log_import(&tx, time, options, urn, std::slice::from_ref(&outcome))?;
    tx.commit()?;
    Ok(Some(outcome))
}

/// The activity log's entry for an import, under its school when it stored one school
/// (else under `urn`, the school asked for, if any).
fn log_import(
    tx: &Transaction<'_>,
    time: &ImportTime,
    options: &ImportOptions,
    urn: Option<&str>,
    outcomes: &[ImportOutcome],
) -> Result<(), StoreError> {
    let schools: std::collections::BTreeSet<&str> = outcomes
        .iter()
        .flat_map(|o| o.schools.iter().map(String::as_str))
        .collect();
    let logged_urn = match schools.len() {
        1 => schools.first().copied(),
        _ => urn,
    };
    super::activity::log(
        tx,
        time.local,
        &options.officer,
        super::ActivityKind::Import,
        logged_urn,
        &import_summary(outcomes),
    )
}

/// The activity log's line for an import: file base names, layouts and counts.
fn import_summary(outcomes: &[ImportOutcome]) -> String {
    let files: Vec<String> = outcomes
        .iter()
        .map(|o| {
            let mut parts = vec![
                o.layout.as_str().to_owned(),
                format!("{} rows", o.rows),
                format!("{} pupils", o.pupils),
            ];
            if o.schools.len() > 1 {
                parts.push(format!("{} schools", o.schools.len()));
            }
            if o.marks > 0 {
                parts.push(format!("{} marks", o.marks));
            }
            if let Some(day) = o.as_of {
                parts.push(format!("figures to {day}"));
            }
            if !o.periods.is_empty() {
                parts.push(o.periods.join(", "));
            }
            if o.replaced {
                parts.push("replacing an earlier import".to_owned());
            }
            format!("{} ({})", o.file_name, parts.join(", "))
        })
        .collect();
    format!(
        "imported {} file{}: {}",
        outcomes.len(),
        if outcomes.len() == 1 { "" } else { "s" },
        files.join("; ")
    )
}

pub(super) fn periods(
    conn: &rusqlite::Connection,
    school_id: i64,
) -> Result<Vec<Period>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT academic_year, term FROM periods p WHERE school_id = ?1
         AND EXISTS (SELECT 1 FROM attendance a WHERE a.period_id = p.id)
         ORDER BY academic_year, term",
    )?;
    let rows = stmt.query_map([school_id], |r| {
        Ok((r.get::<_, i32>(0)?, r.get::<_, u8>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (year, term) = row?;
        let term = crate::domain::Term::from_number(term)
            .ok_or_else(|| StoreError::Damaged(format!("term number {term}")))?;
        out.push(Period::new(year, term));
    }
    Ok(out)
}

fn store_batch(
    tx: &Transaction<'_>,
    urn: &str,
    batch: &ImportBatch,
    options: &ImportOptions,
    time: &ImportTime,
) -> Result<ImportOutcome, StoreError> {
    let school_id = upsert_school(tx, urn, options.school_name.as_deref())?;
    let mut warnings = batch.warnings.clone();

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
                urn: urn.to_owned(),
                previous,
                imported_at,
            });
        }
        delete_import(tx, id)?;
    }
    if matches!(batch.content, BatchContent::Summary(_)) && options.term.is_none() {
        return Err(StoreError::TermRequired {
            file: batch.file_name.clone(),
        });
    }

    let pupil_ids = upsert_pupils(tx, school_id, &batch.pupils)?;
    let imported_at = &time.utc;
    tx.execute(
        "INSERT INTO imports (school_id, file_name, sha256, layout, rows, warnings, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, '[]', ?6)",
        params![
            school_id,
            batch.file_name,
            batch.sha256,
            batch.layout.as_str(),
            i64::try_from(batch.rows).unwrap_or(i64::MAX),
            imported_at
        ],
    )?;
    let import_id = tx.last_insert_rowid();

    let mut outcome = ImportOutcome {
        import_id,
        file_name: batch.file_name.clone(),
        layout: batch.layout,
        periods: Vec::new(),
        pupils: batch.pupils.len(),
        rows: batch.rows,
        marks: 0,
        date_range: None,
        warnings: Vec::new(),
        replaced,
        schools: vec![urn.to_owned()],
        as_of: None,
    };
    let mut periods_used: BTreeMap<Period, i64> = BTreeMap::new();
    match &batch.content {
        BatchContent::Details | BatchContent::Weekly(_) => {}
        BatchContent::Summary(rows) => {
            let period = options.term.ok_or_else(|| StoreError::TermRequired {
                file: batch.file_name.clone(),
            })?;
            let period_id = period_id(tx, school_id, period)?;
            periods_used.insert(period, period_id);
            store_summary(
                tx,
                batch,
                rows,
                &pupil_ids,
                period_id,
                import_id,
                &mut warnings,
            )?;
        }
        BatchContent::Marks(pupils) => {
            let mut by_period: BTreeMap<Period, Vec<(i64, MarkStrip, usize)>> = BTreeMap::new();
            let mut outside = 0usize;
            // Working out a date's term computes Easter, so the last term's date range
            // is kept: (first day, last day, term); it starts empty.
            let mut term_of = (
                chrono::NaiveDate::MAX,
                chrono::NaiveDate::MIN,
                Period::new(0, crate::domain::Term::Autumn),
            );
            for p in pupils {
                let Some(&pupil_id) = pupil_ids.get(&p.upn) else {
                    continue;
                };
                let mut split: BTreeMap<Period, Vec<crate::domain::Mark>> = BTreeMap::new();
                for m in &p.marks {
                    if !(term_of.0 <= m.date && m.date <= term_of.1) {
                        let period = Period::of_date(m.date);
                        let (start, end) = period.date_range().unwrap_or((m.date, m.date));
                        term_of = (start, end, period);
                    }
                    let period = match options.term {
                        Some(t) => {
                            if t != term_of.2 {
                                outside += 1;
                            }
                            t
                        }
                        None => term_of.2,
                    };
                    split.entry(period).or_default().push(*m);
                }
                outcome.marks += p.marks.len();
                for (period, marks) in split {
                    by_period.entry(period).or_default().push((
                        pupil_id,
                        MarkStrip::from_marks(&marks),
                        p.first_line,
                    ));
                }
            }
            if outside > 0
                && let Some(t) = options.term
            {
                warnings.push(Warning {
                    line: None,
                    field: None,
                    message: format!("{outside} marks fall outside the usual dates of {t} but were stored in it, as --term asked"),
                });
            }
            for (period, strips) in by_period {
                let period_id = period_id(tx, school_id, period)?;
                periods_used.insert(period, period_id);
                store_marks(tx, batch, &strips, period_id, import_id, &mut warnings)?;
                let range = strips.iter().filter_map(|(_, s, _)| s.date_range()).fold(
                    None,
                    |acc: Option<(NaiveDate, NaiveDate)>, (a, b)| {
                        Some(acc.map_or((a, b), |(x, y)| (x.min(a), y.max(b))))
                    },
                );
                if let Some((first, last)) = range {
                    tx.execute(
                        "UPDATE periods SET first_date = MIN(COALESCE(first_date, ?1), ?1), last_date = MAX(COALESCE(last_date, ?2), ?2) WHERE id = ?3",
                        params![first.to_string(), last.to_string(), period_id],
                    )?;
                    outcome.date_range = Some(
                        outcome
                            .date_range
                            .map_or((first, last), |(x, y)| (x.min(first), y.max(last))),
                    );
                }
            }
        }
    }
    outcome.periods = periods_used.keys().map(ToString::to_string).collect();
    let warnings_json =
        serde_json::to_string(&warnings).map_err(|e| StoreError::Damaged(e.to_string()))?;
    tx.execute(
        "UPDATE imports SET period_label = ?1, first_date = ?2, last_date = ?3, warnings = ?4 WHERE id = ?5",
        params![
            (!outcome.periods.is_empty()).then(|| outcome.periods.join(", ")),
            outcome.date_range.map(|r| r.0.to_string()),
            outcome.date_range.map(|r| r.1.to_string()),
            warnings_json,
            import_id
        ],
    )?;
    outcome.warnings = warnings;
    Ok(outcome)
}

fn upsert_pupils(
    tx: &Transaction<'_>,
    school_id: i64,
    pupils: &[(Upn, PupilDetails, usize)],
) -> Result<HashMap<Upn, i64>, StoreError> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO pupils (school_id, upn, forename, surname, year_group, reg_group, sex, date_of_birth, sen, fsm, eal,
            looked_after, child_in_need, ethnicity, compulsory_school_age, previously_looked_after, primary_sen_type,
            admission_date, leaving_date, home_la)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)
         ON CONFLICT (school_id, upn) DO UPDATE SET
            forename = COALESCE(excluded.forename, forename),
            surname = COALESCE(excluded.surname, surname),
            year_group = COALESCE(excluded.year_group, year_group),
            reg_group = COALESCE(excluded.reg_group, reg_group),
            sex = COALESCE(excluded.sex, sex),
            date_of_birth = COALESCE(excluded.date_of_birth, date_of_birth),
            sen = COALESCE(excluded.sen, sen),
            fsm = COALESCE(excluded.fsm, fsm),
            eal = COALESCE(excluded.eal, eal),
            looked_after = COALESCE(excluded.looked_after, looked_after),
            child_in_need = COALESCE(excluded.child_in_need, child_in_need),
            ethnicity = COALESCE(excluded.ethnicity, ethnicity),
            compulsory_school_age = COALESCE(excluded.compulsory_school_age, compulsory_school_age),
            previously_looked_after = COALESCE(excluded.previously_looked_after, previously_looked_after),
            primary_sen_type = COALESCE(excluded.primary_sen_type, primary_sen_type),
            admission_date = COALESCE(excluded.admission_date, admission_date),
            leaving_date = COALESCE(excluded.leaving_date, leaving_date),
            home_la = COALESCE(excluded.home_la, home_la)
         RETURNING id",
    )?;
    let mut ids = HashMap::with_capacity(pupils.len());
    for (upn, d, _) in pupils {
        let p = PupilParams::of(d);
        let id: i64 = insert.query_row(
            params![
                school_id,
                upn.as_str(),
                d.forename,
                d.surname,
                p.year_group,
                d.reg_group,
                p.sex,
                p.date_of_birth,
                p.sen,
                d.fsm,
                d.eal,
                d.looked_after,
                d.child_in_need,
                d.ethnicity,
                d.compulsory_school_age,
                d.previously_looked_after,
                d.primary_sen_type,
                p.admission_date,
                p.leaving_date,
                d.home_la
            ],
            |r| r.get(0),
        )?;
        ids.insert(upn.clone(), id);
    }
    Ok(ids)
}

fn store_summary(
    tx: &Transaction<'_>,
    batch: &ImportBatch,
    rows: &[crate::domain::SummaryRow],
    pupil_ids: &HashMap<Upn, i64>,
    period_id: i64,
    import_id: i64,
    warnings: &mut Vec<Warning>,
) -> Result<(), StoreError> {
    let held = sources(tx, period_id)?;
    let mut replaced = 0usize;
    for row in rows {
        let Some(&pupil_id) = pupil_ids.get(&row.upn) else {
            continue;
        };
        match held.get(&pupil_id) {
            Some((source, _)) if source == "marks" => {
                return Err(StoreError::Conflict {
                    file: batch.file_name.clone(),
                    line: row.line,
                    field: "UPN".into(),
                    message: "session marks are already held for this pupil in this term; a summary would count them twice".into(),
                });
            }
            Some(_) => replaced += 1,
            None => {}
        }
        write_attendance(
            tx,
            period_id,
            pupil_id,
            "summary",
            Some(import_id),
            &row.counts,
            None,
        )?;
    }
    if replaced > 0 {
        warnings.push(Warning {
            line: None,
            field: None,
            message: format!(
                "{replaced} pupils' totals replace those from an earlier summary for the same term"
            ),
        });
    }
    Ok(())
}

fn store_marks(
    tx: &Transaction<'_>,
    batch: &ImportBatch,
    strips: &[(i64, MarkStrip, usize)],
    period_id: i64,
    import_id: i64,
    warnings: &mut Vec<Warning>,
) -> Result<(), StoreError> {
    let held = sources(tx, period_id)?;
    let mut insert = tx.prepare_cached("INSERT INTO marks (import_id, pupil_id, period_id, first_date, codes) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let mut changed = 0usize;
    for (pupil_id, strip, line) in strips {
        let Some((first, bytes)) = strip.stored() else {
            continue;
        };
        if let Some((source, _)) = held.get(pupil_id)
            && source == "summary"
        {
            return Err(StoreError::Conflict {
                file: batch.file_name.clone(),
                line: *line,
                field: "UPN".into(),
                message: "a summary is already held for this pupil in this term; marks would count the sessions twice".into(),
            });
        }
        insert.execute(params![
            import_id,
            pupil_id,
            period_id,
            first.to_string(),
            bytes
        ])?;
        if held.contains_key(pupil_id) {
            let (merged, n) = merged_strip(tx, *pupil_id, period_id, import_id)?;
            changed += n;
            write_marks_attendance(tx, period_id, *pupil_id, &merged)?;
        } else {
            write_marks_attendance(tx, period_id, *pupil_id, strip)?;
        }
    }
    if changed > 0 {
        warnings.push(Warning {
            line: None,
            field: None,
            message: format!(
                "{changed} marks replace different marks from earlier imports for the same sessions"
            ),
        });
    }
    Ok(())
}
