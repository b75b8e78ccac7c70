#!/usr/bin/env bash
# `make bench`: every benchmark, PostgreSQL ones on a private throwaway server (as scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
cluster=""
cleanup() { if [ -n "$cluster" ]; then bash scripts/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
if [ -z "${AUDIT_TUI_BENCH_PG_URL:-}" ]; then
    cluster=$(mktemp -d /tmp/audit-tui-bench-pg.XXXXXX)
    if url=$(bash scripts/pg-cluster.sh start "$cluster"); then
        export AUDIT_TUI_BENCH_PG_URL=$url
    else
        echo "could not start PostgreSQL: its benchmarks are left out" >&2
        cluster=""
    fi
fi
.venv/bin/python -m bench "$@"
