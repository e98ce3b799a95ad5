#!/usr/bin/env bash
# Onboarding latency (POST /api/altas until the saga completes) on the in-memory and Azurite durable backends.
# Usage: bench/AltaLatencia.sh [N=40] [InMemory,AzureStorage]. Output also in reports/bench/AltaLatencia.txt;
# TELECABLE_SIN_BUILD=1 runs what the last Release build left (scripts/test.sh builds first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh
mkdir -p reports/bench
dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/AltaLatencia -- "${1:-40}" "${2:-InMemory,AzureStorage}" 2>&1 \
  | tee reports/bench/AltaLatencia.txt
