-- A billing run whose orchestration failed for good, or was lost or terminated, ends 'fallida' with its cause (a
-- stable code and a message without stack), so nobody has to read logs or edit rows to know why or to retry.
ALTER TABLE corridas_facturacion
    ADD COLUMN causa_codigo  text,
    ADD COLUMN causa_mensaje text CHECK (length(causa_mensaje) <= 500);
-- The reconciliation timer looks for live runs only.
CREATE INDEX ix_corridas_facturacion_vivas ON corridas_facturacion (updated_at) WHERE estado IN ('pendiente', 'en_proceso');
