#!/usr/bin/env bash
# The team demo: a private PostgreSQL server with logins for a lead (lead) and two auditors (ann,
# bob) and an audit shared out between the auditors; each person joins with the app as their
# own login. The server runs until `stop`, whoever closes an app: a second person's app never
# loses it.
#
#   scripts/team-demo.sh start [PERSON]   start the server (or find it running), then the app
#                                        as PERSON (default ann)          (make team-demo)
#   scripts/team-demo.sh join [PERSON]    the app as PERSON (default bob) on the running demo
#                                                                     (make team-demo-join AS=bob)
#   scripts/team-demo.sh stop             stop the server and delete its data (make team-demo-stop)
#
# The demo's state (its server's folder, and each person's URL) is kept in
# $AUDIT_TUI_TEAM_DEMO_DIR (default .demo/team-demo); $AUDIT_TUI_TEAM_DEMO_APP is the app to run
# (default .venv/bin/audit-tui; the tests put a stand-in there).
set -euo pipefail
cd "$(dirname "$0")/.."
state=${AUDIT_TUI_TEAM_DEMO_DIR:-.demo/team-demo}
app=${AUDIT_TUI_TEAM_DEMO_APP:-.venv/bin/audit-tui}
urls=$state/urls

# The server's folder if the demo is running, else nothing (and the leftovers of one that is
# not, after a reboot or a server killed, are cleared).
running() {
    [ -f "$state/cluster" ] || return 1
    local cluster pid
    cluster=$(cat "$state/cluster")
    pid=$(head -n 1 "$cluster/data/postmaster.pid" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [ -s "$urls" ]; then
        printf '%s\n' "$cluster"
        return 0
    fi
    bash scripts/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
    rm -rf -- "$state"
    return 1
}

start_server() {
    bash scripts/venv.sh team
    local cluster owner
    cluster=$(mktemp -d /tmp/audit-tui-team.XXXXXX)
    mkdir -p -- "$state"
    chmod 700 -- "$state"
    printf '%s\n' "$cluster" >"$state/cluster"
    echo "Starting a private PostgreSQL server for the team demo."
    if ! owner=$(bash scripts/pg-cluster.sh start "$cluster" 2>"$state/server-start.log"); then
        cat -- "$state/server-start.log" >&2
        rm -rf -- "$state"
        echo "team demo: the PostgreSQL server did not start (see above)" >&2
        exit 1
    fi
    (umask 077 && .venv/bin/python -m audit_tui.team_demo "$owner" >"$urls.new") || {
        bash scripts/pg-cluster.sh stop "$cluster" >/dev/null 2>&1 || true
        rm -rf -- "$state"
        echo "team demo: setting up the audit failed (see above); the server is stopped" >&2
        exit 1
    }
    mv -- "$urls.new" "$urls"
}

show() {
    echo "Team demo: audit \"team-demo\" on a private PostgreSQL server. Each person's --db URL:"
    while IFS=$'\t' read -r person role url; do
        printf '  %-5s %-10s %s\n' "$person" "($role)" "$url"
    done <"$urls"
    echo "These are kept in $urls."
    echo "Join as another person, in a second terminal:  make team-demo-join AS=bob"
    echo "Stop the server and delete its data:           make team-demo-stop"
}

url_of() {
    local who=$1 person role url
    while IFS=$'\t' read -r person role url; do
        if [ "$person" = "$who" ]; then
            printf '%s\n' "$url"
            return 0
        fi
    done <"$urls"
    echo "team demo: no person \"$who\" in it (people: $(cut -f1 "$urls" | paste -sd, - | sed 's/,/, /g'))" >&2
    exit 2
}

open_app() {
    local who=$1 url
    url=$(url_of "$who")
    echo "Opening the app as $who."
    status=0
    "$app" --db "$url" || status=$?
    echo "The team demo's server is still running: make team-demo-join AS=$who reopens the app,"
    echo "make team-demo-stop stops it and deletes its data."
    return "$status"
}

case "${1:-}" in
    start)
        who=${2:-ann}
        if running >/dev/null; then
            echo "A team demo is already running; joining it."
        else
            start_server
        fi
        show
        open_app "$who"
        ;;
    join)
        who=${2:-bob}
        if ! running >/dev/null; then
            echo "team demo: none is running; start one with: make team-demo" >&2
            exit 1
        fi
        open_app "$who"
        ;;
    stop)
        if cluster=$(running); then
            if ! bash scripts/pg-cluster.sh stop "$cluster" 2>"$state/server-stop.log"; then
                cat -- "$state/server-stop.log" >&2
                echo "team demo: the server did not stop (see above)" >&2
                exit 1
            fi
            rm -rf -- "$state"
            echo "Team demo stopped: its server and data are gone."
        else
            echo "No team demo is running."
        fi
        ;;
    *)
        echo "usage: scripts/team-demo.sh start [PERSON] | join [PERSON] | stop" >&2
        exit 2
        ;;
esac
