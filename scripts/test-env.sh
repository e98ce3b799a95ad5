#!/usr/bin/env bash
# Source it: starts PostgreSQL and Azurite if they are not already answering (from this or another
# checkout of the repo) and exports what the tests read. Used by scripts/test.sh and by hand:
#   . scripts/test-env.sh && dotnet test tests/Telecable.IntegrationTests
_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
(
  . "$_dir/lib.sh"
  bin="$(pg_bin)"
  "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -U postgres -q || iniciar_postgres
  iniciar_azurite
) || return 1 2>/dev/null || exit 1
export TELECABLE_PG_ADMIN="Host=127.0.0.1;Port=${TELECABLE_PG_PORT:-55432};Username=telecable;Database=postgres"
export TELECABLE_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
