-- Operations page (issue 23): one sample a minute of the figures an on-call engineer watches, taken by
-- the MuestrearOperacion timer. State (outbox backlog, pending notifications, routers offline) has no
-- history of its own in the business tables, so the page charts these samples; the same rows serve
-- local runs and Azure, where there is no Prometheus. Pruned by age by the same timer.
CREATE TABLE operacion_muestras (
    tomada_en  timestamptz PRIMARY KEY,
    datos      jsonb       NOT NULL
);
