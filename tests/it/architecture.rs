//! The layering rules from ARCHITECTURE.md, checked on the sources: the domain core
//! uses no framework crates, and the import and analysis layers no UI.
#![allow(clippy::unwrap_used, reason = "test helpers may panic")]

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// Lines of code (comments dropped) in a layer that name a forbidden crate.
fn uses(layer: &str, crates: &[&str]) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    assert!(dir.is_dir(), "{} is missing", dir.display());
    let mut hits = Vec::new();
    for file in rust_files(&dir) {
        for (n, line) in fs::read_to_string(&file).unwrap().lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for krate in crates {
                let named = code.contains(&format!("{krate}::"))
                    || code.contains(&format!("use {krate}"))
                    || code.contains(&format!("extern crate {krate}"));
                if named {
                    hits.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    hits
}

#[test]
fn the_domain_core_is_pure() {
    let hits = uses(
        "domain",
        &[
            "egui", "eframe", "rusqlite", "polars", "calamine", "plotters", "rfd",
        ],
    );
    assert!(
        hits.is_empty(),
        "src/domain must not use framework crates:\n{}",
        hits.join("\n")
    );
}

#[test]
fn import_and_analysis_have_no_ui_and_no_database() {
    for layer in ["import", "analysis"] {
        let hits = uses(layer, &["egui", "eframe", "rfd", "rusqlite"]);
        assert!(
            hits.is_empty(),
            "src/{layer} must not use UI or database crates:\n{}",
            hits.join("\n")
        );
    }
}

#[test]
fn only_the_store_uses_sqlite_and_only_analysis_uses_polars() {
    for layer in ["domain", "import", "analysis", "service", "ui"] {
        assert!(
            uses(layer, &["rusqlite"]).is_empty(),
            "src/{layer} uses rusqlite"
        );
    }
    for layer in ["domain", "import", "store", "service", "ui"] {
        assert!(
            uses(layer, &["polars"]).is_empty(),
            "src/{layer} uses polars"
        );
    }
}

#[test]
fn the_service_layer_has_no_ui() {
    let hits = uses("service", &["egui", "eframe", "rfd", "plotters"]);
    assert!(
        hits.is_empty(),
        "src/service must not use UI crates:\n{}",
        hits.join("\n")
    );
}

#[test]
fn report_and_chart_have_no_ui_no_database_and_no_polars() {
    for layer in ["report", "chart"] {
        let hits = uses(layer, &["egui", "eframe", "rfd", "rusqlite", "polars"]);
        assert!(
            hits.is_empty(),
            "src/{layer} must not use UI, database or polars crates:\n{}",
            hits.join("\n")
        );
    }
}

#[test]
fn the_check_itself_finds_a_use() {
    assert!(!uses("ui", &["egui"]).is_empty());
    // Guard against a check that cannot fail: the store does use rusqlite.
    assert!(!uses("store", &["rusqlite"]).is_empty());
    assert!(!uses("analysis", &["polars"]).is_empty());
    assert!(!uses("cli", &["tsm_desk::service"]).is_empty());
}

/// The command line parses and prints: what it does goes through the service, so it
/// never reaches the store or the analysis itself (saved settings then apply alike).
#[test]
fn the_cli_goes_through_the_service() {
    let hits = uses("cli", &["tsm_desk::store", "tsm_desk::analysis"]);
    assert!(
        hits.is_empty(),
        "the CLI reaches below the service:\n{}",
        hits.join("\n")
    );
}
