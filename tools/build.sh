#!/usr/bin/env bash
# Builds everything into build/: native (server, CLI, tests) in build/native, WebAssembly
# (kiosk and console apps, core tests for Node) in build/wasm, and the static site in build/site.
# Expects tools/bootstrap.sh to have run. Incremental: a second run only relinks what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jobs="${KOPILKA_JOBS:-$(nproc)}"
export NODE_PATH=/usr/share/nodejs   # Emscripten's JS optimizer needs Debian's acorn

say() { printf '[build] %s\n' "$*"; }

if [ ! -f build/native/build.ninja ]; then
  say "configuring native build"
  cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
# Runs ninja quietly; on failure shows what the compiler said.
build() {
  local dir="$1" log="$1/last-build.log"
  if ! ninja -C "$dir" -j "$jobs" >"$log" 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\]|linker setting ignored' "$log" | tail -60 >&2
    echo "[build] build in $dir failed (full log: $log)" >&2
    exit 1
  fi
}

say "native: server, CLI, tests"
build build/native

if [ ! -f build/wasm/build.ninja ]; then
  say "configuring WebAssembly build"
  emcmake cmake -S . -B build/wasm -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
say "wasm: kiosk, widget, core tests"
build build/wasm

say "site: build/site"
tools/stage-web.sh build/site >/dev/null
for app in kiosk console; do
  mkdir -p "build/site/$app"
  cp -u "build/wasm/wasm/$app.js" "build/wasm/wasm/$app.wasm" "build/wasm/wasm/$app.data" "build/site/$app/"
  # The app's version: the first 12 hex digits of its files' SHA-256, so it changes exactly when
  # the app does; the kiosk sends it with every request and the console shows it per kiosk.
  version=$(cat "build/site/$app/$app.js" "build/site/$app/$app.wasm" "build/site/$app/$app.data" \
    "web/$app/index.html" | sha256sum | cut -c1-12)
  sed -i "s/name=\"kopilka-app-version\" content=\"[^\"]*\"/name=\"kopilka-app-version\" content=\"$version\"/" \
    "build/site/$app/index.html"
done
tools/stage-widget.sh build/site build/wasm/wasm >/dev/null
# Precompressed copies for the server to send to clients that accept gzip (kopilka-server
# serves FILE.gz for FILE); only when the file changed since its .gz.
find build/site -type f \( -name '*.js' -o -name '*.mjs' -o -name '*.wasm' -o -name '*.data' -o -name '*.css' \
  -o -name '*.html' -o -name '*.json' -o -name '*.svg' \) | while read -r f; do
  if [ ! -f "$f.gz" ] || [ "$f" -nt "$f.gz" ]; then gzip -9 -n -k -f "$f"; fi
done
say "done"
