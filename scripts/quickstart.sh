#!/usr/bin/env bash
# Set up, then run the embedded default sweep: writes results/quick/{results,phase_*.png,...}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/gnnrg sweep quick --out results/quick --jobs 2 "$@"
.venv/bin/gnnrg plot results/quick
