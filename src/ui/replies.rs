//! Where each of the worker's answers goes: the screen that asked, the status bar.

use super::*;
use crate::service::worker::Failure;

impl TsmApp {
    pub(super) fn handle_replies(&mut self) {
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
                Reply::Safety(r) => self.settings_screen.safety.show(shown(r)),
                Reply::SafetyDone(r) => {
                    let r = shown(r);
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
                Reply::Overview(r) => match shown(r) {
                    Ok(o) => self.overview.data = Some(o),
                    Err(e) => self.status = Some(e),
                },
                Reply::School(r) => match shown(r) {
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
                Reply::Pupil(r) => match shown(r) {
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
                Reply::SettingsSaved(r) => match shown(r) {
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
                Reply::Mappings(r) => match shown(r) {
                    Ok(m) => {
                        self.mappings = m;
                        self.status = Some("Column mapping saved".into());
                    }
                    Err(e) => self.status = Some(e),
                },
                Reply::Counts(r) => match shown(r) {
                    Ok(c) => self.settings_screen.counts = Some(c),
                    Err(e) => self.status = Some(e),
                },
                Reply::Meeting(r) => match shown(r) {
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
                    let r = shown(r);
                    let mut out = Outbox::at(self.now());
                    self.meeting.saved(r, &mut out);
                    self.apply(out);
                }
                Reply::Audit(r) => match shown(r) {
                    Ok(a) => self.meeting.audit_arrived(a),
                    Err(e) => self.status = Some(e),
                },
                Reply::Tracker(r) => match shown(r) {
                    Ok(rows) => self.actions.rows = Some(rows),
                    Err(e) => self.status = Some(e),
                },
                Reply::ActionStatusSaved(r) => {
                    let r = shown(r);
                    match r {
                        Ok(()) => self.status = Some("Action status saved".into()),
                        Err(e) => self.status = Some(e),
                    }
                    let today = self.today();
                    self.send(Request::Tracker { today });
                }
                Reply::Printed(r) => self.print.printed(shown(r)),
                Reply::PageImages(doc, pages) => self.print.pages_arrived(&doc, pages),
                Reply::Exported(r) => {
                    let r = shown(r);
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
                Reply::PurgePreview(r) => self.settings_screen.retention.preview_arrived(shown(r)),
                Reply::Purged(r) => {
                    let r = shown(r);
                    let ok = r.is_ok();
                    self.settings_screen.retention.purged(r);
                    if ok {
                        self.after_removal(None);
                    }
                }
                Reply::SchoolDeleted(r) => {
                    let r = shown(r);
                    let urn = r.as_ref().ok().map(|d| d.urn.clone());
                    self.settings_screen.retention.deleted(r);
                    if let Some(urn) = urn {
                        self.after_removal(Some(&urn));
                    }
                }
                Reply::Activity(r) => self.settings_screen.retention.activity_arrived(shown(r)),
                Reply::Comparators(r) => self.settings_screen.comparators.arrived(shown(r)),
                Reply::PublishedImported(r) => {
                    let r = shown(r);
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
                    let r = shown(r);
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
    pub(super) fn after_removal(&mut self, deleted: Option<&str>) {
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
}

/// A worker's error as the screens show it: its message, once, where it is shown.
fn shown<T>(r: Result<T, Failure>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}
