-- tsm-desk schema, version 7: a CME enquiry belongs to the pupil at the school, not to
-- the meeting that opened it. Enquiries get their own id (the meeting that opened them
-- is `meeting_id`, the one that set the conclusion `concluded_in`), and checks get
-- their own id and the meeting they were recorded at, so a later meeting adds its
-- checks (a second home visit too) to the same enquiry. Append-only: never edit a
-- shipped migration. Existing rows keep their data: each enquiry keeps its rowid as
-- its id, each check its rowid, and a concluded enquiry counts as concluded at the
-- meeting that opened it.

ALTER TABLE cme_checks RENAME TO cme_checks_v3;
ALTER TABLE cme_enquiries RENAME TO cme_enquiries_v3;

CREATE TABLE cme_enquiries (
    id           INTEGER PRIMARY KEY,
    pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    opened_on    TEXT NOT NULL,
    conclusion   TEXT CHECK (conclusion IN ('on_roll_elsewhere', 'not_in_education', 'referred_cme', 'still_missing')),
    concluded_on TEXT,
    concluded_in INTEGER REFERENCES meetings(id) ON DELETE SET NULL
);
CREATE INDEX cme_enquiries_by_pupil ON cme_enquiries (pupil_id);
CREATE INDEX cme_enquiries_by_meeting ON cme_enquiries (meeting_id);

CREATE TABLE cme_checks (
    id         INTEGER PRIMARY KEY,
    enquiry_id INTEGER NOT NULL REFERENCES cme_enquiries(id) ON DELETE CASCADE,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    done_on    TEXT,
    done_by    TEXT NOT NULL,
    outcome    TEXT NOT NULL
);
CREATE INDEX cme_checks_by_enquiry ON cme_checks (enquiry_id);
CREATE INDEX cme_checks_by_meeting ON cme_checks (meeting_id);

INSERT INTO cme_enquiries (id, pupil_id, meeting_id, opened_on, conclusion, concluded_on, concluded_in)
    SELECT rowid, pupil_id, meeting_id, opened_on, conclusion, concluded_on,
           CASE WHEN conclusion IS NULL THEN NULL ELSE meeting_id END
    FROM cme_enquiries_v3 ORDER BY rowid;

INSERT INTO cme_checks (id, enquiry_id, meeting_id, kind, done_on, done_by, outcome)
    SELECT c.rowid, e.rowid, c.meeting_id, c.kind, c.done_on, c.done_by, c.outcome
    FROM cme_checks_v3 c
    JOIN cme_enquiries_v3 e ON e.meeting_id = c.meeting_id AND e.pupil_id = c.pupil_id
    ORDER BY c.rowid;

DROP TABLE cme_checks_v3;
DROP TABLE cme_enquiries_v3;
