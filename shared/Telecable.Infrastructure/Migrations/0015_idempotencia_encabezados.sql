-- Issue 22: a replayed answer keeps the headers that identify what was created (Location, ETag),
-- not only its status and body.
ALTER TABLE idempotencia ADD COLUMN encabezados jsonb;
