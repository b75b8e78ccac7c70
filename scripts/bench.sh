#!/usr/bin/env bash
# `make bench`: every benchmark, PostgreSQL ones on a private throwaway server (as scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh test
# Start-up is timed as a user's installed copy meets it, with its bytecode cached: a
# PYTHONDONTWRITEBYTECODE set around us would time compiling every module afresh, every start.
unset PYTHONDONTWRITEBYTECODE
# shellcheck source=scripts/private-pg.sh
source scripts/private-pg.sh
private_pg AUDIT_TUI_BENCH_PG_URL
.venv/bin/python -m bench "$@"
