#!/usr/bin/env bash
# Payment received -> router reactivated p95 (issue 18). Stands alone: its own database with the demo seed, the local host
# in-process, emulated demo routers reporting every 10 s (suspended ones every 2 s, as the server asks), payments through the
# gateway's signed webhook. Usage: bench/Reactivacion.sh [N=10] [AzureStorage|InMemory]. Prints p50/p95/max, where the time
# goes and the floor. Output also in reports/bench/Reactivacion.txt; TELECABLE_SIN_BUILD=1 runs what the last Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh
mkdir -p reports/bench
dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/Reactivacion -- "${1:-10}" "${2:-AzureStorage}" 2>&1 \
  | tee reports/bench/Reactivacion.txt
