//! Meetings for the screens: opening a school's meeting for a term with the data it
//! discusses, writing edits as they are made, the audit trail and the actions tracker.

use super::{Service, ServiceError};
use crate::domain::meeting::{Attendee, Edit, Meeting, RowId, Shortlist};
use crate::domain::{FlagCategory, Period, Rate};
use crate::view::{MeetingView, TrackedRow, pupil_label};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};

/// How many audit rows the meeting screen shows.
const AUDIT_ROWS: u32 = 50;

static LAST_ID: AtomicI64 = AtomicI64::new(0);

/// A fresh id for a meeting row (attendee, barrier, action): microseconds since 1970,
/// bumped to stay above the last id given out, so ids are unique and rise in the
/// order rows are made.
#[must_use]
pub fn new_row_id() -> RowId {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    let mut last = LAST_ID.load(Ordering::Relaxed);
    loop {
        let next = now.max(last + 1);
        match LAST_ID.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return next,
            Err(seen) => last = seen,
        }
    }
}

impl Service {
    fn officer(&self) -> String {
        let name = self.settings.officer_name.trim();
        if name.is_empty() {
            "(officer not named in settings)".to_owned()
        } else {
            name.to_owned()
        }
    }

    /// Opens a school's meeting for a term (this term if `None`), making it if there is
    /// none yet with the officer as its first attendee, and loads the data it
    /// discusses: the latest term with data up to the meeting's term.
    ///
    /// # Errors
    /// [`crate::store::StoreError::NoSchool`]; a school with no data; store and
    /// analysis errors.
    pub fn open_meeting(
        &mut self,
        urn: &str,
        period: Option<Period>,
        now: NaiveDateTime,
    ) -> Result<MeetingView, ServiceError> {
        let school = self.store.require_school(urn)?;
        let period = period.unwrap_or_else(|| Period::of_date(now.date()));
        let (id, made) = self.store.ensure_meeting(school.id, period)?;
        if made {
            let attendee = Attendee {
                id: new_row_id(),
                name: self.settings.officer_name.trim().to_owned(),
                role: "Attendance officer".into(),
                organisation: "Local authority".into(),
            };
            self.edit_meeting(id, &Edit::Attendee(attendee), now)?;
        }
        self.meeting_view(urn, id)
    }

    /// The URN of the school a meeting is with.
    ///
    /// # Errors
    /// If there is no such meeting.
    pub fn meeting_urn(&self, id: i64) -> Result<String, ServiceError> {
        let meeting = self.store.load_meeting(id)?;
        self.store
            .schools()?
            .into_iter()
            .find(|s| s.id == meeting.school_id)
            .map(|s| s.urn)
            .ok_or_else(|| ServiceError::Invalid(format!("meeting {id} has no school")))
    }

    /// Reloads a meeting by id.
    ///
    /// # Errors
    /// As [`Service::open_meeting`].
    pub fn meeting_view(&mut self, urn: &str, id: i64) -> Result<MeetingView, ServiceError> {
        let mut meeting = self.store.load_meeting(id)?;
        let school = self.store.require_school(urn)?;
        let periods = self.store.periods(school.id)?;
        let data_period = periods
            .iter()
            .rev()
            .find(|p| **p <= meeting.period)
            .or_else(|| periods.last())
            .copied()
            .ok_or_else(|| {
                ServiceError::Invalid(format!(
                    "school {urn} has no attendance data yet; import its exports first"
                ))
            })?;
        let school_view = self.school_view(urn, Some(data_period))?;
        let shortlist = shortlist(&school_view.pupils);
        fill_rates(self, &mut meeting, data_period)?;
        let mut labels: HashMap<i64, String> = HashMap::new();
        let referenced: Vec<i64> = meeting
            .review
            .iter()
            .filter_map(|r| r.action.pupil_id)
            .chain(meeting.discussions.iter().map(|d| d.pupil_id))
            .chain(meeting.cme.iter().map(|c| c.pupil_id))
            .collect();
        let names = self.store.pupil_names(school.id)?;
        for p in referenced {
            if !school_view.pupils.iter().any(|r| r.pupil_id == p) {
                let upn = self.store.pupil_upn(p)?.unwrap_or_default();
                let name = names.get(&p).map_or("", String::as_str);
                labels.insert(p, pupil_label(name, &upn));
            }
        }
        let audit = self.store.audit_trail(id, AUDIT_ROWS)?;
        Ok(MeetingView {
            urn: urn.to_owned(),
            meeting,
            data_period,
            school: Box::new(school_view),
            shortlist,
            labels,
            audit,
            services: self.settings.services.clone(),
            top_n: usize::try_from(self.settings.meeting_top_n).unwrap_or(usize::MAX),
        })
    }

    /// Writes one edit to a meeting, with an audit row naming the officer.
    ///
    /// # Errors
    /// Store errors; nothing is written then.
    pub fn edit_meeting(
        &mut self,
        meeting_id: i64,
        edit: &Edit,
        at: NaiveDateTime,
    ) -> Result<(), ServiceError> {
        let officer = self.officer();
        self.store.apply_edit(meeting_id, edit, &officer, at)?;
        Ok(())
    }

    /// A meeting's audit trail, newest first.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit(&self, meeting_id: i64) -> Result<Vec<crate::store::AuditRow>, ServiceError> {
        Ok(self.store.audit_trail(meeting_id, AUDIT_ROWS)?)
    }

    /// Every action across schools and meetings for the tracker, with pupils' names
    /// and whether each is overdue on `today`.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn tracker(&self, today: NaiveDate) -> Result<Vec<TrackedRow>, ServiceError> {
        let actions = self.store.tracked_actions()?;
        let mut names: HashMap<String, HashMap<i64, String>> = HashMap::new();
        let mut out = Vec::with_capacity(actions.len());
        for t in actions {
            if !names.contains_key(&t.urn) {
                let school = self.store.require_school(&t.urn)?;
                names.insert(t.urn.clone(), self.store.pupil_names(school.id)?);
            }
            let pupil = match (t.pupil_id, &t.upn) {
                (Some(id), Some(upn)) => pupil_label(
                    names
                        .get(&t.urn)
                        .and_then(|n| n.get(&id))
                        .map_or("", String::as_str),
                    upn,
                ),
                _ => String::new(),
            };
            let overdue = t.action.status.is_open() && t.action.due.is_some_and(|d| d < today);
            out.push(TrackedRow {
                action: t.action,
                urn: t.urn,
                school: t.school,
                period: t.period,
                pupil,
                lead: t.lead,
                overdue,
            });
        }
        Ok(out)
    }

    /// Sets an action's status from the tracker.
    ///
    /// # Errors
    /// Store errors.
    pub fn set_action_status(
        &mut self,
        action: RowId,
        status: crate::domain::meeting::ActionStatus,
        at: NaiveDateTime,
    ) -> Result<(), ServiceError> {
        let officer = self.officer();
        self.store.set_action_status(action, status, &officer, at)?;
        Ok(())
    }
}

/// The severe, persistent and at-risk pupils in list order.
fn shortlist(rows: &[crate::view::PupilRow]) -> Shortlist {
    let mut s = Shortlist::default();
    for r in rows {
        match r.category {
            FlagCategory::Severe => s.severe.push(r.pupil_id),
            FlagCategory::Persistent => s.persistent.push(r.pupil_id),
            FlagCategory::AtRisk => s.at_risk.push(r.pupil_id),
            FlagCategory::None => {}
        }
        // A severely or persistently absent pupil who has left: is a destination known?
        if r.category.is_persistent()
            && let Some(day) = r.tags.iter().find_map(|t| match t {
                crate::domain::PupilTag::Left(d) => Some(*d),
                _ => None,
            })
        {
            s.leavers.push((r.pupil_id, day));
        }
    }
    s
}

/// Each reviewed action's pupil's absence rate as each meeting saw it: in the latest
/// term with data up to the term it was agreed, and in the data this meeting looks at.
fn fill_rates(
    service: &Service,
    meeting: &mut Meeting,
    data_period: Period,
) -> Result<(), ServiceError> {
    let mut cache: HashMap<i64, Vec<crate::store::PupilHistoryRow>> = HashMap::new();
    for item in &mut meeting.review {
        let Some(pupil) = item.action.pupil_id else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(pupil) {
            e.insert(service.store.pupil_history(pupil)?);
        }
        let history = cache.get(&pupil).map_or(&[][..], Vec::as_slice);
        let rate_in = |p: Period| {
            history
                .iter()
                .rev()
                .find(|h| h.period <= p)
                .and_then(|h| Rate::new(h.counts.absence(), h.counts.possible).fraction())
        };
        item.rate_then = rate_in(item.agreed_in);
        item.rate_now = rate_in(data_period);
    }
    Ok(())
}
