-- Certificates handed to households (giấy chứng nhận đã cấp): the approval numbers the
-- certificates of poor and near-poor households, and the commune records here when it
-- has printed and issued them, so that the officer's home lists those not issued yet.
-- Each issue is a row of its own and is never changed: a certificate issued again (a
-- lost one replaced) is a new row, the earlier one stays.
CREATE TABLE certificate_issues (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id           BIGINT NOT NULL,
    review_household_id BIGINT NOT NULL,
    classification_id   BIGINT NOT NULL,
    commune_code        TEXT NOT NULL,
    issued_on           DATE NOT NULL,
    issued_by           TEXT NOT NULL,
    created_at          TEXT NOT NULL
);

CREATE INDEX certificate_issues_review ON certificate_issues (review_id, review_household_id);
