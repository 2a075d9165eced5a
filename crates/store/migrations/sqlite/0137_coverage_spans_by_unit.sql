-- Nothing to do on SQLite: migration 0136 made the coverage spans, their indexes and
-- tables at once (the PostgreSQL migrations are split one statement each for Citus).
SELECT 1;
