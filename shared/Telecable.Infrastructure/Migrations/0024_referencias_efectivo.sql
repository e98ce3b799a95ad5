-- Cash payment references (issue 19, OXXO Pay style): one reference pays one amount once, for an invoice or for
-- an amount on account, until it expires. The payment it produces has gateway = proveedor and
-- gateway_pago_id = referencia (ux_pagos_gateway_pago), so a reference can never credit twice.
CREATE SEQUENCE referencia_efectivo_secuencia;

CREATE TABLE referencias_efectivo (
    id          uuid           PRIMARY KEY,
    proveedor   text           NOT NULL,
    referencia  text           NOT NULL UNIQUE CHECK (referencia ~ '^[0-9]{14}$'),
    cliente_id  uuid           NOT NULL REFERENCES clientes (id),
    factura_id  uuid           REFERENCES facturas (id),
    monto       numeric(12,2)  NOT NULL CHECK (monto > 0),
    estado      text           NOT NULL DEFAULT 'vigente' CHECK (estado IN ('vigente', 'pagada', 'vencida')),
    vence_en    timestamptz    NOT NULL,
    creada_en   timestamptz    NOT NULL,
    pago_id     uuid           REFERENCES pagos (id),
    cerrada_en  timestamptz,
    cid         text,
    CONSTRAINT ck_referencias_pagada CHECK (estado <> 'pagada' OR pago_id IS NOT NULL)
);
CREATE INDEX ix_referencias_efectivo_cliente ON referencias_efectivo (cliente_id, creada_en DESC);
-- The expiry timer scans only the open ones.
CREATE INDEX ix_referencias_efectivo_vigentes ON referencias_efectivo (vence_en) WHERE estado = 'vigente';
