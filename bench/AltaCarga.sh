#!/usr/bin/env bash
# Customer sign-up load test (not a test suite, but it fails on incorrect results): starts the local host
# as a process on a free port with a fresh database (demo seed), drives POST /api/altas with autocannon
# (bench/AltaCarga/carga.mjs: unique customers, an Idempotency-Key each, 10 % re-sent with the same key
# and body) from C connections for S seconds, waits for the AltaCliente sagas to end (at most 5 s per
# second of load plus 60 s), then proves from PostgreSQL that each key made at most one alta, customer,
# contract and ticket, each accepted one exactly one (bench/AltaCarga/verificar.sql). Exits non-zero on
# any 5xx, any duplicate or a re-send not answered with the stored response; speed (including sagas
# still running when the wait ends) is printed, never judged. Output also in reports/bench/alta-carga.txt.
#   bench/AltaCarga.sh [segundos=60] [conexiones=32] [InMemory|AzureStorage=AzureStorage]
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
cd "$RAIZ"
. scripts/test-env.sh >/dev/null
instalar_npm
SEGUNDOS="${1:-60}"; CONEXIONES="${2:-32}"; BACKEND="${3:-AzureStorage}"
mkdir -p reports/bench

correr() {
  echo "Sign-up load test: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "  bench/AltaCarga.sh $SEGUNDOS $CONEXIONES $BACKEND (durable backend $BACKEND; client, host, PostgreSQL and Azurite on the same machine)"
  if [ -z "${TELECABLE_SIN_BUILD:-}" ]; then
    dotnet build functions/Telecable.LocalHost/Telecable.LocalHost.csproj -c Release -nologo -v q -clp:ErrorsOnly >"$DATA/logs/build-alta-carga.log" 2>&1 \
      || { cat "$DATA/logs/build-alta-carga.log"; falla "build failed"; }
  fi
  local sufijo db puerto tmp pid=""
  sufijo="$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  db="bench_carga_$sufijo"
  tmp="$(mktemp -d)"
  psql_adm() { psql -h 127.0.0.1 -p "$PG_PORT" -U telecable -d postgres -v ON_ERROR_STOP=1 -qtAc "$1"; }
  psql_db() { psql -h 127.0.0.1 -p "$PG_PORT" -U telecable -d "$db" -v ON_ERROR_STOP=1 -qtA "$@"; }
  limpiar() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    psql_adm "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$tmp"
  }
  trap limpiar EXIT
  psql_adm "CREATE DATABASE \"$db\""
  puerto="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

  # The demo's settings (local.settings.sample.json, as scripts/up.sh uses them: every timer and its
  # schedule), with this run's database, task hub, port and secrets. All requests come from one address,
  # so the per-client limit of anonymous calls (429) is raised: it is not what this measures.
  sed -e "s|__DATA_DIR__|$tmp|g" -e "s|__SAT_DIR__|$SAT_DIR|g" local.settings.sample.json >"$tmp/local.settings.json"
  ( cd functions/Telecable.LocalHost/bin/Release/net10.0 && exec env \
      Postgres__ConnectionString="$(pg_cs "$db");Maximum Pool Size=50" Postgres__MigrarAlIniciar=true Postgres__CargarDemo=true \
      Blob__ContenedorCfdi="carga$sufijo" DURABLE_TASK_HUB="carga$sufijo" Durable__Backend="$BACKEND" \
      Auth__SigningKeys__0="$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')" Auth__DemoPassword="carga-$sufijo" \
      Webhooks__Pagos__Secretos__0="whsec_$sufijo" Outbox__JsonlPath="$tmp/eventos.jsonl" LocalHost__Port="$puerto" \
      Limites__AnonimoPorMinuto=100000000 Logging__LogLevel__Default=Warning \
      dotnet Telecable.LocalHost.dll --settings "$tmp/local.settings.json" ) >"$DATA/logs/alta-carga-host.log" 2>&1 &
  pid=$!
  local i
  for i in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$puerto/api/health" -o /dev/null 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { tail -30 "$DATA/logs/alta-carga-host.log"; falla "the local host exited"; }
    sleep 1
  done
  curl -fsS "http://127.0.0.1:$puerto/api/health" -o /dev/null || falla "the local host did not answer /api/health (see $DATA/logs/alta-carga-host.log)"
  # The demo seed's 12 technicians install about 50 homes a day: the sign-ups of a load test would fill
  # the 14 days the ticket step searches and their sagas would compensate. 150 more technicians in the
  # zone of the sign-ups (20 a day each, the schema's maximum) take about 40,000 in those 14 days.
  psql_db -c "WITH t AS (INSERT INTO tecnicos (nombre, telefono, email, capacidad_diaria)
                SELECT 'Técnico de carga ' || i, '+5281' || lpad(i::text, 8, '0'), 'carga' || i || '@telecable.example.com', 20
                FROM generate_series(1, 150) i RETURNING id)
              INSERT INTO tecnico_zonas (tecnico_id, zona_id) SELECT id, '00000000-0000-0000-0000-000000001001' FROM t" >/dev/null

  local rc=0
  node bench/AltaCarga/carga.mjs --url "http://127.0.0.1:$puerto" --segundos "$SEGUNDOS" --conexiones "$CONEXIONES" --reenvio 0.1 \
    --salida "$tmp/enviadas.csv" || rc=1

  # The sagas run after the 202: wait for them to end (completed, or failed and compensated). How long
  # they take is speed, reported but not judged; the checks below hold for whatever they did so far.
  local inicio=$SECONDS limite=$((SEGUNDOS * 5 + 60)) pendientes
  while :; do
    pendientes="$(psql_db -c "SELECT count(*) FROM altas WHERE estado IN ('en_curso', 'compensando')")"
    [ "$pendientes" = 0 ] && break
    if [ $((SECONDS - inicio)) -ge "$limite" ]; then echo "  sagas           $pendientes still running after $limite s (not judged: speed)"; break; fi
    sleep 1
  done
  echo "  sagas           $((SECONDS - inicio)) s after the load: $(psql_db -F ' ' -c "SELECT string_agg(estado || ' ' || n, ', ' ORDER BY estado) FROM (SELECT estado, count(*) n FROM altas GROUP BY estado) x")"
  # Issue 24's goal: at 100 sign-ups/s, saga completion (alta recorded -> saga ended) p95 <= 2 s. Printed, not judged.
  echo "  saga completion $(psql_db -F ' ' -c "SELECT 'p50 ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s)::numeric, 2) || ' s, p95 ' ||
      round(percentile_cont(0.95) WITHIN GROUP (ORDER BY s)::numeric, 2) || ' s, max ' || round(max(s)::numeric, 2) || ' s over ' || count(*) || ' ended sagas'
      FROM (SELECT extract(epoch FROM terminada_en - created_at) s FROM altas WHERE terminada_en IS NOT NULL) x") (goal of issue 24: p95 <= 2 s at 100 sign-ups/s; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  # Requests still in flight when autocannon stops are answered after its window and so missing from its counts: a
  # pool exhausted by the sagas answered them 500 after 15 s and the run read "0 5xx". The host's access log has them all.
  local tarde
  tarde="$(grep -c '"ruta":"altas","status":"5[0-9][0-9]"' "$DATA/logs/alta-carga-host.log" || true)"
  echo "  5xx in the host's access log for POST /api/altas (in the window or after it): $tarde"
  [ "$tarde" = 0 ] || { echo "  FAILED: sign-ups answered with 5xx"; rc=1; }
  echo "Where a completed saga's time goes (s: p50 | p95 | mean | share of the whole; bench/AltaCarga/tiempos.sql):"
  psql_db -F ' | ' -f bench/AltaCarga/tiempos.sql | sed 's/^/  /'
  echo "Database checks (one of each per accepted key, nothing for re-sends):"
  local tabla
  tabla="$(psql_db -F ' | ' -f bench/AltaCarga/verificar.sql <"$tmp/enviadas.csv")"
  sed 's/^/  /' <<<"$tabla"
  if grep -q '| FAIL$' <<<"$tabla"; then echo "  FAILED: duplicates or lost sign-ups"; rc=1; fi
  echo "Result: $([ $rc = 0 ] && echo 'zero 5xx, zero duplicates' || echo FAILED)"
  return $rc
}

correr 2>&1 | tee reports/bench/alta-carga.txt
exit "${PIPESTATUS[0]}"
