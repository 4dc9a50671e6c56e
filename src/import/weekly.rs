//! The DfE weekly pupil-level attendance file: one row per pupil enrolment with
//! year-to-date session totals, for every school in an LA. Each row names its school
//! (`unique_reference_number`, `school_name`, `phase`) and term (`academic_term`).
//! Totals are recomputed from the session counts as the DfE counts them (see
//! [`super::Reader::summary_counts`]); the file's own `persistently_absent` and
//! `severely_absent` flags are only compared with the recomputed figures.

use super::reader::Tally;
use super::{FastMap, Field, ImportError, Problem, Reader, plural, quoted};
use crate::domain::rules::Rate;
use crate::domain::{
    BasisPoints, BatchSchool, Period, Upn, Warning, WeeklyContent, WeeklyPart, WeeklyRow, pupil,
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
    /// UPNs with a wrong check letter.
    pub(super) check_letter: Tally,
    /// Every row's enrolment as a compact key (school, UPN, term, line), for finding
    /// one on two rows once the file is read (rows may have been handed on by then).
    keys: Vec<(usize, u128, u32, usize)>,
    /// How many schools were handed on already.
    schools_handed_on: usize,
    /// How many rows were handed on already.
    rows_handed_on: usize,
}

/// A UPN (13 ASCII characters) in 104 bits, and a term in a number: a compact, ordered
/// key for an enrolment.
fn key(school: usize, upn: &Upn, period: Option<Period>, line: usize) -> (usize, u128, u32, usize) {
    let upn = upn
        .as_str()
        .bytes()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(b));
    let term = period.map_or(0u32, |p| {
        p.year.0.unsigned_abs() * 4 + u32::from(p.term.number())
    });
    (school, upn, term, line)
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
        if !upn.check_letter_ok() {
            self.weekly.check_letter.add(line);
        }
        self.weekly.keys.push(key(school, &upn, period, line));
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
        for (school, upn, term, line) in later.keys {
            let school = renumber.get(school).copied().unwrap_or(school);
            self.keys.push((school, upn, term, line));
        }
        self.check_letter.merge(&later.check_letter);
        self.flag_persistent.merge(&later.flag_persistent);
        self.flag_severe.merge(&later.flag_severe);
        self.odd_sex.merge(&later.odd_sex);
    }

    /// The first enrolment (school, pupil and term) on two rows, as (the later line,
    /// the earlier line): found by sorting compact keys, not with a map of every row.
    pub(super) fn duplicate(&mut self) -> Option<(usize, usize)> {
        self.keys.sort_unstable();
        self.keys
            .windows(2)
            .filter_map(|pair| {
                let (a, b) = (pair[0], pair[1]);
                (a.0 == b.0 && a.1 == b.1 && a.2 == b.2).then_some((b.3, a.3))
            })
            .min()
    }

    /// The rows read since the last part, with the schools first named since.
    pub(super) fn take_part(&mut self) -> WeeklyPart {
        let schools = self.schools[self.schools_handed_on..].to_vec();
        self.schools_handed_on = self.schools.len();
        let rows = std::mem::take(&mut self.rows);
        self.rows_handed_on += rows.len();
        WeeklyPart::Rows { schools, rows }
    }

    /// Whether no row was read at all.
    pub(super) fn is_empty(&self) -> bool {
        self.keys.is_empty()
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
