//! Starting the app and its worker (and starting the worker again if it stops), what
//! tests read of it, and sending what the screens ask for.

use super::shell::apply_theme;
use super::*;

/// The opener for `path`: a new database is filled from `sample`.
pub(super) fn opener_for(
    path: PathBuf,
    key: Option<crate::service::Passphrase>,
    sample: Option<PathBuf>,
    clock: Clock,
) -> Opener {
    Box::new(move |progress| {
        Service::open(&path, key.as_ref(), sample.as_deref(), &clock, progress)
    })
}

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
    pub(super) fn spawn(&mut self, opener: Opener) {
        let opener = std::sync::Arc::new(opener);
        self.reopen = Some(std::sync::Arc::clone(&opener));
        self.start_worker(opener);
    }

    /// Starts a worker that opens the database with `opener`.
    pub(super) fn start_worker(&mut self, opener: std::sync::Arc<Opener>) {
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
    pub(super) fn idle(ctx: &egui::Context, prefs: Prefs, database_label: String) -> TsmApp {
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

    pub(super) fn send(&mut self, request: Request) {
        self.ask(request);
    }

    /// Sends a request and gives its id, for a screen that takes only its own answer.
    pub(super) fn ask(&mut self, request: Request) -> Option<JobId> {
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
    pub(super) fn worker_stopped(&mut self, unanswered: Vec<(JobId, Request)>) {
        self.worker = None;
        self.progress = None;
        // Without an opener, or stopping again and again (or while opening), another
        // start would not help: say so rather than promise a restart.
        let opener = self
            .reopen
            .clone()
            .filter(|_| self.ready && self.restarts < 3);
        let Some(opener) = opener else {
            self.failed = Some(
                "The background worker stopped; your saved work is safe. Close tsm-desk and open it again."
                    .into(),
            );
            return;
        };
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
                let lost = "The worker stopped while saving this change, so it was not saved. Please make it again.";
                if matches!(request, Request::Edit { .. }) {
                    self.meeting.saved(Err(lost.into()), &mut out);
                } else {
                    self.status = Some(format!("{WORKER_STOPPED}. {lost}"));
                }
            } else {
                self.send(request);
            }
        }
        self.apply(out);
    }

    /// Asks for everything the screens show: the overview, the school and the meeting
    /// the user had open (on opening, and after a restore replaced the data).
    pub(super) fn load_all(&mut self) {
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

    /// The settings screen (tests read its retention section).
    #[must_use]
    pub fn settings_screen(&self) -> &settings::SettingsScreen {
        &self.settings_screen
    }

    /// Today's local date, by the app's clock.
    pub(super) fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// The local date and time, by the app's clock.
    pub(super) fn now(&self) -> chrono::NaiveDateTime {
        self.clock.now()
    }

    pub(super) fn go(&mut self, screen: Screen) {
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

    pub(super) fn apply(&mut self, out: Outbox) {
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
}
