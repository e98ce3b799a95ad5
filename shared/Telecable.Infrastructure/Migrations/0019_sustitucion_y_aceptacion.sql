-- 0019 (issue 17): CFDI substitution, cancellation that waits for the receptor's acceptance, and the customer
-- attribute that decides whether the IEPS is itemized.

-- LIEPS art. 19 fr. II: the IEPS goes as its own traslado only for a receptor who is an IEPS taxpayer of the
-- service and asks for it; otherwise it is included in the price. Both must be true (ReglasFiscalesTelecom.DesglosaIeps).
ALTER TABLE clientes
    ADD COLUMN contribuyente_ieps_telecom boolean NOT NULL DEFAULT false,
    ADD COLUMN solicita_desglose_ieps     boolean NOT NULL DEFAULT false;

-- sustituye_id: the invoice this one replaces (CfdiRelacionados TipoRelacion 04); the original is then cancelled with
-- motive 01 naming this one. cancelacion_solicitada_en: when the cancellation was asked of the PAC (for one that
-- waits for the receptor's acceptance, estado 'cancelacion_pendiente').
ALTER TABLE facturas
    ADD COLUMN sustituye_id             uuid REFERENCES facturas (id),
    ADD COLUMN cancelacion_solicitada_en timestamptz;
ALTER TABLE facturas DROP CONSTRAINT facturas_estado_check;
ALTER TABLE facturas ADD CONSTRAINT facturas_estado_check
    CHECK (estado IN ('borrador', 'sellada', 'timbrada', 'error', 'cancelada', 'pagada', 'cancelacion_pendiente'));
ALTER TABLE facturas ADD CONSTRAINT ck_facturas_cancelacion_pendiente
    CHECK (estado <> 'cancelacion_pendiente' OR (uuid IS NOT NULL AND motivo_cancelacion IS NOT NULL AND cancelacion_solicitada_en IS NOT NULL));

-- A substitute bills the same contract and period as the invoice it replaces while that one is still in force (until
-- the PAC cancels it), so the one-live-invoice rule counts originals only. A run still sees the substitute (its
-- NOT EXISTS looks at any invoice not cancelled), so a substituted period is never billed again.
DROP INDEX ux_facturas_contrato_periodo;
CREATE UNIQUE INDEX ux_facturas_contrato_periodo ON facturas (contrato_id, periodo)
    WHERE contrato_id IS NOT NULL AND periodo IS NOT NULL AND estado <> 'cancelada' AND sustituye_id IS NULL;
-- One live substitute per invoice: a repeated or concurrent substitution resumes the same one.
CREATE UNIQUE INDEX ux_facturas_sustituye ON facturas (sustituye_id) WHERE sustituye_id IS NOT NULL AND estado <> 'cancelada';
CREATE INDEX ix_facturas_cancelacion_pendiente ON facturas (cancelacion_solicitada_en) WHERE estado = 'cancelacion_pendiente';

-- Emulated PAC: a cancellation that needs the receptor's acceptance stays 'en_proceso' until the receptor answers
-- (aceptada / rechazada) or the 72 hours pass without an answer (accepted, as SAT does).
ALTER TABLE pac_emulado_timbres
    ADD COLUMN cancelacion_solicitada_en timestamp,
    ADD COLUMN cancelacion_motivo        char(2),
    ADD COLUMN cancelacion_sustituto     text,
    ADD COLUMN respuesta_receptor        text CHECK (respuesta_receptor IN ('aceptada', 'rechazada')),
    ADD COLUMN respondida_en             timestamp;
