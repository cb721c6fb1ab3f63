#!/usr/bin/env bash
# `npm test`: prepares the host (idempotent; root only), builds what the tests need,
# then runs every test tier with Node's test runner (one summary at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ]; then bash scripts/setup-host.sh; else echo "[test] not root: skipping host setup (integration tests need root)"; fi
[ -f native/build/Release/pier_native.node ] || npx node-gyp rebuild --directory native --silent
# renderer (web mode) + Electron main/preload bundles: the adapter tests run the built main
npm run --silent build >/tmp/pier-build.log 2>&1 || { cat /tmp/pier-build.log; exit 1; }
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
exec node scripts/run-tests.mjs "$@"
