-- The household's distribution key for a distributed PostgreSQL (Citus), carried here too
-- so that every query and insert is the same on both backends: `home_province`, the
-- province a household was first registered in, set once and never changed, and copied
-- onto every row about the household (see the PostgreSQL migration of the same number
-- and docs/OPERATIONS.md). SQLite keeps its single-column keys, which are stricter than
-- the ones a distributed table can hold. Households registered before this migration
-- take the province of their oldest classification, or their province today.
ALTER TABLE households ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
UPDATE households SET home_province = COALESCE(
    (SELECT c.province_code FROM classifications c WHERE c.household_id = households.id
     ORDER BY c.effective_date, c.id LIMIT 1),
    province_code);

ALTER TABLE members ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
UPDATE members SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = members.household_id);

ALTER TABLE classifications ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
UPDATE classifications SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = classifications.household_id);

ALTER TABLE movements ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
UPDATE movements SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = movements.household_id);

ALTER TABLE review_households ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
UPDATE review_households SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = review_households.household_id);

-- An audit entry about a household carries its key; any other entry the province it
-- names, or '' for the nation. Filling a new column is not a change of any entry, so the
-- append-only guard is lifted for this one statement and put back as it was.
ALTER TABLE audit_log ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
DROP TRIGGER audit_log_no_update;
UPDATE audit_log SET home_province = COALESCE(
    (SELECT h.home_province FROM households h WHERE h.id = audit_log.household_id),
    province_code, '');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
