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
    /// SEN status (`N`, `K`, `E`).
    Sen,
    /// FSM or pupil premium.
    Fsm,
    /// English as an additional language.
    Eal,
    /// Looked after.
    LookedAfter,
    /// Child in need (or on a protection plan, where one column says both).
    ChildInNeed,
    /// Ethnicity.
    Ethnicity,
    /// Possible sessions.
    Possible,
    /// Attendance sessions: present + approved educational activity.
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
    /// Present sessions, not counting approved educational activity.
    Present,
    /// Absence sessions in all (a check on authorised + unauthorised).
    AbsenceTotal,
    /// Sessions with no mark recorded (not possible sessions).
    Unrecorded,
    /// An attendance percentage the file worked out (checked, never used).
    AttendancePercent,
    /// The school's Unique Reference Number (files holding several schools).
    SchoolUrn,
    /// The school's name.
    SchoolName,
    /// The school's phase.
    Phase,
    /// The term the figures are for.
    Term,
    /// The local authority the school is in.
    SchoolLa,
    /// The local authority the pupil lives in.
    HomeLa,
    /// When the pupil joined the school.
    AdmissionDate,
    /// When the pupil left the school.
    LeavingDate,
    /// Of compulsory school age (yes/no/unknown).
    CompulsorySchoolAge,
    /// Previously looked after (yes/no/unknown).
    PreviouslyLookedAfter,
    /// The primary type of special educational need.
    PrimarySenType,
    /// SEN support (yes/no/unknown).
    SenSupport,
    /// Education, health and care plan (yes/no/unknown).
    Ehcp,
    /// Child protection plan (yes/no/unknown).
    ChildProtection,
    /// The file's own persistent-absence flag (compared, never used).
    FilePersistent,
    /// The file's own severe-absence flag (compared, never used).
    FileSevere,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 45] = [
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
        Field::Present,
        Field::AbsenceTotal,
        Field::Unrecorded,
        Field::AttendancePercent,
        Field::SchoolUrn,
        Field::SchoolName,
        Field::Phase,
        Field::Term,
        Field::SchoolLa,
        Field::HomeLa,
        Field::AdmissionDate,
        Field::LeavingDate,
        Field::CompulsorySchoolAge,
        Field::PreviouslyLookedAfter,
        Field::PrimarySenType,
        Field::SenSupport,
        Field::Ehcp,
        Field::ChildProtection,
        Field::FilePersistent,
        Field::FileSevere,
    ];

    /// The header tsm-desk writes and documents for the field.
    #[must_use]
    pub fn label(self) -> &'static str {
        self.synonyms()[0]
    }

    /// Accepted headers, compared after [`normalise`]: the first is the documented name.
    /// The lists hold the names MIS exports (SIMS, Arbor, Bromcom, ...), the DfE weekly
    /// file and the school census give these columns.
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
                "Pupil Forename",
            ],
            Field::Surname => &[
                "Surname",
                "Legal Surname",
                "Last Name",
                "Family Name",
                "Preferred Surname",
                "Pupil Surname",
            ],
            Field::YearGroup => &[
                "Year Group",
                "Year",
                "NC Year",
                "Yr",
                "Curriculum Year",
                "National Curriculum Year",
                "NC Year Actual",
                "Year Code",
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
                "Tutor Group Name",
            ],
            Field::Sex => &["Sex", "Gender", "Gender Code"],
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
                "Ever FSM6 Flag",
                "FSM Flag",
                "Premium Pupil Flag",
                "Pupil Premium Flag",
            ],
            Field::Eal => &[
                "EAL",
                "English as an Additional Language",
                "First Language Not English",
                "English Additional Language",
                "EAL Flag",
            ],
            Field::LookedAfter => &[
                "Looked After",
                "CLA",
                "In LA Care",
                "LAC",
                "Looked After Child",
                "CLA Status",
                "In Care Flag",
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
                "sess_possible",
            ],
            Field::Attendance => &[
                "Attendance Sessions",
                "Attended",
                "Attendance",
                "Sessions Attended",
                "Attendances",
                "Attended Sessions",
                "Total Present + AEA",
                "Present + AEA",
                "Present and AEA",
                "Present Including AEA",
                "Total Attendance",
            ],
            Field::Approved => &[
                "Approved Educational Activity",
                "AEA",
                "Approved Activity",
                "Approved Educational Activities",
                "Approved Educational Activity Sessions",
                "AEA Sessions",
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
                "Authorised Absence Sessions",
                "Authorised Absent Sessions",
                "Total Authorised Absence",
                "sess_authorised",
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
                "Unauthorised Absence Sessions",
                "Unauthorised Absent Sessions",
                "Total Unauthorised Absence",
                "sess_unauthorised",
            ],
            Field::LateBeforeClose => &[
                "Late Before Close",
                "Late",
                "Lates",
                "Late Before Registers Closed",
                "L Marks",
                "Late (L)",
                "Late Sessions",
                "Late Marks",
            ],
            Field::LateAfterClose => &[
                "Late After Close",
                "Late After Registers Closed",
                "U Marks",
                "Late (U)",
            ],
            Field::Date => &["Date", "Session Date", "Attendance Date", "Register Date"],
            Field::Session => &["Session", "AM/PM", "AMPM", "Sess", "Session Name"],
            Field::Mark => &[
                "Mark",
                "Code",
                "Attendance Code",
                "Attendance Mark",
                "Register Mark",
            ],
            Field::AmMark => &["AM Mark", "AM", "Morning", "AM Code"],
            Field::PmMark => &["PM Mark", "PM", "Afternoon", "PM Code"],
            Field::Present => &["Present", "Present Sessions", "Sessions Present"],
            Field::AbsenceTotal => &[
                "Absent Sessions",
                "sess_overall",
                "Overall Absence",
                "Total Absence",
                "Absence Sessions",
            ],
            Field::Unrecorded => &[
                "Total Unrecorded",
                "Unrecorded",
                "Unrecorded Sessions",
                "No Mark",
                "Missing Marks",
            ],
            Field::AttendancePercent => &[
                "Attendance %",
                "Attendance Percent",
                "Attendance Percentage",
                "% Attendance",
                "PresentPercentageWithEA",
                "Present Percentage With EA",
                "Attendance Rate",
                "Overall Attendance %",
            ],
            Field::SchoolUrn => &["unique_reference_number", "URN", "School URN"],
            Field::SchoolName => &["school_name", "School", "Establishment Name"],
            Field::Phase => &["phase", "School Phase", "Education Phase"],
            Field::Term => &["academic_term", "Term"],
            Field::SchoolLa => &["school_local_authority_name", "School LA", "School LA Name"],
            Field::HomeLa => &["home_local_authority_name", "Home LA", "Home LA Name"],
            Field::AdmissionDate => &[
                "admission_date",
                "Date of Admission",
                "Admission",
                "Entry Date",
                "Date of Entry",
            ],
            Field::LeavingDate => &["leaving_date", "Date of Leaving", "Leave Date"],
            Field::CompulsorySchoolAge => &["compulsory_school_age", "CSA"],
            Field::PreviouslyLookedAfter => &[
                "previously_looked_after_child",
                "Previously Looked After",
                "PLAC",
                "PLA",
            ],
            Field::PrimarySenType => &[
                "primary_sen_type",
                "Primary Need",
                "SEN Primary Need",
                "Primary SEN Need",
            ],
            Field::SenSupport => &["sen_support"],
            Field::Ehcp => &[
                "education_health_care_plan",
                "EHCP",
                "EHC Plan",
                "Education Health and Care Plan",
            ],
            Field::ChildProtection => &["child_protection_plan", "CP Plan", "CPP"],
            Field::FilePersistent => &["persistently_absent", "Persistent Absentee", "PA Flag"],
            Field::FileSevere => &["severely_absent", "Severe Absentee", "SA Flag"],
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
/// both become `yeargroup`. A `%` becomes `pct`, so `Attendance %` (a percentage)
/// stays apart from `Attendance` (sessions).
#[must_use]
pub fn normalise(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in header.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c == '%' {
            out.push_str("pct");
        }
    }
    out
}

/// The other names a header may be read by when its whole name matches no field:
/// without its bracketed part (`Approved Educational Activity (AEA)`), then the
/// bracketed part alone (`(AEA)`). A header holding a percentage keeps its brackets.
fn fallbacks(header: &str) -> Vec<String> {
    if header.contains('%') {
        return Vec::new();
    }
    let (Some(open), Some(close)) = (header.find('('), header.rfind(')')) else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    let outside = format!("{}{}", &header[..open], &header[close + 1..]);
    let inside = &header[open + 1..close];
    [normalise(&outside), normalise(inside)]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect()
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
    /// Matches a header row against the fields: the user's mapping first, then the
    /// synonyms on whole headers (the first matching column wins), then the synonyms on
    /// headers' [`fallbacks`] for fields still unmatched, from columns not yet claimed.
    #[must_use]
    pub fn match_headers(headers: &[String], mapping: &ColumnMapping) -> Columns {
        let normalised: Vec<String> = headers.iter().map(|h| normalise(h)).collect();
        let mut index = [None; Field::ALL.len()];
        let user = |field: Field| {
            mapping
                .columns
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, h)| normalise(h))
        };
        for field in Field::ALL {
            let found = match user(field) {
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
        let alternatives: Vec<Vec<String>> = headers.iter().map(|h| fallbacks(h)).collect();
        if alternatives.iter().any(|a| !a.is_empty()) {
            for round in 0..2 {
                for field in Field::ALL {
                    if index[field as usize].is_some() || user(field).is_some() {
                        continue;
                    }
                    let found = field.synonyms().iter().find_map(|syn| {
                        let want = normalise(syn);
                        alternatives.iter().enumerate().position(|(i, alts)| {
                            alts.get(round) == Some(&want) && !index.contains(&Some(i))
                        })
                    });
                    if let Some(i) = found {
                        index[field as usize] = Some(i);
                    }
                }
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

    /// The fields a layout must have that the file lacks: for each requirement not
    /// met, its first field.
    #[must_use]
    pub fn missing_for(&self, layout: Layout) -> Vec<Field> {
        required(layout)
            .iter()
            .filter(|any_of| !any_of.iter().any(|f| self.has(*f)))
            .filter_map(|any_of| any_of.first().copied())
            .collect()
    }

    /// The missing columns of a layout in words, naming the alternatives of each
    /// ("Possible Sessions (or Attendance Sessions, Present)").
    #[must_use]
    pub fn missing_labels(&self, layout: Layout) -> Vec<String> {
        required(layout)
            .iter()
            .filter(|any_of| !any_of.iter().any(|f| self.has(*f)))
            .map(|any_of| match any_of {
                [one] => one.label().to_owned(),
                [first, rest @ ..] => format!(
                    "{} (or {})",
                    first.label(),
                    rest.iter()
                        .map(|f| f.label())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                [] => String::new(),
            })
            .collect()
    }

    /// The layout the headers fit, most specific first; `None` if none fits.
    #[must_use]
    pub fn detect(&self) -> Option<Layout> {
        [
            Layout::MarksLong,
            Layout::MarksWide,
            Layout::DfeWeekly,
            Layout::Summary,
        ]
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
        let summary = if self.has(Field::SchoolUrn) {
            Layout::DfeWeekly
        } else {
            Layout::Summary
        };
        [Layout::MarksLong, Layout::MarksWide, summary]
            .into_iter()
            .min_by_key(|l| self.missing_for(*l).len())
            .unwrap_or(summary)
    }
}

/// Columns that only attendance layouts have.
const ATTENDANCE_FIELDS: [Field; 11] = [
    Field::Possible,
    Field::Attendance,
    Field::Present,
    Field::Authorised,
    Field::Unauthorised,
    Field::AbsenceTotal,
    Field::Mark,
    Field::AmMark,
    Field::PmMark,
    Field::Date,
    Field::Unrecorded,
];

/// Pupil-details fields, read from any layout that has them.
pub const DETAIL_FIELDS: [Field; 21] = [
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
    Field::CompulsorySchoolAge,
    Field::PreviouslyLookedAfter,
    Field::PrimarySenType,
    Field::SenSupport,
    Field::Ehcp,
    Field::ChildProtection,
    Field::AdmissionDate,
    Field::LeavingDate,
    Field::HomeLa,
];

/// The columns a layout cannot do without: each entry is met by any one of its fields.
/// A summary needs its absence columns and at least one of possible, attendance or
/// present sessions (the others are worked out: possible is attendance + absence).
#[must_use]
pub fn required(layout: Layout) -> &'static [&'static [Field]] {
    const SUMMARY_SESSIONS: &[Field] = &[Field::Possible, Field::Attendance, Field::Present];
    match layout {
        Layout::Summary => &[
            &[Field::Upn],
            SUMMARY_SESSIONS,
            &[Field::Authorised],
            &[Field::Unauthorised],
        ],
        Layout::DfeWeekly => &[
            &[Field::Upn],
            &[Field::SchoolUrn],
            SUMMARY_SESSIONS,
            &[Field::Authorised],
            &[Field::Unauthorised],
        ],
        Layout::MarksLong => &[
            &[Field::Upn],
            &[Field::Date],
            &[Field::Session],
            &[Field::Mark],
        ],
        Layout::MarksWide => &[
            &[Field::Upn],
            &[Field::Date],
            &[Field::AmMark],
            &[Field::PmMark],
        ],
        Layout::Details => &[&[Field::Upn]],
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
            vec![Field::Unauthorised]
        );
        assert_eq!(
            cols(&["UPN", "Authorised", "Unauthorised"]).missing_labels(Layout::Summary),
            vec!["Possible Sessions (or Attendance Sessions, Present)".to_owned()]
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
