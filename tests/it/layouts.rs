//! Every supported layout, in CSV and XLSX, with the encodings, delimiters, header
//! names, dates and year groups MIS exports use. Expected values are read off the
//! small inputs written in each test.
#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

use crate::common;

use common::write;
use tsm_desk::domain::{BatchContent, ImportBatch, Layout, SenStatus, Sex, YearGroup};
use tsm_desk::import::{ColumnMapping, Field, read_bytes, read_file};

const A: &str = "G820200125001";
const B: &str = "W820200125002";

fn read(name: &str, bytes: impl Into<Vec<u8>>) -> ImportBatch {
    read_bytes(name, bytes.into(), &ColumnMapping::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn marks(batch: &ImportBatch) -> Vec<(String, String, &'static str, String)> {
    let BatchContent::Marks(pupils) = &batch.content else {
        panic!("not marks: {:?}", batch.layout)
    };
    pupils
        .iter()
        .flat_map(|p| {
            p.marks.iter().map(move |m| {
                (
                    p.upn.to_string(),
                    m.date.to_string(),
                    m.session.as_str(),
                    m.code.to_string(),
                )
            })
        })
        .collect()
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (u32::try_from(r).unwrap(), u16::try_from(c).unwrap());
            match cell.parse::<f64>() {
                Ok(n) => ws.write_number(r, c, n).unwrap(),
                Err(_) => ws.write_string(r, c, *cell).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn long_marks_in_csv_with_synonyms_bom_crlf_and_quotes() {
    let text = format!(
        "\u{feff}Unique Pupil Number,Session Date,AM/PM,Attendance Code\r\n\"{A}\",2025-09-01,AM,/\r\n{A},1-Sep-2025,pm,\\\r\n{B},01/09/2025,\"AM\",l\r\n{B},01/09/2025,PM,\r\n"
    );
    let batch = read("long.csv", text);
    assert_eq!(batch.layout, Layout::MarksLong);
    assert_eq!(batch.rows, 4);
    assert_eq!(
        marks(&batch),
        [
            (A.into(), "2025-09-01".into(), "AM", "/".into()),
            (A.into(), "2025-09-01".into(), "PM", "\\".into()),
            (B.into(), "2025-09-01".into(), "AM", "L".into()),
            (B.into(), "2025-09-01".into(), "PM", "-".into()),
        ]
    );
    assert_eq!(batch.warnings.len(), 1, "{:?}", batch.warnings);
    assert_eq!(batch.warnings[0].line, Some(5));
    assert!(
        batch.warnings[0]
            .message
            .contains("1 session not yet marked, left out of possible sessions")
    );
    assert_eq!(batch.sha256.len(), 64);
}

#[test]
fn wide_marks_tab_and_semicolon_separated_in_windows_1252() {
    // "Zoë" in Windows-1252 is 5A 6F EB.
    let mut bytes = b"UPN\tForename\tDate\tAM\tPM\n".to_vec();
    bytes.extend_from_slice(format!("{A}\tZo").as_bytes());
    bytes.push(0xEB);
    bytes.extend_from_slice(b"\t03/09/2025\tI\tI\n");
    let batch = read("wide.txt", bytes);
    assert_eq!(batch.layout, Layout::MarksWide);
    assert_eq!(batch.pupils[0].1.forename.as_deref(), Some("Zoë"));
    assert_eq!(marks(&batch).len(), 2);

    let text = format!("UPN;Date;AM Mark;PM Mark\n{A};3 Sep 2025;M;/\n");
    let batch = read("wide.csv", text);
    assert_eq!(marks(&batch)[0].3, "M");
    assert_eq!(marks(&batch)[1].3, "/");
}

#[test]
fn summaries_with_approved_activity_lates_and_details() {
    let text = format!(
        "Year,Reg,UPN,Possible Sessions,Present,AEA,Authorised Absences,Unauthorised Absences,Lates,Late After Close,Sex,SEN,FSM\n\
         Y7,7A,{A},100,88,2,6,4,3,1,Female,K,Yes\n\
         Reception,Rec,{B},50,45,0,3,0,,,M,E,N\n"
    );
    let batch = read("summary.csv", text);
    assert_eq!(batch.layout, Layout::Summary);
    let BatchContent::Summary(rows) = &batch.content else {
        panic!()
    };
    let a = &rows[0].counts;
    assert_eq!(
        (
            a.possible,
            a.present,
            a.approved,
            a.authorised,
            a.unauthorised,
            a.no_mark
        ),
        (100, 88, 2, 6, 4, 0)
    );
    assert_eq!((a.late_before_close, a.late_after_close), (3, 1));
    let b = &rows[1].counts;
    // 45 + 0 + 3 + 0 = 48 of 50: 2 sessions were not yet marked, which are not possible
    // sessions: warned, and 48 is used as possible.
    assert_eq!(
        (b.possible, b.attendance(), b.absence(), b.no_mark),
        (48, 45, 3, 2)
    );
    assert!(batch.warnings.iter().any(|w| {
        w.line == Some(3)
            && w.message
                .starts_with("1 pupil with attendance and absence below possible")
    }));
    let (_, da, _) = &batch.pupils[0];
    assert_eq!(da.year_group, YearGroup::year(7));
    assert_eq!(da.reg_group.as_deref(), Some("7A"));
    assert_eq!(da.sex, Some(Sex::Female));
    assert_eq!(da.sen, Some(SenStatus::SenSupport));
    assert_eq!(da.fsm, Some(true));
    let (_, db, _) = &batch.pupils[1];
    assert_eq!(db.year_group, Some(YearGroup::RECEPTION));
    assert_eq!(db.sen, Some(SenStatus::Ehcp));
}

#[test]
fn pupil_details_with_title_rows_above_the_header() {
    let text = format!(
        "Pupil details report,,,\n\nUPN,Legal Surname,Legal Forename,NC Year,Form,Date of Birth,EAL,Looked After,CIN or CP,Ethnicity\n\
         {A},O'Neill,Aoife,N1,Nursery,14-Mar-2022,Y,N,Y,WIRI\n"
    );
    let batch = read("details.csv", text);
    assert_eq!(batch.layout, Layout::Details);
    assert!(matches!(batch.content, BatchContent::Details));
    let (upn, d, line) = &batch.pupils[0];
    assert_eq!(upn.as_str(), A);
    assert_eq!(*line, 4);
    assert_eq!(d.surname.as_deref(), Some("O'Neill"));
    assert_eq!(d.year_group, Some(YearGroup::N1));
    assert_eq!(
        d.date_of_birth.map(|x| x.to_string()).as_deref(),
        Some("2022-03-14")
    );
    assert_eq!(
        (d.eal, d.looked_after, d.child_in_need),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(d.ethnicity.as_deref(), Some("WIRI"));
}

#[test]
fn every_layout_reads_from_xlsx_too() {
    let batch = read(
        "long.xlsx",
        xlsx(&[
            &["UPN", "Date", "Session", "Mark"],
            &[A, "2025-09-01", "AM", "I"],
            &[A, "01/09/2025", "PM", "I"],
        ]),
    );
    assert_eq!(batch.layout, Layout::MarksLong);
    assert_eq!(marks(&batch).len(), 2);

    let batch = read(
        "wide.xlsx",
        xlsx(&[
            &["UPN", "Date", "AM Mark", "PM Mark"],
            &[B, "2025-09-02", "/", "N"],
        ]),
    );
    assert_eq!(marks(&batch)[1].3, "N");

    let batch = read(
        "summary.xlsx",
        xlsx(&[
            &[
                "UPN",
                "Year Group",
                "Possible",
                "Attended",
                "Authorised",
                "Unauthorised",
            ],
            &[A, "9", "120", "100", "12", "8"],
        ]),
    );
    let BatchContent::Summary(rows) = &batch.content else {
        panic!()
    };
    // Numbers stored as numbers in the sheet read as whole counts.
    assert_eq!(
        (rows[0].counts.possible, rows[0].counts.absence()),
        (120, 20)
    );
    assert_eq!(batch.pupils[0].1.year_group, YearGroup::year(9));

    let batch = read(
        "details.xlsx",
        xlsx(&[&["UPN", "Surname", "Year"], &[A, "Testpupil", "Y10"]]),
    );
    assert_eq!(batch.layout, Layout::Details);
}

#[test]
fn xlsx_date_cells_are_dates() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "UPN").unwrap();
    ws.write_string(0, 1, "Date").unwrap();
    ws.write_string(0, 2, "AM").unwrap();
    ws.write_string(0, 3, "PM").unwrap();
    ws.write_string(1, 0, A).unwrap();
    let fmt = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 9, 3).unwrap();
    ws.write_datetime_with_format(1, 1, &date, &fmt).unwrap();
    ws.write_string(1, 2, "/").unwrap();
    ws.write_string(1, 3, "\\").unwrap();
    let batch = read("dates.xlsx", wb.save_to_buffer().unwrap());
    assert_eq!(marks(&batch)[0].1, "2025-09-03");
}

#[test]
fn a_user_mapping_reads_unusual_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "odd.csv",
        format!("Pupil Ref,Day,Half,Register\n{A},01/09/2025,AM,/\n"),
    );
    let err = read_file(&path, &ColumnMapping::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("odd.csv, line 1, field UPN: missing column UPN for the details layout"),
        "{err}"
    );
    let mapping = ColumnMapping {
        layout: None,
        columns: vec![
            (Field::Upn, "Pupil Ref".into()),
            (Field::Date, "Day".into()),
            (Field::Session, "Half".into()),
            (Field::Mark, "Register".into()),
        ],
    };
    let batch = read_file(&path, &mapping).unwrap();
    assert_eq!(batch.layout, Layout::MarksLong);
    assert_eq!(marks(&batch)[0].3, "/");
}

#[test]
fn a_forced_layout_names_what_it_lacks() {
    let mapping = ColumnMapping {
        layout: Some(Layout::MarksWide),
        columns: Vec::new(),
    };
    let err = read_bytes(
        "x.csv",
        format!("UPN,Date,Session,Mark\n{A},01/09/2025,AM,/\n").into_bytes(),
        &mapping,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("missing columns AM Mark, PM Mark for the marks_wide layout"),
        "{err}"
    );
}

#[test]
fn legacy_codes_are_mapped_and_warned() {
    let text =
        format!("UPN,Date,AM,PM\n{A},01/09/2025,H,H\n{A},02/09/2025,J,Y\n{A},03/09/2025,F,/\n");
    let batch = read("legacy.csv", text);
    let messages: Vec<String> = batch.warnings.iter().map(ToString::to_string).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("line 2, pre-2024 code H")
                && m.ends_with("counted as authorised absence: 2 marks")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("pre-2024 code J")
            && m.contains("counted as present (approved educational activity): 1 mark")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("pre-2024 code Y")
                && m.contains("counted as not a possible session")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("line 4, pre-2024 code F")),
        "{messages:?}"
    );
}

#[test]
fn repeated_identical_marks_count_once() {
    let text = format!("UPN,Date,Session,Mark\n{A},01/09/2025,AM,I\n{A},01/09/2025,AM,I\n");
    let batch = read("dupes.csv", text);
    assert_eq!(marks(&batch).len(), 1);
    assert!(
        batch
            .warnings
            .iter()
            .any(|w| w.line == Some(3) && w.message.contains("repeated marks"))
    );
}

/// A long marks file over 1 MiB is read in two halves on two threads; the result must
/// be exactly what one pass gives (the general CSV reader, forced by a quoted header).
#[test]
fn large_files_read_in_two_halves_match_one_pass() {
    let upns: Vec<String> = (1..=100)
        .map(|i| {
            tsm_desk::domain::Upn::with_check_letter(&format!("820200125{i:03}"))
                .unwrap()
                .to_string()
        })
        .collect();
    let mut body = String::new();
    let codes = ["/", "I", "N", "H", "L", "-", "#", "U"];
    for (p, upn) in upns.iter().enumerate() {
        for day in 0..190u32 {
            let date = chrono::NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()
                + chrono::Days::new(u64::from(day));
            for session in ["AM", "PM"] {
                let code = codes[(p * 7 + day as usize * 3 + session.len()) % codes.len()];
                body.push_str(&format!(
                    "{upn},{},{session},{code}\n",
                    date.format("%d/%m/%Y")
                ));
            }
        }
    }
    // The same pupil again at the end, so a pupil spans both halves.
    body.push_str(&format!("{},{},AM,/\n", upns[0], "01/08/2026"));
    let fast = format!("UPN,Date,Session,Mark\n{body}");
    let general = format!("\"UPN\",Date,Session,Mark\n{body}");
    assert!(fast.len() > 1 << 20, "{}", fast.len());
    let a = read("big.csv", fast.clone());
    let b = read("big.csv", general);
    assert_eq!(a.pupils, b.pupils);
    assert_eq!(a.content, b.content);
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.warnings, b.warnings);
    assert_eq!(a.rows, 100 * 190 * 2 + 1);
    // An error in the second half is reported at its own line.
    let bad_line = 2 + 100 * 190 * 2 - 5;
    let mut lines: Vec<&str> = fast.lines().collect();
    let replaced = lines[bad_line - 1].rsplit_once(',').unwrap().0.to_owned() + ",Q9";
    lines[bad_line - 1] = &replaced;
    let err = read_bytes(
        "big.csv",
        lines.join("\n").into_bytes(),
        &ColumnMapping::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "big.csv, line {bad_line}, field Mark: unknown attendance code \"Q9\""
        )),
        "{err}"
    );
}

/// A DfE weekly file over 1 MiB is read in two halves too: schools first seen in the
/// second half are numbered after the first half's, and the result is what one pass
/// gives. The same enrolment in both halves is refused at its second line.
#[test]
fn a_large_dfe_weekly_file_read_in_two_halves_matches_one_pass() {
    let text = std::fs::read_to_string(common::fixture("dfe_weekly_week1.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut body = String::new();
    let mut n = 0u32;
    // Copies of the fixture's 15 rows with new UPNs and URNs, 20 schools.
    while body.len() < (1 << 20) + 4096 {
        for row in &rows {
            n += 1;
            let upn = tsm_desk::domain::Upn::with_check_letter(&format!("93690{n:07}"))
                .unwrap()
                .to_string();
            let cells: Vec<String> = row
                .split(',')
                .enumerate()
                .map(|(i, c)| match i {
                    1 => upn.clone(),
                    18 => format!("{}", 300_000 + n % 20),
                    _ => c.to_owned(),
                })
                .collect();
            body.push_str(&cells.join(","));
            body.push('\n');
        }
    }
    let fast = format!("{header}\n{body}");
    // A quoted header makes the general CSV reader read it in one pass.
    let general = format!(
        "\"academic_term\"{}\n{body}",
        header.trim_start_matches("academic_term")
    );
    let a = read("dfe.csv", fast.clone());
    let b = read("dfe.csv", general);
    assert_eq!(a.layout, Layout::DfeWeekly);
    assert_eq!(a.content, b.content);
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.warnings, b.warnings);
    let BatchContent::Weekly(w) = &a.content else {
        panic!("weekly expected")
    };
    assert_eq!(w.schools.len(), 20);
    assert_eq!(w.rows.len(), usize::try_from(n).unwrap());
    // The first row's enrolment again at the end: a duplicate on the last line.
    let first = body.lines().next().unwrap();
    let dup = format!("{fast}{first}\n");
    let err = read_bytes("dfe.csv", dup.into_bytes(), &ColumnMapping::default()).unwrap_err();
    let last = usize::try_from(n).unwrap() + 2;
    assert_eq!(
        err.to_string(),
        format!("dfe.csv, line {last}, field UPN: the same UPN is already on line 2")
    );
}
