#!/usr/bin/env bash
# Copies the portals' browser dependencies from node_modules into static-web/vendor/ (no CDN, no build
# step). The copies are committed, so the portals work without running this; run it after `npm install`
# when chart.js changes version.
set -euo pipefail
raiz="$(cd "$(dirname "$0")/.." && pwd)"
[ -d "$raiz/node_modules/chart.js" ] || (cd "$raiz" && npm ci --no-audit --no-fund)
mkdir -p "$raiz/static-web/vendor"
cp "$raiz/node_modules/chart.js/dist/chart.umd.min.js" "$raiz/static-web/vendor/chart.umd.min.js"
cp "$raiz/node_modules/chart.js/LICENSE.md" "$raiz/static-web/vendor/chart.js.LICENSE.md"
echo "static-web/vendor: chart.js $(node -p "require('$raiz/node_modules/chart.js/package.json').version")"
# The API reference page's viewer (static-web/referencia-api): Swagger UI, pinned, taken from its npm tarball.
swagger=5.35.0
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "swagger-ui-dist@$swagger" >/dev/null && tar xzf "swagger-ui-dist-$swagger.tgz")
mkdir -p "$raiz/static-web/vendor/swagger-ui"
for f in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE swagger-ui-bundle.js.LICENSE.txt; do cp "$tmp/package/$f" "$raiz/static-web/vendor/swagger-ui/$f"; done
echo "static-web/vendor: swagger-ui-dist $swagger"
