-- SQLite's migration 0092 indexes member names for the search (FTS5). PostgreSQL has had
-- its trigram index since migration 0050; this number keeps the two schemas' versions
-- in step and changes nothing.
SELECT 1;
