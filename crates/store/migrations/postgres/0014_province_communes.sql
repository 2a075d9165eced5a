-- A province's reports group by district, or by commune where the province has no
-- districts (the three-level hierarchy since 2025), and its dashboard map colours
-- communes. The province indexes of 0012 held districts only, so a province's figures
-- by commune read every table row (≈ 2 s for 500.000 households). With the commune after
-- the district they hold both, and the store groups a province's figures by district and
-- commune, in index order, whichever the rows are.
DROP INDEX classifications_province_report;
CREATE INDEX classifications_province_report ON classifications (province_code, period, status,
    district_code, commune_code, head_ethnicity, deprived, causes, effective_date, valid_until,
    member_count, area, ethnic_minority, merit, female_headed, no_labour, children, transition,
    household_id);
DROP INDEX households_province_report;
CREATE INDEX households_province_report ON households (province_code, district_code, commune_code,
    active, member_count, ethnic_minority, split_from, id);
