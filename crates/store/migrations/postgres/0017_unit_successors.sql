-- The units that took over from a retired one (the 2025 reform's mapping, or any merge):
-- a unit that still holds households, villages or users is retired only with its
-- successors named, so that its history can be followed to the units that replaced it.
CREATE TABLE unit_successors (
    old_code      TEXT NOT NULL REFERENCES admin_units (code),
    new_code      TEXT NOT NULL REFERENCES admin_units (code),
    -- The date the old unit ended and the new one took over.
    valid_from    DATE NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (old_code, new_code)
);
CREATE INDEX unit_successors_new ON unit_successors (new_code);
