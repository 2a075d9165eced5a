-- Where each household's rows are, found by its id alone. On Citus every per-household
-- table is distributed by `home_province` (migration 0040), so a statement naming a
-- household by its id alone (its page, its members, classifications, review rows,
-- benefits, audit) was sent to every shard: 2,088 such reads in one run of the web access
-- matrix, 4–9 ms each. The store now names the household's `home_province` in each such
-- statement, and finds it here once per household (crates/store/src/homes.rs): this table
-- is keyed by the household's id and, on Citus, distributed by that id
-- (crates/store/src/citus.rs), so the lookup itself goes to one shard. The column is
-- `home`, not `home_province`, on purpose: a table with a `home_province` column would be
-- distributed by it. A household's home province never changes, so a row is written once,
-- with the household, and never updated.
CREATE TABLE household_homes (
    household_id INTEGER PRIMARY KEY,
    home         TEXT NOT NULL
);
INSERT INTO household_homes (household_id, home) SELECT id, home_province FROM households;
