//! Column headers: the fields tsm-desk reads, the names MIS exports give them, and
//! how a file's layout is told from its header row.

use crate::domain::Layout;
use std::fmt;

/// A column tsm-desk understands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Unique Pupil Number.
    Upn,
    /// Legal forename.
    Forename,
    /// Legal surname.
    Surname,
    /// Year group.
    YearGroup,
    /// Registration group.
    RegGroup,
    /// Sex.
    Sex,
    /// Date of birth.
    DateOfBirth,
    /// SEN status.
    Sen,
    /// FSM or pupil premium.
    Fsm,
    /// English as an additional language.
    Eal,
    /// Looked after.
    LookedAfter,
    /// Child in need or on a protection plan.
    ChildInNeed,
    /// Ethnicity.
    Ethnicity,
    /// Possible sessions.
    Possible,
    /// Attendance sessions (present + approved educational activity).
    Attendance,
    /// Approved educational activity sessions, when a summary gives them apart.
    Approved,
    /// Authorised absence sessions.
    Authorised,
    /// Unauthorised absence sessions.
    Unauthorised,
    /// Late before the register closed (`L`).
    LateBeforeClose,
    /// Late after the register closed (`U`).
    LateAfterClose,
    /// Session date.
    Date,
    /// AM or PM.
    Session,
    /// The mark (long layout).
    Mark,
    /// The AM mark (wide layout).
    AmMark,
    /// The PM mark (wide layout).
    PmMark,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 25] = [
        Field::Upn,
        Field::Forename,
        Field::Surname,
        Field::YearGroup,
        Field::RegGroup,
        Field::Sex,
        Field::DateOfBirth,
        Field::Sen,
        Field::Fsm,
        Field::Eal,
        Field::LookedAfter,
        Field::ChildInNeed,
        Field::Ethnicity,
        Field::Possible,
        Field::Attendance,
        Field::Approved,
        Field::Authorised,
        Field::Unauthorised,
        Field::LateBeforeClose,
        Field::LateAfterClose,
        Field::Date,
        Field::Session,
        Field::Mark,
        Field::AmMark,
        Field::PmMark,
    ];

    /// The header tsm-desk writes and documents for the field.
    #[must_use]
    pub fn label(self) -> &'static str {
        self.synonyms()[0]
    }

    /// Accepted headers, compared after [`normalise`]: the first is the documented name.
    #[must_use]
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Field::Upn => &["UPN", "Unique Pupil Number", "Pupil UPN"],
            Field::Forename => &[
                "Forename",
                "Legal Forename",
                "First Name",
                "Given Name",
                "Forenames",
                "Preferred Forename",
            ],
            Field::Surname => &[
                "Surname",
                "Legal Surname",
                "Last Name",
                "Family Name",
                "Preferred Surname",
            ],
            Field::YearGroup => &[
                "Year Group",
                "Year",
                "NC Year",
                "Yr",
                "Curriculum Year",
                "National Curriculum Year",
                "NC Year Actual",
            ],
            Field::RegGroup => &[
                "Reg Group",
                "Reg",
                "Form",
                "Registration Group",
                "Tutor Group",
                "Form Group",
                "Class",
                "Reg Grp",
            ],
            Field::Sex => &["Sex", "Gender"],
            Field::DateOfBirth => &["Date of Birth", "DOB", "Birth Date"],
            Field::Sen => &[
                "SEN Status",
                "SEN",
                "SEN Provision",
                "SEND Status",
                "SEN Need",
            ],
            Field::Fsm => &[
                "FSM",
                "FSM Eligible",
                "Pupil Premium",
                "PP",
                "FSM6",
                "Free School Meals",
                "Pupil Premium Eligible",
                "FSM or PP",
                "Disadvantaged",
            ],
            Field::Eal => &[
                "EAL",
                "English as an Additional Language",
                "First Language Not English",
            ],
            Field::LookedAfter => &[
                "Looked After",
                "CLA",
                "In LA Care",
                "LAC",
                "Looked After Child",
                "CLA Status",
            ],
            Field::ChildInNeed => &[
                "CIN or CP",
                "CIN",
                "Child in Need",
                "CP",
                "Child Protection",
                "CIN/CP",
                "Social Worker",
                "Has Social Worker",
            ],
            Field::Ethnicity => &["Ethnicity", "Ethnic Code", "Ethnic Group"],
            Field::Possible => &[
                "Possible Sessions",
                "Possible",
                "Sessions Possible",
                "Possible Marks",
            ],
            Field::Attendance => &[
                "Attendance Sessions",
                "Present",
                "Attended",
                "Attendance",
                "Sessions Attended",
                "Present Sessions",
                "Attendances",
            ],
            Field::Approved => &[
                "Approved Educational Activity",
                "AEA",
                "Approved Activity",
                "Approved Educational Activities",
            ],
            Field::Authorised => &[
                "Authorised Absences",
                "Authorised",
                "Authorised Absence",
                "Authorised Sessions",
                "Authorized",
                "Authorized Absences",
                "Auth Absences",
                "Auth",
            ],
            Field::Unauthorised => &[
                "Unauthorised Absences",
                "Unauthorised",
                "Unauthorised Absence",
                "Unauthorised Sessions",
                "Unauthorized",
                "Unauthorized Absences",
                "Unauth Absences",
                "Unauth",
            ],
            Field::LateBeforeClose => &[
                "Late Before Close",
                "Late",
                "Lates",
                "Late Before Registers Closed",
                "L Marks",
                "Late (L)",
            ],
            Field::LateAfterClose => &[
                "Late After Close",
                "Late After Registers Closed",
                "U Marks",
                "Late (U)",
            ],
            Field::Date => &["Date", "Session Date", "Attendance Date", "Register Date"],
            Field::Session => &["Session", "AM/PM", "AMPM", "Sess"],
            Field::Mark => &[
                "Mark",
                "Code",
                "Attendance Code",
                "Attendance Mark",
                "Register Mark",
            ],
            Field::AmMark => &["AM Mark", "AM", "Morning", "AM Code"],
            Field::PmMark => &["PM Mark", "PM", "Afternoon", "PM Code"],
        }
    }

    /// Reads a field name as printed by `--map` help (`upn`, `year_group`, ...).
    #[must_use]
    pub fn parse_name(s: &str) -> Option<Field> {
        let want = normalise(s);
        Field::ALL.into_iter().find(|f| {
            normalise(&format!("{f:?}")) == want
                || f.synonyms().iter().any(|syn| normalise(syn) == want)
        })
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Lower-cases and keeps only letters and digits: `"Year Group "` and `"year_group"`
/// both become `yeargroup`.
#[must_use]
pub fn normalise(header: &str) -> String {
    header
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Columns the user chose by hand: each field to the header it should be read from,
/// and optionally the layout.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnMapping {
    /// Forces the layout instead of detecting it.
    pub layout: Option<Layout>,
    /// Field to header, overriding the built-in synonyms for that field.
    pub columns: Vec<(Field, String)>,
}

/// Where each field is in the header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    index: [Option<usize>; Field::ALL.len()],
    headers: Vec<String>,
}

impl Columns {
    /// Matches a header row against the fields (user mapping first, then synonyms;
    /// the first matching column wins).
    #[must_use]
    pub fn match_headers(headers: &[String], mapping: &ColumnMapping) -> Columns {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut index = [None; Field::ALL.len()];
        for field in Field::ALL {
            let user = mapping
                .columns
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, h)| normalise(h));
            let found = match user {
                Some(want) => normalised.iter().position(|h| *h == want),
                None => field.synonyms().iter().find_map(|syn| {
                    let want = normalise(syn);
                    normalised.iter().position(|h| *h == want)
                }),
            };
            if let Some(i) = found {
                index[field as usize] = Some(i);
            }
        }
        // A column claimed by a user mapping is not also read as another field.
        for (field, header) in &mapping.columns {
            let want = normalise(header);
            for other in Field::ALL {
                let slot = &mut index[other as usize];
                if other != *field && slot.is_some_and(|i| normalised.get(i) == Some(&want)) {
                    *slot = None;
                }
            }
        }
        Columns {
            index,
            headers: headers.to_vec(),
        }
    }

    /// The column of a field, if the file has it.
    #[must_use]
    pub fn get(&self, field: Field) -> Option<usize> {
        self.index[field as usize]
    }

    /// Whether the file has the field.
    #[must_use]
    pub fn has(&self, field: Field) -> bool {
        self.index[field as usize].is_some()
    }

    /// The header as written in the file for a field (for error messages), cut short
    /// if long: only its letters and digits had to match, so it may carry anything.
    #[must_use]
    pub fn header(&self, field: Field) -> String {
        self.get(field)
            .and_then(|i| self.headers.get(i))
            .map_or_else(|| field.label().to_owned(), |h| super::quoted(h.trim()))
    }

    /// The fields a layout must have that the file lacks.
    #[must_use]
    pub fn missing_for(&self, layout: Layout) -> Vec<Field> {
        required(layout)
            .iter()
            .copied()
            .filter(|f| !self.has(*f))
            .collect()
    }

    /// The layout the headers fit, most specific first; `None` if none fits.
    #[must_use]
    pub fn detect(&self) -> Option<Layout> {
        [Layout::MarksLong, Layout::MarksWide, Layout::Summary]
            .into_iter()
            .find(|l| self.missing_for(*l).is_empty())
            .or_else(|| {
                let any_detail = DETAIL_FIELDS.iter().any(|f| self.has(*f));
                (self.has(Field::Upn) && any_detail && !self.has_attendance_fields())
                    .then_some(Layout::Details)
            })
    }

    fn has_attendance_fields(&self) -> bool {
        ATTENDANCE_FIELDS.iter().any(|f| self.has(*f))
    }

    /// The layout the headers come closest to, for an error message: the attendance
    /// layout missing fewest columns if the file has any attendance column, else details.
    #[must_use]
    pub fn closest(&self) -> Layout {
        if !self.has_attendance_fields() {
            return Layout::Details;
        }
        [Layout::MarksLong, Layout::MarksWide, Layout::Summary]
            .into_iter()
            .min_by_key(|l| self.missing_for(*l).len())
            .unwrap_or(Layout::Summary)
    }
}

/// Columns that only attendance layouts have.
const ATTENDANCE_FIELDS: [Field; 8] = [
    Field::Possible,
    Field::Attendance,
    Field::Authorised,
    Field::Unauthorised,
    Field::Mark,
    Field::AmMark,
    Field::PmMark,
    Field::Date,
];

/// Pupil-details fields, read from any layout that has them.
pub const DETAIL_FIELDS: [Field; 12] = [
    Field::Forename,
    Field::Surname,
    Field::YearGroup,
    Field::RegGroup,
    Field::Sex,
    Field::DateOfBirth,
    Field::Sen,
    Field::Fsm,
    Field::Eal,
    Field::LookedAfter,
    Field::ChildInNeed,
    Field::Ethnicity,
];

/// The fields a layout cannot do without.
#[must_use]
pub fn required(layout: Layout) -> &'static [Field] {
    match layout {
        Layout::Summary => &[
            Field::Upn,
            Field::Possible,
            Field::Attendance,
            Field::Authorised,
            Field::Unauthorised,
        ],
        Layout::MarksLong => &[Field::Upn, Field::Date, Field::Session, Field::Mark],
        Layout::MarksWide => &[Field::Upn, Field::Date, Field::AmMark, Field::PmMark],
        Layout::Details => &[Field::Upn],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the fuzz run: only a header's letters and digits must match, so a
    /// header of "UPN" and a megabyte of punctuation was repeated whole in every
    /// message naming the field.
    #[test]
    fn long_headers_are_cut_in_messages() {
        let long = format!("UPN{}", "-".repeat(1_000_000));
        let c = cols(&[long.as_str(), "Surname"]);
        assert_eq!(c.get(Field::Upn), Some(0));
        assert_eq!(
            c.header(Field::Upn),
            format!("UPN{}... (1000003 characters)", "-".repeat(37))
        );
        assert_eq!(c.header(Field::Surname), "Surname");
    }

    fn cols(headers: &[&str]) -> Columns {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
        Columns::match_headers(&headers, &ColumnMapping::default())
    }

    #[test]
    fn layouts_are_detected_from_headers() {
        assert_eq!(
            cols(&["UPN", "Date", "Session", "Mark"]).detect(),
            Some(Layout::MarksLong)
        );
        assert_eq!(
            cols(&["Unique Pupil Number", "Date", "AM/PM", "Code"]).detect(),
            Some(Layout::MarksLong)
        );
        assert_eq!(
            cols(&["upn", "date", "am", "pm"]).detect(),
            Some(Layout::MarksWide)
        );
        assert_eq!(
            cols(&[
                "UPN",
                "Year Group",
                "Possible Sessions",
                "Present",
                "Authorised Absences",
                "Unauthorised Absences"
            ])
            .detect(),
            Some(Layout::Summary)
        );
        assert_eq!(
            cols(&["UPN", "Legal Surname", "Forename", "NC Year", "Form"]).detect(),
            Some(Layout::Details)
        );
        assert_eq!(cols(&["UPN", "Possible", "Authorised"]).detect(), None);
        assert_eq!(
            cols(&["UPN", "Possible", "Authorised"]).closest(),
            Layout::Summary
        );
        assert_eq!(
            cols(&["UPN", "Possible", "Authorised"]).missing_for(Layout::Summary),
            vec![Field::Attendance, Field::Unauthorised]
        );
    }

    #[test]
    fn headers_match_case_and_space_insensitively() {
        let c = cols(&[" upn ", "YEAR  GROUP", "reg_group", "Possible-Sessions"]);
        assert_eq!(c.get(Field::Upn), Some(0));
        assert_eq!(c.get(Field::YearGroup), Some(1));
        assert_eq!(c.get(Field::RegGroup), Some(2));
        assert_eq!(c.get(Field::Possible), Some(3));
        assert_eq!(c.header(Field::YearGroup), "YEAR  GROUP");
    }

    #[test]
    fn user_mapping_overrides_synonyms() {
        let headers: Vec<String> = ["Pupil Ref", "Day", "Half", "Register", "Year"]
            .iter()
            .map(|h| (*h).to_owned())
            .collect();
        let mapping = ColumnMapping {
            layout: None,
            columns: vec![
                (Field::Upn, "Pupil Ref".into()),
                (Field::Date, "Day".into()),
                (Field::Session, "half".into()),
                (Field::Mark, "Register".into()),
            ],
        };
        let c = Columns::match_headers(&headers, &mapping);
        assert_eq!(c.detect(), Some(Layout::MarksLong));
        assert_eq!(c.get(Field::Mark), Some(3));
        assert_eq!(c.get(Field::YearGroup), Some(4));
    }

    #[test]
    fn field_names_parse() {
        assert_eq!(Field::parse_name("year_group"), Some(Field::YearGroup));
        assert_eq!(Field::parse_name("UPN"), Some(Field::Upn));
        assert_eq!(Field::parse_name("am_mark"), Some(Field::AmMark));
        assert_eq!(Field::parse_name("nonsense"), None);
    }
}
