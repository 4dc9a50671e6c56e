//! Benchmarks of the attendance engine, run with `cargo bench --bench engine`.
//!
//! (a) A secondary school's year of long-format marks (2,000 pupils x 380 sessions =
//!     760,000 marks): CSV read and checked, stored in SQLite, read back and flagged.
//! (b) 60 schools' pupil summaries (60,000 pupils): read, stored and flagged.
//!
//! Each scenario runs in a child process of its own so its peak memory (`VmHWM`) can be
//! reported; each is run several times on a fresh database and the median reported.
//! If `python3` with pandas is available, `benches/pandas_flags.py` does (a)'s read and
//! flag work on the same file for comparison.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark binary"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use tsm_desk::domain::Thresholds;
use tsm_desk::import::{ColumnMapping, read_file};
use tsm_desk::store::{ImportOptions, Store};

const RUNS: usize = 5;

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench_data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn marks_file() -> PathBuf {
    let path = data_dir().join("marks_2000x190.csv");
    if !path.exists() {
        tsm_desk::sample::bench_marks_csv(&path, 2000, 190).unwrap();
    }
    path
}

fn summaries() -> Vec<tsm_desk::sample::SampleFile> {
    let dir = data_dir().join("summaries_60x1000");
    std::fs::create_dir_all(&dir).unwrap();
    tsm_desk::sample::bench_summaries(&dir, 60, 1000).unwrap()
}

/// Peak resident memory of this process so far, in MB.
fn peak_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// (a) in this process: prints one line of stage timings.
fn run_marks(path: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let batch = read_file(path, &ColumnMapping::default()).unwrap();
    let t_read = t0.elapsed();
    let mut store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
    let outcome = store
        .import_batch("990999", &batch, &ImportOptions::default())
        .unwrap();
    let t_store = t0.elapsed();
    let periods = store
        .periods(store.require_school("990999").unwrap().id)
        .unwrap();
    let mut flagged = 0;
    let mut pa = 0;
    for period in &periods {
        let (_, data) = store.period_data("990999", Some(*period)).unwrap();
        let flags = tsm_desk::analysis::flags(&data, &Thresholds::default()).unwrap();
        flagged += flags.len();
        pa += flags.iter().filter(|f| f.category.is_persistent()).count();
    }
    let t_total = t0.elapsed();
    println!(
        "RESULT read={:.3} store={:.3} flag={:.3} total={:.3} marks={} periods={} pupil_flags={flagged} pa={pa} peak_mb={:.0}",
        t_read.as_secs_f64(),
        (t_store - t_read).as_secs_f64(),
        (t_total - t_store).as_secs_f64(),
        t_total.as_secs_f64(),
        outcome.marks,
        periods.len(),
        peak_mb()
    );
}

/// (b) in this process.
fn run_summaries(files: &[tsm_desk::sample::SampleFile]) {
    let dir = tempfile::tempdir().unwrap();
    let t0 = Instant::now();
    let mut store = Store::open(&dir.path().join("bench.sqlite")).unwrap();
    let mut pupils = 0;
    let mut pa = 0;
    for f in files {
        let batch = read_file(&f.path, &ColumnMapping::default()).unwrap();
        let options = ImportOptions {
            school_name: Some(f.school_name.clone()),
            term: f.term,
            replace: false,
            ..ImportOptions::default()
        };
        store.import_batch(&f.urn, &batch, &options).unwrap();
    }
    let t_store = t0.elapsed();
    for f in files {
        let (_, data) = store.period_data(&f.urn, None).unwrap();
        let flags = tsm_desk::analysis::flags(&data, &Thresholds::default()).unwrap();
        pupils += flags.len();
        pa += flags.iter().filter(|f| f.category.is_persistent()).count();
    }
    let t_total = t0.elapsed();
    println!(
        "RESULT store={:.3} flag={:.3} total={:.3} schools={} pupils={pupils} pa={pa} peak_mb={:.0}",
        t_store.as_secs_f64(),
        (t_total - t_store).as_secs_f64(),
        t_total.as_secs_f64(),
        files.len(),
        peak_mb()
    );
}

fn field(line: &str, key: &str) -> f64 {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

fn child(scenario: &str) -> Vec<String> {
    let exe = std::env::current_exe().unwrap();
    (0..RUNS)
        .map(|_| {
            let out = Command::new(&exe)
                .arg("--child")
                .arg(scenario)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            assert!(
                out.status.success(),
                "{scenario} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            text.lines()
                .find(|l| l.starts_with("RESULT"))
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn report(name: &str, lines: &[String], keys: &[&str]) -> f64 {
    println!("{name}");
    for key in keys {
        let m = median(lines.iter().map(|l| field(l, key)).collect());
        println!("  {key:<8} median {m:.3}");
    }
    let peak = lines
        .iter()
        .map(|l| field(l, "peak_mb"))
        .fold(0.0, f64::max);
    println!(
        "  peak memory {peak:.0} MB; last run: {}",
        lines.last().map_or("", String::as_str)
    );
    median(lines.iter().map(|l| field(l, "total")).collect())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        match args.get(i + 1).map(String::as_str) {
            Some("marks") => run_marks(&marks_file()),
            Some("summaries") => run_summaries(&summaries()),
            other => panic!("unknown scenario {other:?}"),
        }
        return;
    }
    if args.iter().any(|a| a == "--list") {
        return;
    }
    // Make the inputs once, outside the timings.
    let marks = marks_file();
    summaries();

    let a = report(
        "(a) 760,000 long-format marks: CSV -> SQLite -> flags (seconds)",
        &child("marks"),
        &["read", "store", "flag", "total"],
    );
    let b = report(
        "(b) 60 schools x 1,000 pupils of summaries (seconds)",
        &child("summaries"),
        &["store", "flag", "total"],
    );
    println!(
        "targets: (a) < 1.5 s: {}; (b) < 3 s: {}",
        if a < 1.5 { "met" } else { "MISSED" },
        if b < 3.0 { "met" } else { "MISSED" }
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pandas_flags.py");
    let mut pandas_secs = Vec::new();
    for _ in 0..RUNS {
        match Command::new("python3").arg(&script).arg(&marks).output() {
            Ok(out) if out.status.success() => {
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let secs = text
                    .split(" in ")
                    .nth(1)
                    .and_then(|s| s.trim().trim_end_matches(" s").parse::<f64>().ok());
                if pandas_secs.is_empty() {
                    print!("{text}");
                }
                pandas_secs.extend(secs);
            }
            _ => break,
        }
    }
    if pandas_secs.is_empty() {
        println!("pandas comparison skipped (python3 with pandas not available)");
    } else {
        let p = median(pandas_secs);
        println!("pandas read and flag: median {p:.3} s over {RUNS} runs");
        println!(
            "tsm-desk (a) end to end is {:.1}x faster than pandas' read and flag alone (target 3x)",
            p / a
        );
    }
}
