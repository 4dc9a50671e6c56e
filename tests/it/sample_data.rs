//! The bundled sample data end to end: `tsm-desk import` of every file in
//! `sample_data/`, then `flags`, `cohorts` and `overview`, checked pupil by pupil
//! against a reference worked out here independently of the code under test: its own
//! file reading (plain splitting, calamine for the XLSX), its own code table and its own
//! integer arithmetic for the rules in `shared/domain.md`. The three MIS schools come
//! from their marks and summaries; the other three only from the two weeks of the DfE
//! weekly file.

#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

use crate::common;

use calamine::{Data, Reader as _};
use common::{tsm, tsm_json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tsm_desk::domain::Clock;

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

/// One manifest row: file, URN, term, and the day a weekly file's figures run to.
#[derive(Clone)]
struct Listed {
    path: PathBuf,
    urn: String,
    term: String,
    as_of: String,
}

fn manifest() -> Vec<Listed> {
    let text = std::fs::read_to_string(sample_dir().join("manifest.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("file,urn,school,phase,term,as_of"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), 6, "{l}");
            Listed {
                path: sample_dir().join(cells[0]),
                urn: cells[1].to_owned(),
                term: cells[4].to_owned(),
                as_of: cells[5].to_owned(),
            }
        })
        .collect()
}

/// Imports every file of the manifest, in order, as its row says.
fn import_all(db: &Path, files: &[Listed]) {
    for f in files {
        let mut args = vec!["import"];
        if !f.urn.is_empty() {
            args.extend(["--school", f.urn.as_str()]);
        }
        if !f.term.is_empty() {
            args.extend(["--term", f.term.as_str()]);
        }
        if !f.as_of.is_empty() {
            args.extend(["--as-of", f.as_of.as_str()]);
        }
        args.push(f.path.to_str().unwrap());
        let run = tsm(db, &args);
        assert!(run.ok, "{}: {}", f.path.display(), run.stderr);
    }
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
    files: &[Listed],
) -> (
    BTreeMap<String, BTreeMap<String, Pupil>>,
    BTreeMap<String, String>,
) {
    let mut terms: BTreeMap<String, BTreeMap<String, Pupil>> = BTreeMap::new();
    let mut years = BTreeMap::new();
    for Listed { path, term, .. } in files {
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

/// Each school day's (possible, absence) summed over every pupil of the term.
type SchoolDays = BTreeMap<Day, (i64, i64)>;

/// A school day: (year, month, day).
type Day = (i32, u32, u32);

fn school_days(pupils: &BTreeMap<String, Pupil>) -> SchoolDays {
    let mut out = SchoolDays::new();
    for p in pupils.values() {
        for (day, (possible, absence)) in &p.days {
            let e = out.entry(*day).or_default();
            e.0 += possible;
            e.1 += absence;
        }
    }
    out
}

/// The rules of shared/domain.md in integers, with the defaults of issue 16 (band from
/// 7%; *recent* 10% and 10 points above the rest of the school over the same days):
/// (category, reasons).
fn classify(
    now: &Pupil,
    prev: Option<&Pupil>,
    school: &SchoolDays,
) -> (&'static str, Vec<&'static str>) {
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
    if at_least(now.absence, now.possible, 700) {
        reasons.push("band");
    }
    if !now.days.is_empty() {
        let recent: Vec<(&Day, &(i64, i64))> = now
            .days
            .iter()
            .filter(|(_, (p, _))| *p > 0)
            .rev()
            .take(20)
            .collect();
        let (p, a) = recent
            .iter()
            .fold((0, 0), |(p, a), d| (p + d.1.0, a + d.1.1));
        // The rest of the school on the same days.
        let (sp, sa) = recent.iter().fold((0, 0), |(sp, sa), (day, own)| {
            let all = school.get(*day).copied().unwrap_or(**own);
            (sp + all.0 - own.0, sa + all.1 - own.1)
        });
        let above = sp == 0 || (a * sp - sa * p) * 10_000 >= 1000 * p * sp;
        if at_least(a, p, 1000) && above {
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
    assert_eq!(
        files.len(),
        11,
        "three MIS schools with three files each, then two weeks of the DfE file"
    );
    import_all(&db, &files);
    let urns: BTreeSet<String> = files
        .iter()
        .filter(|f| !f.urn.is_empty())
        .map(|f| f.urn.clone())
        .collect();
    assert_eq!(urns.len(), 3);
    let mut compared = 0;
    for urn in &urns {
        let school_files: Vec<_> = files.iter().filter(|f| &f.urn == urn).cloned().collect();
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
            let school = school_days(&terms[term]);
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
                let (category, reasons) = classify(want, prev, &school);
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
            let (category, _) = classify(p, None, &SchoolDays::new());
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

    let weekly: Vec<&Listed> = files.iter().filter(|f| f.urn.is_empty()).collect();
    let [first, second] = weekly.as_slice() else {
        panic!("two weekly files")
    };
    assert_eq!(
        (first.as_of.as_str(), second.as_of.as_str()),
        ("2026-11-13", "2026-11-20"),
        "the earlier week first, so the later one's figures are current"
    );
    let compared = check_weekly_schools(&db, &first.path, &second.path);
    assert!(compared > 1000, "compared {compared} weekly pupils");

    let overview = tsm_json(&db, &["overview", "--json"]);
    let urns: Vec<&str> = overview["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["urn"].as_str().unwrap())
        .collect();
    assert_eq!(
        urns,
        ["990101", "990202", "990303", "990404", "990505", "990606"]
    );
}

/// One row of the DfE weekly file, as the reference reads it.
struct WeeklyPupil {
    school: String,
    year: String,
    /// Present + approved educational activity + authorised + unauthorised.
    possible: i64,
    absence: i64,
    /// The file's possible sessions above that (not yet marked).
    unmarked: i64,
    compulsory: bool,
    tags: Vec<String>,
}

/// A DfE weekly file read with plain splitting: (URN, UPN) to the pupil, after checking
/// the file's own totals and flags (its flags are worked out on the percentage rounded
/// to one decimal place, as the DfE's are).
fn weekly_file(path: &Path) -> BTreeMap<(String, String), WeeklyPupil> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.len(), 38, "the DfE file's 38 columns");
    let fixture = std::fs::read_to_string(common::fixture("dfe_weekly_week1.csv")).unwrap();
    assert_eq!(
        Some(header.join(",").as_str()),
        fixture.lines().next(),
        "the same header as the DfE's"
    );
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let mut out = BTreeMap::new();
    for line in lines {
        let r: Vec<&str> = line.split(',').collect();
        assert_eq!(r.len(), 38, "{line}");
        let n = |name: &str| r[col(name)].parse::<i64>().unwrap();
        let flag = |name: &str| match r[col(name)] {
            "yes" => Some(true),
            "no" => Some(false),
            "unknown" => None,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(r[col("academic_term")], "2026/27 Autumn term");
        let (present, aea) = (
            n("present_sessions"),
            n("approved_educational_activity_sessions"),
        );
        let (authorised, unauthorised) = (
            n("authorised_absent_sessions"),
            n("unauthorised_absent_sessions"),
        );
        let absence = authorised + unauthorised;
        let possible = present + aea + absence;
        let file_possible = n("possible_sessions");
        assert_eq!(n("absent_sessions"), absence, "{line}");
        assert_eq!(
            r[col("full_days_missed")],
            format!("{}.{}", absence / 2, if absence % 2 == 1 { 5 } else { 0 }),
            "{line}"
        );
        assert!(file_possible >= possible, "{line}");
        // Rounded to one decimal place: 9.95% and above shows as 10.0%.
        let rounded_at_least =
            |tenths: i64| file_possible > 0 && absence * 2000 >= (2 * tenths - 1) * file_possible;
        assert_eq!(
            flag("persistently_absent"),
            Some(rounded_at_least(100)),
            "{line}"
        );
        assert_eq!(
            flag("severely_absent"),
            Some(rounded_at_least(500)),
            "{line}"
        );
        let compulsory = flag("compulsory_school_age").unwrap();
        let year = match r[col("year_group")] {
            y @ ("N1" | "N2" | "R") => y.to_owned(),
            y => format!("Y{}", y.parse::<i32>().unwrap()),
        };
        let dmy = |iso: &str| {
            let p: Vec<&str> = iso.split('-').collect();
            format!("{}/{}/{}", p[2], p[1], p[0])
        };
        let mut tags = Vec::new();
        let leaving = r[col("leaving_date")];
        if !leaving.is_empty() {
            tags.push(format!("left {}", dmy(leaving)));
        }
        // Joined more than a week after the usual start of term (1 September).
        let admitted = r[col("admission_date")];
        if admitted > "2026-09-08" {
            tags.push(format!("joined {}", dmy(admitted)));
        }
        let home = r[col("home_local_authority_name")];
        if home != r[col("school_local_authority_name")] {
            tags.push(format!("lives in {home}"));
        }
        if !compulsory {
            tags.push("not of compulsory school age".to_owned());
        }
        let key = (
            r[col("unique_reference_number")].to_owned(),
            r[col("UPN")].to_owned(),
        );
        let pupil = WeeklyPupil {
            school: key.0.clone(),
            year,
            possible,
            absence,
            unmarked: file_possible - possible,
            compulsory,
            tags,
        };
        assert!(out.insert(key, pupil).is_none(), "{line}: repeated");
    }
    out
}

/// Checks the three schools of the weekly files (imported as the manifest says, the
/// earlier week first) pupil by pupil against the later file, with the recent window
/// from the difference between the two weeks; their cohorts, overview rows and weekly
/// line. Returns how many pupils were compared.
fn check_weekly_schools(db: &Path, earlier: &Path, later: &Path) -> usize {
    let before = weekly_file(earlier);
    let now = weekly_file(later);
    let unmarked = |f: &BTreeMap<_, WeeklyPupil>| f.values().filter(|p| p.unmarked > 0).count();
    assert_eq!((unmarked(&before), unmarked(&now)), (1, 1));
    let at_least = |a: i64, p: i64, bp: i64| p > 0 && a * 10_000 >= bp * p;
    let schools: BTreeSet<&str> = now.values().map(|p| p.school.as_str()).collect();
    assert_eq!(
        schools.iter().copied().collect::<Vec<_>>(),
        ["990404", "990505", "990606"]
    );
    let listed = tsm_json(db, &["schools", "--json"]);
    let overview = tsm_json(db, &["overview", "--json"]);
    let mut compared = 0;
    for urn in schools {
        let entry = listed["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["urn"] == urn)
            .unwrap();
        assert_eq!(
            entry["periods"],
            serde_json::json!(["2026-27 autumn"]),
            "{urn}"
        );
        let flags = tsm_json(db, &["flags", "--school", urn, "--json"]);
        assert_eq!(flags["term"], "2026-27 autumn");
        let pupils = flags["pupils"].as_array().unwrap();
        let expected: BTreeMap<&str, &WeeklyPupil> = now
            .iter()
            .filter(|((u, _), _)| u == urn)
            .map(|((_, upn), p)| (upn.as_str(), p))
            .collect();
        assert_eq!(pupils.len(), expected.len(), "{urn}: pupil count");
        // Each pupil's (absence, possible) in the week between the two files.
        let week = |upn: &str| {
            let then = before.get(&(urn.to_owned(), upn.to_owned()));
            let (a, p0) = then.map_or((0, 0), |t| (t.absence, t.possible));
            let want = expected[upn];
            (want.absence - a, want.possible - p0)
        };
        let school_week = expected.keys().fold((0, 0), |(sa, sp), upn| {
            let (a, p) = week(upn);
            (sa + a.max(0), sp + p.max(0))
        });
        // Headline figures count pupils of compulsory school age with possible
        // sessions: (pupils, possible, absence, persistent, severe).
        let mut headline = (0i64, 0i64, 0i64, 0i64, 0i64);
        let mut groups: BTreeMap<String, (i64, i64, i64, i64, i64)> = BTreeMap::new();
        for p in pupils {
            let upn = p["upn"].as_str().unwrap();
            let want = expected[upn];
            let what = format!("{urn} {upn}");
            assert_eq!(
                p["possible_sessions"].as_i64(),
                Some(want.possible),
                "{what}"
            );
            assert_eq!(p["absence_sessions"].as_i64(), Some(want.absence), "{what}");
            assert_eq!(
                p["unmarked_sessions"].as_i64(),
                Some(want.unmarked),
                "{what}"
            );
            assert_eq!(p["year_group"], want.year.as_str(), "{what}");
            assert_eq!(p["compulsory_school_age"], want.compulsory, "{what}");
            assert_eq!(p["tags"], serde_json::json!(want.tags), "{what}");
            let (category, reasons) = if want.possible == 0 {
                ("none", vec![])
            } else if at_least(want.absence, want.possible, 5000) {
                ("severe", vec![])
            } else if at_least(want.absence, want.possible, 1000) {
                ("persistent", vec![])
            } else {
                let mut reasons = vec![];
                if at_least(want.absence, want.possible, 700) {
                    reasons.push("band");
                }
                // No marks: the recent window is the week between the two files, and
                // the rest of the school's the same week.
                let (a, p) = week(upn);
                let (sa, sp) = (school_week.0 - a.max(0), school_week.1 - p.max(0));
                let above = sp == 0 || (a * sp - sa * p) * 10_000 >= 1000 * p * sp;
                if at_least(a, p, 1000) && above {
                    reasons.push("recent");
                }
                let category = if reasons.is_empty() {
                    "none"
                } else {
                    "at_risk"
                };
                (category, reasons)
            };
            assert_eq!(p["category"], category, "{what}");
            assert_eq!(p["reasons"], serde_json::json!(reasons), "{what}");
            if want.compulsory && want.possible > 0 {
                let pa = i64::from(at_least(want.absence, want.possible, 1000));
                let sa = i64::from(at_least(want.absence, want.possible, 5000));
                for t in [&mut headline, groups.entry(want.year.clone()).or_default()] {
                    t.0 += 1;
                    t.1 += want.possible;
                    t.2 += want.absence;
                    t.3 += pa;
                    t.4 += sa;
                }
            }
            compared += 1;
        }

        let row = overview["schools"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["urn"] == urn)
            .unwrap();
        let close = |v: &serde_json::Value, a: i64, b: i64| {
            v.as_f64()
                .is_some_and(|v| (v - a as f64 / b as f64).abs() < 1e-12)
        };
        let (n, possible, absence, pa, sa) = headline;
        assert_eq!(row["latest_term"], "2026-27 autumn", "{row}");
        assert_eq!(row["pupils"].as_i64(), Some(n), "{row}");
        assert!(close(&row["absence_rate"], absence, possible), "{row}");
        assert_eq!(row["persistent"].as_i64(), Some(pa), "{row}");
        assert_eq!(row["severe"].as_i64(), Some(sa), "{row}");
        assert!(close(&row["persistent_rate"], pa, n), "{row}");
        assert!(close(&row["severe_rate"], sa, n), "{row}");

        let cohorts = tsm_json(db, &["cohorts", "--school", urn, "--by", "year", "--json"]);
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

        // The weekly line: the term to 13 November, then the week to 20 November.
        let sum = |f: &BTreeMap<(String, String), WeeklyPupil>| {
            f.values()
                .filter(|p| p.school == urn && p.compulsory)
                .fold((0, 0), |(pos, abs), p| (pos + p.possible, abs + p.absence))
        };
        let (p1, a1) = sum(&before);
        let (p2, a2) = sum(&now);
        let summary = tsm_json(db, &["summary", "--school", urn, "--json"]);
        let weeks: Vec<(String, i64, i64)> = summary["weekly"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| {
                (
                    w["label"].as_str().unwrap().to_owned(),
                    w["possible_sessions"].as_i64().unwrap(),
                    w["absence_sessions"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            weeks,
            [
                ("to 13/11/2026".to_owned(), p1, a1),
                ("week to 20/11/2026".to_owned(), p2 - p1, a2 - a1)
            ],
            "{urn}"
        );
    }
    compared
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
        "Hawthorn Primary School",
        "Kingsmead Academy",
        "Willowbrook Primary School",
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
    let mut service = Service::open(&db, None, Some(&sample), &Clock::new(), &mut |p| {
        steps.push(p.label)
    })
    .unwrap();
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
            "Meadowbank School",
            "Hawthorn Primary School",
            "Kingsmead Academy",
            "Willowbrook Primary School"
        ]
    );
    // The weekly schools' line has both weeks, so the later file's figures are current.
    let summary = service.summary("990404", None).unwrap();
    assert_eq!(summary.weekly.len(), 2);
    let imports = |s: &Service| {
        s.table_counts()
            .unwrap()
            .into_iter()
            .find(|(t, _)| *t == "imports")
            .unwrap()
            .1
    };
    // Nine MIS files, and each weekly file once for each of its three schools.
    let n = imports(&service);
    assert_eq!(n, 9 + 2 * 3);
    drop(service);
    let mut steps = Vec::new();
    let again = Service::open(&db, None, Some(&sample), &Clock::new(), &mut |p| {
        steps.push(p.label)
    })
    .unwrap();
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
    let _third = Service::open(&db, None, Some(&sample), &Clock::new(), &mut |_| {}).unwrap();
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
