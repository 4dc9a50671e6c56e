//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, reason = "test helpers may panic")]
#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::{Path, PathBuf};
use std::process::Command;
use tsm_desk::store::Store;

/// The hand-worked fixtures folder.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Output of one run of the binary.
pub struct Run {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// The binary on database `db`, with none of the environment's database settings
/// (no passphrase, not "unencrypted") and nothing on its input.
pub fn tsm_command(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tsm-desk"));
    cmd.arg("--db")
        .arg(db)
        .env_remove("TSM_DESK_DB")
        .env_remove("TSM_DESK_PASSPHRASE")
        .env_remove("TSM_DESK_UNENCRYPTED")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs a command to its end.
pub fn run(mut cmd: Command) -> Run {
    let out = cmd.output().expect("run tsm-desk");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `tsm-desk` with a (plain) database.
pub fn tsm(db: &Path, args: &[&str]) -> Run {
    let mut cmd = tsm_command(db);
    cmd.args(args).env("TSM_DESK_UNENCRYPTED", "1");
    run(cmd)
}

/// The moment most tests are set at: Monday 23 November 2026, 09:00, in the autumn
/// term of 2026-27.
pub fn now() -> chrono::NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap()
}

/// Runs `tsm-desk` and parses its JSON output, failing the test on error.
pub fn tsm_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let run = tsm(db, args);
    assert!(run.ok, "tsm-desk {args:?} failed: {}", run.stderr);
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("bad JSON from {args:?}: {e}\n{}", run.stdout))
}

/// Row counts of every main table.
pub fn counts(store: &Store) -> Vec<(&'static str, i64)> {
    store.table_counts().unwrap()
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
