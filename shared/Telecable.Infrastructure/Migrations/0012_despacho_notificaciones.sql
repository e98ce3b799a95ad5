-- Notifications left 'pendiente' (outage notices, payment receipts) were never delivered. The dispatcher delivers
-- them through their channel; proximo_intento schedules the next attempt (retries with backoff) and, while an
-- attempt is in flight, holds a short claim so another host does not send the same message at the same time.
ALTER TABLE notificaciones ADD COLUMN proximo_intento timestamptz NOT NULL DEFAULT now();
CREATE INDEX ix_notificaciones_por_despachar ON notificaciones (proximo_intento) WHERE estado = 'pendiente';
