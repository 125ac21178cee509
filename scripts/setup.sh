#!/usr/bin/env bash
# Installs what IMP Lab needs on a fresh Debian 12 + Node 20 machine, and only what is missing:
# Debian packages (Jupyter, Chromium, speech synthesisers, ffmpeg, datasets, OpenBLAS), npm
# packages, then the TypeScript build. Idempotent: a second run does (almost) nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages named in DESIGN.md. Listed once here; every other script calls this one.
APT_PACKAGES=(
  jupyter-server jupyter-notebook jupyter-nbconvert python3-nbclient jupyter-client
  python3-jupyter-kernel-test jupyter-nbformat python3-ipykernel
  chromium
  espeak-ng flite sox
  ffmpeg opencv-doc
  dataset-fashion-mnist
  libopenblas-dev
)
bash scripts/apt-missing.sh setup "${APT_PACKAGES[@]}"

# npm packages: reinstall only when the lockfile changed since the last install.
stamp=node_modules/.imp-lab-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

echo "[setup] building TypeScript"
node node_modules/typescript/bin/tsc -p tsconfig.json
