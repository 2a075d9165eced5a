-- What a coverage request reads: one policy and period, a province's rows from the
-- request's date backwards, with everything it sums in the index itself.
CREATE INDEX IF NOT EXISTS coverage_spans_by_unit ON coverage_spans
    (policy, period, province_code, valid_from)
    INCLUDE (valid_to, district_code, commune_code, village_code, eligible, covered);
