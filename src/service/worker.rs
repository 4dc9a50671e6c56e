//! The worker thread: the one place the [`Service`] (and so the database connection)
//! lives. The UI sends [`Request`]s and polls [`Answer`]s; the worker calls `wake` after
//! every reply so the UI repaints and picks it up.
//!
//! **The protocol.** Every request gets a [`JobId`] when it is sent, and the worker
//! answers it exactly once (the loop turns one request into one reply; progress on the
//! way carries the same id but does not end the job), so [`Worker::busy`] counts
//! unanswered ids rather than trusting a rule, and a screen that keeps the id of what
//! it asked for takes only its own answer. If the worker thread panics, [`Worker::poll`]
//! says so once ([`Reply::Stopped`]) with the jobs it had not answered, so the app can
//! tell the user, start a new worker and send again what was not saved.

use super::print::{Export, Printable, Printout, render_pages};
use super::safety::SafetyView;
use super::{ImportRequest, Service, ServiceError, Settings};
use crate::domain::Period;
use crate::domain::meeting::{ActionStatus, Edit, RowId};
use crate::import::ColumnMapping;
use crate::report::PrintOptions;
use crate::report::doc::Doc;
use crate::report::raster::PageImage;
use crate::store::{ActivityRow, AuditRow, DeletedCounts, PurgePreview};
use crate::view::{
    FilePreview, ImportReport, MeetingView, Overview, Progress, PupilDetail, SchoolView, TrackedRow,
};
use chrono::NaiveDate;
use chrono::NaiveDateTime;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

/// Why a request failed: the service's error itself, typed (a wrong passphrase, a
/// file's line and field, a full disk) until the UI shows it once as text. Shared, as
/// replies are cloned.
#[derive(Debug, Clone)]
pub struct Failure(pub Arc<ServiceError>);

impl PartialEq for Failure {
    fn eq(&self, other: &Failure) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

/// The id of one request to the worker, in the order sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(u64);

/// A reply with the request it answers (`None` while the database is opening).
#[derive(Debug)]
pub struct Answer {
    /// The request answered, or `None` for the opening's replies.
    pub job: Option<JobId>,
    /// The reply.
    pub reply: Reply,
}

/// Work for the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// The patch overview as of a day.
    Overview {
        /// Today.
        today: NaiveDate,
    },
    /// A school's dashboard and pupil list (latest period if `None`).
    School {
        /// URN.
        urn: String,
        /// Period.
        period: Option<Period>,
    },
    /// One pupil's detail.
    Pupil {
        /// URN.
        urn: String,
        /// Period.
        period: Period,
        /// Pupil id.
        pupil_id: i64,
    },
    /// Look at files before importing.
    Preview {
        /// The files.
        files: Vec<PathBuf>,
        /// The mapping.
        mapping: ColumnMapping,
    },
    /// Import files.
    Import(ImportRequest),
    /// Save settings.
    SaveSettings(Settings),
    /// Save a column mapping by name.
    SaveMapping {
        /// Name.
        name: String,
        /// Mapping.
        mapping: ColumnMapping,
    },
    /// Row counts of the main tables.
    Counts,
    /// Plan a school's meeting.
    Schedule {
        /// URN.
        urn: String,
        /// The date.
        on: NaiveDate,
    },
    /// Open (making if need be) a school's meeting for a term (this term if `None`).
    OpenMeeting {
        /// URN.
        urn: String,
        /// The meeting's term.
        period: Option<Period>,
        /// Now, for the audit trail and "this term".
        now: NaiveDateTime,
    },
    /// Write one edit to a meeting.
    Edit {
        /// The meeting.
        meeting: i64,
        /// The edit.
        edit: Box<Edit>,
        /// When it was made.
        at: NaiveDateTime,
    },
    /// A meeting's audit trail.
    Audit {
        /// The meeting.
        meeting: i64,
    },
    /// Every action, for the tracker.
    Tracker {
        /// Today, for overdue.
        today: NaiveDate,
    },
    /// Set an action's status from the tracker.
    ActionStatus {
        /// The action.
        action: RowId,
        /// Its status.
        status: ActionStatus,
        /// When.
        at: NaiveDateTime,
    },
    /// Lay out a printout, make its PDF and preview.
    Print {
        /// What.
        what: Printable,
        /// How.
        options: PrintOptions,
    },
    /// Render more preview pages of a printout.
    RenderPages {
        /// The printout's pages.
        doc: Arc<Doc>,
        /// Which (0-based).
        pages: Vec<usize>,
    },
    /// Write an export or a printout to a file.
    Export {
        /// What.
        what: Export,
        /// Where.
        path: PathBuf,
    },
    /// The database's protection and backups.
    Safety,
    /// Make a backup now.
    BackupNow,
    /// Replace the database's contents with a backup.
    Restore(PathBuf),
    /// Encrypt the (plain) database and its backups.
    Encrypt(crate::store::Passphrase),
    /// What a purge would remove (nothing changes).
    PurgePreview {
        /// Today, for the current academic year.
        today: NaiveDate,
        /// Academic years kept (the setting if `None`).
        years: Option<u32>,
    },
    /// Purge data older than the retention period.
    Purge {
        /// Today, for the current academic year.
        today: NaiveDate,
        /// Academic years kept (the setting if `None`).
        years: Option<u32>,
    },
    /// Delete everything held about a school.
    DeleteSchool {
        /// URN.
        urn: String,
    },
    /// The latest rows of the activity log.
    Activity {
        /// How many.
        limit: u32,
    },
    /// The comparators held (national releases, imported published weeks).
    Comparators,
    /// Import the DfE's published weekly attendance statistics.
    ImportPublished(PathBuf),
    /// Panics the worker on purpose: tests prove the app survives a worker that stops
    /// (it says so, restarts it and sends again what was not saved).
    #[doc(hidden)]
    Crash,
}

/// What the worker sends back.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The database is open.
    Ready {
        /// Settings in force.
        settings: Box<Settings>,
        /// Saved column mappings.
        mappings: Vec<(String, ColumnMapping)>,
        /// Whether it holds the bundled demo data.
        demo: bool,
        /// Something to tell the user (today's backup failed).
        notice: Option<String>,
    },
    /// The database could not be opened; nothing else will work.
    Failed(String),
    /// The passphrase did not open the database (nothing was changed); ask again.
    Locked(String),
    /// The database's protection and backups.
    Safety(Result<SafetyView, Failure>),
    /// A backup, restore or encryption finished: what to tell the user, the backups
    /// now, and the settings in force (a restore brings back the backup's settings).
    SafetyDone(Result<(String, SafetyView, Box<Settings>), Failure>),
    /// Long work moved on.
    Progress(Progress),
    /// The overview.
    Overview(Result<Overview, Failure>),
    /// A school.
    School(Result<Box<SchoolView>, Failure>),
    /// A pupil.
    Pupil(Result<PupilDetail, Failure>),
    /// File previews.
    Preview(Vec<FilePreview>),
    /// An import's report, or its error (nothing stored).
    Imported(Result<ImportReport, crate::view::ImportFailure>),
    /// Settings saved (or why not).
    SettingsSaved(Result<Box<Settings>, Failure>),
    /// Mappings after a save (or why not).
    Mappings(Result<Vec<(String, ColumnMapping)>, Failure>),
    /// A meeting was planned (or why not).
    Scheduled(Result<(), Failure>),
    /// Row counts of the main tables.
    Counts(Result<Vec<(&'static str, i64)>, Failure>),
    /// A meeting opened.
    Meeting(Result<Box<MeetingView>, Failure>),
    /// An edit was saved (or why not: nothing of it was written).
    Saved(Result<(), Failure>),
    /// A meeting's audit trail.
    Audit(Result<Vec<AuditRow>, Failure>),
    /// The actions tracker.
    Tracker(Result<Vec<TrackedRow>, Failure>),
    /// An action's status was saved.
    ActionStatusSaved(Result<(), Failure>),
    /// A printout, ready to preview and save.
    Printed(Result<Box<Printout>, Failure>),
    /// Preview pages of a printout: the printout's pages (to tell printouts apart) and
    /// the page images by index.
    PageImages(Arc<Doc>, Vec<(usize, PageImage)>),
    /// A file was written: where, and what it holds ("Wrote 12 actions to actions.xlsx").
    Exported(Result<(PathBuf, String), Failure>),
    /// What a purge would remove.
    PurgePreview(Result<Box<PurgePreview>, Failure>),
    /// What a purge removed (nothing if an error).
    Purged(Result<Box<PurgePreview>, Failure>),
    /// What deleting a school removed (nothing if an error).
    SchoolDeleted(Result<DeletedCounts, Failure>),
    /// The activity log, newest first.
    Activity(Result<Vec<ActivityRow>, Failure>),
    /// The comparators held.
    Comparators(Result<Box<super::comparators::ComparatorsView>, Failure>),
    /// What importing published statistics stored (nothing if an error).
    PublishedImported(Result<Box<super::comparators::ComparatorImport>, Failure>),
    /// The worker thread stopped (it panicked) with these requests unanswered, oldest
    /// first: the first is the one it was working on. Made by [`Worker::poll`], never
    /// sent by the worker itself.
    Stopped(Vec<(JobId, Request)>),
}

/// The UI's handle on the worker thread.
#[derive(Debug)]
pub struct Worker {
    tx: Option<Sender<(JobId, Request)>>,
    thread: Option<std::thread::JoinHandle<()>>,
    rx: Receiver<Answer>,
    /// Requests sent and not yet answered, by id.
    pending: BTreeMap<JobId, Request>,
    next: u64,
    opening: bool,
}

impl Worker {
    /// Starts the worker thread (named `tsm-worker`), which opens the service with
    /// `open` and then serves requests until the handle is dropped. `wake` is called
    /// after every reply (e.g. `egui::Context::request_repaint`).
    ///
    /// # Errors
    /// The thread could not be started.
    pub fn spawn<O, W>(open: O, wake: W) -> std::io::Result<Worker>
    where
        O: FnOnce(&mut dyn FnMut(Progress)) -> Result<Service, ServiceError> + Send + 'static,
        W: Fn() + Send + 'static,
    {
        let (tx, requests) = channel::<(JobId, Request)>();
        let (replies, rx) = channel::<Answer>();
        let thread = std::thread::Builder::new()
            .name("tsm-worker".into())
            .spawn(move || run(open, &requests, &replies, &wake))?;
        Ok(Worker {
            tx: Some(tx),
            thread: Some(thread),
            rx,
            pending: BTreeMap::new(),
            next: 0,
            opening: true,
        })
    }

    /// Queues a request and gives its id (`None` once the worker's stop has been
    /// reported: nothing was sent).
    pub fn send(&mut self, request: Request) -> Option<JobId> {
        let tx = self.tx.as_ref()?;
        let job = JobId(self.next);
        self.next += 1;
        // If the thread has just died the send fails; the request stays pending all the
        // same, so the next poll hands it back with the others in `Reply::Stopped`.
        let _ = tx.send((job, request.clone()));
        self.pending.insert(job, request);
        Some(job)
    }

    /// The next answer, if one is waiting; [`Reply::Stopped`] once if the worker thread
    /// has died.
    pub fn poll(&mut self) -> Option<Answer> {
        match self.rx.try_recv() {
            Ok(answer) => {
                match (&answer.reply, answer.job) {
                    (Reply::Progress(_), _) => {}
                    (_, Some(job)) => {
                        self.pending.remove(&job);
                    }
                    (_, None) => self.opening = false,
                }
                Some(answer)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.opening = false;
                let panicked = self.thread.take().is_some_and(|t| t.join().is_err());
                let unanswered = std::mem::take(&mut self.pending).into_iter().collect();
                self.tx = None;
                panicked.then_some(Answer {
                    job: None,
                    reply: Reply::Stopped(unanswered),
                })
            }
        }
    }

    /// Whether the worker is opening the database or has requests unanswered.
    #[must_use]
    pub fn busy(&self) -> bool {
        self.opening || !self.pending.is_empty()
    }
}

impl Drop for Worker {
    /// Closes the request channel and waits for the worker to finish what was sent, so
    /// every edit made before the app closes is written.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The reply after a backup, restore or encryption.
fn safety_done(
    service: &Service,
    said: String,
) -> Result<(String, SafetyView, Box<Settings>), ServiceError> {
    Ok((
        said,
        service.safety()?,
        Box::new(service.settings().clone()),
    ))
}

fn run<O, W>(open: O, requests: &Receiver<(JobId, Request)>, replies: &Sender<Answer>, wake: &W)
where
    O: FnOnce(&mut dyn FnMut(Progress)) -> Result<Service, ServiceError>,
    W: Fn(),
{
    let answer = |job: Option<JobId>, reply: Reply| {
        let _ = replies.send(Answer { job, reply });
        wake();
    };
    let send = |reply: Reply| answer(None, reply);
    let mut service = match open(&mut |p| send(Reply::Progress(p))) {
        Ok(service) => service,
        Err(e @ ServiceError::Store(crate::store::StoreError::WrongPassphrase(_))) => {
            send(Reply::Locked(e.to_string()));
            return;
        }
        Err(e) => {
            send(Reply::Failed(e.to_string()));
            return;
        }
    };
    let mappings = service.mappings().unwrap_or_default();
    send(Reply::Ready {
        settings: Box::new(service.settings().clone()),
        mappings,
        demo: service.is_demo(),
        notice: service.take_notice(),
    });
    let text = |e: ServiceError| Failure(Arc::new(e));
    while let Ok((job, request)) = requests.recv() {
        let send = |reply: Reply| answer(Some(job), reply);
        let reply = match request {
            Request::Overview { today } => Reply::Overview(service.overview(today).map_err(text)),
            Request::School { urn, period } => Reply::School(
                service
                    .school_view(&urn, period)
                    .map(Box::new)
                    .map_err(text),
            ),
            Request::Pupil {
                urn,
                period,
                pupil_id,
            } => Reply::Pupil(service.pupil_detail(&urn, period, pupil_id).map_err(text)),
            Request::Preview { files, mapping } => {
                Reply::Preview(service.preview(&files, &mapping))
            }
            Request::Import(request) => Reply::Imported(
                service
                    .import(&request, &mut |p| send(Reply::Progress(p)))
                    .map_err(|e| crate::view::ImportFailure::from(&e)),
            ),
            Request::SaveSettings(settings) => Reply::SettingsSaved(
                service
                    .save_settings(settings)
                    .map(|()| Box::new(service.settings().clone()))
                    .map_err(text),
            ),
            Request::SaveMapping { name, mapping } => Reply::Mappings(
                service
                    .save_mapping(&name, &mapping)
                    .and_then(|()| service.mappings())
                    .map_err(text),
            ),
            Request::Counts => Reply::Counts(service.table_counts().map_err(text)),
            Request::Schedule { urn, on } => {
                Reply::Scheduled(service.schedule(&urn, on).map_err(text))
            }
            Request::OpenMeeting { urn, period, now } => Reply::Meeting(
                service
                    .open_meeting(&urn, period, now)
                    .map(Box::new)
                    .map_err(text),
            ),
            Request::Edit { meeting, edit, at } => {
                Reply::Saved(service.edit_meeting(meeting, &edit, at).map_err(text))
            }
            Request::Audit { meeting } => Reply::Audit(service.audit(meeting).map_err(text)),
            Request::Tracker { today } => Reply::Tracker(service.tracker(today).map_err(text)),
            Request::ActionStatus { action, status, at } => Reply::ActionStatusSaved(
                service.set_action_status(action, status, at).map_err(text),
            ),
            Request::Print { what, options } => {
                Reply::Printed(service.print(&what, &options).map(Box::new).map_err(text))
            }
            Request::RenderPages { doc, pages } => {
                let images = render_pages(&doc, &pages);
                Reply::PageImages(doc, images)
            }
            Request::Export { what, path } => Reply::Exported(
                service
                    .export(&what, &path)
                    .map(|said| (path, said))
                    .map_err(text),
            ),
            Request::Safety => Reply::Safety(service.safety().map_err(text)),
            Request::BackupNow => Reply::SafetyDone(
                service
                    .backup_now()
                    .map(|b| format!("Backed up to {}", b.path.display()))
                    .and_then(|said| safety_done(&service, said))
                    .map_err(text),
            ),
            Request::Restore(file) => Reply::SafetyDone(
                service
                    .restore(&file)
                    .map(|before| {
                        format!(
                            "Restored {}; what was there before is backed up as {}",
                            file.display(),
                            before.path.display()
                        )
                    })
                    .and_then(|said| safety_done(&service, said))
                    .map_err(text),
            ),
            Request::Encrypt(passphrase) => Reply::SafetyDone(
                service
                    .encrypt(&passphrase)
                    .map(|n| {
                        format!(
                            "The database is now encrypted ({n} backup{} encrypted too). Keep the passphrase safe: without it the data cannot be recovered.",
                            if n == 1 { "" } else { "s" }
                        )
                    })
                    .and_then(|said| safety_done(&service, said))
                    .map_err(text),
            ),
            Request::PurgePreview { today, years } => Reply::PurgePreview(
                service
                    .purge_preview(today, years)
                    .map(Box::new)
                    .map_err(text),
            ),
            Request::Purge { today, years } => {
                Reply::Purged(service.purge(today, years).map(Box::new).map_err(text))
            }
            Request::DeleteSchool { urn } => {
                Reply::SchoolDeleted(service.delete_school(&urn).map_err(text))
            }
            Request::Activity { limit } => Reply::Activity(service.activity(limit).map_err(text)),
            Request::Comparators => {
                Reply::Comparators(service.comparators().map(Box::new).map_err(text))
            }
            Request::ImportPublished(path) => Reply::PublishedImported(
                service
                    .import_published(&path)
                    .map(Box::new)
                    .map_err(text),
            ),
            Request::Crash => panic!("the worker was asked to stop (a test of the restart)"),
        };
        send(reply);
    }
}
