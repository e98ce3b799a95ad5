#!/usr/bin/env bash
# Runs every test: installs what is missing, starts PostgreSQL and Azurite, builds once (Release),
# runs the unit, domain, integration, end-to-end and browser suites, checks coverage per project
# against its targets, the Bicep templates and the Prometheus alert rules, then runs the sign-up load test and the benchmarks in
# quick mode (bench/rapido.sh; TELECABLE_BENCH=0 skips them). Reports land in reports/ (listed at the
# end). Ends with "Tests: N passed, N failed": an unmet coverage target, a Bicep error, a failed promtool check or a load-test
# correctness failure (duplicates, 5xx) each count as one failure; benchmark speed never does.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$RAIZ"

"$RAIZ/scripts/instalar.sh"
. "$RAIZ/scripts/test-env.sh"

log "building the solution (Release)"
dotnet build Telecable.sln -c Release -nologo -v q -clp:ErrorsOnly >"$DATA/logs/build-tests.log" 2>&1 \
  || { cat "$DATA/logs/build-tests.log"; falla "build failed"; }

rm -rf "$RAIZ/reports/tests" "$RAIZ/reports/coverage"; mkdir -p "$RAIZ/reports/tests"
pasaron=0; fallaron=0; estado=0
for p in tests/*/*.csproj; do
  nombre="$(basename "$p" .csproj)"
  log "dotnet test $nombre"
  salida="$DATA/logs/$nombre.log"
  set +e
  dotnet test "$p" -c Release --no-build --nologo \
    --logger "junit;LogFilePath=$RAIZ/reports/tests/$nombre.xml;MethodFormat=Class;FailureBodyFormat=Verbose" \
    --logger "html;LogFileName=$RAIZ/reports/tests/$nombre.html" \
    --logger "console;verbosity=normal" --results-directory "$RAIZ/reports/tests/$nombre" \
    --collect "XPlat Code Coverage" --settings "$RAIZ/tests/coverage.runsettings" >"$salida" 2>&1
  rc=$?
  set -e
  grep -E -A4 "^\s+Failed [A-Z]" "$salida" | grep -vE "^\s*\{" | head -60 || true
  # The console logger ends with "Total tests: N", "Passed: N" and, when any, "Failed: N".
  total="$(grep -E '^\s*Total tests: +[0-9]+' "$salida" | tail -1 | grep -oE '[0-9]+' || true)"
  if [ -z "$total" ] || [ "$total" = 0 ]; then log "$nombre ran no test (see $salida)"; estado=1; fallaron=$((fallaron + 1)); continue; fi
  ok="$(grep -E '^\s*Passed: +[0-9]+' "$salida" | tail -1 | grep -oE '[0-9]+' || echo 0)"
  f="$(grep -E '^\s*Failed: +[0-9]+' "$salida" | tail -1 | grep -oE '[0-9]+' || echo 0)"
  log "$nombre: $ok passed, $f failed"
  pasaron=$((pasaron + ok)); fallaron=$((fallaron + f))
  [ "$rc" -ne 0 ] && estado=1
done

log "coverage: merging the suites' cobertura files"
if dotnet tool restore >/dev/null 2>&1 && dotnet tool run reportgenerator \
    "-reports:$RAIZ/reports/tests/**/coverage.cobertura.xml" "-targetdir:$RAIZ/reports/coverage" \
    "-reporttypes:Html;TextSummary;JsonSummary;Cobertura" >"$DATA/logs/coverage.log" 2>&1; then
  # Each unmet target (line or branch of a project) counts as one failure.
  set +e; node "$RAIZ/scripts/cobertura.mjs" "$RAIZ/reports/coverage/Summary.json"; faltas=$?; set -e
  [ "$faltas" -ne 0 ] && { estado=1; fallaron=$((fallaron + faltas)); }
else
  cat "$DATA/logs/coverage.log"; log "coverage report failed"; estado=1; fallaron=$((fallaron + 1))
fi

log "bicep build and lint"
"$RAIZ/scripts/bicep.sh" >"$DATA/logs/bicep.log" 2>&1 && log "bicep: clean" || { cat "$DATA/logs/bicep.log"; estado=1; fallaron=$((fallaron + 1)); }

log "prometheus alert rules: promtool check and test"
"$RAIZ/scripts/prometheus-reglas.sh" >"$DATA/logs/prometheus-reglas.log" 2>&1 && log "prometheus rules: clean" || { cat "$DATA/logs/prometheus-reglas.log"; estado=1; fallaron=$((fallaron + 1)); }

if [ "${TELECABLE_BENCH:-1}" != 0 ]; then
  log "load test and benchmarks, quick mode (bench/rapido.sh)"
  TELECABLE_SIN_BUILD=1 "$RAIZ/bench/rapido.sh" || { estado=1; fallaron=$((fallaron + 1)); }
fi

cat <<REPORTES

Reports:
  test results (JUnit XML, HTML)  reports/tests/<suite>.xml, reports/tests/<suite>.html
  coverage                        reports/coverage/index.html (Summary.txt, Summary.json, Cobertura.xml)
  browser screenshots             reports/screenshots/
  load test and benchmarks        reports/bench/*.txt
REPORTES
echo
echo "Tests: $pasaron passed, $fallaron failed"
exit $estado
