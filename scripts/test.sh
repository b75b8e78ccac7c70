#!/usr/bin/env bash
# The one command that runs every test, PostgreSQL ones included (README, .ci/run).
# Uses AUDIT_TUI_TEST_PG_URL when given; otherwise starts a private throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh test

# shellcheck source=scripts/private-pg.sh
source scripts/private-pg.sh
private_pg AUDIT_TUI_TEST_PG_URL

# The browser test drives the system's Chromium (no browser download): install one if we can.
if ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-browser >/dev/null 2>&1 \
    && ! command -v google-chrome >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing chromium for the browser test (apt-get)" >&2
        { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 \
            || echo "could not install chromium: the browser test will be skipped" >&2
    else
        echo "no chromium binary: the browser test will be skipped" >&2
    fi
fi

# The tests start the app as a process hundreds of times: let Python keep its bytecode cache (a
# PYTHONDONTWRITEBYTECODE set around us would make every start compile the app afresh; the
# venv is installed without compiling, `scripts/venv.sh`).
unset PYTHONDONTWRITEBYTECODE
.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
# mypy (the files and settings: [tool.mypy] in pyproject.toml) runs beside the tests: about 30 s
# of one core that the tests' first minute does not fill. Its report follows theirs.
typing_report=$(mktemp)
.venv/bin/mypy >"$typing_report" 2>&1 &
typing=$!
# Workers (pytest-xdist): many tests wait on subprocesses, PostgreSQL or Pilot, so more workers
# than this machine's 2 cores still pay; each worker has its own databases (tests/conftest.py).
# Extra arguments follow and win: `scripts/test.sh -n 0` runs serially, `-m "not slow"` quickly.
tested=0
.venv/bin/python -m pytest -n "${AUDIT_TUI_TEST_WORKERS:-3}" --dist loadgroup "$@" || tested=$?
typed=0
wait "$typing" || typed=$?
cat "$typing_report"
rm -f "$typing_report"
if [ "$typed" -ne 0 ]; then
    echo "mypy found type errors (above)" >&2
fi
[ "$tested" -eq 0 ] && [ "$typed" -eq 0 ]
