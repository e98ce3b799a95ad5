#!/usr/bin/env bash
# Router status ingestion benchmark (not a test). Usage: bench/RouterIngesta.sh [--routers 10000] [--concurrencia 32] [--segundos 20]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
nproc; grep -m1 'model name' /proc/cpuinfo
dotnet run -c Release --project bench/RouterIngesta -- "$@"
