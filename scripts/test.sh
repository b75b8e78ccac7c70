#!/usr/bin/env bash
# The one command that runs every test, PostgreSQL ones included (README, .ci/run).
# Uses AUDIT_TUI_TEST_PG_URL when given; otherwise starts a private throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh

cluster=""
cleanup() { if [ -n "$cluster" ]; then bash scripts/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

if [ -z "${AUDIT_TUI_TEST_PG_URL:-}" ]; then
    cluster=$(mktemp -d /tmp/audit-tui-pg.XXXXXX)
    if url=$(bash scripts/pg-cluster.sh start "$cluster"); then
        export AUDIT_TUI_TEST_PG_URL=$url
        echo "test PostgreSQL server: $url" >&2
    else
        echo "could not start PostgreSQL: its tests will be skipped (see above)" >&2
        cluster=""
    fi
fi

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

.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy  # the files and settings: [tool.mypy] in pyproject.toml
.venv/bin/python -m pytest "$@"
