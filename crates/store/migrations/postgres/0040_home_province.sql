-- The distribution key for a distributed PostgreSQL (Citus): `home_province`, the province
-- a household was first registered in. It is set once when the household is created and
-- never changes, so neither the 2025 reform (old province 45 went into 44) nor a family
-- moving to another province ever updates it; Citus cannot update a distribution column.
-- Every row about a household (its members, classifications, movement pairs, review rows
-- and audit entries) carries the household's key and so sits on the household's shard,
-- whatever unit the row itself names: a row's own province_code and unit columns keep
-- naming the unit as it was. docs/OPERATIONS.md explains the choice.
--
-- Households registered before this migration take the province of their oldest
-- classification (the earliest place the database knows them in), or their province today.
ALTER TABLE households ADD COLUMN home_province TEXT;
UPDATE households SET home_province = COALESCE(
    (SELECT c.province_code FROM classifications c WHERE c.household_id = households.id
     ORDER BY c.effective_date, c.id LIMIT 1),
    province_code);
ALTER TABLE households ALTER COLUMN home_province SET NOT NULL;

ALTER TABLE members ADD COLUMN home_province TEXT;
UPDATE members SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = members.household_id);
ALTER TABLE members ALTER COLUMN home_province SET NOT NULL;

ALTER TABLE classifications ADD COLUMN home_province TEXT;
UPDATE classifications SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = classifications.household_id);
ALTER TABLE classifications ALTER COLUMN home_province SET NOT NULL;

ALTER TABLE movements ADD COLUMN home_province TEXT;
UPDATE movements SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = movements.household_id);
ALTER TABLE movements ALTER COLUMN home_province SET NOT NULL;

ALTER TABLE review_households ADD COLUMN home_province TEXT;
UPDATE review_households SET home_province = (SELECT h.home_province FROM households h
    WHERE h.id = review_households.household_id);
ALTER TABLE review_households ALTER COLUMN home_province SET NOT NULL;

-- An audit entry about a household carries its key; any other entry (a user, a unit, a
-- review) the province it names, or '' for the nation, so that it has a shard too.
-- Filling a new column is not a change of any entry, so the append-only guard is lifted
-- for this one statement (and put back, as rules, below).
ALTER TABLE audit_log ADD COLUMN home_province TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change;
UPDATE audit_log SET home_province = COALESCE(
    (SELECT h.home_province FROM households h WHERE h.id = audit_log.household_id),
    province_code, '');

-- The append-only guard becomes a pair of rules: Citus refuses triggers on a distributed
-- table, while a rule rewrites the statement on the coordinator before Citus plans it, so
-- the same guard holds on plain PostgreSQL and on Citus. An UPDATE or DELETE of the log is
-- replaced by a call that raises the error the trigger raised.
DROP TRIGGER audit_log_no_change ON audit_log;
DROP FUNCTION audit_log_append_only();
CREATE FUNCTION audit_log_append_only() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE RULE audit_log_no_update AS ON UPDATE TO audit_log DO INSTEAD SELECT audit_log_append_only();
CREATE RULE audit_log_no_delete AS ON DELETE TO audit_log DO INSTEAD SELECT audit_log_append_only();

-- Citus keeps a foreign key between distributed tables only when it includes the
-- distribution column on both sides, and a primary or unique key only when it includes
-- the distribution column. The single-column keys are replaced by keys led by the
-- household's province; ids stay unique by their identity sequence (on Citus each node
-- hands out ids from its own range of the sequence, so they are unique cluster-wide).
ALTER TABLE members DROP CONSTRAINT IF EXISTS members_household_id_fkey;
ALTER TABLE classifications DROP CONSTRAINT IF EXISTS classifications_household_id_fkey;
ALTER TABLE review_households DROP CONSTRAINT IF EXISTS review_households_household_id_fkey;
ALTER TABLE movements DROP CONSTRAINT IF EXISTS movements_household_id_fkey;
-- Complaints are few (per review) and shared like the reviews; a reference table cannot
-- point at a distributed one, so the household is named without a foreign key.
ALTER TABLE complaints DROP CONSTRAINT IF EXISTS complaints_household_id_fkey;

ALTER TABLE households DROP CONSTRAINT households_pkey;
ALTER TABLE households ADD PRIMARY KEY (home_province, id);
-- A household code is unique within its commune. The key must hold the distribution
-- column; a household that moved into a commune keeps its code only if no household of
-- the commune has it, which the application checks before it saves (households.rs).
ALTER TABLE households DROP CONSTRAINT households_commune_code_code_key;
ALTER TABLE households ADD CONSTRAINT households_commune_code_code_key
    UNIQUE (home_province, commune_code, code);

ALTER TABLE members DROP CONSTRAINT members_pkey;
ALTER TABLE members ADD PRIMARY KEY (home_province, id);
ALTER TABLE members ADD CONSTRAINT members_household_fkey FOREIGN KEY (home_province, household_id)
    REFERENCES households (home_province, id);
-- One citizen ID, one person: the application names the other household before this
-- refuses; the index itself can only hold within one home province.
DROP INDEX members_citizen_id;
CREATE UNIQUE INDEX members_citizen_id ON members (home_province, citizen_id)
    WHERE citizen_id IS NOT NULL AND active;
CREATE INDEX members_citizen_lookup ON members (citizen_id) WHERE citizen_id IS NOT NULL AND active;

ALTER TABLE classifications DROP CONSTRAINT classifications_pkey;
ALTER TABLE classifications ADD PRIMARY KEY (home_province, id);
ALTER TABLE classifications ADD CONSTRAINT classifications_household_fkey
    FOREIGN KEY (home_province, household_id) REFERENCES households (home_province, id);
DROP INDEX classifications_certificate;
CREATE UNIQUE INDEX classifications_certificate ON classifications
    (home_province, province_code, commune_code, period, certificate_number)
    WHERE certificate_number IS NOT NULL AND supersedes IS NULL AND NOT certificate_duplicate;

ALTER TABLE movements ADD CONSTRAINT movements_household_fkey
    FOREIGN KEY (home_province, household_id) REFERENCES households (home_province, id);

ALTER TABLE review_households DROP CONSTRAINT review_households_pkey;
ALTER TABLE review_households ADD PRIMARY KEY (home_province, id);
ALTER TABLE review_households DROP CONSTRAINT review_households_review_id_household_id_key;
ALTER TABLE review_households ADD CONSTRAINT review_households_review_id_household_id_key
    UNIQUE (home_province, review_id, household_id);
ALTER TABLE review_households ADD CONSTRAINT review_households_household_fkey
    FOREIGN KEY (home_province, household_id) REFERENCES households (home_province, id);

ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (home_province, id);
