//! The connection's settings for one bulk write (a county's DfE weekly file: hundreds
//! of thousands of rows in one transaction), and putting them back afterwards.
//!
//! - **A rollback journal instead of the write-ahead log**, when the file is ours
//!   alone. In WAL mode every page of the import is written twice, to the log at the
//!   commit and again into the file by the checkpoint; with a rollback journal only the
//!   pages held before the import are copied aside (for a first import, almost none)
//!   and the new pages go straight into the file. The commit is as durable
//!   (`synchronous=FULL` either way), and a crash leaves a journal that the next open
//!   rolls back. When another connection has the file open the log stays (SQLite
//!   refuses the switch without waiting), and the import simply runs in WAL mode.
//! - **No foreign-key checks**: three look-ups a stored figure, for rows whose parents
//!   the writer itself has just made or read in the same transaction, under the write
//!   lock. Deletes in that transaction name every child table themselves
//!   ([`super::rows::delete_import`]) rather than relying on `ON DELETE CASCADE`.
//!
//! Both were measured on a county's file (300,000 pupils, 500 schools): together the
//! import takes a fifth less time.

use rusqlite::Connection;
use std::time::Duration;

/// How long the store waits for another program's lock in ordinary use (as
/// [`super::Store`] sets it).
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What [`enter`] changed, for [`leave`] to put back.
#[derive(Debug)]
#[must_use = "pass it to leave() to put the connection's settings back"]
pub(super) struct Bulk {
    left_wal: bool,
    foreign_keys: bool,
}

/// Sets the connection up for a bulk write. Call it outside any transaction.
///
/// # Errors
/// SQLite errors reading or setting `foreign_keys`.
pub(super) fn enter(conn: &Connection) -> Result<Bulk, rusqlite::Error> {
    let foreign_keys: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    // Another connection's lock makes the switch fail at once (SQLite does not wait on
    // it); the import then runs in WAL mode, as any other write.
    let left_wal = mode.eq_ignore_ascii_case("wal") && {
        // Not waiting on the other program's lock: the busy handler would.
        conn.busy_timeout(Duration::ZERO)?;
        let switched = conn
            .pragma_update_and_check(None, "journal_mode", "DELETE", |r| r.get::<_, String>(0))
            .is_ok_and(|m| m.eq_ignore_ascii_case("delete"));
        conn.busy_timeout(BUSY_TIMEOUT)?;
        switched
    };
    conn.pragma_update(None, "foreign_keys", false)?;
    Ok(Bulk {
        left_wal,
        foreign_keys,
    })
}

/// Puts back what [`enter`] changed. Call it after the transaction has ended
/// (committed or rolled back).
///
/// # Errors
/// SQLite errors setting `foreign_keys` back. Going back to WAL mode is tried but
/// not required: if another program holds a lock just then, the file keeps its
/// rollback journal until the next open puts the log back ([`set_wal`]).
pub(super) fn leave(conn: &Connection, bulk: Bulk) -> Result<(), rusqlite::Error> {
    conn.pragma_update(None, "foreign_keys", bulk.foreign_keys)?;
    if bulk.left_wal {
        set_wal(conn);
    }
    Ok(())
}

/// Puts the file in WAL mode if that can be done within a second: a program
/// importing into it in rollback-journal mode holds a lock that would otherwise keep
/// this one from opening at all. Another mode is no fault: SQLite works in either, and
/// a later open tries again.
pub(super) fn set_wal(conn: &Connection) {
    let _ = conn.busy_timeout(Duration::from_secs(1));
    let _ = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0));
    let _ = conn.busy_timeout(BUSY_TIMEOUT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(conn: &Connection) -> String {
        conn.pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_bulk_write_leaves_the_log_only_when_the_file_is_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        conn.execute_batch("CREATE TABLE t (x)").unwrap();

        let bulk = enter(&conn).unwrap();
        assert_eq!(mode(&conn), "delete");
        let fk: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(!fk);
        leave(&conn, bulk).unwrap();
        assert_eq!(mode(&conn), "wal");
        let fk: bool = conn
            .pragma_query_value(None, "foreign_keys", |r| r.get(0))
            .unwrap();
        assert!(fk);

        // A second program with the file open keeps it in WAL mode, without waiting.
        let other = Connection::open(&path).unwrap();
        other
            .query_row("SELECT COUNT(*) FROM t", [], |_| Ok(()))
            .unwrap();
        let started = std::time::Instant::now();
        let bulk = enter(&conn).unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(mode(&conn), "wal");
        leave(&conn, bulk).unwrap();
        assert_eq!(mode(&conn), "wal");
        drop(other);
    }

    #[test]
    fn a_database_in_memory_keeps_its_journal() {
        let conn = Connection::open_in_memory().unwrap();
        let bulk = enter(&conn).unwrap();
        assert_eq!(mode(&conn), "memory");
        leave(&conn, bulk).unwrap();
        assert_eq!(mode(&conn), "memory");
    }
}
