-- The registry's households, people and ethnic-minority households per village, read
-- from the index alone. A dashboard or report re-based on today's units counts its
-- registry village by village (every village of a province on a province's dashboard);
-- through the (village, status, …) index each household was a row read from the table,
-- the slowest read of the dashboard (a province of 5,000 households: most of its time).
-- With the figures in the index the count reads no table row.
CREATE INDEX IF NOT EXISTS households_village_registry
    ON households (village_code, active, member_count, ethnic_minority);
