#!/bin/bash
# test.sh — the one test command (README, CI): prepares the machine, starts the libvirt lab
# (daemon + tiny guest), then runs typecheck, lint, unit, integration and e2e suites.
# Ends with one summary line "total: N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
results=test-results
rm -rf "$results"; mkdir -p "$results"
failed_steps=()

bash scripts/prepare.sh || { echo "prepare failed"; exit 1; }
bash scripts/lab.sh start || { echo "the libvirt lab could not start"; exit 1; }
bash scripts/lab-sshd.sh start || { echo "the loopback sshd could not start"; exit 1; }

run() {  # run NAME CMD...: run a step, remember its failure, keep going
  local name=$1; shift
  local t0; t0=$(date +%s)
  echo "=== $name: $*"
  if "$@"; then echo "=== $name: ok ($(( $(date +%s) - t0 ))s)"; else echo "=== $name: FAILED ($(( $(date +%s) - t0 ))s)"; failed_steps+=("$name"); fi
}

run typecheck npm run --silent typecheck
run lint npm run --silent lint
run build npm run --silent build
run vitest npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright.json" run e2e npx playwright test --reporter=list,json

node scripts/test-summary.mjs "$results/vitest.json" "$results/playwright.json" "${failed_steps[@]}"
