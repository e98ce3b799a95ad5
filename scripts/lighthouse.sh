#!/usr/bin/env bash
# Lighthouse 12.2.3 (npm) with Debian's Chromium: performance, accessibility, best practices and SEO (0-100) of
# the site's front page, each portal's first page without a session, and the signed-in pages of every role
# (scripts/lighthouse-sesion.mjs signs in through the API and keeps the session in the tab). Fails when a
# score is below 95 (LIGHTHOUSE_MINIMO to change it).
# Needs a running host: scripts/lighthouse.sh [base-url]   (default http://127.0.0.1:7071)
# The demo users' password comes from DEMO_PASSWORD or from .data/secrets.env (written by scripts/up.sh).
set -euo pipefail
raiz="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-http://127.0.0.1:7071}"
base="${base%/}"
lh="$raiz/node_modules/.bin/lighthouse"
[ -x "$lh" ] || (cd "$raiz" && npm ci --no-audit --no-fund >/dev/null)
export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"
salida="$(mktemp -d)"
trap 'rm -rf "$salida"' EXIT
minimo="${LIGHTHOUSE_MINIMO:-95}"
falla=0
printf '%-44s %6s %6s %6s %6s\n' pagina perf a11y bp seo
for ruta in "" portal-cliente/ portal-tecnico/ backoffice/ portal-facturacion/; do
  nombre="${ruta%/}"; nombre="${nombre:-portada}"
  perfil="$salida/perfil-$nombre"
  banderas="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$perfil"
  "$lh" "$base/$ruta" --quiet --output=json --output-path="$salida/$nombre.json" \
    --only-categories=performance,accessibility,best-practices,seo --chrome-flags="$banderas" >/dev/null 2>"$salida/$nombre.log" \
    || { echo "lighthouse falló en $nombre:"; tail -20 "$salida/$nombre.log"; exit 1; }
  read -r p a b s < <(node -e '
    const r = require(process.argv[1]).categories;
    console.log([r.performance, r.accessibility, r["best-practices"], r.seo].map(c => Math.round(c.score * 100)).join(" "));' "$salida/$nombre.json")
  printf '%-44s %6s %6s %6s %6s\n' "$nombre (sin sesión)" "$p" "$a" "$b" "$s"
  for x in $p $a $b $s; do [ "$x" -ge "$minimo" ] || falla=1; done
done

password="${DEMO_PASSWORD:-}"
[ -n "$password" ] || password="$(sed -n 's/^DEMO_PASSWORD=//p' "$raiz/.data/secrets.env" 2>/dev/null || true)"
if [ -z "$password" ]; then
  echo "Sin DEMO_PASSWORD ni .data/secrets.env: no se midieron las páginas con sesión."; exit 1
fi
# Every role's pages: the customer's account, invoices and tickets, the technician's day, the back office's
# customers and tickets, the billing portal's KPIs and invoices.
node "$raiz/scripts/lighthouse-sesion.mjs" "$base" "$password" "$minimo" \
  portal-cliente:cliente:cuenta portal-cliente:cliente:facturas portal-cliente:cliente:mis-tickets portal-cliente:cliente:router \
  portal-tecnico:tecnico:tickets backoffice:soporte:clientes backoffice:soporte:tickets \
  portal-facturacion:cobranzas:indicadores portal-facturacion:cobranzas:facturas || falla=1
[ "$falla" -eq 0 ] || { echo "Alguna puntuación quedó por debajo de $minimo."; exit 1; }
