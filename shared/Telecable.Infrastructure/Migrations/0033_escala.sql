-- Scale-out (issue 24).
-- A billing run's chunk is a range of folios: one index range per chunk instead of a scan of the run's invoices
-- (which made a 50,000-CFDI run read 50,000 rows per chunk, 1,000 times).
CREATE INDEX ix_facturas_corrida_folio ON facturas (corrida_id, folio) WHERE corrida_id IS NOT NULL;

-- Timers that must fire once per occurrence across every host on the task hub (the Functions host's schedule
-- monitor does this with a blob lease): the host that moves a timer's last occurrence forward runs it; the others,
-- firing for the same occurrence, find it taken and skip it.
CREATE TABLE timers_ejecucion (
    nombre       text PRIMARY KEY,
    ocurrencia   timestamptz NOT NULL,
    host         text NOT NULL,
    iniciada_en  timestamptz NOT NULL DEFAULT now()
);
