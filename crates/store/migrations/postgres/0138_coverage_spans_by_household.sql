-- A household's spans, replaced whenever something it is counted from changes.
CREATE INDEX IF NOT EXISTS coverage_spans_by_household ON coverage_spans (home_province, household_id);
