#!/usr/bin/env bash
# `npm test`: prepares the host (idempotent; root only), builds what the tests need,
# then runs every test tier with Node's test runner (one summary at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash scripts/setup-host.sh; else echo "[test] not root: skipping host setup (integration tests need root)"; fi
[ -f native/build/Release/pier_native.node ] || npx node-gyp rebuild --directory native --silent
# renderer (web mode) + Electron main/preload bundles: the adapter tests run the built main
log="${TMPDIR:-/tmp}/pier-build-$$.log"
npm run --silent build >"$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
rm -f "$log"
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
# scripts/test-repeat.mjs prepares once, then runs the tiers N times
[ -z "${PIER_TEST_PREPARE_ONLY:-}" ] || exit 0
exec node scripts/run-tests.mjs "$@"
