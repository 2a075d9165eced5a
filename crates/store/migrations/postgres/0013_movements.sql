-- The movement tables (diễn biến hộ nghèo / hộ cận nghèo) pair each household's row of a
-- period with its row of the period before. Pairing them at report time costs an index
-- lookup per listed household (≈ 85.000 in a province, seconds on SQLite), so the pairs
-- are kept here, derived from the classifications, and a movement table is one GROUP BY
-- over an index range like the other reports.
--
-- One row per household, province, end period and span of "as of" dates over which the
-- same two rows hold: valid_from <= D AND (valid_until IS NULL OR valid_until > D), the
-- intersection of the two rows' spans (classifications.valid_until, migration 0012). An
-- end with no row holding is NULL (the household was not classified for that period
-- yet). Only pairs that count in a movement table are kept: the start row on a list, or
-- the end row on a list or recording a movement. The rows of a province are paired only
-- with rows of the same province, as the spans are (and as Citus co-locates them).
--
-- active and split are the registry's marks (moved away, died or merged; split from
-- another household), kept up to date by the store when a household changes.
--
-- The store recomputes a household's pairs whenever it adds a classification
-- (store/src/reviews.rs, MOVEMENT_PAIRS, which is this backfill with a filter); nothing
-- else writes here, so the table can always be rebuilt from the classifications.
CREATE TABLE movements (
    province_code      TEXT NOT NULL,
    household_id       BIGINT NOT NULL REFERENCES households (id),
    -- The end period: the table of period P pairs P - 1 with P.
    period             INTEGER NOT NULL,
    valid_from         DATE NOT NULL,
    valid_until        DATE,
    prev_village_code  TEXT,
    prev_commune_code  TEXT,
    prev_district_code TEXT,
    prev_status        TEXT,
    cur_village_code   TEXT,
    cur_commune_code   TEXT,
    cur_district_code  TEXT,
    cur_status         TEXT,
    transition         TEXT,
    active             BOOLEAN NOT NULL,
    split              BOOLEAN NOT NULL
);

-- A household's rows of a period in one province are looked up by all three (the spans
-- of migration 0012 and the pairs below): with province_code in the household index,
-- the index matches every equality of the lookup, so that PostgreSQL takes it over the
-- report indexes (which lead with province and period) even before its statistics say
-- how large a province is. With (household_id, period) alone the two tied, and a bulk
-- load on a database without fresh statistics looked each row up by scanning its
-- province. Period stays second, for the lookups by household and period alone.
DROP INDEX classifications_household;
CREATE INDEX classifications_household ON classifications (household_id, period, province_code,
    effective_date, id);

INSERT INTO movements (province_code, household_id, period, valid_from, valid_until,
    prev_village_code, prev_commune_code, prev_district_code, prev_status,
    cur_village_code, cur_commune_code, cur_district_code, cur_status, transition,
    active, split)
SELECT x.province_code, x.household_id, x.period, x.valid_from, x.valid_until,
       x.prev_village_code, x.prev_commune_code, x.prev_district_code, x.prev_status,
       x.cur_village_code, x.cur_commune_code, x.cur_district_code, x.cur_status, x.transition,
       h.active, CASE WHEN h.split_from IS NULL THEN FALSE ELSE TRUE END
FROM (
    -- Both rows hold: the intersection of their spans.
    SELECT c.province_code, c.household_id, c.period,
           CASE WHEN p.effective_date > c.effective_date THEN p.effective_date
                ELSE c.effective_date END AS valid_from,
           CASE WHEN c.valid_until IS NULL THEN p.valid_until
                WHEN p.valid_until IS NULL OR c.valid_until < p.valid_until THEN c.valid_until
                ELSE p.valid_until END AS valid_until,
           p.village_code AS prev_village_code, p.commune_code AS prev_commune_code,
           p.district_code AS prev_district_code, p.status AS prev_status,
           c.village_code AS cur_village_code, c.commune_code AS cur_commune_code,
           c.district_code AS cur_district_code, c.status AS cur_status,
           c.transition AS transition
    FROM classifications c
    JOIN classifications p ON p.household_id = c.household_id
         AND p.province_code = c.province_code AND p.period = c.period - 1
    UNION ALL
    -- Only the end row holds: before the first row of the period before, if any. The
    -- first row is found by a lookup on all three keys, which every planner takes.
    SELECT e.province_code, e.household_id, e.period, e.effective_date,
           CASE WHEN e.first_effective IS NULL THEN e.valid_until
                WHEN e.valid_until IS NULL OR e.first_effective < e.valid_until THEN e.first_effective
                ELSE e.valid_until END,
           NULL, NULL, NULL, NULL,
           e.village_code, e.commune_code, e.district_code, e.status, e.transition
    FROM (SELECT c.province_code, c.household_id, c.period, c.effective_date, c.valid_until,
                 c.village_code, c.commune_code, c.district_code, c.status, c.transition,
                 (SELECT MIN(f.effective_date) FROM classifications f
                  WHERE f.household_id = c.household_id AND f.period = c.period - 1
                    AND f.province_code = c.province_code) AS first_effective
          FROM classifications c) e
    WHERE e.first_effective IS NULL OR e.effective_date < e.first_effective
    UNION ALL
    -- Only the start row holds: before the first row of the end period, if any.
    SELECT s.province_code, s.household_id, s.period + 1, s.effective_date,
           CASE WHEN s.first_effective IS NULL THEN s.valid_until
                WHEN s.valid_until IS NULL OR s.first_effective < s.valid_until THEN s.first_effective
                ELSE s.valid_until END,
           s.village_code, s.commune_code, s.district_code, s.status,
           NULL, NULL, NULL, NULL, NULL
    FROM (SELECT p.province_code, p.household_id, p.period, p.effective_date, p.valid_until,
                 p.village_code, p.commune_code, p.district_code, p.status,
                 (SELECT MIN(f.effective_date) FROM classifications f
                  WHERE f.household_id = p.household_id AND f.period = p.period + 1
                    AND f.province_code = p.province_code) AS first_effective
          FROM classifications p) s
    WHERE s.first_effective IS NULL OR s.effective_date < s.first_effective
) x
JOIN households h ON h.id = x.household_id
WHERE (x.valid_until IS NULL OR x.valid_from < x.valid_until)
  AND (x.prev_status IN ('poor', 'near_poor') OR x.cur_status IN ('poor', 'near_poor')
       OR (x.transition IS NOT NULL AND x.transition <> 'unchanged'));

-- A movement table reads the pairs whose end row is in its unit and those whose start
-- row is (a household that moved counts in both units' tables). A district's and a
-- province's indexes hold every column the table groups by, so that no table row is
-- read; communes and villages are small enough for plain ones.
CREATE INDEX movements_household ON movements (household_id, period);
CREATE INDEX movements_province ON movements (province_code, period, valid_from, valid_until,
    cur_district_code, cur_commune_code, cur_status, transition,
    prev_district_code, prev_commune_code, prev_status, active, split);
CREATE INDEX movements_district_cur ON movements (cur_district_code, period, valid_from,
    valid_until, cur_commune_code, cur_status, transition, prev_district_code,
    prev_commune_code, prev_status, active, split);
CREATE INDEX movements_district_prev ON movements (prev_district_code, period, valid_from,
    valid_until, prev_commune_code, prev_status, cur_district_code, cur_commune_code,
    cur_status, transition, active, split);
CREATE INDEX movements_commune_cur ON movements (cur_commune_code, period);
CREATE INDEX movements_commune_prev ON movements (prev_commune_code, period);
CREATE INDEX movements_village_cur ON movements (cur_village_code, period);
CREATE INDEX movements_village_prev ON movements (prev_village_code, period);
