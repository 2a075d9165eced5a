-- The programme's activities (issue 16): what was done with the money, for whom. An
-- activity is of a kind the programme's structure defines (crates/rules/programme: a
-- livelihood model, a communication event, a training…), under a project or sub-project,
-- in a unit, for a year. Events (communication, training) also keep their place, content
-- and participants counted by sex and ethnic minority.
--
-- Rows are never updated: a correction is a new version that names the version it
-- replaces (`replaces`, at most once) and the first version (`root_id`); the activity's
-- id, which the ledger's disbursements (programme_entries.activity_id) and the
-- beneficiaries name, is the first version's. Small and shared: a reference table on
-- Citus, so no foreign key (a new table pointing at a reference table cannot be placed
-- inside a migration of several statements on a running cluster).
CREATE TABLE programme_activities (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NULL on the first version; the first version's id on every later one.
    root_id               BIGINT,
    replaces              BIGINT UNIQUE,
    year                  INTEGER NOT NULL,
    programme             TEXT NOT NULL,
    project               TEXT NOT NULL,
    activity_type         TEXT NOT NULL,
    unit_code             TEXT NOT NULL,
    province_code         TEXT NOT NULL,
    name                  TEXT NOT NULL,
    start_date            DATE NOT NULL,
    end_date              DATE,
    planned_quantity      BIGINT,
    done_quantity         BIGINT,
    place                 TEXT,
    content               TEXT,
    participants          INTEGER,
    participants_women    INTEGER,
    participants_minority INTEGER,
    reason                TEXT,
    recorded_by           BIGINT,
    recorded_by_name      TEXT NOT NULL,
    recorded_at           TEXT NOT NULL
);
CREATE INDEX programme_activities_unit ON programme_activities (year, unit_code);
CREATE INDEX programme_activities_root ON programme_activities (root_id);

-- Who benefited from an activity: a household of the registry (and, where one person
-- benefited, the member), or a commune. The list is kept as a journal: adding is a row
-- with action 'add', taking off is a later row with action 'remove' and its reason, so
-- that who was on the list on any day can be read back. Rows about a household sit on
-- its shard (home_province; a commune's row carries the commune's province). No foreign
-- key to households: on a running cluster a new local table cannot point at a
-- distributed one; the application checks the household before it writes.
CREATE TABLE programme_beneficiaries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    home_province    TEXT NOT NULL,
    activity_id      BIGINT NOT NULL,
    household_id     BIGINT,
    member_id        BIGINT,
    -- The household's commune on the day it was added, or the commune that benefited.
    commune_code     TEXT NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('add', 'remove')),
    reason           TEXT,
    recorded_by      BIGINT,
    recorded_by_name TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX programme_beneficiaries_activity ON programme_beneficiaries (activity_id);
