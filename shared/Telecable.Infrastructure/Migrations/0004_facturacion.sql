-- 0004_facturacion: what billing runs and mass stamping need beyond 0002.

-- Receptor as it was when the invoice was generated. Sealing is deterministic (PKCS#1 v1.5), so a
-- CFDI re-sealed after a crash from these columns yields the same Sello and the PAC answers 307 with
-- the original UUID instead of stamping a second time. Refreshed only for invoices never stamped
-- (reintentar of estado 'error').
ALTER TABLE facturas
    ADD COLUMN receptor_rfc      text,
    ADD COLUMN receptor_nombre   text,
    ADD COLUMN receptor_regimen  char(3),
    ADD COLUMN receptor_cp       char(5),
    ADD COLUMN sello             text;

-- Progress query of a run: counts by estado and error code.
CREATE INDEX ix_facturas_corrida_error ON facturas (corrida_id, error_codigo) WHERE corrida_id IS NOT NULL AND estado = 'error';

-- Durable memory of the emulated PAC (PAC_MODE=emulated only; a real PAC keeps its own): a re-sent CFDI
-- (same Sello) gets its original stamp even after a host restart, and cancellations survive restarts.
CREATE TABLE pac_emulado_timbres (
    clave_sello     text         PRIMARY KEY,
    uuid            text         NOT NULL UNIQUE,
    rfc_emisor      text         NOT NULL,
    fecha_timbrado  timestamp    NOT NULL,
    xml             text         NOT NULL,
    cancelado_en    timestamp,
    created_at      timestamptz  NOT NULL DEFAULT now()
);

-- Progress counters of a run's last execution (reintentos bump it).
ALTER TABLE corridas_facturacion
    ADD COLUMN ejecuciones integer NOT NULL DEFAULT 0 CHECK (ejecuciones >= 0);
