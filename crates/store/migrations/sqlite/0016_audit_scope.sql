-- The audit log is read within the reader's area: a province's entries by their province,
-- a district's or commune's by the units under it, and anyone's own actions by their user.
-- Each index keeps the newest-first page of one of those reads from scanning the log.
CREATE INDEX audit_province ON audit_log (province_code, id);
CREATE INDEX audit_unit ON audit_log (unit_code, id);
CREATE INDEX audit_user ON audit_log (user_id, id);
