-- An activity's list of beneficiaries imported from a file (issue 16): each row is
-- matched to a member of the registry by the rule of the benefit imports (citizen ID,
-- else name + birth year + village). A matched row joins the beneficiary journal
-- (programme_beneficiaries); a row that fits nobody or several people waits here until
-- an officer matches or rejects it, so nothing read from a list is dropped.
-- The rows are not (yet) tied to a household, so the table carries no home_province and
-- becomes a reference table on Citus; no foreign key, for the reason given in 0071.
CREATE TABLE programme_beneficiary_queue (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id   BIGINT NOT NULL,
    -- The activity's unit when the list was imported: who may resolve the row.
    unit_code     TEXT NOT NULL,
    province_code TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    -- The row's line in the file (1 is the header line).
    line          BIGINT NOT NULL,
    -- What identifies the person in the list (the citizen ID, else the folded name,
    -- birth year and village): a row is queued once per activity, so importing the
    -- same list again changes nothing.
    row_key       TEXT NOT NULL,
    citizen_id    TEXT,
    full_name     TEXT NOT NULL,
    name_folded   TEXT NOT NULL,
    birth_year    INTEGER,
    -- The village as the list wrote it.
    village       TEXT,
    reason        TEXT NOT NULL CHECK (reason IN ('unmatched', 'ambiguous')),
    -- The member ids that fitted an ambiguous row, comma-separated.
    candidates    TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'matched', 'rejected')),
    household_id  BIGINT,
    member_id     BIGINT,
    note          TEXT,
    resolved_by   TEXT,
    resolved_at   TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (activity_id, row_key)
);
CREATE INDEX programme_beneficiary_queue_activity ON programme_beneficiary_queue (activity_id, status);
