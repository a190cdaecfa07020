#!/bin/bash
# prepare.sh — everything `npm start` and `npm test` need, idempotently and quickly when done:
# Debian packages (scripts/setup.sh), npm dependencies, the native libvirt binding.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s.%N)
step() { echo "[prepare] $*"; }

bash scripts/setup.sh

# npm dependencies: reinstall only when package-lock.json changed since the last install.
if ! cmp -s package-lock.json node_modules/.vireo-installed-lock 2>/dev/null; then
  # npm install, not npm ci: lock files written here omit other platforms' optional packages
  # (oxlint's and esbuild's native builds), and npm ci refuses such a lock as out of sync.
  step "installing npm dependencies (npm install)"
  # The Electron binary cannot be downloaded on build machines without internet; Electron is
  # then reported as missing at start-up and the browser shell runs instead.
  ELECTRON_SKIP_BINARY_DOWNLOAD=${ELECTRON_SKIP_BINARY_DOWNLOAD:-1} npm install --no-audit --no-fund
  cp package-lock.json node_modules/.vireo-installed-lock
else
  step "npm dependencies up to date"
fi

# Native binding: configure once, then incremental make.
if [ -f native/build/Makefile ]; then
  npx node-gyp build --directory native >/tmp/vireo-native-build.log 2>&1 || { cat /tmp/vireo-native-build.log; exit 1; }
else
  npx node-gyp rebuild --directory native >/tmp/vireo-native-build.log 2>&1 || { cat /tmp/vireo-native-build.log; exit 1; }
fi
step "native binding built ($(ls -1 native/build/Release/vireo_libvirt.node))"
awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "[prepare] done in %.1fs\n", b-a}'
