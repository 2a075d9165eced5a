-- Which policies' spans are kept, and for which version of their rule and of the units'
-- flags (`fingerprint`): a request reads the spans only when the fingerprint is the
-- current one, and otherwise counts the households themselves until
-- `giamngheo coverage-rebuild` has run. `refreshes` is the row every recomputation of
-- spans updates first, so that two recomputations of one household take turns.
CREATE TABLE IF NOT EXISTS coverage_span_state (
    policy TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    built_at TEXT NOT NULL,
    refreshes BIGINT NOT NULL DEFAULT 0
);
