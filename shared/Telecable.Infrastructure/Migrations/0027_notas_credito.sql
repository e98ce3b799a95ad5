-- Credit notes (issue 20): CFDI de egreso (type E) related to a stamped invoice with TipoRelacion 01 (or 07 for an
-- applied advance). A note is sealed and stored ('sellada') in the same transaction that reserves its amount on the
-- invoice, before the first PAC call; every retry re-sends that stored XML and the PAC answers with the original
-- stamp (307), so a note is stamped exactly once. A PAC rejection ('rechazada') releases the reservation.
INSERT INTO series_folios (serie, descripcion, tipo_comprobante) VALUES ('NC', 'Notas de crédito', 'E')
ON CONFLICT (serie) DO NOTHING;

-- What stamped or sealed credit notes took off the invoice: balance = total - acreditado - payments applied.
ALTER TABLE facturas ADD COLUMN acreditado numeric(12,2) NOT NULL DEFAULT 0;
ALTER TABLE facturas ADD CONSTRAINT ck_facturas_acreditado CHECK (acreditado >= 0 AND acreditado <= total);

CREATE TABLE notas_credito (
    id              uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    factura_id      uuid           NOT NULL REFERENCES facturas (id),
    cliente_id      uuid           NOT NULL REFERENCES clientes (id),
    serie           text           NOT NULL REFERENCES series_folios (serie),
    folio           bigint         NOT NULL CHECK (folio > 0),
    -- The caller's Idempotency-Key (scoped by actor): a retry resumes this very note.
    clave           text           NOT NULL UNIQUE,
    tipo_relacion   char(2)        NOT NULL CHECK (tipo_relacion IN ('01', '07')),
    -- manual: back office; sla: outage credit; cortesia: goodwill adjustment.
    origen          text           NOT NULL DEFAULT 'manual' CHECK (origen IN ('manual', 'sla', 'cortesia')),
    motivo          text           NOT NULL CHECK (btrim(motivo) <> ''),
    subtotal        numeric(12,2)  NOT NULL CHECK (subtotal > 0),
    iva             numeric(12,2)  NOT NULL DEFAULT 0 CHECK (iva >= 0),
    ieps            numeric(12,2)  NOT NULL DEFAULT 0 CHECK (ieps >= 0),
    total           numeric(12,2)  NOT NULL CHECK (total > 0),
    estado          text           NOT NULL CHECK (estado IN ('sellada', 'timbrada', 'rechazada')),
    uuid            uuid           UNIQUE,
    xml_sellado     text           NOT NULL,
    xml_blob        text,
    error_codigo    text,
    error_mensaje   text,
    actor           text           NOT NULL,
    cid             text,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    timbrada_en     timestamptz,
    CONSTRAINT uq_notas_credito_serie_folio UNIQUE (serie, folio),
    CONSTRAINT ck_notas_credito_total CHECK (total = subtotal + iva + ieps),
    CONSTRAINT ck_notas_credito_timbre CHECK (estado <> 'timbrada' OR (uuid IS NOT NULL AND xml_blob IS NOT NULL))
);
CREATE INDEX ix_notas_credito_factura ON notas_credito (factura_id, created_at);
CREATE INDEX ix_notas_credito_cliente ON notas_credito (cliente_id, created_at DESC);
CREATE INDEX ix_notas_credito_selladas ON notas_credito (created_at) WHERE estado = 'sellada';

-- The base credited on each invoice line (so that explicit lines never credit a line twice).
CREATE TABLE nota_credito_conceptos (
    nota_id          uuid           NOT NULL REFERENCES notas_credito (id),
    numero_linea     smallint       NOT NULL CHECK (numero_linea >= 1),
    base             numeric(12,2)  NOT NULL CHECK (base > 0),
    ieps             numeric(12,2)  NOT NULL DEFAULT 0 CHECK (ieps >= 0),
    iva              numeric(12,2)  NOT NULL DEFAULT 0 CHECK (iva >= 0),
    PRIMARY KEY (nota_id, numero_linea)
);

-- Safety net of payments, now net of credit notes: what is applied never exceeds the invoice's total minus what was credited.
CREATE OR REPLACE FUNCTION tg_pago_aplicaciones_limites() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    aplicado_pago    numeric(14,2);
    aplicado_factura numeric(14,2);
BEGIN
    SELECT coalesce(sum(monto), 0) INTO aplicado_pago FROM pago_aplicaciones WHERE pago_id = NEW.pago_id;
    IF aplicado_pago > (SELECT monto FROM pagos WHERE id = NEW.pago_id) THEN
        RAISE EXCEPTION 'Lo aplicado del pago % (%) excede su monto', NEW.pago_id, aplicado_pago
            USING ERRCODE = 'check_violation';
    END IF;
    SELECT coalesce(sum(monto), 0) INTO aplicado_factura FROM pago_aplicaciones WHERE factura_id = NEW.factura_id;
    IF aplicado_factura > (SELECT total - acreditado FROM facturas WHERE id = NEW.factura_id) THEN
        RAISE EXCEPTION 'Lo aplicado a la factura % (%) excede su total neto de notas de crédito', NEW.factura_id, aplicado_factura
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
