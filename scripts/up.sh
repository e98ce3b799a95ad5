#!/usr/bin/env bash
# Brings the whole system up locally with demo data: PostgreSQL, Azurite, the Functions app on the
# local host (Azure Storage durable backend on Azurite), the portals, and prints where everything is.
# Re-running it restarts the app (picking up code changes) and leaves the data where it was.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$RAIZ/scripts/instalar.sh"
iniciar_postgres
iniciar_azurite
escribir_local_settings

log "building the Functions app, the local host and the router emulator (Release)"
for proyecto in functions/Telecable.LocalHost/Telecable.LocalHost.csproj tools/Telecable.RouterEmulator/Telecable.RouterEmulator.csproj; do
  dotnet build "$RAIZ/$proyecto" -c Release -nologo -v q -clp:ErrorsOnly >"$DATA/logs/build.log" 2>&1 \
    || { cat "$DATA/logs/build.log"; falla "build of $proyecto failed"; }
done

detener emulador
detener localhost

BIN="$RAIZ/functions/Telecable.LocalHost/bin/Release/net10.0"
log "starting the local host on http://127.0.0.1:$HOST_PORT"
# exec: the recorded pid must be dotnet's own, or down.sh would stop a subshell and leave the host running.
( cd "$BIN" && exec nohup "${PRIORIDAD_HOST[@]}" dotnet Telecable.LocalHost.dll --settings "$RAIZ/functions/Telecable.Functions/local.settings.json" \
    >>"$DATA/logs/localhost.log" 2>&1 ) &
echo $! >"$DATA/localhost.pid"

for i in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$HOST_PORT/api/health" -o "$DATA/health.json" 2>/dev/null; then break; fi
  kill -0 "$(cat "$DATA/localhost.pid")" 2>/dev/null || { tail -30 "$DATA/logs/localhost.log"; falla "the local host exited"; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$HOST_PORT/api/health" -o "$DATA/health.json" || { cat "$DATA/health.json" 2>/dev/null; falla "health check failed"; }

log "starting the router emulator (every demo router posts every 10 s, with occasional faults)"
( cd "$RAIZ/tools/Telecable.RouterEmulator/bin/Release/net10.0" && exec nohup dotnet Telecable.RouterEmulator.dll \
    --url "http://127.0.0.1:$HOST_PORT" --all --intervalo 10 --fallas 0.01 --pg "$(pg_cs)" \
    >>"$DATA/logs/emulador.log" 2>&1 ) &
echo $! >"$DATA/emulador.pid"

iniciar_prometheus

secretos
U="http://127.0.0.1:$HOST_PORT"
cat <<RESUMEN

Telecable Comercial is up.

  API (Functions on the local host)  $U/api
  Health                             $U/api/health   -> $(tr -d '\n' <"$DATA/health.json" | head -c 160)
  Portals                            $U/  (portal-cliente, portal-tecnico, backoffice, portal-facturacion)
  Run a timer now                    curl -X POST -H "Authorization: Bearer \$TOKEN" $U/admin/functions/RelayarOutbox
  PostgreSQL                         $(pg_cs)   (psql -h 127.0.0.1 -p $PG_PORT -U telecable telecable)
  Azurite                            blob 127.0.0.1:10000  queue :10001  table :10002  (data in .data/azurite)
  Domain events (local outbox log)   $DATA/eventos.jsonl   and  GET $U/api/eventos
  Logs (JSON lines)                  $DATA/logs/localhost.log
  Router emulator                    $DATA/logs/emulador.log  (fleet: GET $U/api/router/flota)
  Prometheus (alerts)                http://127.0.0.1:$PROMETHEUS_PORT/alerts   (rules: infra/prometheus/alertas.yml; operations page: $U/backoffice/#/operaciones)

  Demo users (password for all: $DEMO_PASSWORD, from .data/secrets.env):
    admin, soporte, cobranzas, tecnico, cliente
  Get a token:
    TOKEN=\$(curl -s -X POST $U/api/auth/token -H 'Content-Type: application/json' \\
      -d '{"usuario":"admin","password":"$DEMO_PASSWORD"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')

  Stop everything: scripts/down.sh
RESUMEN
