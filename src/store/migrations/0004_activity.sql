-- tsm-desk schema, version 4: the activity log of imports, prints, exports, purges,
-- deletions, backups and restores. Append-only: never edit a shipped migration.
-- Summaries hold counts, file base names, URNs and terms: never pupils' names or
-- free text typed about pupils. No foreign key to schools: the row of a deleted
-- school's data outlives the school, keeping only its URN.

CREATE TABLE activity (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    officer    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    school_urn TEXT,
    summary    TEXT NOT NULL
);
