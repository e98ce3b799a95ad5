-- Settlements that arrive (issue 19): each finding of a reconciliation gets the operator's decision from the billing
-- portal: 'aceptado' (the difference is understood: a fee, a rounding, a late settlement) or 'en_investigacion'.
-- The settlement file each run came from (blob name) is kept for the audit trail.
ALTER TABLE conciliacion_hallazgos
    ADD COLUMN resolucion   text CHECK (resolucion IN ('aceptado', 'en_investigacion')),
    ADD COLUMN nota         text,
    ADD COLUMN resuelto_por text,
    ADD COLUMN resuelto_en  timestamptz;
ALTER TABLE conciliaciones ADD COLUMN archivo text;
