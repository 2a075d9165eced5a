-- The agencies' tasks (nhiệm vụ) of a unit's yearly plan (issue 17): who leads, who
-- co-operates, what the task serves, when it falls due, and the status updates the
-- agencies report with their attachments. Tasks are few and shared by the unit's agencies:
-- no home_province, so reference tables on Citus.
CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The unit whose plan the task belongs to; a closed unit's tasks keep its code.
    unit_code       TEXT NOT NULL,
    province_code   TEXT NOT NULL,
    year            INTEGER NOT NULL,
    -- Where the task comes from in the plan ("V.1"), unique per unit and year, so that
    -- loading a plan twice does not add its tasks twice.
    plan_ref        TEXT,
    lead_agency     TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    -- policy, project, target or other; and the code or text it names.
    serves_kind     TEXT,
    serves_code     TEXT,
    -- once, monthly, quarterly, yearly (giamngheo_rules::Recurrence).
    recurrence      TEXT NOT NULL CHECK (recurrence IN ('once', 'monthly', 'quarterly', 'yearly')),
    due_on          DATE,
    due_month       INTEGER,
    due_day         INTEGER,
    -- The plan gives no date: the due dates are the office's reading, shown "cần xác nhận".
    due_to_confirm  BOOLEAN NOT NULL DEFAULT FALSE,
    -- The days the task runs; its due dates fall between them.
    starts_on       DATE NOT NULL,
    ends_on         DATE NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    UNIQUE (unit_code, year, plan_ref)
);
CREATE INDEX tasks_unit_year ON tasks (unit_code, year);
CREATE INDEX tasks_lead ON tasks (lead_agency);

-- The co-operating agencies (phối hợp) of a task.
CREATE TABLE task_agencies (
    task_id      BIGINT NOT NULL REFERENCES tasks (id),
    agency_code  TEXT NOT NULL,
    PRIMARY KEY (task_id, agency_code)
);

-- Status updates (báo cáo tiến độ): never changed, a new update follows an old one. Each
-- names the due date it reports for, so that a monthly task is on time month by month.
CREATE TABLE task_updates (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      BIGINT NOT NULL REFERENCES tasks (id),
    -- not_started, in_progress, done.
    status       TEXT NOT NULL CHECK (status IN ('not_started', 'in_progress', 'done')),
    progress     INTEGER,
    note         TEXT NOT NULL DEFAULT '',
    period_due   DATE,
    agency_code  TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX task_updates_task ON task_updates (task_id);

-- Attachments of an update (PDF, images, .docx), checked by their bytes on upload.
CREATE TABLE task_files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      BIGINT NOT NULL REFERENCES tasks (id),
    update_id    BIGINT NOT NULL REFERENCES task_updates (id),
    name         TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    bytes        BLOB NOT NULL,
    size         BIGINT NOT NULL
);
CREATE INDEX task_files_update ON task_files (update_id);
