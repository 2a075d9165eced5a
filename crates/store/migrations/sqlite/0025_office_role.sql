-- The role `labour_office` becomes `office`: since July 2025 there is no district labour
-- office, and the role is held by a province's or a commune's department (or, in a
-- four-level history, a district's). Stored users are renamed; the old name stays
-- allowed so that a row written by an older binary, or restored from an older backup,
-- still loads (the application reads it as `office`).
--
-- SQLite cannot change a CHECK constraint: the table's CREATE text is edited in place,
-- the documented way for schema changes that do not alter the stored format
-- (https://sqlite.org/lang_altertable.html, "other kinds of table schema changes").
PRAGMA writable_schema = ON;
UPDATE sqlite_master
   SET sql = replace(sql, '''labour_office'', ''agency_officer''',
                     '''office'', ''labour_office'', ''agency_officer''')
 WHERE type = 'table' AND name = 'users';
PRAGMA writable_schema = OFF;

-- Renaming makes this connection read the edited text (the new CHECK) before the update
-- below and before the pool hands the connection on.
ALTER TABLE users RENAME TO users_renaming_roles;
ALTER TABLE users_renaming_roles RENAME TO users;

UPDATE users SET role = 'office' WHERE role = 'labour_office';
