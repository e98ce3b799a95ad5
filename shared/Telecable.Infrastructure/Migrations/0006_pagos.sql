-- Payments (issue 5): the invoices a payment was meant for, payment complements (CFDI type P),
-- reconciliation runs with their findings, and the saga's compensation ledger.

-- Invoices the payer named, in order; empty = oldest open invoices of the customer first.
ALTER TABLE pagos ADD COLUMN facturas_solicitadas uuid[] NOT NULL DEFAULT '{}';
-- Reconciliation matches the gateway's payment reference; only gateway payments are reconciled.
CREATE INDEX ix_pagos_gateway_recibido ON pagos (gateway, recibido_en) WHERE gateway IS NOT NULL;

-- One payment complement (Pagos 2.0) per payment that paid PPD invoices.
CREATE TABLE complementos_pago (
    pago_id      uuid         PRIMARY KEY REFERENCES pagos (id),
    serie        text         NOT NULL,
    folio        bigint       NOT NULL,
    uuid         uuid         UNIQUE,
    xml_blob     text         NOT NULL,
    estado       text         NOT NULL CHECK (estado IN ('timbrado', 'cancelado')),
    created_at   timestamptz  NOT NULL DEFAULT now(),
    cancelado_en timestamptz
);

-- A reconciliation run per gateway and settlement day: the unique key makes two hosts firing at the
-- same time run it once.
CREATE TABLE conciliaciones (
    id                  uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    gateway             text         NOT NULL,
    periodo             date         NOT NULL,
    estado              text         NOT NULL CHECK (estado IN ('completada')),
    movimientos_reporte int          NOT NULL,
    pagos_sistema       int          NOT NULL,
    coincidencias       int          NOT NULL,
    faltantes_sistema   int          NOT NULL,
    faltantes_pasarela  int          NOT NULL,
    diferencias_monto   int          NOT NULL,
    duplicados_reporte  int          NOT NULL,
    cid                 text,
    ejecutada_en        timestamptz  NOT NULL DEFAULT now(),
    UNIQUE (gateway, periodo)
);
CREATE INDEX ix_conciliaciones_ejecutada ON conciliaciones (ejecutada_en DESC);

CREATE TABLE conciliacion_hallazgos (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conciliacion_id  uuid          NOT NULL REFERENCES conciliaciones (id) ON DELETE CASCADE,
    tipo             text          NOT NULL CHECK (tipo IN ('faltante_en_sistema', 'faltante_en_pasarela', 'diferencia_monto', 'duplicado_en_reporte')),
    referencia       text          NOT NULL,
    pago_id          uuid          REFERENCES pagos (id),
    monto_pasarela   numeric(12,2),
    monto_sistema    numeric(12,2)
);
CREATE INDEX ix_conciliacion_hallazgos ON conciliacion_hallazgos (conciliacion_id, tipo);

-- What each ProcesarPago step changed, so that its compensation undoes exactly that.
CREATE TABLE pago_reactivaciones (
    pago_id      uuid         NOT NULL REFERENCES pagos (id),
    contrato_id  uuid         NOT NULL REFERENCES contratos (id),
    revertida    boolean      NOT NULL DEFAULT false,
    PRIMARY KEY (pago_id, contrato_id)
);
ALTER TABLE notificaciones ADD COLUMN pago_id uuid REFERENCES pagos (id);
CREATE UNIQUE INDEX ux_notificaciones_pago ON notificaciones (pago_id) WHERE pago_id IS NOT NULL;
