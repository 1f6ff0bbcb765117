#!/usr/bin/env bash
# Benchmarks. Each reports ratios against a baseline measured in the same run, and writes
# its table into README.md between <!-- bench:NAME --> markers.
#   tools/bench.sh core    receipts quoted per second, native vs wasm under Node
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

case "$what" in
  core) bench_core ;;
  all) bench_core ;;
  *) echo "usage: tools/bench.sh [core|all]" >&2; exit 2 ;;
esac
