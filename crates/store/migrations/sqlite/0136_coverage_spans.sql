-- Coverage of a policy kept up to date (issue 14); see the PostgreSQL migration of the
-- same number. SQLite has no INCLUDE: the index by unit carries every column it sums.
CREATE TABLE IF NOT EXISTS coverage_spans (
    home_province TEXT NOT NULL,
    household_id INTEGER NOT NULL,
    policy TEXT NOT NULL,
    period INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    province_code TEXT NOT NULL,
    district_code TEXT,
    commune_code TEXT NOT NULL,
    village_code TEXT NOT NULL,
    eligible INTEGER NOT NULL,
    covered INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS coverage_spans_by_unit ON coverage_spans
    (policy, period, province_code, valid_from, valid_to, district_code, commune_code,
     village_code, eligible, covered);
CREATE INDEX IF NOT EXISTS coverage_spans_by_household ON coverage_spans (home_province, household_id);
CREATE TABLE IF NOT EXISTS coverage_stale (
    home_province TEXT NOT NULL,
    household_id INTEGER NOT NULL,
    mark INTEGER NOT NULL,
    PRIMARY KEY (home_province, household_id)
);
CREATE TABLE IF NOT EXISTS coverage_span_state (
    policy TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    built_at TEXT NOT NULL,
    refreshes INTEGER NOT NULL DEFAULT 0
);
