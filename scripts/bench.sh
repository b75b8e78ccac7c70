#!/usr/bin/env bash
# `make bench`: every benchmark, PostgreSQL ones on a private throwaway server (as scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh test
# shellcheck source=scripts/private-pg.sh
source scripts/private-pg.sh
private_pg AUDIT_TUI_BENCH_PG_URL
.venv/bin/python -m bench "$@"
