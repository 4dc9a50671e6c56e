//! Bad input: every case ends in a clear error naming file, line and field, and the
//! database is left exactly as it was.
#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

use crate::common;

use common::{counts, fixture, tsm, write};
use tsm_desk::import::{ColumnMapping, read_file};
use tsm_desk::store::{ImportOptions, Store};

const A: &str = "G820200125001";
const B: &str = "W820200125002";

/// A database already holding the fixtures, so "unchanged" means something.
fn populated() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.sqlite");
    let prev = fixture("previous_summary.csv");
    assert!(
        tsm(
            &db,
            &[
                "import",
                "--school",
                "100001",
                "--term",
                "2024-25 summer",
                prev.to_str().unwrap()
            ]
        )
        .ok
    );
    let marks = fixture("autumn_wide.csv");
    assert!(
        tsm(
            &db,
            &["import", "--school", "100001", marks.to_str().unwrap()]
        )
        .ok
    );
    (dir, db)
}

/// Imports `bytes` as `name` through the CLI and returns the error text, checking the
/// database did not change.
fn refused(name: &str, bytes: &[u8], extra: &[&str]) -> String {
    let (dir, db) = populated();
    let before = counts(&Store::open(&db).unwrap());
    let path = write(dir.path(), name, bytes);
    let mut args = vec!["import", "--school", "100001"];
    args.extend_from_slice(extra);
    args.push(path.to_str().unwrap());
    let run = tsm(&db, &args);
    assert!(!run.ok, "{name} should be refused: {}", run.stdout);
    let after = counts(&Store::open(&db).unwrap());
    assert_eq!(before, after, "{name} changed the database");
    run.stderr
}

#[test]
fn unknown_code() {
    let csv = format!("UPN,Date,Session,Mark\n{A},01/09/2025,AM,/\n{A},01/09/2025,PM,ZZ\n");
    let err = refused("marks.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("marks.csv, line 3, field Mark: unknown attendance code \"ZZ\""),
        "{err}"
    );
}

#[test]
fn bad_date() {
    let csv = format!("UPN,Date,AM Mark,PM Mark\n{A},01/09/2025,/,\\\n{A},31/09/2025,/,\\\n");
    let err = refused("wide.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("wide.csv, line 3, field Date: \"31/09/2025\" is not a date"),
        "{err}"
    );
}

#[test]
fn missing_column() {
    let csv = format!("UPN,Possible Sessions,Present,Authorised Absences\n{A},100,90,10\n");
    let err = refused("summary.csv", csv.as_bytes(), &["--term", "2025-26 autumn"]);
    assert!(err.contains("summary.csv, line 1, field Unauthorised Absences: missing column Unauthorised Absences for the summary layout"), "{err}");
}

#[test]
fn duplicate_pupil_in_a_summary() {
    let csv = format!(
        "UPN,Possible,Present,Authorised,Unauthorised\n{A},100,90,10,0\n{B},100,100,0,0\n{A},100,95,5,0\n"
    );
    let err = refused("summary.csv", csv.as_bytes(), &["--term", "2025-26 autumn"]);
    assert!(
        err.contains("summary.csv, line 4, field UPN: the same UPN is already on line 2"),
        "{err}"
    );
}

#[test]
fn conflicting_duplicate_marks() {
    let csv = format!(
        "UPN,Date,Session,Mark\n{A},01/09/2025,AM,/\n{A},01/09/2025,PM,\\\n{A},01/09/2025,AM,N\n"
    );
    let err = refused("marks.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("marks.csv, line 4, field Mark: mark N conflicts with mark / on line 2"),
        "{err}"
    );
}

#[test]
fn totals_above_possible() {
    let csv =
        format!("UPN,Possible,Present,Authorised,Unauthorised\n{A},100,90,10,0\n{B},100,95,5,3\n");
    let err = refused("summary.csv", csv.as_bytes(), &["--term", "2025-26 autumn"]);
    assert!(
        err.contains("summary.csv, line 3, field Possible: attendance 95 + authorised 5 + unauthorised 3 = 103, more than the 100 possible sessions"),
        "{err}"
    );
}

#[test]
fn wrong_encoding() {
    // UTF-16 without a byte-order mark: NUL bytes between the characters.
    let text = format!("UPN,Date,Session,Mark\n{A},01/09/2025,AM,/\n");
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let err = refused("utf16.csv", &bytes, &[]);
    assert!(
        err.contains("utf16.csv, line 1: unreadable text, NUL bytes"),
        "{err}"
    );
    // A binary file.
    let err = refused(
        "photo.csv",
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13],
        &[],
    );
    // The signature holds a CR LF before the first control character, so line 2.
    assert!(
        err.contains("photo.csv, line 2: unreadable text, control character U+001A"),
        "{err}"
    );
}

#[test]
fn bad_upn_and_bad_year_group() {
    let csv = "UPN,Date,Session,Mark\nA12345,01/09/2025,AM,/\n";
    let err = refused("marks.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("marks.csv, line 2, field UPN: not a UPN"),
        "{err}"
    );
    let csv = format!("UPN,Surname,Year Group\n{A},Testpupil,7\n{B},Testpupil,Year 17\n");
    let err = refused("details.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("details.csv, line 3, field Year Group: \"Year 17\" is not a year group"),
        "{err}"
    );
}

#[test]
fn negative_and_fractional_counts() {
    let csv = format!("UPN,Possible,Present,Authorised,Unauthorised\n{A},100,90,-10,0\n");
    let err = refused("summary.csv", csv.as_bytes(), &["--term", "2025-26 autumn"]);
    assert!(
        err.contains("line 2, field Authorised: \"-10\" is not a whole number of sessions"),
        "{err}"
    );
}

#[test]
fn empty_file_and_header_only() {
    let err = refused("empty.csv", b"", &[]);
    assert!(err.contains("empty.csv: the file is empty"), "{err}");
    let err = refused("header.csv", b"UPN,Date,Session,Mark\n", &[]);
    assert!(
        err.contains("header.csv: no pupil rows after the header"),
        "{err}"
    );
}

#[test]
fn broken_xlsx_cell() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["UPN", "Date", "AM Mark", "PM Mark"].iter().enumerate() {
        ws.write_string(0, u16::try_from(c).unwrap(), *h).unwrap();
    }
    ws.write_string(1, 0, A).unwrap();
    ws.write_string(1, 1, "01/09/2025").unwrap();
    ws.write_string(1, 2, "/").unwrap();
    ws.write_string(1, 3, "Q9").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let err = refused("marks.xlsx", &bytes, &[]);
    assert!(
        err.contains("marks.xlsx, line 2, field PM Mark: unknown attendance code \"Q9\""),
        "{err}"
    );
}

#[test]
fn a_summary_needs_a_term() {
    let csv = format!("UPN,Possible,Present,Authorised,Unauthorised\n{A},100,90,10,0\n");
    let err = refused("summary.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("summary.csv: a pupil summary has no dates, so it needs a term"),
        "{err}"
    );
}

#[test]
fn a_summary_over_marks_for_the_same_term_is_refused() {
    let csv =
        format!("UPN,Possible,Present,Authorised,Unauthorised\n{B},100,100,0,0\n{A},100,90,10,0\n");
    let err = refused("summary.csv", csv.as_bytes(), &["--term", "2025-26 autumn"]);
    assert!(err.contains("summary.csv, line 2, field UPN: session marks are already held for this pupil in this term"), "{err}");
}

#[test]
fn one_bad_file_stops_the_whole_import() {
    let (dir, db) = populated();
    let before = counts(&Store::open(&db).unwrap());
    let good = write(
        dir.path(),
        "good.csv",
        format!("UPN,Date,Session,Mark\n{A},06/10/2025,AM,/\n"),
    );
    let bad = write(
        dir.path(),
        "bad.csv",
        // `?` is a Capita One stand-in for J1 now; `Q9` is no code at all.
        format!("UPN,Date,Session,Mark\n{A},07/10/2025,AM,Q9\n"),
    );
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            good.to_str().unwrap(),
            bad.to_str().unwrap(),
        ],
    );
    assert!(!run.ok);
    assert!(
        run.stderr.contains("bad.csv, line 2, field Mark"),
        "{}",
        run.stderr
    );
    assert_eq!(before, counts(&Store::open(&db).unwrap()));
    // A store-level refusal of the second file also rolls back the first.
    let summary = write(
        dir.path(),
        "s.csv",
        format!("UPN,Possible,Present,Authorised,Unauthorised\n{A},10,10,0,0\n"),
    );
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            "--term",
            "2025-26 autumn",
            good.to_str().unwrap(),
            summary.to_str().unwrap(),
        ],
    );
    assert!(!run.ok);
    assert_eq!(before, counts(&Store::open(&db).unwrap()));
}

#[test]
fn the_same_file_twice_is_refused_unless_replaced() {
    let (_dir, db) = populated();
    let marks = fixture("autumn_wide.csv");
    let before = counts(&Store::open(&db).unwrap());
    let run = tsm(
        &db,
        &["import", "--school", "100001", marks.to_str().unwrap()],
    );
    assert!(!run.ok);
    assert!(
        run.stderr
            .contains("autumn_wide.csv: this file was already imported for school 100001"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--replace"), "{}", run.stderr);
    assert_eq!(before, counts(&Store::open(&db).unwrap()));
    let run = tsm(
        &db,
        &[
            "import",
            "--school",
            "100001",
            "--replace",
            marks.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("replacing the earlier import"),
        "{}",
        run.stdout
    );
    assert_eq!(
        before,
        counts(&Store::open(&db).unwrap()),
        "replacing stores the same rows again"
    );
}

#[test]
fn a_later_export_corrects_earlier_marks() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let first = write(
        dir.path(),
        "week1.csv",
        format!("UPN,Date,Session,Mark\n{A},01/09/2025,AM,N\n{A},01/09/2025,PM,N\n"),
    );
    let second = write(
        dir.path(),
        "week1-fixed.csv",
        format!(
            "UPN,Date,Session,Mark\n{A},01/09/2025,AM,I\n{A},01/09/2025,PM,N\n{A},02/09/2025,AM,/\n"
        ),
    );
    let opts = ImportOptions::default();
    store
        .import_batch(
            "1",
            &read_file(&first, &ColumnMapping::default()).unwrap(),
            &opts,
        )
        .unwrap();
    let outcome = store
        .import_batch(
            "1",
            &read_file(&second, &ColumnMapping::default()).unwrap(),
            &opts,
        )
        .unwrap();
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.message.starts_with("1 marks replace different marks")),
        "{:?}",
        outcome.warnings
    );
    let (_, data) = store.period_data("1", None).unwrap();
    let counts = data.pupils[0].counts;
    // Sessions: 1 Sep AM I (authorised), 1 Sep PM N (unauthorised), 2 Sep AM present.
    assert_eq!(
        (
            counts.possible,
            counts.authorised,
            counts.unauthorised,
            counts.present
        ),
        (3, 1, 1, 1)
    );
}

#[test]
fn a_bad_date_of_birth_is_not_echoed() {
    let csv = format!("UPN,Surname,Date of Birth\n{A},Testpupil,14/13/2014\n");
    let err = refused("details.csv", csv.as_bytes(), &[]);
    assert!(
        err.contains("details.csv, line 2, field Date of Birth: not a date of birth"),
        "{err}"
    );
    assert!(
        !err.contains("14/13/2014"),
        "personal data in the error: {err}"
    );
    assert!(!err.contains("Testpupil"), "a name in the error: {err}");
}
