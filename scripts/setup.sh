#!/bin/bash
# setup.sh — the Debian packages Vireo needs to build, run and test (Debian bookworm / Ubuntu).
# Idempotent and fast when done: one dpkg-query call, apt only for what is missing.
#
#   bash scripts/setup.sh            install what is missing (root needed only then)
#   EXTRA_PKGS="a b" bash scripts/setup.sh   also ensure these packages
#
# libvirt-daemon-system is deliberately NOT installed: it pulls in systemd/udev. Its missing
# pieces (libvirt-qemu user, directories, qemu.conf) are provided by scripts/lab.sh, which
# starts libvirtd + virtlogd by hand.
set -euo pipefail
t0=$(date +%s.%N)
log() { echo "[setup] $*"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }

PKGS=(
  # native binding (node-gyp links against libvirt, and libxml2 for schema validation)
  libvirt-dev libxml2-dev pkg-config
  # the libvirt daemon + QEMU driver, without libvirt-daemon-system (systemd)
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients libvirt-daemon-config-network
  qemu-system-x86 qemu-utils dnsmasq-base iptables
  # tiny test guest (busybox initramfs, its static clipboard agent), cloud-init style ISOs, OS metadata
  busybox-static gcc libc6-dev genisoimage osinfo-db libosinfo-bin
  # e2e tests (Playwright drives Debian's Chromium), ssh for remote-URI tests
  chromium openssh-server openssh-client
  # console benchmark baseline (noVNC through websockify)
  websockify
)
# shellcheck disable=SC2206
[ -n "${EXTRA_PKGS:-}" ] && PKGS+=(${EXTRA_PKGS})

# One dpkg-query for all packages; unknown packages make it exit 1 but still print the rest.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PKGS[@]}" 2>/dev/null || true)
missing=()
for p in "${PKGS[@]}"; do
  grep -qE "^${p//+/\\+} ii" <<<"$installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  log "all ${#PKGS[@]} Debian packages already installed ($(since "$t0")s)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "missing Debian packages: ${missing[*]}"
  log "run as root to install them:  sudo bash scripts/setup.sh"
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=600)

lists_empty() { ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; }
apt_update() { log "apt-get update"; apt-get -q -o DPkg::Lock::Timeout=600 update; }

log "installing ${#missing[@]} package(s): ${missing[*]}"
if lists_empty; then apt_update; fi
if ! "${APT[@]}" install "${missing[@]}"; then
  log "install failed; refreshing package lists and retrying"
  apt_update
  "${APT[@]}" install "${missing[@]}"
fi

st=$(dpkg-query -W -f='${db:Status-Abbrev}' libvirt-daemon-system 2>/dev/null || true)
if [ "${st:0:2}" = ii ]; then
  log "WARNING: libvirt-daemon-system is installed (it expects systemd); scripts/lab.sh does not need it"
fi
log "installed ${missing[*]} in $(since "$t0")s"
