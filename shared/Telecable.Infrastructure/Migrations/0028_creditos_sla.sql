-- SLA credits (issue 20). The rule is catalog data, per plan: an outage longer than sla_umbral_horas earns a credit
-- of sla_factor x (hours lost / hours of the month) of the period's invoice (Telecable.Domain.Facturacion.CreditoSla).
ALTER TABLE planes ADD COLUMN sla_umbral_horas numeric(6,2) NOT NULL DEFAULT 4 CHECK (sla_umbral_horas >= 0);
ALTER TABLE planes ADD COLUMN sla_factor numeric(5,2) NOT NULL DEFAULT 1 CHECK (sla_factor >= 0);

-- One row per closed outage of a contracted router, evaluated once (the unique key makes concurrent timers harmless):
-- no_aplica (below the threshold), pendiente (earned, waiting for the period's invoice), emitido (its credit note).
CREATE TABLE creditos_sla (
    id               uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    desconexion_id   uuid           NOT NULL UNIQUE REFERENCES router_desconexiones (id) ON DELETE CASCADE,
    cliente_id       uuid           NOT NULL REFERENCES clientes (id),
    contrato_id      uuid           NOT NULL REFERENCES contratos (id),
    periodo          date           NOT NULL CHECK (extract(day FROM periodo) = 1),
    horas            numeric(8,2)   NOT NULL CHECK (horas >= 0),
    umbral_horas     numeric(6,2)   NOT NULL,
    fraccion         numeric(9,6)   NOT NULL CHECK (fraccion >= 0 AND fraccion <= 1),
    estado           text           NOT NULL CHECK (estado IN ('no_aplica', 'pendiente', 'emitido')),
    -- The invoice the credit note goes to, fixed before the note is requested so a retry targets the same one.
    factura_id       uuid           REFERENCES facturas (id),
    monto            numeric(12,2),
    nota_credito_id  uuid           REFERENCES notas_credito (id),
    created_at       timestamptz    NOT NULL DEFAULT now(),
    emitido_en       timestamptz,
    CONSTRAINT ck_creditos_sla_emitido CHECK (estado <> 'emitido' OR nota_credito_id IS NOT NULL),
    CONSTRAINT ck_creditos_sla_no_aplica CHECK (estado <> 'no_aplica' OR fraccion = 0)
);
CREATE INDEX ix_creditos_sla_pendientes ON creditos_sla (created_at) WHERE estado = 'pendiente';
CREATE INDEX ix_creditos_sla_cliente ON creditos_sla (cliente_id, created_at DESC);
