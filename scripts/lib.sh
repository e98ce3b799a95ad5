#!/usr/bin/env bash
# Shared helpers for the scripts: a private PostgreSQL 15 cluster and Azurite, both under .data/
# (git-ignored), on ports of their own, started idempotently and waited for.
set -euo pipefail

RAIZ="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$RAIZ/.data"
PG_PORT="${TELECABLE_PG_PORT:-55432}"
PG_DIR="$DATA/pg"
PG_SOCK="$DATA/pg-sock"
AZURITE_DIR="$DATA/azurite"
HOST_PORT="${TELECABLE_HOST_PORT:-7071}"
PROMETHEUS_PORT="${TELECABLE_PROMETHEUS_PORT:-9090}"
# SAT's schemas, stylesheets and public test CSD, carried in the repository (TELECABLE_SAT_DIR overrides).
SAT_DIR="${TELECABLE_SAT_DIR:-$RAIZ/shared/referencia-sat}"
mkdir -p "$DATA/logs"
# The local host runs below PostgreSQL and Azurite (nice 10): on one small machine they stand in for services
# that have CPUs of their own, and every request waits on them. With equal priority the host's threads kept
# preempting Azurite's single thread mid-request (bench/FacturacionMasiva/RESULTS.md).
PRIORIDAD_HOST=(nice -n 10)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
falla() { log "ERROR: $*"; exit 1; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
  done
  d="$(dpkg -L postgresql-15 2>/dev/null | grep '/bin/pg_ctl$' | head -1 || true)"
  [ -n "$d" ] && { dirname "$d"; return; }
  falla "PostgreSQL 15 not found: run 'apt-get install -y postgresql-15' (scripts/instalar.sh does it)"
}

# Connection string for the superuser-ish role the scripts create.
pg_cs() { echo "Host=127.0.0.1;Port=$PG_PORT;Username=telecable;Database=${1:-telecable}"; }

iniciar_postgres() {
  local bin; bin="$(pg_bin)"
  # initdb refuses to run as root; the cluster belongs to 'postgres' when we are root.
  local como=(); if [ "$(id -u)" = 0 ]; then como=(runuser -u postgres --); fi
  mkdir -p "$PG_SOCK"
  # As root the cluster runs as 'postgres', which must be able to reach .data/: a checkout under a private folder
  # (mktemp -d is mode 700) gets the traverse bit (o+x, not read) on each folder above it that lacks it.
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$DATA"; then
    local a="$DATA"; while [ "$a" != / ]; do a="$(dirname "$a")"; runuser -u postgres -- test -x "$a" || { log "chmod o+x $a (for the postgres user)"; chmod o+x "$a"; }; done
    chmod o+x "$RAIZ" "$DATA"
  fi
  if [ ! -f "$PG_DIR/PG_VERSION" ]; then
    log "initdb $PG_DIR"
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_DIR" "$PG_SOCK"
    "${como[@]}" "$bin/initdb" -D "$PG_DIR" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DATA/logs/initdb.log"
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$PG_SOCK"
  if ! "${como[@]}" "$bin/pg_ctl" -D "$PG_DIR" status >/dev/null 2>&1; then
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    touch "$DATA/logs/postgres.log"; [ "$(id -u)" = 0 ] && chown postgres "$DATA/logs/postgres.log"
    "${como[@]}" "$bin/pg_ctl" -D "$PG_DIR" -l "$DATA/logs/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on -c shared_buffers=256MB -c client_connection_check_interval=2s -c log_lock_waits=on" start >/dev/null
  fi
  local i; for i in $(seq 1 60); do
    "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q && break; sleep 0.5
  done
  "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q || falla "PostgreSQL did not answer on $PG_PORT (see $DATA/logs/postgres.log)"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='telecable'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE ROLE telecable LOGIN CREATEDB"
  psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='telecable'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qc "CREATE DATABASE telecable OWNER telecable"
}

detener_postgres() {
  local bin; bin="$(pg_bin)"
  local como=(); if [ "$(id -u)" = 0 ]; then como=(runuser -u postgres --); fi
  [ -f "$PG_DIR/PG_VERSION" ] && "${como[@]}" "$bin/pg_ctl" -D "$PG_DIR" -m fast -w stop >/dev/null 2>&1 && log "PostgreSQL stopped" || true
}

puerto_abierto() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

instalar_npm() {
  if [ ! -x "$RAIZ/node_modules/.bin/azurite" ] || [ "$RAIZ/package-lock.json" -nt "$RAIZ/node_modules/.package-lock.json" ]; then
    log "npm ci (pinned tools and portal dependencies)"
    (cd "$RAIZ" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

# How every Azurite here runs: loopback only, no telemetry, no access log, any API version the SDK sends.
AZURITE_OPCIONES=(--skipApiVersionCheck --disableTelemetry --silent --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1)

iniciar_azurite() {
  if puerto_abierto 10000 && puerto_abierto 10001 && puerto_abierto 10002; then return; fi
  instalar_npm
  log "starting Azurite (blob 10000, queue 10001, table 10002)"
  mkdir -p "$AZURITE_DIR"
  nohup "$RAIZ/node_modules/.bin/azurite" "${AZURITE_OPCIONES[@]}" --location "$AZURITE_DIR" >"$DATA/logs/azurite.log" 2>&1 &
  echo $! >"$DATA/azurite.pid"
  local i; for i in $(seq 1 60); do
    puerto_abierto 10000 && puerto_abierto 10001 && puerto_abierto 10002 && return; sleep 0.5
  done
  falla "Azurite did not answer (see $DATA/logs/azurite.log)"
}

# An Azurite of its own for a benchmark: empty, in a fresh folder, on the first free ports from $1 (blob, queue,
# table), so earlier runs' leftovers (Azurite rewrites its whole index every few seconds) cannot slow it.
# Sets AZURITE_PROPIO_PID and AZURITE_PROPIO_CS; stop it with detener_azurite_propio.
iniciar_azurite_propio() {
  instalar_npm
  local p="$1"; while puerto_abierto "$p" || puerto_abierto $((p + 1)) || puerto_abierto $((p + 2)); do p=$((p + 3)); done
  AZURITE_PROPIO_DIR="$(mktemp -d -t azurite-bench-XXXXXX)"
  "$RAIZ/node_modules/.bin/azurite" "${AZURITE_OPCIONES[@]}" --location "$AZURITE_PROPIO_DIR" \
    --blobPort "$p" --queuePort $((p + 1)) --tablePort $((p + 2)) >"$AZURITE_PROPIO_DIR.log" 2>&1 &
  AZURITE_PROPIO_PID=$!
  local i; for i in $(seq 1 60); do
    if puerto_abierto "$p" && puerto_abierto $((p + 1)) && puerto_abierto $((p + 2)); then
      AZURITE_PROPIO_CS="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$p/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$((p + 1))/devstoreaccount1;TableEndpoint=http://127.0.0.1:$((p + 2))/devstoreaccount1;"
      return
    fi
    sleep 0.5
  done
  tail -5 "$AZURITE_PROPIO_DIR.log" >&2
  detener_azurite_propio
  falla "Azurite ($p) did not answer"
}

detener_azurite_propio() {
  if [ -n "${AZURITE_PROPIO_PID:-}" ]; then
    kill "$AZURITE_PROPIO_PID" 2>/dev/null || true; wait "$AZURITE_PROPIO_PID" 2>/dev/null || true
    rm -rf "$AZURITE_PROPIO_DIR" "$AZURITE_PROPIO_DIR.log"
  fi
}

# Stops a process started by up.sh (pid in .data/<name>.pid) and waits until it has exited.
detener() {
  if [ -f "$DATA/$1.pid" ] && kill -0 "$(cat "$DATA/$1.pid")" 2>/dev/null; then
    kill "$(cat "$DATA/$1.pid")"; while kill -0 "$(cat "$DATA/$1.pid")" 2>/dev/null; do sleep 0.2; done
    log "$1 stopped"
  fi
  rm -f "$DATA/$1.pid"
}

detener_azurite() {
  if [ -f "$DATA/azurite.pid" ] && kill "$(cat "$DATA/azurite.pid")" 2>/dev/null; then log "Azurite stopped"; fi
  rm -f "$DATA/azurite.pid"
}

# Secrets for local runs are generated once per checkout and never committed.
secretos() {
  local f="$DATA/secrets.env"
  if [ ! -f "$f" ]; then
    umask 077
    { echo "JWT_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')"
      echo "DEMO_PASSWORD=demo-$(head -c 6 /dev/urandom | base64 | tr -d '\n/+=')"
      echo "WEBHOOK_SECRET=whsec_$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')"; } >"$f"
  fi
  # shellcheck disable=SC1090
  . "$f"
  # Added after the first secrets: checkouts that already have the file get it once, appended.
  if [ -z "${SPEI_WEBHOOK_SECRET:-}" ]; then
    SPEI_WEBHOOK_SECRET="spei_$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')"
    echo "SPEI_WEBHOOK_SECRET=$SPEI_WEBHOOK_SECRET" >>"$f"
  fi
  if [ -z "${OXXO_WEBHOOK_SECRET:-}" ]; then
    OXXO_WEBHOOK_SECRET="oxxo_$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')"
    echo "OXXO_WEBHOOK_SECRET=$OXXO_WEBHOOK_SECRET" >>"$f"
  fi
}

# functions/Telecable.Functions/local.settings.json from the sample, with this checkout's secrets.
escribir_local_settings() {
  secretos
  local destino="$RAIZ/functions/Telecable.Functions/local.settings.json"
  sed -e "s|\"Auth__SigningKeys__0\": \"__GENERATED_BY_SCRIPTS__\"|\"Auth__SigningKeys__0\": \"$JWT_KEY\"|" \
      -e "s|\"Auth__DemoPassword\": \"__GENERATED_BY_SCRIPTS__\"|\"Auth__DemoPassword\": \"$DEMO_PASSWORD\"|" \
      -e "s|\"Webhooks__Pagos__Secretos__0\": \"__GENERATED_BY_SCRIPTS__\"|\"Webhooks__Pagos__Secretos__0\": \"$WEBHOOK_SECRET\"|" \
      -e "s|\"Webhooks__Spei__Secretos__0\": \"__GENERATED_BY_SCRIPTS__\"|\"Webhooks__Spei__Secretos__0\": \"$SPEI_WEBHOOK_SECRET\"|" \
      -e "s|\"Webhooks__Oxxo__Secretos__0\": \"__GENERATED_BY_SCRIPTS__\"|\"Webhooks__Oxxo__Secretos__0\": \"$OXXO_WEBHOOK_SECRET\"|" \
      -e "s|\"Outbox__JsonlPath\": \"[^\"]*\"|\"Outbox__JsonlPath\": \"$DATA/eventos.jsonl\"|" \
      -e "s|\"Postgres__ConnectionString\": \"Host=127.0.0.1;Port=[0-9]*;|\"Postgres__ConnectionString\": \"Host=127.0.0.1;Port=$PG_PORT;|" \
      -e "s|\"LocalHost__Port\": \"[0-9]*\"|\"LocalHost__Port\": \"$HOST_PORT\"|" \
      -e "s|\"Operaciones__PrometheusUrl\": \"http://127.0.0.1:[0-9]*\"|\"Operaciones__PrometheusUrl\": \"http://127.0.0.1:$PROMETHEUS_PORT\"|" \
      -e "s|__DATA_DIR__|$DATA|g" -e "s|__SAT_DIR__|$SAT_DIR|g" \
      "$RAIZ/local.settings.sample.json" >"$destino"
  chmod 600 "$destino"
  grep -q __GENERATED_BY_SCRIPTS__ "$destino" && falla "local.settings.sample.json has a placeholder the scripts do not fill" || true
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# A bearer JWT for Prometheus's scrape of /api/metrics: role admin, subject "prometheus" (so the access log
# tells scrapes from people), 30 days, signed HS256 with this checkout's development key like the tokens of
# POST /api/auth/token (issuer and audience are the defaults of OpcionesAuth).
token_prometheus() {
  secretos
  local ahora h p firma; ahora="$(date +%s)"
  h="$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)"
  p="$(printf '{"sub":"prometheus","name":"Prometheus","roles":["admin"],"iss":"telecable-dev","aud":"api://telecable-comercial","iat":%d,"nbf":%d,"exp":%d}' \
    "$ahora" "$ahora" $((ahora + 30 * 24 * 3600)) | b64url)"
  firma="$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 -mac HMAC -macopt "key:$JWT_KEY" -binary | b64url)"
  printf '%s.%s.%s' "$h" "$p" "$firma"
}

# Prometheus (Debian package) on 127.0.0.1:$PROMETHEUS_PORT with data in .data/prometheus, scraping the local
# host's /api/metrics with the alert rules of infra/prometheus. Restarted by every up.sh (rules may have changed).
iniciar_prometheus() {
  command -v prometheus >/dev/null || falla "prometheus not found: run scripts/instalar.sh (Debian package prometheus)"
  local dir="$DATA/prometheus"
  mkdir -p "$dir/tsdb"
  (umask 077; token_prometheus >"$dir/token")
  sed -e "s|__HOST_PORT__|$HOST_PORT|" -e "s|__TOKEN_FILE__|$dir/token|" -e "s|__REGLAS__|$RAIZ/infra/prometheus/alertas.yml|" \
    "$RAIZ/infra/prometheus/prometheus.yml" >"$dir/prometheus.yml"
  detener prometheus
  puerto_abierto "$PROMETHEUS_PORT" && falla "port $PROMETHEUS_PORT is taken (Debian's own service? 'service prometheus stop'; or set TELECABLE_PROMETHEUS_PORT)"
  log "starting Prometheus on http://127.0.0.1:$PROMETHEUS_PORT"
  nohup prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/tsdb" --storage.tsdb.retention.time=7d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >>"$DATA/logs/prometheus.log" 2>&1 &
  echo $! >"$DATA/prometheus.pid"
  local i; for i in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null 2>&1 && return
    kill -0 "$(cat "$DATA/prometheus.pid")" 2>/dev/null || { tail -20 "$DATA/logs/prometheus.log"; falla "Prometheus exited"; }
    sleep 0.5
  done
  falla "Prometheus did not answer on $PROMETHEUS_PORT (see $DATA/logs/prometheus.log)"
}
