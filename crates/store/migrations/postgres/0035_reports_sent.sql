-- The reports of the reporting calendar (lịch báo cáo, app/reporting.rs) that a unit has
-- sent, with the day they went. A due date that has passed is late until its report is
-- recorded here; a row is never changed or removed (the audit log names who recorded it).
CREATE TABLE reports_sent (
    unit_code   TEXT NOT NULL,
    due_on      DATE NOT NULL,
    sent_on     DATE NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, due_on)
);
