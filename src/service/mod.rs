//! The application layer between the screens and the engine: it owns the [`Store`],
//! runs the analysis and hands plain view models ([`view`]) back. No egui here; the
//! [`worker`] runs a [`Service`] on its own named thread so the UI never waits on SQL,
//! polars or file work.

pub mod comparators;
mod hygiene;
mod meeting;
pub mod print;
pub mod reports;
pub mod safety;
pub mod settings;
pub mod worker;

/// The view models, which live below the service so that the report and chart layers
/// can draw them; named here too for the service's callers.
pub use crate::view;

use crate::analysis::{self, AnalysisError, PupilFlag};
use crate::demo::DemoError;
use crate::domain::priority::Priority;
use crate::domain::{Clock, FlagCategory, Period, PeriodData, PupilRecord, School, SenStatus};
use crate::import::ImportError;
use crate::store::{ImportOptions, Store, StoreError};
use chrono::NaiveDate;
pub use hygiene::{retention_keep_from, saved_settings};
pub use meeting::new_row_id;
pub use settings::{NationalComparator, NationalFigures, Settings};
// What callers of the service (the app's worker, the CLI) name in its requests and
// answers, so that they need not reach below it.
pub use crate::analysis::CohortBy;
pub use crate::import::{ColumnMapping, Field, base_name};
pub use crate::store::{
    ActivityKind, ActivityRow, DeletedCounts, ImportOutcome, MIN_PASSPHRASE_LEN, Passphrase,
    Protection, PurgePreview, probe,
};
use crate::view::{
    Badge, CalendarDay, CharacteristicRate, FilePreview, HistoryPoint, ImportReport, Overview,
    OverviewRow, Progress, PupilDetail, PupilRow, SchoolView, TrendPoint,
};
use std::path::{Path, PathBuf};

/// Something the service could not do. Messages name files, lines and fields, never
/// pupils.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file to import.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The analysis.
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// Loading the sample data.
    #[error("loading the sample data: {0}")]
    Demo(#[from] DemoError),
    /// Settings that cannot be saved.
    #[error("{0}")]
    Invalid(String),
    /// A printout or export.
    #[error(transparent)]
    Report(#[from] crate::report::ReportError),
    /// Writing the sample data.
    #[error(transparent)]
    Sample(#[from] crate::sample::SampleError),
}

impl From<&ServiceError> for crate::view::ImportFailure {
    fn from(e: &ServiceError) -> Self {
        let unknown_codes = match e {
            ServiceError::Import(e) => match e.problem.as_ref() {
                crate::import::Problem::UnknownCodes(codes) => {
                    codes.iter().filter_map(|c| c.code.clone()).collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        crate::view::ImportFailure {
            message: e.to_string(),
            unknown_codes,
        }
    }
}

pub use crate::demo::{MANIFEST, sample_dir};
pub use crate::sample::SampleFile;

/// Writes the synthetic sample data (demo pupils, several schools) to `dir` with the
/// manifest that loading it into a new database reads.
///
/// # Errors
/// If a file cannot be written.
pub fn write_sample_data(dir: &Path) -> Result<Vec<SampleFile>, ServiceError> {
    let files = crate::sample::generate(dir)?;
    crate::demo::write_manifest(dir, &files)?;
    Ok(files)
}

/// Replaces the default panic message, whose payload can carry data (a value being
/// read, a pupil's name), with a short generic one naming only the thread and the
/// place in the source. The binary installs it first thing.
pub fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map_or_else(String::new, |l| {
            format!(" at {}:{}:{}", l.file(), l.line(), l.column())
        });
        let thread = std::thread::current()
            .name()
            .map_or_else(String::new, |n| format!(" in thread {n}"));
        eprintln!(
            "tsm-desk stopped on an internal error{thread}{place}. The details are not shown because they could contain pupil data; please report this location."
        );
    }));
}

/// The platform data folder's database, `tsm-desk.sqlite` in
/// [`platform::folders::data_dir`](crate::platform::folders::data_dir):
/// `%APPDATA%\tsm-desk` on Windows, `$XDG_DATA_HOME/tsm-desk` (or
/// `~/.local/share/tsm-desk`) on Linux, `~/Library/Application Support/tsm-desk` on
/// macOS.
#[must_use]
pub fn default_database() -> Option<PathBuf> {
    crate::platform::folders::data_dir().map(|d| d.join("tsm-desk.sqlite"))
}

/// The settings key for [`Settings`].
const SETTINGS_KEY: &str = "settings";
/// The settings key marking a database filled from the bundled sample data.
const DEMO_KEY: &str = "demo";

/// A request to import files: for one school, or, for a file holding several (the
/// DfE weekly file), every school in it (or only `urn`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ImportRequest {
    /// The files, all imported or none.
    pub files: Vec<PathBuf>,
    /// Column mapping chosen in the wizard.
    pub mapping: ColumnMapping,
    /// The school's URN; empty for a file that names its schools (then every school in
    /// it is imported).
    pub urn: String,
    /// The school's name (for a new school, or to rename).
    pub school_name: Option<String>,
    /// The school's phase.
    pub phase: Option<String>,
    /// The term for summaries (marks take terms from their dates).
    pub term: Option<Period>,
    /// Import again files imported before.
    pub replace: bool,
    /// The day a weekly file's figures run to (default: the file's modified date).
    pub as_of: Option<NaiveDate>,
    /// Local codes mapped for this import only, on top of the saved code map.
    pub code_map: Vec<(String, crate::domain::Code)>,
}

/// How one file was imported: stored as it was read, or read whole to be stored.
enum Streamed {
    /// A DfE weekly file, stored.
    Stored(Box<crate::store::ImportOutcome>),
    /// Any other file, read.
    Whole(Box<crate::domain::ImportBatch>),
}

/// A school's period loaded for the screens, kept while the user looks at it.
struct Loaded {
    school: School,
    data: PeriodData,
    flags: Vec<PupilFlag>,
}

/// The application over one database.
pub struct Service {
    store: Store,
    settings: Settings,
    demo: bool,
    loaded: Option<Loaded>,
    /// Something to tell the user once the database is open (a failed daily backup).
    notice: Option<String>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("store", &self.store)
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// Opens the service over a store, reading the saved settings.
    ///
    /// # Errors
    /// SQLite errors; a damaged settings document.
    pub fn new(store: Store) -> Result<Service, ServiceError> {
        let (settings, demo) = safety::saved_settings(&store)?;
        Ok(Service {
            store,
            settings,
            demo,
            loaded: None,
            notice: None,
        })
    }

    /// Opens the database at `path` (encrypted with `key` when one is given; a new
    /// database is created encrypted then); when it does not exist yet and `sample` is
    /// given, fills it from the bundled sample data and marks it as demo data. A failed
    /// demo load leaves no database behind. An existing database is backed up on the
    /// first start of each day.
    ///
    /// # Errors
    /// Store errors (a wrong passphrase among them), sample-data errors. A failed
    /// daily backup does not stop the database opening: [`Service::take_notice`] says
    /// so.
    pub fn open(
        path: &Path,
        key: Option<&crate::store::Passphrase>,
        sample: Option<&Path>,
        clock: &Clock,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Service, ServiceError> {
        let fresh = crate::store::probe(path)? == crate::store::Protection::New;
        if key.is_some() {
            progress(Progress {
                label: "Unlocking the database…".into(),
                fraction: 0.05,
            });
        }
        let mut store = Store::open_with(path, key)?;
        store.set_clock(clock.clone());
        if fresh && let Some(dir) = sample {
            progress(Progress {
                label: "No database yet: loading the bundled sample data (demo, synthetic pupils)"
                    .into(),
                fraction: 0.1,
            });
            let loaded = crate::demo::load(&mut store, dir)
                .map_err(ServiceError::from)
                .and_then(|_| Ok(store.set_setting(DEMO_KEY, "true")?));
            if let Err(e) = loaded {
                drop(store);
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.as_os_str().to_owned();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                return Err(e);
            }
        }
        let mut service = Service::new(store)?;
        if !fresh {
            progress(Progress {
                label: "Checking today's backup…".into(),
                fraction: 0.5,
            });
            // A backup that cannot be made (a full disk, a read-only folder) is worth
            // saying loudly, but not worth refusing to open the data over.
            if let Err(e) = service.daily_backup(clock.today()) {
                service.notice = Some(format!("Today's backup could not be made: {e}"));
            }
        }
        Ok(service)
    }

    /// Opens an existing database (or creates an empty one) at `path`, encrypted with
    /// `key` when given, as the command line does: no sample data, no daily backup.
    ///
    /// # Errors
    /// Store errors (a wrong passphrase among them); a damaged settings document.
    pub fn open_existing(
        path: &Path,
        key: Option<&crate::store::Passphrase>,
    ) -> Result<Service, ServiceError> {
        Service::new(Store::open_with(path, key)?)
    }

    /// The clock the service and its store read (the one clock of the app or the
    /// command line).
    #[must_use]
    pub fn clock(&self) -> &Clock {
        self.store.clock()
    }

    /// Sets the clock (the command line's, or a test's pinned one).
    pub fn set_clock(&mut self, clock: Clock) {
        self.store.set_clock(clock);
    }

    /// Every school held, by URN, with the terms it has figures for.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schools(&self) -> Result<Vec<(School, Vec<Period>)>, ServiceError> {
        let mut out = Vec::new();
        for school in self.store.schools()? {
            let periods = self.store.periods(school.id)?;
            out.push((school, periods));
        }
        Ok(out)
    }

    /// The school with this URN.
    ///
    /// # Errors
    /// [`StoreError::NoSchool`] when none is held; SQLite errors.
    pub fn require_school(&self, urn: &str) -> Result<School, ServiceError> {
        Ok(self.store.require_school(urn)?)
    }

    /// The id of the meeting recorded with school `urn` for `term` (by default the
    /// school's latest term with data).
    ///
    /// # Errors
    /// [`StoreError::NoSchool`]; [`StoreError::NoPeriod`] when the school has no data
    /// yet; [`ServiceError::Invalid`] when it has no meeting for the term; SQLite errors.
    pub fn meeting_id(&self, urn: &str, term: Option<Period>) -> Result<i64, ServiceError> {
        let school = self.store.require_school(urn)?;
        let term = match term {
            Some(t) => t,
            None => *self
                .store
                .periods(school.id)?
                .last()
                .ok_or_else(|| StoreError::NoPeriod {
                    urn: urn.to_owned(),
                    period: None,
                })?,
        };
        match self.store.meeting(school.id, term)? {
            Some(m) => Ok(m.id),
            None => Err(ServiceError::Invalid(format!(
                "no meeting is recorded with school {urn} for {term}"
            ))),
        }
    }

    /// What to tell the user now the database is open (once), e.g. that today's backup
    /// failed.
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    /// Whether the database holds the bundled demo data.
    #[must_use]
    pub fn is_demo(&self) -> bool {
        self.demo
    }

    /// The settings in force.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Checks and saves new settings; cached analysis is dropped so flags follow new
    /// thresholds.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] naming the bad field; SQLite errors.
    pub fn save_settings(&mut self, settings: Settings) -> Result<(), ServiceError> {
        settings.check().map_err(ServiceError::Invalid)?;
        let json = serde_json::to_string(&settings)
            .map_err(|e| ServiceError::Invalid(format!("settings: {e}")))?;
        self.store.set_setting(SETTINGS_KEY, &json)?;
        self.settings = settings;
        self.loaded = None;
        Ok(())
    }

    /// Saved column mappings by name.
    ///
    /// # Errors
    /// SQLite errors; a damaged mapping.
    pub fn mappings(&self) -> Result<Vec<(String, ColumnMapping)>, ServiceError> {
        self.store
            .column_mappings()?
            .into_iter()
            .map(|(name, json)| {
                serde_json::from_str(&json)
                    .map(|m| (name.clone(), m))
                    .map_err(|e| ServiceError::Invalid(format!("saved mapping {name}: {e}")))
            })
            .collect()
    }

    /// Saves a column mapping under a name.
    ///
    /// # Errors
    /// [`ServiceError::Invalid`] for an empty name; SQLite errors.
    pub fn save_mapping(
        &mut self,
        name: &str,
        mapping: &ColumnMapping,
    ) -> Result<(), ServiceError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::Invalid("Give the mapping a name".into()));
        }
        let json = serde_json::to_string(mapping)
            .map_err(|e| ServiceError::Invalid(format!("mapping: {e}")))?;
        self.store.save_column_mapping(name, &json)?;
        Ok(())
    }

    /// The patch overview as of `today`: every school's latest term with data, its
    /// overall absence, persistent and severe absence and the change since its previous
    /// term, worked out for all schools in one pass (a county's weekly file holds
    /// hundreds of schools), with this term's meeting and the open actions and CME
    /// enquiries.
    ///
    /// # Errors
    /// Store and analysis errors.
    pub fn overview(&mut self, today: NaiveDate) -> Result<Overview, ServiceError> {
        let this_term = Period::of_date(today);
        let thresholds = self.settings.thresholds;
        // Each school's latest term with data and the one before.
        let mut terms: std::collections::HashMap<i64, (Period, i64, Option<i64>)> =
            std::collections::HashMap::new();
        for (school_id, period, period_id) in self.store.all_periods()? {
            let previous = terms.get(&school_id).map(|t| t.1);
            terms.insert(school_id, (period, period_id, previous));
        }
        let mut groups: Vec<i64> = terms
            .values()
            .flat_map(|(_, now, before)| std::iter::once(*now).chain(*before))
            .collect();
        groups.sort_unstable();
        let rows = self.store.patch_rows(&groups)?;
        let figures: std::collections::HashMap<i64, analysis::PatchFigures> =
            analysis::patch_figures(&rows, &thresholds)?
                .into_iter()
                .map(|f| (f.group, f))
                .collect();
        let mut out = Vec::new();
        for school in self.store.schools()? {
            let meeting = self.store.meeting(school.id, this_term)?;
            let actions = self.store.action_counts(school.id, today)?;
            let open_cme = self.store.open_cme_count(school.id)?;
            let mut row = OverviewRow {
                urn: school.urn.clone(),
                name: school.name.clone().unwrap_or_else(|| school.urn.clone()),
                phase: school.phase.clone(),
                pupils: 0,
                latest: None,
                absence: None,
                absence_change: None,
                persistent: None,
                persistent_change: None,
                persistent_pupils: 0,
                severe: None,
                severe_change: None,
                severe_pupils: 0,
                meeting,
                actions,
                open_cme,
            };
            if let Some((period, now, before)) = terms.get(&school.id) {
                let now = figures.get(now);
                let before = before.and_then(|b| figures.get(&b));
                let change =
                    |f: fn(&analysis::PatchFigures) -> Option<f64>| Some(f(now?)? - f(before?)?);
                row.latest = Some(*period);
                if let Some(n) = now {
                    row.pupils = n.pupils;
                    row.absence = n.absence_rate;
                    row.persistent = n.persistent_rate;
                    row.persistent_pupils = n.persistent;
                    row.severe = n.severe_rate;
                    row.severe_pupils = n.severe;
                }
                row.absence_change = change(|f| f.absence_rate);
                row.persistent_change = change(|f| f.persistent_rate);
                row.severe_change = change(|f| f.severe_rate);
            }
            out.push(row);
        }
        Ok(Overview {
            rows: out,
            this_term: Some(this_term),
        })
    }

    /// Plans a school's meeting for the term containing `on`.
    ///
    /// # Errors
    /// [`StoreError::NoSchool`]; SQLite errors.
    pub fn schedule(&mut self, urn: &str, on: NaiveDate) -> Result<(), ServiceError> {
        let school = self.store.require_school(urn)?;
        self.store
            .schedule_meeting(school.id, Period::of_date(on), on)?;
        Ok(())
    }

    fn load(&mut self, urn: &str, period: Option<Period>) -> Result<&Loaded, ServiceError> {
        let cached = self
            .loaded
            .as_ref()
            .is_some_and(|l| l.school.urn == urn && (period.is_none() || l.data.period == period));
        if !cached {
            let (school, data) = self.store.period_data(urn, period)?;
            let flags = analysis::flags(&data, &self.settings.thresholds)?;
            self.loaded = Some(Loaded {
                school,
                data,
                flags,
            });
        }
        self.loaded
            .as_ref()
            .ok_or_else(|| ServiceError::Invalid("nothing loaded".into()))
    }

    /// The dashboard and pupil list for a school's period (the latest if `None`).
    ///
    /// # Errors
    /// [`StoreError::NoSchool`], [`StoreError::NoPeriod`]; analysis errors.
    pub fn school_view(
        &mut self,
        urn: &str,
        period: Option<Period>,
    ) -> Result<SchoolView, ServiceError> {
        let thresholds = self.settings.thresholds;
        let school = self.store.require_school(urn)?;
        let national = self.settings.national_for(school.phase.as_deref());
        let names = self.store.pupil_names(school.id)?;
        let periods = self.store.periods(school.id)?;
        let mut trend = Vec::with_capacity(periods.len());
        let mut term_flags = Vec::with_capacity(periods.len());
        for p in &periods {
            let (_, data) = self.store.period_data(urn, Some(*p))?;
            let flags = analysis::flags(&data, &thresholds)?;
            let scoped = analysis::headline_scope(&data, &thresholds);
            let h = analysis::headline(&scoped, &flags, &thresholds).now;
            trend.push(TrendPoint {
                period: *p,
                absence_rate: h.absence_rate,
                persistent_rate: h.persistent_rate,
                severe_rate: h.severe_rate,
            });
            term_flags.push((*p, flags));
        }
        let backtests = reports::backtest_pairs(&term_flags);
        // Support on record up to the term shown (the latest held if none is asked for).
        let support = match period.or_else(|| periods.last().copied()) {
            Some(p) => self.store.support_on_record(school.id, p)?,
            None => std::collections::HashMap::new(),
        };
        let loaded = self.load(urn, period)?;
        let data = &loaded.data;
        let flags = &loaded.flags;
        let period = data
            .period
            .ok_or_else(|| ServiceError::Invalid("no period loaded".into()))?;
        // School-level figures leave out pupils outside compulsory school age (unless
        // the settings include them); the pupil list keeps everyone.
        let scoped = analysis::headline_scope(data, &thresholds);
        let school_la = loaded.school.la_name.clone();
        let mut characteristics = Vec::new();
        for by in [
            CohortBy::Sen,
            CohortBy::Fsm,
            CohortBy::Eal,
            CohortBy::Cla,
            CohortBy::Pla,
            CohortBy::Cin,
            CohortBy::Sex,
        ] {
            for g in analysis::cohorts(&scoped, flags, by)? {
                if let Some(label) = characteristic_label(by, &g.group) {
                    characteristics.push(CharacteristicRate {
                        label: label.to_owned(),
                        pupils: g.pupils,
                        absence_rate: g.absence_rate,
                        persistent_rate: g.persistent_rate,
                    });
                }
            }
        }
        let priorities = priorities(&support, flags, &thresholds);
        let mut pupils: Vec<PupilRow> = data
            .pupils
            .iter()
            .zip(flags)
            .zip(&priorities)
            .map(|((p, f), priority)| {
                let mut row = pupil_row(p, f, priority, names.get(&p.id));
                row.tags = p.tags(period, school_la.as_deref());
                row
            })
            .collect();
        sort_short_list(&mut pupils);
        let mut view = SchoolView {
            school: loaded.school.clone(),
            period,
            periods,
            previous: data.previous,
            has_marks: !data.marks.is_empty(),
            headline: analysis::headline(&scoped, flags, &thresholds),
            national,
            by_year: analysis::cohorts(&scoped, flags, CohortBy::Year)?,
            characteristics,
            reasons: analysis::reasons(&scoped)?,
            lateness: analysis::lateness(&scoped),
            weekly: analysis::weekly(&scoped)?,
            weekly_comparators: Vec::new(),
            day_of_week: analysis::day_of_week(&scoped)?,
            unmarked: scoped
                .pupils
                .iter()
                .map(|p| u64::from(p.counts.no_mark))
                .sum(),
            trend,
            pupils,
            thresholds,
            backtest: backtests.into_iter().find(|b| b.to == period),
        };
        view.weekly_comparators = self.weekly_comparators(&view.school, &view.weekly)?;
        Ok(view)
    }

    /// One pupil's detail in a school's period.
    ///
    /// # Errors
    /// As [`Service::school_view`]; [`ServiceError::Invalid`] for a pupil not in the
    /// period.
    pub fn pupil_detail(
        &mut self,
        urn: &str,
        period: Period,
        pupil_id: i64,
    ) -> Result<PupilDetail, ServiceError> {
        let history = self.store.pupil_history(pupil_id)?;
        let loaded = self.load(urn, Some(period))?;
        let index = loaded
            .data
            .pupils
            .iter()
            .position(|p| p.id == pupil_id)
            .ok_or_else(|| ServiceError::Invalid("that pupil has no data in this term".into()))?;
        let record = loaded.data.pupils[index].clone();
        let explanations = loaded
            .flags
            .get(index)
            .map(|f| f.explanations.clone())
            .unwrap_or_default();
        let strip = loaded
            .data
            .marks
            .iter()
            .find(|(id, _)| *id == pupil_id)
            .map(|(_, s)| s.clone());
        let one = PeriodData {
            period: Some(period),
            previous: None,
            pupils: vec![record],
            previous_rates: Vec::new(),
            marks: strip.iter().map(|s| (pupil_id, s.clone())).collect(),
            snapshots: loaded
                .data
                .snapshots
                .iter()
                .map(|s| crate::domain::Snapshot {
                    as_of: s.as_of,
                    rows: s
                        .rows
                        .iter()
                        .filter(|r| r.pupil_id == pupil_id)
                        .copied()
                        .collect(),
                })
                .collect(),
        };
        let mut calendar: Vec<CalendarDay> = Vec::new();
        if let Some(strip) = &strip {
            for mark in strip.marks() {
                let text = Some(crate::view::DayMark {
                    mark: mark.code.mark().to_owned(),
                    category: mark.code.category(),
                });
                match calendar.last_mut() {
                    Some(day) if day.date == mark.date => match mark.session {
                        crate::domain::Session::Am => day.am = text,
                        crate::domain::Session::Pm => day.pm = text,
                    },
                    _ => {
                        let mut day = CalendarDay {
                            date: mark.date,
                            am: None,
                            pm: None,
                        };
                        match mark.session {
                            crate::domain::Session::Am => day.am = text,
                            crate::domain::Session::Pm => day.pm = text,
                        }
                        calendar.push(day);
                    }
                }
            }
        }
        Ok(PupilDetail {
            pupil_id,
            period,
            weekly: analysis::weekly(&one)?,
            reasons: analysis::reasons(&one)?,
            calendar,
            history: history
                .into_iter()
                .map(|h| HistoryPoint {
                    period: h.period,
                    possible: h.counts.possible,
                    absence: h.counts.absence(),
                    absence_rate: crate::domain::Rate::new(h.counts.absence(), h.counts.possible)
                        .fraction(),
                })
                .collect(),
            explanations,
        })
    }

    /// A first look at files for the import wizard.
    #[must_use]
    pub fn preview(&self, files: &[PathBuf], mapping: &ColumnMapping) -> Vec<FilePreview> {
        files
            .iter()
            .map(|path| FilePreview {
                path: path.clone(),
                result: crate::import::preview(path, mapping, 8).map_err(|e| e.to_string()),
            })
            .collect()
    }

    /// Reads every file, then stores them all in one transaction: all or nothing.
    ///
    /// # Errors
    /// The first file's [`ImportError`] (naming file, line and field), or the store's
    /// refusal; nothing is stored then.
    pub fn import(
        &mut self,
        request: &ImportRequest,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportReport, ServiceError> {
        let urn = request.urn.trim();
        if !urn.is_empty() && !urn.chars().all(|c| c.is_ascii_digit()) {
            return Err(ServiceError::Invalid(
                "School URN must be digits, e.g. 990101".into(),
            ));
        }
        let urn = (!urn.is_empty()).then_some(urn);
        if request.files.is_empty() {
            return Err(ServiceError::Invalid("Choose at least one file".into()));
        }
        let options = crate::import::ReadOptions {
            mapping: request.mapping.clone(),
            code_map: self.settings.code_map_for(urn, &request.code_map),
        };
        let name = request
            .school_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let phase = request
            .phase
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let store_options = ImportOptions {
            school_name: name.map(str::to_owned),
            term: request.term,
            replace: request.replace,
            officer: self.settings.officer_label(),
            as_of: request.as_of,
        };
        let n = request.files.len();
        let mut batches = Vec::with_capacity(n);
        if let [path] = request.files.as_slice() {
            // One file: a DfE weekly file is stored as it is read, one core reading and
            // the other storing; any other file comes back whole.
            match self.import_streamed(path, &options, urn, &store_options, progress)? {
                Streamed::Stored(outcome) => {
                    self.loaded = None;
                    return Ok(ImportReport {
                        urn: urn.unwrap_or_default().to_owned(),
                        outcomes: vec![*outcome],
                    });
                }
                Streamed::Whole(batch) => batches.push(*batch),
            }
        } else {
            #[expect(clippy::cast_precision_loss, reason = "a handful of files")]
            for (i, path) in request.files.iter().enumerate() {
                let name = crate::import::base_name(path);
                progress(Progress {
                    label: format!("Reading {name} ({} of {n})", i + 1),
                    fraction: i as f32 / (n as f32 + 1.0),
                });
                batches.push(crate::import::read_file_with(path, &options)?);
            }
        }
        #[expect(clippy::cast_precision_loss, reason = "a handful of files")]
        progress(Progress {
            label: "Saving to the database".into(),
            fraction: n as f32 / (n as f32 + 1.0),
        });
        let outcomes =
            self.store
                .import_batches_with_school(urn, phase, &batches, &store_options)?;
        self.loaded = None;
        Ok(ImportReport {
            urn: urn.unwrap_or_default().to_owned(),
            outcomes,
        })
    }

    /// Reads one file on a reader thread; a DfE weekly file's rows are stored on this
    /// thread as they arrive, in one transaction (rolled back if reading fails later).
    fn import_streamed(
        &mut self,
        path: &Path,
        options: &crate::import::ReadOptions,
        urn: Option<&str>,
        store_options: &ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Streamed, ServiceError> {
        use crate::domain::WeeklyPart;
        let name = crate::import::base_name(path);
        progress(Progress {
            label: format!("Reading {name}"),
            fraction: 0.05,
        });
        // A rough count of rows to come, for the progress bar (a weekly row is about
        // 230 bytes).
        let expected = std::fs::metadata(path).map_or(1, |m| m.len() / 230).max(1);
        let store = &mut self.store;
        std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::sync_channel::<WeeklyPart>(2);
            // Rows the store has written come back to be freed on the reader's thread,
            // which has time to spare while the store's thread is the one waited on.
            let (give_back, spent) = std::sync::mpsc::channel::<Vec<crate::domain::WeeklyRow>>();
            let reader = std::thread::Builder::new()
                .name("tsm-import-read".into())
                .spawn_scoped(scope, move || {
                    crate::import::read_file_streamed(path, options, &mut move |part| {
                        spent.try_iter().for_each(drop);
                        send.send(part).is_ok()
                    })
                })
                .map_err(|e| ServiceError::Invalid(format!("cannot start reading: {e}")))?;
            let joined = |reader: std::thread::ScopedJoinHandle<'_, _>| {
                reader.join().unwrap_or_else(|_| {
                    Err(crate::import::ImportError::whole(
                        &name,
                        crate::import::Problem::Io("reading the file failed".into()),
                    ))
                })
            };
            let Ok(WeeklyPart::Start(file)) = receive.recv() else {
                // Not a weekly file (or unreadable): the reader read it whole.
                drop(receive);
                return Ok(Streamed::Whole(Box::new(joined(reader)?)));
            };
            progress(Progress {
                label: format!("Reading and saving {name}"),
                fraction: 0.1,
            });
            let mut rows_so_far = 0u64;
            let mut reader = Some(reader);
            let mut failure = None;
            let stored = {
                let mut next = |stored: Vec<crate::domain::WeeklyRow>| {
                    if !stored.is_empty() {
                        let _ = give_back.send(stored);
                    }
                    match receive.recv() {
                        Ok(WeeklyPart::Rows { schools, rows }) => {
                            rows_so_far += u64::try_from(rows.len()).unwrap_or(0);
                            #[expect(clippy::cast_precision_loss, reason = "a progress bar")]
                            let fraction =
                                0.1 + 0.8 * (rows_so_far as f32 / expected.max(rows_so_far) as f32);
                            progress(Progress {
                                label: format!(
                                    "Reading and saving {name}: {rows_so_far} pupils so far"
                                ),
                                fraction,
                            });
                            Some((schools, rows))
                        }
                        _ => None,
                    }
                };
                let mut end = || match reader.take().map(joined) {
                    Some(Ok(batch)) => Some((batch.rows, batch.warnings)),
                    Some(Err(e)) => {
                        failure = Some(e);
                        None
                    }
                    None => None,
                };
                store.import_weekly_parts(file, urn, store_options, &mut next, &mut end)
            };
            // The store may have stopped early: let the reader see it and finish.
            drop(receive);
            if let Some(reader) = reader {
                let _ = joined(reader);
            }
            match (stored, failure) {
                (_, Some(e)) => Err(e.into()),
                (Ok(Some(outcome)), None) => Ok(Streamed::Stored(Box::new(outcome))),
                (Ok(None), None) => Err(ServiceError::Invalid("reading the file failed".into())),
                (Err(e), None) => Err(e.into()),
            }
        })
    }

    /// Row counts of the main tables (for tests and the settings screen).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn table_counts(&self) -> Result<Vec<(&'static str, i64)>, ServiceError> {
        Ok(self.store.table_counts()?)
    }
}

fn characteristic_label(by: CohortBy, group: &str) -> Option<&'static str> {
    Some(match (by, group) {
        (CohortBy::Sen, "N") => "No SEN",
        (CohortBy::Sen, "K") => "SEN support",
        (CohortBy::Sen, "E") => "EHC plan",
        (CohortBy::Fsm, "yes") => "FSM",
        (CohortBy::Fsm, "no") => "Not FSM",
        (CohortBy::Eal, "yes") => "EAL",
        (CohortBy::Cla, "yes") => "Looked after",
        (CohortBy::Pla, "yes") => "Previously looked after",
        (CohortBy::Cin, "yes") => "CIN / CP",
        (CohortBy::Sex, "F") => "Female",
        (CohortBy::Sex, "M") => "Male",
        _ => return None,
    })
}

fn pupil_row(
    p: &PupilRecord,
    f: &PupilFlag,
    priority: &Priority,
    name: Option<&String>,
) -> PupilRow {
    let mut badges = Vec::new();
    match p.sen {
        Some(SenStatus::SenSupport) => badges.push(Badge::SenSupport),
        Some(SenStatus::Ehcp) => badges.push(Badge::Ehcp),
        _ => {}
    }
    for (flag, badge) in [
        (p.fsm, Badge::Fsm),
        (p.eal, Badge::Eal),
        (p.looked_after, Badge::LookedAfter),
        (p.child_in_need, Badge::ChildInNeed),
    ] {
        if flag == Some(true) {
            badges.push(badge);
        }
    }
    let reasons = match f.category {
        FlagCategory::None if p.counts.possible == 0 => "no possible sessions".into(),
        _ => crate::domain::priority::why(priority, f.absence_rate, &f.explanations),
    };
    PupilRow {
        pupil_id: p.id,
        upn: p.upn.clone(),
        name: name.cloned().unwrap_or_default(),
        year: p.year_group,
        reg_group: p.reg_group.clone(),
        badges,
        possible: p.counts.possible,
        absence_rate: f.absence_rate,
        authorised: p.counts.authorised,
        unauthorised: p.counts.unauthorised,
        change: f.change,
        category: f.category,
        priority: priority.clone(),
        reasons,
        tags: Vec::new(),
        compulsory_school_age: p.compulsory_school_age,
        unmarked: p.counts.no_mark,
    }
}

/// The short list's priority order ([`crate::domain::priority::order`]).
pub fn sort_short_list(rows: &mut [PupilRow]) {
    rows.sort_by(|a, b| {
        crate::domain::priority::order(
            (&a.priority, a.absence_rate, &a.upn),
            (&b.priority, b.absence_rate, &b.upn),
        )
    });
}

/// Each pupil's place in the priority order, `flags` in order, with the support in
/// place the school's meetings have recorded.
#[must_use]
pub fn priorities(
    support: &std::collections::HashMap<i64, bool>,
    flags: &[PupilFlag],
    thresholds: &crate::domain::Thresholds,
) -> Vec<Priority> {
    flags
        .iter()
        .map(|f| {
            crate::domain::priority::assess(
                &crate::domain::priority::PriorityFacts {
                    category: f.category,
                    overall: crate::domain::Rate::new(f.counts.absence(), f.counts.possible),
                    previous: f.previous,
                    unauthorised: f.counts.unauthorised,
                    reasons: &f.reasons,
                    support_on_record: support.get(&f.pupil_id).copied(),
                },
                thresholds,
            )
        })
        .collect()
}
