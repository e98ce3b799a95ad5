-- Issue 18: a credit balance earmarked for an invoice (aplicaciones_saldo, 0021) is applied fiscally with a CFDI de egreso
-- related to that invoice, issued through the credit-note service: TipoRelacion 07 (aplicación de anticipo, FormaPago 30)
-- for the part that came from money the customer paid (an overpayment), 01 (nota de crédito, FormaPago 17) for a bonus
-- (a downgrade's unused days). Then the ledger is debited, once per note, and the earmark is 'aplicada'.

-- The split, fixed at the first attempt so a retry re-sends the same notes; an earmark whose invoice no longer owes
-- anything (paid in full, cancelled) is 'liberada' and the credit goes to the next invoice.
ALTER TABLE aplicaciones_saldo ADD COLUMN monto_anticipo numeric(12,2) CHECK (monto_anticipo >= 0);
ALTER TABLE aplicaciones_saldo ADD COLUMN aplicada_en timestamptz;
ALTER TABLE aplicaciones_saldo DROP CONSTRAINT aplicaciones_saldo_estado_check;
ALTER TABLE aplicaciones_saldo ADD CONSTRAINT aplicaciones_saldo_estado_check CHECK (estado IN ('pendiente_cfdi', 'aplicada', 'liberada'));
ALTER TABLE aplicaciones_saldo ADD CONSTRAINT ck_aplicaciones_saldo_anticipo CHECK (monto_anticipo IS NULL OR monto_anticipo <= monto);
CREATE INDEX ix_aplicaciones_saldo_pendientes ON aplicaciones_saldo (created_at) WHERE estado = 'pendiente_cfdi';

-- The credit used by a note: one debit per note (a retried application writes nothing twice).
ALTER TABLE movimientos_saldo ADD COLUMN nota_credito_id uuid REFERENCES notas_credito (id);
CREATE UNIQUE INDEX ux_movimientos_saldo_nota ON movimientos_saldo (nota_credito_id) WHERE nota_credito_id IS NOT NULL;

-- Credit notes gain the origin 'saldo_a_favor'. The check is extended in place (whatever values other migrations added).
DO $$
DECLARE
    nombre text;
    definicion text;
BEGIN
    SELECT c.conname, pg_get_constraintdef(c.oid) INTO nombre, definicion
    FROM pg_constraint c
    WHERE c.conrelid = 'notas_credito'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%origen%ARRAY[%';
    IF nombre IS NOT NULL AND definicion NOT LIKE '%saldo_a_favor%' THEN
        EXECUTE format('ALTER TABLE notas_credito DROP CONSTRAINT %I', nombre);
        EXECUTE format('ALTER TABLE notas_credito ADD CONSTRAINT %I %s', nombre,
                       replace(definicion, 'ARRAY[', 'ARRAY[''saldo_a_favor''::text, '));
    END IF;
END $$;
