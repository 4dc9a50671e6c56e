//! The bundled sample data end to end: `tsm-desk import` of every file in
//! `sample_data/`, then `flags` and `cohorts`, checked pupil by pupil against a
//! reference worked out here independently of the code under test: its own file
//! reading (plain splitting, calamine for the XLSX), its own code table and its own
//! integer arithmetic for the rules in `shared/domain.md`.

#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

mod common;

use calamine::{Data, Reader as _};
use common::{tsm, tsm_json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const NOT_POSSIBLE: &[&str] = &[
    "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7", "Z", "#", "D", "Y",
];
const ABSENCE: &[&str] = &[
    "C1", "M", "J1", "S", "C2", "C", "T", "R", "I", "E", "H", "F", "G", "N", "O", "U",
];
const KNOWN_PRESENT: &[&str] = &["/", "\\", "L", "K", "V", "P", "W", "B", "J", "-", ""];

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data")
}

/// One manifest row: file, URN, term.
fn manifest() -> Vec<(PathBuf, String, String)> {
    let text = std::fs::read_to_string(sample_dir().join("manifest.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (
                sample_dir().join(cells[0]),
                cells[1].to_owned(),
                cells[4].to_owned(),
            )
        })
        .collect()
}

/// A file's rows from the header row on (the first row whose first cell is `UPN`).
fn rows(path: &Path) -> Vec<Vec<String>> {
    let all: Vec<Vec<String>> = if path.extension().is_some_and(|e| e == "xlsx") {
        let mut wb = calamine::open_workbook_auto(path).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::DateTime(d) => {
                            let serial = d.as_f64() as i64;
                            let date = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap()
                                + chrono::Days::new(serial as u64);
                            date.format("%d/%m/%Y").to_string()
                        }
                        Data::Float(f) => format!("{f}"),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    } else {
        let bytes = std::fs::read(path).unwrap();
        // Only ASCII columns (UPN, dates, marks, counts, year groups) are compared, so a
        // lossy decode of Windows-1252 names does no harm.
        let text = String::from_utf8_lossy(&bytes).replace('\u{feff}', "");
        text.lines()
            .map(|line| {
                let sep = if line.contains('\t') {
                    '\t'
                } else if line.contains(';') {
                    ';'
                } else {
                    ','
                };
                line.trim_end_matches('\r')
                    .split(sep)
                    .map(|c| c.trim().to_owned())
                    .collect()
            })
            .collect()
    };
    let start = all
        .iter()
        .position(|r| r.first().is_some_and(|c| c.trim() == "UPN"))
        .unwrap();
    all[start..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .cloned()
        .collect()
}

fn date_key(s: &str) -> (i32, u32, u32) {
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = s.split(['/', '-']).collect();
    if parts[0].len() == 4 {
        return (
            parts[0].parse().unwrap(),
            parts[1].parse().unwrap(),
            parts[2].parse().unwrap(),
        );
    }
    let month = parts[1]
        .parse()
        .unwrap_or_else(|_| months.iter().position(|m| *m == parts[1]).unwrap() as u32 + 1);
    (parts[2].parse().unwrap(), month, parts[0].parse().unwrap())
}

/// Reference totals for one pupil in one term.
#[derive(Default, Clone)]
struct Pupil {
    possible: i64,
    absence: i64,
    /// Per day: (possible, absence).
    days: BTreeMap<(i32, u32, u32), (i64, i64)>,
}

/// term -> UPN -> totals, and UPN -> year group label from the details files.
fn reference(
    files: &[(PathBuf, String, String)],
) -> (
    BTreeMap<String, BTreeMap<String, Pupil>>,
    BTreeMap<String, String>,
) {
    let mut terms: BTreeMap<String, BTreeMap<String, Pupil>> = BTreeMap::new();
    let mut years = BTreeMap::new();
    for (path, _, term) in files {
        let rows = rows(path);
        let header: Vec<String> = rows[0].iter().map(|h| h.to_ascii_lowercase()).collect();
        let col = |name: &str| header.iter().position(|h| h == name);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let file_term = if name.contains("summer") {
            "2025-26 summer"
        } else {
            "2026-27 autumn"
        };
        if let Some(pc) = col("possible sessions") {
            assert_eq!(term, "2025-26 summer");
            let (a, u) = (
                col("authorised absences").unwrap(),
                col("unauthorised absences").unwrap(),
            );
            for r in &rows[1..] {
                let p = terms
                    .entry(file_term.into())
                    .or_default()
                    .entry(r[0].clone())
                    .or_default();
                p.possible += r[pc].parse::<i64>().unwrap();
                p.absence += r[a].parse::<i64>().unwrap() + r[u].parse::<i64>().unwrap();
            }
        } else if col("date").is_some() {
            let d = col("date").unwrap();
            let marks: Vec<(usize, Option<usize>)> =
                match (col("session"), col("mark"), col("am mark"), col("pm mark")) {
                    (Some(s), Some(m), _, _) => vec![(m, Some(s))],
                    (_, _, Some(am), Some(pm)) => vec![(am, None), (pm, None)],
                    _ => panic!("{name}: unknown marks header {header:?}"),
                };
            let mut seen = BTreeSet::new();
            for r in &rows[1..] {
                let day = date_key(&r[d]);
                for (i, (m, s)) in marks.iter().enumerate() {
                    let session = s.map_or(i, |s| usize::from(r[s] == "PM"));
                    assert!(
                        seen.insert((r[0].clone(), day, session)),
                        "{name}: repeated session in the sample data"
                    );
                    let code = r.get(*m).map_or("", |c| c.as_str()).to_ascii_uppercase();
                    assert!(
                        NOT_POSSIBLE.contains(&code.as_str())
                            || ABSENCE.contains(&code.as_str())
                            || KNOWN_PRESENT.contains(&code.as_str()),
                        "{name}: code {code:?}"
                    );
                    let possible = i64::from(!NOT_POSSIBLE.contains(&code.as_str()));
                    let absence = i64::from(ABSENCE.contains(&code.as_str()));
                    let p = terms
                        .entry(file_term.into())
                        .or_default()
                        .entry(r[0].clone())
                        .or_default();
                    p.possible += possible;
                    p.absence += absence;
                    let e = p.days.entry(day).or_default();
                    e.0 += possible;
                    e.1 += absence;
                }
            }
        } else {
            let y = col("year group").unwrap();
            for r in &rows[1..] {
                let raw = r[y]
                    .trim()
                    .trim_start_matches("Year ")
                    .trim_start_matches('Y')
                    .to_owned();
                let label = if raw == "R" {
                    "R".to_owned()
                } else {
                    format!("Y{}", raw.parse::<i32>().unwrap())
                };
                years.insert(r[0].clone(), label);
            }
        }
    }
    (terms, years)
}

/// The rules of shared/domain.md in integers: (category, reasons).
fn classify(now: &Pupil, prev: Option<&Pupil>) -> (&'static str, Vec<&'static str>) {
    let at_least = |a: i64, p: i64, bp: i64| p > 0 && a * 10_000 >= bp * p;
    if now.possible == 0 {
        return ("none", vec![]);
    }
    if at_least(now.absence, now.possible, 5000) {
        return ("severe", vec![]);
    }
    if at_least(now.absence, now.possible, 1000) {
        return ("persistent", vec![]);
    }
    let mut reasons = vec![];
    if at_least(now.absence, now.possible, 500) {
        reasons.push("band");
    }
    if !now.days.is_empty() {
        let recent: Vec<&(i64, i64)> = now
            .days
            .values()
            .filter(|(p, _)| *p > 0)
            .rev()
            .take(20)
            .collect();
        let (p, a) = recent.iter().fold((0, 0), |(p, a), d| (p + d.0, a + d.1));
        if at_least(a, p, 1000) {
            reasons.push("recent");
        }
    }
    if let Some(prev) = prev.filter(|p| p.possible > 0) {
        if at_least(prev.absence, prev.possible, 1000) {
            reasons.push("was_pa");
        }
        if (now.absence * prev.possible - prev.absence * now.possible) * 10_000
            >= 300 * prev.possible * now.possible
        {
            reasons.push("rising");
        }
    }
    (
        if reasons.is_empty() {
            "none"
        } else {
            "at_risk"
        },
        reasons,
    )
}

#[test]
fn sample_data_flags_and_cohorts_match_an_independent_reference() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sample.sqlite");
    let files = manifest();
    assert_eq!(files.len(), 9, "three schools, three files each");
    for (path, urn, term) in &files {
        let mut args = vec!["import", "--school", urn.as_str()];
        if !term.is_empty() {
            args.extend(["--term", term.as_str()]);
        }
        args.push(path.to_str().unwrap());
        let run = tsm(&db, &args);
        assert!(run.ok, "{}: {}", path.display(), run.stderr);
    }
    let urns: BTreeSet<String> = files.iter().map(|f| f.1.clone()).collect();
    let mut compared = 0;
    for urn in &urns {
        let school_files: Vec<_> = files.iter().filter(|f| &f.1 == urn).cloned().collect();
        let (terms, years) = reference(&school_files);
        let schools = tsm_json(&db, &["schools", "--json"]);
        let entry = schools["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["urn"] == urn.as_str())
            .unwrap();
        assert_eq!(
            entry["periods"],
            serde_json::json!(["2025-26 summer", "2026-27 autumn"]),
            "{urn}"
        );

        for (term, prev_term) in [
            ("2025-26 summer", None),
            ("2026-27 autumn", Some("2025-26 summer")),
        ] {
            let flags = tsm_json(&db, &["flags", "--school", urn, "--term", term, "--json"]);
            let pupils = flags["pupils"].as_array().unwrap();
            let expected = &terms[term];
            assert_eq!(pupils.len(), expected.len(), "{urn} {term}: pupil count");
            for p in pupils {
                let upn = p["upn"].as_str().unwrap();
                let want = &expected[upn];
                assert_eq!(
                    p["possible_sessions"].as_i64(),
                    Some(want.possible),
                    "{urn} {term} {upn}"
                );
                assert_eq!(
                    p["absence_sessions"].as_i64(),
                    Some(want.absence),
                    "{urn} {term} {upn}"
                );
                let prev = prev_term.and_then(|t| terms[t].get(upn));
                let (category, reasons) = classify(want, prev);
                assert_eq!(p["category"], category, "{urn} {term} {upn}");
                assert_eq!(
                    p["reasons"],
                    serde_json::json!(reasons),
                    "{urn} {term} {upn}"
                );
                compared += 1;
            }
        }

        // Cohorts by year group for the latest term, year groups from the details file.
        let autumn = &terms["2026-27 autumn"];
        let mut groups: BTreeMap<String, (i64, i64, i64, i64, i64)> = BTreeMap::new();
        for (upn, p) in autumn.iter().filter(|(_, p)| p.possible > 0) {
            let g = groups
                .entry(years.get(upn).cloned().unwrap_or_else(|| "unknown".into()))
                .or_default();
            let (category, _) = classify(p, None);
            g.0 += 1;
            g.1 += p.possible;
            g.2 += p.absence;
            g.3 += i64::from(category == "severe" || category == "persistent");
            g.4 += i64::from(category == "severe");
        }
        let cohorts = tsm_json(&db, &["cohorts", "--school", urn, "--by", "year", "--json"]);
        let got: BTreeMap<String, (i64, i64, i64, i64, i64)> = cohorts["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let n = |k: &str| g[k].as_i64().unwrap();
                (
                    g["group"].as_str().unwrap().to_owned(),
                    (
                        n("pupils"),
                        n("possible_sessions"),
                        n("absence_sessions"),
                        n("persistent"),
                        n("severe"),
                    ),
                )
            })
            .collect();
        assert_eq!(got, groups, "{urn}: cohorts by year");
    }
    assert!(compared > 3000, "compared {compared} pupil-terms");
}

#[test]
fn running_with_no_database_loads_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new").join("demo.sqlite");
    let run = tsm(&db, &["overview"]);
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("loading the bundled sample data (demo data, synthetic pupils)"),
        "{}",
        run.stdout
    );
    for name in [
        "Oakfield Primary School",
        "Riverside Academy",
        "Meadowbank School",
    ] {
        assert!(run.stdout.contains(name), "{name} missing:\n{}", run.stdout);
    }
    // The second run uses the database it made.
    let again = tsm(&db, &["overview"]);
    assert!(again.ok);
    assert!(!again.stdout.contains("loading the bundled sample data"));
}

#[test]
fn the_app_service_starts_a_new_database_on_the_sample_data_once() {
    use tsm_desk::service::Service;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app").join("demo.sqlite");
    let sample = tsm_desk::demo::sample_dir().unwrap();
    let mut steps = Vec::new();
    let mut service =
        Service::open(&db, None, Some(&sample), &mut |p| steps.push(p.label)).unwrap();
    assert!(service.is_demo());
    assert_eq!(steps.len(), 1, "{steps:?}");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let overview = service.overview(today).unwrap();
    let names: Vec<&str> = overview.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Oakfield Primary School",
            "Riverside Academy",
            "Meadowbank School"
        ]
    );
    let imports = |s: &Service| {
        s.table_counts()
            .unwrap()
            .into_iter()
            .find(|(t, _)| *t == "imports")
            .unwrap()
            .1
    };
    let n = imports(&service);
    assert_eq!(n, 9);
    drop(service);
    let mut steps = Vec::new();
    let again = Service::open(&db, None, Some(&sample), &mut |p| steps.push(p.label)).unwrap();
    assert!(again.is_demo());
    assert_eq!(imports(&again), n);
    assert!(
        steps.iter().all(|s| !s.contains("sample data")),
        "reloaded the sample data: {steps:?}"
    );
    // The second start of the day made the day's backup, and only one.
    let backups = tsm_desk::store::list_backups(&db.with_file_name("backups"), "demo").unwrap();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(backups[0].reason, "daily");
    drop(again);
    let _third = Service::open(&db, None, Some(&sample), &mut |_| {}).unwrap();
    let backups = tsm_desk::store::list_backups(&db.with_file_name("backups"), "demo").unwrap();
    assert_eq!(backups.len(), 1, "{backups:?}");
}

#[test]
fn sample_data_is_what_the_generator_makes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("regenerated");
    let run = tsm(
        &dir.path().join("unused.sqlite"),
        &["sample-data", "--out", out.to_str().unwrap()],
    );
    assert!(run.ok, "{}", run.stderr);
    for entry in std::fs::read_dir(sample_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        let committed = std::fs::read(&path).unwrap();
        let fresh = std::fs::read(out.join(name)).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} differs from what the generator writes",
            name.to_string_lossy()
        );
    }
}
