#!/usr/bin/env bash
# Stops the local host, the router emulator, Azurite and PostgreSQL. Data stays in .data/ (delete it to start over).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
detener emulador
detener localhost
detener_azurite
detener_postgres
