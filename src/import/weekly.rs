//! The DfE weekly pupil-level attendance file: one row per pupil enrolment with
//! year-to-date session totals, for every school in an LA. Each row names its school
//! (`unique_reference_number`, `school_name`, `phase`) and term (`academic_term`).
//! Totals are recomputed from the session counts as the DfE counts them (see
//! [`super::Reader::summary_counts`]); the file's own `persistently_absent` and
//! `severely_absent` flags are only compared with the recomputed figures.

use super::{FastMap, Field, ImportError, Problem, Reader, Tally, plural, quoted};
use crate::domain::rules::Rate;
use crate::domain::{
    BasisPoints, BatchSchool, Period, Upn, Warning, WeeklyContent, WeeklyRow, pupil,
};

/// What the reader gathers from a DfE weekly file.
#[derive(Default)]
pub(super) struct WeeklyReader {
    pub(super) schools: Vec<BatchSchool>,
    pub(super) rows: Vec<WeeklyRow>,
    /// School index by URN.
    by_urn: FastMap<String, usize>,
    /// The last school read (files list a school's rows together).
    last_school: Option<(String, usize)>,
    /// The last `academic_term` read and its period (a file usually holds one term).
    last_term: (String, Option<Period>),
    /// Rows whose own persistent / severe flag disagrees with the sessions.
    flag_persistent: Tally,
    flag_severe: Tally,
    /// Pupils whose sex is given but not recognised.
    pub(super) odd_sex: Tally,
}

/// The DfE's own thresholds, which the file's flags were made with (not the LA's
/// configurable ones): persistently absent at 10%, severely absent at 50%.
const DFE_PERSISTENT: BasisPoints = BasisPoints(1000);
const DFE_SEVERE: BasisPoints = BasisPoints(5000);

impl Reader<'_> {
    /// One row of the DfE weekly file.
    pub(super) fn weekly_row(
        &mut self,
        line: usize,
        upn_cell: &str,
        record: &[&str],
    ) -> Result<(), ImportError> {
        let school = self.weekly_school(line, record)?;
        let period = self.weekly_term(line, record)?;
        let upn = Upn::parse(upn_cell).map_err(|_| self.err(line, Field::Upn, Problem::BadUpn))?;
        let (details, odd_sex) = self.details(line, record)?;
        if odd_sex {
            self.weekly.odd_sex.add(line);
        }
        let counts = self.summary_counts(line, record)?;
        let rate = Rate::new(counts.absence(), counts.possible);
        for (field, threshold, tally) in [
            (
                Field::FilePersistent,
                DFE_PERSISTENT,
                &mut self.weekly.flag_persistent,
            ),
            (Field::FileSevere, DFE_SEVERE, &mut self.weekly.flag_severe),
        ] {
            let Some(i) = self.cols.get(field) else {
                continue;
            };
            let cell = record.get(i).copied().unwrap_or("");
            if let Some(Some(said)) = pupil::parse_yes_no_unknown(cell, None)
                && said != rate.at_least(threshold)
            {
                tally.add(line);
            }
        }
        self.weekly.rows.push(WeeklyRow {
            line,
            school,
            upn,
            period,
            details,
            counts,
        });
        Ok(())
    }

    /// The row's school, added to the file's schools when first seen. A URN is 5 to 7
    /// digits.
    fn weekly_school(&mut self, line: usize, record: &[&str]) -> Result<usize, ImportError> {
        let urn = self.required(line, record, Field::SchoolUrn)?;
        if let Some((last, i)) = &self.weekly.last_school
            && last == urn
        {
            return Ok(*i);
        }
        if let Some(&i) = self.weekly.by_urn.get(urn) {
            self.weekly.last_school = Some((urn.to_owned(), i));
            return Ok(i);
        }
        if !(5..=7).contains(&urn.len()) || !urn.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.err(
                line,
                Field::SchoolUrn,
                Problem::BadValue {
                    value: quoted(urn),
                    expected: "a school URN (6 digits)",
                },
            ));
        }
        let text = |field| -> Result<Option<String>, ImportError> {
            Ok(self
                .cell(line, record, field)?
                .filter(|v| !v.is_empty())
                .map(str::to_owned))
        };
        let school = BatchSchool {
            urn: urn.to_owned(),
            name: text(Field::SchoolName)?,
            phase: text(Field::Phase)?,
            la_name: text(Field::SchoolLa)?,
            first_line: line,
        };
        let i = self.weekly.schools.len();
        self.weekly.by_urn.insert(school.urn.clone(), i);
        self.weekly.last_school = Some((school.urn.clone(), i));
        self.weekly.schools.push(school);
        Ok(i)
    }

    /// The row's term from `academic_term` (`2025/26 Autumn term`, `Autumn 2025`,
    /// `2025-26 autumn`), if the file has the column.
    fn weekly_term(&mut self, line: usize, record: &[&str]) -> Result<Option<Period>, ImportError> {
        let Some(value) = self.cell(line, record, Field::Term)? else {
            return Ok(None);
        };
        if value.is_empty() {
            return Ok(None);
        }
        if self.weekly.last_term.0 == value {
            return Ok(self.weekly.last_term.1);
        }
        let period: Period = value.parse().map_err(|_| {
            self.err(
                line,
                Field::Term,
                Problem::BadValue {
                    value: quoted(value),
                    expected: "a term such as 2025/26 Autumn term",
                },
            )
        })?;
        self.weekly.last_term = (value.to_owned(), Some(period));
        Ok(Some(period))
    }
}

impl WeeklyReader {
    /// Takes in a later part of the same file, renumbering its schools.
    pub(super) fn absorb(&mut self, later: WeeklyReader) {
        let mut renumber = Vec::with_capacity(later.schools.len());
        for school in later.schools {
            let i = match self.by_urn.get(&school.urn) {
                Some(&i) => i,
                None => {
                    let i = self.schools.len();
                    self.by_urn.insert(school.urn.clone(), i);
                    self.schools.push(school);
                    i
                }
            };
            renumber.push(i);
        }
        for mut row in later.rows {
            row.school = renumber.get(row.school).copied().unwrap_or(row.school);
            self.rows.push(row);
        }
        self.flag_persistent.merge(&later.flag_persistent);
        self.flag_severe.merge(&later.flag_severe);
        self.odd_sex.merge(&later.odd_sex);
    }

    /// The first enrolment (school, pupil and term) on two rows, as (the later line,
    /// the earlier line): found by sorting, not by a map of every row read.
    pub(super) fn duplicate(&self) -> Option<(usize, usize)> {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (x, y) = (&self.rows[a], &self.rows[b]);
            (x.school, &x.upn, x.period, x.line).cmp(&(y.school, &y.upn, y.period, y.line))
        });
        order
            .windows(2)
            .filter_map(|pair| {
                let (x, y) = (&self.rows[pair[0]], &self.rows[pair[1]]);
                (x.school == y.school && x.upn == y.upn && x.period == y.period)
                    .then_some((y.line, x.line))
            })
            .min()
    }

    /// What the file's own flags disagree on.
    pub(super) fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for (tally, name, threshold) in [
            (&self.flag_persistent, "persistently_absent", "10%"),
            (&self.flag_severe, "severely_absent", "50%"),
        ] {
            if tally.count > 0 {
                out.push(Warning {
                    line: Some(tally.first_line),
                    field: Some(name.to_owned()),
                    message: format!(
                        "the file's own {name} flag disagrees with its session counts on {} row{} ({}); tsm-desk recomputes every flag from the sessions (absence at {threshold} or more of possible, exactly) and never uses the file's",
                        tally.count,
                        plural(tally.count),
                        tally.lines_text()
                    ),
                });
            }
        }
        out
    }

    /// The schools and rows read.
    pub(super) fn into_content(self) -> WeeklyContent {
        WeeklyContent {
            schools: self.schools,
            rows: self.rows,
        }
    }
}
