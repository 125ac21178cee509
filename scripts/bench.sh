#!/usr/bin/env bash
# `npm run bench [-- --quick --only ref-dense --backend native]`: the performance benchmark.
# Bench-only Debian packages (NOT part of setup.sh): python3-torch for the PyTorch peer, and
# libopenblas0 so that Debian's torch uses OpenBLAS instead of the 25x slower reference BLAS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BENCH_PACKAGES=(python3-torch libopenblas0)
bash scripts/apt-missing.sh bench "${BENCH_PACKAGES[@]}"
# The native backend needs its addon; build it if npm ci ran before native/ existed.
[ -f native/build/Release/imp_native.node ] || npm run build:native || echo "[bench] native addon unavailable; benchmarking the other backends"
export OMP_WAIT_POLICY=PASSIVE
exec node bin/imp-lab.js bench "$@"
