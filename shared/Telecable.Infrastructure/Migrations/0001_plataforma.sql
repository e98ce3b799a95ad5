-- Platform tables every feature relies on: idempotency keys, the event outbox, received webhooks,
-- and the durable probe's ledger. Business tables start in 0002.

CREATE TABLE idempotencia (
    ambito            text        NOT NULL,               -- endpoint (+ caller) the key belongs to
    clave             text        NOT NULL CHECK (length(clave) BETWEEN 1 AND 255),
    huella_solicitud  bytea       NOT NULL,               -- SHA-256 of method, path and body
    estado            text        NOT NULL CHECK (estado IN ('en_curso', 'completada')),
    status_respuesta  int,
    tipo_contenido    text,
    cuerpo_respuesta  text,
    creada_en         timestamptz NOT NULL DEFAULT now(),
    completada_en     timestamptz,
    expira_en         timestamptz NOT NULL,               -- kept at least 24 h (IETF draft, Stripe)
    PRIMARY KEY (ambito, clave),
    CHECK (estado = 'en_curso' OR status_respuesta IS NOT NULL)
);
CREATE INDEX idempotencia_expira ON idempotencia (expira_en);

CREATE TABLE outbox (
    posicion      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    evento_id     uuid        NOT NULL UNIQUE,
    tipo          text        NOT NULL,
    agregado      text        NOT NULL,
    agregado_id   text        NOT NULL,
    datos         jsonb       NOT NULL,
    cid           text        NOT NULL,
    ocurrido_en   timestamptz NOT NULL,
    publicado_en  timestamptz,
    destino       text,                                   -- servicebus:<topic> or jsonl:<file>
    intentos      int         NOT NULL DEFAULT 0 CHECK (intentos >= 0),
    ultimo_error  text
);
-- The relay reads only what is pending, in order.
CREATE INDEX outbox_pendientes ON outbox (posicion) WHERE publicado_en IS NULL;
CREATE INDEX outbox_tipo ON outbox (tipo, posicion DESC);
CREATE INDEX outbox_agregado ON outbox (agregado, agregado_id);

-- Every webhook received, accepted or rejected, with the reason (auditors ask for both).
CREATE TABLE webhook_eventos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    gateway         text        NOT NULL,
    evento_id       text,
    recibido_en     timestamptz NOT NULL DEFAULT now(),
    aceptado        boolean     NOT NULL,
    motivo_rechazo  text,
    duplicado       boolean     NOT NULL DEFAULT false,
    cuerpo          text        NOT NULL,
    cid             text        NOT NULL,
    CHECK (aceptado OR motivo_rechazo IS NOT NULL)
);
-- Dedupe: one accepted, first delivery per gateway event id.
CREATE UNIQUE INDEX webhook_eventos_unico ON webhook_eventos (gateway, evento_id) WHERE aceptado AND NOT duplicado;
CREATE INDEX webhook_eventos_recibido ON webhook_eventos (recibido_en DESC);

-- Ledger of the durable probe (SondaDurable): each step records itself once, so a crash and
-- replay that re-runs an activity shows up as a second 'ejecuciones' count, never a second row.
CREATE TABLE sonda_pasos (
    instancia    text        NOT NULL,
    paso         int         NOT NULL CHECK (paso >= 0),
    ejecuciones  int         NOT NULL DEFAULT 1,
    cid          text        NOT NULL,
    registrado_en timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instancia, paso)
);
CREATE TABLE sonda_resultados (
    instancia     text        PRIMARY KEY,
    pasos         int         NOT NULL,
    completada_en timestamptz NOT NULL DEFAULT now()
);
