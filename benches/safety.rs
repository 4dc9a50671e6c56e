//! What encryption, durability and backups cost (release build), on the bundled demo
//! database (six schools, 3,268 synthetic pupils) and the 760,000-mark import:
//! opening plain and encrypted (the passphrase's key derivation), writing meeting
//! edits (one transaction each, `synchronous=FULL`), storing the large import, making
//! and restoring a backup, and encrypting a plain database in place.
//!
//! `cargo bench --bench safety`
#![allow(
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    reason = "a benchmark"
)]

mod common;
use common::percentile;
use std::path::Path;
use std::time::Instant;
use tsm_desk::domain::meeting::{Action, Edit};
use tsm_desk::domain::{Period, Term};
use tsm_desk::import::{ColumnMapping, read_file};
use tsm_desk::store::{BackupReason, ImportOptions, Passphrase, Store};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

fn row(what: &str, plain: &[f64], encrypted: &[f64]) {
    println!(
        "| {what} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms |",
        percentile(plain.to_vec(), 0.5),
        percentile(plain.to_vec(), 0.95),
        percentile(encrypted.to_vec(), 0.5),
        percentile(encrypted.to_vec(), 0.95)
    );
}

/// Timings for one database: open, edits, import, backup, restore.
fn measure(dir: &Path, key: Option<&Passphrase>, marks: &Path) -> Vec<Vec<f64>> {
    let db = dir.join(if key.is_some() {
        "enc.sqlite"
    } else {
        "plain.sqlite"
    });
    let mut store = Store::open_with(&db, key).unwrap();
    let sample = tsm_desk::demo::sample_dir().unwrap();
    tsm_desk::demo::load(&mut store, &sample).unwrap();
    drop(store);

    let mut open = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        drop(Store::open_with(&db, key).unwrap());
        open.push(ms(t));
    }

    let mut store = Store::open_with(&db, key).unwrap();
    let school = store.require_school("990202").unwrap();
    let (meeting, _) = store
        .ensure_meeting(school.id, Period::new(2026, Term::Autumn))
        .unwrap();
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 24)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap();
    let mut edits = Vec::new();
    for i in 0..300 {
        let mut a = Action::new(tsm_desk::service::new_row_id(), None);
        a.description = format!("Bench action {i}");
        let t = Instant::now();
        store
            .apply_edit(meeting, &Edit::Action(a), "Bench", at)
            .unwrap();
        edits.push(ms(t));
    }

    let batch = read_file(marks, &ColumnMapping::default()).unwrap();
    let mut import = Vec::new();
    for i in 0..3 {
        let t = Instant::now();
        store
            .import_batch(&format!("99099{i}"), &batch, &ImportOptions::default())
            .unwrap();
        import.push(ms(t));
    }

    let mut backup = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        last = Some(store.make_backup(BackupReason::Manual, 10).unwrap());
        backup.push(ms(t));
    }
    let last = last.unwrap();
    let mut restore = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        store.restore_from(&last.path).unwrap();
        restore.push(ms(t));
    }
    println!(
        "{}: database {:.1} MB, backup {:.1} MB",
        if key.is_some() { "encrypted" } else { "plain" },
        std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0,
        last.bytes as f64 / 1_048_576.0
    );
    vec![open, edits, import, backup, restore]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let marks = dir.path().join("marks_2000x190.csv");
    tsm_desk::sample::bench_marks_csv(&marks, 2000, 190).unwrap();
    let key = Passphrase::new("benchmark passphrase");
    let plain = measure(dir.path(), None, &marks);
    let encrypted = measure(dir.path(), Some(&key), &marks);
    println!();
    println!("| measure | plain median | plain p95 | encrypted median | encrypted p95 |");
    println!("|---|---|---|---|---|");
    for (i, what) in [
        "open the database (7 runs; encrypted: key derivation)",
        "write one meeting edit with its audit row (300 edits)",
        "store 760,000 marks (2,000 pupils, one transaction, 3 runs)",
        "back up the whole database (5 runs)",
        "restore a backup (3 runs, includes the safety backup first)",
    ]
    .into_iter()
    .enumerate()
    {
        row(what, &plain[i], &encrypted[i]);
    }

    // Encrypting the plain database (with its backups) in place.
    let t = Instant::now();
    let backups =
        tsm_desk::store::encrypt_database(&dir.path().join("plain.sqlite"), &key).unwrap();
    println!(
        "\nencrypt the plain database in place with its {backups} backups: {:.0} ms",
        ms(t)
    );
}
