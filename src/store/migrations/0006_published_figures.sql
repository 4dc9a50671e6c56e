-- tsm-desk schema, version 6: comparators from their source. The DfE's published
-- "Pupil attendance in schools" weekly figures, national and for local authorities,
-- by phase and week, to draw beside a school's week-by-week absence. Published
-- statistics only: nothing here is about a pupil. Append-only: never edit a shipped
-- migration.

CREATE TABLE published_figures (
    -- The week's Monday (yyyy-mm-dd).
    week_start       TEXT NOT NULL,
    -- All schools, Primary, Secondary or Special.
    phase            TEXT NOT NULL,
    -- National or Local authority.
    geographic_level TEXT NOT NULL,
    -- Empty nationally; a local authority's name in lower case without spaces (its
    -- code when the file gives no name), so a newer file replaces the same rows.
    area             TEXT NOT NULL,
    la_code          TEXT,
    la_name          TEXT,
    -- Rates as published, in per cent (6.38 is 6.38%); NULL where suppressed.
    attendance       REAL,
    overall_absence  REAL,
    authorised       REAL,
    unauthorised     REAL,
    -- Where the row came from ("DfE, Pupil attendance in schools (file.csv)") and when
    -- it was imported (local time).
    release          TEXT NOT NULL,
    imported_at      TEXT NOT NULL,
    PRIMARY KEY (week_start, phase, geographic_level, area)
) WITHOUT ROWID;
