-- Issue 24: a billing run generates its invoices one page of contracts at a time (one activity and one transaction per
-- page), so neither a host's memory nor an activity's duration grows with the run. generada_en marks a run whose
-- generation ended; until then an execution (a retry after a failure half way) goes on generating where it stopped.
-- Runs before this migration generated everything in one transaction with their first execution.
ALTER TABLE corridas_facturacion ADD COLUMN generada_en timestamptz;
UPDATE corridas_facturacion SET generada_en = coalesce(iniciada_en, created_at) WHERE ejecuciones > 0;
