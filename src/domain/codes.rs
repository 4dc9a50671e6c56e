//! The national attendance and absence codes (from August 2024) and the pre-2024 codes
//! older exports still carry. See `shared/domain.md`, "National attendance and absence
//! codes", and the DfE guidance "Working together to improve school attendance" (2024),
//! annex on the attendance register codes.

use std::fmt;

/// How a mark counts towards a pupil's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Present in school (`/`, `\`, `L`).
    Present,
    /// Attending an approved off-site educational activity (`K`, `V`, `P`, `W`, `B`).
    /// Counts as attendance.
    ApprovedActivity,
    /// Authorised absence.
    Authorised,
    /// Unauthorised absence.
    Unauthorised,
    /// Not a possible session (`X`, `Y1`-`Y7`, `Q`, `Z`, `#`, `D`).
    NotPossible,
    /// No mark recorded (`-` or empty): a possible session, reported as a data-quality
    /// warning, never counted as absence.
    NoMark,
}

impl Category {
    /// Whether the session counts as a possible session.
    #[must_use]
    pub fn is_possible(self) -> bool {
        !matches!(self, Category::NotPossible)
    }

    /// Whether the session counts as absence (authorised or unauthorised).
    #[must_use]
    pub fn is_absence(self) -> bool {
        matches!(self, Category::Authorised | Category::Unauthorised)
    }

    /// Whether the session counts as attendance (present or approved activity).
    #[must_use]
    pub fn is_attendance(self) -> bool {
        matches!(self, Category::Present | Category::ApprovedActivity)
    }

    /// Words for reports and warnings.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Category::Present => "present",
            Category::ApprovedActivity => "present (approved educational activity)",
            Category::Authorised => "authorised absence",
            Category::Unauthorised => "unauthorised absence",
            Category::NotPossible => "not a possible session",
            Category::NoMark => "no mark recorded",
        }
    }
}

/// The reason groups used in trend charts (`shared/domain.md`, "Reason groups").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonGroup {
    /// `I`.
    Illness,
    /// `M`.
    Medical,
    /// `G`.
    HolidayUnauthorised,
    /// Legacy `H`.
    HolidayAuthorised,
    /// `E`.
    SuspensionExclusion,
    /// `N`.
    NotYetEstablished,
    /// `O`.
    OtherUnauthorised,
    /// `U`.
    LateAfterClose,
    /// `C`, `C1`, `C2`, `J1`, `S`, `T`, `R` and legacy `F`.
    LeaveOtherAuthorised,
}

impl ReasonGroup {
    /// Every group, in display order.
    pub const ALL: [ReasonGroup; 9] = [
        ReasonGroup::Illness,
        ReasonGroup::Medical,
        ReasonGroup::HolidayUnauthorised,
        ReasonGroup::HolidayAuthorised,
        ReasonGroup::SuspensionExclusion,
        ReasonGroup::NotYetEstablished,
        ReasonGroup::OtherUnauthorised,
        ReasonGroup::LateAfterClose,
        ReasonGroup::LeaveOtherAuthorised,
    ];

    /// A short label for charts and tables.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ReasonGroup::Illness => "illness",
            ReasonGroup::Medical => "medical",
            ReasonGroup::HolidayUnauthorised => "holiday (unauthorised)",
            ReasonGroup::HolidayAuthorised => "holiday (authorised, legacy)",
            ReasonGroup::SuspensionExclusion => "suspension/exclusion",
            ReasonGroup::NotYetEstablished => "not yet established",
            ReasonGroup::OtherUnauthorised => "other unauthorised",
            ReasonGroup::LateAfterClose => "late after close",
            ReasonGroup::LeaveOtherAuthorised => "leave/other authorised",
        }
    }
}

/// One register code.
///
/// The numeric value (`Code::id`) is stored in the database's compact mark blobs, so the
/// table below is append-only: never reorder or remove an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(u8);

/// Facts about one code.
#[derive(Debug)]
pub struct CodeInfo {
    /// The mark as written in a register.
    pub mark: &'static str,
    /// What it means.
    pub meaning: &'static str,
    /// How it counts.
    pub category: Category,
    /// The reason group for trend charts, if the code is an absence or lateness reason.
    pub reason: Option<ReasonGroup>,
    /// For a pre-2024 code, how it is counted now (the warning text).
    pub legacy: bool,
}

macro_rules! code_table {
    ($( $mark:literal, $meaning:literal, $cat:ident, $reason:expr, $legacy:literal; )*) => {
        /// Every code tsm-desk knows, in storage order (index + 1 is the stored byte).
        pub const CODES: &[CodeInfo] = &[
            $( CodeInfo { mark: $mark, meaning: $meaning, category: Category::$cat, reason: $reason, legacy: $legacy }, )*
        ];
    };
}

use ReasonGroup as R;

code_table! {
    "/", "present (AM)", Present, None, false;
    "\\", "present (PM)", Present, None, false;
    "L", "late, arrived before the register closed", Present, None, false;
    "K", "attending education provision arranged by the local authority", ApprovedActivity, None, false;
    "V", "educational visit or trip", ApprovedActivity, None, false;
    "P", "approved supervised sporting activity", ApprovedActivity, None, false;
    "W", "work experience", ApprovedActivity, None, false;
    "B", "any other approved educational activity", ApprovedActivity, None, false;
    "D", "dual registered, attending the other school", NotPossible, None, false;
    "C1", "leave: regulated performance or employment abroad", Authorised, Some(R::LeaveOtherAuthorised), false;
    "M", "leave: medical or dental appointment", Authorised, Some(R::Medical), false;
    "J1", "leave: interview for employment or another institution", Authorised, Some(R::LeaveOtherAuthorised), false;
    "S", "leave: study for a public examination", Authorised, Some(R::LeaveOtherAuthorised), false;
    "C2", "leave: part-time timetable", Authorised, Some(R::LeaveOtherAuthorised), false;
    "C", "leave: exceptional circumstances", Authorised, Some(R::LeaveOtherAuthorised), false;
    "T", "parent travelling for occupational purposes", Authorised, Some(R::LeaveOtherAuthorised), false;
    "R", "religious observance", Authorised, Some(R::LeaveOtherAuthorised), false;
    "I", "illness", Authorised, Some(R::Illness), false;
    "E", "suspended or permanently excluded, no alternative provision", Authorised, Some(R::SuspensionExclusion), false;
    "G", "holiday not granted by the school", Unauthorised, Some(R::HolidayUnauthorised), false;
    "N", "reason not yet established", Unauthorised, Some(R::NotYetEstablished), false;
    "O", "absent in other or unknown circumstances", Unauthorised, Some(R::OtherUnauthorised), false;
    "U", "arrived after the register closed", Unauthorised, Some(R::LateAfterClose), false;
    "X", "non-compulsory school age, not required to attend", NotPossible, None, false;
    "Q", "unable to attend: lack of access arrangements", NotPossible, None, false;
    "Y1", "unable to attend: transport not available", NotPossible, None, false;
    "Y2", "unable to attend: widespread travel disruption", NotPossible, None, false;
    "Y3", "unable to attend: part of the school premises closed", NotPossible, None, false;
    "Y4", "unable to attend: whole school site unexpectedly closed", NotPossible, None, false;
    "Y5", "unable to attend: in criminal justice detention", NotPossible, None, false;
    "Y6", "unable to attend: public health guidance or law", NotPossible, None, false;
    "Y7", "unable to attend: any other unavoidable cause", NotPossible, None, false;
    "Z", "prospective pupil, not yet on roll", NotPossible, None, false;
    "#", "planned whole-school closure", NotPossible, None, false;
    "-", "no mark recorded", NoMark, None, false;
    "H", "agreed family holiday (pre-2024 code)", Authorised, Some(R::HolidayAuthorised), true;
    "F", "extended family holiday (pre-2024 code)", Authorised, Some(R::LeaveOtherAuthorised), true;
    "J", "interview (pre-2024 code, an approved educational activity)", ApprovedActivity, None, true;
    "Y", "unable to attend due to exceptional circumstances (pre-2024 code)", NotPossible, None, true;
}

/// Why a mark could not be read. The message repeats the mark only when it is as short
/// as a code (three characters at most): a row shifted by a stray comma can put a
/// pupil's name (or a hostile formula) where a mark belongs, and neither is repeated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown attendance code {}", shown_mark(.0))]
pub struct UnknownCode(pub String);

fn shown_mark(mark: &str) -> String {
    if mark.chars().count() <= 3 {
        format!("{mark:?}")
    } else {
        "(the value is not repeated: it may be personal data)".to_owned()
    }
}

impl Code {
    /// The code for "no mark recorded".
    pub const NO_MARK: Code = Code(34);
    /// `/`, present in the morning.
    pub const PRESENT_AM: Code = Code(0);
    /// `\`, present in the afternoon.
    pub const PRESENT_PM: Code = Code(1);

    /// Reads a mark as it appears in an export. Letters are accepted in either case;
    /// `-` and an empty cell mean no mark recorded.
    ///
    /// # Errors
    /// [`UnknownCode`] for anything that is not a current or legacy code.
    pub fn parse(mark: &str) -> Result<Code, UnknownCode> {
        let trimmed = mark.trim();
        if trimmed.is_empty() {
            return Ok(Code::NO_MARK);
        }
        let found = CODES
            .iter()
            .position(|info| info.mark.eq_ignore_ascii_case(trimmed));
        match found.and_then(|i| u8::try_from(i).ok()) {
            Some(i) => Ok(Code(i)),
            None => Err(UnknownCode(trimmed.to_owned())),
        }
    }

    /// The code stored as byte `id` (see [`Code::id`]).
    #[must_use]
    pub fn from_id(id: u8) -> Option<Code> {
        (usize::from(id) < CODES.len()).then_some(Code(id))
    }

    /// The stable number of this code (its place in [`CODES`]).
    #[must_use]
    pub fn id(self) -> u8 {
        self.0
    }

    /// The facts about this code.
    #[must_use]
    pub fn info(self) -> &'static CodeInfo {
        // Codes are only made from valid indexes, so the lookup cannot miss; fall back to
        // "no mark" rather than panic all the same.
        CODES
            .get(usize::from(self.0))
            .unwrap_or(&CODES[usize::from(Code::NO_MARK.0)])
    }

    /// How the code counts.
    #[must_use]
    pub fn category(self) -> Category {
        self.info().category
    }

    /// The mark as written in a register.
    #[must_use]
    pub fn mark(self) -> &'static str {
        self.info().mark
    }

    /// Whether this is a pre-2024 code.
    #[must_use]
    pub fn is_legacy(self) -> bool {
        self.info().legacy
    }

    /// Whether the code is a late mark (`L` before the register closed, `U` after).
    #[must_use]
    pub fn lateness(self) -> Option<Lateness> {
        match self.mark() {
            "L" => Some(Lateness::BeforeClose),
            "U" => Some(Lateness::AfterClose),
            _ => None,
        }
    }

    /// Every code, in storage order.
    pub fn all() -> impl Iterator<Item = Code> {
        (0..CODES.len()).filter_map(|i| u8::try_from(i).ok().map(Code))
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.mark())
    }
}

/// Late marks, counted separately from absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lateness {
    /// `L`: late before the register closed (present).
    BeforeClose,
    /// `U`: late after the register closed (unauthorised absence).
    AfterClose,
}

/// Session counts for one pupil and period, by how each session counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SessionCounts {
    /// Possible sessions.
    pub possible: u32,
    /// Present in school.
    pub present: u32,
    /// Approved educational activity (counts as attendance).
    pub approved: u32,
    /// Authorised absence sessions.
    pub authorised: u32,
    /// Unauthorised absence sessions.
    pub unauthorised: u32,
    /// Possible sessions with no mark recorded.
    pub no_mark: u32,
    /// `L` marks.
    pub late_before_close: u32,
    /// `U` marks.
    pub late_after_close: u32,
}

impl SessionCounts {
    /// Adds one mark.
    pub fn add(&mut self, code: Code) {
        self.add_many(code, 1);
    }

    /// Adds `n` marks of one code.
    pub fn add_many(&mut self, code: Code, n: u32) {
        match code.category() {
            Category::Present => self.present += n,
            Category::ApprovedActivity => self.approved += n,
            Category::Authorised => self.authorised += n,
            Category::Unauthorised => self.unauthorised += n,
            Category::NoMark => self.no_mark += n,
            Category::NotPossible => {}
        }
        if code.category().is_possible() {
            self.possible += n;
        }
        match code.lateness() {
            Some(Lateness::BeforeClose) => self.late_before_close += n,
            Some(Lateness::AfterClose) => self.late_after_close += n,
            None => {}
        }
    }

    /// Totals of marks given as counts per code.
    #[must_use]
    pub fn from_code_totals(totals: &[(Code, u32)]) -> SessionCounts {
        let mut counts = SessionCounts::default();
        for (code, n) in totals {
            counts.add_many(*code, *n);
        }
        counts
    }

    /// Attendance sessions: present plus approved educational activity.
    #[must_use]
    pub fn attendance(&self) -> u32 {
        self.present + self.approved
    }

    /// Absence sessions: authorised plus unauthorised.
    #[must_use]
    pub fn absence(&self) -> u32 {
        self.authorised + self.unauthorised
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_in_the_domain_table_parses_to_its_category() {
        let expected = [
            ("/", Category::Present),
            ("\\", Category::Present),
            ("L", Category::Present),
            ("K", Category::ApprovedActivity),
            ("V", Category::ApprovedActivity),
            ("P", Category::ApprovedActivity),
            ("W", Category::ApprovedActivity),
            ("B", Category::ApprovedActivity),
            ("D", Category::NotPossible),
            ("C1", Category::Authorised),
            ("M", Category::Authorised),
            ("J1", Category::Authorised),
            ("S", Category::Authorised),
            ("C2", Category::Authorised),
            ("C", Category::Authorised),
            ("T", Category::Authorised),
            ("R", Category::Authorised),
            ("I", Category::Authorised),
            ("E", Category::Authorised),
            ("G", Category::Unauthorised),
            ("N", Category::Unauthorised),
            ("O", Category::Unauthorised),
            ("U", Category::Unauthorised),
            ("X", Category::NotPossible),
            ("Q", Category::NotPossible),
            ("Y1", Category::NotPossible),
            ("Y2", Category::NotPossible),
            ("Y3", Category::NotPossible),
            ("Y4", Category::NotPossible),
            ("Y5", Category::NotPossible),
            ("Y6", Category::NotPossible),
            ("Y7", Category::NotPossible),
            ("Z", Category::NotPossible),
            ("#", Category::NotPossible),
            ("-", Category::NoMark),
            ("", Category::NoMark),
            ("  ", Category::NoMark),
        ];
        for (mark, category) in expected {
            let code = Code::parse(mark).unwrap();
            assert_eq!(code.category(), category, "code {mark:?}");
            assert!(!code.is_legacy(), "{mark:?} is current");
        }
    }

    #[test]
    fn legacy_codes_map_as_domain_md_says() {
        let expected = [
            ("H", Category::Authorised),
            ("F", Category::Authorised),
            ("J", Category::ApprovedActivity),
            ("Y", Category::NotPossible),
        ];
        for (mark, category) in expected {
            let code = Code::parse(mark).unwrap();
            assert_eq!(code.category(), category, "code {mark:?}");
            assert!(code.is_legacy(), "{mark:?} is legacy");
        }
    }

    #[test]
    fn codes_are_case_insensitive_and_trimmed() {
        assert_eq!(Code::parse(" c1 ").unwrap().mark(), "C1");
        assert_eq!(Code::parse("l").unwrap().mark(), "L");
    }

    #[test]
    fn unknown_codes_are_errors() {
        for bad in ["A", "Y8", "ZZ", "C3", "//", "?"] {
            assert_eq!(Code::parse(bad), Err(UnknownCode(bad.to_owned())));
            assert!(
                UnknownCode(bad.to_owned())
                    .to_string()
                    .contains(&format!("{bad:?}"))
            );
        }
    }

    #[test]
    fn a_name_in_a_mark_column_is_not_repeated() {
        let err = Code::parse("Xanthippe").unwrap_err().to_string();
        assert!(!err.contains("Xanthippe"), "{err}");
        assert!(err.contains("not repeated"), "{err}");
        // Found by the fuzz run: a formula after a valid-looking first character.
        let err = Code::parse("/´\"-cmd|' /C calc'!A0\"")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("cmd"), "{err}");
    }

    #[test]
    fn ids_round_trip() {
        for code in Code::all() {
            assert_eq!(Code::from_id(code.id()), Some(code));
        }
        assert_eq!(Code::from_id(200), None);
        assert_eq!(Code::NO_MARK.mark(), "-");
        assert_eq!(Code::PRESENT_AM.mark(), "/");
        assert_eq!(Code::PRESENT_PM.mark(), "\\");
    }

    #[test]
    fn reason_groups_follow_domain_md() {
        let group = |m: &str| Code::parse(m).unwrap().info().reason;
        assert_eq!(group("I"), Some(ReasonGroup::Illness));
        assert_eq!(group("M"), Some(ReasonGroup::Medical));
        assert_eq!(group("G"), Some(ReasonGroup::HolidayUnauthorised));
        assert_eq!(group("H"), Some(ReasonGroup::HolidayAuthorised));
        assert_eq!(group("E"), Some(ReasonGroup::SuspensionExclusion));
        assert_eq!(group("N"), Some(ReasonGroup::NotYetEstablished));
        assert_eq!(group("O"), Some(ReasonGroup::OtherUnauthorised));
        assert_eq!(group("U"), Some(ReasonGroup::LateAfterClose));
        for m in ["C", "C1", "C2", "J1", "S", "T", "R", "F"] {
            assert_eq!(group(m), Some(ReasonGroup::LeaveOtherAuthorised), "{m}");
        }
        assert_eq!(group("/"), None);
        assert_eq!(group("L"), None);
    }

    #[test]
    fn session_counts_add_up() {
        let mut counts = SessionCounts::default();
        for m in ["/", "\\", "L", "V", "I", "I", "G", "U", "X", "#", "-"] {
            counts.add(Code::parse(m).unwrap());
        }
        assert_eq!(counts.possible, 9);
        assert_eq!(counts.present, 3);
        assert_eq!(counts.approved, 1);
        assert_eq!(counts.attendance(), 4);
        assert_eq!(counts.authorised, 2);
        assert_eq!(counts.unauthorised, 2);
        assert_eq!(counts.absence(), 4);
        assert_eq!(counts.no_mark, 1);
        assert_eq!(counts.late_before_close, 1);
        assert_eq!(counts.late_after_close, 1);
    }
}
