//! The actions tracker across the patch (every meeting's actions with their pupil,
//! lead and school), status changes made from it, and open CME enquiries for the
//! overview.

use super::edits::audit;
use super::meeting::{ACTION_COLUMNS, action_row, damaged, with_status};
use super::{Store, StoreError};
use crate::domain::meeting::{Action, ActionStatus, RowId};
use crate::domain::{Period, Term};
use chrono::NaiveDateTime;
use rusqlite::{OptionalExtension as _, params};

/// An action as the tracker lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedAction {
    /// The action.
    pub action: Action,
    /// The school's URN.
    pub urn: String,
    /// The school's name (or URN).
    pub school: String,
    /// The term of the meeting that agreed it.
    pub period: Period,
    /// The pupil's UPN, if the action is about a pupil.
    pub upn: Option<String>,
    /// The pupil's id.
    pub pupil_id: Option<i64>,
    /// The pupil's lead practitioner organisation at that meeting (empty if none).
    pub lead: String,
}

impl Store {
    /// Every action across schools and meetings, by school, term and creation.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn tracked_actions(&self) -> Result<Vec<TrackedAction>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ACTION_COLUMNS}, s.urn, COALESCE(s.name, s.urn), m.academic_year, m.term,
                    p.upn, COALESCE(d.lead_organisation, '')
             FROM actions a
             JOIN meetings m ON m.id = a.meeting_id
             JOIN schools s ON s.id = m.school_id
             LEFT JOIN pupils p ON p.id = a.pupil_id
             LEFT JOIN discussions d ON d.meeting_id = a.meeting_id AND d.pupil_id = a.pupil_id
             ORDER BY s.urn, m.academic_year, m.term, a.id"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                action_row(r, 0)?,
                r.get::<_, String>(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, i32>(10)?,
                r.get::<_, u8>(11)?,
                r.get::<_, Option<String>>(12)?,
                r.get::<_, String>(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (action, urn, school, year, term, upn, lead) = row?;
            let action = with_status(action)?;
            let term = Term::from_number(term).ok_or_else(|| damaged("term", &term.to_string()))?;
            out.push(TrackedAction {
                pupil_id: action.pupil_id,
                action,
                urn,
                school,
                period: Period::new(year, term),
                upn,
                lead,
            });
        }
        Ok(out)
    }

    /// Sets an action's status from the tracker (the next meeting's review shows it),
    /// with an audit row.
    ///
    /// # Errors
    /// [`StoreError::Damaged`] for an unknown action; SQLite errors.
    pub fn set_action_status(
        &mut self,
        action_id: RowId,
        status: ActionStatus,
        officer: &str,
        at: NaiveDateTime,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let meeting_id: i64 = tx
            .query_row(
                "SELECT meeting_id FROM actions WHERE id = ?1",
                [action_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::Damaged(format!("no action {action_id}")))?;
        tx.execute(
            "UPDATE actions SET status = ?2 WHERE id = ?1",
            params![action_id, status.key()],
        )?;
        audit(
            &tx,
            Some(meeting_id),
            None,
            &format!("action.{action_id}.status"),
            &format!("tracker: action status {}", status.label()),
            &format!("{{\"action\":{action_id},\"status\":\"{}\"}}", status.key()),
            officer,
            at,
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Open CME enquiries (no conclusion, or "still missing") for a school.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn open_cme_count(&self, school_id: i64) -> Result<u32, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM cme_enquiries c JOIN meetings m ON m.id = c.meeting_id
             WHERE m.school_id = ?1 AND (c.conclusion IS NULL OR c.conclusion = 'still_missing')",
            [school_id],
            |r| r.get(0),
        )?)
    }
}
