#!/usr/bin/env bash
# Installs what is missing, builds, creates var/kopilka.sqlite with demo data (once), and
# starts kopilka-server on 127.0.0.1:8080 serving the API and the web pages.
# Ctrl-C stops it cleanly. KOPILKA_PORT / KOPILKA_HOST change where it listens.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

tools/bootstrap.sh
tools/build.sh

host="${KOPILKA_HOST:-127.0.0.1}"
port="${KOPILKA_PORT:-8080}"
db="var/kopilka.sqlite"
mkdir -p var/cards
bin=build/native/bin

"$bin/kopilka" seed-demo --db "$db" >/dev/null
base="http://$host:$port"
# A kiosk works once paired with the merchant: this code pairs the first browser that opens
# the link (valid one hour; the kiosk keeps its device token afterwards).
pair=$("$bin/kopilka" pairing-code --db "$db" --merchant demo --name "Demo kiosk" --ttl-s 3600 |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).code))')
cat <<MSG

Kopilka is starting on $base
  kiosk:          $base/kiosk/?pair=$pair   (pairs this browser once; add &lang=ru|lv|de|en)
                  another kiosk: build/native/bin/kopilka pairing-code --db $db --merchant demo
  API health:     $base/healthz
  member lookup:  POST $base/v1/members/lookup  {"code": "<card QR text>"}
  API document:   $base/v1/openapi.json     metrics: $base/metrics
  database:       $root/$db
  a till key:     build/native/bin/kopilka api-key --db $db --merchant demo --role till

Demo members (card QR images in var/cards/ — show one to the kiosk's camera, or type
the QR text with a USB scanner):
MSG
"$bin/kopilka" cards --db "$db" | while IFS= read -r line; do
  member=$(node -e 'const j=JSON.parse(process.argv[1]);process.stdout.write(j.member)' "$line")
  "$bin/kopilka" card --db "$db" --member "$member" --out "var/cards/$member.png" >/dev/null
  node -e 'const j=JSON.parse(process.argv[1]);console.log(`  ${j.member.padEnd(11)} ${j.name.padEnd(6)} card ${j.card}  QR ${j.qr}`)' "$line"
done
echo
echo "Ctrl-C stops the server."
exec "$bin/kopilka-server" --db "$db" --site build/site --host "$host" --port "$port"
