-- After the load, once the sagas have ended (or the wait for them ran out): proves from the database that each sign-up sent (the
-- driver's CSV on standard input: key, RFC, status or empty when the run ended before its answer, alta
-- id when 202) made at most one alta, customer, contract and installation ticket, every accepted one
-- exactly one, and the re-sends nothing. One line per check: check | found | expected | ok or FAIL.
\set ON_ERROR_STOP on
CREATE TEMP TABLE enviadas (clave text PRIMARY KEY, rfc text NOT NULL, status int, alta_id text);
\copy enviadas FROM pstdin WITH (FORMAT csv)
-- The alta id the server derives from the key (ServicioAltas.IdPara, anonymous caller).
ALTER TABLE enviadas ADD COLUMN id_esperado text;
UPDATE enviadas SET id_esperado = 'alta-' || left(encode(sha256(convert_to('publico' || E'\n' || clave, 'UTF8')), 'hex'), 32);

CREATE TEMP VIEW clientes_carga AS SELECT c.* FROM clientes c JOIN enviadas e USING (rfc);
CREATE TEMP VIEW contratos_carga AS SELECT k.* FROM contratos k JOIN clientes_carga c ON c.id = k.cliente_id;

WITH chequeos (orden, chequeo, hallado, esperado) AS (
  VALUES
  (1, 'new sign-ups sent, each its own key and RFC', (SELECT count(DISTINCT rfc) FROM enviadas), (SELECT count(*) FROM enviadas)),
  (2, 'accepted (202) answered with the id of their key', (SELECT count(*) FROM enviadas WHERE status = 202 AND alta_id = id_esperado),
                                                         (SELECT count(*) FROM enviadas WHERE status = 202)),
  (3, 'accepted sign-ups with their alta', (SELECT count(*) FROM enviadas e JOIN altas a ON a.id = e.id_esperado WHERE e.status = 202),
                                          (SELECT count(*) FROM enviadas WHERE status = 202)),
  (4, 'altas from no key sent (a re-send started another)', (SELECT count(*) FROM altas a WHERE NOT EXISTS (SELECT 1 FROM enviadas e WHERE e.id_esperado = a.id)), 0),
  (5, 'RFCs with more than one alta', (SELECT count(*) FROM (SELECT 1 FROM altas GROUP BY solicitud->'cliente'->>'rfc' HAVING count(*) > 1) x), 0),
  (6, 'RFCs with more than one customer', (SELECT count(*) FROM (SELECT 1 FROM clientes_carga GROUP BY rfc HAVING count(*) > 1) x), 0),
  -- Over ended sagas only: a running one may have created its customer and not yet linked it.
  (7, 'customers of ended altas = ended altas past the customer step', (SELECT count(*) FROM clientes_carga c JOIN enviadas e USING (rfc)
                                                          JOIN altas a ON a.id = e.id_esperado WHERE a.estado IN ('completada', 'fallida')),
                                                         (SELECT count(*) FROM altas WHERE cliente_id IS NOT NULL AND estado IN ('completada', 'fallida'))),
  (8, 'customers with more than one contract', (SELECT count(*) FROM (SELECT 1 FROM contratos_carga GROUP BY cliente_id HAVING count(*) > 1) x), 0),
  (9, 'contracts with more than one installation ticket', (SELECT count(*) FROM (SELECT 1 FROM tickets t JOIN contratos_carga k ON k.id = t.contrato_id
                                                          WHERE t.tipo = 'instalacion' GROUP BY t.contrato_id HAVING count(*) > 1) x), 0),
  (10, 'altas with more than one welcome message', (SELECT count(*) FROM (SELECT 1 FROM notificaciones n JOIN enviadas e ON n.clave = e.id_esperado || ':bienvenida'
                                                          GROUP BY n.clave HAVING count(*) > 1) x), 0)
)
SELECT chequeo, hallado, esperado, CASE WHEN hallado = esperado THEN 'ok' ELSE 'FAIL' END FROM chequeos ORDER BY orden;
