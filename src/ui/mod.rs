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

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Screen {
    /// Every school in the patch.
    #[default]
    Overview,
    /// One school's dashboard.
    Dashboard,
    /// One school's pupils.
    Pupils,
    /// The import wizard.
    Import,
    /// Settings.
    Settings,
    /// A school's meeting: the TSM agenda.
    Meeting,
    /// Every action across schools.
    Actions,
}

impl Screen {
    /// The tab label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Screen::Overview => "Patch overview",
            Screen::Dashboard => "Dashboard",
            Screen::Pupils => "Pupils",
            Screen::Import => "Import",
            Screen::Settings => "Settings",
            Screen::Meeting => "Meeting",
            Screen::Actions => "Actions tracker",
        }
    }
}

/// Light, dark or follow the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ThemeChoice {
    /// Follow the system.
    #[default]
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// UI preferences kept by eframe between runs (no pupil data).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    /// The last screen.
    pub screen: Screen,
    /// The last school opened (URN).
    pub school: Option<String>,
    /// The theme.
    pub theme: ThemeChoice,
    /// A database chosen in settings, used from the next start.
    pub database: Option<PathBuf>,
    /// The meeting last open (URN and term), reopened at the next start.
    pub meeting: Option<(String, Period)>,
    /// The agenda step last shown.
    pub meeting_step: usize,
}

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

/// The opener for `path`: a new database is filled from `sample`.
fn opener_for(
    path: PathBuf,
    key: Option<crate::service::Passphrase>,
    sample: Option<PathBuf>,
    clock: Clock,
) -> Opener {
    Box::new(move |progress| {
        Service::open(&path, key.as_ref(), sample.as_deref(), &clock, progress)
    })
}

/// The eframe storage key for [`Prefs`].
pub const PREFS_KEY: &str = "tsm-desk-prefs";

impl TsmApp {
    /// Starts the app with given preferences (tests use this to start afresh).
    #[must_use]
    pub fn with_prefs(
        ctx: &egui::Context,
        prefs: Prefs,
        opener: Opener,
        database_label: String,
    ) -> TsmApp {
        let mut app = TsmApp::idle(ctx, prefs, database_label);
        app.spawn(opener);
        app
    }

    /// Starts the app on the database file at `path`: a plain database opens at once;
    /// an encrypted one asks for its passphrase first, and a new one for a passphrase
    /// to encrypt it with (it is then filled from `sample`, the bundled demo data).
    #[must_use]
    pub fn start(
        ctx: &egui::Context,
        prefs: Prefs,
        path: PathBuf,
        sample: Option<PathBuf>,
    ) -> TsmApp {
        let label = path.display().to_string();
        let mut app = TsmApp::idle(ctx, prefs, label.clone());
        match crate::service::probe(&path) {
            Ok(crate::service::Protection::Plain) => {
                let opener = opener_for(path, None, sample, app.clock.clone());
                app.spawn(opener);
            }
            Ok(protection) => {
                let mode = if protection == crate::service::Protection::New {
                    unlock::UnlockMode::Create
                } else {
                    unlock::UnlockMode::Enter
                };
                app.unlock = Some(Gate {
                    screen: unlock::UnlockScreen::new(mode, label),
                    path,
                    sample,
                });
            }
            Err(e) => app.failed = Some(e.to_string()),
        }
        app
    }

    /// Starts the worker thread with `opener`.
    fn spawn(&mut self, opener: Opener) {
        let opener = std::sync::Arc::new(opener);
        self.reopen = Some(std::sync::Arc::clone(&opener));
        self.start_worker(opener);
    }

    /// Starts a worker that opens the database with `opener`.
    fn start_worker(&mut self, opener: std::sync::Arc<Opener>) {
        // Whatever opened it, the service reads the app's clock.
        let clock = self.clock.clone();
        let opener = move |progress: &mut dyn FnMut(Progress)| {
            opener(progress).map(|mut service| {
                service.set_clock(clock);
                service
            })
        };
        let wake_ctx = self.ctx.clone();
        match Worker::spawn(opener, move || wake_ctx.request_repaint()) {
            Ok(w) => self.worker = Some(w),
            Err(e) => self.failed = Some(format!("cannot start the worker thread: {e}")),
        }
    }

    /// The app with no worker yet.
    fn idle(ctx: &egui::Context, prefs: Prefs, database_label: String) -> TsmApp {
        apply_theme(ctx, prefs.theme);
        TsmApp {
            prefs,
            worker: None,
            reopen: None,
            restarts: 0,
            print_job: None,
            database_label,
            ready: false,
            failed: None,
            demo: false,
            settings: Settings::default(),
            mappings: Vec::new(),
            progress: None,
            status: None,
            overview: overview::OverviewScreen::default(),
            school: None,
            school_error: None,
            dashboard: dashboard::DashboardScreen::default(),
            pupils: pupils::PupilsScreen::default(),
            import: import::ImportWizard::default(),
            settings_screen: settings::SettingsScreen::default(),
            meeting: meeting::MeetingScreen::default(),
            actions: actions::ActionsScreen::default(),
            print: print::PrintDialog::default(),
            export: None,
            unlock: None,
            ctx: ctx.clone(),
            clock: Clock::new(),
        }
    }

    /// Whether work is outstanding on the worker (tests wait for this to clear).
    #[must_use]
    pub fn busy(&self) -> bool {
        self.worker.as_ref().is_some_and(Worker::busy)
            || self.import.dialog_open()
            || self.export.is_some()
    }

    /// The screen shown.
    #[must_use]
    pub fn screen(&self) -> Screen {
        self.prefs.screen
    }

    /// The school view loaded, if any.
    #[must_use]
    pub fn school(&self) -> Option<&SchoolView> {
        self.school.as_deref()
    }

    /// The pupils the list shows with its current filters, as UPNs in order.
    #[must_use]
    pub fn visible_pupils(&self) -> Vec<String> {
        self.school.as_deref().map_or_else(Vec::new, |s| {
            self.pupils
                .visible(s)
                .into_iter()
                .filter_map(|i| s.pupils.get(i).map(|p| p.upn.clone()))
                .collect()
        })
    }

    /// The import wizard (tests read its report).
    #[must_use]
    pub fn import_wizard(&self) -> &import::ImportWizard {
        &self.import
    }

    /// Opens a school's latest period on a screen (as a click on the overview would).
    pub fn open(&mut self, urn: &str, screen: Screen) {
        self.apply(Outbox {
            open_school: Some((urn.to_owned(), None)),
            goto: Some(screen),
            ..Outbox::at(self.now())
        });
    }

    /// The meeting screen (tests read the meeting it shows).
    #[must_use]
    pub fn meeting(&self) -> &meeting::MeetingScreen {
        &self.meeting
    }

    /// The actions tracker (tests read what it lists).
    #[must_use]
    pub fn tracker(&self) -> &actions::ActionsScreen {
        &self.actions
    }

    /// Opens a school's meeting for a term (as the overview's button does).
    pub fn open_meeting(&mut self, urn: &str, period: Option<Period>) {
        self.apply(Outbox {
            open_meeting: Some((urn.to_owned(), period)),
            ..Outbox::at(self.now())
        });
    }

    /// Pins "today" at the time of day it is now (tests use a fixed date for the TSM
    /// status); the worker's service reads the same clock.
    pub fn set_today(&mut self, today: chrono::NaiveDate) {
        self.clock.pin(today.and_time(self.clock.now().time()));
    }

    /// The app's one clock (tests pin and move it: [`Clock::pin`]).
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Row counts last reported by the worker (shown in settings).
    #[must_use]
    pub fn table_counts(&self) -> Option<&[(&'static str, i64)]> {
        self.settings_screen.counts.as_deref()
    }

    /// Asks the worker for row counts (the settings screen shows them).
    pub fn request_counts(&mut self) {
        self.send(Request::Counts);
    }

    /// Whether the database is open and the screens work.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// What the settings screen last heard of the database's encryption and backups.
    #[must_use]
    pub fn safety(&self) -> Option<&crate::service::safety::SafetyView> {
        self.settings_screen.safety.view.as_ref()
    }

    /// The error that stopped the database opening, if any.
    #[must_use]
    pub fn failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    fn send(&mut self, request: Request) {
        self.ask(request);
    }

    /// Sends a request and gives its id, for a screen that takes only its own answer.
    fn ask(&mut self, request: Request) -> Option<JobId> {
        self.worker.as_mut().and_then(|w| w.send(request))
    }

    /// Panics the worker thread on purpose (tests prove the app survives it).
    #[doc(hidden)]
    pub fn crash_worker(&mut self) {
        self.send(Request::Crash);
    }

    /// The worker thread died with `unanswered` requests: say so, start a new one on the
    /// same database, and send again the changes it had not saved. The first request
    /// is the one it died on; a change among it is reported as not saved rather than
    /// sent again (it may be what stops the worker).
    fn worker_stopped(&mut self, unanswered: Vec<(JobId, Request)>) {
        self.worker = None;
        self.progress = None;
        let Some(opener) = self.reopen.clone() else {
            self.failed = Some(WORKER_STOPPED.into());
            return;
        };
        if self.restarts >= 3 || !self.ready {
            self.failed = Some(
                "The background worker stopped again while opening the database; your saved work is safe. Close tsm-desk and open it again."
                    .into(),
            );
            return;
        }
        self.restarts += 1;
        self.ready = false;
        self.status = Some(WORKER_STOPPED.into());
        self.print_job = None;
        self.start_worker(opener);
        let mut out = Outbox::at(self.now());
        for (i, (_, request)) in unanswered.into_iter().enumerate() {
            let change = matches!(
                request,
                Request::Edit { .. }
                    | Request::ActionStatus { .. }
                    | Request::SaveSettings(_)
                    | Request::SaveMapping { .. }
                    | Request::Schedule { .. }
            );
            if !change {
                continue;
            }
            if i == 0 {
                if matches!(request, Request::Edit { .. }) {
                    self.meeting.saved(
                        Err("The worker stopped while saving this change, so it was not saved. Please make it again.".into()),
                        &mut out,
                    );
                }
            } else {
                self.send(request);
            }
        }
        self.apply(out);
    }

    /// Asks for everything the screens show: the overview, the school and the meeting
    /// the user had open (on opening, and after a restore replaced the data).
    fn load_all(&mut self) {
        let today = self.today();
        self.send(Request::Overview { today });
        if let Some(urn) = self.prefs.school.clone() {
            self.send(Request::School { urn, period: None });
        }
        if let Some((urn, period)) = self.prefs.meeting.clone() {
            let step = self.prefs.meeting_step;
            self.meeting.set_step(
                crate::domain::meeting::AgendaStep::ALL
                    .get(step)
                    .copied()
                    .unwrap_or(crate::domain::meeting::AgendaStep::Attendees),
            );
            self.send(Request::OpenMeeting {
                urn,
                period: Some(period),
                now: self.now(),
            });
        }
    }

    fn handle_replies(&mut self) {
        while let Some(Answer { job, reply }) = self.worker.as_mut().and_then(Worker::poll) {
            match reply {
                Reply::Stopped(unanswered) => {
                    self.worker_stopped(unanswered);
                    break;
                }
                Reply::Ready {
                    settings,
                    mappings,
                    demo,
                    notice,
                } => {
                    self.unlock = None;
                    if notice.is_some() {
                        self.status = notice;
                    }
                    self.ready = true;
                    self.progress = None;
                    self.demo = demo;
                    self.settings_screen.reset(&settings);
                    self.settings = *settings;
                    self.mappings = mappings;
                    self.load_all();
                }
                Reply::Failed(e) => {
                    self.failed = Some(e);
                    self.progress = None;
                }
                Reply::Locked(e) => {
                    self.progress = None;
                    if let Some(gate) = self.unlock.as_mut() {
                        gate.screen.failed(e);
                    } else {
                        self.failed = Some(e);
                    }
                    // The worker has stopped; the passphrase screen asks again.
                    self.worker = None;
                    break;
                }
                Reply::Progress(p) => self.progress = Some(p),
                Reply::Safety(r) => self.settings_screen.safety.show(r),
                Reply::SafetyDone(r) => {
                    let r = r.map(|(said, view, settings)| {
                        self.status = Some(said.clone());
                        self.settings_screen.reset(&settings);
                        self.settings = *settings;
                        (said, view)
                    });
                    let ok = r.is_ok();
                    self.settings_screen.safety.done(r);
                    if ok {
                        // A restore may have replaced everything: read it all again.
                        self.school = None;
                        self.settings_screen.counts = None;
                        self.settings_screen.comparators.stale();
                        self.load_all();
                    }
                }
                Reply::Overview(r) => match r {
                    Ok(o) => self.overview.data = Some(o),
                    Err(e) => self.status = Some(e),
                },
                Reply::School(r) => match r {
                    Ok(view) => {
                        self.prefs.school = Some(view.school.urn.clone());
                        self.pupils.school_changed(&view);
                        self.school = Some(view);
                        self.school_error = None;
                    }
                    Err(e) => {
                        self.school_error = Some(e);
                        self.school = None;
                    }
                },
                Reply::Pupil(r) => match r {
                    Ok(d) => self.pupils.detail = Some(d),
                    Err(e) => self.status = Some(e),
                },
                Reply::Preview(p) => self.import.previews_arrived(p),
                Reply::Imported(r) => {
                    self.progress = None;
                    self.settings_screen.retention.stale();
                    let ok = r.is_ok();
                    self.import.report_arrived(r);
                    self.send(Request::Counts);
                    if ok {
                        let today = self.today();
                        self.send(Request::Overview { today });
                        if let Some(urn) = self.prefs.school.clone() {
                            let period = self.school.as_ref().map(|s| s.period);
                            self.send(Request::School { urn, period });
                        }
                    }
                }
                Reply::SettingsSaved(r) => match r {
                    Ok(s) => {
                        self.settings = *s;
                        self.settings_screen.saved(&self.settings);
                        self.status = Some("Settings saved".into());
                        let today = self.today();
                        self.send(Request::Overview { today });
                        if let Some(s) = &self.school {
                            let (urn, period) = (s.school.urn.clone(), Some(s.period));
                            self.send(Request::School { urn, period });
                        }
                    }
                    Err(e) => self.settings_screen.error = Some(e),
                },
                Reply::Mappings(r) => match r {
                    Ok(m) => {
                        self.mappings = m;
                        self.status = Some("Column mapping saved".into());
                    }
                    Err(e) => self.status = Some(e),
                },
                Reply::Counts(r) => match r {
                    Ok(c) => self.settings_screen.counts = Some(c),
                    Err(e) => self.status = Some(e),
                },
                Reply::Meeting(r) => match r {
                    Ok(v) => {
                        self.prefs.meeting = Some((v.urn.clone(), v.meeting.period));
                        self.meeting.set_view(v);
                    }
                    Err(e) => {
                        self.meeting.error = Some(e.clone());
                        self.status = Some(e);
                    }
                },
                Reply::Saved(r) => {
                    let mut out = Outbox::at(self.now());
                    self.meeting.saved(r, &mut out);
                    self.apply(out);
                }
                Reply::Audit(r) => match r {
                    Ok(a) => self.meeting.audit_arrived(a),
                    Err(e) => self.status = Some(e),
                },
                Reply::Tracker(r) => match r {
                    Ok(rows) => self.actions.rows = Some(rows),
                    Err(e) => self.status = Some(e),
                },
                Reply::ActionStatusSaved(r) => {
                    match r {
                        Ok(()) => self.status = Some("Action status saved".into()),
                        Err(e) => self.status = Some(e),
                    }
                    let today = self.today();
                    self.send(Request::Tracker { today });
                }
                Reply::Printed(r) => self.print.printed(r),
                Reply::PageImages(doc, pages) => self.print.pages_arrived(&doc, pages),
                Reply::Exported(r) => {
                    self.settings_screen.retention.stale();
                    if job.is_some() && job == self.print_job {
                        self.print_job = None;
                        self.print.exported(r);
                    } else {
                        self.status = Some(match r {
                            Ok((_, said)) => said,
                            Err(e) => format!("Not exported: {e}"),
                        });
                    }
                }
                Reply::PurgePreview(r) => self.settings_screen.retention.preview_arrived(r),
                Reply::Purged(r) => {
                    let ok = r.is_ok();
                    self.settings_screen.retention.purged(r);
                    if ok {
                        self.after_removal(None);
                    }
                }
                Reply::SchoolDeleted(r) => {
                    let urn = r.as_ref().ok().map(|d| d.urn.clone());
                    self.settings_screen.retention.deleted(r);
                    if let Some(urn) = urn {
                        self.after_removal(Some(&urn));
                    }
                }
                Reply::Activity(r) => self.settings_screen.retention.activity_arrived(r),
                Reply::Comparators(r) => self.settings_screen.comparators.arrived(r),
                Reply::PublishedImported(r) => {
                    let ok = r.is_ok();
                    self.settings_screen.comparators.imported(r);
                    self.settings_screen.retention.stale();
                    if ok {
                        self.send(Request::Counts);
                        if let Some(s) = &self.school {
                            let (urn, period) = (s.school.urn.clone(), Some(s.period));
                            self.send(Request::School { urn, period });
                        }
                    }
                }
                Reply::Scheduled(r) => {
                    match r {
                        Ok(()) => self.status = Some("Meeting planned".into()),
                        Err(e) => self.status = Some(e),
                    }
                    let today = self.today();
                    self.send(Request::Overview { today });
                }
            }
        }
    }

    /// After a purge or a school's deletion: forget what may be gone and ask again.
    fn after_removal(&mut self, deleted: Option<&str>) {
        if let Some(urn) = deleted {
            if self.prefs.school.as_deref() == Some(urn) {
                self.prefs.school = None;
                self.school = None;
                self.pupils.detail = None;
            }
            if self.prefs.meeting.as_ref().is_some_and(|(u, _)| u == urn) {
                self.prefs.meeting = None;
            }
        }
        self.actions.rows = None;
        let today = self.today();
        self.send(Request::Counts);
        self.send(Request::Activity {
            limit: retention::ACTIVITY_ROWS,
        });
        self.send(Request::Overview { today });
        if let Some(urn) = self.prefs.school.clone() {
            self.pupils.detail = None;
            self.send(Request::School { urn, period: None });
        }
    }

    /// The settings screen (tests read its retention section).
    #[must_use]
    pub fn settings_screen(&self) -> &settings::SettingsScreen {
        &self.settings_screen
    }

    /// Today's local date, by the app's clock.
    fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// The local date and time, by the app's clock.
    fn now(&self) -> chrono::NaiveDateTime {
        self.clock.now()
    }

    fn go(&mut self, screen: Screen) {
        if screen != self.prefs.screen {
            let today = self.today();
            match screen {
                Screen::Overview => self.send(Request::Overview { today }),
                Screen::Actions => self.send(Request::Tracker { today }),
                _ => {}
            }
        }
        self.prefs.screen = screen;
    }

    fn apply(&mut self, out: Outbox) {
        for r in out.requests {
            self.send(r);
        }
        if let Some(save) = out.print_save {
            self.print_job = self.ask(save);
        }
        if let Some((urn, period)) = out.open_meeting {
            let now = self.now();
            self.send(Request::OpenMeeting { urn, period, now });
            self.go(Screen::Meeting);
        }
        if let Some((urn, period)) = out.open_school {
            let same = self.school.as_ref().is_some_and(|s| s.school.urn == urn);
            if !same {
                self.school = None;
                self.pupils.detail = None;
            }
            self.send(Request::School { urn, period });
            if out.goto.is_none() {
                self.prefs.screen = Screen::Dashboard;
            }
        }
        if let Some(s) = out.goto {
            self.go(s);
        }
        if let Some(what) = out.print {
            let (names, now) = (self.settings.print_names, self.now());
            let mut more = Outbox::at(self.now());
            self.print.open(what, names, now, &mut more);
            self.apply(more);
        }
        if let Some((what, name)) = out.export {
            self.export = print::ask_export_path(&self.ctx, &name).map(|rx| (what, rx));
        }
        if out.status.is_some() {
            self.status = out.status;
        }
    }

    fn keyboard(&mut self, ctx: &egui::Context) {
        let (import, escape) = ctx.input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::I),
                i.key_pressed(egui::Key::Escape),
            )
        });
        if import {
            self.prefs.screen = Screen::Import;
        }
        if escape {
            self.print.close();
            self.overview.close_dialog();
            self.pupils.detail = None;
            self.pupils.selected = None;
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            self.prefs.screen = Screen::Import;
            let mut out = Outbox::at(self.now());
            self.import.add_files(dropped, &mut out);
            self.apply(out);
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            ui.heading("tsm-desk");
            ui.separator();
            for screen in [
                Screen::Overview,
                Screen::Dashboard,
                Screen::Pupils,
                Screen::Meeting,
                Screen::Actions,
                Screen::Import,
                Screen::Settings,
            ] {
                let needs_school = matches!(screen, Screen::Dashboard | Screen::Pupils);
                // Nothing to show until the database is open (or unlocked).
                let enabled = self.ready
                    && match screen {
                        Screen::Meeting => {
                            self.meeting.view().is_some() || self.prefs.meeting.is_some()
                        }
                        _ => !needs_school || self.school.is_some() || self.prefs.school.is_some(),
                    };
                let label = match (screen, &self.school) {
                    (Screen::Import, _) => "Import… (Ctrl+I)".to_owned(),
                    _ => screen.label().to_owned(),
                };
                let r = ui.add_enabled(
                    enabled,
                    egui::Button::selectable(self.prefs.screen == screen, label),
                );
                if r.clicked() {
                    self.go(screen);
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let mut theme = self.prefs.theme;
                egui::ComboBox::from_label("Theme")
                    .selected_text(match theme {
                        ThemeChoice::System => "System",
                        ThemeChoice::Light => "Light",
                        ThemeChoice::Dark => "Dark",
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut theme, ThemeChoice::System, "System");
                        ui.selectable_value(&mut theme, ThemeChoice::Light, "Light");
                        ui.selectable_value(&mut theme, ThemeChoice::Dark, "Dark");
                    });
                if theme != self.prefs.theme {
                    self.prefs.theme = theme;
                    apply_theme(ui.ctx(), theme);
                }
                if let Some(s) = &self.school {
                    ui.label(
                        egui::RichText::new(format!(
                            "{} · {}",
                            s.school.name.as_deref().unwrap_or(&s.school.urn),
                            s.period
                        ))
                        .weak(),
                    );
                }
            });
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(p) = &self.progress {
                ui.spinner();
                ui.add(
                    egui::ProgressBar::new(p.fraction)
                        .desired_width(160.0)
                        .show_percentage(),
                );
                ui.label(&p.label);
            } else if self.worker.as_ref().is_some_and(Worker::busy) {
                ui.spinner();
                ui.label("Working…");
            } else if let Some(s) = &self.status {
                ui.label(s);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(egui::RichText::new(&self.database_label).small().weak());
                if self.demo {
                    widgets::tag(ui, "DEMO DATA", widgets::palette::DEMO)
                        .on_hover_text("Synthetic pupils from sample_data/; import your own exports to use real data");
                }
            });
        });
    }

    /// Draws the whole window (the body of [`eframe::App::ui`]).
    pub fn draw(&mut self, ui: &mut egui::Ui) {
        self.handle_replies();
        self.keyboard(ui.ctx());
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui));
        egui::CentralPanel::default().show(ui, |ui| {
            if self.worker.is_none()
                && self.failed.is_none()
                && let Some(gate) = self.unlock.as_mut()
            {
                if let Some(key) = gate.screen.ui(ui) {
                    let opener = opener_for(
                        gate.path.clone(),
                        key,
                        gate.sample.clone(),
                        self.clock.clone(),
                    );
                    self.spawn(opener);
                }
                return;
            }
            if let Some(e) = &self.failed {
                ui.heading("The database could not be opened");
                ui.label(e);
                ui.label(format!("Database: {}", self.database_label));
                return;
            }
            if !self.ready {
                ui.vertical_centered(|ui| {
                    ui.add_space(80.0);
                    ui.spinner();
                    ui.label(
                        self.progress
                            .as_ref()
                            .map_or("Opening the database…", |p| p.label.as_str()),
                    );
                });
                return;
            }
            if self.demo && self.prefs.screen == Screen::Overview {
                demo_banner(ui);
            }
            let mut out = Outbox::at(self.now());
            match self.prefs.screen {
                Screen::Overview => self.overview.ui(ui, self.today(), &mut out),
                Screen::Dashboard => match (&self.school, &self.school_error) {
                    (Some(s), _) => self.dashboard.ui(ui, s, &mut out),
                    (None, Some(e)) => {
                        ui.label(e);
                    }
                    (None, None) => {
                        ui.spinner();
                    }
                },
                Screen::Pupils => match (&self.school, &self.school_error) {
                    (Some(s), _) => self.pupils.ui(ui, s, &mut out),
                    (None, Some(e)) => {
                        ui.label(e);
                    }
                    (None, None) => {
                        ui.spinner();
                    }
                },
                Screen::Import => {
                    let schools = self.overview.schools();
                    self.import.ui(
                        ui,
                        &schools,
                        (&self.mappings, &self.settings),
                        self.progress.as_ref(),
                        &mut out,
                    );
                }
                Screen::Meeting => {
                    self.meeting.ui(ui, self.today(), &mut out);
                    self.prefs.meeting_step = self.meeting.step_index();
                }
                Screen::Actions => {
                    if self.actions.rows.is_none()
                        && !self.worker.as_ref().is_some_and(Worker::busy)
                    {
                        let today = self.today();
                        out.requests.push(Request::Tracker { today });
                    }
                    self.actions.ui(ui, self.today(), &mut out);
                }
                Screen::Settings => {
                    if self.settings_screen.counts.is_none()
                        && !self.worker.as_ref().is_some_and(Worker::busy)
                    {
                        out.requests.push(Request::Counts);
                    }
                    if self.settings_screen.retention.wants_activity()
                        && !self.worker.as_ref().is_some_and(Worker::busy)
                    {
                        out.requests.push(Request::Activity {
                            limit: retention::ACTIVITY_ROWS,
                        });
                    }
                    let schools: Vec<(String, String)> = self
                        .overview
                        .schools()
                        .into_iter()
                        .map(|(urn, name, _)| (urn, name))
                        .collect();
                    let today = self.today();
                    self.settings_screen.ui(
                        ui,
                        &self.database_label,
                        &mut self.prefs,
                        (&schools, today),
                        &mut out,
                    );
                }
            }
            self.apply(out);
        });
        self.poll_export();
        let mut out = Outbox::at(self.now());
        let now = self.now();
        self.print.ui(ui.ctx(), now, &mut out);
        self.apply(out);
    }

    /// Sends an export to the worker once the user has chosen where.
    fn poll_export(&mut self) {
        let Some((_, rx)) = &self.export else { return };
        match rx.try_recv() {
            Ok(Some(path)) => {
                if let Some((what, _)) = self.export.take() {
                    self.send(Request::Export { what, path });
                }
            }
            Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected) => self.export = None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
    }
}

fn demo_banner(ui: &mut egui::Ui) {
    egui::Frame::new()
        .fill(widgets::palette::DEMO)
        .inner_margin(egui::Margin::symmetric(10, 6))
        .corner_radius(4.0)
        .show(ui, |ui| {
            ui.label(
                egui::RichText::new(
                    "Demo data: these schools and pupils are synthetic, loaded from the bundled sample_data/ folder. Import your school exports (Ctrl+I) to work with real data.",
                )
                .color(egui::Color32::WHITE),
            );
        });
    ui.add_space(6.0);
}

fn apply_theme(ctx: &egui::Context, theme: ThemeChoice) {
    ctx.set_theme(match theme {
        ThemeChoice::System => egui::ThemePreference::System,
        ThemeChoice::Light => egui::ThemePreference::Light,
        ThemeChoice::Dark => egui::ThemePreference::Dark,
    });
}

impl eframe::App for TsmApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.draw(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, PREFS_KEY, &self.prefs);
    }
}
