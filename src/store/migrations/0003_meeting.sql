-- tsm-desk schema, version 3: the meeting itself (attendees, pupil discussions with
-- barriers and lead practitioners, reviewed and carried-forward actions, CME enquiries,
-- legal-intervention checks) and an audit trail. Append-only: never edit a shipped
-- migration. Row ids of meeting rows are chosen by the app when the row is made;
-- rows load in rowid order, which is the order they were made.

ALTER TABLE meetings ADD COLUMN start_time TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN mode TEXT NOT NULL DEFAULT 'in_person'
    CHECK (mode IN ('in_person', 'virtual'));
ALTER TABLE meetings ADD COLUMN next_meeting TEXT;
ALTER TABLE meetings ADD COLUMN trends_notes TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN practice_notes TEXT NOT NULL DEFAULT '';

CREATE TABLE attendees (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    organisation TEXT NOT NULL
);
CREATE INDEX attendees_by_meeting ON attendees (meeting_id);

-- One row per pupil discussed at a meeting.
CREATE TABLE discussions (
    meeting_id        INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    step              TEXT NOT NULL CHECK (step IN ('severe', 'persistent', 'at_risk')),
    lead_organisation TEXT NOT NULL DEFAULT '',
    lead_person       TEXT NOT NULL DEFAULT '',
    support_in_place  INTEGER NOT NULL DEFAULT 0,
    whereabouts_known INTEGER,
    notes             TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, pupil_id)
);

CREATE TABLE barriers (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL,
    pupil_id   INTEGER NOT NULL,
    side       TEXT NOT NULL CHECK (side IN ('in_school', 'out_of_school')),
    category   TEXT NOT NULL,
    detail     TEXT NOT NULL,
    FOREIGN KEY (meeting_id, pupil_id) REFERENCES discussions(meeting_id, pupil_id) ON DELETE CASCADE
);
CREATE INDEX barriers_by_discussion ON barriers (meeting_id, pupil_id);

-- Actions: the review note, the action it carries forward, and the meeting that
-- reviewed it.
ALTER TABLE actions ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN carried_from INTEGER REFERENCES actions(id) ON DELETE SET NULL;
ALTER TABLE actions ADD COLUMN reviewed_in INTEGER REFERENCES meetings(id) ON DELETE SET NULL;

CREATE TABLE cme_enquiries (
    meeting_id   INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    pupil_id     INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    opened_on    TEXT NOT NULL,
    conclusion   TEXT CHECK (conclusion IN ('on_roll_elsewhere', 'not_in_education', 'referred_cme', 'still_missing')),
    concluded_on TEXT,
    PRIMARY KEY (meeting_id, pupil_id)
);

CREATE TABLE cme_checks (
    meeting_id INTEGER NOT NULL,
    pupil_id   INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    done_on    TEXT,
    done_by    TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    PRIMARY KEY (meeting_id, pupil_id, kind),
    FOREIGN KEY (meeting_id, pupil_id) REFERENCES cme_enquiries(meeting_id, pupil_id) ON DELETE CASCADE
);

CREATE TABLE legal_reviews (
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    pupil_id   INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    outcome    TEXT,
    PRIMARY KEY (meeting_id, pupil_id)
);

CREATE TABLE legal_evidence (
    meeting_id INTEGER NOT NULL,
    pupil_id   INTEGER NOT NULL,
    item       TEXT NOT NULL,
    checked    INTEGER NOT NULL,
    note       TEXT NOT NULL,
    PRIMARY KEY (meeting_id, pupil_id, item),
    FOREIGN KEY (meeting_id, pupil_id) REFERENCES legal_reviews(meeting_id, pupil_id) ON DELETE CASCADE
);

-- Who changed what and when. Consecutive edits by the same officer to the same
-- target within two minutes (typing into one box) update one row.
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    officer    TEXT NOT NULL,
    meeting_id INTEGER REFERENCES meetings(id) ON DELETE CASCADE,
    pupil_id   INTEGER,
    target     TEXT NOT NULL,
    summary    TEXT NOT NULL,
    detail     TEXT NOT NULL
);
CREATE INDEX audit_by_meeting ON audit (meeting_id, id);
