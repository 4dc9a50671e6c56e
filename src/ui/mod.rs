//! The desktop app (eframe/egui): a thin layer over the [`crate::service`] worker. One
//! module per screen; every screen draws from view models and asks for work through
//! an [`Outbox`], never touching the database itself.

pub mod actions;
pub mod charts;
pub mod codemap;
pub mod comparators;
pub mod dashboard;
pub mod import;
pub mod meeting;
pub mod overview;
pub mod print;
pub mod pupils;
pub mod retention;
pub mod safety;
pub mod settings;
pub mod unlock;
pub mod widgets;

use crate::domain::{Clock, Period};
use crate::service::ColumnMapping;
use crate::service::worker::{Answer, JobId, Reply, Request, Worker};
use crate::service::{Service, ServiceError, Settings};
use crate::view::{Progress, SchoolView};
use std::path::PathBuf;

mod app;
mod prefs;
mod replies;
mod shell;

pub use prefs::{PREFS_KEY, Prefs, Screen, ThemeChoice};

/// What a screen asks of the app after drawing.
#[derive(Debug)]
pub struct Outbox {
    /// The local time this frame (from the app's one clock), for edits' times.
    pub now: chrono::NaiveDateTime,
    /// The print dialog's file to write (its answer goes back to the dialog only).
    pub print_save: Option<Request>,
    /// Work for the worker.
    pub requests: Vec<Request>,
    /// A screen to go to.
    pub goto: Option<Screen>,
    /// A school (and period) to open.
    pub open_school: Option<(String, Option<Period>)>,
    /// A message for the status bar.
    pub status: Option<String>,
    /// A school's meeting to open (this term's if no term is given).
    pub open_meeting: Option<(String, Option<Period>)>,
    /// A document to preview and print.
    pub print: Option<crate::service::print::Printable>,
    /// Something to export, with a file name to suggest.
    pub export: Option<(crate::service::print::Export, String)>,
}

impl Outbox {
    /// An empty outbox for a frame at `now`.
    #[must_use]
    pub fn at(now: chrono::NaiveDateTime) -> Outbox {
        Outbox {
            now,
            print_save: None,
            requests: Vec::new(),
            goto: None,
            open_school: None,
            status: None,
            open_meeting: None,
            print: None,
            export: None,
        }
    }
}

/// How the app gets its database: a function run on the worker thread.
/// It may run again: the app reopens the database with it if the worker stops.
pub type Opener =
    Box<dyn Fn(&mut dyn FnMut(Progress)) -> Result<Service, ServiceError> + Send + Sync + 'static>;

/// What the app says when the worker thread has stopped and is being restarted.
pub const WORKER_STOPPED: &str =
    "The background worker stopped; your saved work is safe; restarting it";

/// The app.
pub struct TsmApp {
    prefs: Prefs,
    worker: Option<Worker>,
    /// How the worker opened the database, to open it again if the worker stops.
    reopen: Option<std::sync::Arc<Opener>>,
    /// Times the worker stopped and was started again this session.
    restarts: u32,
    /// The print dialog's file being written, so only its answer reaches the dialog.
    print_job: Option<JobId>,
    database_label: String,
    ready: bool,
    failed: Option<String>,
    demo: bool,
    settings: Settings,
    mappings: Vec<(String, ColumnMapping)>,
    progress: Option<Progress>,
    status: Option<String>,
    overview: overview::OverviewScreen,
    school: Option<Box<SchoolView>>,
    school_error: Option<String>,
    dashboard: dashboard::DashboardScreen,
    pupils: pupils::PupilsScreen,
    import: import::ImportWizard,
    settings_screen: settings::SettingsScreen,
    meeting: meeting::MeetingScreen,
    actions: actions::ActionsScreen,
    print: print::PrintDialog,
    /// An export waiting for the user to choose where to save it.
    export: Option<(
        crate::service::print::Export,
        std::sync::mpsc::Receiver<Option<PathBuf>>,
    )>,
    /// The passphrase screen and the database it opens, until the database is open.
    unlock: Option<Gate>,
    /// The egui context, for native dialogs that wake the UI.
    ctx: egui::Context,
    /// The one clock, shared with the worker's service: it follows the local time (so
    /// an app left open past midnight works and prints with the new date) unless a test
    /// pins it.
    clock: Clock,
}

impl std::fmt::Debug for TsmApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsmApp")
            .field("screen", &self.prefs.screen)
            .field("ready", &self.ready)
            .finish_non_exhaustive()
    }
}

/// The passphrase screen with the database it unlocks.
#[derive(Debug)]
struct Gate {
    screen: unlock::UnlockScreen,
    path: PathBuf,
    sample: Option<PathBuf>,
}
