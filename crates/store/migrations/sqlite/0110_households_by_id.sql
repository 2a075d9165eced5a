-- Nothing to do on SQLite: the PostgreSQL migration of the same number adds an index on
-- the households' id, which lost its own index when the key became (home_province, id)
-- for Citus (migration 0040). SQLite kept `id` as its single-column key.
SELECT 1;
