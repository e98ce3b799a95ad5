#!/usr/bin/env bash
# Billing-run benchmark: 1,000 contracts on the in-memory and Azurite durable backends, with the floor.
#   bench/facturacion.sh [contratos] [InMemory,AzureStorage]
# Output also in reports/bench/facturacion.txt; TELECABLE_SIN_BUILD=1 runs what the last Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
mkdir -p reports/bench
dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/FacturacionMasiva -- "${1:-1000}" "${2:-InMemory,AzureStorage}" 2>&1 \
  | tee reports/bench/facturacion.txt
