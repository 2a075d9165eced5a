-- What a report needs of a classification, kept on the row itself so that the reports
-- are plain GROUP BYs over one index range instead of a "latest row" probe and joins to
-- the households and members for every household.
--
-- valid_until: the effective date of the next classification of the same household and
-- period (in effective_date, id order), NULL while the row is the latest. The row holds
-- "as of" a date D when effective_date <= D AND (valid_until IS NULL OR valid_until > D),
-- which selects exactly the latest row on or before D. The store sets it whenever it
-- adds a classification; the rows themselves are never changed otherwise.
--
-- The household's characteristics when it was classified (ethnic minority, people with
-- merit, female head, no working capacity in the period's working ages, children under
-- 16, the head's ethnicity): a report for a past period then shows what the review
-- found, even after the registry changes.
ALTER TABLE classifications ADD COLUMN valid_until DATE;
ALTER TABLE classifications ADD COLUMN ethnic_minority BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE classifications ADD COLUMN merit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE classifications ADD COLUMN female_headed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE classifications ADD COLUMN no_labour BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE classifications ADD COLUMN children INTEGER NOT NULL DEFAULT 0;
ALTER TABLE classifications ADD COLUMN head_ethnicity TEXT;

UPDATE classifications SET valid_until = (
    SELECT MIN(n.effective_date) FROM classifications n
    WHERE n.household_id = classifications.household_id
      AND n.province_code = classifications.province_code
      AND n.period = classifications.period
      AND (n.effective_date > classifications.effective_date
           OR (n.effective_date = classifications.effective_date AND n.id > classifications.id)));

-- Rows classified before this migration take the registry as it is now: the best
-- record there is of what the review saw. (Households are found by id alone: one that
-- has since moved to another province is still found.)
UPDATE classifications SET
    ethnic_minority = COALESCE((SELECT h.ethnic_minority FROM households h
        WHERE h.id = classifications.household_id), FALSE),
    merit = COALESCE((SELECT h.merit FROM households h
        WHERE h.id = classifications.household_id), FALSE),
    female_headed = COALESCE((SELECT h.female_headed FROM households h
        WHERE h.id = classifications.household_id), FALSE),
    no_labour = CASE WHEN EXISTS (SELECT 1 FROM members m
        WHERE m.household_id = classifications.household_id
          AND m.active AND m.birth_year BETWEEN classifications.period - 60 AND classifications.period - 15
          AND COALESCE(m.work_status, '') <> 'unable') THEN FALSE ELSE TRUE END,
    children = (SELECT COUNT(*) FROM members m
        WHERE m.household_id = classifications.household_id
          AND m.active AND m.birth_year > classifications.period - 16),
    head_ethnicity = (SELECT MIN(m.ethnicity) FROM members m
        WHERE m.household_id = classifications.household_id
          AND m.active AND m.relation = 'head');

-- The reports of a district or a province read only these indexes (no table rows):
-- status first, so that the movement tables seek the poor and near-poor; then the row
-- unit and the head's ethnicity, deprivations and causes, so that the figures group
-- in index order; then every column a report sums. Communes and villages are small
-- enough for the plain indexes. The columns stay plain (no INCLUDE) so that the same
-- indexes work on SQLite, PostgreSQL and Citus.
DROP INDEX classifications_latest;
DROP INDEX classifications_district;
DROP INDEX classifications_province;
CREATE INDEX classifications_district_report ON classifications (district_code, period, status,
    commune_code, head_ethnicity, deprived, causes, effective_date, valid_until, member_count, area,
    ethnic_minority, merit, female_headed, no_labour, children, transition, household_id);
CREATE INDEX classifications_province_report ON classifications (province_code, period, status,
    district_code, head_ethnicity, deprived, causes, effective_date, valid_until, member_count, area,
    ethnic_minority, merit, female_headed, no_labour, children, transition, household_id);
CREATE INDEX classifications_village ON classifications (village_code, period, status);

-- The registry figures of a district or province (and the active and split marks of
-- the movement tables) from the index alone.
CREATE INDEX households_district_report ON households (district_code, commune_code, active,
    member_count, ethnic_minority, split_from, id);
CREATE INDEX households_province_report ON households (province_code, district_code, active,
    member_count, ethnic_minority, split_from, id);
