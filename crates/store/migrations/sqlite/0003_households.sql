-- Households and members (the registry), and the audit log.
CREATE TABLE households (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    code                TEXT NOT NULL,
    village_code        TEXT NOT NULL REFERENCES admin_units (code),
    commune_code        TEXT NOT NULL REFERENCES admin_units (code),
    district_code       TEXT REFERENCES admin_units (code),
    province_code       TEXT NOT NULL,
    -- The head's name, kept here for lists and sorting; the member row is the source.
    head_name           TEXT NOT NULL,
    head_sort_key       TEXT NOT NULL,
    address             TEXT NOT NULL DEFAULT '',
    phone               TEXT,
    area                TEXT NOT NULL CHECK (area IN ('rural', 'urban')),
    area_overridden     BOOLEAN NOT NULL DEFAULT FALSE,
    ethnic_minority     BOOLEAN NOT NULL DEFAULT FALSE,
    female_headed       BOOLEAN NOT NULL DEFAULT FALSE,
    merit               BOOLEAN NOT NULL DEFAULT FALSE,
    social_allowance    BOOLEAN NOT NULL DEFAULT FALSE,
    floor_area_m2       INTEGER,
    wall_material       TEXT,
    column_material     TEXT,
    roof_material       TEXT,
    water_source        TEXT,
    latrine             TEXT,
    has_tv              BOOLEAN NOT NULL DEFAULT FALSE,
    has_radio           BOOLEAN NOT NULL DEFAULT FALSE,
    has_computer        BOOLEAN NOT NULL DEFAULT FALSE,
    has_smartphone      BOOLEAN NOT NULL DEFAULT FALSE,
    loudspeaker         BOOLEAN NOT NULL DEFAULT FALSE,
    production_land_m2  INTEGER,
    notes               TEXT NOT NULL DEFAULT '',
    member_count        INTEGER NOT NULL DEFAULT 0,
    -- A household that was merged into another or dissolved stays for history.
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    merged_into         BIGINT,
    split_from          BIGINT,
    -- Optimistic locking: every change increments it; a save names the version it read.
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (commune_code, code)
);

CREATE TABLE members (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id            BIGINT NOT NULL REFERENCES households (id),
    province_code           TEXT NOT NULL,
    position                INTEGER NOT NULL,
    full_name               TEXT NOT NULL,
    name_folded             TEXT NOT NULL,
    sort_key                TEXT NOT NULL,
    sex                     TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date              DATE,
    birth_year              INTEGER NOT NULL,
    ethnicity               TEXT NOT NULL,
    relation                TEXT NOT NULL,
    citizen_id              TEXT,
    health_insurance_number TEXT,
    health_insurance_expiry DATE,
    school_level            TEXT,
    school_grade            INTEGER,
    qualification           TEXT,
    work_status             TEXT,
    labour_contract         BOOLEAN NOT NULL DEFAULT FALSE,
    disability              TEXT,
    social_allowance_vnd    BIGINT NOT NULL DEFAULT 0,
    nutrition               TEXT,
    uses_internet           BOOLEAN NOT NULL DEFAULT FALSE,
    -- A member who left (died, moved away) stays for history.
    active                  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);

CREATE INDEX households_village ON households (village_code, head_sort_key, id);
CREATE INDEX households_commune ON households (commune_code, head_sort_key, id);
CREATE INDEX households_district ON households (district_code, head_sort_key, id);
CREATE INDEX households_province ON households (province_code, head_sort_key, id);
CREATE INDEX members_household ON members (household_id, position);
CREATE INDEX members_name ON members (name_folded);
-- One citizen ID, one person: the app names the other household before this refuses.
CREATE UNIQUE INDEX members_citizen_id ON members (citizen_id) WHERE citizen_id IS NOT NULL AND active;

-- The audit log: who changed what, when, from what to what. Rows are only ever added;
-- the triggers below refuse changes even from SQL typed by hand.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    user_id       BIGINT,
    username      TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    household_id  BIGINT,
    unit_code     TEXT,
    province_code TEXT,
    -- JSON: [{"field": …, "old": …, "new": …}]; citizen IDs appear masked.
    changes       TEXT NOT NULL DEFAULT '[]',
    reason        TEXT
);

CREATE INDEX audit_household ON audit_log (household_id, id);
CREATE INDEX audit_at ON audit_log (id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
