-- Where a sign-up saga's time goes, over the sagas that completed: for each step, the wait before it (from the alta's
-- record, or the previous step's end, to this step's start: the durable queues and the orchestrator's turn) and its own
-- work (its last attempt's start to its end: the step's database work and the services it calls); then the wait from the
-- last step to the saga's end. p50 / p95 / mean in seconds, and the share of the mean saga each part takes.
\set ON_ERROR_STOP on
WITH p AS (
  SELECT s.alta_id, s.orden, s.paso, s.iniciado_en, s.actualizado_en,
         coalesce(lag(s.actualizado_en) OVER (PARTITION BY s.alta_id ORDER BY s.orden), a.created_at) AS previo
  FROM altas_pasos s JOIN altas a ON a.id = s.alta_id
  WHERE a.estado = 'completada' AND s.iniciado_en IS NOT NULL
), partes AS (
  SELECT orden * 2 AS o, 'wait before ' || paso AS parte, extract(epoch FROM iniciado_en - previo) AS s FROM p
  UNION ALL SELECT orden * 2 + 1, paso || ' (its own work)', extract(epoch FROM actualizado_en - iniciado_en) FROM p
  UNION ALL SELECT 100, 'wait to the end (TerminarAlta)', extract(epoch FROM a.terminada_en - u.fin)
  FROM altas a JOIN LATERAL (SELECT max(actualizado_en) fin FROM altas_pasos WHERE alta_id = a.id) u ON true WHERE a.estado = 'completada'
), total AS (SELECT sum(s) t FROM partes)
SELECT parte, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 3) AS p50,
       round(percentile_cont(0.95) WITHIN GROUP (ORDER BY s)::numeric, 3) AS p95, round(avg(s)::numeric, 3) AS media,
       round((100 * sum(s) / nullif((SELECT t FROM total), 0))::numeric, 1) || ' %' AS parte_del_total
FROM partes GROUP BY o, parte ORDER BY o;
