-- Nothing to do on SQLite: the PostgreSQL migration of the same number indexes the
-- classifications' id (see migration 0130); SQLite kept `id` as their single-column key.
SELECT 1;
