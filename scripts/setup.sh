#!/usr/bin/env bash
# Create .venv (if missing) and install gnnrg with its test extras, torch pinned to the CPU wheel.
# Idempotent: a second run only checks that everything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.gnnrg-installed
want=$(cat pyproject.toml constraints.txt | cksum)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    # torch first, on its own, so that nothing resolves it to a CUDA build
    .venv/bin/python -m pip install --quiet -c constraints.txt torch
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test,dask]"
    echo "$want" >"$stamp"
fi
