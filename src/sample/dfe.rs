//! The DfE weekly pupil-level attendance file for the sample LA, Sample County: three
//! more invented schools that arrive only this way, one row per pupil enrolment with
//! the term's figures to the day the file runs to, for two weeks of autumn 2026-27.
//!
//! The schools are made like the other three (rosters, then registers on the autumn
//! calendar, so the outbreak, half term and the Monday/Friday pupils are there too) and
//! each pupil's marks up to the file's day are summed into the DfE's columns. The file
//! adds what the DfE's has and MIS exports do not: admission and leaving dates (leavers'
//! figures stop on the day they leave), home local authorities (about 4% live in a
//! neighbouring LA), compulsory school age (nursery and reception pupils under it),
//! yes/no/unknown flags (about 1% unknown), the file's own persistent and severe
//! absence flags worked out on the rounded percentage, as real files are, and one row
//! per file whose possible sessions count a session not yet marked.

use super::calendar::Calendar;
use super::people::{Enrol, Phase, Pupil, SchoolSpec, Shape};
use super::register::{Day, Palette};
use super::rng::Rng;
use super::write::{TextFile, TextStyle};
use super::{SampleError, SampleFile, School, counts};
use crate::domain::{SenStatus, SessionCounts};
use chrono::{Datelike as _, NaiveDate, Weekday};
use std::path::Path;

/// The three schools of the weekly file.
pub(super) const SCHOOLS: [SchoolSpec; 3] = [
    SchoolSpec {
        key: "hawthorn",
        urn: "990404",
        name: "Hawthorn Primary School",
        phase: Phase::Primary,
        seed: 4,
        estab: 2104,
        // A nursery class (N2, 3-year-olds), reception to Year 6, then the Year 6
        // who left in July.
        years: (-1, 6),
        cohort_sizes: &[26, 30, 29, 30, 28, 30, 29, 30, 29],
        fsm_bp: 1800,
        sen_bp: (1200, 200),
        scale: 70,
        severe_bp: 120,
        high_need_bp: 0,
        shape: Shape::DEMO,
    },
    SchoolSpec {
        key: "kingsmead",
        urn: "990505",
        name: "Kingsmead Academy",
        phase: Phase::Secondary,
        seed: 5,
        estab: 4105,
        years: (7, 11),
        cohort_sizes: &[122, 118, 121, 120, 119, 117],
        fsm_bp: 2900,
        sen_bp: (1400, 280),
        scale: 98,
        severe_bp: 120,
        high_need_bp: 0,
        shape: Shape::DEMO,
    },
    SchoolSpec {
        key: "willowbrook",
        urn: "990606",
        name: "Willowbrook Primary School",
        phase: Phase::Primary,
        seed: 6,
        estab: 2106,
        // A nursery for 2- and 3-year-olds (N1, N2), two forms of entry from reception.
        years: (-2, 6),
        cohort_sizes: &[14, 42, 58, 57, 59, 56, 58, 57, 59, 58],
        fsm_bp: 3000,
        sen_bp: (1400, 250),
        scale: 68,
        severe_bp: 140,
        high_need_bp: 0,
        shape: Shape::DEMO,
    },
];

/// The days the two weekly files run to: Friday 13 and Friday 20 November 2026 (the
/// calendar's last day).
pub(super) const WEEKS: [(i32, u32, u32); 2] = [(2026, 11, 13), (2026, 11, 20)];

/// The DfE weekly file's 38 columns, in its order.
const HEADER: [&str; 38] = [
    "academic_term",
    "UPN",
    "DOB",
    "sex",
    "ethnicity",
    "english_additional_language",
    "compulsory_school_age",
    "sen_support",
    "free_school_meals",
    "education_health_care_plan",
    "primary_sen_type",
    "secondary_sen_type",
    "looked_after_child",
    "previously_looked_after_child",
    "child_in_need",
    "child_protection_plan",
    "persistently_absent",
    "severely_absent",
    "unique_reference_number",
    "year_group",
    "school_local_authority_ukprn",
    "school_local_authority_name",
    "home_local_authority_ukprn",
    "home_local_authority_name",
    "learning_provider-ukprn",
    "school_name",
    "phase",
    "pupil_surname",
    "pupil_forename",
    "admission_date",
    "leaving_date",
    "full_days_missed",
    "possible_sessions",
    "absent_sessions",
    "present_sessions",
    "approved_educational_activity_sessions",
    "authorised_absent_sessions",
    "unauthorised_absent_sessions",
];

/// A local authority (invented): its name and UKPRN.
#[derive(Debug, Clone, Copy)]
struct La {
    name: &'static str,
    ukprn: &'static str,
}

/// The sample schools' LA.
const SCHOOL_LA: La = La {
    name: "Sample County",
    ukprn: "10009900",
};

/// The neighbouring LAs some pupils live in, with their weights.
const NEIGHBOURS: [(La, u32); 2] = [
    (
        La {
            name: "Northborough",
            ukprn: "10009901",
        },
        3,
    ),
    (
        La {
            name: "Westvale",
            ukprn: "10009902",
        },
        2,
    ),
];

/// Pupils living in a neighbouring LA, basis points.
const CROSS_BORDER_BP: u32 = 400;
/// Each yes/no flag is `unknown` this often, basis points.
const UNKNOWN_BP: u32 = 100;

/// Primary types of special educational need (school census codes), with weights.
const SEN_TYPES: [(&str, u32); 10] = [
    ("SLCN", 24),
    ("SEMH", 20),
    ("MLD", 12),
    ("ASD", 14),
    ("SPLD", 12),
    ("OTH", 4),
    ("PD", 3),
    ("HI", 2),
    ("VI", 1),
    ("SLD", 2),
];

/// What a weekly file says about a pupil beyond the week's figures: the same in every
/// week's file.
struct Entry<'a> {
    school: &'a School<'a>,
    pupil: &'a Pupil,
    days: &'a [Day],
    enrol: Enrol,
    year_group: String,
    dob: NaiveDate,
    compulsory: bool,
    admission: NaiveDate,
    leaving: Option<NaiveDate>,
    home: La,
    /// English as an additional language, SEN support, FSM, EHC plan, looked after,
    /// previously looked after, child in need, child protection plan.
    flags: [&'static str; 8],
    sen_types: (&'static str, &'static str),
}

/// A date known to be valid (the calendar's and the schools' own).
fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate, SampleError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| SampleError::Invalid(format!("no date {y}-{m:02}-{d:02}")))
}

/// The first weekday on or after `day`.
fn weekday_from(day: NaiveDate) -> NaiveDate {
    day.iter_days()
        .find(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .unwrap_or(day)
}

/// Age in whole years on `on`.
fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let before_birthday = (on.month(), on.day()) < (dob.month(), dob.day());
    on.year() - dob.year() - i32::from(before_birthday)
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The year group as the DfE file writes it: `N1`, `N2`, `R`, then `1` to `14`.
fn year_label(year: i8) -> String {
    match year {
        -2 => "N1".to_owned(),
        -1 => "N2".to_owned(),
        0 => "R".to_owned(),
        y => y.to_string(),
    }
}

impl<'a> Entry<'a> {
    fn new(
        school: &'a School<'a>,
        i: usize,
        late_starter: Option<usize>,
        summer: &Calendar,
        autumn: &Calendar,
    ) -> Result<Option<Entry<'a>>, SampleError> {
        let spec = school.spec;
        let pupil = &school.pupils[i];
        let (Some(enrol), Some(Some(days))) = (pupil.autumn, school.autumn.get(i)) else {
            return Ok(None);
        };
        let mut rng = Rng::stream(&[spec.seed, 7, pupil.seq]);
        // A summer-born child who started reception a year late is 5 on 31 August.
        let dob = if late_starter == Some(i) {
            date(2021, 8, rng.between(1, 31))?
        } else {
            pupil.dob
        };
        let compulsory = (5..=15).contains(&age_on(dob, date(2026, 8, 31)?));
        let lowest = i32::from(spec.years.0);
        let admission = if enrol.first > 0 {
            autumn.days[enrol.first]
        } else {
            match pupil.summer {
                Some(s) if s.first > 0 => summer.days[s.first],
                // On roll since an earlier year: mostly since the school's first year
                // group, some since a later September or part way through a year.
                Some(_) => {
                    let years_here = 2026 - (i32::from(pupil.cohort) - lowest);
                    let years_here = years_here.min(2025);
                    if rng.chance(1200) && years_here < 2025 {
                        let year = rng.between(u32::try_from(years_here + 1).unwrap_or(2025), 2025);
                        let year = i32::try_from(year).unwrap_or(2025);
                        let month = *rng.pick(&[1, 2, 4, 6, 9, 10, 11]);
                        weekday_from(date(year, month, rng.between(3, 24))?)
                    } else {
                        weekday_from(date(years_here, 9, 2)?)
                    }
                }
                None => autumn.days[0],
            }
        };
        let leaving = (enrol.end < autumn.len()).then(|| autumn.days[enrol.end - 1]);
        let home = if rng.chance(CROSS_BORDER_BP) {
            NEIGHBOURS[rng.weighted(&NEIGHBOURS.map(|n| n.1))].0
        } else {
            SCHOOL_LA
        };
        let protection = pupil.child_in_need && rng.chance(3000);
        let previously_looked_after = !pupil.looked_after && rng.chance(80);
        let sen_types = if pupil.sen == SenStatus::None {
            ("", "")
        } else {
            let primary = SEN_TYPES[rng.weighted(&SEN_TYPES.map(|t| t.1))].0;
            let secondary = if pupil.sen == SenStatus::Ehcp && rng.chance(3000) {
                let other = SEN_TYPES[rng.weighted(&SEN_TYPES.map(|t| t.1))].0;
                if other == primary { "" } else { other }
            } else {
                ""
            };
            (primary, secondary)
        };
        let mut flags = [
            yes_no(pupil.eal),
            yes_no(pupil.sen == SenStatus::SenSupport),
            yes_no(pupil.fsm),
            yes_no(pupil.sen == SenStatus::Ehcp),
            yes_no(pupil.looked_after),
            yes_no(previously_looked_after),
            yes_no(pupil.child_in_need),
            yes_no(protection),
        ];
        for flag in &mut flags {
            if rng.chance(UNKNOWN_BP) {
                *flag = "unknown";
            }
        }
        Ok(Some(Entry {
            school,
            pupil,
            days,
            enrol,
            year_group: year_label(pupil.cohort),
            dob,
            compulsory,
            admission,
            leaving,
            home,
            flags,
            sen_types,
        }))
    }

    /// The pupil's row with figures `c` and possible sessions `possible` (above
    /// attendance + absence when a session is not yet marked).
    fn row(&self, c: &SessionCounts, possible: u32) -> Vec<String> {
        let spec = self.school.spec;
        let absent = c.absence();
        // The file's own flags, on the percentage rounded to one decimal place.
        let tenths = if possible == 0 {
            0
        } else {
            (u64::from(absent) * 2000 + u64::from(possible)) / (2 * u64::from(possible))
        };
        let phase = match spec.phase {
            Phase::Primary => "Primary",
            Phase::Secondary => "Secondary",
            Phase::Special => "Special",
        };
        let [eal, sen_support, fsm, ehcp, lac, plac, cin, cpp] = self.flags;
        let p = self.pupil;
        let cells: [&str; 38] = [
            "2026/27 Autumn term",
            p.upn.as_str(),
            &self.dob.to_string(),
            p.sex.code(),
            p.ethnicity,
            eal,
            yes_no(self.compulsory),
            sen_support,
            fsm,
            ehcp,
            self.sen_types.0,
            self.sen_types.1,
            lac,
            plac,
            cin,
            cpp,
            yes_no(tenths >= 100),
            yes_no(tenths >= 500),
            spec.urn,
            &self.year_group,
            SCHOOL_LA.ukprn,
            SCHOOL_LA.name,
            self.home.ukprn,
            self.home.name,
            &format!("10{}", spec.urn),
            spec.name,
            phase,
            p.surname,
            p.forename,
            &self.admission.to_string(),
            &self.leaving.map(|d| d.to_string()).unwrap_or_default(),
            &format!("{}.{}", absent / 2, absent % 2 * 5),
            &possible.to_string(),
            &absent.to_string(),
            &c.present.to_string(),
            &c.approved.to_string(),
            &c.authorised.to_string(),
            &c.unauthorised.to_string(),
        ];
        cells.iter().map(|c| (*c).to_owned()).collect()
    }
}

/// Writes the two weekly files for `schools` (built from [`SCHOOLS`]) into `dir`.
///
/// # Errors
/// [`SampleError`] if a file cannot be written.
pub(super) fn write_weekly(
    dir: &Path,
    schools: &[School<'_>],
    summer: &Calendar,
    autumn: &Calendar,
    pal: &Palette,
) -> Result<Vec<SampleFile>, SampleError> {
    let mut entries = Vec::new();
    for school in schools {
        // One summer-born reception pupil at each primary started school a year late.
        let late_starter = if school.spec.phase == Phase::Primary {
            let reception: Vec<usize> = (0..school.pupils.len())
                .filter(|&i| {
                    let p = &school.pupils[i];
                    p.cohort == 0 && p.autumn == Some(Enrol::full(autumn.len()))
                })
                .collect();
            let mut rng = Rng::stream(&[school.spec.seed, 8]);
            (!reception.is_empty()).then(|| reception[rng.index(reception.len())])
        } else {
            None
        };
        for i in school.order() {
            if let Some(entry) = Entry::new(school, i, late_starter, summer, autumn)? {
                entries.push(entry);
            }
        }
    }
    let mut files = Vec::with_capacity(WEEKS.len());
    for (week, &(y, m, d)) in (0u64..).zip(&WEEKS) {
        let as_of = date(y, m, d)?;
        let last = autumn
            .index_of(as_of)
            .ok_or_else(|| SampleError::Invalid(format!("{as_of} is not a school day")))?;
        let on_roll: Vec<&Entry<'_>> = entries.iter().filter(|e| e.enrol.first <= last).collect();
        // One pupil's Friday afternoon is not yet marked when the file is made.
        let pm = |e: &Entry<'_>| e.days.get(last).copied().flatten().map(|day| day[1]);
        let open: Vec<usize> = (0..on_roll.len())
            .filter(|&i| pm(on_roll[i]).is_some_and(|code| pal.is_free(code)))
            .collect();
        let mut rng = Rng::stream(&[40, week]);
        let unmarked = (!open.is_empty()).then(|| open[rng.index(open.len())]);
        let path = dir.join(format!("dfe_weekly_{as_of}.csv"));
        let mut file = TextFile::new(&path, &TextStyle::plain(), &HEADER)?;
        for (i, e) in on_roll.iter().enumerate() {
            let end = (last + 1).min(e.days.len());
            let mut c = counts(&e.days[..end]);
            let possible = c.possible;
            if unmarked == Some(i) {
                c.present = c.present.saturating_sub(1);
            }
            file.row(e.row(&c, possible))?;
        }
        file.save()?;
        files.push(SampleFile {
            path,
            urn: String::new(),
            school_name: String::new(),
            phase: String::new(),
            term: None,
            as_of: Some(as_of),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_and_year_labels() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(age_on(d(2021, 8, 31), d(2026, 8, 31)), 5);
        assert_eq!(age_on(d(2021, 9, 1), d(2026, 8, 31)), 4);
        assert_eq!(age_on(d(2010, 9, 1), d(2026, 8, 31)), 15);
        assert_eq!(year_label(-2), "N1");
        assert_eq!(year_label(-1), "N2");
        assert_eq!(year_label(0), "R");
        assert_eq!(year_label(11), "11");
        assert_eq!(weekday_from(d(2024, 9, 1)), d(2024, 9, 2));
        assert_eq!(HEADER.len(), 38);
    }
}
