-- Inspections (kiểm tra, giám sát) of a unit (issue 17): the plan (who inspects which
-- unit, when, about what), the record (the day held, the members, what was checked) and
-- the sample of households drawn by the product. Their findings are rows of `findings`
-- (migration 0060) with source 'inspection'. Few and read across units: reference tables
-- on Citus, naming households without a foreign key, as findings do.
CREATE TABLE inspections (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The unit inspected; a closed unit keeps its code.
    unit_code          TEXT NOT NULL,
    province_code      TEXT NOT NULL,
    year               INTEGER NOT NULL,
    -- The agency that inspects.
    inspecting_agency  TEXT NOT NULL,
    -- review, policy, project; and the policy or project code (the review's period).
    subject_kind       TEXT NOT NULL CHECK (subject_kind IN ('review', 'policy', 'project')),
    subject_code       TEXT,
    planned_on         DATE NOT NULL,
    -- The record, once held.
    held_on            DATE,
    -- The team's members (officials, not households), one per line.
    members            TEXT NOT NULL DEFAULT '',
    checked            TEXT NOT NULL DEFAULT '',
    -- How the sample was drawn: random (with sample_seed) or risk; NULL before.
    sample_method      TEXT CHECK (sample_method IN ('random', 'risk')),
    sample_seed        BIGINT,
    sample_size        INTEGER,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX inspections_unit ON inspections (unit_code, year);

-- The households of an inspection's sample, in the order drawn, with why each was
-- chosen (random, open_finding, class_changed).
CREATE TABLE inspection_sample (
    inspection_id  BIGINT NOT NULL REFERENCES inspections (id),
    position       INTEGER NOT NULL,
    household_id   BIGINT NOT NULL,
    reason         TEXT NOT NULL,
    PRIMARY KEY (inspection_id, position)
);
