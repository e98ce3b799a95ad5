-- Webhooks answer as soon as the payment is committed; the IniciarPagosConfirmados timer starts
-- ProcesarPago off the request path and records here that it did, so each run reads only the new ones.
ALTER TABLE pagos ADD COLUMN saga_iniciada_en timestamptz;
-- Payments recorded before this column existed were started (or recovered) by the old path.
UPDATE pagos SET saga_iniciada_en = recibido_en WHERE estado <> 'confirmado';
CREATE INDEX ix_pagos_por_iniciar ON pagos (recibido_en) WHERE estado = 'confirmado' AND saga_iniciada_en IS NULL;
