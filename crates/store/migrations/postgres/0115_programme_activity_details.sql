-- What the issue asks an activity to keep beyond its quantities (issue 16): a livelihood
-- model's inputs (vật tư, giống, vốn… given to its participants) and a communication or
-- training event's audience (đối tượng) and materials (tài liệu, ấn phẩm). Free text, as
-- the commune's minutes write them; NULL on the activities recorded before. Versions
-- are never updated, so a correction carries them again like every other field.
ALTER TABLE programme_activities ADD COLUMN inputs TEXT;
ALTER TABLE programme_activities ADD COLUMN audience TEXT;
ALTER TABLE programme_activities ADD COLUMN materials TEXT;
