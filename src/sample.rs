//! Deterministic synthetic sample data (placeholder; being written).

use crate::domain::Period;
use std::path::{Path, PathBuf};

/// One generated file and how to import it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleFile {
    /// Where the file was written.
    pub path: PathBuf,
    /// The school's URN.
    pub urn: String,
    /// The school's name.
    pub school_name: String,
    /// The school's phase.
    pub phase: String,
    /// The term to import it with (`--term`), for summaries.
    pub term: Option<Period>,
}

/// Why sample data could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// Writing a file failed.
    #[error("cannot write {path}: {message}")]
    Write {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Writes the sample data set into `dir` and returns its files in import order.
///
/// # Errors
/// [`SampleError`] if a file cannot be written.
pub fn generate(dir: &Path) -> Result<Vec<SampleFile>, SampleError> {
    let _ = dir;
    Ok(Vec::new())
}
