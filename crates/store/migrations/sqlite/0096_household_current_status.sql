-- Each household's current status (the row in force of its latest period, the status the
-- households page filters by), kept on the household in the same transaction as every
-- classification written. The filter was a correlated subquery on the classifications
-- run for every household of the unit, twice on each page (its rows and its count); on a
-- commune of 500,000 households that is a million probes for one page. With the column
-- the page and the count are one range of the indexes below, in the list's order.
-- NULL for a household never classified.
ALTER TABLE households ADD COLUMN current_status TEXT;

UPDATE households AS h SET current_status = c.status
FROM classifications c
WHERE c.household_id = h.id AND c.home_province = h.home_province AND c.valid_until IS NULL
  AND NOT EXISTS (SELECT 1 FROM classifications l WHERE l.household_id = c.household_id
      AND l.home_province = c.home_province AND l.valid_until IS NULL AND l.period > c.period);

CREATE INDEX households_village_status ON households (village_code, current_status, active, head_sort_key, id);
CREATE INDEX households_commune_status ON households (commune_code, current_status, active, head_sort_key, id);
CREATE INDEX households_district_status ON households (district_code, current_status, active, head_sort_key, id);
CREATE INDEX households_province_status ON households (province_code, current_status, active, head_sort_key, id);
