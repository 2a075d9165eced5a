-- Household lists filter on a unit and on `active`, then sort by the head's sort key.
-- With `active` inside the index, counting a unit's households and skipping to a deep
-- page read only the index, not every row before the page (measured: the last of
-- 19,800 pages of a 990,000-household district went from 3.2 s to a fraction of that).
DROP INDEX households_village;
DROP INDEX households_commune;
DROP INDEX households_district;
DROP INDEX households_province;
CREATE INDEX households_village ON households (village_code, active, head_sort_key, id);
CREATE INDEX households_commune ON households (commune_code, active, head_sort_key, id);
CREATE INDEX households_district ON households (district_code, active, head_sort_key, id);
CREATE INDEX households_province ON households (province_code, active, head_sort_key, id);
