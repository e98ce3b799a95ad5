#!/usr/bin/env bash
# Webhook ingestion and reconciliation benchmark. Usage: bench/WebhookIngesta.sh [seconds] [sin-pago|concurrente|spei]
# Floor: 3,500 req/s for card payments (default mode) and for SPEI deposits (spei), on a quiet 2-core machine.
# Output also in reports/bench/WebhookIngesta.txt; TELECABLE_SIN_BUILD=1 runs what the last Release build left.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh
mkdir -p reports/bench
dotnet run -c Release ${TELECABLE_SIN_BUILD:+--no-build} --project bench/WebhookIngesta -- "${1:-20}" "${2:-}" 2>&1 \
  | tee reports/bench/WebhookIngesta.txt
