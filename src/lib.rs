//! tsm-desk: attendance data and termly Targeting Support Meetings for schools in England.
//!
//! Layers (see `ARCHITECTURE.md`): [`domain`] is pure; [`import`] reads exports into
//! [`domain::ImportBatch`]es; [`store`] keeps everything in SQLite; [`analysis`] turns
//! stored data into flags and cohort figures with polars; [`cli`] is the command line.

pub mod domain;
pub mod import;
pub mod store;
pub mod sample;
