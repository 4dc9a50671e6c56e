-- tsm-desk schema, version 2: settings, saved column mappings, and the meetings and
-- actions the patch overview reports on. Append-only: never edit a shipped migration.

-- Settings as JSON documents by key ("settings" holds thresholds, national
-- comparators, the service directory and the officer's name).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Column mappings saved by name from the import wizard.
CREATE TABLE column_mappings (
    name       TEXT PRIMARY KEY,
    mapping    TEXT NOT NULL,
    saved_at   TEXT NOT NULL
);

-- One Targeting Support Meeting per school and term.
CREATE TABLE meetings (
    id            INTEGER PRIMARY KEY,
    school_id     INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    academic_year INTEGER NOT NULL,
    term          INTEGER NOT NULL CHECK (term BETWEEN 1 AND 3),
    scheduled_for TEXT,
    status        TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'held')),
    held_on       TEXT,
    UNIQUE (school_id, academic_year, term)
);

-- Actions agreed at a meeting; open ones are carried into the next term's review.
CREATE TABLE actions (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    pupil_id    INTEGER REFERENCES pupils(id) ON DELETE SET NULL,
    description TEXT NOT NULL,
    owner       TEXT,
    due_date    TEXT,
    status      TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'done', 'partly', 'not_done', 'no_longer_needed'))
);
CREATE INDEX actions_by_meeting ON actions (meeting_id);
