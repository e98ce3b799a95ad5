-- Settlements that arrive (issue 19): each finding of a reconciliation gets the operator's decision from the billing
-- portal: 'aceptado' (the difference is understood: a fee, a rounding, a late settlement) or 'en_investigacion'.
-- The settlement file each run came from (blob name) is kept for the audit trail.
ALTER TABLE conciliacion_hallazgos
    ADD COLUMN resolucion   text CHECK (resolucion IN ('aceptado', 'en_investigacion')),
    ADD COLUMN nota         text,
    ADD COLUMN resuelto_por text,
    ADD COLUMN resuelto_en  timestamptz;
ALTER TABLE conciliaciones ADD COLUMN archivo text;

-- Bank statement import (issue 19): transfers that arrive outside the aggregator (to the ISP's own account at BBVA,
-- Banorte...). Each credit line of an imported statement is kept once (clave: bank, date, reference, amount and its
-- occurrence in the file, so re-importing a statement adds nothing). A line whose reference names an open invoice
-- (its folio) for exactly its balance becomes a payment at once ('aplicado'); any other waits in 'pendiente' for an
-- operator to assign it to a customer ('asignado').
CREATE TABLE movimientos_bancarios (
    id            uuid           PRIMARY KEY,
    banco         text           NOT NULL,
    fecha         date           NOT NULL,
    concepto      text           NOT NULL,
    referencia    text           NOT NULL,
    monto         numeric(12,2)  NOT NULL CHECK (monto > 0),
    clave         text           NOT NULL UNIQUE,
    estado        text           NOT NULL CHECK (estado IN ('aplicado', 'pendiente', 'asignado')),
    pago_id       uuid           REFERENCES pagos (id),
    importado_en  timestamptz    NOT NULL,
    asignado_por  text,
    asignado_en   timestamptz,
    cid           text,
    CONSTRAINT ck_movimientos_bancarios_pago CHECK (estado = 'pendiente' OR pago_id IS NOT NULL)
);
CREATE INDEX ix_movimientos_bancarios_pendientes ON movimientos_bancarios (fecha, id) WHERE estado = 'pendiente';
