#!/usr/bin/env bash
# Lighthouse 12.2.3 (npm) with Debian's Chromium: performance, accessibility, best practices and SEO (0-100) of
# every page of the site: the front page, each portal without a session, and every page of every role signed in
# (scripts/lighthouse-sesion.mjs signs in through the API and keeps the session in the tab). Fails when a
# score is below 95 (LIGHTHOUSE_MINIMO to change it); LIGHTHOUSE_INFORMES=<dir> keeps the JSON reports.
# Needs a running host: scripts/lighthouse.sh [base-url [page...]]   (default http://127.0.0.1:7071, every page)
# The demo users' password comes from DEMO_PASSWORD or from .data/secrets.env (written by scripts/up.sh).
set -euo pipefail
raiz="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-http://127.0.0.1:7071}"
base="${base%/}"
lh="$raiz/node_modules/.bin/lighthouse"
[ -x "$lh" ] || (cd "$raiz" && npm ci --no-audit --no-fund >/dev/null)
export CHROME_PATH="${CHROME_PATH:-$(command -v chromium)}"
minimo="${LIGHTHOUSE_MINIMO:-95}"
password="${DEMO_PASSWORD:-}"
[ -n "$password" ] || password="$(sed -n 's/^DEMO_PASSWORD=//p' "$raiz/.data/secrets.env" 2>/dev/null || true)"
[ -n "$password" ] || { echo "Sin DEMO_PASSWORD ni .data/secrets.env: no se pueden medir las páginas con sesión."; exit 1; }
# The demo records the staff pages open from a link (the demo customer, the demo support ticket).
cliente_demo=00000000-0000-0000-0000-00000000c001
ticket_demo=00000000-0000-0000-0000-000000008009
paginas=(
  # Without a session: the front page, each portal's first page, the customer portal's public pages and account forms.
  / portal-cliente/ portal-tecnico/ backoffice/ portal-facturacion/
  portal-cliente/#/planes portal-cliente/#/alta portal-cliente/#/seguimiento portal-cliente/#/ayuda
  portal-cliente/#/crear-cuenta portal-cliente/#/verificar-cuenta portal-cliente/#/restablecer portal-cliente/#/ingresar
  # The customer signed in.
  portal-cliente/#/cuenta@cliente portal-cliente/#/facturas@cliente portal-cliente/#/como-pagar@cliente
  portal-cliente/#/router@cliente portal-cliente/#/soporte@cliente portal-cliente/#/mis-tickets@cliente portal-cliente/#/ayuda@cliente
  # The technician's day.
  portal-tecnico/#/tickets@tecnico
  # Back office and support desk (soporte), operations and staff accounts (admin).
  backoffice/#/clientes@soporte "backoffice/#/cliente-$cliente_demo@soporte" backoffice/#/tickets@soporte
  "backoffice/#/ticket-$ticket_demo@soporte" backoffice/#/flota@soporte backoffice/#/notificaciones@soporte
  backoffice/#/cobranza@soporte backoffice/#/eventos@soporte backoffice/#/operaciones@admin backoffice/#/personal@admin
  # Billing (cobranzas), the KPI charts first.
  portal-facturacion/#/indicadores@cobranzas portal-facturacion/#/facturas@cobranzas portal-facturacion/#/corridas@cobranzas
  portal-facturacion/#/recibos@cobranzas portal-facturacion/#/globales@cobranzas portal-facturacion/#/conciliaciones@cobranzas
  portal-facturacion/#/estados-de-cuenta@cobranzas
)
[ "$#" -le 1 ] || paginas=("${@:2}")   # scripts/lighthouse.sh URL page... measures only those pages
printf '%-52s %5s %5s %5s %5s\n' pagina perf a11y bp seo
node "$raiz/scripts/lighthouse-sesion.mjs" "$base" "$password" "$minimo" "${paginas[@]}" \
  || { echo "Alguna puntuación quedó por debajo de $minimo."; exit 1; }
