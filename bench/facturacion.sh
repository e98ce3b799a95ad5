#!/usr/bin/env bash
# Billing-run benchmark: 1,000 contracts on the in-memory and Azurite durable backends, with the floor.
#   bench/facturacion.sh [contratos] [InMemory,AzureStorage]
# Output also in reports/bench/facturacion.txt; TELECABLE_SIN_BUILD=1 runs what the last Release build left.
# It starts an empty Azurite of its own (as CI's is), so what earlier runs left in the shared one cannot slow it,
# and runs the host below PostgreSQL and Azurite, as scripts/up.sh does (PRIORIDAD_HOST in scripts/lib.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
. scripts/lib.sh
iniciar_azurite_propio 10400
trap detener_azurite_propio EXIT
export TELECABLE_AZURITE="$AZURITE_PROPIO_CS"
mkdir -p reports/bench
"${PRIORIDAD_HOST[@]}" dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/FacturacionMasiva -- "${1:-1000}" "${2:-InMemory,AzureStorage}" 2>&1 \
  | tee reports/bench/facturacion.txt
