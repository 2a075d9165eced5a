-- A unit code alone no longer names a unit: the statistics office gave each commune of the
-- 2025 reform the code of one of its old parts (18496 was Thị trấn Hương Khê and is now Xã
-- Hương Khê; province 44 was Quảng Bình and is now Quảng Trị). A unit is therefore a
-- *version* keyed by (code, valid_from), valid until valid_to (the last day, inclusive; NULL
-- while it is still valid). A stored code means the version valid on the row's own date,
-- so nothing that already points at a code has to change.
--
-- The foreign keys from households, users and reviews to admin_units (code) cannot stay:
-- a code is no longer unique. SQLite cannot drop a constraint, so the documented way to
-- remove a foreign key without copying the (large) tables is used: their CREATE TABLE text
-- is edited in place (https://sqlite.org/lang_altertable.html, "other kinds of table schema
-- changes"). Only the constraint text goes; the stored rows do not change format.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, ' REFERENCES admin_units (code)', '')
 WHERE type = 'table' AND name IN ('households', 'users', 'reviews');
PRAGMA writable_schema = OFF;

-- Renaming reloads the schema (so the edited texts above take effect on this connection)
-- and keeps the rows while the versioned table is built.
ALTER TABLE admin_units RENAME TO admin_units_before_versions;

CREATE TABLE admin_units (
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    name_folded         TEXT NOT NULL,
    kind                TEXT NOT NULL,
    level               INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    tier                TEXT NOT NULL CHECK (tier IN ('province', 'district', 'commune', 'village')),
    -- The parent is the version of this code valid on this version's valid_from.
    parent_code         TEXT,
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
    updated_at          TEXT NOT NULL,
    -- A village whose old commune was split waits here for an administrator to say which
    -- new commune it belongs to (units assign-villages); until then it stays where it was.
    awaiting_assignment BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (code, valid_from)
);

INSERT INTO admin_units (code, name, name_folded, kind, level, tier, parent_code, province_code,
    area, area_overridden, extremely_difficult, border, programme_30a, programme_135,
    valid_from, valid_to, created_at, updated_at)
SELECT code, name, name_folded, kind, level, tier, parent_code, province_code,
    area, area_overridden, extremely_difficult, border, programme_30a, programme_135,
    valid_from, valid_to, created_at, updated_at
FROM admin_units_before_versions;

DROP TABLE admin_units_before_versions;

CREATE INDEX admin_units_parent ON admin_units (parent_code, code);
CREATE INDEX admin_units_province ON admin_units (province_code, tier);

-- Which new unit(s) a closed unit went into, from a reform's mapping: what "now part of …"
-- names, and what re-basing old figures onto today's units will follow.
CREATE TABLE unit_successors (
    old_code        TEXT NOT NULL,
    old_valid_from  DATE NOT NULL,
    new_code        TEXT NOT NULL,
    new_valid_from  DATE NOT NULL,
    -- FALSE where the old unit was split between several new ones.
    whole           BOOLEAN NOT NULL,
    PRIMARY KEY (old_code, old_valid_from, new_code, new_valid_from)
);
CREATE INDEX unit_successors_new ON unit_successors (new_code, new_valid_from);

-- The official lists loaded, each with its own hierarchy: one database holds the
-- four-level history of March 2025 and today's three levels.
CREATE TABLE unit_lists (
    name        TEXT PRIMARY KEY NOT NULL,
    hierarchy   TEXT NOT NULL,
    valid_from  DATE NOT NULL,
    loaded_at   TEXT NOT NULL
);
