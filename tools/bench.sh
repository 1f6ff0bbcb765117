#!/usr/bin/env bash
# Benchmarks. Each reports ratios against a baseline measured in the same run, and writes
# its table into README.md between <!-- bench:NAME --> markers.
#   tools/bench.sh core    receipts quoted per second, native vs wasm under Node
#   tools/bench.sh server  member lookups and receipt posts per second with p50/p99 under wrk,
#                          on SQLite and PostgreSQL, against the same statements without the
#                          server (the ceiling: pgbench on PostgreSQL, the best of 4, 8 and 16
#                          clients; tools/bench/sqlite_baseline.c on SQLite), and PostgreSQL's
#                          lookups read in groups against each read alone
#                          (KOPILKA_READS_TOGETHER=0); on PostgreSQL in KOPILKA_BENCH_ROUNDS
#                          rounds beside pgbench (default 3); then
#                          latency against the member's history length, her live batches,
#                          her receipts and the number of members (tools/bench/scale_bench.py)
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

# CPU time (clock ticks) of the PostgreSQL cluster in $pg_dir so far: the postmaster and its
# children (the server's connections stay open while wrk runs, so none of their time is lost).
pg_ticks() {
  local postmaster
  postmaster=$(head -1 "$pg_dir/data/postmaster.pid")
  for p in "$postmaster" $(pgrep -P "$postmaster"); do cat "/proc/$p/stat" 2>/dev/null; done |
    awk '{t += $14 + $15} END {print t + 0}'
}

# Lookups under wrk with PostgreSQL's CPU per lookup: sets lookup_json and lookup_db_ms.
run_lookups_pg() {
  local before after
  before=$(pg_ticks)
  lookup_json=$(run_wrk lookup.lua)
  after=$(pg_ticks)
  lookup_db_ms=$(node -e 'const [b, a, hz, j] = process.argv.slice(1);
    console.log(((a - b) * 1000 / hz / JSON.parse(j).requests).toFixed(3))' \
    "$before" "$after" "$(getconf CLK_TCK)" "$lookup_json")
}

bench_one_db() {
  local name="$1" db="$2" tmp="$3"
  start_server "$db" "$tmp/server-$name.log"
  prepare_bench_data "$db"
  lookup_json=$(run_wrk lookup.lua)
  receipt_json=$(run_wrk receipt.lua)
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  lookup_rate=$(rate "$lookup_json") receipt_rate=$(rate "$receipt_json")
}

# "| database | request | per second | ceiling | ratio | ceiling at 16 | ratio | p50 | p99 |
# errors |" for $1 ($3: wrk JSON, $4: its rate, $5: the ceiling, $6: pgbench's at 16 clients)
server_row() {
  local ratio="–" ceiling="${5:-–}" ratio16="–" ceiling16="${6:-–}"
  [ "$ceiling" = "–" ] || ratio=$(node -e "console.log(($4/$ceiling).toFixed(2))")
  [ "$ceiling16" = "–" ] || ratio16=$(node -e "console.log(($4/$ceiling16).toFixed(2))")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$2" "$4" "$ceiling" \
    "$ratio" "$ceiling16" "$ratio16" "$(field "$3" p50_ms)" "$(field "$3" p99_ms)" \
    "$(field "$3" errors)" >>"$tmp/rows"
}

# pgbench's TPS for tools/bench/pgbench_$1.sql on $url with the bench's members filled in: the
# same statements in the same transactions as the server's request ($2: the members' ids
# separated by ';', $3: their cards; $4: pgbench's clients, 16 by default). It runs on
# $pgbench_url if set (a copy of the database), with stored texts taken from $url.
pgbench_tps() {
  local script="$tmp/pgbench_$1.sql" now window_from
  now=$(node -e 'console.log(Date.now())')
  window_from=$((now - 365 * 24 * 3600 * 1000))
  node -e '
    const fs = require("fs");
    const [src, dst, members, cards, now, from] = process.argv.slice(1);
    const list = (s) => s.split(";").map((x) => "\x27" + x + "\x27").join(", ");
    fs.writeFileSync(dst, fs.readFileSync(src, "utf8")
      .replaceAll("@MEMBERS@", list(members)).replaceAll("@CARDS@", list(cards))
      .replaceAll("@COUNT@", String(members.split(";").length)).replaceAll("@NOW@", now)
      .replaceAll("@WINDOW_FROM@", from));
  ' "tools/bench/pgbench_$1.sql" "$script" "$2" "$3" "$now" "$window_from"
  # Stored texts the server wrote: of each column, the value nearest its average length (a
  # filler of that length would compress to almost nothing, where the server's JSON is moved
  # out of line compressed: the ceiling did less work than the server made the database do).
  # Only those the script uses (the receipts'), none yet before the server wrote one. Under
  # 100 000 bytes: one argument of pgbench's command line holds at most 128 KiB.
  local defs=() name column table kind text
  for name in receipt_text:receipt:receipts quote_text:quote:receipts \
      entry_text:body:member_entries state_text:body:member_state \
      points_text:points:member_state request_text:request:operations \
      response_text:response:operations; do
    IFS=: read -r name column table <<<"$name"
    grep -q ":$name" "$script" || continue
    kind=""
    [ "$table" = operations ] && kind="AND kind = 'receipt'"
    text=$(psql -Atq "$url" -c "SELECT $column FROM $table WHERE merchant_id = 'demo' $kind
      AND length($column) < 100000 ORDER BY abs(length($column) - (SELECT avg(length($column))
        FROM $table WHERE merchant_id = 'demo' $kind)) LIMIT 1")
    if [ -n "$text" ]; then defs+=(-D "$name=$text"); fi
  done
  /usr/lib/postgresql/15/bin/pgbench "${pgbench_url:-$url}" -n -M prepared -f "$script" \
    -c "${4:-16}" -j 2 -T "${KOPILKA_BENCH_S:-8}" "${defs[@]}" 2>"$tmp/pgbench-$1.log" |
    sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1 | xargs printf '%.0f\n'
}

# The ceiling: pgbench_tps with 4, 8 and 16 clients, printed as JSON {"tps": the best, "each":
# "4:tps 8:tps 16:tps", "at16": tps with 16}. On a few cores PostgreSQL does this work fastest
# with a few connections (each one more than its cores adds lock and scheduling waits), so the
# ceiling is the best of them, whatever the server itself keeps open.
pgbench_best() {
  local c tps best=0 each=""
  for c in 4 8 16; do
    tps=$(pgbench_tps "$1" "$2" "$3" "$c")
    each="$each${each:+ }$c:$tps"
    [ "$tps" -gt "$best" ] && best=$tps
  done
  printf '{"tps":%s,"each":"%s","at16":%s}\n' "$best" "$each" "$tps"
}

# Of the rounds in file $1 (JSON lines, each with its ceiling from pgbench_best), the one whose
# request $2 came nearest the median ratio to its ceiling, on one line; on the next, every
# round's ratios of the requests $2 … (joined " / "), rounds joined by ", ".
median_round() {
  node -e '
    const [file, ...keys] = process.argv.slice(1);
    const rounds = require("fs").readFileSync(file, "utf8").trim().split("\n")
      .map((l) => JSON.parse(l));
    const ratio = (r, k) => r[k].requests / r[k].seconds / r.ceiling.tps;
    const order = rounds.map((r, i) => [ratio(r, keys[0]), i]).sort((a, b) => a[0] - b[0]);
    console.log(JSON.stringify(rounds[order[(rounds.length - 1) >> 1][1]]));
    console.log(rounds.map((r) => keys.map((k) => ratio(r, k).toFixed(2)).join(" / "))
      .join(", "));' "$@"
}

# The values at the paths $2 … (dotted) of JSON $1, separated by tabs: objects as JSON.
pick() {
  node -e '
    const [text, ...paths] = process.argv.slice(1);
    const at = (v, p) => p.split(".").reduce((x, k) => x[k], v);
    const show = (v) => (typeof v === "object" ? JSON.stringify(v) : String(v));
    console.log(paths.map((p) => show(at(JSON.parse(text), p))).join("\t"));' "$@"
}

# The benchmarks' PostgreSQL holds its data in 1 GB of shared buffers (a million members' tables
# and indexes fit), on huge pages where this machine can reserve them: each backend maps the
# shared buffers anew, and on 4 KB pages its first touch of every page is a fault, which under
# this VM costs more than the read itself (a lookup of a member never looked up before was
# 0.3 ms slower among 10^6 members than among 10^3, and as fast on huge pages). Sets
# pg_options (for KOPILKA_PG_OPTIONS) and pg_memory (for the notes); huge_pages_before is what
# restore_huge_pages puts back.
huge_pages_before=""
pg_bench_options() {
  local want=600 free total   # 2 MB pages: 1 GB of buffers and PostgreSQL's other shared memory
  pg_options="-c shared_buffers=1GB -c huge_pages=off"
  pg_memory="1 GB shared_buffers on 4 KB pages"
  free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
  total=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null || echo 0)
  if [ "${free:-0}" -lt "$want" ] && [ -w /proc/sys/vm/nr_hugepages ]; then
    huge_pages_before="$total"
    echo $((total + want - free)) >/proc/sys/vm/nr_hugepages 2>/dev/null || true
    free=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo)
  fi
  if [ "${free:-0}" -ge "$want" ]; then
    pg_options="-c shared_buffers=1GB -c huge_pages=on"
    pg_memory="1 GB shared_buffers on 2 MB huge pages"
  fi
}
restore_huge_pages() {
  [ -z "$huge_pages_before" ] || echo "$huge_pages_before" >/proc/sys/vm/nr_hugepages 2>/dev/null || true
  huge_pages_before=""
}

bench_server() {
  local tmp pg_dir url pg_options pg_memory
  tmp=$(mktemp -d /tmp/kopilka-bench.XXXXXX)
  pg_dir=$(mktemp -d /tmp/kopilka-pg.XXXXXX)
  # KOPILKA_BENCH_KEEP=1 keeps the scratch directory (pgbench's scripts and logs, server logs).
  trap 'tools/pg.sh stop "$pg_dir" 2>/dev/null; restore_huge_pages; [ -n "${KOPILKA_BENCH_KEEP:-}" ] || rm -rf "$tmp"' RETURN
  pg_bench_options
  url=$(KOPILKA_PG_OPTIONS="$pg_options" tools/pg.sh start "$pg_dir" 2>"$tmp/pg.log")
  : >"$tmp/rows"
  echo "[bench] server on SQLite"
  bench_one_db SQLite "$tmp/bench.sqlite" "$tmp"
  echo "[bench] SQLite: the same transactions from a minimal C program"
  cc -O2 tools/bench/sqlite_baseline.c -lsqlite3 -o build/native/bin/sqlite_baseline
  local sqlite_ceiling
  sqlite_ceiling=$(build/native/bin/sqlite_baseline --db "$tmp/bench.sqlite" \
                     --seconds "${KOPILKA_BENCH_S:-8}" | node -e \
                     'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(Math.round(JSON.parse(s).per_second)))')
  server_row SQLite "member lookup" "$lookup_json" "$lookup_rate"
  server_row SQLite "receipt post" "$receipt_json" "$receipt_rate" "$sqlite_ceiling"
  echo "[bench] server on PostgreSQL: lookups in rounds beside their ceiling, then receipts"
  start_server "$url" "$tmp/server-PostgreSQL.log"
  prepare_bench_data "$url"
  local grouped_pid="$server_pid" grouped_url="$server_url" alone_pid alone_url
  # The baseline of reading lookups in groups: the same server reading each alone.
  KOPILKA_READS_TOGETHER=0 start_server "$url" "$tmp/server-alone.log"
  alone_pid="$server_pid" alone_url="$server_url"
  local demo_members demo_cards all_members all_cards receipt_tps
  demo_members=$(psql -Atq "$url" -c "SELECT string_agg(member_id, ';' ORDER BY member_id) FROM members WHERE merchant_id = 'demo' AND member_id LIKE 'demo-%'")
  demo_cards=$(psql -Atq "$url" -c "SELECT string_agg((SELECT number FROM cards c WHERE c.merchant_id = m.merchant_id AND c.member_id = m.member_id LIMIT 1), ';' ORDER BY member_id) FROM members m WHERE merchant_id = 'demo' AND member_id LIKE 'demo-%'")
  all_members=$(psql -Atq "$url" -c "SELECT string_agg(member_id, ';' ORDER BY member_id) FROM members WHERE merchant_id = 'demo'")
  all_cards=$(psql -Atq "$url" -c "SELECT string_agg((SELECT number FROM cards c WHERE c.merchant_id = m.merchant_id AND c.member_id = m.member_id LIMIT 1), ';' ORDER BY member_id) FROM members m WHERE merchant_id = 'demo'")
  # Lookups: rounds of the server reading in groups, the server reading each alone and pgbench,
  # one after another, so each round's ratios compare runs seconds apart (this machine's
  # neighbours move all three from minute to minute); the round with the median ratio is kept.
  local rounds="${KOPILKA_BENCH_ROUNDS:-3}" round grouped_json grouped_db_ms
  : >"$tmp/rounds"
  for round in $(seq "$rounds"); do
    echo "[bench] PostgreSQL lookups, round $round of $rounds: in groups, each alone, pgbench"
    server_url="$grouped_url"
    run_lookups_pg
    grouped_json="$lookup_json" grouped_db_ms="$lookup_db_ms"
    server_url="$alone_url"
    run_lookups_pg
    printf '{"grouped":%s,"grouped_db_ms":"%s","alone":%s,"alone_db_ms":"%s","ceiling":%s}\n' \
      "$grouped_json" "$grouped_db_ms" "$lookup_json" "$lookup_db_ms" \
      "$(pgbench_best lookup "$demo_members" "$demo_cards")" >>"$tmp/rounds"
  done
  kill -TERM "$alone_pid" "$grouped_pid"; wait "$alone_pid" "$grouped_pid" 2>/dev/null || true
  # Receipts after the lookups (the demo members' ledgers stay as seeded while they are looked
  # up), in rounds too: the server on its database, then pgbench on a copy of it made before the
  # first measured receipt, in which every member has a checkpoint moved 10^9 entries on (see
  # pgbench_receipt.sql), so that pgbench's entries never meet the server's. First a few seconds
  # of receipts and ANALYZE: as in a shop's database, the receipts table then has rows and
  # statistics (from the seed's few rows a statement prepared for the receipt by id plans a
  # sequential scan, and keeps it while the table grows until autovacuum analyzes it, up to a
  # minute later: the first round's server and pgbench then read the whole table per receipt).
  local ceiling_url="${url%/*}/kopilka_ceiling"
  start_server "$url" "$tmp/server-warm-up.log"
  KOPILKA_BENCH_S=3 run_wrk receipt.lua >/dev/null
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  psql -q "$url" -c "ANALYZE" >/dev/null
  psql -q "${url%/*}/postgres" -c "CREATE DATABASE kopilka_ceiling TEMPLATE kopilka" >/dev/null
  psql -q "$ceiling_url" -c "INSERT INTO member_state (merchant_id, member_id, seq, version, body) SELECT merchant_id, member_id, 1, 1, '{}' FROM members WHERE merchant_id = 'demo' ON CONFLICT DO NOTHING" -c "UPDATE member_state SET seq = seq + 1000000000" >/dev/null
  start_server "$url" "$tmp/server-receipts.log"
  # The measured server's own first seconds (its connections' first statements, the members'
  # checkpoints decoded once) are not its steady state: 3 s of receipts before the rounds.
  KOPILKA_BENCH_S=3 run_wrk receipt.lua >/dev/null
  : >"$tmp/receipt_rounds"
  for round in $(seq "$rounds"); do
    echo "[bench] PostgreSQL receipts, round $round of $rounds: the server, pgbench"
    printf '{"server":%s,"ceiling":%s}\n' "$(run_wrk receipt.lua)" \
      "$(pgbench_url="$ceiling_url" pgbench_best receipt "$all_members" "$all_cards")" \
      >>"$tmp/receipt_rounds"
  done
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true
  local median alone_json alone_db_ms lookup_tps lookup_each lookup_16 round_ratios
  local receipt_each receipt_16 receipt_ratios
  { read -r median; read -r round_ratios; } < <(median_round "$tmp/rounds" grouped alone)
  IFS=$'\t' read -r grouped_json grouped_db_ms alone_json alone_db_ms lookup_tps lookup_each \
    lookup_16 < <(pick "$median" grouped grouped_db_ms alone alone_db_ms ceiling.tps \
                    ceiling.each ceiling.at16)
  { read -r median; read -r receipt_ratios; } < <(median_round "$tmp/receipt_rounds" server)
  IFS=$'\t' read -r receipt_json receipt_tps receipt_each receipt_16 < <(pick "$median" server \
    ceiling.tps ceiling.each ceiling.at16)
  server_row PostgreSQL "member lookup" "$grouped_json" "$(rate "$grouped_json")" "$lookup_tps" \
    "$lookup_16"
  server_row PostgreSQL "member lookup, each read alone" "$alone_json" "$(rate "$alone_json")" \
    "$lookup_tps" "$lookup_16"
  server_row PostgreSQL "receipt post" "$receipt_json" "$(rate "$receipt_json")" "$receipt_tps" \
    "$receipt_16"
  local table
  table=$(printf '| database | request | per second | ceiling / s | vs ceiling | pgbench at 16 clients / s | vs it | p50 ms | p99 ms | errors |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n%s\n\nThe ceilings run the database work of the request without the server, on the same database (for receipts a copy) right after the server'"'"'s run: on PostgreSQL pgbench (-M prepared; the ceiling is its best of 4, 8 and 16 clients, clients:TPS %s for the lookups'"'"' round and %s for receipts, and the column beside it pgbench at 16 clients, as many as wrk keeps open to the server) with the statements kopilka-server sends, in the same transactions and round trips (a receipt: the member by card, then the lock and the reads in one pipeline, the writes and COMMIT in another), with stored texts the server wrote, of each column one of about its average length (tools/bench/pgbench_lookup.sql, pgbench_receipt.sql); on SQLite a minimal C program (tools/bench/sqlite_baseline.c, one connection, prepared statements, the server'"'"'s pragmas) with the same statements and transactions, each committed alone, where kopilka-server commits the receipts that arrive together in one transaction (group commit: one fsync a group, each receipt answered after it); likewise kopilka-server reads the lookups that arrive together on PostgreSQL in groups (one statement for their members by card with their checkpoints, the same rows), where the ceiling reads each alone with the two statements of a lookup alone, and the row "each read alone" is the same server with KOPILKA_READS_TOGETHER=0: PostgreSQL'"'"'s own CPU per lookup was %s ms read in groups and %s ms each alone. Lookups on PostgreSQL were measured in %s rounds of the three (in groups, each alone, pgbench) one after another, receipts, after 3 s of them and ANALYZE and 3 s more on the measured server, in as many rounds of the server and pgbench (on a copy of the database made before the first measured receipt); the rows hold the round with the median ratio, and the rounds'"'"' ratios were %s for lookups (in groups / each alone) and %s for receipts. wrk -t2 -c16 for %ss against a server with its default workers and connections to PostgreSQL (8); lookups of the three demo members by QR, receipts spread over 303 members (receipts of one member serialise on its lock); rate limits off; PostgreSQL 15 with fsync off (test cluster) and %s, SQLite with WAL and synchronous=FULL; everything shares %s cores, %s.' \
    "$(cat "$tmp/rows")" "$lookup_each" "$receipt_each" "$grouped_db_ms" "$alone_db_ms" "$rounds" "$round_ratios" "$receipt_ratios" "${KOPILKA_BENCH_S:-8}" "$pg_memory" "$(nproc)" "$(date -u +%Y-%m-%d)")
  echo "$table"
  write_readme server "$table"
  echo "[bench] latency against a member's history, batches, receipts, and the members: 5 minutes"
  local scale
  scale=$(python3 tools/bench/scale_bench.py --bin build/native/bin --pg "$url" \
            --out build/bench/scale.json 2>"$tmp/scale.log") ||
    { cat "$tmp/scale.log" >&2; return 1; }
  echo "$scale"
  write_readme scale "$scale"
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
