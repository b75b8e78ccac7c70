#!/usr/bin/env bash
# make team-demo: a private PostgreSQL server, logins for a lead and two auditors, an audit shared
# out between the auditors; then the app as ann (AS=lead or AS=bob for the others). The server
# and its data go when the app closes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/venv.sh
cluster=$(mktemp -d /tmp/audit-tui-team.XXXXXX)
cleanup() { bash scripts/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true; }
trap cleanup EXIT
owner=$(bash scripts/pg-cluster.sh start "$cluster")
.venv/bin/python -m audit_tui.team_demo "$owner" | while IFS=$'\t' read -r person role url; do
    echo "  $person ($role): audit-tui --db $url" >&2
done
who=${AS:-ann}
echo "opening the app as $who; in another terminal, the others can join with the URLs above" >&2
.venv/bin/audit-tui --db "postgresql+psycopg://$who@${owner#*@}"
