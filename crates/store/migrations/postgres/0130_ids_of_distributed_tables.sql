-- Members, classifications and benefits are also read by their id alone: a member's page
-- and edit, a benefit's correction or void, a classification's certificate. Since
-- migration 0040 their keys are (home_province, id) for Citus, so no index starts with
-- the id and each such read scanned the whole table, as households did before migration
-- 0110 (a province's 1.8 million members, 3 million classifications and 1.8 million
-- benefits in the coverage benchmark). A plain index on the id serves them; a distributed
-- table can hold it, as it is not unique.
CREATE INDEX IF NOT EXISTS members_id ON members (id);
CREATE INDEX IF NOT EXISTS classifications_id ON classifications (id);
CREATE INDEX IF NOT EXISTS benefits_id ON benefits (id);
