#!/usr/bin/env bash
# Stops Prometheus, the local host, the router emulator, Azurite and PostgreSQL. Data stays in .data/ (delete it to start over).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
detener prometheus
detener emulador
detener localhost
detener_azurite
detener_postgres
