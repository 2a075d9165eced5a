-- Certificate numbers (số giấy chứng nhận) are allocated from a counter per commune,
-- period and number pattern, in the transaction that approves the review. Reading a count
-- before the transaction let concurrent approvals in one commune give the same numbers.
CREATE TABLE certificate_counters (
    commune_code TEXT NOT NULL,
    period       INTEGER NOT NULL,
    pattern      TEXT NOT NULL,
    -- The last running number handed out; the next approval continues after it.
    last_number  BIGINT NOT NULL,
    PRIMARY KEY (commune_code, period, pattern)
);

-- Databases from before the counter may already hold the same number twice in a commune
-- and period. Those certificates were printed and handed to households, so they are not
-- renumbered (history is never rewritten): every copy after the first is flagged, stays as
-- it was, and can be listed for the commune to reissue (docs/OPERATIONS.md). The unique
-- index below covers every other certificate, and every new one.
ALTER TABLE classifications ADD COLUMN certificate_duplicate BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE classifications SET certificate_duplicate = TRUE
WHERE certificate_number IS NOT NULL AND supersedes IS NULL AND EXISTS (
    SELECT 1 FROM classifications e
    WHERE e.commune_code = classifications.commune_code
      AND e.period = classifications.period
      AND e.certificate_number = classifications.certificate_number
      AND e.supersedes IS NULL
      AND e.id < classifications.id);

-- A correction keeps the certificate of the row it replaces, so only rows that issue a
-- certificate (those replacing nothing) must carry a number of their own. The province
-- leads because a distributed PostgreSQL (Citus) needs the distribution column in every
-- unique index.
CREATE UNIQUE INDEX classifications_certificate ON classifications
    (province_code, commune_code, period, certificate_number)
    WHERE certificate_number IS NOT NULL AND supersedes IS NULL AND NOT certificate_duplicate;
