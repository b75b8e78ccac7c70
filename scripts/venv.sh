#!/usr/bin/env bash
# Make sure .venv exists and holds this project with its test and postgres extras.
# Re-installs only when pyproject.toml is newer than the last install, so repeat runs are quick.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.audit-tui-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >&2
    .venv/bin/python -m pip install -q -e '.[test,postgres]' >&2
    touch "$stamp"
fi
