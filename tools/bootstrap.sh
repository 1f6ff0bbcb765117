#!/usr/bin/env bash
# Installs what Kopilka needs and is missing, idempotently. Run as root on Debian bookworm.
# - Debian packages pinned in tools/packages.lock
# - Dear ImGui 1.86 sources from Debian's source package (sha256 checked) into build/deps/
# - npm ci in web/ (package-lock.json committed)
# A second run finds everything in place and returns in seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

say() { printf '[bootstrap] %s\n' "$*"; }

# ---- Debian packages -------------------------------------------------------------------
missing=()
while IFS= read -r line; do
  line="${line%%#*}"; line="${line// /}"
  [ -n "$line" ] || continue
  name="${line%%=*}"; want="${line#*=}"
  have="$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)"
  case "$have" in
    "install ok installed $want") ;;
    "install ok installed "*) ;;   # installed at another version: keep it, tests say if it matters
    *) missing+=("$name=$want") ;;
  esac
done < tools/packages.lock

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -q >/dev/null
    apt_updated=1
  fi
}

if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "bootstrap: missing packages (${missing[*]}); run as root" >&2; exit 1; }
  apt_update_once
  pinned=(); drifted=()
  for spec in "${missing[@]}"; do
    name="${spec%%=*}"; want="${spec#*=}"
    if apt-cache madison "$name" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$want"; then
      pinned+=("$spec")
    else
      say "WARNING: $name $want is no longer offered by Debian; installing its current version"
      drifted+=("$name")
    fi
  done
  say "installing ${#missing[@]} Debian packages"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${pinned[@]}" ${drifted[@]+"${drifted[@]}"} >/dev/null
fi

# ---- Dear ImGui sources ----------------------------------------------------------------
imgui_version="1.86+ds"
imgui_tar="imgui_${imgui_version}.orig.tar.xz"
imgui_sha256="0dace0e8e57d298eb6e93af12dc19420cb96330832f6495c733b90aeeef11f64"
imgui_dir="$root/build/deps/imgui-1.86"
if [ ! -f "$imgui_dir/.complete" ]; then
  mkdir -p "$root/build/deps"
  cd "$root/build/deps"
  if [ ! -f "$imgui_tar" ] || ! echo "$imgui_sha256  $imgui_tar" | sha256sum -c --quiet 2>/dev/null; then
    src_list=/etc/apt/sources.list.d/kopilka-deb-src.sources
    if [ ! -f "$src_list" ]; then
      say "adding deb-src for Debian's source packages"
      { echo "Types: deb-src"; echo "URIs: http://deb.debian.org/debian"; echo "Suites: bookworm bookworm-updates";
        echo "Components: main"; echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"; } > "$src_list"
      apt_updated=0
    fi
    apt_update_once
    say "fetching Dear ImGui $imgui_version sources"
    apt-get source -q --download-only "imgui=1.86+ds-1" >/dev/null 2>&1 || { echo "bootstrap: apt-get source imgui failed" >&2; exit 1; }
    echo "$imgui_sha256  $imgui_tar" | sha256sum -c --quiet || { echo "bootstrap: $imgui_tar checksum mismatch" >&2; exit 1; }
  fi
  rm -rf "$imgui_dir" imgui-tmp && mkdir imgui-tmp
  tar -xJf "$imgui_tar" -C imgui-tmp
  mv imgui-tmp/* "$imgui_dir" && rmdir imgui-tmp
  touch "$imgui_dir/.complete"
  cd "$root"
fi

# ---- npm (browser-side JavaScript and test tooling) -----------------------------------
if [ -f web/package-lock.json ]; then
  lock_sum="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
  if [ "$(cat web/node_modules/.kopilka-lock 2>/dev/null)" != "$lock_sum" ]; then
    say "npm ci in web/"
    (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$lock_sum" > web/node_modules/.kopilka-lock
  fi
fi
say "ready"
