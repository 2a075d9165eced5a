-- A unit code alone no longer names a unit: the statistics office gave each commune of the
-- 2025 reform the code of one of its old parts (18496 was Thị trấn Hương Khê and is now Xã
-- Hương Khê; province 44 was Quảng Bình and is now Quảng Trị). A unit is therefore a
-- *version* keyed by (code, valid_from), valid until valid_to (the last day, inclusive; NULL
-- while it is still valid). A stored code means the version valid on the row's own date,
-- so nothing that already points at a code has to change.
--
-- The foreign keys to admin_units (code) cannot stay, a code being no longer unique. That
-- also suits Citus: households and reviews are distributed by province_code and keep no
-- foreign key to anything but the reference tables.
ALTER TABLE households DROP CONSTRAINT IF EXISTS households_village_code_fkey;
ALTER TABLE households DROP CONSTRAINT IF EXISTS households_commune_code_fkey;
ALTER TABLE households DROP CONSTRAINT IF EXISTS households_district_code_fkey;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_unit_code_fkey;
ALTER TABLE reviews DROP CONSTRAINT IF EXISTS reviews_commune_code_fkey;
ALTER TABLE admin_units DROP CONSTRAINT IF EXISTS admin_units_parent_code_fkey;
ALTER TABLE admin_units DROP CONSTRAINT admin_units_pkey;
ALTER TABLE admin_units ADD PRIMARY KEY (code, valid_from);
-- A village whose old commune was split waits here for an administrator to say which new
-- commune it belongs to (units assign-villages); until then it stays where it was.
ALTER TABLE admin_units ADD COLUMN awaiting_assignment BOOLEAN NOT NULL DEFAULT FALSE;

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
    name        TEXT PRIMARY KEY,
    hierarchy   TEXT NOT NULL,
    valid_from  DATE NOT NULL,
    loaded_at   TEXT NOT NULL
);
