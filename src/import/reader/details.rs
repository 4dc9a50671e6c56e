//! The pupil-details columns any layout may carry (names, year and registration
//! group, characteristics, dates), read into [`PupilDetails`].

use super::*;

impl Reader<'_> {
    /// The pupil details on a row, and whether a sex was given but not recognised. In
    /// the DfE weekly file an empty flag is not known; in MIS exports an empty flag
    /// means no, as those exports write it.
    pub(in crate::import) fn details(
        &self,
        line: usize,
        record: &[&str],
    ) -> Result<(PupilDetails, bool), ImportError> {
        let mut d = PupilDetails::default();
        let mut odd_sex = false;
        let empty_flag = if self.layout == Layout::DfeWeekly {
            None
        } else {
            Some(false)
        };
        let (mut sen_support, mut ehcp, mut protection) = (None, None, None);
        for field in DETAIL_FIELDS {
            let Some(value) = self.cell(line, record, field)? else {
                continue;
            };
            let text = || (!value.is_empty()).then(|| value.to_owned());
            let bad = |expected| {
                self.err(
                    line,
                    field,
                    Problem::BadValue {
                        value: quoted(value),
                        expected,
                    },
                )
            };
            let flag = |empty: Option<bool>| {
                parse_yes_no_unknown(value, empty).ok_or_else(|| bad("yes, no or unknown"))
            };
            match field {
                Field::Forename => d.forename = text(),
                Field::Surname => d.surname = text(),
                Field::RegGroup => d.reg_group = text(),
                Field::Ethnicity => d.ethnicity = text(),
                Field::HomeLa => d.home_la = text(),
                Field::PrimarySenType => d.primary_sen_type = text().map(|t| t.to_uppercase()),
                Field::YearGroup if !value.is_empty() => {
                    d.year_group = Some(
                        YearGroup::parse(value)
                            .map_err(|_| bad("a year group (7, Y7, Year 7, R, N1)"))?,
                    );
                }
                Field::Sex => {
                    d.sex = Sex::parse(value);
                    if d.sex.is_none() && !value.is_empty() {
                        odd_sex = true;
                    }
                }
                Field::DateOfBirth if !value.is_empty() => {
                    d.date_of_birth = Some(
                        values::parse_date(value)
                            .ok_or_else(|| self.err(line, field, Problem::BadDateOfBirth))?,
                    );
                }
                Field::AdmissionDate | Field::LeavingDate if !value.is_empty() => {
                    let date = values::parse_date(value)
                        .ok_or_else(|| bad("a date (dd/mm/yyyy or yyyy-mm-dd)"))?;
                    if field == Field::AdmissionDate {
                        d.admission_date = Some(date);
                    } else {
                        d.leaving_date = Some(date);
                    }
                }
                Field::Sen => {
                    d.sen = Some(
                        SenStatus::parse(value).ok_or_else(|| bad("an SEN status (N, K or E)"))?,
                    );
                }
                Field::Fsm => d.fsm = flag(empty_flag)?,
                Field::Eal => d.eal = flag(empty_flag)?,
                Field::LookedAfter => d.looked_after = flag(empty_flag)?,
                Field::ChildInNeed => d.child_in_need = flag(empty_flag)?,
                Field::CompulsorySchoolAge => d.compulsory_school_age = flag(None)?,
                Field::PreviouslyLookedAfter => d.previously_looked_after = flag(None)?,
                Field::SenSupport => sen_support = flag(None)?,
                Field::Ehcp => ehcp = flag(None)?,
                Field::ChildProtection => protection = flag(None)?,
                _ => {}
            }
        }
        // The DfE file gives SEN support and EHC plan as two flags.
        if d.sen.is_none() && (self.cols.has(Field::SenSupport) || self.cols.has(Field::Ehcp)) {
            d.sen = match (sen_support, ehcp) {
                (_, Some(true)) => Some(SenStatus::Ehcp),
                (Some(true), _) => Some(SenStatus::SenSupport),
                (Some(false), Some(false)) => Some(SenStatus::None),
                (Some(false), None) if !self.cols.has(Field::Ehcp) => Some(SenStatus::None),
                (None, Some(false)) if !self.cols.has(Field::SenSupport) => Some(SenStatus::None),
                _ => None,
            };
        }
        // Child in need or on a protection plan: either one makes a social worker.
        if self.cols.has(Field::ChildProtection) {
            d.child_in_need = match (d.child_in_need, protection) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                (None, Some(false)) if !self.cols.has(Field::ChildInNeed) => Some(false),
                _ => None,
            };
        }
        Ok((d, odd_sex))
    }
}
