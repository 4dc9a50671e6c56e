//! The bundled demo: `sample_data/manifest.csv` lists each sample file with its
//! school and term (or, for the DfE weekly file, which holds several schools, the day
//! its figures run to), so a new database can be filled with the sample data set.

use crate::domain::Period;
use crate::import::{ColumnMapping, ImportError, read_file};
use crate::sample::SampleFile;
use crate::store::{ImportOptions, ImportOutcome, Store, StoreError};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// The manifest's file name inside the sample folder.
pub const MANIFEST: &str = "manifest.csv";

/// Who the activity log says imported the sample data.
const LOADER: &str = "(sample data loader)";

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

/// Writes the manifest for `files` (paths are stored relative to `dir`): `file`, `urn`,
/// `school`, `phase`, `term` and `as_of` (ISO date), each empty where it does not apply.
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
    w.write_record(["file", "urn", "school", "phase", "term", "as_of"])
        .map_err(|e| err(&e))?;
    for f in files {
        let name = f
            .path
            .strip_prefix(dir)
            .unwrap_or(&f.path)
            .to_string_lossy()
            .into_owned();
        let term = f.term.map(|t| t.to_string()).unwrap_or_default();
        let as_of = f.as_of.map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
            name.as_str(),
            &f.urn,
            &f.school_name,
            &f.phase,
            &term,
            &as_of,
        ])
        .map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))
}

/// Reads the manifest in `dir`. A manifest written before the `as_of` column was added
/// (five columns) reads with no `as_of`.
///
/// # Errors
/// [`DemoError::Manifest`] if it is missing or malformed.
pub fn read_manifest(dir: &Path) -> Result<Vec<SampleFile>, DemoError> {
    let path = dir.join(MANIFEST);
    let err = |e: &dyn std::fmt::Display| DemoError::Manifest {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(&path)
        .map_err(|e| err(&e))?;
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
        let as_of = field(5);
        let as_of: Option<NaiveDate> = if as_of.is_empty() {
            None
        } else {
            Some(as_of.parse().map_err(|e| err(&e))?)
        };
        out.push(SampleFile {
            path: dir.join(field(0)),
            urn: field(1),
            school_name: field(2),
            phase: field(3),
            term,
            as_of,
        });
    }
    Ok(out)
}

/// Imports every file of the manifest in `dir`, in order, each in its own transaction.
/// A file with no URN (the DfE weekly file) is stored for every school it holds, with
/// its figures running to the manifest's `as_of`.
///
/// # Errors
/// [`DemoError`] for the first file that fails.
pub fn load(store: &mut Store, dir: &Path) -> Result<Vec<ImportOutcome>, DemoError> {
    let files = read_manifest(dir)?;
    let mut outcomes = Vec::new();
    for f in &files {
        let batch = read_file(&f.path, &ColumnMapping::default())?;
        if f.urn.is_empty() {
            // Several schools, named in the file itself.
            let options = ImportOptions {
                school_name: None,
                term: f.term,
                replace: false,
                officer: LOADER.to_owned(),
                as_of: f.as_of,
            };
            outcomes.extend(store.import_batches_with_school(
                None,
                None,
                std::slice::from_ref(&batch),
                &options,
            )?);
            continue;
        }
        store.set_school(&f.urn, Some(&f.school_name), Some(&f.phase))?;
        let options = ImportOptions {
            school_name: Some(f.school_name.clone()),
            term: f.term,
            replace: false,
            officer: LOADER.to_owned(),
            as_of: f.as_of,
        };
        outcomes.push(store.import_batch(&f.urn, &batch, &options)?);
    }
    Ok(outcomes)
}

/// Where the bundled sample data is: `TSM_DESK_SAMPLE_DATA` if set, else `sample_data/`
/// beside the program (where the Windows installer puts it), in its source tree, or in
/// the working folder.
#[must_use]
pub fn sample_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TSM_DESK_SAMPLE_DATA").map(PathBuf::from),
        crate::platform::folders::program_dir().map(|d| d.join("sample_data")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sample_data")),
        Some(PathBuf::from("sample_data")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|d| d.join(MANIFEST).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Term;

    #[test]
    fn manifests_with_and_without_as_of_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(MANIFEST),
            "file,urn,school,phase,term\na.csv,990101,Oakfield Primary School,primary,2025-26 summer\n",
        )
        .unwrap();
        let old = read_manifest(dir.path()).unwrap();
        assert_eq!(old.len(), 1);
        assert_eq!(old[0].urn, "990101");
        assert_eq!(old[0].term, Some(Period::new(2025, Term::Summer)));
        assert_eq!(old[0].as_of, None);

        let files = [
            SampleFile {
                path: dir.path().join("b.csv"),
                urn: "990202".into(),
                school_name: "Riverside Academy".into(),
                phase: "secondary".into(),
                term: None,
                as_of: None,
            },
            SampleFile {
                path: dir.path().join("dfe.csv"),
                urn: String::new(),
                school_name: String::new(),
                phase: String::new(),
                term: None,
                as_of: NaiveDate::from_ymd_opt(2026, 11, 13),
            },
        ];
        write_manifest(dir.path(), &files).unwrap();
        let text = std::fs::read_to_string(dir.path().join(MANIFEST)).unwrap();
        assert_eq!(
            text,
            "file,urn,school,phase,term,as_of\nb.csv,990202,Riverside Academy,secondary,,\ndfe.csv,,,,,2026-11-13\n"
        );
        assert_eq!(read_manifest(dir.path()).unwrap(), files);
    }
}
