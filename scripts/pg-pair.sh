#!/usr/bin/env bash
# A throw-away PostgreSQL primary with a hot standby fed by streaming replication (issue 25 §5), for
# the tests of replica reads and failover and for the benchmarks:
#   scripts/pg-pair.sh start DIR PRIMARY_PORT STANDBY_PORT [sync]
#       initdb a primary in DIR/primary, pg_basebackup it into DIR/standby (standby.signal,
#       primary_conninfo) and start both on 127.0.0.1. `sync`: synchronous replication (a commit
#       is acknowledged once the standby has it: no acknowledged write is lost on failover).
#   scripts/pg-pair.sh single DIR PORT [SETTING...]
#       a lone cluster in DIR/primary (e.g. `-c wal_level=logical` for a city publishing to the
#       province in bench/federation.ts); `stop` stops it
#   scripts/pg-pair.sh kill-primary DIR    the primary dies (immediate stop: no shutdown checkpoint)
#   scripts/pg-pair.sh promote DIR         the standby becomes the primary (pg_ctl promote)
#   scripts/pg-pair.sh stop-standby DIR    the standby dies
#   scripts/pg-pair.sh start-standby DIR   … and comes back
#   scripts/pg-pair.sh stop DIR            both stop; DIR is deleted
# As root, the servers run as the `postgres` system user (see pg-common.sh).
set -euo pipefail
# shellcheck source=pg-common.sh
source "$(dirname "$0")/pg-common.sh"
PG_BIN=$(find_pg_bin pg_basebackup) || { echo "PostgreSQL binaries not found (apt-get install postgresql)" >&2; exit 1; }
cmd=${1:?usage: pg-pair.sh start|kill-primary|promote|stop-standby|start-standby|stop DIR ...}
DIR=${2:?DIR}
# WANGGE_PG_SETTINGS adds server settings to both (e.g. "-c shared_buffers=4GB" for the city).
FAST="-c fsync=off -c full_page_writes=off -c listen_addresses=127.0.0.1 ${WANGGE_PG_SETTINGS:-}"

start_standby() {
  local port
  port=$(cat "$DIR/standby.port")
  as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/standby' -l '$DIR/standby.log' -w -o \"-p $port -k '$DIR' $FAST -c hot_standby=on -c hot_standby_feedback=on\" start" >/dev/null
}

case "$cmd" in
  start)
    P=${3:?PRIMARY_PORT}
    S=${4:?STANDBY_PORT}
    SYNC=""
    [ "${5:-}" = sync ] && SYNC="-c synchronous_standby_names='*' -c synchronous_commit=on"
    mkdir -p "$DIR"
    echo "$S" >"$DIR/standby.port"
    as_pg "$DIR" "'$PG_BIN/initdb' -D '$DIR/primary' -U postgres --auth=trust -E UTF8 --no-locale >/dev/null"
    as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/primary' -l '$DIR/primary.log' -w -o \"-p $P -k '$DIR' $FAST -c wal_level=replica -c max_wal_senders=5 -c wal_keep_size=256MB $SYNC\" start" >/dev/null
    as_pg "$DIR" "'$PG_BIN/pg_basebackup' -h 127.0.0.1 -p $P -U postgres -D '$DIR/standby' -R -X stream -c fast"
    start_standby
    echo "primary postgres://postgres@127.0.0.1:$P/postgres"
    echo "standby postgres://postgres@127.0.0.1:$S/postgres"
    ;;
  single)
    P=${3:?PORT}
    shift 3
    mkdir -p "$DIR"
    as_pg "$DIR" "'$PG_BIN/initdb' -D '$DIR/primary' -U postgres --auth=trust -E UTF8 --no-locale >/dev/null"
    as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/primary' -l '$DIR/primary.log' -w -o \"-p $P -k '$DIR' $FAST $*\" start" >/dev/null
    echo "postgres://postgres@127.0.0.1:$P/postgres"
    ;;
  kill-primary) as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/primary' -m immediate stop" >/dev/null ;;
  promote) as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/standby' -w promote" >/dev/null ;;
  stop-standby) as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/standby' -m immediate stop" >/dev/null ;;
  start-standby) start_standby ;;
  stop)
    for d in primary standby; do
      [ -d "$DIR/$d" ] && as_pg "$DIR" "'$PG_BIN/pg_ctl' -D '$DIR/$d' -m immediate stop" >/dev/null 2>&1 || true
    done
    rm -rf "$DIR"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
