#!/usr/bin/env bash
# Benchmarks. Each reports ratios against a baseline measured in the same run, and writes
# its table into README.md between <!-- bench:NAME --> markers.
#   tools/bench.sh core    receipts quoted per second, native vs wasm under Node
#   tools/bench.sh server  member lookups and receipt posts per second with p50/p99 under wrk,
#                          on SQLite and PostgreSQL, against pgbench's TPS for the same
#                          database work as one transaction (the ceiling)
#   tools/bench.sh cluster member lookups and receipt posts per second through nginx in front of
#                          1, 2 and 3 servers on one PostgreSQL (tools/cluster.sh), and 1 server
#                          without nginx; ratios against 1 server behind nginx
#   tools/bench.sh kiosk   the kiosk in headless Chromium against a real server: cold and warm
#                          start to the first drawn frame, bytes of the load (raw, received,
#                          gzip -9), camera frame with a card → balance on screen, zxing decode
#                          time per frame, CPU of an idle kiosk (tools/bench/kiosk_bench.mjs,
#                          about 2 minutes)
#   tools/bench.sh widget  the website widget on the demo shop in headless Chromium against a real
#                          server: stub bytes (raw, gzip, brotli), main-thread time at load with
#                          and without the stub, requests before intent, open → first content
#                          cold and warm, panel bytes, <kopilka-points> time to first number
#                          (tools/bench/widget_bench.mjs, about a minute)
#   tools/bench.sh console the merchant console in headless Chromium against a real server: cold
#                          start to the first frame, bytes by kind, one theme edit → kiosk and
#                          widget previews redrawn, CPU of an idle console
#                          (tools/bench/console_bench.mjs, about a minute)
#   tools/bench.sh members the console's members table at 100 000 members scrolled by wheel and
#                          PageDown beside a baseline screen: frame rate, long frames, time in
#                          the frame callbacks (tools/bench/members_bench.mjs, about a minute;
#                          printed, not written to the README)
#   tools/bench.sh reports report latency (GET /v1/admin/reports and /series over 30 and 365
#                          days, cold and warm) at 10^4, 10^5 and 10^6 receipts on SQLite and
#                          PostgreSQL, and CSV import rows per second
#                          (tools/bench/reports_bench.mjs, about 10 minutes)
#   tools/bench.sh all     all six
# Runs bootstrap and build first. KOPILKA_BENCH_RUNS (default 5) runs each, median kept.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
what="${1:-core}"
runs="${KOPILKA_BENCH_RUNS:-5}"

tools/bootstrap.sh >/dev/null
tools/build.sh >/dev/null

# median of the "per_second" field over $runs runs of a command
median_rate() {
  local rates=()
  for _ in $(seq "$runs"); do
    rates+=("$("$@" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).per_second))')")
  done
  printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

# Replaces the block between <!-- bench:NAME --> and <!-- /bench:NAME --> in README.md.
write_readme() {
  local name="$1" table="$2"
  node -e '
    const fs = require("fs"); const [name, table] = process.argv.slice(1);
    const readme = fs.readFileSync("README.md", "utf8");
    const open = `<!-- bench:${name} -->`, close = `<!-- /bench:${name} -->`;
    const a = readme.indexOf(open), b = readme.indexOf(close);
    if (a < 0 || b < 0) { console.error(`README.md has no ${open} … ${close} block`); process.exit(1); }
    fs.writeFileSync("README.md", readme.slice(0, a + open.length) + "\n" + table + "\n" + readme.slice(b));
  ' "$name" "$table"
}

bench_core() {
  local n=200000
  echo "[bench] core: quoting $n receipts, $runs runs each"
  local native wasm
  native=$(median_rate build/native/bin/kopilka_core_bench "$n")
  wasm=$(median_rate node build/wasm/bin/kopilka_core_bench.js "$n")
  # Same receipts, same program: the sums of every quote must be identical in both builds.
  local sum_native sum_wasm
  sum_native=$(build/native/bin/kopilka_core_bench 20000 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).checksum))')
  sum_wasm=$(node build/wasm/bin/kopilka_core_bench.js 20000 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).checksum))')
  if [ "$sum_native" != "$sum_wasm" ]; then
    echo "[bench] native and wasm quotes differ: checksum $sum_native vs $sum_wasm" >&2
    exit 1
  fi
  local ratio
  ratio=$(node -e "console.log((${wasm}/${native}).toFixed(2))")
  local cpu
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
  local table
  table=$(printf '| build | receipts quoted / s | vs native |\n|---|---:|---:|\n| native (g++ -O2) | %s | 1.00 |\n| wasm under Node %s (em++ -O3) | %s | %s |\n\n%s receipts of 1–8 lines against a program with every discount and earning rule; median of %s runs on %s, %s cores, %s. Both builds produce identical quotes (checksum %s).' \
    "$native" "$(node --version)" "$wasm" "$ratio" "$n" "$runs" "$cpu" "$(nproc)" "$(date -u +%Y-%m-%d)" "$sum_native")
  echo "$table"
  write_readme core "$table"
}

# Starts kopilka-server on DB (a file or a postgresql:// URL) on a free port; sets $server_pid
# and $server_url.
start_server() {
  local db="$1" log="$2"
  build/native/bin/kopilka-server --db "$db" --port 0 --seed-demo --quiet --no-rate-limits >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    server_url=$(sed -n 's/^listening on //p' "$log")
    [ -n "$server_url" ] && return 0
    sleep 0.1
  done
  echo "[bench] kopilka-server did not start: $(cat "$log")" >&2
  exit 1
}

# wrk with one of our Lua scripts; prints its one-line JSON summary.
run_wrk() {
  wrk -t2 -c16 -d"${KOPILKA_BENCH_S:-8}"s --timeout 5s -s "tools/bench/$1" "$server_url" | tail -1
}

field() { node -e 'const j=JSON.parse(process.argv[1]);const v=j[process.argv[2]];console.log(typeof v==="number"&&!Number.isInteger(v)?v.toFixed(2):v)' "$1" "$2"; }
rate() { node -e 'const j=JSON.parse(process.argv[1]);console.log(Math.round(j.requests/j.seconds))' "$1"; }

# Keys and members for the wrk scripts on DB, through the server at $server_url: sets
# KOPILKA_KEY (a till key), KOPILKA_QR (the demo members' card QR texts) and KOPILKA_CARDS.
prepare_bench_data() {
  local db="$1"
  local cli=build/native/bin/kopilka
  export KOPILKA_KEY KOPILKA_QR KOPILKA_CARDS
  KOPILKA_KEY=$("$cli" api-key --db "$db" --merchant demo --role till | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))')
  # 300 more members through the console API, so receipts spread over many members as in a
  # shop (one member's receipts serialise on its lock, as they must).
  local admin
  admin=$("$cli" api-key --db "$db" --merchant demo --role admin | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).key))')
  node -e '
    const [url, key] = process.argv.slice(1);
    (async () => {
      for (let i = 0; i < 300; i += 20)
        await Promise.all(Array.from({length: 20}, (_, k) => fetch(url + "/v1/admin/members", {method: "POST",
          headers: {"Authorization": "Bearer " + key, "Content-Type": "application/json"},
          body: JSON.stringify({id: "bench-" + (i + k), name: "Bench " + (i + k), consent: true})}).then((r) => {
            if (r.status !== 201) throw new Error("enrol: " + r.status); })));
    })().catch((e) => { console.error(e.message); process.exit(1); });' "$server_url" "$admin"
  KOPILKA_QR=$("$cli" cards --db "$db" | grep '"demo-' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>JSON.parse(l).qr).join(";")))')
  KOPILKA_CARDS=$("$cli" cards --db "$db" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(s.trim().split("\n").map(l=>JSON.parse(l).card).join(";")))')
}

bench_one_db() {
  local name="$1" db="$2" tmp="$3"
  start_server "$db" "$tmp/server-$name.log"
  prepare_bench_data "$db"
  lookup_json=$(run_wrk lookup.lua)
  receipt_json=$(run_wrk receipt.lua)
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  printf '| %s | member lookup | %s | %s | %s | %s |\n' "$name" "$(rate "$lookup_json")" "$(field "$lookup_json" p50_ms)" "$(field "$lookup_json" p99_ms)" "$(field "$lookup_json" errors)" >>"$tmp/rows"
  printf '| %s | receipt post | %s | %s | %s | %s |\n' "$name" "$(rate "$receipt_json")" "$(field "$receipt_json" p50_ms)" "$(field "$receipt_json" p99_ms)" "$(field "$receipt_json" errors)" >>"$tmp/rows"
  last_receipt_rate=$(rate "$receipt_json")
}

bench_server() {
  local tmp pg_dir url
  tmp=$(mktemp -d /tmp/kopilka-bench.XXXXXX)
  pg_dir=$(mktemp -d /tmp/kopilka-pg.XXXXXX)
  trap 'tools/pg.sh stop "$pg_dir" 2>/dev/null; rm -rf "$tmp"' RETURN
  url=$(tools/pg.sh start "$pg_dir" 2>"$tmp/pg.log")
  : >"$tmp/rows"
  echo "[bench] server on SQLite"
  bench_one_db SQLite "$tmp/bench.sqlite" "$tmp"
  local sqlite_receipts=$last_receipt_rate
  echo "[bench] server on PostgreSQL"
  bench_one_db PostgreSQL "$url" "$tmp"
  local pg_receipts=$last_receipt_rate
  echo "[bench] pgbench ceiling"
  # 300 members' counters for the pgbench script (the server created the schema).
  psql -q "$url" -c "INSERT INTO member_counters SELECT 'demo', g::text, 0, 0, '', 0, '{}' FROM generate_series(1, 300) g ON CONFLICT DO NOTHING" >/dev/null
  local tps
  tps=$(/usr/lib/postgresql/15/bin/pgbench "$url" -n -M prepared -f tools/bench/pgbench_receipt.sql -c 16 -j 2 -T "${KOPILKA_BENCH_S:-8}" 2>/dev/null |
        sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
  local ratio
  ratio=$(node -e "console.log((${pg_receipts}/${tps}).toFixed(2))")
  local table
  table=$(printf '| database | request | per second | p50 ms | p99 ms | errors |\n|---|---|---:|---:|---:|---:|\n%s\n\npgbench, the same database work as one receipt in one transaction (16 clients): **%.0f TPS**; receipts through kopilka-server on PostgreSQL reach **%s** of that ceiling. wrk -t2 -c16 for %ss against a server with its default workers; lookups of the three demo members, receipts spread over 303 members (receipts of one member serialise on its lock); rate limits off; PostgreSQL 15 with fsync off (test cluster), SQLite with WAL and synchronous=FULL, on %s cores, %s.' \
    "$(cat "$tmp/rows")" "$tps" "$ratio" "${KOPILKA_BENCH_S:-8}" "$(nproc)" "$(date -u +%Y-%m-%d)")
  echo "$table"
  write_readme server "$table"
}

# One row of the cluster table: lookups and receipts at $server_url, each with its rate relative
# to the first call's (1 server behind nginx).
cluster_rows() {
  local name="$1" lookup_json receipt_json lookups receipts
  lookup_json=$(run_wrk lookup.lua)
  receipt_json=$(run_wrk receipt.lua)
  lookups=$(rate "$lookup_json"); receipts=$(rate "$receipt_json")
  : "${base_lookups:=$lookups}" "${base_receipts:=$receipts}"
  printf '| %s | member lookup | %s | %s | %s | %s | %s |\n' "$name" "$lookups" \
    "$(node -e "console.log(($lookups/$base_lookups).toFixed(2))")" "$(field "$lookup_json" p50_ms)" \
    "$(field "$lookup_json" p99_ms)" "$(field "$lookup_json" errors)" >>"$tmp/rows"
  printf '| %s | receipt post | %s | %s | %s | %s | %s |\n' "$name" "$receipts" \
    "$(node -e "console.log(($receipts/$base_receipts).toFixed(2))")" "$(field "$receipt_json" p50_ms)" \
    "$(field "$receipt_json" p99_ms)" "$(field "$receipt_json" errors)" >>"$tmp/rows"
}

bench_cluster() {
  local tmp pg_dir url n
  tmp=$(mktemp -d /tmp/kopilka-bench.XXXXXX)
  pg_dir=$(mktemp -d /tmp/kopilka-pg.XXXXXX)
  export KOPILKA_CLUSTER_DIR="$tmp/cluster" KOPILKA_QUIET=1 KOPILKA_RATE_LIMITS=off
  trap 'tools/cluster.sh down >/dev/null 2>&1; tools/pg.sh stop "$pg_dir" 2>/dev/null; rm -rf "$tmp"' RETURN
  url=$(tools/pg.sh start "$pg_dir" 2>"$tmp/pg.log")
  : >"$tmp/rows"
  base_lookups="" base_receipts=""
  for n in 1 2 3; do
    echo "[bench] cluster: $n server(s) behind nginx"
    server_url=$(tools/cluster.sh up "$n" --pg "$url" --port 0 2>>"$tmp/cluster.log")
    [ "$n" != 1 ] || prepare_bench_data "$url"
    cluster_rows "$n behind nginx"
    if [ "$n" = 1 ]; then
      echo "[bench] cluster: 1 server without nginx"
      server_url="http://127.0.0.1:$(cat "$KOPILKA_CLUSTER_DIR/server-1.port")"
      cluster_rows "1 without nginx"
    fi
    tools/cluster.sh down 2>>"$tmp/cluster.log"
  done
  local table
  table=$(printf '| servers | request | per second | vs 1 behind nginx | p50 ms | p99 ms | errors |\n|---|---|---:|---:|---:|---:|---:|\n%s\n\nwrk -t2 -c16 for %ss through nginx %s (tools/cluster.sh: 2 workers, kept-alive upstream connections) in front of N kopilka-server processes with their default workers on one PostgreSQL 15 (test cluster, fsync off); lookups of the three demo members, receipts spread over 303 members; rate limits off, request logs off. Everything (wrk, nginx, the servers, PostgreSQL) shares %s cores, %s: more servers add no CPU here, so the ratios show what the extra processes and the proxy cost rather than how the cluster scales on more cores.' \
    "$(cat "$tmp/rows")" "${KOPILKA_BENCH_S:-8}" "$(nginx -v 2>&1 | sed 's|.*/||')" "$(nproc)" "$(date -u +%Y-%m-%d)")
  echo "$table"
  write_readme cluster "$table"
}

# The browser benchmarks (tools/bench/NAME_bench.mjs) print the whole README block (tables and
# what each figure means) and keep every raw number in build/bench/NAME.json. Their own repeats
# are fixed (the kiosk's: median of 5 cold starts, 5 card scans, 40 decodes per frame) so each
# stays within a few minutes; $runs is not used.
bench_browser() {
  echo "[bench] $1: $2"
  local table
  table=$(KOPILKA_BUILD="$root/build" node "tools/bench/$1_bench.mjs")
  echo "$table"
  write_readme "$1" "$table"
}

bench_reports() {
  echo "[bench] reports: 10^4, 10^5, 10^6 receipts on SQLite and PostgreSQL, about 10 minutes"
  local pg_dir table
  pg_dir=$(mktemp -d /tmp/kopilka-pg.XXXXXX)
  trap 'tools/pg.sh stop "$pg_dir" 2>/dev/null' RETURN
  table=$(KOPILKA_BUILD="$root/build" KOPILKA_PG_URL=$(tools/pg.sh start "$pg_dir" 2>/dev/null) \
          node tools/bench/reports_bench.mjs)
  echo "$table"
  write_readme reports "$table"
}

case "$what" in
  core) bench_core ;;
  server) bench_server ;;
  cluster) bench_cluster ;;
  kiosk) bench_browser kiosk "headless Chromium against kopilka-server, about 2 minutes" ;;
  widget) bench_browser widget "the demo shop in headless Chromium against kopilka-server, about two minutes" ;;
  console) bench_browser console "the console in headless Chromium against kopilka-server, about a minute" ;;
  reports) bench_reports ;;
  members) KOPILKA_BUILD="$root/build" node tools/bench/members_bench.mjs ;;
  all)
    bench_core
    bench_server
    for b in kiosk widget console; do bench_browser "$b" "headless Chromium against kopilka-server"; done
    bench_reports
    ;;
  *) echo "usage: tools/bench.sh [core|server|cluster|kiosk|widget|console|reports|all]" >&2; exit 2 ;;
esac
