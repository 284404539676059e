# Shared by scripts/demo and scripts/test: install what is missing, start throwaway services.
# Source it; every function is idempotent and leaves no service running after `cleanup`.

# prometheus: promtool, which checks docs/alerts.yml and parses /metrics in the tests;
# chromium and chromium-driver: the web page's browser test.
LOCKTRAIL_APT_PACKAGES=(libpq-dev libcurl4-openssl-dev libssl-dev postgresql pkg-config openssl prometheus chromium chromium-driver iproute2)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian packages and the PyPI emulator, only when missing.
ensure_dependencies() {
  local missing=()
  for p in "${LOCKTRAIL_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! command -v moto_server >/dev/null 2>&1; then
    say "installing the local AWS emulator (PyPI moto[server])"
    python3 -m pip install --quiet 'moto[server]'
    hash -r
  fi
  if ! python3 -c 'import prometheus_client' >/dev/null 2>&1; then
    say "installing the Prometheus text parser the metrics tests use (PyPI prometheus_client)"
    python3 -m pip install --quiet prometheus_client
  fi
  # The web page's browser test drives headless Chromium through Selenium.
  if ! python3 -c 'import selenium' >/dev/null 2>&1; then
    say "installing Selenium (PyPI) for the web page's browser test"
    python3 -m pip install --quiet selenium
  fi
  command -v swift >/dev/null 2>&1 || { [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"; }
  command -v swift >/dev/null 2>&1 || { echo "swift is not on PATH (expected /opt/swift/usr/bin)" >&2; return 1; }
}

# Release builds link the Swift runtime statically, as the README's install does: the binaries
# need no Swift on the machine that runs them, and start a few milliseconds sooner.
RELEASE_FLAGS=(-c release --static-swift-stdlib)
build_release() { local p; for p in "$@"; do swift build "${RELEASE_FLAGS[@]}" --product "$p"; done; }
release_bin_dir() { swift build "${RELEASE_FLAGS[@]}" --show-bin-path; }

# A free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

pg_bin() {
  local v; v=$(ls /usr/lib/postgresql | sort -n | tail -1)
  echo "/usr/lib/postgresql/$v/bin/$1"
}

# start_postgres DIR: a throwaway cluster in DIR (socket in DIR/socket, also on 127.0.0.1:PORT).
# Sets PG_SOCKET, PG_PORT, PG_DATA.
start_postgres() {
  local dir=$1
  PG_DATA="$dir/pgdata"; PG_SOCKET="$dir/socket"; PG_PORT=$(free_port)
  mkdir -p "$PG_DATA" "$PG_SOCKET" "$dir/pglog"
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    chmod 755 "$dir"; chown postgres:postgres "$PG_DATA" "$PG_SOCKET" "$dir/pglog"; as=(runuser -u postgres --)
  fi
  "${as[@]}" "$(pg_bin initdb)" -D "$PG_DATA" -U locktrail --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  "${as[@]}" "$(pg_bin pg_ctl)" -D "$PG_DATA" -l "$dir/pglog/postgres.log" -w -o \
    "-p $PG_PORT -k $PG_SOCKET -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null
  STARTED_PG_DATA=$PG_DATA
}

stop_postgres() {
  [ -n "${STARTED_PG_DATA:-}" ] || return 0
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$(pg_bin pg_ctl)" -D "$STARTED_PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  STARTED_PG_DATA=""
}

# start_moto LOGFILE: the AWS emulator on a free port. Sets MOTO_URL.
start_moto() {
  local port; port=$(free_port)
  moto_server -H 127.0.0.1 -p "$port" >"$1" 2>&1 &
  MOTO_PID=$!
  MOTO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$MOTO_URL/moto-api/" && return 0
    sleep 0.1
  done
  echo "the AWS emulator did not start; see $1" >&2
  return 1
}

stop_moto() {
  [ -n "${MOTO_PID:-}" ] || return 0
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
  MOTO_PID=""
}
