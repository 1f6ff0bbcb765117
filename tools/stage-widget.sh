#!/usr/bin/env bash
# Stages the website widget into SITE_DIR/widget/v1/:
#   kopilka.js               the stub (the one URL merchants embed; short cache)
#   panel.<hash>.mjs         web/widget/panel.js, importing the module below
#   widget.<hash>.mjs/.wasm  the wasm panel built in WASM_DIR (build/wasm/wasm)
# Every file but the stub is named by a hash of its content, so the server can let browsers keep
# it forever, and the stub names the current panel. Idempotent; old hashed files are removed.
set -euo pipefail

usage() { echo "usage: $0 SITE_DIR WASM_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
site="$1/widget/v1"
wasm_dir="$2"
for f in "$wasm_dir/widget.mjs" "$wasm_dir/widget.wasm"; do
  [ -f "$f" ] || { echo "stage-widget.sh: $f is missing; build the wasm (tools/build.sh)" >&2; exit 1; }
done

hash16() { sha256sum "$1" | cut -c1-16; }
mkdir -p "$site"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

wasm_hash="$(hash16 "$wasm_dir/widget.wasm")"
cp "$wasm_dir/widget.wasm" "$tmp/widget.$wasm_hash.wasm"
sed "s/widget\.wasm/widget.$wasm_hash.wasm/g" "$wasm_dir/widget.mjs" > "$tmp/widget.mjs"
glue_hash="$(hash16 "$tmp/widget.mjs")"
mv "$tmp/widget.mjs" "$tmp/widget.$glue_hash.mjs"
sed "s#'./widget.mjs'#'./widget.$glue_hash.mjs'#" "$root/web/widget/panel.js" > "$tmp/panel.mjs"
panel_hash="$(hash16 "$tmp/panel.mjs")"
mv "$tmp/panel.mjs" "$tmp/panel.$panel_hash.mjs"
sed "s#const panelFile = 'panel.js';#const panelFile = 'panel.$panel_hash.mjs';#" \
  "$root/web/widget/kopilka.js" > "$tmp/kopilka.js"
grep -q "panel.$panel_hash.mjs" "$tmp/kopilka.js" || { echo "stage-widget.sh: panelFile not found in kopilka.js" >&2; exit 1; }

find "$site" -maxdepth 1 -type f \( -name 'panel.*' -o -name 'widget.*' -o -name 'kopilka.js*' \) -delete
cp "$tmp"/* "$site/"
echo "stage-widget.sh: panel.$panel_hash.mjs, widget.$glue_hash.mjs, widget.$wasm_hash.wasm"
