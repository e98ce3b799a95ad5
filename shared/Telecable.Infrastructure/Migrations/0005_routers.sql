-- Routers (issue 7): outages, the previous state seen by the telemetry upsert, fleet queries.

-- The state the row had before the latest upsert, written by the upsert itself under the row lock
-- (SET estado_anterior = router_estado.estado): the ingestion learns "was offline" without a
-- separate read that a concurrent detector could invalidate.
ALTER TABLE router_estado ADD COLUMN estado_anterior text;

-- One row per outage. The partial unique index is what guarantees one open outage (and so one
-- ticket and one notification) per router, even when two detector runs or two hosts race.
CREATE TABLE router_desconexiones (
    id               uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    router_id        uuid         NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    ultimo_reporte   timestamptz  NOT NULL,
    detectada_en     timestamptz  NOT NULL,
    terminada_en     timestamptz,
    ticket_id        uuid         REFERENCES tickets (id),
    notificacion_id  uuid         REFERENCES notificaciones (id),
    CONSTRAINT ck_router_desconexiones_fin CHECK (terminada_en IS NULL OR terminada_en >= detectada_en)
);
CREATE UNIQUE INDEX ux_router_desconexiones_abierta ON router_desconexiones (router_id) WHERE terminada_en IS NULL;
CREATE INDEX ix_router_desconexiones_router ON router_desconexiones (router_id, detectada_en DESC);

-- The detector looks for routers not yet marked offline whose last report is older than the limit.
CREATE INDEX ix_router_estado_reportado_activos ON router_estado (reportado_en) WHERE estado <> 'fuera_de_linea';
