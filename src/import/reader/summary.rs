//! The summary layout: a pupil's session counts for the term, checked against each
//! other and against the percentages the file gives (never trusted).

use super::*;

impl Reader<'_> {
    pub(in crate::import) fn count(
        &self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<Option<u32>, ImportError> {
        let Some(value) = self.cell(line, record, field)? else {
            return Ok(None);
        };
        values::parse_count(value)
            .map_err(|()| self.err(line, field, Problem::BadNumber(quoted(value))))
    }

    pub(in crate::import) fn required_count(
        &self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<u32, ImportError> {
        self.count(line, record, field)?
            .ok_or_else(|| self.err(line, field, Problem::MissingValue))
    }

    pub(in crate::import) fn session_cells(
        &self,
        line: usize,
        record: &[&str],
    ) -> Result<SessionCells, ImportError> {
        Ok(SessionCells {
            possible: self.count(line, record, Field::Possible)?,
            attendance: self.count(line, record, Field::Attendance)?,
            present: self.count(line, record, Field::Present)?,
            approved: self.count(line, record, Field::Approved)?.unwrap_or(0),
            authorised: self.required_count(line, record, Field::Authorised)?,
            unauthorised: self.required_count(line, record, Field::Unauthorised)?,
        })
    }

    /// A summary row's totals as the DfE counts them: attendance is present + approved
    /// educational activity (or a column that already holds both), absence is
    /// authorised + unauthorised, and possible is attendance + absence. A file's possible
    /// sessions above that held unmarked sessions: warned, and left out. Below it: an
    /// error in a school's summary; in the DfE weekly file a warning, as the row is the
    /// DfE's own. Nothing a file computed (totals, percentages) is used unchecked.
    pub(in crate::import) fn summary_counts(
        &mut self,
        line: usize,
        record: &[&str],
    ) -> Result<SessionCounts, ImportError> {
        let c = self.session_cells(line, record)?;
        let absence = c.authorised.saturating_add(c.unauthorised);
        let (present, approved) = match (c.attendance, c.present) {
            (Some(attendance), present) => {
                if c.approved > attendance {
                    return Err(self.err(
                        line,
                        Field::Approved,
                        Problem::ApprovedExceedsAttendance {
                            approved: c.approved,
                            attendance,
                        },
                    ));
                }
                let present_part = attendance - c.approved;
                if present.is_some_and(|p| p != present_part && p != attendance) {
                    self.present_mismatch.add(line);
                }
                (present_part, c.approved)
            }
            (None, Some(present)) => (present, c.approved),
            (None, None) => {
                // Only possible, authorised and unauthorised (the school census): the
                // attendance is what is left.
                let possible = c.possible.unwrap_or(0);
                let Some(attendance) = possible.checked_sub(absence) else {
                    return Err(self.totals_error(line, 0, c.authorised, c.unauthorised, possible));
                };
                if c.approved > attendance {
                    return Err(self.err(
                        line,
                        Field::Approved,
                        Problem::ApprovedExceedsAttendance {
                            approved: c.approved,
                            attendance,
                        },
                    ));
                }
                self.derived_attendance.add(line);
                (attendance - c.approved, c.approved)
            }
        };
        let attendance = present.saturating_add(approved);
        let total = attendance.saturating_add(absence);
        let mut no_mark = 0;
        if let Some(possible) = c.possible {
            if total > possible {
                if self.layout != Layout::DfeWeekly {
                    return Err(self.totals_error(
                        line,
                        attendance,
                        c.authorised,
                        c.unauthorised,
                        possible,
                    ));
                }
                self.over_totals.add(line);
            } else if total < possible {
                self.short_totals.add(line);
                no_mark = possible - total;
                self.unrecorded_sessions += u64::from(no_mark);
            }
        }
        if let Some(unrecorded) = self.count(line, record, Field::Unrecorded)? {
            no_mark = no_mark.max(unrecorded);
        }
        if let Some(absent) = self.count(line, record, Field::AbsenceTotal)?
            && absent != absence
        {
            self.absence_total.add(line);
        }
        self.check_percent(line, record, attendance, total)?;
        Ok(SessionCounts {
            possible: total,
            present,
            approved,
            authorised: c.authorised,
            unauthorised: c.unauthorised,
            no_mark,
            late_before_close: self
                .count(line, record, Field::LateBeforeClose)?
                .unwrap_or(0),
            late_after_close: self
                .count(line, record, Field::LateAfterClose)?
                .unwrap_or(0),
        })
    }

    pub(in crate::import) fn totals_error(
        &self,
        line: usize,
        attendance: u32,
        authorised: u32,
        unauthorised: u32,
        possible: u32,
    ) -> ImportError {
        self.err(
            line,
            Field::Possible,
            Problem::TotalsExceedPossible {
                attendance,
                authorised,
                unauthorised,
                total: attendance
                    .saturating_add(authorised)
                    .saturating_add(unauthorised),
                possible,
            },
        )
    }

    /// Compares a file's own attendance percentage with the one worked out from the
    /// sessions, allowing for the percentage's rounding (its decimal places). Read as a
    /// percentage, or as a fraction of one; never used for any figure.
    pub(in crate::import) fn check_percent(
        &mut self,
        line: usize,
        record: &[&str],
        attendance: u32,
        possible: u32,
    ) -> Result<(), ImportError> {
        let Some(value) = self.cell(line, record, Field::AttendancePercent)? else {
            return Ok(());
        };
        let text = value.trim_end_matches('%').trim();
        if text.is_empty() || possible == 0 {
            return Ok(());
        }
        let Ok(number) = text.parse::<f64>() else {
            self.percent_unread.add(line);
            return Ok(());
        };
        let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
        let exponent = i32::try_from(decimals.min(12)).unwrap_or(12);
        let tolerance = 0.5 * 10f64.powi(-exponent) + 1e-9;
        let computed = f64::from(attendance) / f64::from(possible) * 100.0;
        let as_percent = (number - computed).abs() <= tolerance;
        let as_fraction = (number * 100.0 - computed).abs() <= tolerance * 100.0;
        if !as_percent && !as_fraction {
            self.percent_mismatch.add(line);
        }
        Ok(())
    }

    pub(in crate::import) fn summary_row(
        &mut self,
        line: usize,
        record: &[&str],
        pupil: usize,
    ) -> Result<(), ImportError> {
        let counts = self.summary_counts(line, record)?;
        let upn = self
            .pupils
            .get(pupil)
            .map(|p| p.0.clone())
            .ok_or_else(|| self.err(line, Field::Upn, Problem::BadUpn))?;
        self.summary.push(SummaryRow { line, upn, counts });
        Ok(())
    }
}
