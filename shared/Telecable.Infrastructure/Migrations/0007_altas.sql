-- Onboarding saga record (issue 6): one row per AltaCliente instance, one per step, and an ordered
-- log of the compensations that actually undid something (tests assert their order from seq).

CREATE TABLE altas (
    id            text         PRIMARY KEY,                 -- the orchestration instance id
    estado        text         NOT NULL DEFAULT 'en_curso'
                               CHECK (estado IN ('en_curso', 'compensando', 'completada', 'fallida')),
    solicitud     jsonb        NOT NULL,
    actor         text         NOT NULL,
    cid           text,
    cliente_id    uuid         REFERENCES clientes (id),
    cliente_creado boolean     NOT NULL DEFAULT false,    -- false when an existing customer was reused by RFC
    contrato_id   uuid         REFERENCES contratos (id),
    ticket_id     uuid         REFERENCES tickets (id),
    tecnico_id    uuid         REFERENCES tecnicos (id),
    notificacion_id uuid       REFERENCES notificaciones (id),
    paso_fallido  text,
    motivo        text,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    updated_at    timestamptz  NOT NULL DEFAULT now(),
    terminada_en  timestamptz
);
CREATE INDEX ix_altas_cliente ON altas (cliente_id) WHERE cliente_id IS NOT NULL;
CREATE TRIGGER tr_altas_updated_at BEFORE UPDATE ON altas
    FOR EACH ROW EXECUTE FUNCTION tg_actualizar_updated_at();

CREATE TABLE altas_pasos (
    alta_id       text         NOT NULL REFERENCES altas (id),
    orden         smallint     NOT NULL,
    paso          text         NOT NULL,
    estado        text         NOT NULL DEFAULT 'pendiente'
                               CHECK (estado IN ('pendiente', 'completado', 'fallido', 'compensado')),
    detalle       text,
    intentos      integer      NOT NULL DEFAULT 0,
    actualizado_en timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alta_id, paso)
);

CREATE TABLE altas_compensaciones (
    seq           bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alta_id       text         NOT NULL REFERENCES altas (id),
    paso          text         NOT NULL,
    detalle       text         NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now(),
    UNIQUE (alta_id, paso)                                  -- a step is compensated once, whatever the retries
);

-- Failed compensation attempts (logged and retried by the orchestration; never dropped silently).
CREATE TABLE altas_compensaciones_fallidas (
    id            bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alta_id       text         NOT NULL REFERENCES altas (id),
    paso          text         NOT NULL,
    error         text         NOT NULL,
    created_at    timestamptz  NOT NULL DEFAULT now()
);

-- A notification sent on behalf of a process carries a key so a retried activity sends it once.
ALTER TABLE notificaciones ADD COLUMN clave text;
CREATE UNIQUE INDEX ux_notificaciones_clave ON notificaciones (clave) WHERE clave IS NOT NULL;
