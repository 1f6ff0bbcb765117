#!/usr/bin/env bash
# Throwaway PostgreSQL 15 cluster for tests (never for real data: fsync is off).
#
#   tools/pg.sh start DIR   initdb (if needed) + start on a free 127.0.0.1 port; prints the URL
#   tools/pg.sh url DIR     prints the URL of the cluster running under DIR
#   tools/pg.sh stop DIR    stops it (fast mode) and removes DIR
#
# stdout carries exactly one line, the URL (postgresql://kopilka@127.0.0.1:PORT/kopilka), for
# `start` and `url`, and nothing for `stop`; everything else goes to stderr or DIR/*.log.
# All three are idempotent: `start` on a running cluster prints its URL, `stop` on a missing
# DIR does nothing. Server log: DIR/postgres.log; initdb output: DIR/initdb.log.
#
# PostgreSQL refuses to run as root: as root, everything runs as the `postgres` OS user
# (runuser), so DIR and every directory above it must be reachable by that user — anything
# under /tmp is. As any other user, it runs as that user. The unix socket lives in DIR
# (a socket path must stay under 107 bytes, so keep DIR short).
# Binaries: /usr/lib/postgresql/15/bin (Debian `postgresql`), or $KOPILKA_PG_BIN.
# $KOPILKA_PG_OPTIONS: more server options for `start` (e.g. "-c shared_buffers=1GB"), as
# postgres takes them on its command line.
set -euo pipefail

PG_BIN="${KOPILKA_PG_BIN:-/usr/lib/postgresql/15/bin}"
MARKER=.kopilka-pg            # marks a DIR this script owns (stop refuses to delete others)
PORT_TRIES=20

die() { echo "pg.sh: $*" >&2; exit 1; }
usage() { echo "usage: tools/pg.sh start|stop|url DIR" >&2; exit 2; }

[ $# -eq 2 ] || usage
cmd="$1"; dir_arg="$2"
[ -n "$dir_arg" ] || usage
case "$cmd" in start|stop|url) ;; *) usage ;; esac

for b in initdb pg_ctl pg_isready psql postgres; do
  [ -x "$PG_BIN/$b" ] || die "$PG_BIN/$b not found (install the Debian package postgresql, see tools/packages.lock)"
done

# Absolute path without requiring it to exist.
case "$dir_arg" in /*) dir="$dir_arg" ;; *) dir="$PWD/$dir_arg" ;; esac
dir="${dir%/}"
case "$dir" in ""|/|/tmp|/root|/home|"${HOME:-/root}") die "refusing to use $dir_arg as a cluster directory" ;; esac
data="$dir/data"

# Run a PostgreSQL binary as the right user, from a directory that user can enter, with a
# known locale and no stray libpq settings from the caller's environment.
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' OS user (install postgresql)"
  command -v runuser >/dev/null || die "runuser not found (util-linux)"
  as_pg() { (cd / && runuser -u postgres -- env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
              -u PGSERVICE -u PGOPTIONS -u PGPASSWORD LC_ALL=C "$@"); }
else
  as_pg() { (cd / && env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE \
              -u PGSERVICE -u PGOPTIONS -u PGPASSWORD LC_ALL=C "$@"); }
fi

url_for() { echo "postgresql://kopilka@127.0.0.1:$1/kopilka"; }

# Is the postmaster recorded in postmaster.pid alive? A killed postmaster can linger as a
# zombie when PID 1 doesn't reap (containers); pg_ctl and postgres both take that for alive.
postmaster_alive() {
  local pid state
  pid="$(sed -n 1p "$data/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Port of the postmaster running on $data (line 4 of postmaster.pid), empty if none runs.
running_port() {
  [ -f "$data/postmaster.pid" ] || return 0
  postmaster_alive || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1 || return 0
  sed -n 4p "$data/postmaster.pid"
}

# After a crash: drop lock files whose postmaster is gone (or a zombie).
clear_stale_locks() {
  if [ -f "$data/postmaster.pid" ] && ! postmaster_alive; then
    echo "pg.sh: removing stale postmaster.pid under $dir" >&2
    rm -f "$data/postmaster.pid" "$dir"/.s.PGSQL.*.lock
  fi
}

ready() { as_pg "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -U kopilka -d kopilka -t 2; }

wait_ready() {   # up to ~30 s
  local port="$1" i
  for ((i = 0; i < 150; i++)); do
    ready "$port" && return 0
    sleep 0.2
  done
  return 1
}

# A port nothing listens on (bash's /dev/tcp connect fails). postgres' own bind decides in
# the end: start retries with another port when it reports "Address already in use".
pick_port() {
  local port i
  for ((i = 0; i < 100; i++)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))     # below Linux' ephemeral range
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  die "no free TCP port found on 127.0.0.1"
}

psql_q() {   # psql_q PORT DB SQL — one value, over the unix socket in DIR
  as_pg "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$dir" -p "$1" -U kopilka -d "$2" -c "$3"
}

do_start() {
  local port
  port="$(running_port)"
  if [ -n "$port" ]; then
    wait_ready "$port" || die "cluster under $dir runs on port $port but does not accept connections; see $dir/postgres.log"
    url_for "$port"; return 0
  fi

  local sock_len=$(( ${#dir} + 17 ))    # "/.s.PGSQL.NNNNN" + NUL
  [ "$sock_len" -le 107 ] || die "$dir is too long for a unix socket path (max ~90 characters)"
  if [ -e "$dir" ]; then
    [ -d "$dir" ] || die "$dir exists and is not a directory"
    if [ ! -e "$dir/$MARKER" ] && [ -n "$(ls -A "$dir")" ]; then
      die "$dir is not empty and was not created by tools/pg.sh; pick another directory"
    fi
  else
    mkdir -p "$dir"
  fi
  touch "$dir/$MARKER"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir" "$dir/$MARKER"
    chmod 700 "$dir"
    as_pg test -w "$dir" -a -x "$dir" \
      || die "the postgres user cannot write $dir: a directory above it is not reachable (chmod o+x the parents, or use a directory under /tmp)"
  fi

  # initdb once; a half-done one (no marker) is wiped and redone.
  if [ ! -f "$dir/.initdb-done" ]; then
    as_pg rm -rf "$data"
    as_pg "$PG_BIN/initdb" -D "$data" -A trust -U kopilka -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1 || { tail -20 "$dir/initdb.log" >&2; die "initdb failed; see $dir/initdb.log"; }
    # Test-only settings: durability off, everything on loopback, socket in DIR.
    cat >>"$data/postgresql.conf" <<EOF

# ---- tools/pg.sh (throwaway test cluster) ----
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
EOF
    touch "$dir/.initdb-done"
    [ "$(id -u)" != 0 ] || chown postgres: "$dir/.initdb-done" "$dir/initdb.log"
  fi

  clear_stale_locks
  local try ok=0
  for ((try = 1; try <= PORT_TRIES; try++)); do
    port="$(pick_port)"
    : >"$dir/postgres.log"; [ "$(id -u)" != 0 ] || chown postgres: "$dir/postgres.log"
    if as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/postgres.log" -o "-p $port ${KOPILKA_PG_OPTIONS:-}" -w -t 60 start >/dev/null 2>&1; then
      ok=1; break
    fi
    if grep -q "Address already in use" "$dir/postgres.log"; then
      echo "pg.sh: port $port taken meanwhile, trying another" >&2; continue
    fi
    tail -20 "$dir/postgres.log" >&2
    die "PostgreSQL did not start; see $dir/postgres.log"
  done
  [ "$ok" = 1 ] || die "PostgreSQL did not start after $PORT_TRIES ports; see $dir/postgres.log"
  wait_ready "$port" || die "PostgreSQL started but does not accept connections on 127.0.0.1:$port; see $dir/postgres.log"

  if [ "$(psql_q "$port" postgres "SELECT 1 FROM pg_database WHERE datname = 'kopilka'")" != 1 ]; then
    psql_q "$port" postgres "CREATE DATABASE kopilka" >/dev/null || die "CREATE DATABASE kopilka failed"
  fi
  url_for "$port"
}

do_url() {
  [ -d "$dir" ] || die "$dir does not exist (tools/pg.sh start $dir_arg)"
  local port
  port="$(running_port)"
  [ -n "$port" ] || die "no cluster running under $dir (tools/pg.sh start $dir_arg)"
  ready "$port" || die "cluster under $dir (port $port) does not accept connections; see $dir/postgres.log"
  url_for "$port"
}

do_stop() {
  [ -e "$dir" ] || return 0
  [ -d "$dir" ] || die "$dir is not a directory"
  [ -e "$dir/$MARKER" ] || die "$dir was not created by tools/pg.sh; not touching it"
  if [ -f "$data/postmaster.pid" ] && postmaster_alive; then
    if ! as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 30 stop >/dev/null 2>&1; then
      echo "pg.sh: fast stop failed, stopping in immediate mode" >&2
      as_pg "$PG_BIN/pg_ctl" -D "$data" -m immediate -w -t 10 stop >/dev/null 2>&1 || {
        local pid; pid="$(sed -n 1p "$data/postmaster.pid" 2>/dev/null || true)"
        [ -z "$pid" ] || kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
      }
    fi
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start) do_start ;;
  url)   do_url ;;
  stop)  do_stop ;;
esac
