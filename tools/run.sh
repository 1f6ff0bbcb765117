#!/usr/bin/env bash
# Installs what is missing, builds, creates var/kopilka.sqlite with demo data (once), and
# starts kopilka-server on 127.0.0.1:8080 serving the API and the web pages, and the demo shop
# (web/demo-shop, the widget on a merchant's site) on 127.0.0.1:8081.
# Ctrl-C stops both cleanly. KOPILKA_PORT / KOPILKA_HOST / KOPILKA_SHOP_PORT change where they
# listen (the demo merchant's widget settings allow the shop's origin on port 8081).
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
# The console's demo owner: a password made once and kept in var/ (0600) like the shop's
# secret; the owner is created with it, or reset to it if the database already has one.
[ -s var/demo-owner.password ] || (umask 077 && head -c 15 /dev/urandom | base64 | tr '+/' 'xy' \
  > var/demo-owner.password)
owner_password=$(cat var/demo-owner.password)
printf '%s\n' "$owner_password" | "$bin/kopilka" user add --db "$db" --merchant demo \
  --email owner@demo.example --name "Demo owner" --role owner --password-stdin >/dev/null 2>&1 ||
  printf '%s\n' "$owner_password" | "$bin/kopilka" user password --db "$db" --merchant demo \
    --email owner@demo.example --password-stdin >/dev/null
# A kiosk works once paired with the merchant: this code pairs the first browser that opens
# the link (valid one hour; the kiosk keeps its device token afterwards).
pair=$("$bin/kopilka" pairing-code --db "$db" --merchant demo --name "Demo kiosk" --ttl-s 3600 |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).code))')
# The demo shop: a merchant's website on a second origin with the widget embedded under a strict
# CSP; its backend mints member tokens with the demo merchant's secret (kept in var/, 0600).
shop_port="${KOPILKA_SHOP_PORT:-8081}"
shop="http://$host:$shop_port"
(umask 077 && "$bin/kopilka" member-token-secret --db "$db" --merchant demo |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).member_token_secret))' \
  > var/demo-shop.secret)
node web/demo-shop/server.mjs --host "$host" --port "$shop_port" --kopilka "$base" --merchant demo \
  --secret-file var/demo-shop.secret &
shop_pid=$!
trap 'kill $shop_pid 2>/dev/null || true' EXIT

cat <<MSG

Kopilka is starting on $base
  kiosk:          $base/kiosk/?pair=$pair   (pairs this browser once; add &lang=ru|lv|de|en)
  widget demo:    $shop/   (a demo shop on its own origin; "Sign in" there as Anna or Boris)
                  embed: <script src="$base/widget/v1/kopilka.js" data-merchant="demo" async></script>
  console:        $base/console/   (shop code demo, owner@demo.example, password $owner_password)
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
echo "Ctrl-C stops the server and the demo shop."
"$bin/kopilka-server" --db "$db" --site build/site --host "$host" --port "$port"
