# Sourced by test.sh and bench.sh: `private_pg VAR` exports in VAR the URL of a private, throwaway
# PostgreSQL server (scripts/pg-cluster.sh), unless VAR already names one; the server stops when
# the calling script exits. Without the server binaries it says so and leaves VAR unset.
private_pg_cluster=""
private_pg_stop() {
    if [ -n "$private_pg_cluster" ]; then
        bash scripts/pg-cluster.sh stop "$private_pg_cluster" >/dev/null 2>&1 || true
    fi
}
trap private_pg_stop EXIT

private_pg() {
    local var=$1 url
    if [ -n "${!var:-}" ]; then
        return 0
    fi
    private_pg_cluster=$(mktemp -d /tmp/audit-tui-pg.XXXXXX)
    if url=$(bash scripts/pg-cluster.sh start "$private_pg_cluster"); then
        export "$var=$url"
        echo "private PostgreSQL server: $url" >&2
    else
        echo "could not start PostgreSQL: what needs it is left out (see above)" >&2
        private_pg_cluster=""
    fi
}
