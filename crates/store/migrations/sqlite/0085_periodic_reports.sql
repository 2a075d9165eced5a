-- The periodic report an office sends up (báo cáo định kỳ, issue 17): its figures are
-- computed from what the product holds, its text sections (assessment, difficulties,
-- proposals, the recipients) are written by the office. Each save of a section is a new
-- row: the latest row of a unit, period and section is the text in force, the earlier
-- ones its history. Few rows, shared by the office: no home_province, so reference tables
-- on Citus, and no foreign key.
CREATE TABLE periodic_report_texts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_code   TEXT NOT NULL,
    -- "2021", "2021-Q2" or "2021-05" (app periodic::Period).
    period      TEXT NOT NULL,
    section     TEXT NOT NULL,
    body        TEXT NOT NULL,
    saved_by    TEXT NOT NULL,
    saved_at    TEXT NOT NULL
);
CREATE INDEX periodic_report_texts_key ON periodic_report_texts (unit_code, period, section);

-- A report once issued (ban hành): its number and date. An issued report's texts are no
-- longer edited; the row is never changed or removed.
CREATE TABLE periodic_reports_issued (
    unit_code   TEXT NOT NULL,
    period      TEXT NOT NULL,
    number      TEXT NOT NULL,
    issued_on   DATE NOT NULL,
    issued_by   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    PRIMARY KEY (unit_code, period)
);
