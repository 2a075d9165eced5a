-- Submissions brought back from ODK Central and KoboToolbox (issue 18): one row per
-- submission of a review's phone form, keyed on its stable id (ODK's first instanceID,
-- followed through deprecatedID; Kobo's meta/rootUuid), so that an edited submission
-- updates its row and the survey instead of adding another. A submission that cannot be
-- applied (a household outside the review, another form version, a value out of range)
-- stays here with the reason: the queue of the review's page. Nothing is dropped.
--
-- A review's submissions are read together by the review's page; the table carries the
-- review's province, not a household's, and is a small shared (reference) table on Citus.
CREATE TABLE survey_submissions (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id           BIGINT NOT NULL REFERENCES reviews (id),
    province_code       TEXT NOT NULL,
    -- 'odk' (ODK Central) or 'kobo' (KoboToolbox).
    tool                TEXT NOT NULL CHECK (tool IN ('odk', 'kobo')),
    -- 'screening' (phiếu A) or 'survey' (phiếu B).
    form_kind           TEXT NOT NULL CHECK (form_kind IN ('screening', 'survey')),
    stable_id           TEXT NOT NULL,
    -- The instanceID of the version last imported.
    instance_id         TEXT NOT NULL,
    form_id             TEXT NOT NULL,
    form_version        TEXT NOT NULL,
    submitted_at        TEXT,
    household_code      TEXT NOT NULL DEFAULT '',
    -- The review's household it was applied to; none while it waits in the queue.
    review_household_id BIGINT,
    -- 'applied' or 'queued'.
    status              TEXT NOT NULL CHECK (status IN ('applied', 'queued')),
    reason              TEXT,
    -- The answers as the tool exported them (JSON object of field name to text).
    answers             TEXT NOT NULL,
    source_file         TEXT NOT NULL,
    imported_by         TEXT NOT NULL,
    imported_at         TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    UNIQUE (review_id, form_kind, stable_id)
);
CREATE INDEX survey_submissions_review ON survey_submissions (review_id, status);
