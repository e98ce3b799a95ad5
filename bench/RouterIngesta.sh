#!/usr/bin/env bash
# Router status ingestion benchmark (not a test). Usage: bench/RouterIngesta.sh [--routers 10000] [--concurrencia 32] [--segundos 20]
# Output also in reports/bench/RouterIngesta.txt; TELECABLE_SIN_BUILD=1 runs what the last Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
mkdir -p reports/bench
{ nproc; grep -m1 'model name' /proc/cpuinfo
  dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/RouterIngesta -- "$@"; } 2>&1 | tee reports/bench/RouterIngesta.txt
