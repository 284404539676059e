#!/usr/bin/env bash
# A PostgreSQL server behind a network link the tests can cut, for the partition tests (needs
# root: a network namespace and a veth pair). The server runs in a network namespace of its own;
# over TCP it is ADDRESS:5432, reached through a veth pair whose far end is a port of a bridge in
# that namespace, and it also listens on a unix socket in DIR/socket, which no cut touches.
# Cutting disables the bridge port: every packet either way is dropped silently, both ends stay
# up, no FIN or RST is sent and no route changes (a real partition, not a closed connection: a
# proxy that stops forwarding would still have its kernel acknowledge data and keepalives).
# Neighbours are permanent, so a cut link never fails an ARP ("no route to host").
#   pg_partition.sh start DIR   prints "ADDRESS PORT SOCKET_DIR"
#   pg_partition.sh cut DIR     packets vanish both ways
#   pg_partition.sh heal DIR    they flow again
#   pg_partition.sh stop DIR    stops the server, removes the namespace and the link
set -euo pipefail
. "$(dirname "$0")/../../../scripts/lib.sh"
cmd=$1 dir=$2
ns() { nsenter -t "$(cat "$dir/holder")" -n "$@"; }
case $cmd in
  start)
    [ "$(id -u)" -eq 0 ] || { echo "pg_partition.sh needs root (a network namespace and a veth pair)" >&2; exit 2; }
    mkdir -p "$dir/data" "$dir/socket" "$dir/log"
    chmod 755 "$dir"; chown postgres:postgres "$dir/data" "$dir/socket" "$dir/log"; chmod 700 "$dir/data"
    # The namespace lives while this process does (and the server in it).
    unshare -n sleep 1000000 </dev/null >/dev/null 2>&1 &
    holder=$!
    echo "$holder" >"$dir/holder"
    for _ in $(seq 1 100); do
      [ "$(readlink "/proc/$holder/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)" ] && break
      sleep 0.02
    done
    suffix=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
    near=ltp${suffix}h far=ltp${suffix}n
    # A /30 of 10.231.0.0/16 no interface uses.
    for _ in $(seq 1 50); do
      base=$((RANDOM % 256)).$(((RANDOM % 64) * 4))
      net=10.231.${base%.*}; last=${base#*.}
      host_ip=$net.$((last + 1)) ns_ip=$net.$((last + 2))
      ip -4 -o addr | grep -q " $net\.$((last + 1))/\| $net\.$((last + 2))/" || break
    done
    echo "$near $far $host_ip $ns_ip" >"$dir/link"
    ip link add "$near" type veth peer name "$far"
    ip link set "$far" netns "$holder"
    ns ip link set lo up
    ns ip link add ltbridge type bridge
    ns ip link set "$far" master ltbridge
    ns ip link set "$far" up
    ns ip link set ltbridge up
    ns ip addr add "$ns_ip/30" dev ltbridge
    ip addr add "$host_ip/30" dev "$near"
    ip link set "$near" up
    near_mac=$(ip -o link show dev "$near" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
    bridge_mac=$(ns ip -o link show dev ltbridge | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
    ip neigh replace "$ns_ip" lladdr "$bridge_mac" dev "$near" nud permanent
    ns ip neigh replace "$host_ip" lladdr "$near_mac" dev ltbridge nud permanent
    runuser -u postgres -- "$(pg_bin initdb)" -D "$dir/data" -U locktrail --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    echo "host all all $host_ip/32 trust" >>"$dir/data/pg_hba.conf"
    # The server's own TCP settings stay the system's (keepalives after 2 hours): what a
    # session gets beyond that, it gets from its client.
    ns runuser -u postgres -- "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/log/postgres.log" -w -o \
      "-p 5432 -k $dir/socket -c listen_addresses=$ns_ip -c max_connections=100 -c fsync=off" start >/dev/null
    echo "$ns_ip 5432 $dir/socket"
    ;;
  cut) read -r _ far _ _ <"$dir/link"; ns bridge link set dev "$far" state 0 ;;
  heal) read -r _ far _ _ <"$dir/link"; ns bridge link set dev "$far" state 3 ;;
  stop)
    runuser -u postgres -- "$(pg_bin pg_ctl)" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    [ -f "$dir/link" ] && { read -r near _ _ _ <"$dir/link"; ip link del "$near" 2>/dev/null || true; }
    # SIGKILL: the holder may have inherited a mask that blocks SIGTERM (a test runner thread's).
    [ -f "$dir/holder" ] && kill -KILL "$(cat "$dir/holder")" 2>/dev/null || true
    ;;
esac
