-- Refunds and chargebacks (issue 19). A provider's refund or dispute event records one reversal per payment
-- (the first one wins; a dispute after a refund is recorded in webhook_eventos and changes nothing). The
-- reversal is carried out by the IniciarReversosPago timer: the payment complement is cancelled at the PAC
-- (motive 02), the applications are removed so the invoices' balances reopen, the credit it left is debited,
-- and the payment ends 'reembolsado' or 'contracargado'. A partial refund goes to manual review (the
-- complement must then be re-issued for what remains, which an operator decides).
ALTER TABLE pagos DROP CONSTRAINT pagos_estado_check;
ALTER TABLE pagos ADD CONSTRAINT pagos_estado_check
    CHECK (estado IN ('pendiente', 'confirmado', 'aplicado', 'rechazado', 'reembolsado', 'contracargado'));

CREATE TABLE pago_reversos (
    pago_id       uuid           PRIMARY KEY REFERENCES pagos (id),
    tipo          text           NOT NULL CHECK (tipo IN ('reembolso', 'contracargo')),
    gateway       text           NOT NULL,
    evento_id     text           NOT NULL,
    monto         numeric(12,2)  NOT NULL CHECK (monto > 0),
    estado        text           NOT NULL DEFAULT 'pendiente' CHECK (estado IN ('pendiente', 'aplicado', 'revision_manual')),
    motivo        text,
    recibido_en   timestamptz    NOT NULL,
    procesado_en  timestamptz,
    cid           text
);
CREATE INDEX ix_pago_reversos_pendientes ON pago_reversos (recibido_en) WHERE estado = 'pendiente';
