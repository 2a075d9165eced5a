-- Nothing to do on SQLite: the PostgreSQL migration of the same number adds indexes on
-- the ids of members, classifications and benefits, which lost their own index when the
-- keys became (home_province, id) for Citus (migration 0040). SQLite kept `id` as their
-- single-column key.
SELECT 1;
