#!/bin/bash
# Builds the scan benchmark's photo set (tools/bench/scan_photos/*.jpg + manifest.json) from
# ZXing's black-box test images: photos of real barcodes taken with phone and web cameras,
# Apache-2.0, from https://github.com/zxing/zxing at commit $COMMIT, under
# core/src/test/resources/blackbox/. The sets below are the ones made of whole camera frames
# (640×480, 512×384, 480×360, 500×500): Code 128 (code128-2), EAN-13 (ean13-1, ean13-2) and QR
# (qrcode-1, qrcode-6). Each photo becomes a grey JPEG (ffmpeg, quality 4 of 31: ZXing reads
# luminance only) and a manifest line with its format and the text ZXing's tests expect.
#
#   tools/bench/scan_photos/make.sh <a clone of zxing/zxing that has $COMMIT>
#
# The output is committed; tools/bench/kiosk_bench.mjs reads it. Needs git, ffmpeg and node.
set -euo pipefail
COMMIT=7f129804e396958ae762da288da5df330d142da0
src="${1:?usage: $0 <zxing/zxing clone>}"
out="$(cd "$(dirname "$0")" && pwd)"
commit=$(git -C "$src" rev-parse "$COMMIT^{commit}")
declare -A FORMAT=([code128-2]=Code128 [ean13-1]=EAN13 [ean13-2]=EAN13 [qrcode-1]=QRCode [qrcode-6]=QRCode)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$out"/*.jpg
: >"$tmp/lines"
for set in code128-2 ean13-1 ean13-2 qrcode-1 qrcode-6; do
  dir=core/src/test/resources/blackbox/$set
  git -C "$src" ls-tree --name-only "$commit" "$dir/" | grep -E '\.(png|jpg|gif)$' | sort -V |
    while read -r image; do
      base=$(basename "${image%.*}")
      git -C "$src" show "$commit:$image" >"$tmp/in"
      git -C "$src" show "$commit:$dir/$base.txt" >"$tmp/text"
      name="$set-$base.jpg"
      ffmpeg -nostdin -loglevel error -y -i "$tmp/in" -pix_fmt gray -q:v 4 "$out/$name"
      printf '%s\t%s\t%s\n' "$name" "${FORMAT[$set]}" "$(base64 -w0 "$tmp/text")" >>"$tmp/lines"
    done
done
node -e '
  const fs = require("fs");
  const photos = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => {
    const [file, format, text] = l.split("\t");
    return { file, format, text: Buffer.from(text, "base64").toString("utf8") };
  });
  const manifest = { source: "https://github.com/zxing/zxing/tree/" + process.argv[2] +
    "/core/src/test/resources/blackbox", license: "Apache-2.0", photos };
  fs.writeFileSync(process.argv[3], JSON.stringify(manifest, null, 1) + "\n");
' "$tmp/lines" "$commit" "$out/manifest.json"
echo "$(ls "$out"/*.jpg | wc -l) photos, $(du -sh "$out" | cut -f1) in $out"
