-- Households per village, period, status and deprivation list, for each span of dates
-- the rows hold (from effective_date up to valid_until, '9999-12-31' while a row is the
-- latest), kept up to date in the same transaction as every classification written, as
-- the per-commune counts of migration 0051 are. The dashboard reads its period, its
-- rates, its deprivation profile and its trend re-based on today's units (which needs
-- each row's village) from these rows instead of scanning the classifications of the
-- unit on every request; the reports choose their period and name the communes without
-- lists from them.
--
-- The deprivation list is kept for the households on a list (poor and near-poor), the
-- ones whose deprivations the dashboard and the reports profile; kept for every
-- household it would split the other rows by every combination of indicators and make
-- this table nearly as long as the classifications. The district is '' where a row has
-- none. No foreign key to the big tables: this is a small table of figures.
CREATE TABLE classification_village_counts (
    province_code  TEXT NOT NULL,
    district_code  TEXT NOT NULL,
    commune_code   TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    period         INTEGER NOT NULL,
    status         TEXT NOT NULL,
    deprived       TEXT NOT NULL,
    effective_date DATE NOT NULL,
    valid_until    DATE NOT NULL,
    households     INTEGER NOT NULL,
    PRIMARY KEY (province_code, district_code, commune_code, village_code, period, status,
        deprived, effective_date, valid_until)
);
CREATE INDEX classification_village_counts_district
    ON classification_village_counts (district_code, period);
CREATE INDEX classification_village_counts_commune
    ON classification_village_counts (commune_code, period);
CREATE INDEX classification_village_counts_village
    ON classification_village_counts (village_code, period);

INSERT INTO classification_village_counts (province_code, district_code, commune_code,
    village_code, period, status, deprived, effective_date, valid_until, households)
SELECT province_code, COALESCE(district_code, ''), commune_code, village_code, period, status,
    CASE WHEN status IN ('poor', 'near_poor') THEN deprived ELSE '' END, effective_date,
    COALESCE(valid_until, '9999-12-31'), COUNT(*)
FROM classifications
GROUP BY province_code, COALESCE(district_code, ''), commune_code, village_code, period,
    status, CASE WHEN status IN ('poor', 'near_poor') THEN deprived ELSE '' END,
    effective_date, COALESCE(valid_until, '9999-12-31');
