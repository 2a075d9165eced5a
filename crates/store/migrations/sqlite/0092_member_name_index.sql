-- Name search on SQLite read every member of the unit's households (LIKE '%…%' on the
-- folded name, one household at a time): seconds for a unit of a million households.
-- An FTS5 index with the trigram tokenizer finds any substring of three characters or
-- more, which is what the search asks for (a name anywhere in a member's folded name).
-- It is an external-content index over `members` (the names are not stored twice),
-- kept in step by the triggers below; SQLite has no shards, so triggers are fine here
-- (PostgreSQL uses its trigram index of migration 0050 instead). Shorter searches still
-- read the unit (crates/store/src/households.rs).
CREATE VIRTUAL TABLE member_names USING fts5(
    name_folded,
    content = 'members',
    content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO member_names (member_names) VALUES ('rebuild');

CREATE TRIGGER member_names_insert AFTER INSERT ON members BEGIN
    INSERT INTO member_names (rowid, name_folded) VALUES (new.id, new.name_folded);
END;
CREATE TRIGGER member_names_delete AFTER DELETE ON members BEGIN
    INSERT INTO member_names (member_names, rowid, name_folded)
    VALUES ('delete', old.id, old.name_folded);
END;
CREATE TRIGGER member_names_update AFTER UPDATE OF id, name_folded ON members BEGIN
    INSERT INTO member_names (member_names, rowid, name_folded)
    VALUES ('delete', old.id, old.name_folded);
    INSERT INTO member_names (rowid, name_folded) VALUES (new.id, new.name_folded);
END;

-- A search is also tried as a household code, in capitals (as on PostgreSQL, 0050).
CREATE INDEX households_code_upper ON households (UPPER(code));
