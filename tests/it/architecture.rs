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

// ---- Which module may use which, at module level ----

/// The layers, lowest first, and the modules each may use. The table itself must be
/// acyclic (checked below), so following it keeps every dependency pointing down.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("ttf", &[]),
    // What differs between Linux, macOS and Windows: a leaf every layer may use.
    ("platform", &[]),
    ("import", &["domain"]),
    ("store", &["domain", "platform"]),
    ("analysis", &["domain"]),
    ("sample", &["domain"]),
    ("demo", &["domain", "import", "store", "sample", "platform"]),
    // The view models: plain data the service hands up and report/chart draw.
    ("view", &["domain", "import", "store", "analysis"]),
    ("chart", &["domain", "view"]),
    ("report", &["domain", "view", "chart", "ttf", "platform"]),
    (
        "service",
        &[
            "domain", "ttf", "import", "store", "analysis", "sample", "demo", "view", "chart",
            "report", "platform",
        ],
    ),
    ("ui", &["domain", "view", "chart", "service", "platform"]),
    // The binary: the command line and main.rs name the library as `tsm_desk`.
    ("cli", &["domain", "view", "service"]),
    // The window both binaries open, and the Windows app binary (src/bin).
    ("gui", &["ui", "service"]),
    ("bin", &["service"]),
    ("main", &["ui", "service", "cli"]),
];

/// Code lines (comments dropped) of a source file, up to its test module: tests may
/// reach anything.
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    let text = fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("").to_owned();
        out.push((n + 1, code));
    }
    out
}

/// Files under `src/<module>` (or `src/<module>.rs`), leaving out test-only files
/// (`tests.rs`, declared `#[cfg(test)] mod tests;`).
fn module_files(module: &str) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let file = src.join(format!("{module}.rs"));
    let dir = src.join(module);
    let mut files = if file.is_file() {
        vec![file]
    } else {
        Vec::new()
    };
    if dir.is_dir() {
        files.extend(rust_files(&dir));
    }
    files.retain(|f| f.file_name().is_some_and(|n| n != "tests.rs"));
    assert!(!files.is_empty(), "no sources for module {module}");
    files
}

/// Identifiers following `prefix` in a line of code (`crate::store::x` gives "store").
fn names_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + prefix.len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') && end > 0 {
            out.push(&after[..end]);
        }
        rest = &after[end..];
    }
    out
}

/// Every (module used, where) for a module's files: `crate::x` in the library,
/// `tsm_desk::x` in the binary.
fn module_uses(module: &str) -> Vec<(String, String)> {
    let prefix = if matches!(module, "cli" | "main" | "gui" | "bin") {
        "tsm_desk::"
    } else {
        "crate::"
    };
    let mut out = Vec::new();
    for file in module_files(module) {
        for (n, code) in code_lines(&file) {
            for used in names_after(&code, prefix) {
                if used != module {
                    out.push((
                        used.to_owned(),
                        format!("{}:{n}: {}", file.display(), code.trim()),
                    ));
                }
            }
        }
    }
    out
}

/// A cycle in a directed graph, if any (depth-first search).
fn find_cycle(edges: &[(String, String)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &[(String, String)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.iter().any(|n| n == node) {
            return None;
        }
        path.push(node.to_owned());
        for (from, to) in edges {
            if from == node
                && let Some(c) = visit(to, edges, path, done)
            {
                return Some(c);
            }
        }
        path.pop();
        done.push(node.to_owned());
        None
    }
    let mut done = Vec::new();
    for (from, _) in edges {
        if let Some(c) = visit(from, edges, &mut Vec::new(), &mut done) {
            return Some(c);
        }
    }
    None
}

fn allowed_edges() -> Vec<(String, String)> {
    ALLOWED
        .iter()
        .flat_map(|(m, deps)| deps.iter().map(|d| ((*m).to_owned(), (*d).to_owned())))
        .collect()
}

/// Platform differences (folders, file replacing, permissions, opening files) live in
/// `src/platform` only; everything else calls it.
#[test]
fn only_the_platform_module_asks_which_platform_it_is_on() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let platform = src.join("platform");
    let marks = [
        "cfg!(windows)",
        "cfg(windows)",
        "cfg(unix)",
        "cfg!(unix)",
        "target_os",
        "\"APPDATA\"",
        "\"HOME\"",
        "\"USERPROFILE\"",
        "xdg-open",
    ];
    let mut hits = Vec::new();
    for file in rust_files(&src) {
        if file.starts_with(&platform) {
            continue;
        }
        for (n, code) in code_lines(&file) {
            if marks.iter().any(|m| code.contains(m)) {
                hits.push(format!("{}:{n}: {}", file.display(), code.trim()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "platform checks outside src/platform:\n{}",
        hits.join("\n")
    );
    // The check can fail: the platform module itself has them.
    assert!(
        rust_files(&platform)
            .iter()
            .any(|f| fs::read_to_string(f).unwrap().contains("cfg!(windows)"))
    );
}

#[test]
fn the_layer_table_points_down() {
    assert_eq!(find_cycle(&allowed_edges()), None);
    // Every module of the crate is in the table, so none escapes the check.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        assert!(
            ALLOWED.iter().any(|(m, _)| *m == name),
            "src/{name} is not in the layer table"
        );
    }
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let mut wrong = Vec::new();
    for (module, deps) in ALLOWED {
        for (used, at) in module_uses(module) {
            let known = ALLOWED.iter().any(|(m, _)| *m == used);
            if known && !deps.contains(&used.as_str()) {
                wrong.push(format!("{module} uses {used}: {at}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "upward or sideways uses:\n{}",
        wrong.join("\n")
    );
}

/// The store's files use one another without a circle: shared formats and path helpers
/// sit in leaf files. `mod.rs` (the `Store` and its error, which every file extends) is
/// left out.
#[test]
fn the_store_files_form_no_circle() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
    let files: Vec<PathBuf> = rust_files(&dir)
        .into_iter()
        .filter(|f| f.file_name().is_some_and(|n| n != "mod.rs"))
        .collect();
    let stems: Vec<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut edges = Vec::new();
    for (file, stem) in files.iter().zip(&stems) {
        for (_, code) in code_lines(file) {
            for prefix in ["super::", "crate::store::"] {
                for used in names_after(&code, prefix) {
                    if used != stem && stems.iter().any(|s| s == used) {
                        edges.push((stem.clone(), used.to_owned()));
                    }
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    assert!(
        !edges.is_empty(),
        "the store's files use none of each other?"
    );
    assert_eq!(find_cycle(&edges), None, "edges: {edges:?}");
}

/// The checks above can fail: they find a known use, and a planted circle.
#[test]
fn the_direction_checks_can_fail() {
    assert!(module_uses("service").iter().any(|(m, _)| m == "store"));
    assert!(module_uses("cli").iter().any(|(m, _)| m == "service"));
    assert_eq!(
        names_after("use crate::service::view::X; x_crate::store", "crate::"),
        ["service"]
    );
    let planted: Vec<(String, String)> = [("a", "b"), ("b", "c"), ("c", "a")]
        .iter()
        .map(|(x, y)| ((*x).to_owned(), (*y).to_owned()))
        .collect();
    assert_eq!(
        find_cycle(&planted),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
