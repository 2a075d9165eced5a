-- Name search finds a folded name anywhere in a member's name (`LIKE '%…%'`), which a
-- B-tree cannot serve: every member in the database was read. A trigram index serves
-- such patterns; the planner weighs it against reading the unit's own households, so a
-- rare name is found through the index and a common one through the unit.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's
-- owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX members_name_trgm ON members USING gin (name_folded gin_trgm_ops);

-- A search is also tried as a household code, in capitals: an index on the capitalised
-- code answers it without reading the unit's households.
CREATE INDEX households_code_upper ON households (UPPER(code));
