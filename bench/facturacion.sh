#!/usr/bin/env bash
# Billing-run benchmark: 1,000 contracts on the in-memory and Azurite durable backends, with the floor.
#   bench/facturacion.sh [contratos] [InMemory,AzureStorage]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
dotnet run -c Release --project bench/FacturacionMasiva -- "${1:-1000}" "${2:-InMemory,AzureStorage}"
