-- tsm-desk schema, version 1. Migrations are append-only: never edit a shipped one.

CREATE TABLE schools (
    id      INTEGER PRIMARY KEY,
    urn     TEXT NOT NULL UNIQUE,
    name    TEXT,
    phase   TEXT
);

CREATE TABLE periods (
    id            INTEGER PRIMARY KEY,
    school_id     INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    academic_year INTEGER NOT NULL,
    term          INTEGER NOT NULL CHECK (term BETWEEN 1 AND 3),
    first_date    TEXT,
    last_date     TEXT,
    UNIQUE (school_id, academic_year, term)
);

CREATE TABLE pupils (
    id            INTEGER PRIMARY KEY,
    school_id     INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    upn           TEXT NOT NULL,
    forename      TEXT,
    surname       TEXT,
    year_group    INTEGER,
    reg_group     TEXT,
    sex           TEXT,
    date_of_birth TEXT,
    sen           TEXT,
    fsm           INTEGER,
    eal           INTEGER,
    looked_after  INTEGER,
    child_in_need INTEGER,
    ethnicity     TEXT,
    UNIQUE (school_id, upn)
);

CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    school_id    INTEGER NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    layout       TEXT NOT NULL,
    period_label TEXT,
    first_date   TEXT,
    last_date    TEXT,
    rows         INTEGER NOT NULL,
    warnings     TEXT NOT NULL,
    imported_at  TEXT NOT NULL,
    UNIQUE (school_id, sha256)
);

-- One pupil's marks for one period from one import, two bytes a calendar day from
-- first_date (AM, PM): 0 for no session, else the code's id + 1 (src/domain/codes.rs).
CREATE TABLE marks (
    import_id  INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    pupil_id   INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    period_id  INTEGER NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    first_date TEXT NOT NULL,
    codes      BLOB NOT NULL,
    PRIMARY KEY (import_id, pupil_id, period_id)
) WITHOUT ROWID;
CREATE INDEX marks_by_period ON marks (period_id, pupil_id);

-- Per-period totals per pupil: from a summary import, or worked out from all the
-- pupil's marks in the period (later imports overriding earlier ones session by session).
CREATE TABLE attendance (
    period_id         INTEGER NOT NULL REFERENCES periods(id) ON DELETE CASCADE,
    pupil_id          INTEGER NOT NULL REFERENCES pupils(id) ON DELETE CASCADE,
    source            TEXT NOT NULL CHECK (source IN ('marks', 'summary')),
    import_id         INTEGER REFERENCES imports(id) ON DELETE CASCADE,
    possible          INTEGER NOT NULL,
    present           INTEGER NOT NULL,
    approved          INTEGER NOT NULL,
    authorised        INTEGER NOT NULL,
    unauthorised      INTEGER NOT NULL,
    no_mark           INTEGER NOT NULL,
    late_before_close INTEGER NOT NULL,
    late_after_close  INTEGER NOT NULL,
    code_counts       TEXT,
    PRIMARY KEY (period_id, pupil_id)
) WITHOUT ROWID;
