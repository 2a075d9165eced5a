-- Bulk imports from the command line, one row per file (by the SHA-256 of its bytes),
-- with how many of its households are committed. The count is updated in the same
-- transaction as each batch it counts, so that a re-run of a killed import starts after
-- the last committed batch and never writes a household twice. A small shared table: no
-- foreign key to the registry, so that it stays as it is on a distributed database.
CREATE TABLE import_runs (
    file_sha256      TEXT PRIMARY KEY,
    file_name        TEXT NOT NULL,
    households_total BIGINT NOT NULL,
    households_done  BIGINT NOT NULL DEFAULT 0,
    started_at       TEXT NOT NULL,
    finished_at      TEXT
);
