-- The households whose coverage spans are out of date: marked in the same transaction as
-- the write that changes what they are counted from (a classification, a member, a
-- benefit), and recomputed before the next coverage is read. `mark` changes at every
-- marking, so that a recomputation clears only the mark it read and a write that comes
-- meanwhile stays marked.
CREATE TABLE IF NOT EXISTS coverage_stale (
    home_province TEXT NOT NULL,
    household_id BIGINT NOT NULL,
    mark BIGINT NOT NULL,
    PRIMARY KEY (home_province, household_id)
);
