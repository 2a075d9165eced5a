-- The poverty-reduction programme (issue 16): the units' allocation flags and the money
-- ledger. The programme's structure, funding sources and coefficients are data files of
-- the rules crate (crates/rules/programme), not tables.

-- The flags the allocation coefficients read (reform-2025.md): the zone of a commune in
-- ethnic-minority and mountain areas (khu vực I, II, III), safety zone (an toàn khu),
-- island and special zone (đặc khu). `border` and `extremely_difficult` already exist.
-- `allocation_flags_to_confirm` marks flags set from a guess (the demo's) rather than a
-- decision, so that every page that uses them says so.
ALTER TABLE admin_units ADD COLUMN zone TEXT CHECK (zone IN ('I', 'II', 'III'));
ALTER TABLE admin_units ADD COLUMN safety_zone BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE admin_units ADD COLUMN island BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE admin_units ADD COLUMN special_zone BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE admin_units ADD COLUMN allocation_flags_to_confirm BOOLEAN NOT NULL DEFAULT FALSE;

-- The ledger (sổ theo dõi vốn): planned amounts of a unit, allocations to communes and
-- disbursements, in integer VND. Rows are never updated or deleted: a correction is a
-- new row that names the row it reverses (`reverses`, at most once) and carries the
-- opposite amount. An allocation's balance (allocated − disbursed, per year, commune,
-- project and source) may go below zero only with `overdraw_note`, written by whoever
-- allowed it and audited. Each row keeps the programme period (`programme`) and the
-- unit it was recorded under. Small and shared: a reference table on Citus.
CREATE TABLE programme_entries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    -- plan | allocation | disbursement
    kind             TEXT NOT NULL CHECK (kind IN ('plan', 'allocation', 'disbursement')),
    year             INTEGER NOT NULL,
    -- plan: the unit whose plan it is; allocation: the commune that receives;
    -- disbursement: the commune that spends.
    unit_code        TEXT NOT NULL,
    -- allocation: the unit that allocates; NULL otherwise.
    from_unit_code   TEXT,
    province_code    TEXT NOT NULL,
    programme        TEXT NOT NULL,
    project          TEXT NOT NULL,
    source           TEXT NOT NULL,
    activity_id      BIGINT,
    amount           BIGINT NOT NULL,
    entry_date       DATE NOT NULL,
    document_number  TEXT,
    note             TEXT,
    reverses         BIGINT UNIQUE REFERENCES programme_entries (id),
    overdraw_note    TEXT,
    -- An allocation adopted from a suggestion keeps its coefficient and formula.
    coefficient      BIGINT,
    formula          TEXT,
    recorded_by      BIGINT,
    recorded_by_name TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX programme_entries_unit ON programme_entries (year, unit_code, kind);
CREATE INDEX programme_entries_province ON programme_entries (province_code, year);
