//! Deterministic synthetic sample data: six invented schools in one fictional LA. Three
//! come from their MIS exports, each with a summer 2025-26 and an autumn 2026-27
//! period, written in the layouts and encodings school MIS exports come in; three more
//! come only in the DfE weekly pupil-level file the LA downloads, two weeks of it
//! (figures to 13 and to 20 November 2026). Larger generated inputs feed the
//! benchmarks.
//!
//! Everything is seeded: the same bytes on every run and every machine (a fixed seed,
//! an inline SplitMix64 generator, integer arithmetic only, ordered collections, a
//! fixed XLSX creation time and no clock). Names come from invented lists of common
//! given names and surnames; no real pupil's data is used.
//!
//! The story the data tells (`shared/domain.md`): overall absence around 6-8% (the
//! special school about 10.5%), persistent absence for about a fifth of pupils (a
//! quarter at the special school, where a group of pupils have long medical absences)
//! and severe absence for 1-3%; more absence for pupils with FSM, SEN support, EHC plans or a
//! social worker; illness about half of all absence, with an outbreak at the primaries
//! in the week of 9 November 2026; unauthorised holidays in the last week of the summer
//! term and around half term; pupils whose absence is rising (with most of it in the
//! latest four weeks), pupils who were persistently absent and improved, a Monday and
//! Friday pattern, part-time timetables, suspensions, and the odd legacy code.

mod calendar;
mod dfe;
mod people;
mod register;
pub mod rng;
mod write;

#[cfg(test)]
mod tests;

use crate::domain::{Period, SenStatus, SessionCounts, Term};
use calendar::{Calendar, dates};
use chrono::NaiveDate;
use people::{Phase, Pupil, SchoolSpec, Shape, Terms, UpnAllocator};
use register::{Day, Palette, TermContext};
use rng::Rng;
use std::path::{Path, PathBuf};
use write::{MarksRows, TextEncoding, TextFile, TextStyle};

/// One generated file and how to import it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// Where the file was written.
    pub path: PathBuf,
    /// The school's URN.
    pub urn: String,
    /// The school's name.
    pub school_name: String,
    /// The school's phase.
    pub phase: String,
    /// The term to import it with (`--term`), for summaries.
    pub term: Option<Period>,
    /// The day a weekly file's figures run to (`--as-of`), for the DfE weekly file,
    /// which holds several schools (its `urn`, `school_name` and `phase` are empty).
    pub as_of: Option<NaiveDate>,
}

/// Why sample data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// Writing a file failed.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The generator could not make a value it needs (a bug, not a data problem).
    #[error("sample data generator: {0}")]
    Invalid(String),
}

/// The three sample schools that send MIS exports.
const SCHOOLS: [SchoolSpec; 3] = [
    SchoolSpec {
        key: "oakfield",
        urn: "990101",
        name: "Oakfield Primary School",
        phase: Phase::Primary,
        seed: 1,
        estab: 2101,
        years: (0, 6),
        // Reception (new in September) to Year 6, then the Year 6 who left in July.
        cohort_sizes: &[58, 56, 57, 59, 55, 57, 58, 56],
        fsm_bp: 2400,
        sen_bp: (1300, 250),
        scale: 74,
        severe_bp: 130,
        high_need_bp: 0,
        shape: Shape::DEMO,
    },
    SchoolSpec {
        key: "riverside",
        urn: "990202",
        name: "Riverside Academy",
        phase: Phase::Secondary,
        seed: 2,
        estab: 4102,
        years: (7, 11),
        cohort_sizes: &[240, 236, 242, 238, 244, 232],
        fsm_bp: 2600,
        sen_bp: (1300, 300),
        scale: 92,
        severe_bp: 110,
        high_need_bp: 0,
        shape: Shape::DEMO,
    },
    SchoolSpec {
        key: "meadowbank",
        urn: "990303",
        name: "Meadowbank School",
        phase: Phase::Special,
        seed: 3,
        estab: 7103,
        years: (1, 14),
        cohort_sizes: &[4, 5, 6, 7, 8, 9, 10, 10, 11, 11, 12, 10, 9, 8, 7],
        fsm_bp: 4500,
        sen_bp: (500, 9400),
        scale: 24,
        severe_bp: 100,
        high_need_bp: 1250,
        shape: Shape::DEMO,
    },
];

/// The held-out schools: the at-risk defaults were tuned on the demo schools and are
/// checked on these, made with other seeds, sizes and rates and another shape of
/// trends (rising absence that starts before the summer holiday, illness outbreaks in
/// every phase and in both terms).
const HELD_OUT: [SchoolSpec; 3] = [
    SchoolSpec {
        key: "heldout_ashgrove",
        urn: "970101",
        name: "Ashgrove Primary School",
        phase: Phase::Primary,
        seed: 71,
        estab: 2171,
        years: (0, 6),
        cohort_sizes: &[45, 44, 46, 43, 45, 44, 46, 45],
        fsm_bp: 3100,
        sen_bp: (1500, 300),
        scale: 84,
        severe_bp: 150,
        high_need_bp: 0,
        shape: HELD_OUT_SHAPE,
    },
    SchoolSpec {
        key: "heldout_brackenfield",
        urn: "970202",
        name: "Brackenfield High School",
        phase: Phase::Secondary,
        seed: 72,
        estab: 4172,
        years: (7, 11),
        cohort_sizes: &[180, 176, 184, 178, 181, 175],
        fsm_bp: 2200,
        sen_bp: (1200, 250),
        scale: 100,
        severe_bp: 100,
        high_need_bp: 0,
        shape: HELD_OUT_SHAPE,
    },
    SchoolSpec {
        key: "heldout_cressing",
        urn: "970303",
        name: "Cressing Community College",
        phase: Phase::Secondary,
        seed: 73,
        estab: 4173,
        years: (7, 11),
        cohort_sizes: &[150, 148, 152, 149, 151, 146],
        fsm_bp: 3400,
        sen_bp: (1500, 350),
        scale: 112,
        severe_bp: 140,
        high_need_bp: 0,
        shape: HELD_OUT_SHAPE,
    },
];

/// The held-out schools' story.
const HELD_OUT_SHAPE: Shape = Shape {
    rising_per_1000: 45,
    rising_from_summer: true,
    outbreak_everywhere: true,
};

/// The pupil-details header a typical MIS export has (the README's example).
pub const DETAILS_HEADER: [&str; 13] = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Year Group",
    "Reg Group",
    "Sex",
    "Date of Birth",
    "SEN Status",
    "FSM",
    "EAL",
    "Looked After",
    "CIN or CP",
    "Ethnicity",
];

/// Writes the sample data set into `dir` (created if missing) and returns its files in
/// import order: for each MIS school, the summer 2025-26 file, the autumn 2026-27 file,
/// then the pupil details; then the DfE weekly files for the other three schools, the
/// earlier week first.
///
/// # Errors
/// [`SampleError`] if a file cannot be written.
pub fn generate(dir: &Path) -> Result<Vec<SampleFile>, SampleError> {
    std::fs::create_dir_all(dir).map_err(|e| write::write_error(dir, &e))?;
    let pal = Palette::new()?;
    let summer = Calendar::summer_2026();
    let autumn = Calendar::autumn_2026();
    let terms = Terms {
        summer_days: summer.len(),
        autumn_days: autumn.len(),
        year_11_end: summer.span(dates::YEAR_11_LEAVE, dates::YEAR_11_LEAVE).end,
    };
    let mut upns = UpnAllocator::default();
    let mut files = Vec::new();
    for spec in &SCHOOLS {
        let school = School::build(spec, &terms, &summer, &autumn, &pal, &mut upns)?;
        files.extend(school.write(dir, &summer, &autumn)?);
    }
    // After the MIS schools, so their pupils (and UPNs) are what they were before the
    // weekly file was added.
    let weekly = dfe::SCHOOLS
        .iter()
        .map(|spec| School::build(spec, &terms, &summer, &autumn, &pal, &mut upns))
        .collect::<Result<Vec<_>, _>>()?;
    files.extend(dfe::write_weekly(dir, &weekly, &summer, &autumn, &pal)?);
    Ok(files)
}

/// Writes the held-out data set into `dir`: three more invented schools (URNs 970101,
/// 970202, 970303), each with session marks for summer 2025-26 and autumn 2026-27 and
/// its pupil details, for checking the at-risk defaults on data they were not tuned
/// on (`tests/it/defaults.rs`). Files in import order: summer, autumn, details per
/// school.
///
/// # Errors
/// [`SampleError`] if a file cannot be written.
pub fn generate_held_out(dir: &Path) -> Result<Vec<SampleFile>, SampleError> {
    std::fs::create_dir_all(dir).map_err(|e| write::write_error(dir, &e))?;
    let pal = Palette::new()?;
    let mut summer = Calendar::summer_2026();
    summer.set_outbreak(
        NaiveDate::from_ymd_opt(2026, 6, 29).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2026, 7, 3).unwrap_or_default(),
    );
    let mut autumn = Calendar::autumn_2026();
    autumn.set_outbreak(
        NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2026, 11, 13).unwrap_or_default(),
    );
    let terms = Terms {
        summer_days: summer.len(),
        autumn_days: autumn.len(),
        year_11_end: summer.span(dates::YEAR_11_LEAVE, dates::YEAR_11_LEAVE).end,
    };
    let mut upns = UpnAllocator::default();
    let mut files = Vec::new();
    for spec in &HELD_OUT {
        let school = School::build(spec, &terms, &summer, &autumn, &pal, &mut upns)?;
        let key = spec.key;
        for (name, cal, regs) in [
            ("2025-26_summer", &summer, &school.summer),
            ("2026-27_autumn", &autumn, &school.autumn),
        ] {
            // Marks carry their dates: the term comes from them.
            let path = dir.join(format!("{key}_{name}_marks.csv"));
            write::marks_long(&path, &TextStyle::plain(), cal, &school.marks_rows(regs))?;
            files.push(school.file(path, None));
        }
        let details = dir.join(format!("{key}_pupil_details.csv"));
        school.details(&details, &TextStyle::plain(), crate::domain::dates::DAY)?;
        files.push(school.file(details, None));
    }
    Ok(files)
}

/// A school's pupils and their registers.
struct School<'s> {
    spec: &'s SchoolSpec,
    pupils: Vec<Pupil>,
    summer: Vec<Option<Vec<Day>>>,
    autumn: Vec<Option<Vec<Day>>>,
}

impl<'s> School<'s> {
    fn build(
        spec: &'s SchoolSpec,
        terms: &Terms,
        summer_cal: &Calendar,
        autumn_cal: &Calendar,
        pal: &Palette,
        upns: &mut UpnAllocator,
    ) -> Result<School<'s>, SampleError> {
        let pupils = people::roster(spec, terms, upns)?;
        let mut rng = Rng::stream(&[spec.seed, 3]);
        let (lo, hi) = spec.years;
        let summer_events =
            register::group_events(summer_cal, spec.phase, (lo - 1, hi), pal, &mut rng);
        let autumn_events = register::group_events(autumn_cal, spec.phase, (lo, hi), pal, &mut rng);
        let context = |cal, events| TermContext {
            cal,
            phase: spec.phase,
            pal,
            events,
            seed: spec.seed,
            scale: spec.scale,
            shape: spec.shape,
        };
        let summer_ctx = context(summer_cal, &summer_events);
        let autumn_ctx = context(autumn_cal, &autumn_events);
        let summer = pupils
            .iter()
            .map(|p| {
                p.summer
                    .map(|e| register::register(&summer_ctx, p, p.cohort - 1, e))
            })
            .collect();
        let autumn = pupils
            .iter()
            .map(|p| {
                p.autumn
                    .map(|e| register::register(&autumn_ctx, p, p.cohort, e))
            })
            .collect();
        let mut school = School {
            spec,
            pupils,
            summer,
            autumn,
        };
        school.oddities(summer_cal, autumn_cal, pal, &mut rng);
        Ok(school)
    }

    /// School-wide oddities: LA transport failing (`Y1`) and dual registration (`D`)
    /// at the special school; a flooded bus route (`Y2`) and legacy interview marks
    /// (`J`) at the secondary.
    fn oddities(
        &mut self,
        summer_cal: &Calendar,
        autumn_cal: &Calendar,
        pal: &Palette,
        rng: &mut Rng,
    ) {
        let free = |regs: &[Option<Vec<Day>>], i: usize, d: usize, s: usize| {
            regs.get(i)
                .and_then(Option::as_ref)
                .and_then(|days| days.get(d).copied().flatten())
                .is_some_and(|day| pal.is_free(day[s]))
        };
        let set = |regs: &mut [Option<Vec<Day>>], i: usize, d: usize, s: usize, code| {
            if let Some(Some(Some(day))) = regs
                .get_mut(i)
                .map(|r| r.as_mut().and_then(|v| v.get_mut(d)))
            {
                day[s] = code;
            }
        };
        let n = self.pupils.len();
        match self.spec.phase {
            Phase::Primary => {}
            Phase::Special => {
                if let Some(d) = autumn_cal.index_of(dates::TRANSPORT_FAILED) {
                    let mut who: Vec<usize> = (0..n)
                        .filter(|&i| free(&self.autumn, i, d, 0) && free(&self.autumn, i, d, 1))
                        .collect();
                    rng.shuffle(&mut who);
                    for &i in who.iter().take(5) {
                        set(&mut self.autumn, i, d, 0, pal.no_transport);
                        set(&mut self.autumn, i, d, 1, pal.no_transport);
                    }
                }
                let mut who: Vec<usize> = (0..n)
                    .filter(|&i| self.summer[i].is_some() && self.autumn[i].is_some())
                    .collect();
                rng.shuffle(&mut who);
                for &i in who.iter().take(2) {
                    for (regs, cal) in [
                        (&mut self.summer, summer_cal),
                        (&mut self.autumn, autumn_cal),
                    ] {
                        for (d, day) in cal.days.iter().enumerate() {
                            if chrono::Datelike::weekday(day) == chrono::Weekday::Fri {
                                for s in 0..2 {
                                    if free(regs, i, d, s) {
                                        set(regs, i, d, s, pal.dual_registered);
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Phase::Secondary => {
                if let Some(d) = autumn_cal.index_of(dates::ROAD_FLOODED) {
                    let mut who: Vec<usize> =
                        (0..n).filter(|&i| free(&self.autumn, i, d, 0)).collect();
                    rng.shuffle(&mut who);
                    for &i in who.iter().take(9) {
                        set(&mut self.autumn, i, d, 0, pal.travel_disruption);
                    }
                }
                let exams = summer_cal.span(dates::EXAMS.0, dates::EXAMS.1);
                let mut who: Vec<usize> = (0..n)
                    .filter(|&i| self.pupils[i].cohort > self.spec.years.1)
                    .collect();
                rng.shuffle(&mut who);
                for &i in who.iter().take(2) {
                    // A college interview morning, still marked with the old code.
                    let from = rng.index(exams.len());
                    let day = (0..exams.len())
                        .map(|k| exams.start + (from + k) % exams.len())
                        .find(|&d| free(&self.summer, i, d, 0));
                    if let Some(d) = day {
                        set(&mut self.summer, i, d, 0, pal.legacy_interview);
                    }
                }
            }
        }
    }

    /// Pupils in the order exports list them: by year group, then name.
    fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.pupils.len()).collect();
        order.sort_by(|&a, &b| {
            let (p, q) = (&self.pupils[a], &self.pupils[b]);
            (p.cohort, p.surname, p.forename, &p.upn)
                .cmp(&(q.cohort, q.surname, q.forename, &q.upn))
        });
        order
    }

    fn marks_rows<'a>(&'a self, regs: &'a [Option<Vec<Day>>]) -> Vec<MarksRows<'a>> {
        self.order()
            .into_iter()
            .filter_map(|i| {
                regs[i].as_deref().map(|days| MarksRows {
                    upn: self.pupils[i].upn.as_str(),
                    days,
                })
            })
            .collect()
    }

    fn file(&self, path: PathBuf, term: Option<Period>) -> SampleFile {
        SampleFile {
            path,
            urn: self.spec.urn.to_owned(),
            school_name: self.spec.name.to_owned(),
            phase: self.spec.phase.as_str().to_owned(),
            term,
            as_of: None,
        }
    }

    /// Writes the school's three files in the layouts its MIS uses.
    fn write(
        &self,
        dir: &Path,
        summer_cal: &Calendar,
        autumn_cal: &Calendar,
    ) -> Result<Vec<SampleFile>, SampleError> {
        let key = self.spec.key;
        let summer_term = Some(Period::new(2025, Term::Summer));
        let summer_path;
        let autumn_path;
        let details_path = dir.join(format!("{key}_pupil_details.csv"));
        match self.spec.phase {
            Phase::Primary => {
                summer_path = dir.join(format!("{key}_2025-26_summer_summary.csv"));
                self.summary(&summer_path, &TextStyle::plain(), false)?;
                autumn_path = dir.join(format!("{key}_2026-27_autumn_marks.csv"));
                write::marks_long(
                    &autumn_path,
                    &TextStyle::plain(),
                    autumn_cal,
                    &self.marks_rows(&self.autumn),
                )?;
                self.details(
                    &details_path,
                    &TextStyle::plain(),
                    crate::domain::dates::DAY,
                )?;
            }
            Phase::Secondary => {
                summer_path = dir.join(format!("{key}_2025-26_summer_marks.xlsx"));
                write::marks_wide_xlsx(
                    &summer_path,
                    "Riverside Academy - Session attendance marks, Summer term 2026",
                    (2026, 7, 23),
                    summer_cal,
                    &self.marks_rows(&self.summer),
                )?;
                autumn_path = dir.join(format!("{key}_2026-27_autumn_marks.csv"));
                let style = TextStyle {
                    delimiter: b',',
                    crlf: true,
                    encoding: TextEncoding::Windows1252,
                    title: Some("Riverside Academy – Session attendance marks – Autumn term 2026 (02/09/2026 – 20/11/2026)".to_owned()),
                };
                write::marks_long(
                    &autumn_path,
                    &style,
                    autumn_cal,
                    &self.marks_rows(&self.autumn),
                )?;
                let style = TextStyle {
                    encoding: TextEncoding::Utf8Bom,
                    ..TextStyle::plain()
                };
                self.details(&details_path, &style, crate::domain::dates::DAY)?;
            }
            Phase::Special => {
                summer_path = dir.join(format!("{key}_2025-26_summer_summary.csv"));
                let style = TextStyle {
                    delimiter: b';',
                    ..TextStyle::plain()
                };
                self.summary(&summer_path, &style, true)?;
                autumn_path = dir.join(format!("{key}_2026-27_autumn_marks.tsv"));
                let style = TextStyle {
                    delimiter: b'\t',
                    ..TextStyle::plain()
                };
                write::marks_wide(
                    &autumn_path,
                    &style,
                    autumn_cal,
                    "%d-%b-%Y",
                    &self.marks_rows(&self.autumn),
                )?;
                let style = TextStyle {
                    crlf: true,
                    encoding: TextEncoding::Windows1252,
                    ..TextStyle::plain()
                };
                self.details(&details_path, &style, "%Y-%m-%d")?;
            }
        }
        let summer_is_summary = self.spec.phase != Phase::Secondary;
        Ok(vec![
            self.file(
                summer_path,
                if summer_is_summary { summer_term } else { None },
            ),
            self.file(autumn_path, None),
            self.file(details_path, None),
        ])
    }

    /// Year group as this school's MIS writes it.
    fn year_label(&self, year: i8) -> String {
        match (self.spec.phase, year) {
            (Phase::Primary, 0) => "Year R".to_owned(),
            (Phase::Primary, y) => format!("Year {y}"),
            (Phase::Secondary, y) => y.to_string(),
            (Phase::Special, y) => format!("Y{y}"),
        }
    }

    /// The summer totals, one row per pupil on roll at any time in the term.
    fn summary(
        &self,
        path: &Path,
        style: &TextStyle,
        approved_column: bool,
    ) -> Result<(), SampleError> {
        let mut header = vec!["UPN", "Year Group", "Possible Sessions", "Present"];
        if approved_column {
            header.push("Approved Educational Activity");
        }
        header.extend([
            "Authorised Absences",
            "Unauthorised Absences",
            "Late Before Close",
            "Late After Close",
        ]);
        let mut file = TextFile::new(path, style, &header)?;
        for i in self.order() {
            let Some(days) = &self.summer[i] else {
                continue;
            };
            let p = &self.pupils[i];
            let c = counts(days);
            let mut row = vec![
                p.upn.as_str().to_owned(),
                self.year_label(p.cohort - 1),
                c.possible.to_string(),
            ];
            if approved_column {
                row.push(c.present.to_string());
                row.push(c.approved.to_string());
            } else {
                row.push(c.attendance().to_string());
            }
            row.extend([
                c.authorised.to_string(),
                c.unauthorised.to_string(),
                c.late_before_close.to_string(),
                c.late_after_close.to_string(),
            ]);
            file.row(&row)?;
        }
        file.save()
    }

    /// Pupil details for everyone on roll at some time this autumn (including the few
    /// who have left since, so every pupil with autumn marks has a year group). Pupils
    /// who left in or after the summer term are not in it.
    fn details(&self, path: &Path, style: &TextStyle, dob_format: &str) -> Result<(), SampleError> {
        let header = DETAILS_HEADER;
        let yes_no = |b: bool| if b { "Y" } else { "N" };
        let mut order = self.order();
        order.sort_by(|&a, &b| {
            let (p, q) = (&self.pupils[a], &self.pupils[b]);
            (p.cohort, &p.reg_group).cmp(&(q.cohort, &q.reg_group))
        });
        let mut file = TextFile::new(path, style, &header)?;
        for i in order {
            let p = &self.pupils[i];
            if p.autumn.is_none() {
                continue;
            }
            let year = match self.spec.phase {
                Phase::Primary if p.cohort == 0 => "R".to_owned(),
                Phase::Special => format!("Y{}", p.cohort),
                _ => p.cohort.to_string(),
            };
            file.row([
                p.upn.as_str(),
                p.surname,
                p.forename,
                &year,
                &p.reg_group,
                p.sex.code(),
                &p.dob.format(dob_format).to_string(),
                p.sen.code(),
                yes_no(p.fsm),
                yes_no(p.eal),
                yes_no(p.looked_after),
                yes_no(p.child_in_need),
                p.ethnicity,
            ])?;
        }
        file.save()
    }
}

/// A register's totals.
fn counts(days: &[Day]) -> SessionCounts {
    let mut c = SessionCounts::default();
    for day in days.iter().flatten() {
        c.add(day[0]);
        c.add(day[1]);
    }
    c
}

/// Writes one long-format marks CSV (`UPN,Date,Session,Mark`) for an invented
/// secondary school of `pupils` pupils (Years 7 to 11) over `school_days` consecutive
/// weekdays from Monday 1 September 2025, with the same mix of codes as the sample
/// data. Deterministic: the same arguments give the same bytes.
///
/// # Errors
/// [`SampleError`] if the file cannot be written (or, beyond about 80,000 pupils, UPN
/// serials run out).
pub fn bench_marks_csv(path: &Path, pupils: usize, school_days: usize) -> Result<(), SampleError> {
    let pal = Palette::new()?;
    let cal = Calendar::bench(school_days);
    let spec = SchoolSpec {
        key: "bench",
        urn: "980000",
        name: "Benchmark Secondary",
        phase: Phase::Secondary,
        seed: 900,
        estab: 4900,
        years: (7, 11),
        cohort_sizes: &[],
        fsm_bp: 2600,
        sen_bp: (1300, 300),
        scale: 92,
        severe_bp: 110,
        high_need_bp: 0,
        shape: Shape::DEMO,
    };
    let mut upns = UpnAllocator::default();
    let roster = people::bench_roster(&spec, pupils, cal.len(), &mut upns)?;
    let mut rng = Rng::stream(&[spec.seed, 3]);
    let events = register::group_events(&cal, spec.phase, spec.years, &pal, &mut rng);
    let ctx = TermContext {
        cal: &cal,
        phase: spec.phase,
        pal: &pal,
        events: &events,
        seed: spec.seed,
        scale: spec.scale,
        shape: spec.shape,
    };
    let registers: Vec<Vec<Day>> = roster
        .iter()
        .map(|p| register::register(&ctx, p, p.cohort, people::Enrol::full(cal.len())))
        .collect();
    let rows: Vec<MarksRows<'_>> = roster
        .iter()
        .zip(&registers)
        .map(|(p, days)| MarksRows {
            upn: p.upn.as_str(),
            days,
        })
        .collect();
    write::marks_long(path, &TextStyle::plain(), &cal, &rows)
}

/// Writes one summary CSV per invented school into `dir` (URNs 980000, 980001, ...;
/// primaries and secondaries alternating), each with `pupils_per_school` pupils'
/// 2025-26 autumn totals and their year group, sex, FSM and SEN status, and returns the
/// files (to be imported with the term 2025-26 autumn). Deterministic.
///
/// # Errors
/// [`SampleError`] if a file cannot be written.
pub fn bench_summaries(
    dir: &Path,
    schools: usize,
    pupils_per_school: usize,
) -> Result<Vec<SampleFile>, SampleError> {
    std::fs::create_dir_all(dir).map_err(|e| write::write_error(dir, &e))?;
    let header = [
        "UPN",
        "Year Group",
        "Sex",
        "FSM",
        "SEN Status",
        "Possible Sessions",
        "Present",
        "Authorised Absences",
        "Unauthorised Absences",
        "Late Before Close",
        "Late After Close",
    ];
    let mut files = Vec::with_capacity(schools);
    let mut serial: u64 = 0;
    for school in 0..schools {
        let urn = 980_000 + school;
        let primary = school % 2 == 0;
        let path = dir.join(format!("bench_{urn}_2025-26_autumn_summary.csv"));
        let mut rng = Rng::stream(&[901, school as u64]);
        let mut file = TextFile::new(&path, &TextStyle::plain(), &header)?;
        for _ in 0..pupils_per_school {
            // Unique across schools: LA 980, establishment 3000+, year and serial from
            // a running count.
            let estab = 3000 + serial / 100_000;
            let yy = (serial / 1000) % 100;
            let rest = format!("980{estab:04}{yy:02}{:03}", serial % 1000);
            serial += 1;
            let upn = crate::domain::Upn::with_check_letter(&rest)
                .ok_or_else(|| SampleError::Invalid(format!("cannot make a UPN from {rest}")))?;
            let year = if primary {
                rng.between(0, 6)
            } else {
                rng.between(7, 11)
            };
            let fsm = rng.chance(2500);
            let sen = match rng.below(100) {
                0..=2 => SenStatus::Ehcp,
                3..=15 => SenStatus::SenSupport,
                _ => SenStatus::None,
            };
            let possible = if rng.chance(500) {
                rng.between(40, 138)
            } else {
                140
            };
            let mut multiplier = if fsm { 180 } else { 100 };
            multiplier = multiplier
                * match sen {
                    SenStatus::None => 100,
                    SenStatus::SenSupport => 140,
                    SenStatus::Ehcp => 170,
                }
                / 100;
            let rate = if rng.chance(150) {
                rng.between(5000, 8500)
            } else {
                (people::draw_propensity(&mut rng) * multiplier / 100).min(4200)
            };
            let absence = rate * possible / 10_000;
            let authorised = absence * rng.between(55, 85) / 100;
            let unauthorised = absence - authorised;
            let late_after = unauthorised.min(rng.below(3));
            let approved = if rng.chance(1000) {
                rng.between(1, 3)
            } else {
                0
            };
            let present = possible - absence - approved.min(possible - absence);
            let late_before = rng.below(present / 10 + 1);
            let label = if year == 0 {
                "R".to_owned()
            } else {
                year.to_string()
            };
            file.row([
                upn.as_str(),
                &label,
                if rng.chance(5000) { "F" } else { "M" },
                if fsm { "Y" } else { "N" },
                sen.code(),
                &possible.to_string(),
                &(possible - absence).to_string(),
                &authorised.to_string(),
                &unauthorised.to_string(),
                &late_before.to_string(),
                &late_after.to_string(),
            ])?;
        }
        file.save()?;
        files.push(SampleFile {
            path,
            urn: urn.to_string(),
            school_name: format!("Benchmark School {:03}", school + 1),
            phase: if primary { "primary" } else { "secondary" }.to_owned(),
            term: Some(Period::new(2025, Term::Autumn)),
            as_of: None,
        });
    }
    Ok(files)
}
