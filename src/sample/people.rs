//! Invented pupils: names drawn from lists of common given names and surnames (no real
//! person's data), characteristics in realistic proportions, UPNs with valid check
//! letters, and each pupil's enrolment in the two sample periods.

use super::SampleError;
use super::rng::Rng;
use crate::domain::{SenStatus, Sex, Upn};
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;

/// Given names and surnames that go together.
struct NamePool {
    female: &'static [&'static str],
    male: &'static [&'static str],
    surnames: &'static [&'static str],
}

const BRITISH: NamePool = NamePool {
    female: &[
        "Amelia", "Olivia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Florence", "Grace",
        "Sophia", "Emily", "Zoë", "Evie", "Ruby", "Poppy", "Daisy", "Ella", "Niamh", "Siobhán",
        "Renée", "Hannah", "Megan", "Erin", "Phoebe", "Chloé", "Rosie", "Holly",
    ],
    male: &[
        "Oliver", "Noah", "George", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry", "Jack",
        "Theo", "Freddie", "Alfie", "Charlie", "Jacob", "Thomas", "Joshua", "Seán", "Rory",
        "Reuben", "Finley", "Tyler", "Mason", "Logan", "Ethan", "Callum", "Lewis", "Dylan",
    ],
    surnames: &[
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Robinson",
        "Wright",
        "Thompson",
        "Evans",
        "Walker",
        "White",
        "Roberts",
        "Green",
        "Hall",
        "Wood",
        "Jackson",
        "Hughes",
        "Edwards",
        "O'Neill",
        "O'Brien",
        "Murphy",
        "Kelly",
        "Turner",
        "Bennett",
        "Parker",
        "Cooper",
        "Ward",
        "Lloyd-Jones",
        "Harris",
        "Clarke",
        "Lewis",
        "Mitchell",
        "Price",
        "Shaw",
        "Marshall",
        "Fletcher",
        "McCarthy",
    ],
};

const EUROPEAN: NamePool = NamePool {
    female: &[
        "Zuzanna", "Maja", "Julia", "Alicja", "Ana", "Maria", "Sofia", "Noémie", "Chloé", "Elena",
        "Léa", "Inês",
    ],
    male: &[
        "Jakub", "Filip", "Antoni", "Mateus", "Tomás", "José", "Andrei", "Luca", "Matteo",
        "Stefan", "João", "Adrián",
    ],
    surnames: &[
        "Nowak",
        "Kowalski",
        "Popescu",
        "Silva",
        "Santos",
        "Ferreira",
        "Kowalczyk",
        "Horvat",
        "Rossi",
        "Pereira",
        "Ionescu",
        "García",
        "Wójcik",
    ],
};

const SOUTH_ASIAN: NamePool = NamePool {
    female: &[
        "Aisha", "Maryam", "Fatima", "Amira", "Anaya", "Priya", "Zainab", "Hafsa", "Inaya",
        "Aleena", "Simran", "Khadija",
    ],
    male: &[
        "Muhammad", "Ibrahim", "Yusuf", "Arjun", "Rohan", "Dev", "Zayn", "Ayaan", "Hamza",
        "Rayyan", "Aryan", "Idris",
    ],
    surnames: &[
        "Khan",
        "Ahmed",
        "Hussain",
        "Ali",
        "Begum",
        "Patel",
        "Singh",
        "Kaur",
        "Shah",
        "Iqbal",
        "Rahman",
        "Chowdhury",
        "Sharma",
        "Mahmood",
    ],
};

const BLACK: NamePool = NamePool {
    female: &[
        "Amara", "Precious", "Favour", "Adaeze", "Nia", "Imani", "Kemi", "Abena", "Tiana",
        "Esther", "Deborah", "Zara",
    ],
    male: &[
        "Kwame", "Tobi", "David", "Samuel", "Emmanuel", "Daniel", "Kofi", "Jayden", "Malachi",
        "Joel", "Elijah", "Kayden",
    ],
    surnames: &[
        "Okafor", "Mensah", "Adeyemi", "Osei", "Campbell", "Williams", "Brown", "Thomas", "Clarke",
        "Boateng", "Asante", "Okoro", "Richards",
    ],
};

const EAST_ASIAN: NamePool = NamePool {
    female: &["Mei", "Lily", "Yu", "Grace", "Chloe", "Hannah", "Joy"],
    male: &["Jun", "Hao", "Ethan", "Leo", "Ryan", "Lucas", "Kai"],
    surnames: &["Chen", "Wang", "Li", "Zhang", "Wong", "Lin", "Liu", "Huang"],
};

const POOLS: [&NamePool; 5] = [&BRITISH, &EUROPEAN, &SOUTH_ASIAN, &BLACK, &EAST_ASIAN];

/// Ethnicity codes (school census) with their weights out of 10,000, the name pool
/// they mostly draw from, and how often such pupils have English as an additional
/// language (basis points).
const ETHNICITIES: [(&str, u32, usize, u32); 17] = [
    ("WBRI", 6100, 0, 150),
    ("WIRI", 100, 0, 300),
    ("WOTH", 700, 1, 7500),
    ("MWBC", 350, 3, 500),
    ("MWBA", 100, 3, 2500),
    ("MWAS", 150, 2, 3000),
    ("MOTH", 200, 0, 2500),
    ("AIND", 350, 2, 6000),
    ("APKN", 500, 2, 6000),
    ("ABAN", 200, 2, 7000),
    ("AOTH", 150, 2, 7000),
    ("BAFR", 500, 3, 5500),
    ("BCRB", 200, 3, 300),
    ("BOTH", 50, 3, 3000),
    ("CHNE", 100, 4, 6500),
    ("OOTH", 100, 1, 6000),
    ("REFU", 150, 0, 1500),
];

/// The kind of school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Reception to Year 6.
    Primary,
    /// Years 7 to 11.
    Secondary,
    /// All ages, pupils with EHC plans.
    Special,
}

impl Phase {
    /// The phase as stored with the school.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Phase::Primary => "primary",
            Phase::Secondary => "secondary",
            Phase::Special => "special",
        }
    }
}

/// One sample school.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SchoolSpec {
    /// Short name used in file names.
    pub(crate) key: &'static str,
    /// URN.
    pub(crate) urn: &'static str,
    /// Name.
    pub(crate) name: &'static str,
    /// Phase.
    pub(crate) phase: Phase,
    /// The school's number in the stream of random numbers.
    pub(crate) seed: u64,
    /// Establishment number (the DfE number's last four digits).
    pub(crate) estab: u32,
    /// Year groups on roll in 2026-27 (inclusive).
    pub(crate) years: (i8, i8),
    /// Pupils per year group, from the lowest year group; the last entry is the year
    /// that left in July 2026.
    pub(crate) cohort_sizes: &'static [u32],
    /// FSM eligibility, basis points.
    pub(crate) fsm_bp: u32,
    /// SEN support (`K`) and EHC plan (`E`), basis points.
    pub(crate) sen_bp: (u32, u32),
    /// Absence propensity scale, percent.
    pub(crate) scale: u32,
    /// Chance of severe absence before multipliers, basis points.
    pub(crate) severe_bp: u32,
    /// Chance of long medical absence, basis points.
    pub(crate) high_need_bp: u32,
    /// How absence moves across the two terms.
    pub(crate) shape: Shape,
}

/// How a school's absence moves across the two terms: the demo data's story, or
/// another one for the held-out data the at-risk defaults are checked on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// Pupils whose absence rises, per thousand.
    pub(crate) rising_per_1000: usize,
    /// Whether rising pupils start rising in the last weeks of summer (the demo's start
    /// in autumn).
    pub(crate) rising_from_summer: bool,
    /// Whether an illness outbreak hits every phase (the demo's hits primaries only).
    pub(crate) outbreak_everywhere: bool,
}

impl Shape {
    /// The demo data's story.
    pub(crate) const DEMO: Shape = Shape {
        rising_per_1000: 30,
        rising_from_summer: false,
        outbreak_everywhere: false,
    };
}

/// The local authority number of the sample schools (fictional).
pub(crate) const LA: u32 = 990;

/// How a pupil's absence behaves across the two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Absence drawn from the pupil's propensity each term.
    Typical,
    /// Absent half the time or more.
    Severe,
    /// Severe absence starting this autumn.
    SevereAutumn,
    /// Long spells of illness and medical absence (at the special school): 25-50%.
    HighNeed,
    /// Little absence in summer, much more in autumn, most of it recent.
    Rising,
    /// Persistently absent in summer, improved to 5-9% in autumn.
    WasPa,
    /// Absences fall mostly on Mondays and Fridays.
    MondayFriday,
    /// On a part-time timetable (`C2`) for part of each term.
    PartTime,
}

/// The days a pupil is on roll in one period: calendar indexes `first..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Enrol {
    /// The first day on roll.
    pub(crate) first: usize,
    /// One past the last day on roll.
    pub(crate) end: usize,
    /// Whether the register shows `Z` (prospective pupil) before `first`.
    pub(crate) z_before: bool,
}

impl Enrol {
    /// On roll for the whole of a period of `n` days.
    pub(crate) fn full(n: usize) -> Enrol {
        Enrol {
            first: 0,
            end: n,
            z_before: false,
        }
    }
}

/// One invented pupil.
#[derive(Debug, Clone)]
pub(crate) struct Pupil {
    /// A number unique within the school, for random streams.
    pub(crate) seq: u64,
    /// UPN.
    pub(crate) upn: Upn,
    /// Legal forename.
    pub(crate) forename: &'static str,
    /// Legal surname.
    pub(crate) surname: &'static str,
    /// Sex.
    pub(crate) sex: Sex,
    /// Date of birth.
    pub(crate) dob: NaiveDate,
    /// SEN status.
    pub(crate) sen: SenStatus,
    /// FSM eligible.
    pub(crate) fsm: bool,
    /// English as an additional language.
    pub(crate) eal: bool,
    /// Looked after.
    pub(crate) looked_after: bool,
    /// Child in need or on a protection plan.
    pub(crate) child_in_need: bool,
    /// Ethnicity code.
    pub(crate) ethnicity: &'static str,
    /// Year group in 2026-27 (one more than in 2025-26; past the top year for leavers).
    pub(crate) cohort: i8,
    /// Registration group in 2026-27.
    pub(crate) reg_group: String,
    /// Absence behaviour.
    pub(crate) profile: Profile,
    /// Absence propensity, basis points, before the term's variation.
    pub(crate) propensity_bp: u32,
    /// Chance of arriving late (before the register closes) per morning, basis points.
    pub(crate) late_bp: u32,
    /// Attends LA-arranged alternative provision (`K`) on Wednesdays.
    pub(crate) alternative_provision: bool,
    /// Attends a college link course (`B`) on Fridays.
    pub(crate) college_link: bool,
    /// Enrolment in 2025-26 summer.
    pub(crate) summer: Option<Enrol>,
    /// Enrolment in 2026-27 autumn.
    pub(crate) autumn: Option<Enrol>,
}

impl Pupil {
    /// The multiplier (percent) that characteristics put on a pupil's absence
    /// propensity. Term events (holidays, trips) come on top and dilute it, so the
    /// measured ratios come out near FSM 1.8x, SEN support 1.4x, EHC plan 1.7x and
    /// child in need 2x.
    pub(crate) fn multiplier(&self) -> u32 {
        let fsm = if self.fsm { 210 } else { 100 };
        let sen = match self.sen {
            SenStatus::None => 100,
            SenStatus::SenSupport => 150,
            SenStatus::Ehcp => 185,
        };
        let cin = if self.child_in_need { 220 } else { 100 };
        fsm * sen / 100 * cin / 100
    }
}

/// Hands out UPNs, unique across the whole sample, with valid check letters.
#[derive(Debug, Default)]
pub(crate) struct UpnAllocator {
    next: BTreeMap<(u32, u32, u32), u32>,
}

impl UpnAllocator {
    /// The next UPN allocated by establishment `estab` of LA `la` in year `yy`.
    ///
    /// # Errors
    /// [`SampleError::Invalid`] if the serials run out.
    pub(crate) fn next(&mut self, la: u32, estab: u32, yy: u32) -> Result<Upn, SampleError> {
        let serial = self.next.entry((la, estab, yy)).or_insert(1);
        if *serial > 999 {
            return Err(SampleError::Invalid(format!(
                "UPN serials exhausted for {la:03}{estab:04}{yy:02}"
            )));
        }
        let rest = format!("{la:03}{estab:04}{yy:02}{:03}", *serial);
        *serial += 1;
        Upn::with_check_letter(&rest)
            .ok_or_else(|| SampleError::Invalid(format!("cannot make a UPN from {rest}")))
    }
}

/// A piecewise-linear table of absence rates (basis points) at the 0th, 10th, ...,
/// 100th percentile of pupils, before characteristics and school.
const PROPENSITY: [u32; 11] = [0, 30, 80, 140, 210, 290, 390, 520, 720, 1100, 3000];

/// An absence propensity (basis points) drawn from [`PROPENSITY`].
pub(crate) fn draw_propensity(rng: &mut Rng) -> u32 {
    propensity_at(rng.below(1000))
}

/// The absence propensity (basis points) at `u` thousandths of the way through the
/// pupils (see [`PROPENSITY`]).
fn propensity_at(u: u32) -> u32 {
    let u = u.min(999);
    let seg = (u / 100) as usize;
    let frac = u % 100;
    let lo = PROPENSITY[seg];
    let hi = PROPENSITY[(seg + 1).min(10)];
    lo + (hi - lo) * frac / 100
}

/// A chance of being late each morning (basis points).
pub(crate) fn draw_lateness(rng: &mut Rng, phase: Phase) -> u32 {
    let u = rng.below(100);
    let bump = if phase == Phase::Secondary { 60 } else { 0 };
    if u < 62 {
        rng.below(60) + bump / 2
    } else if u < 93 {
        rng.between(150, 700) + bump
    } else {
        rng.between(1200, 3000)
    }
}

/// Registration group for a pupil in year group `year` (2026-27).
fn reg_group(phase: Phase, year: i8, rng: &mut Rng) -> String {
    match phase {
        Phase::Primary => {
            const CLASSES: [[&str; 2]; 7] = [
                ["Acorn", "Conker"],
                ["Ash", "Beech"],
                ["Birch", "Cedar"],
                ["Elm", "Hazel"],
                ["Holly", "Larch"],
                ["Maple", "Oak"],
                ["Rowan", "Willow"],
            ];
            let year = usize::try_from(year).unwrap_or(0).min(6);
            (*rng.pick(&CLASSES[year])).to_owned()
        }
        Phase::Secondary => {
            let form = *rng.pick(&['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
            format!("{year}{form}")
        }
        Phase::Special => {
            const CLASSES: [&str; 7] = [
                "Wren", "Robin", "Finch", "Kestrel", "Heron", "Osprey", "Swift",
            ];
            let i = usize::try_from((year - 1) / 2).unwrap_or(0).min(6);
            CLASSES[i].to_owned()
        }
    }
}

/// What happens to a pupil around the two periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// On roll throughout.
    Stays,
    /// Left part way through the summer term.
    LeavesInSummer,
    /// Left over the summer holiday.
    LeavesAfterSummer,
    /// Joined part way through the summer term.
    JoinsInSummer,
    /// Joined in September (from another school).
    JoinsInSeptember,
    /// Joined part way through the autumn term.
    JoinsInAutumn,
    /// Left part way through the autumn term.
    LeavesInAutumn,
}

/// How often each fate happens to a pupil in a year group present in both periods
/// (weights out of 10,000).
const FATES: [(Fate, u32); 7] = [
    (Fate::LeavesInSummer, 150),
    (Fate::LeavesAfterSummer, 250),
    (Fate::JoinsInSummer, 150),
    (Fate::JoinsInSeptember, 200),
    (Fate::JoinsInAutumn, 150),
    (Fate::LeavesInAutumn, 100),
    (Fate::Stays, 9000),
];

/// The numbers needed to place pupils in the two sample periods.
pub(crate) struct Terms {
    /// School days in summer.
    pub(crate) summer_days: usize,
    /// School days in autumn.
    pub(crate) autumn_days: usize,
    /// The summer day index after which secondary Year 11 leave (exclusive end).
    pub(crate) year_11_end: usize,
}

/// Invents a school's pupils: every pupil on roll at any time in either period.
///
/// # Errors
/// [`SampleError::Invalid`] if a UPN cannot be made.
pub(crate) fn roster(
    spec: &SchoolSpec,
    terms: &Terms,
    upns: &mut UpnAllocator,
) -> Result<Vec<Pupil>, SampleError> {
    let mut rng = Rng::stream(&[spec.seed, 1]);
    let mut pupils = Vec::new();
    let (lo, hi) = spec.years;
    for (offset, &size) in spec.cohort_sizes.iter().enumerate() {
        let cohort = lo + i8::try_from(offset).unwrap_or(0);
        for _ in 0..size {
            let fate = if cohort == lo {
                Fate::JoinsInSeptember
            } else if cohort > hi {
                Fate::Stays
            } else {
                FATES[rng.weighted(&FATES.map(|f| f.1))].0
            };
            let seq = u64::try_from(pupils.len()).unwrap_or(0);
            let pupil = invent(spec, terms, cohort, fate, seq, &mut rng, upns)?;
            pupils.push(pupil);
        }
    }
    stratify(&mut pupils, &mut rng);
    assign_profiles(spec, terms, &mut pupils);
    Ok(pupils)
}

/// Gives pupils their absence propensities by stratified sampling, separately for each
/// combination of FSM, SEN and social worker: each group covers the whole
/// [`PROPENSITY`] table evenly, in random order, so a school's figures (and the gaps
/// between groups) do not hang on a few lucky draws.
fn stratify(pupils: &mut [Pupil], rng: &mut Rng) {
    let key = |p: &Pupil| (p.fsm, p.sen, p.child_in_need);
    let mut keys: Vec<_> = pupils.iter().map(key).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let mut group: Vec<usize> = (0..pupils.len())
            .filter(|&i| key(&pupils[i]) == k)
            .collect();
        rng.shuffle(&mut group);
        let n = u64::try_from(group.len()).unwrap_or(1).max(1);
        for (k, &i) in (0u64..).zip(&group) {
            let u = (k * 1000 + u64::from(rng.below(1000))) / n;
            pupils[i].propensity_bp = propensity_at(u32::try_from(u).unwrap_or(999));
        }
    }
}

fn invent(
    spec: &SchoolSpec,
    terms: &Terms,
    cohort: i8,
    fate: Fate,
    seq: u64,
    rng: &mut Rng,
    upns: &mut UpnAllocator,
) -> Result<Pupil, SampleError> {
    let (_, hi) = spec.years;
    let sex = if rng.chance(5000) {
        Sex::Female
    } else {
        Sex::Male
    };
    // Born between 1 September and 31 August, in the school year that makes the pupil
    // year group `cohort` in 2026-27 (Y7 in 2026-27: born 1 Sep 2014 to 31 Aug 2015).
    let birth_year = 2026 - i32::from(cohort) - 5;
    let start = NaiveDate::from_ymd_opt(birth_year, 9, 1)
        .ok_or_else(|| SampleError::Invalid(format!("no 1 September {birth_year}")))?;
    let year_len = NaiveDate::from_ymd_opt(birth_year + 1, 9, 1)
        .map_or(365, |end| end.signed_duration_since(start).num_days());
    let dob = start + Days::new(u64::from(rng.below(u32::try_from(year_len).unwrap_or(365))));

    let weights: Vec<u32> = ETHNICITIES.iter().map(|e| e.1).collect();
    let (ethnicity, _, pool_index, eal_bp) = ETHNICITIES[rng.weighted(&weights)];
    let pool = if rng.chance(8500) {
        POOLS[pool_index]
    } else {
        *rng.pick(&POOLS)
    };
    let forename = *rng.pick(if sex == Sex::Female {
        pool.female
    } else {
        pool.male
    });
    let surname = *rng.pick(pool.surnames);

    let sen = {
        let u = rng.below(10_000);
        if u < spec.sen_bp.1 {
            SenStatus::Ehcp
        } else if u < spec.sen_bp.1 + spec.sen_bp.0 {
            SenStatus::SenSupport
        } else {
            SenStatus::None
        }
    };
    let looked_after = rng.chance(100);
    let child_in_need = !looked_after && rng.chance(300);

    // UPNs are allocated by the school where the pupil started reception, mostly one
    // of the LA's primaries; pupils who moved in came from another LA.
    let reception_year = 2026 - i32::from(cohort);
    let yy = u32::try_from(reception_year.rem_euclid(100)).unwrap_or(0);
    let moved_in = matches!(fate, Fate::JoinsInSummer | Fate::JoinsInAutumn);
    let (la, estab) = if moved_in {
        (LA + 1, 2200 + rng.below(40))
    } else {
        match spec.phase {
            Phase::Primary => (LA, spec.estab),
            Phase::Secondary | Phase::Special => (LA, 2101 + rng.below(18)),
        }
    };
    let upn = upns.next(la, estab, yy)?;

    let (summer, autumn) = enrolment(spec, terms, cohort, fate, rng);
    let pupil = Pupil {
        seq,
        upn,
        forename,
        surname,
        sex,
        dob,
        sen,
        fsm: rng.chance(spec.fsm_bp),
        eal: rng.chance(eal_bp),
        looked_after,
        child_in_need,
        ethnicity,
        cohort,
        reg_group: reg_group(spec.phase, cohort.min(hi), rng),
        profile: Profile::Typical,
        propensity_bp: draw_propensity(rng),
        late_bp: draw_lateness(rng, spec.phase),
        alternative_provision: spec.phase == Phase::Secondary && cohort >= 9 && rng.chance(150),
        college_link: spec.phase == Phase::Special && cohort >= 12 && rng.chance(5000),
        summer,
        autumn,
    };
    Ok(pupil)
}

fn enrolment(
    spec: &SchoolSpec,
    terms: &Terms,
    cohort: i8,
    fate: Fate,
    rng: &mut Rng,
) -> (Option<Enrol>, Option<Enrol>) {
    let (s, a) = (terms.summer_days, terms.autumn_days);
    let summer_full = if spec.phase == Phase::Secondary && cohort > spec.years.1 {
        Enrol {
            first: 0,
            end: terms.year_11_end,
            z_before: false,
        }
    } else {
        Enrol::full(s)
    };
    let part = |rng: &mut Rng, n: usize| rng.index(n.saturating_sub(20)) + 10;
    match fate {
        Fate::Stays if cohort > spec.years.1 => (Some(summer_full), None),
        Fate::Stays => (Some(summer_full), Some(Enrol::full(a))),
        Fate::LeavesInSummer => {
            let end = part(rng, s);
            (
                Some(Enrol {
                    first: 0,
                    end,
                    z_before: false,
                }),
                None,
            )
        }
        Fate::LeavesAfterSummer => (Some(summer_full), None),
        Fate::JoinsInSummer => {
            let first = part(rng, s);
            (
                Some(Enrol {
                    first,
                    end: s,
                    z_before: rng.chance(5000),
                }),
                Some(Enrol::full(a)),
            )
        }
        Fate::JoinsInSeptember => (None, Some(Enrol::full(a))),
        Fate::JoinsInAutumn => {
            let first = part(rng, a);
            (
                None,
                Some(Enrol {
                    first,
                    end: a,
                    z_before: rng.chance(5000),
                }),
            )
        }
        Fate::LeavesInAutumn => {
            let end = part(rng, a);
            (
                Some(summer_full),
                Some(Enrol {
                    first: 0,
                    end,
                    z_before: false,
                }),
            )
        }
    }
}

/// Picks the pupils whose absence tells a story: severe, rising, was-PA,
/// Monday/Friday and part-time timetables.
fn assign_profiles(spec: &SchoolSpec, terms: &Terms, pupils: &mut [Pupil]) {
    let mut rng = Rng::stream(&[spec.seed, 2]);
    for p in pupils.iter_mut() {
        let bp = spec.severe_bp * p.multiplier() / 100;
        if rng.chance(bp) {
            p.profile = if rng.chance(3000) {
                Profile::SevereAutumn
            } else {
                Profile::Severe
            };
        }
    }
    let both = |p: &Pupil| {
        p.profile == Profile::Typical
            && p.summer == Some(Enrol::full(terms.summer_days))
            && p.autumn == Some(Enrol::full(terms.autumn_days))
    };
    let mut eligible: Vec<usize> = (0..pupils.len()).filter(|&i| both(&pupils[i])).collect();
    rng.shuffle(&mut eligible);
    // Long medical absence is likelier with more needs: pick those pupils first, by
    // their multiplier, from the front of the shuffled list.
    let high_need = pupils.len() * spec.high_need_bp as usize / 10_000;
    for _ in 0..high_need {
        let weights: Vec<u32> = eligible.iter().map(|&i| pupils[i].multiplier()).collect();
        if weights.is_empty() {
            break;
        }
        let i = eligible.remove(rng.weighted(&weights));
        pupils[i].profile = Profile::HighNeed;
    }
    let n = pupils.len();
    let part_time = match spec.phase {
        Phase::Primary => 1,
        Phase::Secondary => 4,
        Phase::Special => 3,
    };
    let plan = [
        (Profile::Rising, n * spec.shape.rising_per_1000 / 1000),
        (Profile::WasPa, n * 25 / 1000),
        (Profile::MondayFriday, n * 4 / 100),
        (Profile::PartTime, part_time),
    ];
    let mut next = eligible.into_iter();
    for (profile, count) in plan {
        let mut given = 0;
        while given < count {
            let Some(i) = next.next() else { break };
            // Part-time timetables are for pupils of compulsory school age.
            if profile == Profile::PartTime && pupils[i].cohort < 2 {
                continue;
            }
            pupils[i].profile = profile;
            given += 1;
        }
    }
}

/// Invents a benchmark school's pupils: `count` pupils spread over the year groups,
/// all on roll for the whole of a run of `days` school days.
///
/// # Errors
/// [`SampleError::Invalid`] if a UPN cannot be made.
pub(crate) fn bench_roster(
    spec: &SchoolSpec,
    count: usize,
    days: usize,
    upns: &mut UpnAllocator,
) -> Result<Vec<Pupil>, SampleError> {
    let mut rng = Rng::stream(&[spec.seed, 1]);
    let terms = Terms {
        summer_days: days,
        autumn_days: days,
        year_11_end: days,
    };
    let (lo, hi) = spec.years;
    let span = usize::try_from(hi - lo + 1).unwrap_or(1);
    let mut pupils = Vec::with_capacity(count);
    for i in 0..count {
        let cohort = lo + i8::try_from(i % span).unwrap_or(0);
        let seq = u64::try_from(i).unwrap_or(0);
        let mut pupil = invent(spec, &terms, cohort, Fate::Stays, seq, &mut rng, upns)?;
        pupil.summer = Some(Enrol::full(days));
        pupil.autumn = Some(Enrol::full(days));
        pupils.push(pupil);
    }
    assign_profiles(spec, &terms, &mut pupils);
    Ok(pupils)
}
