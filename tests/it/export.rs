//! CSV and XLSX exports of the actions tracker, a school's cohort tables and its pupil
//! list: written from the demo database with real meetings, read back (calamine for
//! XLSX, the csv crate for CSV) and compared with what the service reads from the
//! database. Also formula safety, bad file names, and the CLI commands end to end.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::common;

use calamine::{Data, Reader as _, Xlsx, open_workbook};
use chrono::NaiveDate;
use common::tsm;
use std::path::{Path, PathBuf};
use tsm_desk::domain::FlagCategory;
use tsm_desk::domain::meeting::{Action, ActionStatus, Edit, LeadPractitioner};
use tsm_desk::report::export::{
    actions_table, cohort_tables, pupil_list_table, write_csv, write_table, write_xlsx,
};
use tsm_desk::report::{Cell, ReportError};
use tsm_desk::service::Service;
use tsm_desk::service::view::{SchoolView, TrackedRow};
use tsm_desk::store::Store;

const OAKFIELD: &str = "990101";
const RIVERSIDE: &str = "990202";
const FORMULA: &str = "=cmd|' /C calc'!A0";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

use crate::common::now;

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// An action as the fixture agrees it.
struct Agreed {
    id: i64,
    urn: &'static str,
    /// Index into the school's flagged pupils, or `None` for a whole-school action.
    pupil: Option<usize>,
    what: &'static str,
    owner: &'static str,
    due: Option<NaiveDate>,
    status: ActionStatus,
    note: &'static str,
}

fn agreed() -> Vec<Agreed> {
    let a = |id, urn, pupil, what, owner, due, status, note| Agreed {
        id,
        urn,
        pupil,
        what,
        owner,
        due,
        status,
        note,
    };
    vec![
        a(
            101,
            OAKFIELD,
            Some(0),
            "Weekly mentor check-in",
            "Head of year",
            date(2026, 10, 1),
            ActionStatus::Open,
            "",
        ),
        a(
            102,
            OAKFIELD,
            Some(1),
            "Referral to Early Help",
            "DSL",
            date(2027, 1, 15),
            ActionStatus::Open,
            "",
        ),
        a(
            103,
            OAKFIELD,
            Some(2),
            FORMULA,
            "+1",
            None,
            ActionStatus::Partly,
            "-2",
        ),
        a(
            104,
            OAKFIELD,
            None,
            "Review first-day calling",
            "@SUM(1)",
            date(2026, 9, 1),
            ActionStatus::Done,
            "Done, see policy",
        ),
        a(
            105,
            OAKFIELD,
            Some(0),
            "Home visit",
            "EWO",
            date(2026, 11, 1),
            ActionStatus::NotDone,
            "No answer twice",
        ),
        a(
            201,
            RIVERSIDE,
            Some(0),
            "Attendance contract meeting",
            "Pastoral lead",
            date(2026, 12, 1),
            ActionStatus::NoLongerNeeded,
            "Moved school",
        ),
    ]
}

/// The demo database made through the CLI (`tsm-desk overview` on a new file), with
/// an autumn meeting at Oakfield and Riverside holding the [`agreed`] actions and a
/// lead practitioner for Oakfield's first flagged pupil.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.sqlite");
    let run = tsm(&db, &["overview"]);
    assert!(run.ok, "{}", run.stderr);
    let mut service = Service::new(Store::open(&db).unwrap()).unwrap();
    for urn in [OAKFIELD, RIVERSIDE] {
        let meeting = service.open_meeting(urn, None, now()).unwrap();
        let flagged: Vec<i64> = meeting
            .school
            .pupils
            .iter()
            .filter(|p| p.category != FlagCategory::None)
            .map(|p| p.pupil_id)
            .collect();
        assert!(flagged.len() >= 3, "{urn} has few flagged pupils");
        if urn == OAKFIELD {
            let lead = LeadPractitioner {
                organisation: "Early Help".into(),
                person: "A. Worker".into(),
            };
            service
                .edit_meeting(meeting.meeting.id, &Edit::Lead(flagged[0], lead), now())
                .unwrap();
        }
        for x in agreed().into_iter().filter(|x| x.urn == urn) {
            let mut a = Action::new(x.id, x.pupil.map(|i| flagged[i]));
            a.description = x.what.into();
            a.owner = x.owner.into();
            a.due = x.due;
            a.status = x.status;
            a.note = x.note.into();
            service
                .edit_meeting(meeting.meeting.id, &Edit::Action(a), now())
                .unwrap();
        }
    }
    (dir, db)
}

fn service(db: &Path) -> Service {
    Service::new(Store::open(db).unwrap()).unwrap()
}

fn sheet(path: &Path, name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(name).unwrap()
}

fn sheet_names(path: &Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.sheet_names()
}

/// A text cell (a blank cell reads as "").
fn text(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    match range.get((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

/// A numeric cell.
fn number(range: &calamine::Range<Data>, row: usize, col: usize) -> Option<f64> {
    match range.get((row, col)) {
        Some(Data::Float(f)) => Some(*f),
        #[expect(clippy::cast_precision_loss, reason = "small counts")]
        Some(Data::Int(i)) => Some(*i as f64),
        Some(Data::Empty) | None => None,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

/// A date cell: a real Excel date, not text.
fn excel_date(range: &calamine::Range<Data>, row: usize, col: usize) -> Option<NaiveDate> {
    match range.get((row, col)) {
        Some(Data::DateTime(d)) => {
            assert!(d.is_datetime());
            let serial = d.as_f64();
            assert!(serial.fract() == 0.0, "a date with a time: {serial}");
            #[expect(clippy::cast_possible_truncation, reason = "whole days")]
            let days = serial as i64;
            Some(date(1899, 12, 30).unwrap() + chrono::Duration::days(days))
        }
        Some(Data::Empty) | None => None,
        other => panic!("({row}, {col}) is not a date: {other:?}"),
    }
}

fn header(range: &calamine::Range<Data>) -> Vec<String> {
    (0..range.width()).map(|c| text(range, 0, c)).collect()
}

fn assert_close(got: Option<f64>, want: Option<f64>, what: &str) {
    match (got, want) {
        (Some(g), Some(w)) => assert!((g - w).abs() < 1e-9, "{what}: {g} != {w}"),
        (None, None) => {}
        _ => panic!("{what}: {got:?} != {want:?}"),
    }
}

/// Reads a CSV file written by the exporter (UTF-8 with a BOM), as records.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes.strip_prefix("\u{feff}".as_bytes()).expect("a BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// How a text cell must look in CSV: formula-like text behind a `'`.
fn csv_text(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// Checks one read-back actions row against the tracker row: `cells` holds the text
/// of each column as read (`escape` says how text was written), `due` the due date.
fn check_action_row(
    r: &TrackedRow,
    cells: &[String],
    due: Option<NaiveDate>,
    escape: fn(&str) -> String,
) {
    let want = [
        escape(&r.school),
        escape(&r.urn),
        escape(&r.period.to_string()),
        escape(&r.pupil),
        escape(&r.action.description),
        escape(&r.action.owner),
        String::new(), // due: compared as a date below
        escape(r.action.status.label()),
        escape(&r.lead),
        if r.overdue {
            "yes".into()
        } else {
            String::new()
        },
        escape(&r.action.note),
    ];
    for (c, w) in want.iter().enumerate() {
        if c != 6 {
            assert_eq!(&cells[c], w, "action {} column {c}", r.action.id);
        }
    }
    assert_eq!(due, r.action.due, "action {} due", r.action.id);
}

const ACTION_HEADER: [&str; 11] = [
    "School",
    "URN",
    "Term",
    "Pupil",
    "Action",
    "Owner",
    "Due",
    "Status",
    "Lead practitioner",
    "Overdue",
    "Note",
];

#[test]
fn actions_export_reads_back_as_the_tracker_rows() {
    let (dir, db) = fixture();
    let rows = service(&db).tracker(today()).unwrap();
    // The tracker reads back what the fixture agreed, with names, leads and overdue.
    let mut ids: Vec<i64> = rows.iter().map(|r| r.action.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [101, 102, 103, 104, 105, 201]);
    for x in agreed() {
        let r = rows.iter().find(|r| r.action.id == x.id).unwrap();
        assert_eq!(
            (r.urn.as_str(), r.action.description.as_str()),
            (x.urn, x.what)
        );
        assert_eq!(r.action.due, x.due);
        assert_eq!(r.action.status, x.status);
        assert_eq!(r.pupil.is_empty(), x.pupil.is_none());
        let overdue = x.status.is_open() && x.due.is_some_and(|d| d < today());
        assert_eq!(r.overdue, overdue, "action {}", x.id);
    }
    assert!(rows.iter().any(|r| r.lead == "Early Help"));
    assert_eq!(rows.iter().filter(|r| r.overdue).count(), 2);

    let table = actions_table(&rows);
    let xlsx = dir.path().join("actions.xlsx");
    write_xlsx(std::slice::from_ref(&table), &xlsx).unwrap();
    assert_eq!(sheet_names(&xlsx), ["Actions"]);
    let range = sheet(&xlsx, "Actions");
    assert_eq!(header(&range), ACTION_HEADER);
    assert_eq!(range.height(), rows.len() + 1);
    for (i, r) in rows.iter().enumerate() {
        let cells: Vec<String> = (0..11)
            .map(|c| {
                if c == 6 {
                    String::new()
                } else {
                    text(&range, i + 1, c)
                }
            })
            .collect();
        check_action_row(r, &cells, excel_date(&range, i + 1, 6), str::to_owned);
    }
    let wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    assert!(
        wb.defined_names()
            .iter()
            .any(|(name, to)| name == "_xlnm._FilterDatabase" && to.contains("$A$1:$K$7")),
        "an autofilter over the table: {:?}",
        wb.defined_names()
    );

    let csv_path = dir.path().join("actions.csv");
    write_csv(&table, &csv_path).unwrap();
    let records = read_csv(&csv_path);
    assert_eq!(records[0], ACTION_HEADER);
    assert_eq!(records.len(), rows.len() + 1);
    for (r, cells) in rows.iter().zip(&records[1..]) {
        let due = (!cells[6].is_empty())
            .then(|| NaiveDate::parse_from_str(&cells[6], "%Y-%m-%d").unwrap());
        check_action_row(r, cells, due, csv_text);
    }
    let raw = std::fs::read_to_string(&csv_path).unwrap();
    assert!(raw.contains("\r\n"), "CRLF line ends");
}

#[test]
fn formula_like_text_stays_text() {
    let (dir, db) = fixture();
    let rows = service(&db).tracker(today()).unwrap();
    let (i, r) = rows
        .iter()
        .enumerate()
        .find(|(_, r)| r.action.id == 103)
        .unwrap();
    assert_eq!(r.action.description, FORMULA);
    let table = actions_table(&rows);
    let xlsx = dir.path().join("actions.xlsx");
    write_xlsx(std::slice::from_ref(&table), &xlsx).unwrap();
    let range = sheet(&xlsx, "Actions");
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let formulas = wb.worksheet_formula("Actions").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas at all in the sheet"
    );
    let row = i + 1;
    assert_eq!(range.get((row, 4)), Some(&Data::String(FORMULA.into())));
    assert_eq!(range.get((row, 5)), Some(&Data::String("+1".into())));
    assert_eq!(range.get((row, 10)), Some(&Data::String("-2".into())));
    let j = rows.iter().position(|r| r.action.id == 104).unwrap();
    assert_eq!(range.get((j + 1, 5)), Some(&Data::String("@SUM(1)".into())));

    let csv_path = dir.path().join("actions.csv");
    write_csv(&table, &csv_path).unwrap();
    let records = read_csv(&csv_path);
    assert_eq!(records[row][4], format!("'{FORMULA}"));
    assert_eq!(records[row][5], "'+1");
    assert_eq!(records[row][10], "'-2");
    assert_eq!(records[j + 1][5], "'@SUM(1)");
    assert_eq!(records[j + 1][4], "Review first-day calling");
}

fn oakfield_view(db: &Path) -> SchoolView {
    service(db).school_view(OAKFIELD, None).unwrap()
}

#[test]
fn cohort_export_reads_back_as_the_school_view() {
    let (dir, db) = fixture();
    let view = oakfield_view(&db);
    assert!(view.by_year.len() >= 3 && view.characteristics.len() >= 4);
    let xlsx = dir.path().join("cohorts.xlsx");
    write_xlsx(&cohort_tables(&view), &xlsx).unwrap();
    assert_eq!(
        sheet_names(&xlsx),
        ["Absence by year group", "Absence by characteristic"]
    );
    let years = sheet(&xlsx, "Absence by year group");
    assert_eq!(years.height(), view.by_year.len() + 1);
    assert_eq!(text(&years, 0, 0), "Year group");
    for (i, g) in view.by_year.iter().enumerate() {
        let row = i + 1;
        assert_eq!(text(&years, row, 0), g.group);
        assert_eq!(number(&years, row, 1), Some(f64::from(g.pupils)));
        #[expect(clippy::cast_precision_loss, reason = "session counts")]
        {
            assert_eq!(number(&years, row, 2), Some(g.possible_sessions as f64));
            assert_eq!(number(&years, row, 3), Some(g.absence_sessions as f64));
        }
        assert_close(number(&years, row, 4), g.absence_rate, "absence rate");
        assert_eq!(number(&years, row, 5), Some(f64::from(g.persistent)));
        assert_close(number(&years, row, 6), g.persistent_rate, "PA rate");
        assert_eq!(number(&years, row, 7), Some(f64::from(g.severe)));
        assert_close(number(&years, row, 8), g.severe_rate, "SA rate");
    }
    let traits = sheet(&xlsx, "Absence by characteristic");
    assert_eq!(traits.height(), view.characteristics.len() + 1);
    for (i, c) in view.characteristics.iter().enumerate() {
        let row = i + 1;
        assert_eq!(text(&traits, row, 0), c.label);
        assert_eq!(number(&traits, row, 1), Some(f64::from(c.pupils)));
        assert_close(number(&traits, row, 2), c.absence_rate, "absence rate");
        assert_close(number(&traits, row, 3), c.persistent_rate, "PA rate");
    }
}

const BLANK_COLUMNS: [&str; 4] = [
    "Barriers / context",
    "Support in place",
    "Proposed lead practitioner",
    "Notes",
];

#[test]
fn pupil_list_export_holds_the_flagged_pupils_in_order_with_blank_columns() {
    let (dir, db) = fixture();
    let view = oakfield_view(&db);
    let flagged: Vec<_> = view
        .pupils
        .iter()
        .filter(|p| p.category != FlagCategory::None)
        .collect();
    assert!(
        flagged.len() < view.pupils.len(),
        "some pupils are not flagged"
    );
    for c in [
        FlagCategory::Severe,
        FlagCategory::Persistent,
        FlagCategory::AtRisk,
    ] {
        assert!(flagged.iter().any(|p| p.category == c), "{c:?}");
    }
    let table = pupil_list_table(&view);
    let xlsx = dir.path().join("pupils.xlsx");
    write_xlsx(std::slice::from_ref(&table), &xlsx).unwrap();
    let name = sheet_names(&xlsx).remove(0);
    let range = sheet(&xlsx, &name);
    let head = header(&range);
    assert_eq!(head.len(), 16);
    assert_eq!(&head[12..], BLANK_COLUMNS);
    let col = |title: &str| head.iter().position(|h| h == title).unwrap();
    assert_eq!(range.height(), flagged.len() + 1);
    let upns: Vec<String> = (1..range.height())
        .map(|r| text(&range, r, col("UPN")))
        .collect();
    let want: Vec<&str> = flagged.iter().map(|p| p.upn.as_str()).collect();
    assert_eq!(upns, want, "the short list's order");
    for (i, p) in flagged.iter().enumerate() {
        let row = i + 1;
        assert_eq!(text(&range, row, col("Name")), p.name);
        assert_close(
            number(&range, row, col("Absence rate")),
            p.absence_rate,
            "absence rate",
        );
        assert_close(
            number(&range, row, col("Change since last term")),
            p.change,
            "change",
        );
        assert_eq!(
            number(&range, row, col("Possible sessions")),
            Some(f64::from(p.possible))
        );
        assert_eq!(
            number(&range, row, col("Unauthorised")),
            Some(f64::from(p.unauthorised))
        );
        assert_eq!(text(&range, row, col("Why flagged")), p.reasons);
        let badges: Vec<&str> = p.badges.iter().map(|b| b.short()).collect();
        assert_eq!(text(&range, row, col("Characteristics")), badges.join(", "));
        for blank in BLANK_COLUMNS {
            assert_eq!(range.get((row, col(blank))).unwrap(), &Data::Empty);
        }
    }
    // The blank columns are wide enough to write in.
    for blank in BLANK_COLUMNS {
        let width = table
            .columns
            .iter()
            .find(|c| c.title == blank)
            .unwrap()
            .width;
        assert!(width >= 28.0, "{blank}: {width}");
    }
    // Every blank cell is an empty text cell in the table.
    assert!(
        table
            .rows
            .iter()
            .all(|r| r[12..].iter().all(|c| *c == Cell::Text(String::new())))
    );
}

#[test]
fn unknown_extensions_are_refused_and_write_nothing() {
    let (dir, db) = fixture();
    let tables = cohort_tables(&oakfield_view(&db));
    for name in ["cohorts.ods", "cohorts", "cohorts.xlsx.txt"] {
        let path = dir.path().join(name);
        let err = write_table(&tables, &path).unwrap_err();
        assert!(matches!(err, ReportError::Format(..)), "{err:?}");
        let message = err.to_string();
        assert!(
            message.contains(name) && message.contains(".xlsx or .csv"),
            "{message}"
        );
        assert!(!path.exists());
    }
    let listed: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("cohorts") || n.contains(".tmp"))
        .collect();
    assert!(listed.is_empty(), "{listed:?}");
    // Upper case is fine.
    write_table(&tables, &dir.path().join("COHORTS.XLSX")).unwrap();
    assert_eq!(sheet_names(&dir.path().join("COHORTS.XLSX")).len(), 2);
}

#[test]
fn a_failed_write_names_the_file_and_leaves_nothing_behind() {
    let (dir, db) = fixture();
    let table = pupil_list_table(&oakfield_view(&db));
    let tables = std::slice::from_ref(&table);
    // A folder in the way: the rename fails, the folder stays, no temporary file stays.
    let blocked = dir.path().join("blocked.xlsx");
    std::fs::create_dir(&blocked).unwrap();
    std::fs::write(blocked.join("keep.txt"), "x").unwrap();
    let err = write_table(tables, &blocked).unwrap_err();
    assert!(matches!(err, ReportError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains("blocked.xlsx"), "{err}");
    assert!(blocked.join("keep.txt").exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A missing folder.
    let missing = dir.path().join("no such folder").join("list.csv");
    let err = write_table(tables, &missing).unwrap_err();
    assert!(err.to_string().contains("list.csv"), "{err}");
    // A good file is replaced whole by a good one.
    let good = dir.path().join("list.csv");
    std::fs::write(&good, "old").unwrap();
    write_table(tables, &good).unwrap();
    assert_eq!(read_csv(&good).len(), table.rows.len() + 1);
}

#[test]
fn the_cli_writes_the_pupil_list_and_exports() {
    let (dir, db) = fixture();
    let out = |name: &str| dir.path().join(name);
    let path_str = |p: &Path| p.to_str().unwrap().to_owned();

    // Pupil list, XLSX: the view's flagged pupils in order.
    let view = oakfield_view(&db);
    let flagged: Vec<&str> = view
        .pupils
        .iter()
        .filter(|p| p.category != FlagCategory::None)
        .map(|p| p.upn.as_str())
        .collect();
    let list = out("oakfield.xlsx");
    let run = tsm(
        &db,
        &[
            "pupil-list",
            "--school",
            OAKFIELD,
            "--out",
            &path_str(&list),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(
        run.stdout.trim(),
        format!(
            "Wrote the pupil list for {} ({} pupils) to oakfield.xlsx",
            view.period,
            flagged.len()
        )
    );
    let name = sheet_names(&list).remove(0);
    let range = sheet(&list, &name);
    let upns: Vec<String> = (1..range.height()).map(|r| text(&range, r, 2)).collect();
    assert_eq!(upns, flagged);

    // Pupil list, CSV for an earlier term.
    let term = view.previous.unwrap();
    let summer = service(&db).school_view(OAKFIELD, Some(term)).unwrap();
    let csv_list = out("summer.csv");
    let run = tsm(
        &db,
        &[
            "pupil-list",
            "--school",
            OAKFIELD,
            "--term",
            &term.to_string(),
            "--out",
            &path_str(&csv_list),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let records = read_csv(&csv_list);
    let want: Vec<&str> = summer
        .pupils
        .iter()
        .filter(|p| p.category != FlagCategory::None)
        .map(|p| p.upn.as_str())
        .collect();
    let got: Vec<&str> = records[1..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(got, want);

    // Pupil list, PDF with initials: every flagged UPN, no flagged pupil's full name.
    let pdf = out("list.pdf");
    let run = tsm(
        &db,
        &[
            "pupil-list",
            "--school",
            OAKFIELD,
            "--names",
            "initials",
            "--out",
            &path_str(&pdf),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let printed = pdf_extract::extract_text(&pdf).unwrap();
    for p in view
        .pupils
        .iter()
        .filter(|p| p.category != FlagCategory::None)
    {
        assert!(printed.contains(&p.upn), "{} missing", p.upn);
        assert!(!printed.contains(&p.name), "a full name was printed");
    }

    // The action log of Oakfield's meeting, from the CLI.
    let meeting = service(&db)
        .open_meeting(OAKFIELD, None, now())
        .unwrap()
        .meeting;
    let log = out("log.pdf");
    let run = tsm(
        &db,
        &[
            "action-log",
            "--meeting",
            &meeting.id.to_string(),
            "--out",
            &path_str(&log),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!(
            "Wrote the action log of meeting #{} (",
            meeting.id
        )),
        "{}",
        run.stdout
    );
    let printed = pdf_extract::extract_text(&log).unwrap();
    let printed = printed.split_whitespace().collect::<Vec<_>>().join(" ");
    for a in &meeting.actions {
        let first_words: String = a
            .description
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(printed.contains(&first_words), "{first_words:?} missing");
    }
    // The same meeting found by school (its latest term), with initials.
    let log2 = out("log2.pdf");
    let run = tsm(
        &db,
        &[
            "action-log",
            "--school",
            OAKFIELD,
            "--names",
            "initials",
            "--out",
            &path_str(&log2),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    let printed = pdf_extract::extract_text(&log2).unwrap();
    assert!(printed.contains("initials and UPN"));
    assert!(
        !printed.contains(&view.pupils[0].name),
        "a name was printed"
    );
    let run = tsm(
        &db,
        &[
            "action-log",
            "--meeting",
            "999999",
            "--out",
            &path_str(&out("x.pdf")),
        ],
    );
    assert!(!run.ok);
    assert!(!out("x.pdf").exists());

    // Other extensions are refused; no file.
    for name in ["list.txt", "list.ods"] {
        let path = out(name);
        let run = tsm(
            &db,
            &[
                "pupil-list",
                "--school",
                OAKFIELD,
                "--out",
                &path_str(&path),
            ],
        );
        assert!(!run.ok);
        assert!(run.stderr.contains(name), "{}", run.stderr);
        assert!(!path.exists());
    }

    // Actions, filtered as the tracker filters them.
    let rows = service(&db).tracker(today()).unwrap();
    let whats = |keep: &dyn Fn(&TrackedRow) -> bool| -> Vec<String> {
        rows.iter()
            .filter(|r| keep(r))
            .map(|r| r.action.description.clone())
            .collect()
    };
    let cases: [(&[&str], Vec<String>); 5] = [
        (&[], whats(&|_| true)),
        (&["--status", "open"], whats(&|r| r.action.status.is_open())),
        (
            &["--status", "done"],
            whats(&|r| r.action.status == ActionStatus::Done),
        ),
        (&["--overdue"], whats(&|r| r.overdue)),
        (&["--school", RIVERSIDE], whats(&|r| r.urn == RIVERSIDE)),
    ];
    for (i, (flags, want)) in cases.iter().enumerate() {
        let path = out(&format!("actions{i}.xlsx"));
        let mut args = vec!["export", "actions", "--today", "2026-11-23"];
        let p = path_str(&path);
        args.extend(["--out", p.as_str()]);
        args.extend(flags.iter());
        let run = tsm(&db, &args);
        assert!(run.ok, "{args:?}: {}", run.stderr);
        assert!(
            run.stdout
                .starts_with(&format!("Wrote {} action", want.len())),
            "{}",
            run.stdout
        );
        let range = sheet(&path, "Actions");
        let got: Vec<String> = (1..range.height()).map(|r| text(&range, r, 4)).collect();
        assert_eq!(&got, want, "{flags:?}");
    }
    assert_eq!(cases[3].1.len(), 2, "two overdue actions");
    let run = tsm(
        &db,
        &[
            "export",
            "actions",
            "--status",
            "late",
            "--out",
            &path_str(&out("x.csv")),
        ],
    );
    assert!(!run.ok && run.stderr.contains("not_done"), "{}", run.stderr);
    let run = tsm(
        &db,
        &[
            "export",
            "actions",
            "--school",
            "999999",
            "--out",
            &path_str(&out("x.csv")),
        ],
    );
    assert!(!run.ok && run.stderr.contains("999999"), "{}", run.stderr);
    assert!(!out("x.csv").exists());

    // Cohorts as CSV: two titled tables, blank line between.
    let cohorts = out("cohorts.csv");
    let run = tsm(
        &db,
        &[
            "export",
            "cohorts",
            "--school",
            OAKFIELD,
            "--out",
            &path_str(&cohorts),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(run.stdout.starts_with("Wrote "), "{}", run.stdout);
    let raw = std::fs::read_to_string(&cohorts).unwrap();
    let blocks: Vec<&str> = raw
        .trim_start_matches('\u{feff}')
        .split("\r\n\r\n")
        .collect();
    assert_eq!(blocks.len(), 2, "{raw}");
    assert!(blocks[0].starts_with("Absence by year group\r\nYear group,"));
    assert!(blocks[1].starts_with("Absence by characteristic\r\nCharacteristic,"));
    assert_eq!(blocks[0].trim_end().lines().count(), view.by_year.len() + 2);
    assert_eq!(
        blocks[1].trim_end().lines().count(),
        view.characteristics.len() + 2
    );
    let first = view.by_year.first().unwrap();
    let row: Vec<&str> = blocks[0].lines().nth(2).unwrap().split(',').collect();
    assert_eq!(row[0], first.group);
    assert_eq!(
        row[4],
        format!("{:.1}%", first.absence_rate.unwrap() * 100.0)
    );
    // And XLSX.
    let cohorts = out("cohorts.xlsx");
    let run = tsm(
        &db,
        &[
            "export",
            "cohorts",
            "--school",
            OAKFIELD,
            "--out",
            &path_str(&cohorts),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(sheet_names(&cohorts).len(), 2);
}

/// Names and reg groups that would start like formulas (the importer refuses them now,
/// so they are stored directly) leave the pupil list as text: CSV with a leading `'`,
/// XLSX as string cells, and no formula anywhere in the sheet.
#[test]
fn formula_like_pupil_names_export_as_text() {
    use tsm_desk::domain::{
        BatchContent, ImportBatch, Layout, Period, PupilDetails, SessionCounts, SummaryRow, Term,
        Upn,
    };
    use tsm_desk::store::ImportOptions;
    let urn = "100009";
    // (forename, surname, reg group): each pupil severely absent, so on the list.
    let pupils = [
        ("=cmd|' /C calc'!A0", "Pupil", "+7A"),
        ("@SUM(1+1)", "Pupil", "-cmd|' /C calc'!A0"),
        ("+1+2", "-2+3", "=HYPERLINK(\"x\")"),
        ("-x", "Pupil", "@7B"),
    ];
    let mut batch = ImportBatch {
        file_name: "direct.csv".into(),
        sha256: "0".repeat(64),
        layout: Layout::Summary,
        pupils: Vec::new(),
        content: BatchContent::Summary(Vec::new()),
        rows: pupils.len(),
        warnings: Vec::new(),
        as_of: None,
    };
    let mut rows = Vec::new();
    for (i, (fore, sur, reg)) in pupils.iter().enumerate() {
        let upn = Upn::with_check_letter(&format!("8202001{:05}", 25100 + i)).unwrap();
        let details = PupilDetails {
            forename: Some((*fore).to_owned()),
            surname: Some((*sur).to_owned()),
            reg_group: Some((*reg).to_owned()),
            ..PupilDetails::default()
        };
        batch.pupils.push((upn.clone(), details, i + 2));
        rows.push(SummaryRow {
            line: i + 2,
            upn,
            counts: SessionCounts {
                possible: 100,
                present: 40,
                unauthorised: 60,
                ..SessionCounts::default()
            },
        });
    }
    batch.content = BatchContent::Summary(rows);
    let mut store = Store::open_in_memory().unwrap();
    let options = ImportOptions {
        term: Some(Period::new(2025, Term::Autumn)),
        ..ImportOptions::default()
    };
    store.import_batch(urn, &batch, &options).unwrap();
    let mut service = Service::new(store).unwrap();
    let view = service.school_view(urn, None).unwrap();
    let table = pupil_list_table(&view);
    assert_eq!(table.rows.len(), pupils.len(), "every pupil is on the list");

    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("pupils.csv");
    write_csv(&table, &csv_path).unwrap();
    let records = read_csv(&csv_path);
    let xlsx = dir.path().join("pupils.xlsx");
    write_xlsx(std::slice::from_ref(&table), &xlsx).unwrap();
    let name = sheet_names(&xlsx).remove(0);
    let range = sheet(&xlsx, &name);
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let formulas = wb.worksheet_formula(&name).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas at all in the sheet"
    );
    let head = header(&range);
    let col = |title: &str| head.iter().position(|h| h == title).unwrap();
    for (fore, sur, reg) in pupils {
        let full = format!("{fore} {sur}");
        let row = (1..range.height())
            .find(|&r| text(&range, r, col("Name")) == full)
            .unwrap_or_else(|| panic!("{full} is in the sheet"));
        assert_eq!(
            range.get((row, col("Name"))),
            Some(&Data::String(full.clone()))
        );
        assert_eq!(
            range.get((row, col("Reg group"))),
            Some(&Data::String(reg.to_owned()))
        );
        let rec = records
            .iter()
            .find(|r| r.get(col("Name")) == Some(&format!("'{full}")))
            .unwrap_or_else(|| panic!("'{full} is in the CSV"));
        assert_eq!(rec[col("Reg group")], format!("'{reg}"));
    }
}
