-- Issue 24: when each attempt of a sign-up step started. With actualizado_en (when it ended) it splits a saga's time into
-- its steps' own work and the waits between them in the durable queues (bench/AltaCarga.sh prints both).
ALTER TABLE altas_pasos ADD COLUMN iniciado_en timestamptz;
