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

.venv/bin/ruff check --quiet .
.venv/bin/ruff format --check --quiet .
.venv/bin/mypy  # the files and settings: [tool.mypy] in pyproject.toml
.venv/bin/python -m pytest "$@"
