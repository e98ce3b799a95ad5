#!/usr/bin/env bash
# Global CFDI benchmark (issue 20): the month's CFDI to "PUBLICO EN GENERAL" over 10,000 receipts, in-process host,
# PostgreSQL and Azurite; prints the time, the memory (peak working set over rest, bytes allocated) and the floor
# (the same CFDI built, sealed, stamped and uploaded with no database).
#   bench/GlobalFactura.sh [recibos]
# Output also in reports/bench/global-factura.txt; TELECABLE_SIN_BUILD=1 runs what the last Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
mkdir -p reports/bench
dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/GlobalFactura -- "${1:-10000}" 2>&1 | tee reports/bench/global-factura.txt
