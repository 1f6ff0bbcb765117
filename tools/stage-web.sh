#!/usr/bin/env bash
# Stages Kopilka's static site into SITE_DIR:
#   - everything under web/ except node_modules/, widget/ (tools/stage-widget.sh stages it with
#     the wasm panel), demo-shop/ (a site of its own, web/demo-shop/server.mjs), package.json,
#     package-lock.json, .gitignore
#   - the zxing-wasm reader the scan worker imports, into SITE_DIR/vendor/zxing-wasm/:
#       es/reader/index.js  es/share.js  reader/zxing_reader.wasm  LICENSE
#     and its writer, which the console imports for pairing QR codes:
#       es/writer/index.js  writer/zxing_writer.wasm
# The wasm build copies kiosk.* and console.* into SITE_DIR/kiosk/ and SITE_DIR/console/ after
# this runs (web/console/ itself is staged here with the rest of web/); files
# not listed above are left alone. Idempotent; needs `npm ci` in web/ first
# (tools/bootstrap.sh does it).
set -euo pipefail

usage() { echo "usage: $0 SITE_DIR" >&2; exit 2; }
[ $# -eq 1 ] && [ -n "$1" ] || usage

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web="$root/web"
site="$1"
zx="$web/node_modules/zxing-wasm"

if [ ! -d "$web/node_modules" ]; then
  echo "stage-web.sh: $web/node_modules is missing; run 'npm ci' in web/ (or tools/bootstrap.sh) first" >&2
  exit 1
fi

vendor_files=(es/reader/index.js es/share.js reader/zxing_reader.wasm
  es/writer/index.js writer/zxing_writer.wasm)
for f in "${vendor_files[@]}"; do
  if [ ! -f "$zx/dist/$f" ]; then
    echo "stage-web.sh: $zx/dist/$f is missing; is zxing-wasm installed at the version in web/package-lock.json? run 'npm ci' in web/" >&2
    exit 1
  fi
done

mkdir -p "$site"

# Site files: tar keeps the tree and is always there (no rsync needed).
tar -C "$web" \
  --exclude=./node_modules --exclude=./widget --exclude=./demo-shop --exclude=./package.json --exclude=./package-lock.json --exclude=./.gitignore \
  -cf - . | tar -C "$site" -xf - --no-same-owner

# Vendor: rebuilt from scratch so a version bump leaves no stale files behind.
vendor="$site/vendor/zxing-wasm"
rm -rf "$vendor"
for f in "${vendor_files[@]}"; do
  mkdir -p "$vendor/$(dirname "$f")"
  cp "$zx/dist/$f" "$vendor/$f"
done
cp "$zx/LICENSE" "$vendor/LICENSE"
node -e 'process.stdout.write(require(process.argv[1]).version + "\n")' "$zx/package.json" > "$vendor/VERSION"

echo "stage-web.sh: staged web/ and zxing-wasm $(cat "$vendor/VERSION") into $site"
