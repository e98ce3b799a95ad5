-- Collections (dunning): nobody was reminded of an unpaid invoice and suspension was only a manual PATCH.
-- Each stage of an open invoice happens once (primary key), even across timer retries, hosts and crashes.
CREATE TABLE cobranza_etapas (
    factura_id   uuid         NOT NULL REFERENCES facturas (id),
    etapa        text         NOT NULL CHECK (etapa IN ('recordatorio_previo', 'recordatorio_vencimiento', 'recordatorio_vencida', 'suspension')),
    ocurrida_en  timestamptz  NOT NULL DEFAULT now(),
    cid          text,
    PRIMARY KEY (factura_id, etapa)
);

-- A promise to pay holds automatic suspension until its date; who granted it and why are kept.
CREATE TABLE promesas_pago (
    id              uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    cliente_id      uuid         NOT NULL REFERENCES clientes (id),
    hasta           date         NOT NULL,
    motivo          text         NOT NULL CHECK (btrim(motivo) <> '' AND length(motivo) <= 500),
    registrada_por  text         NOT NULL,
    cid             text,
    created_at      timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX ix_promesas_pago_cliente ON promesas_pago (cliente_id, hasta DESC);

-- Days after the due date before an unpaid service is suspended, per plan (Splynx/WispHub call it grace).
ALTER TABLE planes ADD COLUMN dias_gracia smallint NOT NULL DEFAULT 5 CHECK (dias_gracia BETWEEN 0 AND 90);

-- Suspension and reactivation reach the router as commands in the answer to its next report (as resets do),
-- and a suspended router says so in its reports.
ALTER TABLE router_comandos DROP CONSTRAINT router_comandos_tipo_check;
ALTER TABLE router_comandos ADD CONSTRAINT router_comandos_tipo_check
    CHECK (tipo IN ('reiniciar', 'restablecer_fabrica', 'actualizar_firmware', 'suspender', 'reactivar'));
ALTER TABLE router_estado DROP CONSTRAINT router_estado_estado_check;
ALTER TABLE router_estado ADD CONSTRAINT router_estado_estado_check
    CHECK (estado IN ('en_linea', 'degradado', 'fuera_de_linea', 'reiniciando', 'suspendido'));
ALTER TABLE router_estado_historial DROP CONSTRAINT router_estado_historial_estado_check;
ALTER TABLE router_estado_historial ADD CONSTRAINT router_estado_historial_estado_check
    CHECK (estado IN ('en_linea', 'degradado', 'fuera_de_linea', 'reiniciando', 'suspendido'));
