#!/usr/bin/env bash
# Installs what is missing, builds, runs every test layer and ends with one line
# "N passed, N failed" (exit status 1 when anything failed).
#   layers: columns (no C++ or CMake line over 100 columns) · unit (native)
#           · wasm (the unit tests under Node) · server-unit (auth, rate limits, metrics)
#           · server (real kopilka-server on loopback, SQLite and PostgreSQL)
#           · cluster (3 servers on PostgreSQL behind nginx, tools/cluster.sh: one killed with
#             SIGKILL under a retried receipt load, a rolling restart under load; ~1 minute)
#           · api-lint (the OpenAPI document as served, @redocly/cli's recommended rules)
#           · e2e (Playwright + Chromium with a fake camera) · fuzz (libFuzzer on the decoders, briefly)
# KOPILKA_TEST_LAYERS="unit wasm" runs only some layers. Logs: build/test-logs/.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tools/bootstrap.sh || { echo "0 passed, 1 failed"; exit 1; }
tools/build.sh || { echo "0 passed, 1 failed"; exit 1; }

logs=build/test-logs
mkdir -p "$logs" build/artifacts

# Throwaway PostgreSQL for the server and cluster layers (tools/pg.sh); stopped and removed
# at any exit.
pg_dir=""
stop_pg() {
  [ -n "$pg_dir" ] || return 0
  cp "$pg_dir/postgres.log" "$logs/postgres.log" 2>/dev/null || true
  tools/pg.sh stop "$pg_dir" 2>>"$logs/pg.log" || echo "[test] could not stop PostgreSQL under $pg_dir; see $logs/pg.log"
  pg_dir=""
}
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_pg() {
  [ -z "$pg_dir" ] || return 0
  pg_dir="$(mktemp -d /tmp/kopilka-pg.XXXXXX)"
  if KOPILKA_TEST_PG_URL="$(tools/pg.sh start "$pg_dir" 2>"$logs/pg.log")"; then
    export KOPILKA_TEST_PG_URL
    echo "[test] PostgreSQL for the server layer: $KOPILKA_TEST_PG_URL"
  else
    unset KOPILKA_TEST_PG_URL
    echo "[test] PostgreSQL did not start; see $logs/pg.log"; tail -5 "$logs/pg.log" | sed 's/^/    /'
    total_fail=$((total_fail + 1))
  fi
}
layers="${KOPILKA_TEST_LAYERS:-columns unit wasm server-unit server cluster api-lint e2e fuzz}"
total_pass=0
total_fail=0
layer_timeout_s="${KOPILKA_LAYER_TIMEOUT_S:-900}"   # a hung layer fails instead of stalling CI

# Adds one layer's counts; a runner that died without its summary counts as one failure.
count() {
  local name="$1" status="$2" pass="$3" fail="$4"
  if [ "$status" = 124 ] || [ "$status" = 137 ]; then
    echo "[test] $name: timed out after ${layer_timeout_s}s; see $logs/$name.log"
  fi
  if [ -z "$pass" ] || [ -z "$fail" ]; then
    pass=0; fail=1
    echo "[test] $name: no summary from the runner (exit $status); see $logs/$name.log"
  elif [ "$status" != 0 ] && [ "$fail" = 0 ]; then
    fail=1
    echo "[test] $name: runner exited $status; see $logs/$name.log"
  fi
  printf '[test] %-7s %4d passed, %d failed\n' "$name" "$pass" "$fail"
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  if [ "$fail" != 0 ]; then failure_report "$logs/$name.log" | sed 's/^/    /'; fi
}

# What failed: node's "not ok" blocks (name, error, location) and doctest's failed checks, each
# cut to 60 lines; the log's last 40 lines when neither is there (a crash, a timeout).
failure_report() {
  local log="$1"
  if grep -qE '^ *not ok |ERROR: |FATAL ERROR' "$log"; then
    awk '/^ *not ok / && !/# SKIP/ {n = 60} /ERROR: |FATAL ERROR/ {n = 12}
         n > 0 {print; n--}' "$log" | head -200
  else
    tail -40 "$log"
  fi
}

# doctest prints "[doctest] test cases: 36 | 36 passed | 0 failed | 0 skipped".
doctest_layer() {
  local name="$1"; shift
  timeout -k 10 "$layer_timeout_s" "$@" --no-colors=true >"$logs/$name.log" 2>&1
  local status=$?
  local line
  line=$(grep -E '^\[doctest\] test cases:' "$logs/$name.log" | tail -1)
  count "$name" "$status" "$(sed -nE 's/.*\| *([0-9]+) passed.*/\1/p' <<<"$line")" \
    "$(sed -nE 's/.*\| *([0-9]+) failed.*/\1/p' <<<"$line")"
}

# node's test runner prints "# pass N" and "# fail N".
node_layer() {
  local name="$1"; shift
  timeout -k 10 "$layer_timeout_s" "$@" >"$logs/$name.log" 2>&1
  local status=$?
  count "$name" "$status" "$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$logs/$name.log" | tail -1)" \
    "$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$logs/$name.log" | tail -1)"
}

for layer in $layers; do
  case "$layer" in
    unit)   doctest_layer unit build/native/tests/kopilka_unit_tests ;;
    wasm)   doctest_layer wasm node build/wasm/tests/kopilka_unit_tests.js ;;
    server-unit) start_pg  # the storage tests run on PostgreSQL too
            doctest_layer server-auth build/native/bin/kopilka_auth_tests
            doctest_layer server-ops build/native/bin/kopilka_ops_tests
            doctest_layer server-storage build/native/bin/kopilka_storage_tests ;;
    server) start_pg; doctest_layer server build/native/tests/server/kopilka_server_tests ;;
    cluster) start_pg; node_layer cluster node --test --test-concurrency=1 tests/cluster/ ;;
    fuzz)   # one check: the decoders survive KOPILKA_FUZZ_S seconds of libFuzzer (default 20)
            tools/fuzz/build_and_run.sh "${KOPILKA_FUZZ_S:-20}" >"$logs/fuzz.log" 2>&1
            status=$?
            if [ "$status" = 0 ]; then count fuzz 0 1 0; else count fuzz "$status" 0 1; fi ;;
    columns) # one check: no C++ or CMake line is longer than .clang-format's 100 columns
            tools/check-columns.sh >"$logs/columns.log" 2>&1
            status=$?
            if [ "$status" = 0 ]; then count columns 0 1 0; else count columns "$status" 0 1; fi ;;
    api-lint) # one check: what the server serves (kopilka openapi prints it) passes @redocly/cli's
            # recommended rules (web/package-lock.json); telemetry and update checks are off, so
            # the linter never reaches for the network. Warnings are listed in the log.
            { build/native/bin/kopilka openapi >build/artifacts/openapi.json &&
              REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true timeout -k 10 "$layer_timeout_s" \
                web/node_modules/.bin/redocly lint --extends recommended --format stylish build/artifacts/openapi.json
            } >"$logs/api-lint.log" 2>&1
            status=$?
            if [ "$status" = 0 ]; then count api-lint 0 1 0; else count api-lint "$status" 0 1; fi
            grep -E '^You have [0-9]+ warning' "$logs/api-lint.log" | sed 's/^/[test] api-lint: /' ;;
    e2e)    KOPILKA_BUILD="$root/build" KOPILKA_ARTIFACTS="$root/build/artifacts" \
              node_layer e2e node --test --test-concurrency=1 tests/e2e/ ;;
    *) echo "[test] unknown layer $layer"; total_fail=$((total_fail + 1)) ;;
  esac
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
