#!/usr/bin/env bash
# Brings the whole system up locally with demo data: PostgreSQL, Azurite, the Functions app on the
# local host (Azure Storage durable backend on Azurite), the portals, and prints where everything is.
# Re-running it restarts the app (picking up code changes) and leaves the data where it was.
#   scripts/up.sh [HOSTS]   HOSTS local hosts (default 1) on one task hub and one database, on ports 7071, 7072, ...
#                           (docs/escala.md: each timer occurrence runs on one host only)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
HOSTS="${1:-1}"
[[ "$HOSTS" =~ ^[1-9][0-9]?$ ]] || falla "HOSTS must be a number from 1 to 99 (got '$HOSTS')"

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
for f in "$DATA"/localhost-*.pid; do [ -e "$f" ] && detener "$(basename "$f" .pid)"; done

BIN="$RAIZ/functions/Telecable.LocalHost/bin/Release/net10.0"
log "starting the local host on http://127.0.0.1:$HOST_PORT"
# exec: the recorded pid must be dotnet's own, or down.sh would stop a subshell and leave the host running.
( cd "$BIN" && Routers__ArchivoClavesEmulador="$DATA/claves-routers.json" exec nohup "${PRIORIDAD_HOST[@]}" dotnet Telecable.LocalHost.dll --settings "$RAIZ/functions/Telecable.Functions/local.settings.json" \
    >>"$DATA/logs/localhost.log" 2>&1 ) &
echo $! >"$DATA/localhost.pid"
# Extra hosts: same settings, the next ports, their own logs; they share the task hub, the database and the timers.
for i in $(seq 1 $((HOSTS - 1))); do
  log "starting local host $((i + 1)) of $HOSTS on http://127.0.0.1:$((HOST_PORT + i))"
  ( cd "$BIN" && LocalHost__Port=$((HOST_PORT + i)) Routers__ArchivoClavesEmulador="$DATA/claves-routers.json" exec nohup "${PRIORIDAD_HOST[@]}" dotnet Telecable.LocalHost.dll \
      --settings "$RAIZ/functions/Telecable.Functions/local.settings.json" >>"$DATA/logs/localhost-$i.log" 2>&1 ) &
  echo $! >"$DATA/localhost-$i.pid"
done

# Wait until the host answers, then judge its health: a 503 that lasts (the CSD cannot sign, a store is down) fails
# loudly with the reason per component instead of printing "is up".
codigo=000; enfermo=0
for i in $(seq 1 180); do
  codigo="$(curl -sS -o "$DATA/health.json" -w '%{http_code}' "http://127.0.0.1:$HOST_PORT/api/health" 2>/dev/null || true)"
  [ "$codigo" = 200 ] && break
  if [ "$codigo" = 503 ]; then enfermo=$((enfermo + 1)); [ "$enfermo" -ge 15 ] && break; fi
  kill -0 "$(cat "$DATA/localhost.pid")" 2>/dev/null || { tail -30 "$DATA/logs/localhost.log"; falla "the local host exited"; }
  sleep 1
done
if [ "$codigo" != 200 ]; then
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const [n, c] of Object.entries(s.componentes ?? {})) if (c.estado !== "ok") console.error(`  ${n}: ${c.estado} (${c.error ?? "sin detalle"})`);
  ' "$DATA/health.json" 2>&1 || cat "$DATA/health.json" 2>/dev/null
  falla "the system is not healthy (GET /api/health answered $codigo; see above and $DATA/logs/localhost.log). The local host is still running: fix the cause and re-run scripts/up.sh, or stop it with scripts/down.sh"
fi

log "starting the router emulator (learns the fleet through the API; every router with a provisioned key posts every 10 s, with occasional faults)"
# Installations add their device key to $DATA/claves-routers.json (Routers__ArchivoClavesEmulador: the host writes it when a
# technician installs a router; the emulator re-reads it on every poll), standing in for the router's flash.
[ -f "$DATA/claves-routers.json" ] || echo '{}' >"$DATA/claves-routers.json"
( cd "$RAIZ/tools/Telecable.RouterEmulator/bin/Release/net10.0" && DEMO_PASSWORD="$DEMO_PASSWORD" exec nohup dotnet Telecable.RouterEmulator.dll \
    --url "http://127.0.0.1:$HOST_PORT" --all --intervalo 10 --fallas 0.01 --usuario soporte \
    --claves "claves-demo.json,$DATA/claves-routers.json" \
    >>"$DATA/logs/emulador.log" 2>&1 ) &
echo $! >"$DATA/emulador.pid"

iniciar_prometheus

secretos
U="http://127.0.0.1:$HOST_PORT"
# What the demo holds right now, as an operator would first ask (current period in Mexico City time).
resumen() {
  psql -h 127.0.0.1 -p "$PG_PORT" -U telecable -d telecable -tAq -v ON_ERROR_STOP=1 -c "$1" 2>/dev/null || echo "(not available)"
}
PER="date_trunc('month', now() AT TIME ZONE 'America/Mexico_City')::date"
DEMO_CLIENTES="$(resumen "SELECT coalesce(string_agg(n || ' ' || estado, ', ' ORDER BY estado), 'none') FROM (SELECT estado, count(*) n FROM clientes GROUP BY 1) x")"
DEMO_CONTRATOS="$(resumen "SELECT coalesce(string_agg(n || ' ' || estado, ', ' ORDER BY estado), 'none') FROM (SELECT estado, count(*) n FROM contratos GROUP BY 1) x")"
DEMO_TICKETS="$(resumen "SELECT count(*) || ' open (' || count(*) FILTER (WHERE tipo = 'instalacion') || ' installation, ' || count(*) FILTER (WHERE tipo = 'soporte') || ' support)' FROM tickets WHERE estado NOT IN ('cerrado', 'cancelado', 'instalado')")"
DEMO_FACTURAS="$(resumen "SELECT to_char($PER, 'YYYY-MM') || ': ' || coalesce(string_agg(n || ' ' || estado || ' (\$' || to_char(t, 'FM999,999,990.00') || ')', ', ' ORDER BY estado), 'none yet') FROM (SELECT estado, count(*) n, sum(total) t FROM facturas WHERE periodo = $PER GROUP BY 1) x")"
DEMO_PAGOS="$(resumen "SELECT to_char($PER, 'YYYY-MM') || ': ' || coalesce(string_agg(n || ' ' || estado || ' (\$' || to_char(t, 'FM999,999,990.00') || ')', ', ' ORDER BY estado), 'none yet') FROM (SELECT estado, count(*) n, sum(monto) t FROM pagos WHERE recibido_en >= ($PER::timestamp AT TIME ZONE 'America/Mexico_City') GROUP BY 1) x")"
DEMO_ROUTERS="$(resumen "SELECT coalesce(string_agg(n || ' ' || estado, ', ' ORDER BY estado), 'no reports yet') FROM (SELECT e.estado, count(*) n FROM routers r JOIN router_estado e ON e.router_id = r.id GROUP BY 1) x")"
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

  Demo data now:
    Customers                        $DEMO_CLIENTES
    Contracts                        $DEMO_CONTRATOS
    Tickets                          $DEMO_TICKETS
    Invoices of the period           $DEMO_FACTURAS
    Payments of the period           $DEMO_PAGOS
    Routers (last report)            $DEMO_ROUTERS

  Demo users (password for all: $DEMO_PASSWORD, from .data/secrets.env):
    admin, soporte, cobranzas, tecnico, cliente
  Get a token:
    TOKEN=\$(curl -s -X POST $U/api/auth/token -H 'Content-Type: application/json' \\
      -d '{"usuario":"admin","password":"$DEMO_PASSWORD"}' | sed -E 's/.*"accessToken":"([^"]+)".*/\1/')
  Bill the current period:
    curl -s -X POST $U/api/facturacion/corridas -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
      -H "Idempotency-Key: \$(cat /proc/sys/kernel/random/uuid)" -d '{"periodo":"$(TZ=America/Mexico_City date +%Y-%m)"}'
    curl -s -H "Authorization: Bearer \$TOKEN" $U/api/facturacion/corridas     # state, progress, errors and cause of each run

  Stop everything: scripts/down.sh
RESUMEN
