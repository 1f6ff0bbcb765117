#!/usr/bin/env bash
# Builds the decoder fuzz target (libFuzzer + ASan + UBSan, clang 14) and runs it.
#   tools/fuzz/build_and_run.sh [SECONDS]     default 20
# Everything goes to build/fuzz/: obj/ (objects, rebuilt when their source is newer), the
# fuzz_decoders binary, seeds/ (written from tests/scenarios/*.json and a few literals),
# corpus/ (what the fuzzer keeps), crashes/ (reproducers), decoders.dict and fuzz.log.
# Exits 1 when the fuzzer found a crash, hang, leak or sanitizer report, printing the
# reproducer's path; 2 when the build failed. Reproduce: build/fuzz/fuzz_decoders <file>.
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
sources=(shared/core/*/*.cpp shared/codec/*.cpp shared/client/kiosk_config.cpp tools/fuzz/fuzz_decoders.cpp)
jobs="$(nproc 2>/dev/null || echo 2)"
stale=()
for src in "${sources[@]}"; do
  obj="$out/obj/${src//\//_}.o"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then stale+=("$src"); fi
done
echo "[fuzz] compiling ${#stale[@]} of ${#sources[@]} sources with $cxx"
if [ "${#stale[@]}" -gt 0 ]; then
  # Headers and flags are not tracked: after changing them, rm -rf build/fuzz/obj.
  if ! printf '%s\n' "${stale[@]}" | xargs -P "$((jobs * 2))" -I{} sh -c \
      'src="$1"; obj="$2/obj/$(echo "$1" | tr / _).o"; shift 2; exec "$@" -c "$src" -o "$obj"' \
      sh {} "$out" "$cxx" "${flags[@]}"; then
    echo "[fuzz] build failed"; exit 2
  fi
fi
if ! "$cxx" "${flags[@]}" "$out"/obj/*.o -o "$out/fuzz_decoders"; then
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

# [SECTION] Run.
echo "[fuzz] running for ${seconds}s; log: $out/fuzz.log"
status=0
touch "$out/crashes/.run-start"  # reproducers newer than this one are from this run
UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}" \
  "$out/fuzz_decoders" "$out/corpus" "$out/seeds" -dict="$out/decoders.dict" \
  -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$out/crashes/" >"$out/fuzz.log" 2>&1 || status=$?
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)' "$out/fuzz.log" | tail -2 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
  "$out/fuzz.log" || true
if [ "$status" != 0 ]; then
  reproducer="$(find "$out/crashes" -type f -newer "$out/crashes/.run-start" ! -name '.*' \
    -printf '%T@ %p\n' | sort -n | tail -1 | cut -d' ' -f2-)"
  echo "[fuzz] FAILED (exit $status); the report (all of it in $out/fuzz.log):"
  sed -n '/ERROR: \|runtime error:\|deadly signal\|uncaught exception/,$p' "$out/fuzz.log" \
    | grep -v '^MS:\|^base64:\|^0x' | head -30 | sed 's/^/    /'
  if [ -n "$reproducer" ]; then
    echo "[fuzz] reproducer: $root/$reproducer"
    echo "[fuzz] reproduce with: $out/fuzz_decoders $reproducer"
  else
    echo "[fuzz] no reproducer written; see $out/fuzz.log"
  fi
  exit 1
fi
echo "[fuzz] no findings in ${seconds}s"
