#!/usr/bin/env bash
# Make sure .venv exists and holds this project with what MODE needs:
#   app   the app alone (make demo): a first start that waits for nothing else
#   team  the app and the PostgreSQL driver (make team-demo)
#   test  the app, the driver and every test tool (make test, lint, bench; the default)
# The stamp records the extras installed, so a venv made for the app gains the test tools when
# `make test` first runs, and one that has them keeps them. It re-installs only when
# pyproject.toml is newer than the stamp or MODE needs an extra not yet there.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}
case "$mode" in
    app) need="" ;;
    team) need="postgres" ;;
    test) need="postgres test" ;;
    *) echo "scripts/venv.sh: unknown mode '$mode' (app, team or test)" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.audit-tui-installed
have=""
if [ -f "$stamp" ]; then
    have=$(cat "$stamp")
    [ -n "$have" ] || have="postgres test"  # an empty stamp: made before modes, with everything
    [ "$have" != "app" ] || have=""
fi
missing=""
for extra in $need; do
    case " $have " in *" $extra "*) ;; *) missing="$missing $extra" ;; esac
done
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ -n "$missing" ]; then
    extras=$(echo $have $need | tr ' ' '\n' | sort -u | tr '\n' ' ')
    extras=${extras% }
    spec="."
    [ -z "$extras" ] || spec=".[${extras// /,}]"
    echo "installing audit-tui ($mode) into .venv" >&2
    # --no-compile: Python compiles a module when it is first imported (and keeps it), so only
    # what runs is compiled; compiling every file of scipy, pandas and Playwright up front cost
    # about 20 s of CPU in a fresh clone's `make test` (57.6 s to 34.7 s for the test tools).
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-compile -e "$spec" >&2
    echo "${extras:-app}" >"$stamp"
fi
