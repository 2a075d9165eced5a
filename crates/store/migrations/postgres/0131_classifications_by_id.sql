-- The classifications' id, as migration 0130 explains for members.
CREATE INDEX IF NOT EXISTS classifications_id ON classifications (id);
