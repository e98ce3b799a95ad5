#!/usr/bin/env bash
# Quick mode, run by scripts/test.sh after the suites: the sign-up load test for 15 s and every
# benchmark at a small size, each printing its figures and leaving them in reports/bench/<name>.txt.
# Exits non-zero only when the load test finds a 5xx, a duplicate or a lost sign-up: benchmark speed
# (and a benchmark's own exit code, which some set on a missed speed target) never fails it.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -rf reports/bench; mkdir -p reports/bench

paso() { printf '\n[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
inicio=$SECONDS

paso "bench/AltaCarga.sh 15 16 InMemory: sign-up load test (correctness is judged)"
bench/AltaCarga.sh 15 16 InMemory; carga=$?

for b in "AltaLatencia.sh 10 InMemory,AzureStorage" "RouterIngesta.sh --routers 1000 --concurrencia 32 --segundos 5" \
         "WebhookIngesta.sh 5" "facturacion.sh 100 InMemory,AzureStorage" "Reactivacion.sh 3 InMemory"; do
  paso "bench/$b (speed is reported, not judged)"
  # The console gets the figures; the hosts' JSON log lines (shutdown noise) stay in reports/bench/<name>.txt.
  # shellcheck disable=SC2086
  bench/$b 2>&1 | grep -v '^{"timestamp"'
  rc=${PIPESTATUS[0]}; [ "$rc" = 0 ] || echo "(exit $rc: speed targets are not judged in quick mode; see bench/README.md for the full-size runs)"
done

paso "quick benchmarks done in $((SECONDS - inicio)) s; outputs in reports/bench/"
[ "$carga" = 0 ] || echo "The sign-up load test FAILED (see reports/bench/alta-carga.txt)"
exit "$carga"
