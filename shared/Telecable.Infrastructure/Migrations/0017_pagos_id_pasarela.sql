-- One gateway payment, one payment (issue 19): a gateway may send several events for one payment (a
-- retry under a new event id, charge.* after payment_intent.*); deduping on the event id alone credited
-- each of them. The provider's own payment identifier is unique per gateway.
ALTER TABLE pagos ADD COLUMN gateway_pago_id text;
-- Payments taken from webhooks carry the provider's payment id as their reference; only the first of a
-- repeated one keeps the key (the repeats already recorded stay as they are, for the operator to review).
UPDATE pagos p SET gateway_pago_id = p.referencia
WHERE p.gateway IS NOT NULL AND p.gateway_evento_id IS NOT NULL AND p.referencia IS NOT NULL
  AND p.id = (SELECT q.id FROM pagos q WHERE q.gateway = p.gateway AND q.referencia = p.referencia AND q.gateway_evento_id IS NOT NULL
              ORDER BY q.recibido_en, q.id LIMIT 1);
CREATE UNIQUE INDEX ux_pagos_gateway_pago ON pagos (gateway, gateway_pago_id) WHERE gateway_pago_id IS NOT NULL;
