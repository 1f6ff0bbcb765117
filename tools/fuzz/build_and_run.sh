#!/usr/bin/env bash
# Builds the two fuzz targets (libFuzzer + ASan + UBSan, clang 14) and runs each for SECONDS:
#   fuzz_decoders  every request decoder and the quote, on JSON;
#   fuzz_http      raw request bytes through the server's real request handling in-process
#                  (tools/fuzz/fuzz_http.cpp).
#   tools/fuzz/build_and_run.sh [SECONDS]     default 20 (each)
# Everything goes to build/fuzz/: obj/ (the decoder target's objects, rebuilt when their
# source or a header it included is newer: the compiler's .d files), http-build/ (a CMake build of the server with the sanitizers), the
# binaries, seeds/ and http-seeds/, corpus/ and http-corpus/ (what the fuzzer keeps),
# crashes/ (reproducers), the dictionaries and fuzz.log / fuzz-http.log.
# Exits 1 when a fuzzer found a crash, hang, leak or sanitizer report, printing the
# reproducer's path; 2 when a build failed. Reproduce: build/fuzz/fuzz_decoders <file>
# (or build/fuzz/http-build/bin/fuzz_http <file>).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

seconds="${1:-20}"
out=build/fuzz
cxx="${CXX_FUZZ:-clang++-14}"
command -v "$cxx" >/dev/null || cxx=clang++
# UBSan findings must stop the run, or the fuzzer would only print them and go on.
flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Ishared)  # nlohmann: /usr/include
mkdir -p "$out/obj" "$out/seeds" "$out/corpus" "$out/crashes"

# [SECTION] Build: every core and codec source, compiled directly, in parallel.
sources=(shared/core/*/*.cpp shared/codec/*.cpp tools/fuzz/fuzz_decoders.cpp)
jobs="$(nproc 2>/dev/null || echo 2)"
stale=()
objects=()  # these sources' objects only: one left by a source since removed is not linked
# True when obj must be compiled again: missing, or older than its source or any header the
# last compile read (obj.d, written by -MMD). A struct that changed size in a header would
# otherwise leave objects that disagree about its layout.
needs_compile() {
  local src="$1" obj="$2" dep
  [ -f "$obj" ] && [ -f "$obj.d" ] && [ ! "$src" -nt "$obj" ] || return 0
  for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
    [ "$dep" -nt "$obj" ] && return 0
  done
  return 1
}
for src in "${sources[@]}"; do
  obj="$out/obj/${src//\//_}.o"
  objects+=("$obj")
  if needs_compile "$src" "$obj"; then stale+=("$src"); fi
done
echo "[fuzz] compiling ${#stale[@]} of ${#sources[@]} sources with $cxx"
if [ "${#stale[@]}" -gt 0 ]; then
  # Flags are not tracked: after changing them, rm -rf build/fuzz/obj.
  if ! printf '%s\n' "${stale[@]}" | xargs -P "$((jobs * 2))" -I{} sh -c \
      'src="$1"; obj="$2/obj/$(echo "$1" | tr / _).o"; shift 2
       exec "$@" -MMD -MF "$obj.d" -c "$src" -o "$obj"' \
      sh {} "$out" "$cxx" "${flags[@]}"; then
    echo "[fuzz] build failed"; exit 2
  fi
fi
if ! "$cxx" "${flags[@]}" "${objects[@]}" -o "$out/fuzz_decoders"; then
  echo "[fuzz] link failed"; exit 2
fi

# [SECTION] Seeds: whole quote inputs {program, receipt, member, redeem_points}, lone
# programs and receipts (valid and invalid), a wheel, a member snapshot, card texts.
rm -f "$out"/seeds/*
seed_n=0
write_seed() {  # write_seed SUFFIX TEXT…: one seed file per text
  local suffix="$1"; shift
  for text in "$@"; do
    seed_n=$((seed_n + 1))
    printf '%s' "$text" >"$out/seeds/seed-$(printf '%04d' "$seed_n")$suffix"
  done
}
while IFS= read -r line; do
  write_seed .json "$line"
done < <(jq -c '
  def quote_inputs: .program as $p | .cases[] | {program: $p, receipt: .receipt}
      + (if .member then {member: .member} else {} end)
      + (if .redeem_points then {redeem_points: .redeem_points} else {} end);
  (if .program and .cases then quote_inputs else empty end),
  (.suites[]? | quote_inputs),
  (.program // empty), (.suites[]?.program), (.cases[]?.receipt), (.cases[]?.member // empty),
  (.invalid_programs[]?.program)' tests/scenarios/*.json | sort -u)
write_seed .json \
  '{"wheel":{"currency":"RUB","day_budget":50000,"campaign_budget":"unlimited","member_spins_per_day_max":3,"member_wins_per_day_max":1,"member_wins_per_campaign_max":"unlimited","prizes":[{"id":"coffee","label":"Free coffee","kind":"coupon","reward_id":"coffee-s","weight":10,"stock":100,"cost":9000},{"id":"p50","label":"50 points","kind":"points","points":50,"weight":20,"stock":"unlimited","cost":500},{"id":"none","label":"Next time","kind":"nothing","weight":40,"stock":"unlimited","cost":0}]}}' \
  '{"snapshot":{"id":"demo-anna","name":"Анна","merchant":"DEMO","balance":1250,"currency":"RUB","tier":"Silver","tier_detail":{"id":"silver","name":"Silver","next":"Gold","gap":3750,"basis":"points","progress_permille":62},"as_of_ms":1795000000000,"available":1250,"pending":100,"expiring":[{"points":50,"expires_at_ms":1796000000000}],"rewards_affordable":[{"id":"coffee","name":"Coffee","cost_points":500}],"reward_next":{"id":"cake","name":"Cake","cost_points":2000},"spins_available":1,"history":[{"reason":"earn","rule":"bonus","at_ms":1794000000000,"points":120}]}}'
write_seed .txt '4006381333931' $'  4006381333931\r\n' 'AB-1234-XY' 'K1:DEMO:100200300:ABCDEFGHJKMNPQRS' \
  '+7 916 123-45-67' '+79161234567' 'KC-7H3K-9QXW-M2PZ-4T' 'kc 7h3k 9qxw m2pz 4t'

# A dictionary of the JSON keys and string values the seeds use, so mutations stay JSON-like.
{
  jq -r '.. | objects | keys[]' "$out"/seeds/*.json
  jq -r '.. | strings' "$out"/seeds/*.json | awk 'length($0) <= 24'
} | sort -u | jq -R -r 'select(test("^[ -~]+$") and (contains("\\") | not)) | "\"" + . + "\"" | @json' \
  >"$out/decoders.dict"
printf '%s\n' '"{"' '"}"' '"["' '"]"' '":"' '","' '"null"' '"true"' '"false"' '"-1"' \
  '"9223372036854775807"' '"-9223372036854775808"' '"1e308"' '"0.5"' '"\\u0000"' >>"$out/decoders.dict"
echo "[fuzz] $seed_n seeds, $(wc -l <"$out/decoders.dict") dictionary entries"

# [SECTION] The HTTP target: the server built by CMake with clang and the sanitizers.
http_build="$out/http-build"
if [ ! -f "$http_build/build.ninja" ]; then
  echo "[fuzz] configuring the HTTP target's build"
  CC="${cxx/clang++/clang}" CXX="$cxx" cmake -S . -B "$http_build" -G Ninja -DKOPILKA_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g" -DCMAKE_C_FLAGS="-O1 -g" >"$out/http-build.log" 2>&1 \
    || { tail -20 "$out/http-build.log"; echo "[fuzz] configure failed"; exit 2; }
fi
echo "[fuzz] building fuzz_http"
ninja -C "$http_build" -j "$jobs" fuzz_http >>"$out/http-build.log" 2>&1 \
  || { grep -v '^\[' "$out/http-build.log" | tail -30; echo "[fuzz] build of fuzz_http failed"; exit 2; }

# Seeds: one raw request per route and the shapes that broke servers before (bytes that are
# not UTF-8 in the path, query, headers and body; NULs; duplicate keys; huge numbers;
# chunked bodies; Expect: 100-continue; pipelining). @ADMIN@ and the like become real
# credentials inside the target.
mkdir -p "$out/http-seeds" "$out/http-corpus"
rm -f "$out"/http-seeds/*
http_n=0
http_seed() {  # http_seed METHOD TARGET AUTH BODY [EXTRA-HEADER-LINES]
  local method="$1" target="$2" auth="$3" body="$4" extra="${5:-}" head
  head="$method $target HTTP/1.1"$'\r\n'"Host: 127.0.0.1"$'\r\n'
  [ -n "$auth" ] && head+="Authorization: Bearer $auth"$'\r\n'
  [ -n "$extra" ] && head+="$extra"$'\r\n'
  [ -n "$body" ] && head+="Content-Type: application/json"$'\r\n'"Content-Length: ${#body}"$'\r\n'
  http_n=$((http_n + 1))
  printf '%s\r\n%s' "$head" "$body" >"$out/http-seeds/req-$(printf '%03d' "$http_n")"
}
receipt='{"operation_id":"0f8fad5b-d9cb-469f-a165-70867728950e","member":{"id":"demo-anna"},"receipt":{"id":"r-1","lines":[{"sku":"tea","category":"drinks","unit_price":25000,"quantity":2}]},"redeem_points":0}'
http_seed GET /healthz "" ""
http_seed GET /metrics "" ""
http_seed GET /v1/openapi.json "" ""
http_seed GET $'/\xff' "" ""
http_seed GET /%FF "" ""
http_seed GET '/v1/admin/members/%FF' "" ""
http_seed GET '/v1/admin/members/%FF' @ADMIN@ ""
http_seed GET '/v1/admin/members?q=%FF%FE&after=%00' @ADMIN@ ""
http_seed GET '/v1/admin/members?q=anna&limit=5' @ADMIN@ ""
http_seed GET /v1/admin/members/demo-anna @ADMIN@ ""
http_seed POST /v1/admin/members @ADMIN@ '{"operation_id":"1f8fad5b-d9cb-469f-a165-70867728950e","display_name":"Eva","phone":"+79160000001","consent":true}'
http_seed POST /v1/admin/members/demo-anna/adjust @ADMIN@ '{"operation_id":"2f8fad5b-d9cb-469f-a165-70867728950e","points":10,"reason":"fuzz"}'
http_seed GET /v1/admin/program @ADMIN@ ""
http_seed GET /v1/admin/reports @ADMIN@ ""
http_seed GET /v1/admin/themes @ADMIN@ ""
http_seed GET /v1/admin/wheels @ADMIN@ ""
http_seed GET /v1/admin/devices @ADMIN@ ""
http_seed GET /v1/admin/kiosk-settings @ADMIN@ ""
http_seed GET /v1/admin/merchant @ADMIN@ ""
http_seed POST /v1/receipts @TILL@ "$receipt"
http_seed POST /v1/receipts @TILL@ '{"operation_id":"3f8fad5b-d9cb-469f-a165-70867728950e","redeem_points":0,"receipt":{"id":"r-\u0000","lines":[]},"redeem_points":400}'
http_seed POST /v1/returns @TILL@ '{"operation_id":"4f8fad5b-d9cb-469f-a165-70867728950e","receipt_id":"r-1","lines":[{"line":0,"quantity":9223372036854775807}]}'
http_seed POST /v1/coupons/redeem @TILL@ '{"operation_id":"5f8fad5b-d9cb-469f-a165-70867728950e","code":"KC-7H3K-9QXW-M2PZ-4T"}'
http_seed POST /v1/members/lookup "" '{"code":"4006381333931"}'
http_seed POST /v1/members/lookup @DEVICE@ '{"code":"+79161234567"}'
http_seed GET '/v1/members/lookup?code=%D0%90' "" ""
http_seed GET /v1/kiosk/config @DEVICE@ ""
http_seed POST /v1/kiosk/spin @DEVICE@ '{"operation_id":"6f8fad5b-d9cb-469f-a165-70867728950e","member_id":"demo-anna"}'
http_seed POST /v1/kiosk/redeem @DEVICE@ '{"operation_id":"7f8fad5b-d9cb-469f-a165-70867728950e","member_id":"demo-anna","reward_id":"coffee"}'
http_seed POST /v1/kiosk/operations @DEVICE@ '{"operations":[]}'
http_seed GET /v1/me @MEMBER@ ""
http_seed POST /v1/devices/pair "" '{"code":"ABCD-EFGH"}'
http_seed GET /healthz "" "" $'X-Request-Id: \xff\xfe'
http_seed GET /healthz "" "" $'User-Agent: \xc3\x28'
http_seed POST /v1/members/lookup "" "" $'Transfer-Encoding: chunked\r\n\r\n11\r\n{"code":"40063813\r\n5\r\n33931\r\n2\r\n"}\r\n0\r\n'
http_seed POST /v1/members/lookup "" '{"code":"4006381333931"}' 'Expect: 100-continue'
http_seed DELETE /healthz "" ""
printf 'GET /healthz HTTP/1.1\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n' >"$out/http-seeds/req-pipelined"
printf 'NONSENSE\r\n\r\n' >"$out/http-seeds/req-nonsense"
printf '%s\n' '"HTTP/1.1"' '"\x0d\x0a"' '"Content-Length: "' '"Transfer-Encoding: chunked"' \
  '"Authorization: Bearer "' '"@ADMIN@"' '"@TILL@"' '"@DEVICE@"' '"@MEMBER@"' '"%FF"' '"%00"' '"\xff"' \
  '"/v1/admin/members/"' '"/v1/receipts"' '"/v1/returns"' '"/v1/kiosk/"' '"?q="' \
  '"9223372036854775807"' '"\\u0000"' '"operation_id"' >"$out/http.dict"
cat "$out/decoders.dict" >>"$out/http.dict"
echo "[fuzz] $http_n HTTP seeds"

# [SECTION] Run each target for SECONDS.
status=0
touch "$out/crashes/.run-start"  # reproducers newer than this one are from this run
run_target() {  # run_target NAME BINARY CORPUS SEEDS DICT LOG MAX_LEN
  local name="$1" bin="$2" corpus="$3" seeds="$4" dict="$5" log="$6" max_len="$7" s=0
  echo "[fuzz] $name: running for ${seconds}s; log: $log"
  UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}" \
    "$bin" "$corpus" "$seeds" -dict="$dict" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/crashes/" >"$log" 2>&1 || s=$?
  grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$log" | tail -2 || true
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  if [ "$s" != 0 ]; then
    echo "[fuzz] $name FAILED (exit $s); the report (all of it in $log):"
    sed -n '/ERROR: \|runtime error:\|deadly signal\|uncaught exception\|fuzz_http: /,$p' "$log" \
      | grep -v '^MS:\|^base64:\|^0x' | head -30 | sed 's/^/    /'
    status=1
  fi
}
run_target fuzz_decoders "$out/fuzz_decoders" "$out/corpus" "$out/seeds" "$out/decoders.dict" "$out/fuzz.log" 4096
run_target fuzz_http "$http_build/bin/fuzz_http" "$out/http-corpus" "$out/http-seeds" "$out/http.dict" \
  "$out/fuzz-http.log" 8192
if [ "$status" != 0 ]; then
  reproducer="$(find "$out/crashes" -type f -newer "$out/crashes/.run-start" ! -name '.*' \
    -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)"
  if [ -n "$reproducer" ]; then
    echo "[fuzz] reproducer: $root/$reproducer"
  else
    echo "[fuzz] no reproducer written; see the logs"
  fi
  exit 1
fi
echo "[fuzz] no findings in ${seconds}s per target"
