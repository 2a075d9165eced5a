-- The role `labour_office` becomes `office`: since July 2025 there is no district labour
-- office, and the role is held by a province's or a commune's department (or, in a
-- four-level history, a district's). Stored users are renamed; the old name stays
-- allowed so that a row written by an older binary, or restored from an older backup,
-- still loads (the application reads it as `office`).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'office',
    'labour_office', 'agency_officer', 'commune_officer', 'village_head', 'oversight',
    'province_viewer'));
UPDATE users SET role = 'office' WHERE role = 'labour_office';
