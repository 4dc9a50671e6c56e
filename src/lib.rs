//! tsm-desk: attendance data and termly Targeting Support Meetings for schools in England.
//!
//! Layers (see `ARCHITECTURE.md`): [`domain`] is pure; [`import`] reads exports into
//! [`domain::ImportBatch`]es; [`store`] keeps everything in SQLite; [`analysis`] turns
//! stored data into flags and cohort figures with polars; [`sample`] writes the synthetic
//! sample data. The command line lives in the binary (`src/main.rs`, `src/cli/`).

pub mod analysis;
pub mod chart;
pub mod demo;
pub mod domain;
pub mod import;
pub mod platform;
pub mod report;
pub mod sample;
pub mod service;
pub mod store;
pub mod ttf;
pub mod ui;
pub mod view;
