#!/usr/bin/env bash
# The whole test suite, as README.md and .ci/run call it: installs what is missing, builds,
# then runs every test file with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The offline benchmark (datasets/README.md): built once into data/ (~1 min), reused afterwards.
node bin/imp-lab.js data build --if-missing
node scripts/run-tests.js "$@"
