-- Issue 19, third pass.
-- 1. Partial refunds. A provider may refund part of a card payment, and cash (OXXO) or SPEI money is refunded by the
--    ISP itself with an outgoing SPEI transfer the operator records (an OXXO aggregator cannot hand cash back). SAT wants
--    the payment complement to state only the money kept: the whole application is reversed and its complement
--    cancelled (motive 02), and the rest becomes a new payment ('remanente', pago_origen_id) that ProcesarPago applies
--    to the same invoices with a new complement. The original ends 'reembolsado_parcial'.
ALTER TABLE pagos DROP CONSTRAINT pagos_estado_check;
ALTER TABLE pagos ADD CONSTRAINT pagos_estado_check
    CHECK (estado IN ('pendiente', 'confirmado', 'aplicado', 'rechazado', 'reembolsado', 'contracargado', 'reembolsado_parcial'));
ALTER TABLE pagos ADD COLUMN pago_origen_id uuid REFERENCES pagos (id);
CREATE UNIQUE INDEX ux_pagos_origen ON pagos (pago_origen_id) WHERE pago_origen_id IS NOT NULL;

ALTER TABLE pago_reversos
    ADD COLUMN origen            text NOT NULL DEFAULT 'proveedor' CHECK (origen IN ('proveedor', 'operador')),
    ADD COLUMN pago_remanente_id uuid REFERENCES pagos (id),
    ADD COLUMN clabe_destino     text,
    ADD COLUMN registrado_por    text,
    ADD COLUMN nota              text;

-- 2. Settlement fees. Providers settle gross minus their fee; each run keeps the gross it matched, the fees and the
--    net deposited, and a run with fees gets one 'comision' finding (net vs gross) for the operator to accept.
ALTER TABLE conciliaciones
    ADD COLUMN monto_bruto numeric(14,2) NOT NULL DEFAULT 0,
    ADD COLUMN comisiones  numeric(14,2) NOT NULL DEFAULT 0,
    ADD COLUMN monto_neto  numeric(14,2) NOT NULL DEFAULT 0;
ALTER TABLE conciliacion_hallazgos DROP CONSTRAINT conciliacion_hallazgos_tipo_check;
ALTER TABLE conciliacion_hallazgos ADD CONSTRAINT conciliacion_hallazgos_tipo_check
    CHECK (tipo IN ('faltante_en_sistema', 'faltante_en_pasarela', 'diferencia_monto', 'duplicado_en_reporte', 'comision'));
ALTER TABLE conciliacion_hallazgos ALTER COLUMN monto_pasarela TYPE numeric(14,2), ALTER COLUMN monto_sistema TYPE numeric(14,2);

-- 3. One payment, one credit across channels: a bank statement line that is a SPEI deposit the aggregator already
--    notified (its clave de rastreo names a recorded payment, same amount) is 'ya_registrado', never paid again.
ALTER TABLE movimientos_bancarios DROP CONSTRAINT movimientos_bancarios_estado_check;
ALTER TABLE movimientos_bancarios ADD CONSTRAINT movimientos_bancarios_estado_check
    CHECK (estado IN ('aplicado', 'pendiente', 'asignado', 'ya_registrado'));
