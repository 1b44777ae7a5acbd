#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL server:
#   scripts/with-postgres.sh npm test
# Starts a cluster in a temporary directory on 127.0.0.1:$WANGGE_PG_PORT (default 54329), exports
# WANGGE_TEST_DATABASE_URL for the command, and always stops and deletes the cluster afterwards.
# As root, the server runs as the `postgres` system user (created if missing): PostgreSQL refuses root.
# WANGGE_PG_SETTINGS adds server settings, e.g. "-c shared_buffers=4GB -c max_wal_size=16GB" (bench:city).
set -euo pipefail

# shellcheck source=pg-common.sh
source "$(dirname "$0")/pg-common.sh"
PG_BIN=$(find_pg_bin) || { echo "PostgreSQL binaries not found (apt-get install postgresql)" >&2; exit 1; }
PG_TMP=$(mktemp -d /tmp/wangge-pg.XXXXXX)
PG_PORT=${WANGGE_PG_PORT:-54329}

stop_pg() {
  as_pg "$PG_TMP" "'$PG_BIN/pg_ctl' -D '$PG_TMP/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$PG_TMP"
}
trap stop_pg EXIT

as_pg "$PG_TMP" "'$PG_BIN/initdb' -D '$PG_TMP/data' -U postgres --auth=trust -E UTF8 --no-locale >/dev/null"
as_pg "$PG_TMP" "'$PG_BIN/pg_ctl' -D '$PG_TMP/data' -l '$PG_TMP/server.log' -w -o \"-p $PG_PORT -k '$PG_TMP' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${WANGGE_PG_SETTINGS:-}\" start" >/dev/null
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PG_PORT (data in $PG_TMP)"
export WANGGE_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
"$@"
