-- Billing cycles (issue 18): each contract bills on its cut-off day with proration to the day, plan changes
-- mid-cycle, optional late fee per plan, credit balance applied to the next invoice. Rules: Domain/Facturacion/CicloFacturacion.cs.

-- The cut-off days a customer may choose at sign-up (the catalog's allowed days; existing contracts keep theirs).
CREATE TABLE dias_corte_permitidos (
    dia  smallint  PRIMARY KEY CHECK (dia BETWEEN 1 AND 28)
);
INSERT INTO dias_corte_permitidos (dia) VALUES (1), (5), (10), (15), (20), (25);

-- Days after the cut-off to pay (due date = cut-off + dias_pago) and the optional late fee (before taxes).
ALTER TABLE planes ADD COLUMN dias_pago smallint NOT NULL DEFAULT 10 CHECK (dias_pago BETWEEN 0 AND 60);
ALTER TABLE planes ADD COLUMN recargo_mora numeric(12,2) CHECK (recargo_mora > 0);

-- A daily run bills the cycles whose cut-off is on or before this date (catching up a missed day); NULL = a
-- manual run of the whole period.
ALTER TABLE corridas_facturacion ADD COLUMN fecha_corte date;

-- The days an invoice covers (NULL on invoices from before cycles: the whole calendar month).
ALTER TABLE facturas ADD COLUMN ciclo_desde date;
ALTER TABLE facturas ADD COLUMN ciclo_hasta date;
ALTER TABLE facturas ADD CONSTRAINT ck_facturas_ciclo CHECK (ciclo_hasta IS NULL OR ciclo_hasta >= ciclo_desde);

-- Plan changes: immediate ones are applied at once and their prorated difference moves to cargos_pendientes or the
-- credit ledger; deferred ones (downgrade at the next cut-off) wait here until billing applies them.
CREATE TABLE cambios_plan (
    id              uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    contrato_id     uuid           NOT NULL REFERENCES contratos (id),
    plan_id         uuid           REFERENCES planes (id),
    combo_id        uuid           REFERENCES combos (id),
    promocion_id    uuid           REFERENCES promociones (id),
    precio_pactado  numeric(12,2)  NOT NULL CHECK (precio_pactado >= 0),
    precio_anterior numeric(12,2)  NOT NULL CHECK (precio_anterior >= 0),
    modo            text           NOT NULL CHECK (modo IN ('inmediato', 'siguiente_corte')),
    efectivo_desde  date           NOT NULL,
    credito         numeric(12,2)  NOT NULL DEFAULT 0 CHECK (credito >= 0),
    cargo           numeric(12,2)  NOT NULL DEFAULT 0 CHECK (cargo >= 0),
    aplicado_en     timestamptz,
    solicitado_por  text           NOT NULL,
    cid             text,
    created_at      timestamptz    NOT NULL DEFAULT now(),
    CONSTRAINT ck_cambios_plan_uno CHECK (num_nonnulls(plan_id, combo_id) = 1)
);
-- One pending deferred change per contract (a new one replaces it by cancelling the old, not by piling up).
CREATE UNIQUE INDEX ux_cambios_plan_pendiente ON cambios_plan (contrato_id) WHERE aplicado_en IS NULL;

-- Charges that travel on the contract's next invoice as extra lines (before taxes): a late fee, the prorated
-- difference of an immediate upgrade. factura_id is set in the transaction that generates that invoice.
CREATE TABLE cargos_pendientes (
    id              uuid           PRIMARY KEY DEFAULT gen_random_uuid(),
    contrato_id     uuid           NOT NULL REFERENCES contratos (id),
    plan_id         uuid           NOT NULL REFERENCES planes (id),
    origen          text           NOT NULL CHECK (origen IN ('recargo_mora', 'cambio_plan')),
    -- The late invoice (recargo_mora) or the plan change (cambio_plan): one charge per origin.
    origen_id       uuid           NOT NULL,
    concepto        text           NOT NULL CHECK (btrim(concepto) <> ''),
    importe         numeric(12,2)  NOT NULL CHECK (importe > 0),
    factura_id      uuid           REFERENCES facturas (id),
    created_at      timestamptz    NOT NULL DEFAULT now(),
    UNIQUE (origen, origen_id)
);
CREATE INDEX ix_cargos_pendientes_contrato ON cargos_pendientes (contrato_id) WHERE factura_id IS NULL;

-- Credit balance (movimientos_saldo) earmarked for an invoice when it is generated. SAT: the credit is applied with
-- a CFDI de egreso related to that invoice (TipoRelacion 07 for an advance/overpayment, 01 for a bonus such as a
-- downgrade's unused days), issued by the credit-note work; until then the application is 'pendiente_cfdi'.
CREATE TABLE aplicaciones_saldo (
    factura_id   uuid           PRIMARY KEY REFERENCES facturas (id),
    cliente_id   uuid           NOT NULL REFERENCES clientes (id),
    monto        numeric(12,2)  NOT NULL CHECK (monto > 0),
    estado       text           NOT NULL DEFAULT 'pendiente_cfdi' CHECK (estado IN ('pendiente_cfdi', 'aplicada')),
    created_at   timestamptz    NOT NULL DEFAULT now()
);
