#!/usr/bin/env bash
# Set up, lint, then run the test suite. With CI=true (as in CI) the slow statistical and
# end-to-end tests run too; locally pass --runslow to include them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check gnnrg tests benchmarks paper_figs
.venv/bin/ruff format --check gnnrg tests benchmarks paper_figs
extra=()
if [[ ${CI:-} == true || ${GNNRG_RUNSLOW:-} == 1 ]]; then extra+=(--runslow); fi
exec .venv/bin/python -m pytest "${extra[@]}" "$@"
