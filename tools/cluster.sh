#!/usr/bin/env bash
# The reference deployment on one machine: N kopilka-server processes on one PostgreSQL behind
# nginx (Debian's package, pinned in tools/packages.lock).
#
#   tools/cluster.sh up N [--pg URL] [--port P]  starts it and prints nginx's URL; without
#                        --pg, a throwaway PostgreSQL (tools/pg.sh) that `down` removes again.
#                        --port 0 picks a free port for nginx (default 8090, KOPILKA_CLUSTER_PORT)
#   tools/cluster.sh down          stops nginx, the servers and the PostgreSQL `up` started
#   tools/cluster.sh status        what runs: nginx, each server's pid, port and /healthz
#   tools/cluster.sh restart I     drains server I (SIGTERM, waits for its exit; a killed one is
#                        just started), starts it again on its port and waits until healthy
#
# State (config, pids, logs, nginx's temp files): build/cluster, or $KOPILKA_CLUSTER_DIR. Each
# command is idempotent: `up` on a running cluster prints its URL, `down` on none does nothing.
# The servers inherit the environment, so KOPILKA_QUIET=1, KOPILKA_RATE_LIMITS=off and the
# other KOPILKA_* settings of kopilka-server apply to all of them.
# Implemented: keep-alive upstream connections, retries on another server for errors, timeouts
# and 503 (the drain), passive health checks, X-Request-Id passed through (or nginx's own id).
# Missing: active health checks (open-source nginx has none: a server is taken out after
# max_fails failed requests and tried again after fail_timeout), TLS, nginx on other hosts.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

state="${KOPILKA_CLUSTER_DIR:-$root/build/cluster}"
bin="${KOPILKA_BIN:-$root/build/native/bin}"
nginx_bin="${KOPILKA_NGINX:-/usr/sbin/nginx}"

# Every connection a server sees comes from nginx's one address, so the per-address cap (256
# by default) would be nginx's cap in all; the cap per client belongs in nginx (limit_conn).
export KOPILKA_CONNECTIONS_PER_ADDRESS_MAX="${KOPILKA_CONNECTIONS_PER_ADDRESS_MAX:-4096}"

die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "[cluster] $*" >&2; }
usage() { echo "usage: tools/cluster.sh up N [--pg URL] [--port P] | down | status | restart I" >&2; exit 2; }

# A live process (not a zombie: in a container nothing may reap an orphan that exited).
alive() {
  [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null || return 1
  local st
  st=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null || true)
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
pid_of() { cat "$1" 2>/dev/null || true; }
nginx_pid() { pid_of "$state/nginx/nginx.pid"; }
servers() { cat "$state/servers" 2>/dev/null || echo 0; }

# GET /healthz answers 200 on 127.0.0.1:PORT within 2 s (bash's /dev/tcp: no curl needed).
healthy() {
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
    IFS= read -r line <&3 && [[ "$line" == "HTTP/1."?" 200"* ]]' healthy "$1" 2>/dev/null
}

# A TCP port nothing listens on.
free_port() {
  local port
  for _ in $(seq 100); do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  die "no free port on 127.0.0.1"
}

# Starts server I on PORT (0: any free one) and waits for its listening line; records pid and
# port. Only `up` seeds the demo data, through the first server alone, before the others start.
start_server() {
  local i="$1" port="$2" seed="${3:-}" log="$state/server-$1.log" site=() from
  [ -d build/site ] && site=(--site "$root/build/site")
  touch "$log"
  from=$(($(wc -l <"$log") + 1))   # a restart appends: its listening line comes after this
  # setsid: its own session, so a Ctrl-C in this terminal doesn't stop the cluster.
  setsid "$bin/kopilka-server" --db "$(cat "$state/pg_url")" --host 127.0.0.1 --port "$port" \
    "${site[@]}" $seed </dev/null >>"$log" 2>&1 &
  echo $! >"$state/server-$i.pid"
  local url=""
  for _ in $(seq 300); do
    url=$(tail -n "+$from" "$log" | sed -n 's/^listening on //p')
    [ -n "$url" ] && break
    alive "$(pid_of "$state/server-$i.pid")" || die "server $i exited: $(tail -5 "$log")"
    sleep 0.1
  done
  [ -n "$url" ] || die "server $i did not start within 30 s; see $log"
  echo "${url##*:}" >"$state/server-$i.port"
}

# SIGTERM, then wait for the drain (kopilka-server answers what is in flight, then exits).
stop_pid() {
  local pid="$1" what="$2"
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do alive "$pid" || return 0; sleep 0.1; done
  say "$what did not stop within 15 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

write_nginx_conf() {
  local n="$1" port="$2" upstreams="" i
  for ((i = 1; i <= n; i++)); do
    upstreams+="        server 127.0.0.1:$(cat "$state/server-$i.port") max_fails=1 fail_timeout=2s;"$'\n'
  done
  mkdir -p "$state/nginx/temp"
  cat >"$state/nginx/nginx.conf" <<EOF
# Generated by tools/cluster.sh; rewritten by each \`up\`.
worker_processes 2;
pid $state/nginx/nginx.pid;
error_log $state/nginx/error.log warn;
events { worker_connections 4096; }
http {
    # Everything nginx writes stays in the state directory, nothing under /etc or /var.
    client_body_temp_path $state/nginx/temp/body;
    proxy_temp_path $state/nginx/temp/proxy;
    fastcgi_temp_path $state/nginx/temp/fastcgi;
    uwsgi_temp_path $state/nginx/temp/uwsgi;
    scgi_temp_path $state/nginx/temp/scgi;
    types_hash_max_size 2048;

    # The client's X-Request-Id, else nginx's own: the servers log it and send it back, so one
    # id finds a request in nginx's log and in a server's.
    map \$http_x_request_id \$kopilka_request_id {
        default \$http_x_request_id;
        ""      \$request_id;
    }
    log_format kopilka '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent '
                       'rt=\$request_time upstream=\$upstream_addr ust=\$upstream_status '
                       'urt=\$upstream_response_time id=\$kopilka_request_id';
    access_log $state/nginx/access.log kopilka;

    upstream kopilka {
        # Passive health checks only (open-source nginx has no active ones): a server that
        # fails a request (refused, reset, timed out, or 503 while it drains) is left out for
        # fail_timeout, then tried again with live traffic.
$upstreams
        # Kept-alive connections to the servers. nginx closes idle ones after 20 s, before the
        # servers' own 30 s (--keep-alive-idle-s), so nginx is never the one to reuse a
        # connection a server is closing.
        keepalive 64;
        keepalive_timeout 20s;
        keepalive_requests 100000;
    }

    server {
        listen 127.0.0.1:$port;
        client_max_body_size 64m;      # a CSV import (kopilka-server --body limits)

        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host \$host;
        proxy_set_header X-Request-Id \$kopilka_request_id;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_connect_timeout 1s;
        proxy_read_timeout 30s;
        proxy_next_upstream_tries $n;
        proxy_next_upstream_timeout 15s;

        # GET, HEAD, PUT, DELETE go to the next server on an error, a timeout or a 503
        # (a draining server answers 503 draining to a request that reaches it too late).
        location / {
            proxy_pass http://kopilka;
            proxy_next_upstream error timeout http_503;
        }
        # These POSTs may be sent again to another server even after one may have acted on them
        # (non_idempotent): each write is keyed by the client's operation_id, so a replay
        # answers the first result and changes nothing (a lookup only reads). Other POSTs (a
        # sign-in, a pairing, a user) are passed on only while no server has seen them.
        location ~ ^/v1/(receipts|returns|members/lookup|coupons/redeem|kiosk/(operations|redeem|spin)|widget/(redeem|spin))\$ {
            proxy_pass http://kopilka;
            proxy_next_upstream error timeout http_503 non_idempotent;
        }
    }
}
EOF
}

nginx_cmd() { "$nginx_bin" -p "$state/nginx" -c "$state/nginx/nginx.conf" -e "$state/nginx/error.log" "$@"; }

cmd_up() {
  local n="${1:-}" pg="" port="${KOPILKA_CLUSTER_PORT:-8090}"
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || usage
  shift
  while [ $# -gt 0 ]; do
    case "$1" in
      --pg) [ $# -ge 2 ] || usage; pg="$2"; shift 2 ;;
      --port) [ $# -ge 2 ] || usage; port="$2"; shift 2 ;;
      *) usage ;;
    esac
  done
  [ -x "$bin/kopilka-server" ] || die "$bin/kopilka-server not found (tools/build.sh)"
  [ -x "$nginx_bin" ] || die "$nginx_bin not found (tools/bootstrap.sh installs Debian's nginx)"
  if alive "$(nginx_pid)"; then
    [ "$(servers)" = "$n" ] || die "a cluster of $(servers) servers runs; tools/cluster.sh down first"
    cat "$state/url"; return 0
  fi
  cmd_down 2>/dev/null || true   # leftovers of a cluster that half-started or crashed
  mkdir -p "$state/nginx"
  if [ -n "$pg" ]; then
    echo "$pg" >"$state/pg_url"
  else
    local pg_dir
    pg_dir=$(mktemp -d /tmp/kopilka-pg.XXXXXX)
    echo "$pg_dir" >"$state/pg_dir"
    tools/pg.sh start "$pg_dir" 2>"$state/pg.log" >"$state/pg_url" || die "PostgreSQL did not start; see $state/pg.log"
  fi
  echo "$n" >"$state/servers"
  say "starting $n servers on $(cat "$state/pg_url")"
  start_server 1 0 --seed-demo   # migrates and seeds alone; the others find both done
  local i
  for ((i = 2; i <= n; i++)); do start_server "$i" 0; done
  [ "$port" != 0 ] || port=$(free_port)
  write_nginx_conf "$n" "$port"
  nginx_cmd -t -q 2>"$state/nginx/test.log" || die "nginx rejects its config: $(cat "$state/nginx/test.log")"
  nginx_cmd 2>>"$state/nginx/error.log" || die "nginx did not start; see $state/nginx/error.log"
  for _ in $(seq 50); do healthy "$port" && break; sleep 0.1; done
  healthy "$port" || die "nginx on port $port does not answer /healthz; see $state/nginx/error.log"
  echo "http://127.0.0.1:$port" | tee "$state/url"
}

cmd_down() {
  [ -d "$state" ] || return 0
  local pid i
  pid=$(nginx_pid)
  if alive "$pid"; then
    nginx_cmd -s quit 2>/dev/null || kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
  fi
  for f in "$state"/server-*.pid; do
    [ -e "$f" ] || continue
    stop_pid "$(pid_of "$f")" "$(basename "$f" .pid)"
    rm -f "$f"
  done
  if [ -s "$state/pg_dir" ]; then
    tools/pg.sh stop "$(cat "$state/pg_dir")" || say "could not stop PostgreSQL under $(cat "$state/pg_dir")"
  fi
  rm -f "$state/pg_dir" "$state/pg_url" "$state/url" "$state/servers" "$state"/server-*.port
}

cmd_status() {
  local n i pid port
  n=$(servers)
  if alive "$(nginx_pid)"; then echo "nginx: running (pid $(nginx_pid)) at $(cat "$state/url")"
  else echo "nginx: not running"; fi
  for ((i = 1; i <= n; i++)); do
    pid=$(pid_of "$state/server-$i.pid"); port=$(pid_of "$state/server-$i.port")
    if alive "$pid"; then
      echo "server $i: running (pid $pid) on 127.0.0.1:$port, /healthz $(healthy "$port" && echo ok || echo failing)"
    else
      echo "server $i: not running (port $port)"
    fi
  done
  [ ! -s "$state/pg_url" ] || echo "database: $(cat "$state/pg_url")"
  alive "$(nginx_pid)"
}

cmd_restart() {
  local i="${1:-}"
  [[ "$i" =~ ^[1-9][0-9]?$ ]] && [ "$i" -le "$(servers)" ] || die "no server $i (tools/cluster.sh status)"
  local port
  port=$(cat "$state/server-$i.port")
  stop_pid "$(pid_of "$state/server-$i.pid")" "server $i"
  start_server "$i" "$port"
  for _ in $(seq 100); do healthy "$port" && return 0; sleep 0.1; done
  die "server $i does not answer /healthz after its restart; see $state/server-$i.log"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  restart) cmd_restart "${2:-}" ;;
  *) usage ;;
esac
