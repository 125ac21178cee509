#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run call it: installs what is missing, builds,
# then runs every test file with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node scripts/run-tests.js "$@"
