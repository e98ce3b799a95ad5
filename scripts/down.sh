#!/usr/bin/env bash
# Stops the local host, the router emulator, Azurite and PostgreSQL. Data stays in .data/ (delete it to start over).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for p in localhost emulador; do
  if [ -f "$DATA/$p.pid" ] && kill "$(cat "$DATA/$p.pid")" 2>/dev/null; then log "$p stopped"; fi
  rm -f "$DATA/$p.pid"
done
detener_azurite
detener_postgres
