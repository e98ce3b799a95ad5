#!/usr/bin/env bash
# Lighthouse 12.2.3 (npm) with Debian's Chromium over the main page of each portal; prints the
# performance, accessibility and best-practices scores (0-100) and fails when one is below 90.
# Needs a running host: scripts/lighthouse.sh [base-url]   (default http://127.0.0.1:7071)
set -euo pipefail
raiz="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-http://127.0.0.1:7071}"
base="${base%/}"
lh="$raiz/node_modules/.bin/lighthouse"
[ -x "$lh" ] || (cd "$raiz" && npm ci --no-audit --no-fund >/dev/null)
export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"
salida="$(mktemp -d)"
trap 'rm -rf "$salida"' EXIT
minimo=90
falla=0
printf '%-22s %11s %13s %14s\n' pagina performance accessibility best-practices
for portal in portal-cliente portal-tecnico backoffice portal-facturacion; do
  perfil="$salida/perfil-$portal"
  banderas="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$perfil"
  "$lh" "$base/$portal/" --quiet --output=json --output-path="$salida/$portal.json" \
    --only-categories=performance,accessibility,best-practices --chrome-flags="$banderas" >/dev/null 2>"$salida/$portal.log" \
    || { echo "lighthouse falló en $portal:"; tail -20 "$salida/$portal.log"; exit 1; }
  read -r p a b < <(node -e '
    const r = require(process.argv[1]).categories;
    console.log([r.performance, r.accessibility, r["best-practices"]].map(c => Math.round(c.score * 100)).join(" "));' "$salida/$portal.json")
  printf '%-22s %11s %13s %14s\n' "$portal" "$p" "$a" "$b"
  for s in $p $a $b; do [ "$s" -ge "$minimo" ] || falla=1; done
done
[ "$falla" -eq 0 ] || { echo "Alguna puntuación quedó por debajo de $minimo."; exit 1; }
