-- Coverage of a policy kept up to date (issue 14): for each household placed by a
-- classification of a period, the date spans over which it counts `eligible` people (or
-- one household) for a policy, `covered` of them holding a benefit in force. A request
-- sums the spans valid on its date instead of re-reading the households. Only spans with
-- someone eligible are stored. `valid_to` is the first day the span no longer holds (NULL:
-- open). The codes are those of the placing classification, like the other reports'.
-- Distributed by `home_province` on Citus (crate::citus), co-located with the households.
CREATE TABLE IF NOT EXISTS coverage_spans (
    home_province TEXT NOT NULL,
    household_id BIGINT NOT NULL,
    policy TEXT NOT NULL,
    period INTEGER NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE,
    province_code TEXT NOT NULL,
    district_code TEXT,
    commune_code TEXT NOT NULL,
    village_code TEXT NOT NULL,
    eligible INTEGER NOT NULL,
    covered INTEGER NOT NULL
);
