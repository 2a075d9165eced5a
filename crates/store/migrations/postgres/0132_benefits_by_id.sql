-- The benefits' id, as migration 0130 explains for members.
CREATE INDEX IF NOT EXISTS benefits_id ON benefits (id);
