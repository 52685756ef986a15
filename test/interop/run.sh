#!/usr/bin/env bash
# Interop suite: install the third-party parsers (idempotent, quick when present), then run the tests.
# Extra arguments go to vitest (e.g. a file filter or -t 'pattern').
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash test/interop/install.sh
npx vitest run --config vitest.interop.config.ts "$@"
