#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests and the benchmark: a data directory of its own, on
# 127.0.0.1 at a free port, trusted (loopback only, test data only).
#
#   eval "$(scripts/pg-test-server.sh start)"   # prints `export PULSE_TEST_DATABASE_URL=…` and `export PULSE_PG_TEST_DIR=…`
#   npm test                                    # now runs every store test on PostgreSQL too
#   scripts/pg-test-server.sh stop              # stops the server by its pid and removes its directory
#
# PostgreSQL is installed from Debian's packages when no server binaries are found (as root; a
# developer without root installs `postgresql` themselves). As root the server runs as the
# `postgres` user, since PostgreSQL refuses to run as root. Options for the server can be added
# with PULSE_PG_OPTIONS (e.g. "-c shared_buffers=1GB" for the benchmark).
set -euo pipefail

log() { echo "pg-test-server: $*" >&2; }

find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]]; then echo "$d"; return 0; fi
  done
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then dirname "$(command -v pg_ctl)"; return 0; fi
  return 1
}

install_server() {
  if [[ $(id -u) -ne 0 ]]; then
    log "no PostgreSQL server found and not root: install the 'postgresql' package (Debian/Ubuntu) and try again"
    exit 1
  fi
  log "installing PostgreSQL from Debian packages…"
  # No cluster of the package's own: this script makes the one it needs.
  mkdir -p /etc/postgresql-common
  [[ -f /etc/postgresql-common/createcluster.conf ]] || echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq -o Dpkg::Options::=--force-confold postgresql >&2
}

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"
}

# Runs a server binary as a user PostgreSQL accepts.
as_server_user() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bindir dir port url
  bindir=$(find_bindir) || { install_server; bindir=$(find_bindir) || { log "PostgreSQL was installed but no initdb was found"; exit 1; }; }
  dir=$(mktemp -d "${TMPDIR:-/tmp}/pulse-pg.XXXXXX")
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  as_server_user "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; log "initdb failed"; exit 1; }
  port=$(free_port)
  # Test data only: durability is not needed, speed is. Many connections: each test store is a pool.
  local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PULSE_PG_OPTIONS:-}"
  as_server_user "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >&2 \
    || { cat "$dir/server.log" >&2; log "the server did not start"; exit 1; }
  as_server_user "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -c 'create database pulse_test' >&2
  url="postgres://postgres@127.0.0.1:$port/pulse_test"
  echo "$url" > "$dir/url"
  head -1 "$dir/data/postmaster.pid" > "$dir/pid"
  log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, pid $(cat "$dir/pid"), data in $dir"
  echo "export PULSE_TEST_DATABASE_URL='$url'"
  echo "export PULSE_PG_TEST_DIR='$dir'"
}

stop() {
  local dir=${1:-${PULSE_PG_TEST_DIR:-}}
  if [[ -z "$dir" || ! -f "$dir/pid" ]]; then log "no server to stop (give its directory, or set PULSE_PG_TEST_DIR)"; exit 1; fi
  local pid
  pid=$(cat "$dir/pid")
  # SIGINT is PostgreSQL's fast shutdown: sessions are ended, the server exits cleanly.
  if kill -INT "$pid" 2>/dev/null; then
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then log "pid $pid still running after 30 s: immediate shutdown"; kill -QUIT "$pid" 2>/dev/null || true; sleep 1; fi
  fi
  rm -rf "$dir"
  log "stopped pid $pid"
}

case "${1:-}" in
  start) start ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start | stop [DIR]" >&2; exit 2 ;;
esac
