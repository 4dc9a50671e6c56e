//! Pupils and their characteristics: UPN, year group, sex, SEN status and the flags
//! used in cohort breakdowns.

use chrono::NaiveDate;
use std::fmt;

/// A Unique Pupil Number: a check letter, a 3-digit LA number, a 4-digit establishment
/// number, 2 digits of the year allocated and a 3-character serial (digits, or a final
/// letter for a temporary UPN).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Upn(String);

/// The letters used for UPN check characters (no I, O or S).
const CHECK_LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";

/// Why a UPN was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadUpn {
    /// Not 13 characters of the right kinds.
    #[error("not a UPN (a letter, 11 digits, then a digit or letter)")]
    Format,
}

impl Upn {
    /// Reads a UPN, trimming spaces and upper-casing letters.
    ///
    /// # Errors
    /// [`BadUpn::Format`] when the shape is wrong. A wrong check letter is accepted here
    /// (see [`Upn::check_letter_ok`]) because schools hold such UPNs and a warning serves
    /// them better than a refusal.
    pub fn parse(s: &str) -> Result<Upn, BadUpn> {
        let upn = s.trim().to_ascii_uppercase();
        let bytes = upn.as_bytes();
        let shape_ok = bytes.len() == 13
            && bytes[0].is_ascii_uppercase()
            && bytes[1..12].iter().all(u8::is_ascii_digit)
            && (bytes[12].is_ascii_digit() || CHECK_LETTERS.contains(&bytes[12]));
        if shape_ok {
            Ok(Upn(upn))
        } else {
            Err(BadUpn::Format)
        }
    }

    /// Builds a UPN with a correct check letter from its 12 trailing characters (used by
    /// the sample-data generator).
    #[must_use]
    pub fn with_check_letter(rest: &str) -> Option<Upn> {
        let letter = check_letter(rest.as_bytes())?;
        Upn::parse(&format!("{}{rest}", char::from(letter))).ok()
    }

    /// Whether the first character is the right check letter for the other twelve.
    #[must_use]
    pub fn check_letter_ok(&self) -> bool {
        let bytes = self.0.as_bytes();
        bytes.get(1..).and_then(check_letter) == bytes.first().copied()
    }

    /// The UPN as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The DfE check letter: characters 2-13 weighted 2..=13, summed, modulo 23.
fn check_letter(rest: &[u8]) -> Option<u8> {
    if rest.len() != 12 {
        return None;
    }
    let mut sum = 0usize;
    for (i, &c) in rest.iter().enumerate() {
        let value = if c.is_ascii_digit() {
            usize::from(c - b'0')
        } else {
            // A temporary UPN's final letter counts as its place in the check letters.
            CHECK_LETTERS.iter().position(|&l| l == c)?
        };
        sum += value * (i + 2);
    }
    CHECK_LETTERS.get(sum % 23).copied()
}

impl fmt::Display for Upn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A national curriculum year group, with nursery and reception.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct YearGroup(i8);

/// Why a year group was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a year group (try 7, Y7, Year 7, R, N1)")]
pub struct BadYearGroup(pub String);

impl YearGroup {
    /// Nursery (first year).
    pub const N1: YearGroup = YearGroup(-2);
    /// Nursery (second year).
    pub const N2: YearGroup = YearGroup(-1);
    /// Reception.
    pub const RECEPTION: YearGroup = YearGroup(0);

    /// National curriculum year `n` (1 to 14).
    #[must_use]
    pub fn year(n: i8) -> Option<YearGroup> {
        (1..=14).contains(&n).then_some(YearGroup(n))
    }

    /// The stored number: -2 for N1, -1 for N2, 0 for reception, then 1 to 14.
    #[must_use]
    pub fn number(self) -> i8 {
        self.0
    }

    /// The year group stored as `n` (see [`YearGroup::number`]).
    #[must_use]
    pub fn from_number(n: i8) -> Option<YearGroup> {
        (-2..=14).contains(&n).then_some(YearGroup(n))
    }

    /// Reads `7`, `07`, `Y7`, `Yr 7`, `Year 7`, `R`, `Reception`, `N1`, `N2`, `Nursery`.
    ///
    /// # Errors
    /// [`BadYearGroup`] for anything else.
    pub fn parse(s: &str) -> Result<YearGroup, BadYearGroup> {
        // The common forms without allocating: `7`, `12`, `R`, `N1`, `N2`.
        match s.trim().as_bytes() {
            [d @ b'1'..=b'9'] => return Ok(YearGroup(i8::try_from(d - b'0').unwrap_or(0))),
            [b'1', d @ b'0'..=b'4'] => {
                return Ok(YearGroup(10 + i8::try_from(d - b'0').unwrap_or(0)));
            }
            [b'R' | b'r'] => return Ok(YearGroup::RECEPTION),
            [b'N' | b'n', b'1'] => return Ok(YearGroup::N1),
            [b'N' | b'n', b'2'] => return Ok(YearGroup::N2),
            _ => {}
        }
        let bad = || BadYearGroup(s.trim().to_owned());
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        match compact.as_str() {
            "r" | "rec" | "reception" | "yr" | "yearr" => return Ok(YearGroup::RECEPTION),
            "n1" | "nursery1" => return Ok(YearGroup::N1),
            "n2" | "nursery2" | "n" | "nursery" => return Ok(YearGroup::N2),
            _ => {}
        }
        let digits = compact
            .strip_prefix("year")
            .or_else(|| compact.strip_prefix("yr"))
            .or_else(|| compact.strip_prefix('y'))
            .unwrap_or(&compact);
        let n: i8 = digits.parse().map_err(|_| bad())?;
        YearGroup::year(n).ok_or_else(bad)
    }
}

impl fmt::Display for YearGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            -2 => f.write_str("N1"),
            -1 => f.write_str("N2"),
            0 => f.write_str("R"),
            n => write!(f, "Y{n}"),
        }
    }
}

/// Sex as recorded in the school census.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl Sex {
    /// Reads `F`, `Female`, `Girl`, `M`, `Male`, `Boy`; anything else is unknown.
    #[must_use]
    pub fn parse(s: &str) -> Option<Sex> {
        let s = s.trim();
        let is = |words: &[&str]| words.iter().any(|w| w.eq_ignore_ascii_case(s));
        if is(&["f", "female", "girl"]) {
            Some(Sex::Female)
        } else if is(&["m", "male", "boy"]) {
            Some(Sex::Male)
        } else {
            None
        }
    }

    /// `F` or `M`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
        }
    }
}

/// Special educational needs provision, as in the school census.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum SenStatus {
    /// `N`: no special educational need.
    None,
    /// `K`: SEN support.
    SenSupport,
    /// `E`: education, health and care plan.
    Ehcp,
}

impl SenStatus {
    /// Reads `N`/`K`/`E` and the usual words (`SEN Support`, `EHCP`, `EHC plan`,
    /// `Statement`, `No SEN`).
    #[must_use]
    pub fn parse(s: &str) -> Option<SenStatus> {
        let compact: String = s
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        match compact.as_str() {
            "" | "n" | "none" | "nosen" | "no" => Some(SenStatus::None),
            "k" | "sensupport" | "support" | "senk" => Some(SenStatus::SenSupport),
            "e" | "ehcp" | "ehcplan" | "ehc" | "s" | "statement" => Some(SenStatus::Ehcp),
            _ => None,
        }
    }

    /// `N`, `K` or `E`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            SenStatus::None => "N",
            SenStatus::SenSupport => "K",
            SenStatus::Ehcp => "E",
        }
    }
}

/// Reads a yes/no cell (`Y`, `Yes`, `True`, `1`, `N`, `No`, `False`, `0`, empty = no).
#[must_use]
pub fn parse_yes_no(s: &str) -> Option<bool> {
    let s = s.trim();
    // By length first: this runs for several columns of every row of a county's file.
    let is = |word: &str| s.len() == word.len() && s.eq_ignore_ascii_case(word);
    match s.len() {
        0 => Some(false),
        1 => match s.as_bytes()[0].to_ascii_lowercase() {
            b'y' | b'1' | b't' => Some(true),
            b'n' | b'0' | b'f' => Some(false),
            _ => None,
        },
        _ if is("yes") || is("true") => Some(true),
        _ if is("no") || is("false") => Some(false),
        _ => None,
    }
}

/// Reads a yes/no/unknown cell, as the DfE's flags are written: `Some(Some(true))` for
/// yes, `Some(Some(false))` for no, `Some(None)` for not known (`unknown`, `not known`,
/// `U`; "unknown" is never read as "no"), and `None` for anything else. An empty cell is
/// `empty`.
#[must_use]
pub fn parse_yes_no_unknown(s: &str, empty: Option<bool>) -> Option<Option<bool>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(empty);
    }
    if let Some(yes) = parse_yes_no(s) {
        return Some(Some(yes));
    }
    let is = |word: &str| s.len() == word.len() && s.eq_ignore_ascii_case(word);
    (is("unknown") || is("not known") || is("notknown") || is("u") || is("unk")).then_some(None)
}

/// What an import may say about a pupil. `None` means "not in this file", so a later
/// file never blanks what an earlier one said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PupilDetails {
    /// Legal forename.
    pub forename: Option<String>,
    /// Legal surname.
    pub surname: Option<String>,
    /// Year group.
    pub year_group: Option<YearGroup>,
    /// Registration group.
    pub reg_group: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// SEN status.
    pub sen: Option<SenStatus>,
    /// Eligible for free school meals or pupil premium.
    pub fsm: Option<bool>,
    /// English as an additional language.
    pub eal: Option<bool>,
    /// Looked after (child looked after).
    pub looked_after: Option<bool>,
    /// Child in need or on a child protection plan (has a social worker).
    pub child_in_need: Option<bool>,
    /// Ethnicity code or description.
    pub ethnicity: Option<String>,
    /// Of compulsory school age (5 to 15 at the start of the year): national statistics
    /// count only these pupils.
    pub compulsory_school_age: Option<bool>,
    /// Previously looked after (adopted from care, or left care under a special
    /// guardianship or child arrangements order).
    pub previously_looked_after: Option<bool>,
    /// The primary type of special educational need (`ASD`, `SEMH`, ...).
    pub primary_sen_type: Option<String>,
    /// The date the pupil joined the school.
    pub admission_date: Option<NaiveDate>,
    /// The date the pupil left the school (a leaver's figures up to then stay in the
    /// school's results).
    pub leaving_date: Option<NaiveDate>,
    /// The local authority the pupil lives in.
    pub home_la: Option<String>,
}

impl PupilDetails {
    /// Whether the file said nothing about the pupil.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == PupilDetails::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upns_are_checked() {
        let upn = Upn::with_check_letter("820200125001").unwrap();
        assert!(upn.check_letter_ok());
        assert_eq!(upn.as_str().len(), 13);
        let mut wrong = upn.as_str().to_owned();
        wrong.replace_range(0..1, if wrong.starts_with('A') { "B" } else { "A" });
        let wrong = Upn::parse(&wrong).unwrap();
        assert!(!wrong.check_letter_ok());
        assert_eq!(Upn::parse(" a82020012500 1"), Err(BadUpn::Format));
        assert_eq!(Upn::parse("A8202001250"), Err(BadUpn::Format));
        assert!(Upn::parse("a82020012500A").is_ok());
        assert_eq!(Upn::parse("A82020012500I"), Err(BadUpn::Format));
    }

    #[test]
    fn check_letter_worked_by_hand() {
        // Digits 8,2,0,2,0,0,1,2,5,0,0,1 weighted 2..=13:
        // 16+6+0+10+0+0+8+18+50+0+0+13 = 121; 121 mod 23 = 6 -> 'G'.
        assert_eq!(
            Upn::with_check_letter("820200125001").unwrap().as_str(),
            "G820200125001"
        );
    }

    #[test]
    fn year_groups_parse() {
        for (s, n) in [
            ("7", 7),
            ("07", 7),
            ("Y7", 7),
            ("Yr 7", 7),
            ("Year 7", 7),
            ("year7", 7),
            ("12", 12),
            ("Y14", 14),
        ] {
            assert_eq!(YearGroup::parse(s).unwrap().number(), n, "{s}");
        }
        assert_eq!(YearGroup::parse("R"), Ok(YearGroup::RECEPTION));
        assert_eq!(YearGroup::parse("Reception"), Ok(YearGroup::RECEPTION));
        assert_eq!(YearGroup::parse("N1"), Ok(YearGroup::N1));
        assert_eq!(YearGroup::parse("N2"), Ok(YearGroup::N2));
        for bad in ["0", "15", "Year", "X", "7b", "-1"] {
            assert!(YearGroup::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(YearGroup::year(9).unwrap().to_string(), "Y9");
        assert_eq!(YearGroup::RECEPTION.to_string(), "R");
        assert!(YearGroup::N1 < YearGroup::RECEPTION);
    }

    #[test]
    fn characteristics_parse() {
        assert_eq!(SenStatus::parse("K"), Some(SenStatus::SenSupport));
        assert_eq!(SenStatus::parse("SEN Support"), Some(SenStatus::SenSupport));
        assert_eq!(SenStatus::parse("EHC Plan"), Some(SenStatus::Ehcp));
        assert_eq!(SenStatus::parse(""), Some(SenStatus::None));
        assert_eq!(SenStatus::parse("Q"), None);
        assert_eq!(Sex::parse("female"), Some(Sex::Female));
        assert_eq!(Sex::parse("M"), Some(Sex::Male));
        assert_eq!(parse_yes_no("Yes"), Some(true));
        assert_eq!(parse_yes_no(""), Some(false));
        assert_eq!(parse_yes_no("maybe"), None);
        assert_eq!(parse_yes_no_unknown("yes", None), Some(Some(true)));
        assert_eq!(parse_yes_no_unknown("No", None), Some(Some(false)));
        assert_eq!(parse_yes_no_unknown("unknown", Some(false)), Some(None));
        assert_eq!(parse_yes_no_unknown("", None), Some(None));
        assert_eq!(parse_yes_no_unknown("", Some(false)), Some(Some(false)));
        assert_eq!(parse_yes_no_unknown("perhaps", None), None);
    }
}
