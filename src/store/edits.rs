//! Writing a meeting one [`Edit`] at a time, each in its own transaction with an audit
//! row (edits by one officer to one field close together are one row), and reading the
//! audit trail back.

use super::format::{AT_FORMAT, date_text};
use super::meeting::{ACTION_COLUMNS, action_row, damaged};
use super::{Store, StoreError};
use crate::domain::meeting::{
    Action, CmeConclusion, Edit, LegalOutcome, MeetingStatus, MeetingText, PupilStep,
};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{OptionalExtension as _, Transaction, params};

/// Edits by one officer to one target closer together than this are one audit row.
const AUDIT_COALESCE_SECONDS: i64 = 120;

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// When (local time).
    pub at: NaiveDateTime,
    /// The officer named in settings.
    pub officer: String,
    /// The pupil, if the change was about one.
    pub pupil_id: Option<i64>,
    /// What changed, without free text.
    pub summary: String,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn audit(
    tx: &Transaction<'_>,
    meeting_id: Option<i64>,
    pupil_id: Option<i64>,
    target: &str,
    summary: &str,
    detail: &str,
    officer: &str,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let last: Option<(i64, String, String, String)> = tx
        .query_row(
            "SELECT id, at, officer, target FROM audit WHERE meeting_id IS ?1 ORDER BY id DESC LIMIT 1",
            [meeting_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()?;
    let at_text = at.format(AT_FORMAT).to_string();
    if let Some((id, last_at, last_officer, last_target)) = last {
        let recent = NaiveDateTime::parse_from_str(&last_at, AT_FORMAT)
            .is_ok_and(|t| (at - t).num_seconds().abs() <= AUDIT_COALESCE_SECONDS);
        if recent && last_officer == officer && last_target == target {
            tx.execute(
                "UPDATE audit SET at = ?2, summary = ?3, detail = ?4 WHERE id = ?1",
                params![id, at_text, summary, detail],
            )?;
            return Ok(());
        }
    }
    tx.execute(
        "INSERT INTO audit (at, officer, meeting_id, pupil_id, target, summary, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            at_text, officer, meeting_id, pupil_id, target, summary, detail
        ],
    )?;
    Ok(())
}

/// Fails unless exactly one row changed (an id of another meeting changes none).
fn one(changed: usize, what: &str) -> Result<(), StoreError> {
    if changed == 1 {
        Ok(())
    } else {
        Err(StoreError::Damaged(format!(
            "{what} is not part of this meeting"
        )))
    }
}

fn ensure_discussion(
    tx: &Transaction<'_>,
    meeting: i64,
    pupil: i64,
    step: PupilStep,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT OR IGNORE INTO discussions (meeting_id, pupil_id, step) VALUES (?1, ?2, ?3)",
        params![meeting, pupil, step.key()],
    )?;
    Ok(())
}

fn set_discussion(
    tx: &Transaction<'_>,
    meeting: i64,
    pupil: i64,
    step: PupilStep,
    sets: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<(), StoreError> {
    ensure_discussion(tx, meeting, pupil, step)?;
    let mut all: Vec<&dyn rusqlite::ToSql> = vec![&meeting, &pupil];
    all.extend_from_slice(values);
    tx.execute(
        &format!("UPDATE discussions SET {sets} WHERE meeting_id = ?1 AND pupil_id = ?2"),
        all.as_slice(),
    )?;
    Ok(())
}

#[allow(clippy::too_many_lines)]
fn write_edit(
    tx: &Transaction<'_>,
    m: i64,
    edit: &Edit,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let meeting_set = |sets: &str, value: &dyn rusqlite::ToSql| -> Result<(), StoreError> {
        one(
            tx.execute(
                &format!("UPDATE meetings SET {sets} WHERE id = ?1"),
                params![m, value],
            )?,
            "the meeting",
        )
    };
    match edit {
        Edit::Date(d) => meeting_set("scheduled_for = ?2", &date_text(*d))?,
        Edit::Text(MeetingText::Time, t) => meeting_set("start_time = ?2", t)?,
        Edit::Text(MeetingText::TrendsNotes, t) => meeting_set("trends_notes = ?2", t)?,
        Edit::Text(MeetingText::PracticeNotes, t) => meeting_set("practice_notes = ?2", t)?,
        Edit::Mode(mode) => meeting_set("mode = ?2", &mode.key())?,
        Edit::Status(s) => {
            meeting_set("status = ?2", &s.key())?;
            let held = (*s == MeetingStatus::Held).then(|| date_text(Some(today)));
            tx.execute(
                "UPDATE meetings SET held_on = CASE WHEN ?2 IS NULL THEN NULL
                     ELSE COALESCE(scheduled_for, ?2) END WHERE id = ?1",
                params![m, held.flatten()],
            )?;
        }
        Edit::NextMeeting(d) => meeting_set("next_meeting = ?2", &date_text(*d))?,
        Edit::Attendee(a) => one(
            tx.execute(
                "INSERT INTO attendees (id, meeting_id, name, role, organisation)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                     organisation = excluded.organisation
                 WHERE attendees.meeting_id = excluded.meeting_id",
                params![a.id, m, a.name, a.role, a.organisation],
            )?,
            "the attendee",
        )?,
        Edit::RemoveAttendee(id) => {
            tx.execute(
                "DELETE FROM attendees WHERE id = ?1 AND meeting_id = ?2",
                params![id, m],
            )?;
        }
        Edit::Discuss(p, step) => {
            tx.execute(
                "INSERT INTO discussions (meeting_id, pupil_id, step) VALUES (?1, ?2, ?3)
                 ON CONFLICT (meeting_id, pupil_id) DO UPDATE SET step = excluded.step",
                params![m, p, step.key()],
            )?;
        }
        Edit::Undiscuss(p) => {
            tx.execute(
                "DELETE FROM discussions WHERE meeting_id = ?1 AND pupil_id = ?2",
                params![m, p],
            )?;
        }
        Edit::Lead(p, lead) => set_discussion(
            tx,
            m,
            *p,
            PupilStep::Severe,
            "lead_organisation = ?3, lead_person = ?4",
            &[&lead.organisation, &lead.person],
        )?,
        Edit::Barrier(p, b) => {
            ensure_discussion(tx, m, *p, PupilStep::Severe)?;
            one(
                tx.execute(
                    "INSERT INTO barriers (id, meeting_id, pupil_id, side, category, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (id) DO UPDATE SET side = excluded.side,
                         category = excluded.category, detail = excluded.detail
                     WHERE barriers.meeting_id = excluded.meeting_id
                       AND barriers.pupil_id = excluded.pupil_id",
                    params![b.id, m, p, b.side.key(), b.category.key(), b.detail],
                )?,
                "the barrier",
            )?;
        }
        Edit::RemoveBarrier(p, id) => {
            tx.execute(
                "DELETE FROM barriers WHERE id = ?1 AND meeting_id = ?2 AND pupil_id = ?3",
                params![id, m, p],
            )?;
        }
        Edit::SupportInPlace(p, v) => set_discussion(
            tx,
            m,
            *p,
            PupilStep::Persistent,
            "support_in_place = ?3",
            &[v],
        )?,
        Edit::Whereabouts(p, v) => {
            set_discussion(tx, m, *p, PupilStep::Severe, "whereabouts_known = ?3", &[v])?
        }
        Edit::PupilNotes(p, t) => {
            set_discussion(tx, m, *p, PupilStep::Severe, "notes = ?3", &[t])?;
        }
        Edit::Action(a) => upsert_action(tx, m, a)?,
        Edit::RemoveAction(id) => {
            tx.execute(
                "DELETE FROM actions WHERE id = ?1 AND meeting_id = ?2",
                params![id, m],
            )?;
        }
        Edit::Review {
            action,
            status,
            note,
        } => one(
            tx.execute(
                "UPDATE actions SET status = ?3, note = ?4, reviewed_in = ?2
                 WHERE id = ?1 AND meeting_id IN (
                     SELECT e.id FROM meetings e JOIN meetings t ON t.id = ?2
                     WHERE e.school_id = t.school_id AND e.id <> t.id)",
                params![action, m, status.key(), note],
            )?,
            "the reviewed action",
        )?,
        Edit::CarryForward { from, id } => {
            let (old, _status) = tx
                .query_row(
                    &format!(
                        "SELECT {ACTION_COLUMNS} FROM actions a
                         WHERE a.id = ?1 AND a.meeting_id IN (
                             SELECT e.id FROM meetings e JOIN meetings t ON t.id = ?2
                             WHERE e.school_id = t.school_id AND e.id <> t.id)"
                    ),
                    params![from, m],
                    |r| action_row(r, 0),
                )
                .optional()?
                .ok_or_else(|| StoreError::Damaged(format!("action {from} cannot be carried")))?;
            let new = crate::domain::meeting::carry_forward(&old, *id);
            upsert_action(tx, m, &new)?;
            tx.execute(
                "UPDATE actions SET reviewed_in = ?2 WHERE id = ?1",
                params![from, m],
            )?;
        }
        Edit::OpenCme { id, pupil, on } => {
            pupil_of_school(tx, m, *pupil)?;
            // One open enquiry per pupil: opening another while one is open does nothing.
            tx.execute(
                "INSERT OR IGNORE INTO cme_enquiries (id, pupil_id, meeting_id, opened_on)
                 SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (
                     SELECT 1 FROM cme_enquiries WHERE pupil_id = ?2
                       AND (conclusion IS NULL OR conclusion = 'still_missing'))",
                params![id, pupil, m, date_text(Some(*on))],
            )?;
        }
        Edit::CmeCheck {
            enquiry,
            pupil,
            check: c,
        } => {
            enquiry_of_school(tx, m, *enquiry, *pupil)?;
            // A check recorded at another meeting is that meeting's: not changed here.
            one(
                tx.execute(
                    "INSERT INTO cme_checks (id, enquiry_id, meeting_id, kind, done_on, done_by, outcome)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,
                         done_on = excluded.done_on, done_by = excluded.done_by,
                         outcome = excluded.outcome
                     WHERE cme_checks.meeting_id = excluded.meeting_id
                       AND cme_checks.enquiry_id = excluded.enquiry_id",
                    params![
                        c.id,
                        enquiry,
                        m,
                        c.kind.key(),
                        date_text(c.on),
                        c.by,
                        c.outcome
                    ],
                )?,
                "the CME check",
            )?;
        }
        Edit::ConcludeCme {
            enquiry,
            pupil,
            conclusion,
            on,
        } => {
            enquiry_of_school(tx, m, *enquiry, *pupil)?;
            tx.execute(
                "UPDATE cme_enquiries SET conclusion = ?2, concluded_on = ?3,
                     concluded_in = CASE WHEN ?2 IS NULL THEN NULL ELSE ?4 END
                 WHERE id = ?1",
                params![
                    enquiry,
                    conclusion.map(CmeConclusion::key),
                    date_text(*on),
                    m
                ],
            )?;
        }
        Edit::ProposeLegal(p) => {
            tx.execute(
                "INSERT OR IGNORE INTO legal_reviews (meeting_id, pupil_id) VALUES (?1, ?2)",
                params![m, p],
            )?;
        }
        Edit::WithdrawLegal(p) => {
            tx.execute(
                "DELETE FROM legal_reviews WHERE meeting_id = ?1 AND pupil_id = ?2",
                params![m, p],
            )?;
        }
        Edit::Evidence(p, item, value) => {
            tx.execute(
                "INSERT INTO legal_evidence (meeting_id, pupil_id, item, checked, note)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (meeting_id, pupil_id, item) DO UPDATE SET checked = excluded.checked,
                     note = excluded.note",
                params![m, p, item.key(), value.checked, value.note],
            )?;
        }
        Edit::LegalOutcome(p, outcome) => one(
            tx.execute(
                "UPDATE legal_reviews SET outcome = ?3 WHERE meeting_id = ?1 AND pupil_id = ?2",
                params![m, p, outcome.map(LegalOutcome::key)],
            )?,
            "the legal proposal",
        )?,
    }
    Ok(())
}

/// Fails unless the pupil is at the meeting's school.
fn pupil_of_school(tx: &Transaction<'_>, m: i64, pupil: i64) -> Result<(), StoreError> {
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM pupils p JOIN meetings me ON me.school_id = p.school_id
         WHERE p.id = ?1 AND me.id = ?2",
        params![pupil, m],
        |r| r.get(0),
    )?;
    one(usize::try_from(n).unwrap_or(0), "the pupil")
}

/// Fails unless the enquiry is the pupil's and the pupil is at the meeting's school
/// (an enquiry opened at any of the school's meetings may be added to from another).
fn enquiry_of_school(
    tx: &Transaction<'_>,
    m: i64,
    enquiry: i64,
    pupil: i64,
) -> Result<(), StoreError> {
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM cme_enquiries c JOIN pupils p ON p.id = c.pupil_id
         JOIN meetings me ON me.school_id = p.school_id
         WHERE c.id = ?1 AND c.pupil_id = ?2 AND me.id = ?3",
        params![enquiry, pupil, m],
        |r| r.get(0),
    )?;
    one(usize::try_from(n).unwrap_or(0), "the CME enquiry")
}

fn upsert_action(tx: &Transaction<'_>, m: i64, a: &Action) -> Result<(), StoreError> {
    one(
        tx.execute(
            "INSERT INTO actions (id, meeting_id, pupil_id, description, owner, due_date, status,
                                  note, carried_from)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET pupil_id = excluded.pupil_id,
                 description = excluded.description, owner = excluded.owner,
                 due_date = excluded.due_date, status = excluded.status, note = excluded.note,
                 carried_from = excluded.carried_from
             WHERE actions.meeting_id = excluded.meeting_id",
            params![
                a.id,
                m,
                a.pupil_id,
                a.description,
                a.owner,
                date_text(a.due),
                a.status.key(),
                a.note,
                a.carried_from
            ],
        )?,
        "the action",
    )
}

impl Store {
    /// Writes one edit to a meeting and records it in the audit trail, in one
    /// transaction: the edit is stored whole or not at all.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] for an edit naming a row of another meeting (nothing
    /// is written); SQLite errors.
    pub fn apply_edit(
        &mut self,
        meeting_id: i64,
        edit: &Edit,
        officer: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        write_edit(&tx, meeting_id, edit, at.date())?;
        let detail = serde_json::to_string(edit)
            .map_err(|e| StoreError::Damaged(format!("edit not serialisable: {e}")))?;
        audit(
            &tx,
            Some(meeting_id),
            edit.pupil(),
            &edit.target(),
            &edit.describe(),
            &detail,
            officer,
            at,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The meeting's audit trail, newest first, at most `limit` rows.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn audit_trail(&self, meeting_id: i64, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT at, officer, pupil_id, summary FROM audit WHERE meeting_id = ?1
             ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![meeting_id, limit], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (at, officer, pupil_id, summary) = row?;
            out.push(AuditRow {
                at: NaiveDateTime::parse_from_str(&at, AT_FORMAT)
                    .map_err(|_| damaged("audit time", &at))?,
                officer,
                pupil_id,
                summary,
            });
        }
        Ok(out)
    }
}
