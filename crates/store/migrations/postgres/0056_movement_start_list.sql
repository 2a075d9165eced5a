-- The movement tables compare each household's list at the start of a period with its
-- list at the end. The start is the list in force when the period began, whatever period
-- produced it: a commune that skipped its 2025 review starts 2026 from its 2024 lists,
-- which are also the lists its 2026 review recorded its transitions (escaped, became
-- near-poor…) against. Migration 0013 paired period P with period P − 1 only, so such a
-- commune's start column was empty while its "left the list" columns counted households
-- leaving the 2024 lists: two base years in one table, and a failed check in every village.
--
-- A row of period P now pairs with the household's rows of its latest earlier period in
-- the same province (the start period). A household with no row of P pairs its rows of
-- P − 1 with nothing (it left the lists that year, as before) and, when it has a later
-- period R, also its latest rows before R with nothing until R's rows take effect. The
-- spans are computed as in 0013. The store recomputes a household's pairs with this same
-- statement, read from this file (store/src/reviews.rs, movement_pairs), each
-- `/*households:x*/` mark becoming a filter on the households it writes for.
DELETE FROM movements;

INSERT INTO movements (home_province, province_code, household_id, period, valid_from, valid_until,
    prev_village_code, prev_commune_code, prev_district_code, prev_status,
    cur_village_code, cur_commune_code, cur_district_code, cur_status, transition,
    active, split)
SELECT x.home_province, x.province_code, x.household_id, x.period, x.valid_from, x.valid_until,
       x.prev_village_code, x.prev_commune_code, x.prev_district_code, x.prev_status,
       x.cur_village_code, x.cur_commune_code, x.cur_district_code, x.cur_status, x.transition,
       h.active, CASE WHEN h.split_from IS NULL THEN FALSE ELSE TRUE END
FROM (
    -- Both rows hold: the intersection of their spans.
    SELECT c.home_province, c.province_code, c.household_id, c.period,
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
    FROM (SELECT b.home_province, b.province_code, b.household_id, b.period, b.effective_date,
                 b.valid_until, b.village_code, b.commune_code, b.district_code, b.status,
                 b.transition,
                 (SELECT MAX(q.period) FROM classifications q
                  WHERE q.household_id = b.household_id AND q.home_province = b.home_province
                    AND q.province_code = b.province_code AND q.period < b.period) AS start_period
          FROM classifications b /*households:b*/) c
    JOIN classifications p ON p.household_id = c.household_id
         AND p.home_province = c.home_province AND p.province_code = c.province_code
         AND p.period = c.start_period
    UNION ALL
    -- Only the end row holds: before the first row of the start period, if any.
    SELECT e.home_province, e.province_code, e.household_id, e.period, e.effective_date,
           CASE WHEN e.first_effective IS NULL THEN e.valid_until
                WHEN e.valid_until IS NULL OR e.first_effective < e.valid_until THEN e.first_effective
                ELSE e.valid_until END,
           NULL, NULL, NULL, NULL,
           e.village_code, e.commune_code, e.district_code, e.status, e.transition
    FROM (SELECT a.home_province, a.province_code, a.household_id, a.period, a.effective_date,
                 a.valid_until, a.village_code, a.commune_code, a.district_code, a.status,
                 a.transition,
                 (SELECT MIN(f.effective_date) FROM classifications f
                  WHERE f.household_id = a.household_id AND f.home_province = a.home_province
                    AND f.province_code = a.province_code AND f.period = a.start_period) AS first_effective
          FROM (SELECT b.home_province, b.province_code, b.household_id, b.period, b.effective_date,
                       b.valid_until, b.village_code, b.commune_code, b.district_code, b.status,
                       b.transition,
                       (SELECT MAX(q.period) FROM classifications q
                        WHERE q.household_id = b.household_id AND q.home_province = b.home_province
                          AND q.province_code = b.province_code AND q.period < b.period) AS start_period
                FROM classifications b /*households:b*/) a) e
    WHERE e.first_effective IS NULL OR e.effective_date < e.first_effective
    UNION ALL
    -- Only the start row holds, for the next period: before its first row, if any.
    SELECT s.home_province, s.province_code, s.household_id, s.period + 1, s.effective_date,
           CASE WHEN s.first_effective IS NULL THEN s.valid_until
                WHEN s.valid_until IS NULL OR s.first_effective < s.valid_until THEN s.first_effective
                ELSE s.valid_until END,
           s.village_code, s.commune_code, s.district_code, s.status,
           NULL, NULL, NULL, NULL, NULL
    FROM (SELECT p.home_province, p.province_code, p.household_id, p.period, p.effective_date,
                 p.valid_until, p.village_code, p.commune_code, p.district_code, p.status,
                 (SELECT MIN(f.effective_date) FROM classifications f
                  WHERE f.household_id = p.household_id AND f.home_province = p.home_province
                    AND f.province_code = p.province_code AND f.period = p.period + 1) AS first_effective
          FROM classifications p /*households:p*/) s
    WHERE s.first_effective IS NULL OR s.effective_date < s.first_effective
    UNION ALL
    -- Only the start row holds, for the household's next period after a gap: before the
    -- first row of that period.
    SELECT t.home_province, t.province_code, t.household_id, t.end_period, t.effective_date,
           CASE WHEN t.valid_until IS NULL OR t.first_effective < t.valid_until THEN t.first_effective
                ELSE t.valid_until END,
           t.village_code, t.commune_code, t.district_code, t.status,
           NULL, NULL, NULL, NULL, NULL
    FROM (SELECT g.home_province, g.province_code, g.household_id, g.end_period, g.effective_date,
                 g.valid_until, g.village_code, g.commune_code, g.district_code, g.status,
                 (SELECT MIN(f.effective_date) FROM classifications f
                  WHERE f.household_id = g.household_id AND f.home_province = g.home_province
                    AND f.province_code = g.province_code AND f.period = g.end_period) AS first_effective
          FROM (SELECT p.home_province, p.province_code, p.household_id, p.period, p.effective_date,
                       p.valid_until, p.village_code, p.commune_code, p.district_code, p.status,
                       (SELECT MIN(q.period) FROM classifications q
                        WHERE q.household_id = p.household_id AND q.home_province = p.home_province
                          AND q.province_code = p.province_code AND q.period > p.period) AS end_period
                FROM classifications p /*households:p*/) g
          WHERE g.end_period > g.period + 1) t
    WHERE t.effective_date < t.first_effective
) x
JOIN households h ON h.id = x.household_id AND h.home_province = x.home_province
WHERE (x.valid_until IS NULL OR x.valid_from < x.valid_until)
  AND (x.prev_status IN ('poor', 'near_poor') OR x.cur_status IN ('poor', 'near_poor')
       OR (x.transition IS NOT NULL AND x.transition <> 'unchanged'));
