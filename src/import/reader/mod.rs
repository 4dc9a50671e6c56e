//! Walking a file's rows once its header is known: the [`Reader`] gathers pupils,
//! summaries and marks, tallies what it warns about, and finishes into a checked
//! [`ImportBatch`]. Each layout's cells are read in a file of their own.

mod details;
mod marks;
mod summary;

use super::*;

/// A warning that may happen on many lines, reported once with a count and the first
/// few lines it is on.
#[derive(Default, Clone)]
pub(super) struct Tally {
    pub(super) count: usize,
    pub(super) first_line: usize,
    pub(super) lines: Vec<usize>,
}

/// How many lines a tallied warning names.
pub(super) const LINES_NAMED: usize = 5;

impl Tally {
    /// Adds the counts of a later part of the same file.
    pub(super) fn merge(&mut self, later: &Tally) {
        if later.count > 0 {
            if self.count == 0 {
                self.first_line = later.first_line;
            }
            self.count += later.count;
            for &line in &later.lines {
                if self.lines.len() < LINES_NAMED {
                    self.lines.push(line);
                }
            }
        }
    }

    pub(super) fn add(&mut self, line: usize) {
        if self.count == 0 {
            self.first_line = line;
        }
        self.count += 1;
        if self.lines.len() < LINES_NAMED {
            self.lines.push(line);
        }
    }

    /// "line 5" or "lines 5, 9, 12 and 3 more".
    pub(super) fn lines_text(&self) -> String {
        let shown: Vec<String> = self.lines.iter().map(ToString::to_string).collect();
        match shown.as_slice() {
            [one] if self.count == 1 => format!("line {one}"),
            _ if self.count > shown.len() => format!(
                "lines {} and {} more",
                shown.join(", "),
                self.count - shown.len()
            ),
            _ => format!("lines {}", shown.join(", ")),
        }
    }
}

/// Walks a file's rows once its header is known.
pub(super) struct Reader<'a> {
    pub(super) file: &'a str,
    pub(super) cols: Columns,
    pub(super) layout: Layout,
    pub(super) code_map: &'a CodeMap,
    pub(super) pupils: Vec<(Upn, PupilDetails, usize)>,
    pub(super) index: FastMap<Upn, usize>,
    pub(super) last_upn: (String, usize),
    pub(super) summary: Vec<SummaryRow>,
    pub(super) marks: Vec<Vec<(Mark, usize)>>,
    pub(super) dates: FastMap<String, NaiveDate>,
    pub(super) last_date: (String, NaiveDate),
    pub(super) codes: FastMap<String, (Code, Reading)>,
    /// Single-character national codes by byte, either case: the common codes without
    /// hashing.
    pub(super) one_byte: [Option<Code>; 128],
    pub(super) rows: usize,
    pub(super) legacy: BTreeMap<Code, Tally>,
    /// Marks read through a sub-code, a stand-in or the code map: by the mark as
    /// written.
    pub(super) mapped: BTreeMap<String, (Code, Reading, Tally)>,
    /// Unknown codes by the mark as written (cut short), with the column they are in.
    pub(super) unknown: BTreeMap<String, (Tally, Field)>,
    pub(super) no_mark: Tally,
    pub(super) short_totals: Tally,
    pub(super) over_totals: Tally,
    pub(super) absence_total: Tally,
    pub(super) derived_attendance: Tally,
    pub(super) present_mismatch: Tally,
    pub(super) percent_mismatch: Tally,
    pub(super) percent_unread: Tally,
    /// Unmarked sessions a summary's possible sessions held (left out of possible).
    pub(super) unrecorded_sessions: u64,
    pub(super) no_upn: Tally,
    /// Per pupil (parallel to `pupils`): a sex given but not recognised.
    pub(super) odd_sex: Vec<bool>,
    /// The DfE weekly file's schools and rows.
    pub(super) weekly: weekly::WeeklyReader,
    /// Where a weekly file's rows go as they are read, if they are handed on.
    pub(super) stream: Option<Stream<'a>>,
}

/// A summary row's session columns, as read.
pub(super) struct SessionCells {
    pub(super) possible: Option<u32>,
    pub(super) attendance: Option<u32>,
    pub(super) present: Option<u32>,
    pub(super) approved: u32,
    pub(super) authorised: u32,
    pub(super) unauthorised: u32,
}

impl<'a> Reader<'a> {
    pub(super) fn new(file: &'a str, cols: Columns, layout: Layout, code_map: &'a CodeMap) -> Self {
        Reader {
            file,
            cols,
            layout,
            code_map,
            pupils: Vec::new(),
            index: FastMap::default(),
            last_upn: (String::new(), 0),
            summary: Vec::new(),
            marks: Vec::new(),
            dates: FastMap::default(),
            last_date: (String::new(), NaiveDate::MIN),
            codes: FastMap::default(),
            one_byte: one_byte_codes(),
            rows: 0,
            legacy: BTreeMap::new(),
            mapped: BTreeMap::new(),
            unknown: BTreeMap::new(),
            no_mark: Tally::default(),
            short_totals: Tally::default(),
            over_totals: Tally::default(),
            absence_total: Tally::default(),
            derived_attendance: Tally::default(),
            present_mismatch: Tally::default(),
            percent_mismatch: Tally::default(),
            percent_unread: Tally::default(),
            unrecorded_sessions: 0,
            no_upn: Tally::default(),
            odd_sex: Vec::new(),
            weekly: weekly::WeeklyReader::default(),
            stream: None,
        }
    }

    pub(super) fn err(&self, line: usize, field: Field, problem: Problem) -> ImportError {
        ImportError::at(self.file, line, Some(self.cols.header(field)), problem)
    }

    /// The trimmed cell of `field` (`None` when the file has no such column). A cell
    /// that looks like a formula is refused, whatever the field.
    pub(super) fn cell<'r>(
        &self,
        line: usize,
        record: &'r [&'r str],
        field: Field,
    ) -> Result<Option<&'r str>, ImportError> {
        let Some(i) = self.cols.get(field) else {
            return Ok(None);
        };
        let value = trimmed(record.get(i).copied().unwrap_or(""));
        // A lone `=` in a mark column is a SIMS local code of the COVID years, not a
        // formula: nothing follows it, and the mark is stored as a national code.
        let lone_mark =
            value == "=" && matches!(field, Field::Mark | Field::AmMark | Field::PmMark);
        if !lone_mark && looks_like_formula(value) {
            return Err(self.err(line, field, Problem::Formula));
        }
        Ok(Some(value))
    }

    pub(super) fn required<'r>(
        &self,
        line: usize,
        record: &'r [&'r str],
        field: Field,
    ) -> Result<&'r str, ImportError> {
        match self.cell(line, record, field)? {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(self.err(line, field, Problem::MissingValue)),
        }
    }

    pub(super) fn row(&mut self, line: usize, record: &[&str]) -> Result<(), ImportError> {
        if is_blank(record) {
            return Ok(());
        }
        self.rows += 1;
        let upn_cell = self.cell(line, record, Field::Upn)?.unwrap_or("");
        if upn_cell.is_empty() {
            self.no_upn.add(line);
            return Ok(());
        }
        if self.layout == Layout::DfeWeekly {
            self.weekly_row(line, upn_cell, record)?;
            if self.weekly.rows.len() >= ROWS_PER_PART {
                self.hand_on()?;
            }
            return Ok(());
        }
        let pupil = self.pupil(line, upn_cell, record)?;
        match self.layout {
            Layout::Details | Layout::DfeWeekly => Ok(()),
            Layout::Summary => self.summary_row(line, record, pupil),
            Layout::MarksLong => {
                let date = self.date(line, record, Field::Date)?;
                let session_cell = self.required(line, record, Field::Session)?;
                let session = Session::parse(session_cell).ok_or_else(|| {
                    self.err(
                        line,
                        Field::Session,
                        Problem::BadSession(quoted(session_cell)),
                    )
                })?;
                let code = self.code(line, record, Field::Mark)?;
                self.push_mark(
                    pupil,
                    Mark {
                        date,
                        session,
                        code,
                    },
                    line,
                );
                Ok(())
            }
            Layout::MarksWide => {
                let date = self.date(line, record, Field::Date)?;
                let am = self.code(line, record, Field::AmMark)?;
                let pm = self.code(line, record, Field::PmMark)?;
                self.push_mark(
                    pupil,
                    Mark {
                        date,
                        session: Session::Am,
                        code: am,
                    },
                    line,
                );
                self.push_mark(
                    pupil,
                    Mark {
                        date,
                        session: Session::Pm,
                        code: pm,
                    },
                    line,
                );
                Ok(())
            }
        }
    }

    /// Finds or adds the pupil on this row. Summary and details files hold one row per
    /// pupil, so a repeat is an error there.
    pub(super) fn pupil(
        &mut self,
        line: usize,
        upn_cell: &str,
        record: &[&str],
    ) -> Result<usize, ImportError> {
        if self.layout.has_marks() && self.last_upn.0 == upn_cell && !self.pupils.is_empty() {
            return Ok(self.last_upn.1);
        }
        let upn = Upn::parse(upn_cell).map_err(|_| self.err(line, Field::Upn, Problem::BadUpn))?;
        if let Some(&i) = self.index.get(&upn) {
            if !self.layout.has_marks() {
                let first = self.pupils.get(i).map_or(0, |p| p.2);
                return Err(self.err(line, Field::Upn, Problem::DuplicatePupil(first)));
            }
            self.last_upn = (upn_cell.to_owned(), i);
            return Ok(i);
        }
        let (details, odd_sex) = self.details(line, record)?;
        self.odd_sex.push(odd_sex);
        let i = self.pupils.len();
        self.index.insert(upn.clone(), i);
        self.pupils.push((upn, details, line));
        self.marks.push(Vec::new());
        self.last_upn = (upn_cell.to_owned(), i);
        Ok(i)
    }

    /// Takes in what a reader of a later part of the same file found.
    pub(super) fn absorb(&mut self, later: Reader<'a>) -> Result<(), ImportError> {
        self.rows += later.rows;
        let odd = later.odd_sex;
        for (((upn, details, line), marks), odd_sex) in
            later.pupils.into_iter().zip(later.marks).zip(odd)
        {
            if let Some(&i) = self.index.get(&upn) {
                if let Some(held) = self.marks.get_mut(i) {
                    held.extend(marks);
                }
            } else {
                self.index.insert(upn.clone(), self.pupils.len());
                self.pupils.push((upn, details, line));
                self.marks.push(marks);
                self.odd_sex.push(odd_sex);
            }
        }
        self.summary.extend(later.summary);
        for (code, tally) in &later.legacy {
            self.legacy.entry(*code).or_default().merge(tally);
        }
        for (mark, (code, reading, tally)) in &later.mapped {
            self.mapped
                .entry(mark.clone())
                .or_insert_with(|| (*code, *reading, Tally::default()))
                .2
                .merge(tally);
        }
        for (mark, (tally, field)) in &later.unknown {
            self.unknown
                .entry(mark.clone())
                .or_insert_with(|| (Tally::default(), *field))
                .0
                .merge(tally);
        }
        for (mine, theirs) in [
            (&mut self.no_mark, &later.no_mark),
            (&mut self.short_totals, &later.short_totals),
            (&mut self.over_totals, &later.over_totals),
            (&mut self.absence_total, &later.absence_total),
            (&mut self.derived_attendance, &later.derived_attendance),
            (&mut self.present_mismatch, &later.present_mismatch),
            (&mut self.percent_mismatch, &later.percent_mismatch),
            (&mut self.percent_unread, &later.percent_unread),
            (&mut self.no_upn, &later.no_upn),
        ] {
            mine.merge(theirs);
        }
        self.unrecorded_sessions += later.unrecorded_sessions;
        self.weekly.absorb(later.weekly);
        Ok(())
    }

    /// Hands the weekly rows read so far, and the schools first named in them, to the
    /// stream, if there is one.
    pub(super) fn hand_on(&mut self) -> Result<(), ImportError> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(());
        };
        let part = self.weekly.take_part();
        if (stream.sink)(part) {
            Ok(())
        } else {
            Err(ImportError::whole(self.file, Problem::Stopped))
        }
    }

    /// The unknown codes found, as an error naming the first one's line and column.
    pub(super) fn unknown_codes_error(&self) -> Option<ImportError> {
        let mut codes: Vec<(&String, &(Tally, Field))> = self.unknown.iter().collect();
        codes.sort_by_key(|(_, (t, _))| t.first_line);
        let (_, (first, field)) = codes.first()?;
        let listed = codes
            .iter()
            .map(|(mark, (tally, _))| UnknownCodeCount {
                code: (mark.chars().count() <= 3).then(|| (*mark).clone()),
                count: tally.count,
                first_line: tally.first_line,
            })
            .collect();
        Some(self.err(first.first_line, *field, Problem::UnknownCodes(listed)))
    }

    pub(super) fn finish(mut self, sha256: String) -> Result<ImportBatch, ImportError> {
        if let Some(e) = self.unknown_codes_error() {
            return Err(e);
        }
        if self.pupils.is_empty() && self.weekly.is_empty() {
            return Err(ImportError::whole(self.file, Problem::NoRows));
        }
        let mut warnings = self.warnings();
        let content = match self.layout {
            Layout::Details => BatchContent::Details,
            Layout::Summary => BatchContent::Summary(std::mem::take(&mut self.summary)),
            Layout::DfeWeekly => {
                if let Some((line, first)) = self.weekly.duplicate() {
                    return Err(self.err(line, Field::Upn, Problem::DuplicatePupil(first)));
                }
                self.hand_on()?;
                warnings.extend(self.weekly.warnings());
                BatchContent::Weekly(std::mem::take(&mut self.weekly).into_content())
            }
            Layout::MarksLong | Layout::MarksWide => {
                let mark_field = if self.layout == Layout::MarksLong {
                    Field::Mark
                } else {
                    Field::AmMark
                };
                let mut repeated = Tally::default();
                let mut all = Vec::with_capacity(self.pupils.len());
                for ((upn, _, first_line), mut marks) in
                    self.pupils.iter().zip(std::mem::take(&mut self.marks))
                {
                    // Exports are usually in date order already.
                    if !marks.is_sorted_by_key(|(m, line)| (m.date, m.session, *line)) {
                        marks.sort_by_key(|(m, line)| (m.date, m.session, *line));
                    }
                    let mut kept: Vec<Mark> = Vec::with_capacity(marks.len());
                    let mut prev: Option<(Mark, usize)> = None;
                    for (m, line) in marks {
                        if let Some((p, first)) = prev
                            && p.date == m.date
                            && p.session == m.session
                        {
                            if p.code != m.code {
                                return Err(self.err(
                                    line,
                                    mark_field,
                                    Problem::ConflictingMark {
                                        old: p.code.to_string(),
                                        new: m.code.to_string(),
                                        first_line: first,
                                    },
                                ));
                            }
                            repeated.add(line);
                            continue;
                        }
                        kept.push(m);
                        prev = Some((m, line));
                    }
                    all.push(PupilMarks {
                        upn: upn.clone(),
                        first_line: *first_line,
                        marks: kept,
                    });
                }
                if repeated.count > 0 {
                    warnings.push(Warning {
                        line: Some(repeated.first_line),
                        field: None,
                        message: format!(
                            "{} repeated marks (same pupil, date, session and code) counted once",
                            repeated.count
                        ),
                    });
                }
                BatchContent::Marks(all)
            }
        };
        Ok(ImportBatch {
            file_name: self.file.to_owned(),
            sha256,
            layout: self.layout,
            pupils: self.pupils,
            content,
            rows: self.rows,
            warnings,
            as_of: None,
        })
    }

    pub(super) fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        let mut tally = |t: &Tally, field: Option<String>, message: String| {
            if t.count > 0 {
                out.push(Warning {
                    line: Some(t.first_line),
                    field,
                    message,
                });
            }
        };
        for (code, t) in &self.legacy {
            let info = code.info();
            tally(
                t,
                None,
                format!(
                    "pre-2024 code {} ({}) counted as {}: {} mark{}",
                    code,
                    info.meaning,
                    info.category.describe(),
                    t.count,
                    plural(t.count)
                ),
            );
        }
        for (mark, (code, reading, t)) in &self.mapped {
            let info = code.info();
            tally(
                t,
                None,
                format!(
                    "code {mark:?} ({}) counted as {} ({}, {}): {} mark{}",
                    reading.describe(),
                    code,
                    info.meaning,
                    info.category.describe(),
                    t.count,
                    plural(t.count)
                ),
            );
        }
        tally(
            &self.no_mark,
            None,
            format!(
                "{} session{} not yet marked, left out of possible sessions",
                self.no_mark.count,
                plural(self.no_mark.count)
            ),
        );
        let possible = Some(self.cols.header(Field::Possible));
        tally(
            &self.short_totals,
            possible.clone(),
            format!(
                "{} pupil{} with attendance and absence below possible sessions ({}): {} unmarked session{} left out of possible sessions (attendance + absence is used as possible)",
                self.short_totals.count,
                plural(self.short_totals.count),
                self.short_totals.lines_text(),
                self.unrecorded_sessions,
                plural(usize::try_from(self.unrecorded_sessions).unwrap_or(2)),
            ),
        );
        tally(
            &self.over_totals,
            possible,
            format!(
                "{} row{} where attendance and absence add up to more than possible sessions ({}); attendance + absence is used as possible",
                self.over_totals.count,
                plural(self.over_totals.count),
                self.over_totals.lines_text()
            ),
        );
        tally(
            &self.absence_total,
            Some(self.cols.header(Field::AbsenceTotal)),
            format!(
                "{} row{} where the absence total is not authorised + unauthorised ({}); authorised + unauthorised is used",
                self.absence_total.count,
                plural(self.absence_total.count),
                self.absence_total.lines_text()
            ),
        );
        tally(
            &self.derived_attendance,
            possible_field(&self.cols),
            format!(
                "no attendance column: attendance worked out as possible − authorised − unauthorised for {} pupil{}",
                self.derived_attendance.count,
                plural(self.derived_attendance.count)
            ),
        );
        tally(
            &self.present_mismatch,
            Some(self.cols.header(Field::Present)),
            format!(
                "{} row{} where present + approved educational activity is not the attendance column ({}); the attendance column is used",
                self.present_mismatch.count,
                plural(self.present_mismatch.count),
                self.present_mismatch.lines_text()
            ),
        );
        tally(
            &self.percent_mismatch,
            Some(self.cols.header(Field::AttendancePercent)),
            format!(
                "{} row{} whose attendance percentage differs from the sessions by more than its rounding ({}); tsm-desk uses the sessions, never the percentage",
                self.percent_mismatch.count,
                plural(self.percent_mismatch.count),
                self.percent_mismatch.lines_text()
            ),
        );
        tally(
            &self.percent_unread,
            Some(self.cols.header(Field::AttendancePercent)),
            format!(
                "{} attendance percentage{} that are not numbers, ignored",
                self.percent_unread.count,
                plural(self.percent_unread.count)
            ),
        );
        let mut check_letter = Tally::default();
        let mut unknown_sex = Tally::default();
        for (i, (upn, _, line)) in self.pupils.iter().enumerate() {
            if !upn.check_letter_ok() {
                check_letter.add(*line);
            }
            if self.odd_sex.get(i).copied().unwrap_or(false) {
                unknown_sex.add(*line);
            }
        }
        check_letter.merge(&self.weekly.check_letter);
        unknown_sex.merge(&self.weekly.odd_sex);
        tally(
            &check_letter,
            Some(self.cols.header(Field::Upn)),
            format!(
                "{} UPN{} with a wrong check letter",
                check_letter.count,
                plural(check_letter.count)
            ),
        );
        tally(
            &self.no_upn,
            Some(self.cols.header(Field::Upn)),
            format!(
                "{} row{} without a UPN skipped",
                self.no_upn.count,
                plural(self.no_upn.count)
            ),
        );
        tally(
            &unknown_sex,
            Some(self.cols.header(Field::Sex)),
            format!(
                "{} pupil{} with an unrecognised sex, left blank",
                unknown_sex.count,
                plural(unknown_sex.count)
            ),
        );
        out
    }
}
