//! The county benchmark, run with `cargo bench --bench dfe`: a DfE weekly pupil-level
//! file for a whole county (300,000 pupil rows, 500 schools, written by the seeded
//! `benches/gen_dfe_weekly.py`) imported into a fresh database with the real
//! `tsm-desk import`, then every school's figures with `tsm-desk overview --json`, as an
//! officer would run them. Beside it, `benches/pandas_dfe.py` does the same read, store
//! and per-school PA/SA work with pandas, in the same run; the two are timed alike (the
//! whole process, start to exit) and every school's figures must agree.
//!
//! Each command runs `RUNS` times on a fresh database; medians are printed, with the
//! peak memory of each process (its `VmHWM`, read while it runs). Also printed: the
//! same with an encrypted database, and a second week's file replacing the first.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark binary"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;
const ROWS: usize = 300_000;
const SCHOOLS: usize = 500;

fn data_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench_data");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The generated file for a week (made once; the generator is seeded).
fn weekly_file(week: u32) -> PathBuf {
    let path = data_dir().join(format!("dfe_{ROWS}x{SCHOOLS}_w{week}.csv"));
    if !path.exists() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen_dfe_weekly.py");
        let status = Command::new("python3")
            .arg(&script)
            .arg("--out")
            .arg(&path)
            .args([
                "--rows",
                &ROWS.to_string(),
                "--schools",
                &SCHOOLS.to_string(),
            ])
            .args(["--week", &week.to_string()])
            .status()
            .expect("python3 runs the generator");
        assert!(status.success(), "the generator failed");
    }
    path
}

/// A process's wall time, peak memory in MB and standard output.
struct Ran {
    secs: f64,
    peak_mb: f64,
    stdout: String,
}

fn vm_hwm_kb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Runs a command to its end, watching its peak memory.
fn run(mut cmd: Command) -> Ran {
    let out_file = tempfile::NamedTempFile::new().unwrap();
    let t0 = Instant::now();
    let mut child = cmd
        .stdout(out_file.reopen().unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0.0f64;
    let status = loop {
        if let Some(kb) = vm_hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let secs = t0.elapsed().as_secs_f64();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut stderr).unwrap();
    }
    assert!(status.success(), "{cmd:?} failed: {stderr}");
    Ran {
        secs,
        peak_mb: peak / 1024.0,
        stdout: std::fs::read_to_string(out_file.path()).unwrap(),
    }
}

fn tsm(db: &Path, passphrase: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tsm-desk"));
    cmd.arg("--db").arg(db).args(args).env_remove("TSM_DESK_DB");
    match passphrase {
        Some(p) => cmd
            .env("TSM_DESK_PASSPHRASE", p)
            .env_remove("TSM_DESK_UNENCRYPTED"),
        None => cmd
            .env_remove("TSM_DESK_PASSPHRASE")
            .env("TSM_DESK_UNENCRYPTED", "1"),
    };
    cmd
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One school's figures as both programs print them.
#[derive(Debug, PartialEq)]
struct Figures {
    urn: String,
    pupils: u64,
    persistent: u64,
    severe: u64,
    absence_rate: f64,
}

fn figures(json: &str) -> Vec<Figures> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let mut out: Vec<Figures> = v["schools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Figures {
            urn: s["urn"].as_str().unwrap().to_owned(),
            pupils: s["pupils"].as_u64().unwrap(),
            persistent: s["persistent"].as_u64().unwrap(),
            severe: s["severe"].as_u64().unwrap(),
            absence_rate: s["absence_rate"].as_f64().unwrap_or(f64::NAN),
        })
        .collect();
    out.sort_by(|a, b| a.urn.cmp(&b.urn));
    out
}

/// Imports week 1 (and optionally week 2) into a fresh database, then the overview.
fn county(passphrase: Option<&str>, second_week: bool) -> (Ran, Option<Ran>, Ran) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("county.sqlite");
    let w1 = weekly_file(1);
    let file = w1.to_str().unwrap();
    let import = run(tsm(
        &db,
        passphrase,
        &["import", "--as-of", "2025-10-14", file],
    ));
    let week2 = second_week.then(|| {
        let w2 = weekly_file(2);
        run(tsm(
            &db,
            passphrase,
            &["import", "--as-of", "2025-10-21", w2.to_str().unwrap()],
        ))
    });
    let overview = run(tsm(&db, passphrase, &["overview", "--json"]));
    (import, week2, overview)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    let w1 = weekly_file(1);
    weekly_file(2);
    let size = std::fs::metadata(&w1).map(|m| m.len()).unwrap_or(0);
    println!(
        "DfE weekly file: {ROWS} pupil rows, {SCHOOLS} schools, {:.1} MB ({})",
        size as f64 / 1e6,
        w1.display()
    );

    let mut imports = Vec::new();
    let mut overviews = Vec::new();
    let mut totals = Vec::new();
    let mut peak = 0.0f64;
    let mut last_json = String::new();
    for _ in 0..RUNS {
        let (import, _, overview) = county(None, false);
        imports.push(import.secs);
        overviews.push(overview.secs);
        totals.push(import.secs + overview.secs);
        peak = peak.max(import.peak_mb).max(overview.peak_mb);
        last_json = overview.stdout;
    }
    let ours = figures(&last_json);
    assert_eq!(ours.len(), SCHOOLS, "every school is in the overview");
    let total = median(totals);
    println!(
        "tsm-desk, plain database: import {:.3} s + overview --json {:.3} s = {total:.3} s (medians of {RUNS}); peak memory {peak:.0} MB",
        median(imports),
        median(overviews)
    );

    let (import, week2, overview) = county(Some("benchmark passphrase"), true);
    let week2 = week2.unwrap();
    println!(
        "tsm-desk, encrypted database (one run): import {:.3} s, second week's file {:.3} s, overview --json {:.3} s; peak memory {:.0} MB",
        import.secs,
        week2.secs,
        overview.secs,
        import.peak_mb.max(week2.peak_mb).max(overview.peak_mb)
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pandas_dfe.py");
    let mut pandas = Vec::new();
    let mut pandas_peak = 0.0f64;
    let mut pandas_json = None;
    for _ in 0..RUNS {
        let mut cmd = Command::new("python3");
        cmd.arg(&script).arg(&w1).arg("--json");
        let probe = Command::new("python3")
            .args(["-c", "import pandas"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if !probe {
            break;
        }
        let ran = run(cmd);
        pandas.push(ran.secs);
        pandas_peak = pandas_peak.max(ran.peak_mb);
        pandas_json = Some(ran.stdout);
    }
    let Some(pandas_json) = pandas_json else {
        println!("pandas comparison skipped (pip install pandas)");
        println!(
            "target: < 1.5 s: {}",
            if total < 1.5 { "met" } else { "MISSED" }
        );
        return;
    };
    let theirs = figures(&pandas_json);
    assert_eq!(theirs.len(), ours.len());
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!(
            (&a.urn, a.pupils, a.persistent, a.severe),
            (&b.urn, b.pupils, b.persistent, b.severe),
            "tsm-desk and pandas disagree on school {}",
            a.urn
        );
        assert!(
            (a.absence_rate - b.absence_rate).abs() < 1e-12,
            "absence rate of {}: {} vs {}",
            a.urn,
            a.absence_rate,
            b.absence_rate
        );
    }
    let p = median(pandas);
    println!(
        "pandas read, store and per-school PA/SA: {p:.3} s (median of {RUNS}); peak memory {pandas_peak:.0} MB"
    );
    println!(
        "every school's pupils, PA, SA and absence rate agree ({} schools); tsm-desk is {:.1}x faster (target 3x); target < 1.5 s: {}; peak < 1 GB: {}",
        ours.len(),
        p / total,
        if total < 1.5 { "met" } else { "MISSED" },
        if peak < 1024.0 { "met" } else { "MISSED" }
    );
}
