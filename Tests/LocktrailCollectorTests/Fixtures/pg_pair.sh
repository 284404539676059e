#!/usr/bin/env bash
# A PostgreSQL primary and a streaming replica (pg_basebackup) for the failover tests.
#   pg_pair.sh start DIR sync|async   prints "PRIMARY_PORT REPLICA_PORT"
#   pg_pair.sh stop-primary DIR       stops the primary at once (as a crash would)
#   pg_pair.sh promote DIR            promotes the replica to primary
#   pg_pair.sh stop DIR               stops both
set -euo pipefail
. "$(dirname "$0")/../../../scripts/lib.sh"
cmd=$1 dir=$2
as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
ctl() { "${as[@]}" "$(pg_bin pg_ctl)" "$@" >>"$dir/ctl.log" 2>&1; }
case $cmd in
  start)
    mode=$3
    mkdir -p "$dir/primary" "$dir/replica" "$dir/socket" "$dir/log"
    if [ "$(id -u)" -eq 0 ]; then chmod 755 "$dir"; chown postgres:postgres "$dir/primary" "$dir/replica" "$dir/socket" "$dir/log"; fi
    chmod 700 "$dir/primary" "$dir/replica"
    p1=$(free_port); p2=$(free_port)
    "${as[@]}" "$(pg_bin initdb)" -D "$dir/primary" -U locktrail --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    sync_names=""; [ "$mode" = sync ] && sync_names="replica1"
    cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/socket'
wal_level = replica
max_wal_senders = 4
fsync = off
synchronous_standby_names = '$sync_names'
CONF
    echo "host replication locktrail 127.0.0.1/32 trust" >>"$dir/primary/pg_hba.conf"
    ctl -D "$dir/primary" -l "$dir/log/primary.log" -w -o "-p $p1" start
    "${as[@]}" "$(pg_bin pg_basebackup)" -D "$dir/replica" -R -X stream \
      -d "host=127.0.0.1 port=$p1 user=locktrail application_name=replica1" >/dev/null
    # Promoted, it has no standby of its own: waiting for one would stall every commit.
    echo "synchronous_standby_names = ''" >>"$dir/replica/postgresql.auto.conf"
    ctl -D "$dir/replica" -l "$dir/log/replica.log" -w -o "-p $p2" start
    # Ready once the replica streams (and, in sync mode, is the synchronous standby).
    want=async; [ "$mode" = sync ] && want=sync
    for _ in $(seq 1 100); do
      state=$("$(pg_bin psql)" "host=127.0.0.1 port=$p1 user=locktrail dbname=postgres" -Atc \
        "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'replica1' AND state = 'streaming'" 2>/dev/null || true)
      [ "$state" = "$want" ] && break
      sleep 0.1
    done
    [ "$state" = "$want" ] || { echo "the replica is not a $want standby (state: ${state:-none})" >&2; exit 1; }
    echo "$p1 $p2" >"$dir/ports"
    echo "$p1 $p2"
    ;;
  stop-primary) ctl -D "$dir/primary" -m immediate stop ;;
  promote) ctl -D "$dir/replica" -w promote ;;
  stop)
    ctl -D "$dir/primary" -m immediate stop || true
    ctl -D "$dir/replica" -m immediate stop || true
    ;;
esac
