//! The bundled demo: `sample_data/manifest.csv` lists each sample file with its
//! school and term, so a new database can be filled with the sample data set.

use crate::domain::Period;
use crate::import::{ColumnMapping, ImportError, read_file};
use crate::sample::SampleFile;
use crate::store::{ImportOptions, ImportOutcome, Store, StoreError};
use std::path::{Path, PathBuf};

/// The manifest's file name inside the sample folder.
pub const MANIFEST: &str = "manifest.csv";

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The manifest is missing or unreadable.
    #[error("{path}: {message}")]
    Manifest {
        /// The manifest's path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A sample file did not import.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The store refused a sample file.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes the manifest for `files` (paths are stored relative to `dir`).
///
/// # Errors
/// [`DemoError::Manifest`] if it cannot be written.
pub fn write_manifest(dir: &Path, files: &[SampleFile]) -> Result<(), DemoError> {
    let path = dir.join(MANIFEST);
    let err = |e: &dyn std::fmt::Display| DemoError::Manifest {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut w = csv::Writer::from_path(&path).map_err(|e| err(&e))?;
    w.write_record(["file", "urn", "school", "phase", "term"])
        .map_err(|e| err(&e))?;
    for f in files {
        let name = f
            .path
            .strip_prefix(dir)
            .unwrap_or(&f.path)
            .to_string_lossy()
            .into_owned();
        let term = f.term.map(|t| t.to_string()).unwrap_or_default();
        w.write_record([name.as_str(), &f.urn, &f.school_name, &f.phase, &term])
            .map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))
}

/// Reads the manifest in `dir`.
///
/// # Errors
/// [`DemoError::Manifest`] if it is missing or malformed.
pub fn read_manifest(dir: &Path) -> Result<Vec<SampleFile>, DemoError> {
    let path = dir.join(MANIFEST);
    let err = |e: &dyn std::fmt::Display| DemoError::Manifest {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut r = csv::Reader::from_path(&path).map_err(|e| err(&e))?;
    let mut out = Vec::new();
    for record in r.records() {
        let record = record.map_err(|e| err(&e))?;
        let field = |i: usize| record.get(i).unwrap_or("").to_owned();
        let term = field(4);
        let term: Option<Period> = if term.is_empty() {
            None
        } else {
            Some(term.parse().map_err(|e| err(&e))?)
        };
        out.push(SampleFile {
            path: dir.join(field(0)),
            urn: field(1),
            school_name: field(2),
            phase: field(3),
            term,
        });
    }
    Ok(out)
}

/// Imports every file of the manifest in `dir`, in order, each in its own transaction.
///
/// # Errors
/// [`DemoError`] for the first file that fails.
pub fn load(store: &mut Store, dir: &Path) -> Result<Vec<ImportOutcome>, DemoError> {
    let files = read_manifest(dir)?;
    let mut outcomes = Vec::new();
    for f in &files {
        let batch = read_file(&f.path, &ColumnMapping::default())?;
        store.set_school(&f.urn, Some(&f.school_name), Some(&f.phase))?;
        let options = ImportOptions {
            school_name: Some(f.school_name.clone()),
            term: f.term,
            replace: false,
            officer: "(sample data loader)".to_owned(),
            as_of: None,
        };
        outcomes.push(store.import_batch(&f.urn, &batch, &options)?);
    }
    Ok(outcomes)
}

/// Where the bundled sample data is: `TSM_DESK_SAMPLE_DATA` if set, else
/// `sample_data/` beside the executable's source tree or in the working folder.
#[must_use]
pub fn sample_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TSM_DESK_SAMPLE_DATA").map(PathBuf::from),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_data")),
        Some(PathBuf::from("sample_data")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.join(MANIFEST).is_file())
}
