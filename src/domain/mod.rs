//! The pure domain core: attendance codes, flag rules and thresholds, periods, pupils
//! and the plain data that moves between layers. No I/O and no framework crates here
//! (a test in `tests/it/architecture.rs` checks it).

pub mod backtest;
pub mod batch;
pub mod clock;
pub mod codes;
pub mod dataset;
pub mod dates;
pub mod marks;
pub mod meeting;
pub mod period;
pub mod priority;
pub mod published;
pub mod pupil;
pub mod rules;
pub mod snapshot;

pub use batch::{
    BatchContent, BatchSchool, ImportBatch, Layout, PupilMarks, SummaryRow, Warning, WeeklyContent,
    WeeklyFile, WeeklyPart, WeeklyRow,
};
pub use clock::Clock;
pub use codes::{Category, Code, CodeMap, LocalCode, Reading, ReasonGroup, SessionCounts};
pub use dataset::{PatchRow, PeriodData, PreviousRate, PupilRecord, PupilTag, School};
pub use marks::{Mark, MarkStrip, Session};
pub use period::{AcademicYear, Period, Term};
pub use published::{GeographicLevel, PublishedPhase, PublishedRow};
pub use pupil::{PupilDetails, SenStatus, Sex, Upn, YearGroup};
pub use rules::{AtRiskReason, BasisPoints, Flag, FlagCategory, PupilFacts, Rate, Thresholds};
pub use snapshot::{Snapshot, SnapshotRow};
