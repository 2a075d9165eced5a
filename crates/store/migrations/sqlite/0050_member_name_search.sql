-- Name search on SQLite looks only at the members of the unit's households, one
-- household at a time. With the name and the active flag in the index, each probe is
-- answered from the index alone instead of reading every member's row.
CREATE INDEX members_household_name ON members (household_id, active, name_folded);
