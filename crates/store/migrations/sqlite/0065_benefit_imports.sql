-- Imports of an agency's own list (issue 14): the social insurance agency's cards, the
-- social policy bank's loans, a school's exemptions. Each run is kept with its counts, and
-- every row that could not be matched to one member or household waits in the match queue
-- until an officer matches or rejects it: nothing read from a list is dropped.
-- Both tables hold rows not (yet) tied to a household, so they carry no home_province and
-- become reference tables on Citus.
CREATE TABLE benefit_imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    policy        TEXT NOT NULL,
    agency_code   TEXT NOT NULL,
    -- The unit the list was matched within (the importer's unit or one below it).
    unit_code     TEXT NOT NULL,
    province_code TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    rows_total    BIGINT NOT NULL,
    matched       BIGINT NOT NULL,
    queued        BIGINT NOT NULL,
    -- Rows already recorded by an earlier import of the same references.
    skipped       BIGINT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);

CREATE TABLE benefit_match_queue (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    import_id     BIGINT NOT NULL,
    -- The row's line in the file (1 is the header line).
    line          BIGINT NOT NULL,
    policy        TEXT NOT NULL,
    agency_code   TEXT NOT NULL,
    reference     TEXT NOT NULL,
    unit_code     TEXT NOT NULL,
    province_code TEXT NOT NULL,
    citizen_id    TEXT,
    full_name     TEXT NOT NULL,
    name_folded   TEXT NOT NULL,
    birth_year    INTEGER,
    -- The village as the list wrote it.
    village       TEXT,
    valid_from    DATE NOT NULL,
    valid_to      DATE,
    amount        BIGINT,
    -- unmatched (nobody fits) or ambiguous (several members fit).
    reason        TEXT NOT NULL CHECK (reason IN ('unmatched', 'ambiguous')),
    -- The member ids that fitted an ambiguous row, comma-separated.
    candidates    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'matched', 'rejected')),
    household_id  BIGINT,
    member_id     BIGINT,
    benefit_id    BIGINT,
    note          TEXT,
    resolved_by   TEXT,
    resolved_at   TEXT,
    created_at    TEXT NOT NULL,
    -- Re-importing a list changes nothing: a reference is queued once per agency and policy.
    UNIQUE (policy, agency_code, reference)
);
CREATE INDEX benefit_match_queue_unit ON benefit_match_queue (unit_code, status);
