#!/usr/bin/env bash
# Webhook ingestion and reconciliation benchmark. Usage: bench/WebhookIngesta.sh [seconds] [sin-pago]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh
dotnet run -c Release --project bench/WebhookIngesta -- "${1:-20}" "${2:-}"
