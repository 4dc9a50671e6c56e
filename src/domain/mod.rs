//! The pure domain core: attendance codes, flag rules and thresholds, periods, pupils
//! and the plain data that moves between layers. No I/O and no framework crates here
//! (a test in `tests/architecture.rs` checks it).

pub mod batch;
pub mod codes;
pub mod dataset;
pub mod marks;
pub mod meeting;
pub mod period;
pub mod pupil;
pub mod rules;

pub use batch::{BatchContent, ImportBatch, Layout, PupilMarks, SummaryRow, Warning};
pub use codes::{Category, Code, ReasonGroup, SessionCounts};
pub use dataset::{PeriodData, PreviousRate, PupilRecord, School};
pub use marks::{Mark, MarkStrip, Session};
pub use period::{AcademicYear, Period, Term};
pub use pupil::{PupilDetails, SenStatus, Sex, Upn, YearGroup};
pub use rules::{AtRiskReason, BasisPoints, Flag, FlagCategory, PupilFacts, Rate, Thresholds};
