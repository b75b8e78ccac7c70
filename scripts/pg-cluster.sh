#!/usr/bin/env bash
# Starts and stops a private, throwaway PostgreSQL server for tests and CI, so
# that nothing depends on a system-wide cluster, a fixed port, or prior setup.
# Data is disposable: durability is switched off for speed; `stop` deletes it.
#
# Usage:
#   scripts/pg-cluster.sh start DIR   # prints one line to stdout: the SQLAlchemy URL
#   scripts/pg-cluster.sh stop DIR    # stops the server (if running) and removes DIR
# Env: PG_BIN=/path/to/bin to choose the PostgreSQL binaries.
set -euo pipefail

PROG=${0##*/}
# Keep stdout for the single result line; everything else goes to stderr.
exec 3>&1 1>&2

PG_MAJOR_WANTED=15
START_TIMEOUT=60
PORT_ATTEMPTS=5
MARKER=.pg-cluster

die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

usage() {
    printf 'usage: %s start DIR | stop DIR\n' "$PROG" >&2
    exit 2
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a server command as `postgres` when we are root, else as the caller.
# fd 3 (the real stdout) is closed so the daemon cannot hold a caller's
# $(...) pipe open.
as_pg() {
    if ! is_root; then
        "$@" 3>&-
    elif command -v runuser >/dev/null 2>&1; then
        runuser -u postgres -- "$@" 3>&-
    else
        su postgres -s /bin/bash -c "$(printf '%q ' "$@")" 3>&-
    fi
}

# Echo the directory holding initdb/pg_ctl/postgres, or return 1.
find_bindir() {
    local d
    if [ -n "${PG_BIN:-}" ]; then
        [ -x "$PG_BIN/initdb" ] || return 1
        printf '%s\n' "$PG_BIN"
        return 0
    fi
    d=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' \
            -printf '%h\n' 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ]; then
        printf '%s\n' "$d"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        if [ -n "$d" ] && [ -x "$d/initdb" ]; then
            printf '%s\n' "$d"
            return 0
        fi
    fi
    return 1
}

# Find the binaries, installing PostgreSQL once via apt-get if they are missing.
locate_or_install() {
    if BIN=$(find_bindir); then
        return 0
    fi
    [ -z "${PG_BIN:-}" ] || die "PG_BIN=$PG_BIN does not contain initdb"
    printf '%s: PostgreSQL binaries not found; trying apt-get install\n' "$PROG" >&2
    if command -v apt-get >/dev/null 2>&1 \
        && DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
        && { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_MAJOR_WANTED" >/dev/null 2>&1 \
             || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1; } \
        && BIN=$(find_bindir); then
        return 0
    fi
    die "PostgreSQL server binaries not found and 'apt-get install postgresql-$PG_MAJOR_WANTED' failed (set PG_BIN?)"
}

free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Quote a value for postgresql.conf.
conf_quote() {
    local v=${1//\'/\'\'}
    printf "'%s'" "$v"
}

# True if $1 is a live (non-zombie) postgres process.
pg_alive() {
    local st
    [[ "$1" =~ ^[0-9]+$ ]] || return 1
    st=$(ps -o stat=,comm= -p "$1" 2>/dev/null || true)
    [[ -n "$st" && "$st" != Z* && "$st" == *postgres ]]
}

# Best-effort stop of the server whose data directory is $1; never fails.
stop_server() {
    local data=$1 pid="" bin i
    [ -f "$data/postmaster.pid" ] || return 0
    pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
    pg_alive "$pid" || return 0
    if bin=$(find_bindir); then
        as_pg "$bin/pg_ctl" -D "$data" stop -m immediate -w -t "$START_TIMEOUT" || true
    fi
    # Fallback: binaries gone or pg_ctl failed; make sure the postmaster is dead.
    if pg_alive "$pid"; then
        kill -QUIT "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do
            pg_alive "$pid" || break
            [ "$i" -lt 50 ] || kill -KILL "$pid" 2>/dev/null || true
            sleep 0.1
        done
    fi
    return 0
}

abs_dir() {
    local d
    d=$(realpath -m -- "$1") || die "cannot resolve path: $1"
    [ "$d" != / ] || die "refusing to use / as cluster directory"
    printf '%s\n' "$d"
}

START_OK=0
START_DIR=""
on_start_exit() {
    local rc=$?
    if [ "$START_OK" -ne 1 ] && [ -n "$START_DIR" ] && [ -f "$START_DIR/$MARKER" ]; then
        stop_server "$START_DIR/data"
        rm -rf -- "$START_DIR"
    fi
    exit "$rc"
}

cmd_start() {
    local dir data sock log port attempt conf
    dir=$(abs_dir "$1")
    if [ -e "$dir" ]; then
        [ -d "$dir" ] || die "$dir exists and is not a directory"
        [ -z "$(ls -A -- "$dir")" ] || die "$dir is not empty"
    fi
    locate_or_install
    command -v python3 >/dev/null 2>&1 || die "python3 is required to pick a free port"

    data=$dir/data
    sock=$dir/sock
    log=$dir/server.log
    # Unix socket paths are limited to 107 bytes.
    [ "${#sock}" -le 90 ] || die "socket path too long (${#sock} chars): use a shorter DIR"

    mkdir -p -- "$dir"
    START_DIR=$dir
    : >"$dir/$MARKER"
    trap on_start_exit EXIT
    mkdir -p -- "$sock"
    if is_root; then
        chown -R postgres: -- "$dir" || die "cannot chown $dir to postgres"
        as_pg test -w "$dir" -a -x "$dir" \
            || die "user postgres cannot write $dir (check permissions of its parent directories)"
    fi
    chmod 700 -- "$sock"

    # Avoid "could not change directory" noise when running as postgres.
    cd /
    as_pg "$BIN/initdb" -D "$data" -A trust -U postgres --no-sync -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1 \
        || die "initdb failed: $(tail -n 5 "$dir/initdb.log" | tr '\n' ' ')"

    conf=$data/postgresql.conf
    {
        printf '\n# --- added by %s (throwaway cluster) ---\n' "$PROG"
        printf 'listen_addresses = %s\n' "'127.0.0.1'"
        printf 'unix_socket_directories = %s\n' "$(conf_quote "$sock")"
        printf 'fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n'
    } >>"$conf"

    # Logins in the group role `needs_password` (created by whoever needs it) must give their
    # password over TCP, so a test of a password check proves something; every other login,
    # the owner `postgres` included, is trusted as before. First match wins: these go on top,
    # written into the existing file so it keeps its owner.
    hba=$data/pg_hba.conf
    hba_rest=$(cat "$hba")
    {
        printf '# --- added by %s: members of needs_password give a password over TCP ---\n' "$PROG"
        printf 'host all +needs_password 127.0.0.1/32 scram-sha-256\n'
        printf 'host all +needs_password ::1/128 scram-sha-256\n'
        printf '%s\n' "$hba_rest"
    } >"$hba"

    for attempt in $(seq 1 "$PORT_ATTEMPTS"); do
        port=$(free_port) || die "could not pick a free TCP port with python3"
        printf 'port = %s\n' "$port" >>"$conf"
        if as_pg "$BIN/pg_ctl" -D "$data" -l "$log" -w -t "$START_TIMEOUT" start; then
            START_OK=1
            printf 'postgresql+psycopg://postgres@127.0.0.1:%s/postgres\n' "$port" >&3
            return 0
        fi
        stop_server "$data"
        # Retry only if we lost a race for the port.
        if [ "$attempt" -lt "$PORT_ATTEMPTS" ] && [ -f "$log" ] \
            && grep -q 'could not bind\|Address already in use' "$log"; then
            printf '%s: port %s taken, retrying\n' "$PROG" "$port" >&2
            : >"$log"
            continue
        fi
        break
    done
    printf '%s: error: PostgreSQL failed to start in %s (port %s); tail of server.log:\n' \
        "$PROG" "$dir" "$port" >&2
    tail -n 20 "$log" 2>/dev/null | sed 's/^/  | /' >&2 || true
    exit 1
}

cmd_stop() {
    local dir
    dir=$(abs_dir "$1")
    [ -e "$dir" ] || return 0
    [ -d "$dir" ] || die "$dir is not a directory"
    if [ ! -f "$dir/$MARKER" ] && [ -n "$(ls -A -- "$dir")" ]; then
        die "$dir was not created by $PROG start; refusing to delete it"
    fi
    cd /
    stop_server "$dir/data"
    rm -rf -- "$dir" || die "could not remove $dir"
}

[ "$#" -eq 2 ] || usage
[ -n "$2" ] || usage
case $1 in
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" ;;
    *) usage ;;
esac
