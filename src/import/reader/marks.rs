//! The session-marks layouts (long: a row per session; wide: a column per session):
//! dates and codes, read through the code map.

use super::*;

impl Reader<'_> {
    pub(in crate::import) fn date(
        &mut self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<NaiveDate, ImportError> {
        let value = self.required(line, record, field)?;
        // Exports list a pupil's sessions together, so the date often repeats.
        if self.last_date.0 == value {
            return Ok(self.last_date.1);
        }
        let d = match self.dates.get(value) {
            Some(d) => *d,
            None => {
                let d = values::parse_date(value)
                    .ok_or_else(|| self.err(line, field, Problem::BadDate(quoted(value))))?;
                if !(FIRST_YEAR..=LAST_YEAR).contains(&d.year()) {
                    return Err(self.err(line, field, Problem::DateOutOfRange(quoted(value))));
                }
                self.dates.insert(value.to_owned(), d);
                d
            }
        };
        value.clone_into(&mut self.last_date.0);
        self.last_date.1 = d;
        Ok(d)
    }

    /// Reads a mark (see [`Code::read`]). An unknown code is counted, not refused at
    /// once, so the error can say how often each occurs; the mark stands as "no mark"
    /// meanwhile, and the file is refused when the rows are done.
    pub(in crate::import) fn code(
        &mut self,
        line: usize,
        record: &[&str],
        field: Field,
    ) -> Result<Code, ImportError> {
        let value = self.cell(line, record, field)?.unwrap_or("");
        if let [b] = value.as_bytes()
            && let Some(code) = self.one_byte.get(usize::from(*b)).copied().flatten()
        {
            self.count_code(code, line);
            return Ok(code);
        }
        let (code, reading) = match self.codes.get(value).copied() {
            Some(found) => found,
            None => match Code::read(value, self.code_map) {
                Ok(found) => {
                    self.codes.insert(value.to_owned(), found);
                    found
                }
                Err(e) => {
                    self.unknown
                        .entry(quoted(&e.0))
                        .or_insert_with(|| (Tally::default(), field))
                        .0
                        .add(line);
                    return Ok(Code::NO_MARK);
                }
            },
        };
        if reading != Reading::National {
            self.mapped
                .entry(value.trim().to_owned())
                .or_insert_with(|| (code, reading, Tally::default()))
                .2
                .add(line);
        }
        self.count_code(code, line);
        Ok(code)
    }

    pub(in crate::import) fn count_code(&mut self, code: Code, line: usize) {
        if code.is_legacy() {
            self.legacy.entry(code).or_default().add(line);
        }
        if code == Code::NO_MARK {
            self.no_mark.add(line);
        }
    }

    pub(in crate::import) fn push_mark(&mut self, pupil: usize, mark: Mark, line: usize) {
        if let Some(marks) = self.marks.get_mut(pupil) {
            marks.push((mark, line));
        }
    }
}
