#!/usr/bin/env bash
# Checks the Prometheus alert rules (infra/prometheus/alertas.yml) and the scrape configuration, and runs
# their unit tests (alertas.test.yml: a case that fires and one that does not for each alert) with
# promtool, from Debian's prometheus package. Exit status non-zero on any failure; scripts/test.sh counts
# it as one failure, like the Bicep check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || falla "promtool not found: run scripts/instalar.sh (Debian package prometheus)"
cd "$RAIZ/infra/prometheus"
estado=0
promtool check rules alertas.yml || estado=1
# The scrape configuration as up.sh writes it (placeholders filled with harmless values).
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo placeholder >"$tmp/token"
sed -e "s|__HOST_PORT__|$HOST_PORT|" -e "s|__TOKEN_FILE__|$tmp/token|" -e "s|__REGLAS__|$RAIZ/infra/prometheus/alertas.yml|" \
  prometheus.yml >"$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml" || estado=1
promtool test rules alertas.test.yml || estado=1
exit $estado
