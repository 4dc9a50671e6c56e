//! The printed meeting action log: a meeting with 40 pupils discussed is printed, and the
//! PDF's text (extracted by an independent reader, pdf-extract) holds every pupil, action,
//! owner and due date, repeats table headers on continuation pages, and in initials mode
//! holds no pupil's name.
#![allow(clippy::unwrap_used, reason = "tests may panic")]

use crate::app;

use app::{summary, upn};
use chrono::{Days, NaiveDate};
use std::collections::HashMap;
use tsm_desk::domain::meeting::{
    Action, Barrier, BarrierCategory, BarrierSide, CmeCheck, CmeCheckKind, CmeConclusion, Edit,
    EvidenceItem, LeadPractitioner, LegalEvidence, LegalMeasure, LegalOutcome, PupilStep,
};
use tsm_desk::domain::{Period, Term};
use tsm_desk::report::action_log::{CLASSIFICATION, action_log, initials};
use tsm_desk::report::{NameStyle, PrintOptions, pdf_bytes};
use tsm_desk::service::view::MeetingView;
use tsm_desk::service::{ImportRequest, Service};
use tsm_desk::store::Store;

const URN: &str = "990951";

const FIRST: [&str; 12] = [
    "Amarisa",
    "Bexley",
    "Corvina",
    "Dashiell",
    "Elowen",
    "Fenwick",
    "Galena",
    "Halvard",
    "Isolde",
    "Jasperine",
    "Kestrel",
    "Lysander",
];
const LAST: [&str; 6] = [
    "Quillfeather",
    "Marrowby",
    "Thistledown",
    "Orrinshaw",
    "Penhallow",
    "Wrenfield",
];

/// Pupil n's synthetic name (first and last names never repeat as a pair).
fn name(n: u32) -> (String, String) {
    let n = n as usize;
    (FIRST[n % 12].to_owned(), LAST[(n / 12) % 6].to_owned())
}

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 23)
        .unwrap()
        .and_hms_opt(14, 30, 0)
        .unwrap()
}

struct Fixture {
    service: Service,
    view: MeetingView,
    /// (pupil id) → (full name, UPN).
    pupils: HashMap<i64, (String, String)>,
}

/// 60 pupils: 15 severely absent, 20 persistently absent, 10 at risk, 15 fine; a meeting
/// discussing 15 + 20 + 5 = 40 of them, each with a lead, a barrier and one or two actions;
/// a CME enquiry and a legal decision; last summer's meeting with two actions to review.
fn fixture(dir: &std::path::Path) -> Fixture {
    let mut rows = Vec::new();
    for n in 1..=60u32 {
        let absent = match n {
            1..=15 => 50 + n,         // 51..65%: severe
            16..=35 => 10 + (n - 16), // 10..29%: persistent
            36..=45 => 8,             // at risk band (under 10%)
            _ => 2,
        };
        rows.push((n, 7 + n % 5, absent / 2, absent - absent / 2));
    }
    // Names: the shared fixture writes "PupilN Testcase"; rewrite with our names.
    let file = summary(dir, "autumn.csv", 51, &rows);
    let mut text = std::fs::read_to_string(&file).unwrap();
    for n in (1..=60u32).rev() {
        let (f, l) = name(n);
        text = text.replace(&format!(",Pupil{n},Testcase,"), &format!(",{f},{l},"));
    }
    std::fs::write(&file, text).unwrap();
    let summer_rows: Vec<_> = rows.iter().map(|(n, y, _, _)| (*n, y - 1, 3, 2)).collect();
    let summer = summary(dir, "summer.csv", 51, &summer_rows);

    let mut service = Service::new(Store::open_in_memory().unwrap()).unwrap();
    for (file, term) in [
        (summer, Period::new(2025, Term::Summer)),
        (file, Period::new(2026, Term::Autumn)),
    ] {
        let request = ImportRequest {
            files: vec![file],
            urn: URN.into(),
            school_name: Some("Fernhill Academy".into()),
            phase: Some("secondary".into()),
            term: Some(term),
            ..ImportRequest::default()
        };
        service.import(&request, &mut |_| {}).unwrap();
    }
    let school = service
        .school_view(URN, Some(Period::new(2026, Term::Autumn)))
        .unwrap();
    let mut pupils = HashMap::new();
    let mut id_of = HashMap::new();
    for p in &school.pupils {
        let n: u32 = (1..=60).find(|n| upn(51, *n) == p.upn).unwrap();
        let (f, l) = name(n);
        pupils.insert(p.pupil_id, (format!("{f} {l}"), p.upn.clone()));
        id_of.insert(n, p.pupil_id);
    }

    // Last summer: two actions to review.
    let old = service
        .open_meeting(URN, Some(Period::new(2025, Term::Summer)), now())
        .unwrap();
    for (id, n) in [(900_001, 1), (900_002, 16)] {
        let mut a = Action::new(id, Some(id_of[&n]));
        a.description = format!("Summer check-in plan {n}");
        a.owner = "Head of year".into();
        a.due = NaiveDate::from_ymd_opt(2026, 7, 10);
        service
            .edit_meeting(old.meeting.id, &Edit::Action(a), now())
            .unwrap();
    }

    let view = service
        .open_meeting(URN, Some(Period::new(2026, Term::Autumn)), now())
        .unwrap();
    let id = view.meeting.id;
    let mut edit = |e: Edit| service.edit_meeting(id, &e, now()).unwrap();
    edit(Edit::Date(NaiveDate::from_ymd_opt(2026, 11, 24)));
    edit(Edit::Review {
        action: 900_001,
        status: tsm_desk::domain::meeting::ActionStatus::Done,
        note: "Mentor met weekly".into(),
    });
    let owners = [
        "Head of year",
        "SENCO",
        "Attendance officer",
        "Early Help worker",
    ];
    let mut next_id = 1_000;
    for n in 1..=40u32 {
        let pupil = id_of[&n];
        let step = match n {
            1..=15 => PupilStep::Severe,
            16..=35 => PupilStep::Persistent,
            _ => PupilStep::AtRisk,
        };
        edit(Edit::Discuss(pupil, step));
        edit(Edit::Lead(
            pupil,
            LeadPractitioner {
                organisation: "Early Help / family support".into(),
                person: format!("Worker {}", n % 4 + 1),
            },
        ));
        next_id += 1;
        edit(Edit::Barrier(
            pupil,
            Barrier {
                id: next_id,
                side: BarrierSide::OutOfSchool,
                category: BarrierCategory::ALL[n as usize % BarrierCategory::ALL.len()],
                detail: format!("Detail for pupil {n}"),
            },
        ));
        for k in 0..(1 + n % 2) {
            next_id += 1;
            let mut a = Action::new(next_id, Some(pupil));
            a.description = format!("Agreed step {n}-{k} with family and school");
            a.owner = owners[(n + k) as usize % owners.len()].into();
            a.due = NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .checked_add_days(Days::new(u64::from(n % 20)));
            edit(Edit::Action(a));
        }
    }
    // A CME enquiry for pupil 3 and a legal decision for pupil 5.
    let p3 = id_of[&3];
    edit(Edit::Whereabouts(p3, Some(false)));
    edit(Edit::OpenCme {
        id: 5_000,
        pupil: p3,
        on: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
    });
    edit(Edit::CmeCheck {
        enquiry: 5_000,
        pupil: p3,
        check: CmeCheck {
            on: NaiveDate::from_ymd_opt(2026, 11, 25),
            by: "EWO".into(),
            outcome: "No answer at the door".into(),
            ..CmeCheck::new(5_001, CmeCheckKind::HomeVisit)
        },
    });
    edit(Edit::ConcludeCme {
        enquiry: 5_000,
        pupil: p3,
        conclusion: Some(CmeConclusion::StillMissing),
        on: None,
    });
    let p5 = id_of[&5];
    edit(Edit::ProposeLegal(p5));
    for e in LegalEvidence::ALL.iter().take(8) {
        edit(Edit::Evidence(
            p5,
            *e,
            EvidenceItem {
                checked: true,
                note: String::new(),
            },
        ));
    }
    edit(Edit::LegalOutcome(
        p5,
        Some(LegalOutcome::Proceed(LegalMeasure::PenaltyNotice)),
    ));
    edit(Edit::NextMeeting(NaiveDate::from_ymd_opt(2027, 3, 2)));
    let view = service.meeting_view(URN, id).unwrap();
    Fixture {
        service,
        view,
        pupils,
    }
}

/// The text of each page, with runs of whitespace made single spaces.
fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf)
        .unwrap()
        .into_iter()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn print(view: &MeetingView, names: NameStyle) -> Vec<u8> {
    let opts = PrintOptions {
        names,
        printed_on: now(),
    };
    pdf_bytes(&action_log(view, &opts), &opts)
}

#[test]
fn the_action_log_holds_every_pupil_action_owner_and_due_date() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let m = &f.view.meeting;
    assert_eq!(m.discussions.len(), 40);
    assert!(m.actions.len() >= 60);

    let pdf = print(&f.view, NameStyle::Full);
    assert!(pdf.starts_with(b"%PDF-1.7"));
    // To look at it: TSM_SAVE_PDF=/tmp/log.pdf cargo test --test action_log
    if let Some(path) = std::env::var_os("TSM_SAVE_PDF") {
        std::fs::write(path, &pdf).unwrap();
    }
    let pages = pages(&pdf);
    assert!(pages.len() >= 4, "{} pages", pages.len());
    let all = pages.join(" ");

    for d in &m.discussions {
        let (full, upn) = &f.pupils[&d.pupil_id];
        assert!(all.contains(&format!("{full} ({upn})")), "{full} missing");
    }
    for a in &m.actions {
        assert!(
            all.contains(&a.description),
            "action {:?} missing",
            a.description
        );
        let due = a.due.unwrap().format("%d/%m/%Y").to_string();
        let line = format!("{} ({}; due {due})", a.description, a.owner);
        assert!(all.contains(&line), "{line:?} missing");
    }
    // Review, CME and legal sections carry their content.
    assert!(all.contains("Summer check-in plan 1"));
    assert!(all.contains("Mentor met weekly"));
    assert!(all.contains("Home visit (25/11/2026), EWO: No answer at the door"));
    assert!(all.contains("Open: Still missing"));
    assert!(all.contains("8 of 10 items evidenced"));
    assert!(all.contains("Proceed: Penalty notice"));
    assert!(all.contains("Next meeting: 02/03/2027"));
    assert!(all.contains("Fernhill Academy"));

    // Every page: the classification and "Page X of Y"; running header after page 1.
    let n = pages.len();
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains(CLASSIFICATION),
            "page {} has no classification",
            i + 1
        );
        assert!(
            p.contains(&format!("Page {} of {n}", i + 1)),
            "page {} number",
            i + 1
        );
        if i > 0 {
            assert!(
                p.contains("Targeting Support Meeting action log · Fernhill Academy (URN 990951)")
            );
        }
    }
    // The pupils table runs over pages and its header repeats on each.
    let header = "Agreed actions (owner; due)";
    let with_header = pages.iter().filter(|p| p.contains(header)).count();
    let spanned: Vec<usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            m.discussions
                .iter()
                .any(|d| p.contains(&f.pupils[&d.pupil_id].1))
        })
        .map(|(i, _)| i)
        .collect();
    assert!(spanned.len() >= 2, "the pupils fit on one page");
    for i in &spanned {
        if pages[*i].contains("Detail for pupil") {
            assert!(
                pages[*i].contains(header),
                "page {} lacks the header",
                i + 1
            );
        }
    }
    assert!(with_header >= 3, "header on {with_header} pages");
    drop(f.service);
}

#[test]
fn initials_mode_prints_no_names() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(dir.path());
    let all = pages(&print(&f.view, NameStyle::Initials)).join(" ");
    for (full, _) in f.pupils.values() {
        let (first, last) = full.split_once(' ').unwrap();
        assert!(!all.contains(first), "{first} printed");
        assert!(!all.contains(last), "{last} printed");
    }
    for d in &f.view.meeting.discussions {
        let (full, upn) = &f.pupils[&d.pupil_id];
        assert!(
            all.contains(&format!("{} ({upn})", initials(full))),
            "{upn} missing"
        );
    }
    assert!(all.contains("pupils named by initials and UPN"));
}
