#!/usr/bin/env bash
# Stops Prometheus, the local host, the router emulator, Azurite and PostgreSQL. Data stays in .data/ (delete it to start over).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
detener prometheus
detener emulador
detener localhost
# Extra hosts of scripts/up.sh HOSTS (localhost-1, localhost-2, ...).
for f in "$DATA"/localhost-*.pid; do [ -e "$f" ] && detener "$(basename "$f" .pid)"; done
detener_azurite
detener_postgres
