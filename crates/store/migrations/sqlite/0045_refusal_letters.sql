-- Written answers (văn bản trả lời) to households whose request a review did not grant.
-- Each issue is a row of its own: a letter corrected and issued again takes a new number,
-- and the earlier one stays as it was sent. The number runs per commune and year; the
-- unique index refuses a number given twice.
CREATE TABLE refusal_letters (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id           BIGINT NOT NULL,
    review_household_id BIGINT NOT NULL,
    commune_code        TEXT NOT NULL,
    year                INTEGER NOT NULL,
    seq                 INTEGER NOT NULL,
    number              TEXT NOT NULL,
    -- The officer's own words on why the request was not granted.
    stated_reason       TEXT NOT NULL,
    issued_on           DATE NOT NULL,
    issued_by           TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

CREATE UNIQUE INDEX refusal_letters_number ON refusal_letters (commune_code, year, seq);
CREATE INDEX refusal_letters_review ON refusal_letters (review_id, review_household_id, id);
