-- Uniqueness across the whole cluster. On a distributed PostgreSQL (Citus) a unique index
-- must include the distribution column (`home_province`, migration 0040), so the indexes on
-- citizen IDs, household codes and certificate numbers hold only among the households of
-- one home province: a household that moved into a commune from another province could
-- take a code, a citizen ID or a certificate number already given there. Each value is
-- therefore also claimed in a table of its own, keyed (and, on Citus, distributed) by the
-- value itself, in the same transaction as the row that holds it, and released when the
-- row stops holding it (crates/store/src/claims.rs). A second claim of the same value is
-- refused by the claim's primary key wherever its household is stored. The tables have no
-- `home_province` column on purpose: crates/store/src/citus.rs places them by their value.
--
-- The existing values are claimed here. A value that two households of different home
-- provinces already hold (which only PostgreSQL could accept) is claimed once; nothing is
-- changed or renumbered.

-- A citizen ID held by an active member.
CREATE TABLE citizen_id_claims (
    citizen_id TEXT PRIMARY KEY
);
INSERT INTO citizen_id_claims (citizen_id)
SELECT DISTINCT citizen_id FROM members WHERE citizen_id IS NOT NULL AND citizen_id <> '' AND active;

-- A household code in a commune (active or not: the unique key never released a code).
CREATE TABLE household_code_claims (
    commune_code TEXT NOT NULL,
    code         TEXT NOT NULL,
    PRIMARY KEY (commune_code, code)
);
INSERT INTO household_code_claims (commune_code, code)
SELECT DISTINCT commune_code, code FROM households;

-- A certificate number given in a commune for a period (index classifications_certificate:
-- first issues only, not a correction carrying its number over, not an old duplicate).
CREATE TABLE certificate_claims (
    commune_code       TEXT NOT NULL,
    province_code      TEXT NOT NULL,
    period             INTEGER NOT NULL,
    certificate_number TEXT NOT NULL,
    PRIMARY KEY (commune_code, province_code, period, certificate_number)
);
INSERT INTO certificate_claims (commune_code, province_code, period, certificate_number)
SELECT DISTINCT commune_code, province_code, period, certificate_number FROM classifications
WHERE certificate_number IS NOT NULL AND supersedes IS NULL AND NOT certificate_duplicate;
