#!/usr/bin/env bash
# Scale-out benchmark: HOSTS local host processes on one task hub (an Azurite of its own) and one database of its own,
# a billing run of CFDIS contracts with one host killed (SIGKILL) half way and restarted; a 1,000-CFDI run on the same
# hosts first gives ratio_vs_1000. The last line is:
#   RESULT cfdis=N hosts=H stamped=N blobs=N duplicates=0 dup_processing_warnings=W seconds=S ratio_vs_1000=R peak_rss_mb=M
#   bench/escala.sh [CFDIS=50000] [HOSTS=3]        (output also in reports/bench/escala.txt)
# It never touches the shared Azurite (10000-10002) or the shared database: its own Azurite from port 10500, its own
# databases on the shared PostgreSQL cluster, dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/test-env.sh >/dev/null
. scripts/lib.sh
CFDIS="${1:-50000}"; HOSTS="${2:-3}"
iniciar_azurite_propio 10500
trap detener_azurite_propio EXIT
export TELECABLE_AZURITE="$AZURITE_PROPIO_CS" TELECABLE_CSD_DIR="$SAT_DIR/csd"
mkdir -p reports/bench
if [ -z "${TELECABLE_SIN_BUILD:-}" ]; then
  dotnet build functions/Telecable.LocalHost -c Release -nologo -v q -clp:ErrorsOnly
  dotnet build bench/Escala -c Release -nologo -v q -clp:ErrorsOnly
fi
{ echo "uptime: $(uptime)"
  dotnet bench/Escala/bin/Release/net10.0/Escala.dll "$CFDIS" "$HOSTS" "$PWD/functions/Telecable.LocalHost/bin/Release/net10.0/Telecable.LocalHost.dll"
} 2>&1 | tee reports/bench/escala.txt
