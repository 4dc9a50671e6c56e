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
    /// No mark recorded (`-` or empty): not a possible session (the DfE counts only
    /// attendance and absence as possible), counted separately and reported as a
    /// data-quality warning.
    NoMark,
}

impl Category {
    /// Whether the session counts as a possible session: attendance or absence, as the
    /// DfE's published figures add up. Unmarked sessions are not possible sessions.
    #[must_use]
    pub fn is_possible(self) -> bool {
        !matches!(self, Category::NotPossible | Category::NoMark)
    }

    /// Whether the session counts as absence (authorised or unauthorised).
    #[must_use]
    pub fn is_absence(self) -> bool {
        matches!(self, Category::Authorised | Category::Unauthorised)
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
    /// Legacy `H` and `F`.
    HolidayAuthorised,
    /// `E`.
    SuspensionExclusion,
    /// `N`.
    NotYetEstablished,
    /// `O`.
    OtherUnauthorised,
    /// `U`.
    LateAfterClose,
    /// `C`, `C1`, `C2`, `J1`, `S`, `T`, `R`.
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
    "F", "extended family holiday (pre-2024 code)", Authorised, Some(R::HolidayAuthorised), true;
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

/// How a mark in an export was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reading {
    /// A national code (current or pre-2024) as written.
    National,
    /// A SIMS sub-code: a national code followed by two digits (`I01`, `M02`, `X01`).
    SubCode,
    /// A Capita One single-character stand-in (`<` for `C1`, `?` for `J1`, ...).
    CapitaOne,
    /// A SIMS local code of the COVID years (`7`, `=` for `I`; `8`, `9`, `[`, `]` for `Y`).
    SimsCovid,
    /// The LA's own code map (settings, or `--code-map` on the command line).
    CodeMap,
}

impl Reading {
    /// Words for the import warning ("a SIMS sub-code").
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Reading::National => "a national code",
            Reading::SubCode => "a SIMS sub-code",
            Reading::CapitaOne => "a Capita One stand-in",
            Reading::SimsCovid => "a SIMS COVID-era local code",
            Reading::CodeMap => "a local code in the code map",
        }
    }
}

/// Capita One's single-character stand-ins for two-character codes
/// (`shared/domain.md`, "sub-codes and local codes").
const CAPITA_ONE: [(&str, &str); 10] = [
    ("<", "C1"),
    (">", "C2"),
    ("?", "J1"),
    ("$", "Y1"),
    ("a", "Y2"),
    ("%", "Y3"),
    ("`", "Y4"),
    (":", "Y5"),
    ("|", "Y6"),
    ("_", "Y7"),
];

/// SIMS local codes of the COVID years: `7` and `=` meant illness, `8`, `9`, `[` and
/// `]` meant unable to attend (pre-2024 `Y`).
const SIMS_COVID: [(&str, &str); 6] = [
    ("7", "I"),
    ("=", "I"),
    ("8", "Y"),
    ("9", "Y"),
    ("[", "Y"),
    ("]", "Y"),
];

/// Local codes mapped to national codes for one import: the LA's code map for the
/// school, plus any given on the command line. Keys are matched exactly, then ignoring
/// case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeMap {
    entries: Vec<(String, Code)>,
}

impl CodeMap {
    /// A map from (local code, national code) pairs; a later pair for the same local
    /// code replaces an earlier one.
    #[must_use]
    pub fn new(pairs: impl IntoIterator<Item = (String, Code)>) -> CodeMap {
        let mut map = CodeMap::default();
        for (local, code) in pairs {
            map.insert(local, code);
        }
        map
    }

    /// Adds or replaces one local code.
    pub fn insert(&mut self, local: String, code: Code) {
        let local = local.trim().to_owned();
        match self.entries.iter_mut().find(|(l, _)| *l == local) {
            Some(entry) => entry.1 = code,
            None => self.entries.push((local, code)),
        }
    }

    /// The national code a local code stands for.
    #[must_use]
    pub fn get(&self, local: &str) -> Option<Code> {
        self.entries
            .iter()
            .find(|(l, _)| l == local)
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|(l, _)| l.eq_ignore_ascii_case(local))
            })
            .map(|(_, c)| *c)
    }

    /// Whether the map holds nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One entry of the LA's code map as saved in settings: a local code, the national
/// code it stands for, and the school it applies to (all schools when `None`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LocalCode {
    /// The code as the school's register writes it.
    pub local: String,
    /// The national code (as written in the national table, e.g. `I`, `C1`).
    pub national: String,
    /// The school's URN, or `None` for every school.
    #[serde(default)]
    pub school: Option<String>,
}

/// The longest code in a code map.
pub const MAX_LOCAL_CODE_CHARS: usize = 8;

impl LocalCode {
    /// Checks an entry: the local code is short, has no spaces and is not a national
    /// code (those are never remapped); the national code is one.
    ///
    /// # Errors
    /// A sentence naming what is wrong.
    pub fn check(&self) -> Result<Code, String> {
        let local = self.local.trim();
        if local.is_empty() {
            return Err("Code map: the local code is empty".into());
        }
        if local.chars().count() > MAX_LOCAL_CODE_CHARS || local.chars().any(char::is_whitespace) {
            return Err(format!(
                "Code map: a local code is at most {MAX_LOCAL_CODE_CHARS} characters with no spaces"
            ));
        }
        if Code::parse(local).is_ok() {
            return Err(format!(
                "Code map: {local:?} is a national code already and cannot be remapped"
            ));
        }
        Code::parse(&self.national).map_err(|_| {
            format!(
                "Code map: {:?} (for {local:?}) is not a national code",
                self.national.trim()
            )
        })
    }
}

impl Code {
    /// Reads a mark as real registers carry it: a national code (current or pre-2024);
    /// else the LA's code map; else a Capita One stand-in or a SIMS COVID-era local
    /// code; else a SIMS sub-code (a national code followed by digits, the longest such
    /// code winning: `Y11` is `Y1`, `I01` is `I`). Says how the mark was read, so the
    /// import can warn about everything but national codes.
    ///
    /// # Errors
    /// [`UnknownCode`] when none of these applies.
    pub fn read(mark: &str, map: &CodeMap) -> Result<(Code, Reading), UnknownCode> {
        if let Ok(code) = Code::parse(mark) {
            return Ok((code, Reading::National));
        }
        let trimmed = mark.trim();
        if let Some(code) = map.get(trimmed) {
            return Ok((code, Reading::CodeMap));
        }
        let table = |list: &[(&str, &str)]| {
            list.iter()
                .find(|(local, _)| *local == trimmed)
                .and_then(|(_, national)| Code::parse(national).ok())
        };
        if let Some(code) = table(&CAPITA_ONE) {
            return Ok((code, Reading::CapitaOne));
        }
        if let Some(code) = table(&SIMS_COVID) {
            return Ok((code, Reading::SimsCovid));
        }
        if let Some(code) = sub_code(trimmed) {
            return Ok((code, Reading::SubCode));
        }
        Err(UnknownCode(trimmed.to_owned()))
    }
}

/// A national code followed by two digits (`I01`, `C101`), read as that code: SIMS
/// numbers its sub-codes so. Only codes starting with a letter; a single trailing digit
/// (`Q9`) is not a sub-code.
fn sub_code(mark: &str) -> Option<Code> {
    if !mark.is_ascii() || mark.len() < 3 || !mark.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let (head, tail) = mark.split_at(mark.len() - 2);
    if !tail.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Code::parse(head).ok().filter(|c| *c != Code::NO_MARK)
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
    /// Sessions with no mark recorded (not possible sessions).
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
        // Legacy F (extended family holiday) is a holiday, with H.
        assert_eq!(group("F"), Some(ReasonGroup::HolidayAuthorised));
        for m in ["C", "C1", "C2", "J1", "S", "T", "R"] {
            assert_eq!(group(m), Some(ReasonGroup::LeaveOtherAuthorised), "{m}");
        }
        assert_eq!(group("/"), None);
        assert_eq!(group("L"), None);
    }

    fn read(mark: &str) -> Result<(String, Reading), UnknownCode> {
        Code::read(mark, &CodeMap::default()).map(|(c, r)| (c.mark().to_owned(), r))
    }

    #[test]
    fn sims_sub_codes_read_as_their_national_code() {
        for (mark, national) in [
            ("I01", "I"),
            ("M02", "M"),
            ("X01", "X"),
            ("N99", "N"),
            ("C101", "C1"),
            ("Y702", "Y7"),
            ("C12", "C"),
            ("i01", "I"),
        ] {
            assert_eq!(
                read(mark),
                Ok((national.to_owned(), Reading::SubCode)),
                "{mark}"
            );
        }
        for bad in [
            "01", "I0A", "IO1", "Q9X", "A01", "-01", "/01", "Q9", "I1", "I001",
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn capita_one_and_sims_covid_codes_map_as_domain_md_says() {
        for (mark, national) in [
            ("<", "C1"),
            (">", "C2"),
            ("?", "J1"),
            ("$", "Y1"),
            ("a", "Y2"),
            ("%", "Y3"),
            ("`", "Y4"),
            (":", "Y5"),
            ("|", "Y6"),
            ("_", "Y7"),
        ] {
            assert_eq!(
                read(mark),
                Ok((national.to_owned(), Reading::CapitaOne)),
                "{mark}"
            );
        }
        for (mark, national) in [
            ("7", "I"),
            ("=", "I"),
            ("8", "Y"),
            ("9", "Y"),
            ("[", "Y"),
            ("]", "Y"),
        ] {
            assert_eq!(
                read(mark),
                Ok((national.to_owned(), Reading::SimsCovid)),
                "{mark}"
            );
        }
        // National codes are read as themselves, whatever the tables say.
        assert_eq!(read("L"), Ok(("L".to_owned(), Reading::National)));
        assert_eq!(read("A"), Err(UnknownCode("A".into())));
    }

    #[test]
    fn the_code_map_comes_before_the_built_in_tables_but_never_over_national_codes() {
        let i = Code::parse("I").unwrap();
        let b = Code::parse("B").unwrap();
        let map = CodeMap::new([
            ("Q9".to_owned(), i),
            ("7".to_owned(), b),
            ("L".to_owned(), b),
        ]);
        assert_eq!(Code::read("Q9", &map), Ok((i, Reading::CodeMap)));
        assert_eq!(Code::read("q9", &map), Ok((i, Reading::CodeMap)));
        assert_eq!(Code::read("7", &map), Ok((b, Reading::CodeMap)));
        assert_eq!(Code::read("L", &map).unwrap().0.mark(), "L");
        assert!(Code::read("Q8", &map).is_err());
        // A national code followed by two digits is a sub-code, with or without a map.
        assert_eq!(Code::read("Q08", &map).unwrap().1, Reading::SubCode);
    }

    #[test]
    fn code_map_entries_are_checked() {
        let entry = |local: &str, national: &str| LocalCode {
            local: local.into(),
            national: national.into(),
            school: None,
        };
        assert_eq!(entry("Q9", "I").check().unwrap().mark(), "I");
        assert!(entry("", "I").check().unwrap_err().contains("empty"));
        assert!(
            entry("L", "I")
                .check()
                .unwrap_err()
                .contains("national code already")
        );
        assert!(
            entry("Q9", "Q9")
                .check()
                .unwrap_err()
                .contains("not a national code")
        );
        assert!(entry("Q 9", "I").check().is_err());
        assert!(entry("ABCDEFGHI", "I").check().is_err());
    }

    #[test]
    fn session_counts_add_up() {
        let mut counts = SessionCounts::default();
        for m in ["/", "\\", "L", "V", "I", "I", "G", "U", "X", "#", "-"] {
            counts.add(Code::parse(m).unwrap());
        }
        // Possible sessions are attendance + absence: the unmarked `-` is not one.
        assert_eq!(counts.possible, 8);
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
