#!/usr/bin/env bash
# The main job (README "Quick start"): install what is missing, build, then train the
# notebook-scale IMP-MoE model with AGD and write its metrics, routing and checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The offline benchmark (datasets/README.md): built once into data/ (~1 min), reused afterwards.
node bin/imp-lab.js data build --if-missing
# Each run gets its own folder, so running the main job again never mixes or overwrites runs.
exec node bin/imp-lab.js train tiny-moe --steps "${IMP_STEPS:-200}" --out "${IMP_OUT:-runs/tiny-moe-$(date +%Y%m%d-%H%M%S)}" "$@"
