#!/usr/bin/env bash
# Point-in-time recovery drill, on PostgreSQL's own mechanism (docs/OPERATIONS.md): a cluster that
# archives its WAL, a base backup (pg_basebackup), two writes a moment apart, then the base backup
# restored and the archive replayed up to the moment between them (recovery_target_time).
# Exits 0 when the restored cluster holds the first write and not the second. Uses a throw-away
# cluster in a temporary directory on 127.0.0.1:$WANGGE_PITR_PORT (default 54341).
set -euo pipefail

# shellcheck source=pg-common.sh
source "$(dirname "$0")/pg-common.sh"
PG_BIN=$(find_pg_bin pg_basebackup psql) || { echo "PostgreSQL binaries not found (apt-get install postgresql)" >&2; exit 1; }
T=$(mktemp -d /tmp/wangge-pitr.XXXXXX)
PORT=${WANGGE_PITR_PORT:-54341}

q() { as_pg "$T" "'$PG_BIN/psql' -X -q -A -t -h 127.0.0.1 -p $PORT -U postgres -d postgres -c \"$1\""; }
stop_all() {
  for d in data restored; do as_pg "$T" "'$PG_BIN/pg_ctl' -D '$T/$d' -m immediate stop" >/dev/null 2>&1 || true; done
  rm -rf "$T"
}
trap stop_all EXIT

mkdir -p "$T/archive"
as_pg "$T" "'$PG_BIN/initdb' -D '$T/data' -U postgres --auth=trust -E UTF8 --no-locale >/dev/null"
cat >> "$T/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$T'
wal_level = replica
archive_mode = on
archive_command = 'test ! -f $T/archive/%f && cp %p $T/archive/%f'
CONF
as_pg "$T" "'$PG_BIN/pg_ctl' -D '$T/data' -l '$T/data.log' -w start" >/dev/null
q "create table drill (id int primary key, at timestamptz not null default clock_timestamp())"
as_pg "$T" "'$PG_BIN/pg_basebackup' -h 127.0.0.1 -p $PORT -U postgres -D '$T/base' -X stream -c fast" >/dev/null
q "insert into drill (id) values (1)"
sleep 1
TARGET=$(q "select clock_timestamp()")
sleep 1
q "insert into drill (id) values (2)"
# Close the WAL segment holding both writes and wait until the archiver has copied it.
before=$(q "select archived_count from pg_stat_archiver")
q "select pg_switch_wal()" >/dev/null
for _ in $(seq 1 50); do
  [ "$(q "select archived_count from pg_stat_archiver")" -gt "$before" ] && break
  sleep 0.2
done
as_pg "$T" "'$PG_BIN/pg_ctl' -D '$T/data' -m fast -w stop" >/dev/null

cp -a "$T/base" "$T/restored"
touch "$T/restored/recovery.signal"
cat >> "$T/restored/postgresql.conf" <<CONF
archive_mode = off
restore_command = 'cp $T/archive/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
CONF
as_pg "$T" "'$PG_BIN/pg_ctl' -D '$T/restored' -l '$T/restored.log' -w start" >/dev/null
for _ in $(seq 1 50); do
  [ "$(q "select pg_is_in_recovery()")" = "f" ] && break
  sleep 0.2
done
ROWS=$(q "select coalesce(string_agg(id::text, ',' order by id), '') from drill")
echo "restored to $TARGET: rows [$ROWS] (expected [1]: the write before the moment, not the one after)"
[ "$ROWS" = "1" ]
