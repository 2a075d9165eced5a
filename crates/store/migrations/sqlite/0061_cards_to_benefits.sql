-- The members' health-insurance card facts become `bhyt` benefits (issue 14): one benefit
-- per member with a card number, valid to the card's expiry, source 'migrated'. From here
-- on the benefits are the one source the targets and the coverage read; the member form's
-- card fields write a `bhyt` benefit when they change (app/src/policies/cards.rs).
--
-- A card's first day is not known: a card of the programme runs a year, so it is taken
-- as the day after the same date a year before the expiry. A card without an expiry keeps
-- valid_to NULL and its first day the day the member was recorded, so that it counts in
-- that year only (a benefit of one date) rather than for ever.
INSERT INTO benefits (home_province, household_id, member_id, policy, valid_from, valid_to,
                      reference, unit_code, province_code, source, recorded_by, recorded_at)
SELECT m.home_province, m.household_id, m.id, 'bhyt',
       CASE WHEN m.health_insurance_expiry IS NOT NULL
            THEN date(m.health_insurance_expiry, '-1 year', '+1 day')
            ELSE date(m.created_at) END,
       m.health_insurance_expiry,
       TRIM(m.health_insurance_number), h.village_code, h.province_code, 'migrated',
       'migration-0061', strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
FROM members m JOIN households h ON h.id = m.household_id
WHERE m.health_insurance_number IS NOT NULL AND TRIM(m.health_insurance_number) <> '';
