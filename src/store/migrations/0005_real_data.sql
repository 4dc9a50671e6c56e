-- tsm-desk schema, version 5: real data in. The DfE weekly pupil-level file (many
-- schools, year-to-date figures every week), pupils' enrolment facts, and possible
-- sessions counted as the DfE counts them. Append-only: never edit a shipped migration.

-- The local authority a school is in (from the DfE weekly file).
ALTER TABLE schools ADD COLUMN la_name TEXT;

-- Enrolment facts and characteristics from the DfE weekly file.
ALTER TABLE pupils ADD COLUMN compulsory_school_age INTEGER;
ALTER TABLE pupils ADD COLUMN previously_looked_after INTEGER;
ALTER TABLE pupils ADD COLUMN primary_sen_type TEXT;
ALTER TABLE pupils ADD COLUMN admission_date TEXT;
ALTER TABLE pupils ADD COLUMN leaving_date TEXT;
ALTER TABLE pupils ADD COLUMN home_la TEXT;

-- The day a weekly file's figures run to.
ALTER TABLE imports ADD COLUMN as_of TEXT;

-- Unmarked sessions are not possible sessions: the DfE counts only attendance and
-- absence as possible. Totals stored by earlier versions counted them, and held them
-- in no_mark as well (marks with no code, or a summary's possible sessions that were
-- neither attendance nor absence), so taking no_mark away gives the DfE's figure.
UPDATE attendance SET possible = possible - no_mark;

-- A school's year-to-date figures for a term as of one day (one DfE weekly file),
-- every pupil in one compact blob (src/domain/snapshot.rs). The latest snapshot's
-- figures are also the pupils' rows in attendance.
CREATE TABLE snapshots (
    period_id INTEGER NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    as_of     TEXT NOT NULL,
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    pupils    INTEGER NOT NULL,
    counts    BLOB NOT NULL,
    PRIMARY KEY (period_id, as_of)
) WITHOUT ROWID;
