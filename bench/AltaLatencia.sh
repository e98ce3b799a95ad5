#!/usr/bin/env bash
# Onboarding latency (POST /api/altas until the saga completes) on the in-memory and Azurite durable backends.
# Usage: bench/AltaLatencia.sh [N=40] [InMemory,AzureStorage]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh
dotnet run -c Release --project bench/AltaLatencia -- "${1:-40}" "${2:-InMemory,AzureStorage}"
