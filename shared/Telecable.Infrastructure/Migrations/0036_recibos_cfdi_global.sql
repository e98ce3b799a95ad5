-- Issue 20: customers without an RFC ("no necesita factura": RFC XAXX010101000) are billed with a receipt (nota de venta)
-- instead of an individual CFDI, and the receipts of a month go into one global CFDI to "PUBLICO EN GENERAL" with
-- InformacionGlobal (docs/facturacion.md, "Recibos y CFDI global").
--
-- A receipt is a row of facturas with tipo_documento 'recibo' (serie NV, its own gap-free folios): it is paid, reminded
-- and counted like an invoice, but it is never sent to the PAC, so it is issued ('timbrada' = issued and payable) without
-- a UUID. cfdi_global_id says which global CFDI includes it (NULL: not yet in one, so the customer may still ask for an
-- invoice of their own).
INSERT INTO series_folios (serie, descripcion, tipo_comprobante) VALUES
    ('NV', 'Notas de venta (recibos sin CFDI individual)', 'I'),
    ('G', 'CFDI global a público en general', 'I')
ON CONFLICT (serie) DO NOTHING;

CREATE TABLE cfdi_globales (
    id              uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    -- SAT c_Periodicidad (04 mensual) and c_Meses (01-12), InformacionGlobal/@Año.
    periodicidad    char(2)        NOT NULL CHECK (periodicidad IN ('01', '02', '03', '04', '05')),
    meses           char(2)        NOT NULL CHECK (meses ~ '^(0[1-9]|1[0-8])$'),
    anio            smallint       NOT NULL CHECK (anio >= 2019),
    -- The month it covers (first day), for listing.
    periodo         date           NOT NULL CHECK (extract(day FROM periodo) = 1),
    serie           text           NOT NULL REFERENCES series_folios (serie),
    folio           bigint         NOT NULL CHECK (folio > 0),
    recibos         integer        NOT NULL CHECK (recibos > 0),
    subtotal        numeric(14,2)  NOT NULL CHECK (subtotal >= 0),
    descuento       numeric(14,2)  NOT NULL DEFAULT 0 CHECK (descuento >= 0),
    iva             numeric(14,2)  NOT NULL DEFAULT 0 CHECK (iva >= 0),
    ieps            numeric(14,2)  NOT NULL DEFAULT 0 CHECK (ieps >= 0),
    total           numeric(14,2)  NOT NULL CHECK (total >= 0),
    -- sellada: content fixed (receipts, Fecha, folio) and sealed before the first PAC call; every retry re-sends this XML.
    estado          text           NOT NULL CHECK (estado IN ('sellada', 'timbrada', 'rechazada')),
    xml_sellado     text           NOT NULL,
    uuid            uuid           UNIQUE,
    xml_blob        text,
    -- Issued after SAT's deadline (24 hours after the period closes): still issued, but flagged for the accountant.
    fuera_de_plazo  boolean        NOT NULL DEFAULT false,
    error_codigo    text,
    error_mensaje   text,
    actor           text           NOT NULL,
    cid             text,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    timbrada_en     timestamptz,
    CONSTRAINT uq_cfdi_globales_serie_folio UNIQUE (serie, folio),
    CONSTRAINT ck_cfdi_globales_total CHECK (total = subtotal - descuento + iva + ieps),
    CONSTRAINT ck_cfdi_globales_timbre CHECK (estado <> 'timbrada' OR (uuid IS NOT NULL AND xml_blob IS NOT NULL))
);
-- Exactly one live global CFDI per period (a rejected one gives the period back).
CREATE UNIQUE INDEX ux_cfdi_globales_periodo ON cfdi_globales (periodicidad, anio, meses) WHERE estado <> 'rechazada';
CREATE INDEX ix_cfdi_globales_selladas ON cfdi_globales (created_at) WHERE estado = 'sellada';

ALTER TABLE facturas ADD COLUMN tipo_documento text NOT NULL DEFAULT 'cfdi' CHECK (tipo_documento IN ('cfdi', 'recibo'));
ALTER TABLE facturas ADD COLUMN cfdi_global_id uuid REFERENCES cfdi_globales (id);
ALTER TABLE facturas ADD CONSTRAINT ck_facturas_global_solo_recibos CHECK (cfdi_global_id IS NULL OR tipo_documento = 'recibo');
-- A receipt is issued without a UUID of its own; a CFDI still needs one to be timbrada or pagada.
ALTER TABLE facturas DROP CONSTRAINT ck_facturas_timbre;
ALTER TABLE facturas ADD CONSTRAINT ck_facturas_timbre
    CHECK (estado NOT IN ('timbrada', 'pagada') OR uuid IS NOT NULL OR tipo_documento = 'recibo');
-- The receipts a global CFDI may still take (issued, not yet in a global), by date of issue.
CREATE INDEX ix_facturas_recibos_sin_global ON facturas (fecha_emision)
    WHERE tipo_documento = 'recibo' AND cfdi_global_id IS NULL;
CREATE INDEX ix_facturas_cfdi_global ON facturas (cfdi_global_id, folio) WHERE cfdi_global_id IS NOT NULL;
