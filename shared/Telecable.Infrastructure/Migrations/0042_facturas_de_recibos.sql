-- Issue 20: a customer who later asks for their own invoice of a receipt (nota de venta) gets an individual CFDI I for it,
-- only while the receipt is not yet in a global CFDI (ReglasCfdiGlobal.MotivoNoFacturable; docs/facturacion.md, "Factura de un
-- recibo"). The CFDI is reserved and sealed here before the first PAC call (estado 'sellada', xml_sellado), stamped once through
-- ITimbradoUnico, and the receipt points to it (facturas.factura_de_recibo_id) in the same transaction, so the month's global
-- CFDI never takes it: a receipt is either reported in a global CFDI or invoiced on its own, never both (a CHECK says so).
CREATE TABLE facturas_de_recibos (
    id               uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    recibo_id        uuid           NOT NULL REFERENCES facturas (id),
    cliente_id       uuid           NOT NULL REFERENCES clientes (id),
    serie            text           NOT NULL REFERENCES series_folios (serie),
    folio            bigint         NOT NULL CHECK (folio > 0),
    receptor_rfc     text           NOT NULL,
    receptor_nombre  text           NOT NULL,
    receptor_regimen char(3)        NOT NULL,
    receptor_cp      char(5)        NOT NULL,
    uso_cfdi         text           NOT NULL,
    forma_pago       char(2)        NOT NULL,
    metodo_pago      char(3)        NOT NULL,
    subtotal         numeric(14,2)  NOT NULL CHECK (subtotal >= 0),
    descuento        numeric(14,2)  NOT NULL DEFAULT 0 CHECK (descuento >= 0),
    iva              numeric(14,2)  NOT NULL DEFAULT 0 CHECK (iva >= 0),
    ieps             numeric(14,2)  NOT NULL DEFAULT 0 CHECK (ieps >= 0),
    total            numeric(14,2)  NOT NULL CHECK (total >= 0),
    -- sellada: content fixed and sealed before the first PAC call; every retry re-sends this XML (the PAC answers 307).
    estado           text           NOT NULL CHECK (estado IN ('sellada', 'timbrada', 'rechazada')),
    xml_sellado      text           NOT NULL,
    uuid             uuid           UNIQUE,
    xml_blob         text,
    -- The caller's Idempotency-Key (scoped by actor): the same request resumes this CFDI; another one gets 409.
    clave            text           NOT NULL,
    actor            text           NOT NULL,
    cid              text,
    error_codigo     text,
    error_mensaje    text,
    created_at       timestamptz    NOT NULL DEFAULT now(),
    timbrada_en      timestamptz,
    CONSTRAINT uq_facturas_de_recibos_serie_folio UNIQUE (serie, folio),
    CONSTRAINT ck_facturas_de_recibos_total CHECK (total = subtotal - descuento + iva + ieps),
    CONSTRAINT ck_facturas_de_recibos_timbre CHECK (estado <> 'timbrada' OR (uuid IS NOT NULL AND xml_blob IS NOT NULL))
);
-- One live CFDI per receipt (a rejected one gives the receipt back).
CREATE UNIQUE INDEX ux_facturas_de_recibos_recibo ON facturas_de_recibos (recibo_id) WHERE estado <> 'rechazada';
CREATE INDEX ix_facturas_de_recibos_selladas ON facturas_de_recibos (created_at) WHERE estado = 'sellada';

ALTER TABLE facturas ADD COLUMN factura_de_recibo_id uuid REFERENCES facturas_de_recibos (id);
ALTER TABLE facturas ADD CONSTRAINT ck_facturas_recibo_facturado
    CHECK (factura_de_recibo_id IS NULL OR (tipo_documento = 'recibo' AND cfdi_global_id IS NULL));

-- The global CFDI takes only receipts nobody asked an invoice for.
DROP INDEX ix_facturas_recibos_sin_global;
CREATE INDEX ix_facturas_recibos_sin_global ON facturas (fecha_emision)
    WHERE tipo_documento = 'recibo' AND cfdi_global_id IS NULL AND factura_de_recibo_id IS NULL;
