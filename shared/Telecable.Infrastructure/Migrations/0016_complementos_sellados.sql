-- 0016 (issue 17): a payment complement is sealed and stored before the first PAC call, so a retry after a
-- crash re-sends the very same XML (same Fecha, folio and Sello) and the PAC answers with the original stamp
-- (307) instead of stamping a second complement. 'sellado' = stored, not yet known to be stamped.
ALTER TABLE complementos_pago ADD COLUMN xml_sellado text;
ALTER TABLE complementos_pago DROP CONSTRAINT complementos_pago_estado_check;
ALTER TABLE complementos_pago ADD CONSTRAINT complementos_pago_estado_check CHECK (estado IN ('sellado', 'timbrado', 'cancelado'));
ALTER TABLE complementos_pago ADD CONSTRAINT ck_complementos_pago_sellado CHECK (estado <> 'sellado' OR xml_sellado IS NOT NULL);
