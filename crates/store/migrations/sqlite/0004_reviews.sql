-- The household review (rà soát) and the classifications it produces.

-- A classification is never overwritten: each review, or an audited correction, adds a
-- row; a household's status for a period is its latest approved row for that period.
CREATE TABLE classifications (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id       BIGINT NOT NULL REFERENCES households (id),
    province_code      TEXT NOT NULL,
    district_code      TEXT,
    commune_code       TEXT NOT NULL,
    village_code       TEXT NOT NULL,
    -- The year the classification applies to (the end-2021 review classifies for 2022).
    period             INTEGER NOT NULL,
    standard           TEXT NOT NULL,
    -- 'baseline' (loaded lists), 'periodic', 'regular' or 'correction'.
    kind               TEXT NOT NULL CHECK (kind IN ('baseline', 'periodic', 'regular', 'correction')),
    review_id          BIGINT,
    status             TEXT NOT NULL CHECK (status IN ('poor', 'near_poor', 'medium', 'not_poor')),
    area               TEXT NOT NULL CHECK (area IN ('rural', 'urban')),
    income_per_capita  BIGINT,
    score_a            INTEGER,
    score_b            INTEGER NOT NULL,
    deprivation_count  INTEGER NOT NULL,
    -- Comma-separated indicator codes of the standard that are deprived.
    deprived           TEXT NOT NULL DEFAULT '',
    reasons            TEXT NOT NULL DEFAULT '',
    -- Transition from the household's previous period (newly_poor, escaped_poverty, …).
    transition         TEXT,
    member_count       INTEGER NOT NULL,
    -- Causes of poverty (nguyên nhân nghèo), comma-separated codes.
    causes             TEXT NOT NULL DEFAULT '',
    decision_number    TEXT,
    decision_date      DATE,
    -- The date from which the status holds; reports "as of" a date use it.
    effective_date     DATE NOT NULL,
    approved_by        TEXT NOT NULL,
    approved_at        TEXT NOT NULL,
    -- A correction names the classification it replaces and why.
    supersedes         BIGINT,
    correction_reason  TEXT,
    certificate_number TEXT,
    created_at         TEXT NOT NULL
);

CREATE INDEX classifications_household ON classifications (household_id, period, effective_date, id);
CREATE INDEX classifications_commune ON classifications (commune_code, period, status);
CREATE INDEX classifications_district ON classifications (district_code, period, status);
CREATE INDEX classifications_province ON classifications (province_code, period, status);

-- A review: periodic (one per commune and period) or regular (one household's request).
CREATE TABLE reviews (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    province_code    TEXT NOT NULL,
    district_code    TEXT,
    commune_code     TEXT NOT NULL REFERENCES admin_units (code),
    kind             TEXT NOT NULL CHECK (kind IN ('periodic', 'regular')),
    period           INTEGER NOT NULL,
    standard         TEXT NOT NULL,
    -- listing, survey, meeting, posting, decision, closed
    step             TEXT NOT NULL,
    opened_on        DATE NOT NULL,
    due_on           DATE NOT NULL,
    posting_days     INTEGER NOT NULL,
    decision_number  TEXT,
    decision_date    DATE,
    closed_on        DATE,
    version          BIGINT NOT NULL DEFAULT 1,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE INDEX reviews_commune ON reviews (commune_code, period, kind);
CREATE INDEX reviews_district ON reviews (district_code, period);

-- The households of a review with what each step recorded for them.
CREATE TABLE review_households (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id          BIGINT NOT NULL REFERENCES reviews (id),
    household_id       BIGINT NOT NULL REFERENCES households (id),
    province_code      TEXT NOT NULL,
    village_code       TEXT NOT NULL,
    -- 'list' (on the poor or near-poor lists) or 'request' (asked to be reviewed).
    source             TEXT NOT NULL CHECK (source IN ('list', 'request')),
    request_date       DATE,
    request_channel    TEXT CHECK (request_channel IN ('in_person', 'post', 'online')),
    requester          TEXT,
    request_kind       TEXT,
    -- Phiếu A: answers (JSON) and result.
    screening_answers  TEXT,
    screening_passed   BOOLEAN,
    -- Phiếu B: as entered, and what the engine made of it.
    income_per_capita  BIGINT,
    score_a            INTEGER,
    b1_answers         TEXT,
    ticks              TEXT,
    derived_ticks      TEXT,
    disagreements      TEXT,
    surveyed_by        TEXT,
    surveyed_on        DATE,
    provisional_status TEXT,
    provisional_reasons TEXT,
    deprivation_count  INTEGER,
    score_b            INTEGER,
    -- pending, agreed, rejected (back to survey)
    meeting_outcome    TEXT NOT NULL DEFAULT 'pending',
    final_status       TEXT,
    refusal_reason     TEXT,
    classification_id  BIGINT,
    step               TEXT NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1,
    updated_at         TEXT NOT NULL,
    UNIQUE (review_id, household_id)
);

CREATE INDEX review_households_household ON review_households (household_id);

-- Village meetings (họp dân): attendance, votes and the minutes.
CREATE TABLE review_meetings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id       BIGINT NOT NULL REFERENCES reviews (id),
    village_code    TEXT NOT NULL,
    held_on         DATE NOT NULL,
    attendees       INTEGER NOT NULL CHECK (attendees > 0),
    agreeing        INTEGER NOT NULL CHECK (agreeing >= 0),
    passed          BOOLEAN NOT NULL,
    chaired_by      TEXT,
    minutes_name    TEXT,
    minutes_type    TEXT,
    minutes         BLOB,
    recorded_by     TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE INDEX review_meetings_review ON review_meetings (review_id, village_code, id);

-- Public posting (niêm yết) of a review's results.
CREATE TABLE review_postings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id   BIGINT NOT NULL REFERENCES reviews (id),
    starts_on   DATE NOT NULL,
    ends_on     DATE NOT NULL,
    place       TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Complaints (khiếu nại) and their re-check (phúc tra).
CREATE TABLE complaints (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id        BIGINT NOT NULL REFERENCES reviews (id),
    household_id     BIGINT REFERENCES households (id),
    complainant      TEXT NOT NULL,
    content          TEXT NOT NULL,
    received_on      DATE NOT NULL,
    recheck_result   TEXT,
    resolved_on      DATE,
    recorded_by      TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE INDEX complaints_review ON complaints (review_id);
