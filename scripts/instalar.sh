#!/usr/bin/env bash
# Installs what a fresh machine lacks: Debian packages (PostgreSQL 15, xmllint/xsltproc for the SAT
# checker, Chromium for the portal tests, Prometheus and promtool for the alert rules) and the pinned npm packages. Safe to re-run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

faltan=()
dpkg -s postgresql-15 >/dev/null 2>&1 || faltan+=(postgresql-15)
command -v xmllint >/dev/null || faltan+=(libxml2-utils)
command -v xsltproc >/dev/null || faltan+=(xsltproc)
command -v openssl >/dev/null || faltan+=(openssl)
command -v chromium >/dev/null || faltan+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || faltan+=(fonts-dejavu-core)
command -v prometheus >/dev/null && command -v promtool >/dev/null || faltan+=(prometheus)
if [ ${#faltan[@]} -gt 0 ]; then
  log "apt-get install ${faltan[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${faltan[@]}" >/dev/null
  # The Debian package starts its own cluster on 5432; ours is private, so stop that one.
  if command -v pg_ctlcluster >/dev/null; then pg_ctlcluster 15 main stop 2>/dev/null || true; fi
  # Likewise the Prometheus service the package may start on 9090: up.sh runs its own (scripts/lib.sh).
  if [[ " ${faltan[*]} " == *" prometheus "* ]]; then
    { systemctl disable --now prometheus || service prometheus stop; } >/dev/null 2>&1 || true
  fi
fi
instalar_npm
