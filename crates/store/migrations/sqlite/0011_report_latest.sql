-- The reports find each household's latest classification of a period with a correlated
-- NOT EXISTS on (household_id, province_code, period, effective_date, id). With
-- province_code in the index the probe never reads the table row: about half the time
-- of a district report on SQLite. The columns stay plain (no INCLUDE) so that the same
-- index works on SQLite, PostgreSQL and Citus.
CREATE INDEX classifications_latest ON classifications (household_id, period, effective_date, id, province_code);
