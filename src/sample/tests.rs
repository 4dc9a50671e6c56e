//! Tests of the sample data generator: determinism, every file importing with the
//! expected layout, and the realism targets measured from what the importer read.

use super::*;
use crate::domain::{BatchContent, Code, ImportBatch, Layout, Upn};
use crate::import::{ColumnMapping, read_file};
use std::collections::{BTreeMap, BTreeSet};

fn read(path: &Path) -> ImportBatch {
    read_file(path, &ColumnMapping::default())
        .unwrap_or_else(|e| panic!("{} does not import: {e}", path.display()))
}

fn bytes(files: &[SampleFile]) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .map(|f| {
            let name = f.path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&f.path).unwrap())
        })
        .collect()
}

/// Reads files on two threads (the workbook alone takes as long as the rest).
fn read_all(files: &[SampleFile]) -> Vec<ImportBatch> {
    let (xlsx, rest): (Vec<_>, Vec<_>) = files
        .iter()
        .enumerate()
        .partition(|(_, f)| f.path.extension().is_some_and(|e| e == "xlsx"));
    let read_some = |some: Vec<(usize, &SampleFile)>| {
        some.into_iter()
            .map(|(i, f)| (i, read(&f.path)))
            .collect::<Vec<_>>()
    };
    let mut all = std::thread::scope(|s| {
        let xlsx = s.spawn(|| read_some(xlsx));
        let mut all = read_some(rest);
        all.extend(xlsx.join().unwrap());
        all
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, b)| b).collect()
}

/// One pupil's totals and, from marks, their codes in date order.
#[derive(Default)]
struct PupilFigures {
    counts: SessionCounts,
    marks: Vec<(chrono::NaiveDate, Code)>,
}

fn figures(batch: &ImportBatch) -> BTreeMap<Upn, PupilFigures> {
    let mut out = BTreeMap::new();
    match &batch.content {
        BatchContent::Summary(rows) => {
            for row in rows {
                out.insert(
                    row.upn.clone(),
                    PupilFigures {
                        counts: row.counts,
                        marks: Vec::new(),
                    },
                );
            }
        }
        BatchContent::Marks(pupils) => {
            for p in pupils {
                let mut f = PupilFigures::default();
                for m in &p.marks {
                    f.counts.add(m.code);
                    f.marks.push((m.date, m.code));
                }
                out.insert(p.upn.clone(), f);
            }
        }
        BatchContent::Details | BatchContent::Weekly(_) => {}
    }
    out
}

fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Absence over the latest 20 school days with possible sessions, as the recent rule
/// counts it.
fn recent(marks: &[(chrono::NaiveDate, Code)]) -> (u32, u32) {
    let dates: BTreeSet<chrono::NaiveDate> = marks
        .iter()
        .filter(|(_, c)| c.category().is_possible())
        .map(|(d, _)| *d)
        .collect();
    let Some(&from) = dates.iter().rev().take(20).min() else {
        return (0, 0);
    };
    let mut c = SessionCounts::default();
    for (_, code) in marks.iter().filter(|(d, _)| *d >= from) {
        c.add(*code);
    }
    (c.absence(), c.possible)
}

/// Realism figures of one school's period.
#[derive(Debug)]
struct PeriodFigures {
    pupils: usize,
    absence_pct: f64,
    pa_pct: f64,
    sa_pct: f64,
    fsm_pct: f64,
    non_fsm_pct: f64,
    /// Absence with / without: SEN support, EHC plan, child in need.
    ratios: [f64; 3],
    illness_share: Option<f64>,
    unauthorised_share: f64,
}

/// What the details file says about a pupil: FSM, SEN support, EHC plan, child in need.
type Traits = BTreeMap<Upn, [bool; 4]>;

fn traits(details: &ImportBatch) -> Traits {
    details
        .pupils
        .iter()
        .map(|(upn, d, _)| {
            let sen = d.sen.unwrap_or(SenStatus::None);
            (
                upn.clone(),
                [
                    d.fsm == Some(true),
                    sen == SenStatus::SenSupport,
                    sen == SenStatus::Ehcp,
                    d.child_in_need == Some(true),
                ],
            )
        })
        .collect()
}

fn period_figures(pupils: &BTreeMap<Upn, PupilFigures>, traits: &Traits) -> PeriodFigures {
    let mut possible = 0u64;
    let mut absence = 0u64;
    let mut unauthorised = 0u64;
    let mut illness = 0u64;
    let (mut pa, mut sa, mut counted) = (0u64, 0u64, 0usize);
    // Absence and possible sessions of pupils with and without each trait.
    let mut by_trait = [[(0u64, 0u64); 2]; 4];
    for (upn, f) in pupils {
        let c = f.counts;
        if c.possible == 0 {
            continue;
        }
        counted += 1;
        possible += u64::from(c.possible);
        absence += u64::from(c.absence());
        unauthorised += u64::from(c.unauthorised);
        illness += f.marks.iter().filter(|(_, m)| m.mark() == "I").count() as u64;
        let rate = crate::domain::Rate::new(c.absence(), c.possible);
        pa += u64::from(rate.at_least(crate::domain::BasisPoints(1000)));
        sa += u64::from(rate.at_least(crate::domain::BasisPoints(5000)));
        if let Some(has) = traits.get(upn) {
            for (t, &yes) in has.iter().enumerate() {
                let slot = &mut by_trait[t][usize::from(yes)];
                slot.0 += u64::from(c.absence());
                slot.1 += u64::from(c.possible);
            }
        }
    }
    let has_marks = pupils.values().any(|f| !f.marks.is_empty());
    PeriodFigures {
        pupils: counted,
        absence_pct: pct(absence, possible),
        pa_pct: pct(pa, counted as u64),
        sa_pct: pct(sa, counted as u64),
        fsm_pct: pct(by_trait[0][1].0, by_trait[0][1].1),
        non_fsm_pct: pct(by_trait[0][0].0, by_trait[0][0].1),
        ratios: [1, 2, 3].map(|t| {
            let [without, with] = by_trait[t];
            pct(with.0, with.1) / pct(without.0, without.1)
        }),
        illness_share: has_marks.then(|| pct(illness, absence)),
        unauthorised_share: pct(unauthorised, absence),
    }
}

/// The story pupils: rising (summer below 5%, autumn up 3 points or more), was PA, and
/// recent (10% or more over the latest 20 days) while not PA overall.
fn story_counts(
    summer: &BTreeMap<Upn, PupilFigures>,
    autumn: &BTreeMap<Upn, PupilFigures>,
) -> (usize, usize, usize) {
    let (mut rising, mut was_pa, mut recent_not_pa) = (0, 0, 0);
    for (upn, a) in autumn {
        let now = a.counts;
        if now.possible == 0 {
            continue;
        }
        let rate_now = u64::from(now.absence()) * 1000 / u64::from(now.possible);
        let (r_abs, r_pos) = recent(&a.marks);
        if rate_now < 100 && r_pos > 0 && u64::from(r_abs) * 10 >= u64::from(r_pos) {
            recent_not_pa += 1;
        }
        let Some(s) = summer.get(upn).map(|s| s.counts).filter(|s| s.possible > 0) else {
            continue;
        };
        let rate_then = u64::from(s.absence()) * 1000 / u64::from(s.possible);
        if rate_then < 50 && rate_now >= rate_then + 30 {
            rising += 1;
        }
        if rate_then >= 100 && (50..100).contains(&rate_now) {
            was_pa += 1;
        }
    }
    (rising, was_pa, recent_not_pa)
}

/// A school's name, its summer and autumn figures, and its rising, was-PA and recent
/// pupil counts.
type SchoolFigures = (String, [PeriodFigures; 2], (usize, usize, usize));

/// Measures each school and period from the files as the importer read them (three
/// batches per school: summer, autumn, details).
fn measure(files: &[SampleFile], batches: &[ImportBatch]) -> Vec<SchoolFigures> {
    let mut out = Vec::new();
    for (school, batches) in files.chunks(3).zip(batches.chunks(3)) {
        let [summer, autumn, details] = batches else {
            panic!("three files per school")
        };
        let traits = traits(details);
        let (s, a) = (figures(summer), figures(autumn));
        out.push((
            school[0].school_name.clone(),
            [period_figures(&s, &traits), period_figures(&a, &traits)],
            story_counts(&s, &a),
        ));
    }
    out
}

/// Illness (`I`) marks in the five school days from `from`.
fn illness_in_week(batch: &ImportBatch, from: (u32, u32)) -> usize {
    let BatchContent::Marks(pupils) = &batch.content else {
        panic!("marks expected")
    };
    let start = chrono::NaiveDate::from_ymd_opt(2026, from.0, from.1).unwrap();
    let end = start + chrono::Days::new(4);
    pupils
        .iter()
        .flat_map(|p| &p.marks)
        .filter(|m| m.date >= start && m.date <= end && m.code.mark() == "I")
        .count()
}

/// One test, so the data set is generated only twice: byte-for-byte the same both
/// times; every file imports with the expected layout; the figures are realistic.
#[test]
fn sample_data_is_deterministic_imports_and_is_realistic() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (files, again) = std::thread::scope(|s| {
        let again = s.spawn(|| generate(b.path()).unwrap());
        (generate(a.path()).unwrap(), again.join().unwrap())
    });
    assert_eq!(files.len(), 11);
    assert_eq!(
        files.iter().map(|f| f.path.file_name()).collect::<Vec<_>>(),
        again.iter().map(|f| f.path.file_name()).collect::<Vec<_>>()
    );
    let (first, second) = (bytes(&files), bytes(&again));
    for ((name, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{name} differs between runs");
    }
    let total: usize = first.iter().map(|(_, b)| b.len()).sum();
    assert!(total < 15_000_000, "sample data is {total} bytes");

    let expected = [
        (Layout::Summary, true),
        (Layout::MarksLong, false),
        (Layout::Details, false),
        (Layout::MarksWide, false),
        (Layout::MarksLong, false),
        (Layout::Details, false),
        (Layout::Summary, true),
        (Layout::MarksWide, false),
        (Layout::Details, false),
        (Layout::DfeWeekly, false),
        (Layout::DfeWeekly, false),
    ];
    assert_eq!(files.len(), expected.len());
    let batches = read_all(&files);
    let mut all_upns: BTreeMap<Upn, String> = BTreeMap::new();
    for ((f, batch), (layout, has_term)) in files.iter().zip(&batches).zip(expected) {
        assert_eq!(batch.layout, layout, "{}", f.path.display());
        assert_eq!(f.term.is_some(), has_term, "{}", f.path.display());
        if has_term {
            assert_eq!(f.term, Some(Period::new(2025, Term::Summer)));
        }
        assert_eq!(f.as_of.is_some(), layout == Layout::DfeWeekly);
        assert_eq!(f.urn.is_empty(), layout == Layout::DfeWeekly);
        let mut schools: Vec<(Upn, String)> = batch
            .pupils
            .iter()
            .map(|(upn, _, _)| (upn.clone(), f.urn.clone()))
            .collect();
        if let BatchContent::Weekly(w) = &batch.content {
            schools = w
                .rows
                .iter()
                .map(|r| (r.upn.clone(), w.schools[r.school].urn.clone()))
                .collect();
        }
        for (upn, urn) in schools {
            assert!(upn.check_letter_ok(), "{upn}");
            let school = all_upns.entry(upn.clone()).or_insert_with(|| urn.clone());
            assert_eq!(*school, urn, "{upn} appears at two schools");
        }
        if layout == Layout::Details {
            for (_, details, _) in &batch.pupils {
                assert!(details.surname.is_some() && details.date_of_birth.is_some());
            }
        }
        // The only warnings are the secondary summer workbook's legacy codes and the
        // weekly files' one unmarked session each.
        let legacy = batch
            .warnings
            .iter()
            .filter(|w| w.message.contains("pre-2024"));
        if layout == Layout::DfeWeekly {
            let text: Vec<&str> = batch.warnings.iter().map(|w| w.message.as_str()).collect();
            assert_eq!(text.len(), 1, "{text:?}");
            assert!(
                text[0].starts_with("1 pupil with attendance and absence below possible sessions")
                    && text[0].contains(": 1 unmarked session left out"),
                "{text:?}"
            );
        } else if f.path.extension().is_some_and(|e| e == "xlsx") {
            let text: Vec<String> = legacy.map(|w| w.message.clone()).collect();
            assert!(text.iter().any(|m| m.contains("code H")), "{text:?}");
            assert!(text.iter().any(|m| m.contains("code J")), "{text:?}");
        } else {
            assert_eq!(batch.warnings, Vec::new(), "{}", f.path.display());
        }
        if let BatchContent::Marks(pupils) = &batch.content {
            let dates: BTreeSet<_> = pupils
                .iter()
                .flat_map(|p| p.marks.iter().map(|m| m.date))
                .collect();
            let period = Period::of_date(*dates.first().unwrap());
            assert_eq!(
                period,
                Period::of_date(*dates.last().unwrap()),
                "one period per file"
            );
        }
    }

    // The primary's outbreak: far more illness in the week of 9 November.
    let outbreak = illness_in_week(&batches[1], (11, 9));
    assert!(
        outbreak > 2 * illness_in_week(&batches[1], (10, 5)),
        "{outbreak}"
    );
    assert!(
        outbreak > 2 * illness_in_week(&batches[1], (9, 21)),
        "{outbreak}"
    );

    for (school, [summer, autumn], (rising, was_pa, recent)) in &measure(&files[..9], &batches[..9])
    {
        let special = school.contains("Meadowbank");
        for p in [summer, autumn] {
            let (lo, hi) = if special { (9.0, 13.5) } else { (5.0, 9.0) };
            assert!((lo..=hi).contains(&p.absence_pct), "{school}: {p:?}");
            let (lo, hi) = if special { (15.0, 33.0) } else { (12.0, 28.0) };
            assert!((lo..=hi).contains(&p.pa_pct), "{school}: {p:?}");
            assert!(p.sa_pct <= 5.0, "{school}: {p:?}");
            assert!(p.fsm_pct > p.non_fsm_pct * 1.3, "{school}: {p:?}");
            if let Some(share) = p.illness_share {
                assert!((35.0..=70.0).contains(&share), "{school}: {p:?}");
            }
        }
        if !special {
            assert!(summer.sa_pct >= 0.5 && autumn.sa_pct >= 0.5, "{school}");
        }
        assert!(
            *rising >= 2 && *was_pa >= 1 && *recent >= 2,
            "{school}: {rising} {was_pa} {recent}"
        );
    }
    weekly_files_are_realistic(&files[9..], &batches[9..]);
}

/// The DfE weekly files: the three schools, realistic figures, leavers frozen, joiners,
/// cross-border pupils, compulsory school age, unknown flags and one unmarked session
/// per file.
fn weekly_files_are_realistic(files: &[SampleFile], batches: &[ImportBatch]) {
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    assert_eq!(
        files.iter().map(|f| f.as_of).collect::<Vec<_>>(),
        [Some(day(11, 13)), Some(day(11, 20))]
    );
    let contents: Vec<&crate::domain::WeeklyContent> = batches
        .iter()
        .map(|b| match &b.content {
            BatchContent::Weekly(w) => w,
            _ => panic!("weekly content expected"),
        })
        .collect();
    let [first, second] = contents.as_slice() else {
        panic!("two weekly files")
    };
    for w in [first, second] {
        let schools: Vec<String> = w
            .schools
            .iter()
            .map(|s| {
                let text = |v: &Option<String>| v.as_deref().unwrap_or("-").to_owned();
                [
                    s.urn.clone(),
                    text(&s.name),
                    text(&s.phase),
                    text(&s.la_name),
                ]
                .join(", ")
            })
            .collect();
        assert_eq!(
            schools,
            [
                "990404, Hawthorn Primary School, Primary, Sample County",
                "990505, Kingsmead Academy, Secondary, Sample County",
                "990606, Willowbrook Primary School, Primary, Sample County"
            ]
        );
        assert!(
            w.rows
                .iter()
                .all(|r| r.period == Some(Period::new(2026, Term::Autumn)))
        );
        let unmarked: Vec<u32> = w
            .rows
            .iter()
            .map(|r| r.counts.no_mark)
            .filter(|n| *n > 0)
            .collect();
        assert_eq!(unmarked, [1], "one unmarked session per file");
        // Realistic figures for each school's pupils of compulsory school age.
        for (i, school) in w.schools.iter().enumerate() {
            let mut pupils: BTreeMap<Upn, PupilFigures> = BTreeMap::new();
            for r in w.rows.iter().filter(|r| r.school == i) {
                if r.details.compulsory_school_age != Some(false) {
                    let f = PupilFigures {
                        counts: r.counts,
                        marks: Vec::new(),
                    };
                    pupils.insert(r.upn.clone(), f);
                }
            }
            let p = period_figures(&pupils, &Traits::new());
            assert!(
                (5.0..=9.5).contains(&p.absence_pct),
                "{}: {p:?}",
                school.urn
            );
            assert!((12.0..=28.0).contains(&p.pa_pct), "{}: {p:?}", school.urn);
            assert!((0.5..=5.0).contains(&p.sa_pct), "{}: {p:?}", school.urn);
        }
    }
    let rows = |w: &crate::domain::WeeklyContent| -> BTreeMap<Upn, crate::domain::WeeklyRow> {
        w.rows.iter().map(|r| (r.upn.clone(), r.clone())).collect()
    };
    let (earlier, later) = (rows(first), rows(second));
    assert_eq!(
        earlier.keys().collect::<Vec<_>>(),
        later.keys().collect::<Vec<_>>()
    );
    let (mut leavers, mut joiners, mut cross_border, mut unknown, mut flags) = (0, 0, 0, 0, 0);
    let usual = earlier.values().map(|r| r.counts.possible).max().unwrap();
    for (upn, now) in &later {
        let then = &earlier[upn];
        assert_eq!(
            then.details, now.details,
            "{upn}: the same details each week"
        );
        let d = &now.details;
        let (a, b) = (then.counts, now.counts);
        if d.leaving_date.is_some() {
            leavers += 1;
            assert!(d.leaving_date < Some(day(11, 13)), "{upn}");
            assert_eq!(
                (a.possible, a.absence()),
                (b.possible, b.absence()),
                "{upn}"
            );
        } else {
            // A week of sessions, less the secondary's flooded morning (`Y2`), give or
            // take the unmarked session.
            let week = b.possible - a.possible;
            assert!(
                (8..=11).contains(&week),
                "{upn}: {week} sessions in the week"
            );
        }
        assert!(
            b.absence() >= a.absence() && b.possible >= a.possible,
            "{upn}"
        );
        let admitted = d.admission_date.unwrap();
        if admitted > day(9, 7) {
            joiners += 1;
            assert!(
                a.possible + a.no_mark < usual,
                "{upn}: possible from admission"
            );
        }
        if d.home_la.as_deref() != Some("Sample County") {
            cross_border += 1;
        }
        let year = d.year_group.unwrap().number();
        let dob = d.date_of_birth.unwrap();
        let csa = d.compulsory_school_age.unwrap();
        match year {
            -2 | -1 => assert!(!csa, "{upn}"),
            0 => assert_eq!(csa, dob <= day(8, 31) - chrono::Months::new(60), "{upn}"),
            1..=11 => assert!(csa, "{upn}"),
            _ => panic!("{upn}: year group {year} in these schools"),
        }
        let characteristic = [
            d.fsm,
            d.eal,
            d.looked_after,
            d.previously_looked_after,
            d.child_in_need,
        ];
        flags += characteristic.len();
        unknown += characteristic.iter().filter(|f| f.is_none()).count();
    }
    let n = later.len();
    assert!((1100..=1400).contains(&n), "{n} pupils");
    assert!((3..=20).contains(&leavers), "{leavers} leavers");
    assert!((3..=25).contains(&joiners), "{joiners} joiners");
    assert!(
        (n * 2 / 100..=n * 7 / 100).contains(&cross_border),
        "{cross_border}"
    );
    assert!(
        (flags / 300..=flags * 3 / 100).contains(&unknown),
        "{unknown} of {flags}"
    );
    let late_starters = later
        .values()
        .filter(|r| {
            r.details.year_group.map(|y| y.number()) == Some(0)
                && r.details.compulsory_school_age == Some(true)
        })
        .count();
    assert_eq!(late_starters, 2, "one summer-born late starter per primary");
}

#[test]
fn benchmark_inputs_import_and_are_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    bench_marks_csv(&a, 60, 25).unwrap();
    bench_marks_csv(&b, 60, 25).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let batch = read(&a);
    assert_eq!(batch.layout, Layout::MarksLong);
    let BatchContent::Marks(pupils) = &batch.content else {
        panic!("marks expected")
    };
    assert_eq!(pupils.len(), 60);
    assert!(pupils.iter().all(|p| p.marks.len() == 50));
    let first = pupils[0].marks[0].date;
    assert_eq!(first, chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap());

    let files = bench_summaries(&dir.path().join("s"), 3, 120).unwrap();
    let again = bench_summaries(&dir.path().join("t"), 3, 120).unwrap();
    assert_eq!(bytes(&files), bytes(&again));
    let mut upns = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        assert_eq!(f.urn, (980_000 + i).to_string());
        assert_eq!(f.term, Some(Period::new(2025, Term::Autumn)));
        let batch = read(&f.path);
        assert_eq!(batch.layout, Layout::Summary);
        assert_eq!(batch.rows, 120);
        for (upn, _, _) in &batch.pupils {
            assert!(upns.insert(upn.clone()), "{upn} repeated");
        }
    }
}

/// Writes the real sample data set into `sample_data/` with its manifest and prints
/// the realism figures: `cargo test --lib -- --ignored write_sample_data --nocapture`.
#[test]
#[ignore = "writes into the source tree"]
fn write_sample_data() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    let files = generate(&dir).unwrap();
    crate::demo::write_manifest(&dir, &files).unwrap();
    let mut total = 0;
    for f in &files {
        let size = std::fs::metadata(&f.path).unwrap().len();
        total += size;
        println!(
            "{:>10}  {}",
            size,
            f.path.file_name().unwrap().to_string_lossy()
        );
    }
    println!("{total:>10}  total");
    let batches = read_all(&files);
    for (school, periods, (rising, was_pa, recent)) in measure(&files, &batches) {
        for (name, p) in ["2025-26 summer", "2026-27 autumn"].iter().zip(&periods) {
            println!(
                "{school:<24} {name}: pupils {:>4}  absence {:>5.2}%  PA {:>5.1}%  SA {:>4.1}%  FSM {:>5.2}% vs non-FSM {:>5.2}% ({:.2}x)  unauthorised {:>4.1}% of absence  K {:.2}x E {:.2}x CIN {:.2}x{}",
                p.pupils,
                p.absence_pct,
                p.pa_pct,
                p.sa_pct,
                p.fsm_pct,
                p.non_fsm_pct,
                p.fsm_pct / p.non_fsm_pct,
                p.unauthorised_share,
                p.ratios[0],
                p.ratios[1],
                p.ratios[2],
                p.illness_share
                    .map(|s| format!("  illness {s:.1}% of absence"))
                    .unwrap_or_default()
            );
        }
        println!("{school:<24} rising {rising}, was PA {was_pa}, recent (not PA) {recent}");
    }
}
