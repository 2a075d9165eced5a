-- A household is found by its id alone on every household page, access check and list
-- page (the list reads its page's rows by id). Migration 0040 made the key
-- (home_province, id) for Citus, which left no index that starts with the id: every such
-- read scanned the whole table (97 ms for one list page of 100,000 households, and the
-- household page reads a household several times), and under 100 connections these
-- scans were the 72 requests a second the list and household pages fell to. A plain
-- index on the id serves them, and a distributed table can hold it (it is not unique).
CREATE INDEX IF NOT EXISTS households_id ON households (id);
