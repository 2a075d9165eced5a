-- Administrative units: provinces, districts and communes from the statistics office's
-- list, and villages created by communes. Units are never deleted: a merged or renamed
-- unit gets valid_to, so that history keeps pointing at it.
--
-- admin_units is small and read by every query: on Citus it is a reference table
-- (SELECT create_reference_table('admin_units')), see docs/OPERATIONS.md.
CREATE TABLE admin_units (
    code                TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    name_folded         TEXT NOT NULL,
    kind                TEXT NOT NULL,
    level               INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    tier                TEXT NOT NULL CHECK (tier IN ('province', 'district', 'commune', 'village')),
    parent_code         TEXT REFERENCES admin_units (code),
    province_code       TEXT NOT NULL,
    area                TEXT CHECK (area IN ('rural', 'urban')),
    area_overridden     BOOLEAN NOT NULL DEFAULT FALSE,
    extremely_difficult BOOLEAN NOT NULL DEFAULT FALSE,
    border              BOOLEAN NOT NULL DEFAULT FALSE,
    programme_30a       BOOLEAN NOT NULL DEFAULT FALSE,
    programme_135       BOOLEAN NOT NULL DEFAULT FALSE,
    valid_from          DATE NOT NULL,
    valid_to            DATE,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

CREATE INDEX admin_units_parent ON admin_units (parent_code, code);
CREATE INDEX admin_units_province ON admin_units (province_code, tier);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
