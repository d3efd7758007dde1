#!/usr/bin/env bash
# Private PostgreSQL cluster for One Window's tests.
#
#   scripts/postgres.sh [start]   ensure installed, initialised, running, database exists;
#                                 prints the SQLAlchemy URL as the LAST line of stdout
#   scripts/postgres.sh stop      stop the cluster (data kept)
#   scripts/postgres.sh status    say whether it is running, and where it lives
#   scripts/postgres.sh url       print the URL only
#   scripts/postgres.sh destroy   stop it and delete its data directory (test data only)
#
# The cluster listens only on 127.0.0.1:$ONEWINDOW_PG_PORT (default 54329, never 5432, so it
# cannot clash with a system cluster), trusts loopback connections, keeps its unix socket in
# its own directory and is tuned for throw-away test data (fsync off).
#
# It lives in <project>/.pg (gitignored) when the `postgres` OS user can reach that
# directory, otherwise in /tmp/onewindow-pg-<port>. Override with ONEWINDOW_PG_DIR.
# As root the server runs as the `postgres` OS user (it refuses to run as root); as any
# other user it runs as that user, and missing packages are installed with sudo.
#
# Everything except the URL goes to stderr, so `URL=$(scripts/postgres.sh)` works.
set -euo pipefail

PORT="${ONEWINDOW_PG_PORT:-54329}"
DB="${ONEWINDOW_PG_DB:-onewindow_test}"
SUPERUSER=postgres
URL="postgresql+psycopg://${SUPERUSER}@127.0.0.1:${PORT}/${DB}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CMD="${1:-start}"

log() { echo "postgres.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

if [ "$CMD" = url ]; then echo "$URL"; exit 0; fi

if [ "$(id -u)" = 0 ]; then
    IS_ROOT=1; SUDO=()
else
    IS_ROOT=0; SUDO=(sudo)
fi

# Give paths to the cluster owner (only needed when we are root).
own() {
    if [ "$IS_ROOT" = 1 ]; then chown postgres:postgres "$@"; fi
}

# Run a command as the OS user that owns the cluster.
as_owner() {
    # 9>&- : the server must not inherit (and so keep holding) our lock.
    if [ "$IS_ROOT" = 1 ]; then (cd / && runuser -u postgres -- "$@" 9>&-); else "$@" 9>&-; fi
}

find_bindir() {
    local d
    d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
    if [ -n "$d" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir)"
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    fi
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"; return
    fi
}

ensure_installed() {
    BIN="$(find_bindir)"
    if [ -z "$BIN" ]; then
        log "PostgreSQL server binaries not found; installing the Debian package 'postgresql'"
        command -v apt-get >/dev/null 2>&1 || die "no apt-get here: install PostgreSQL (server) yourself"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
        BIN="$(find_bindir)"
        [ -n "$BIN" ] || die "installed 'postgresql' but still cannot find pg_ctl/initdb"
    fi
    if [ "$IS_ROOT" = 1 ] && ! id postgres >/dev/null 2>&1; then
        die "running as root but there is no 'postgres' OS user to run the server as"
    fi
}

# Can the cluster owner create and use files in directory $1?
owner_can_use() {
    as_owner test -d "$1" -a -w "$1" -a -x "$1" 2>/dev/null
}

# Unix socket paths are limited to ~107 bytes; keep a margin.
socket_path_ok() {
    [ "${#1}" -le 90 ]
}

choose_dir() {
    if [ -n "${ONEWINDOW_PG_DIR:-}" ]; then
        PGROOT="$ONEWINDOW_PG_DIR"
        mkdir -p "$PGROOT"
        own "$PGROOT"
        chmod 700 "$PGROOT"
        owner_can_use "$PGROOT" || die "ONEWINDOW_PG_DIR=$PGROOT is not usable by the cluster owner"
        return
    fi
    local candidate="$ROOT/.pg"
    local created=0
    if [ ! -d "$candidate" ]; then mkdir -p "$candidate" && created=1; fi
    own "$candidate"
    chmod 700 "$candidate"
    if owner_can_use "$candidate" && socket_path_ok "$candidate/run/.s.PGSQL.$PORT"; then
        PGROOT="$candidate"
        return
    fi
    [ "$created" = 1 ] && rmdir "$candidate" 2>/dev/null || true
    PGROOT="/tmp/onewindow-pg-$PORT"
    log "the cluster owner cannot use $candidate (or its socket path is too long); using $PGROOT"
    mkdir -p "$PGROOT"
    own "$PGROOT"
    chmod 700 "$PGROOT"
    owner_can_use "$PGROOT" || die "cannot prepare $PGROOT for the cluster owner"
}

# Where an existing cluster lives (for stop/status/destroy): no directories are created.
existing_dir() {
    if [ -n "${ONEWINDOW_PG_DIR:-}" ]; then PGROOT="$ONEWINDOW_PG_DIR"; return; fi
    if [ -f "$ROOT/.pg/data/PG_VERSION" ]; then PGROOT="$ROOT/.pg"; return; fi
    if [ -f "/tmp/onewindow-pg-$PORT/data/PG_VERSION" ]; then PGROOT="/tmp/onewindow-pg-$PORT"; return; fi
    PGROOT=""
}

set_paths() {
    DATA="$PGROOT/data"
    RUN="$PGROOT/run"
    LOGFILE="$PGROOT/server.log"
}

write_config() {
    # Rewritten on every start so changes here (or of the port) take effect.
    cat >"$DATA/onewindow.conf" <<EOF
# Written by scripts/postgres.sh on every start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$RUN'
max_connections = 100
# Throw-away test data: trade durability for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
EOF
    cat >"$DATA/pg_hba.conf" <<EOF
# Written by scripts/postgres.sh: trust, but only on the private socket and loopback.
# TYPE  DATABASE  USER  ADDRESS       METHOD
local   all       all                 trust
host    all       all   127.0.0.1/32  trust
EOF
    if ! grep -q "^include_if_exists = 'onewindow.conf'" "$DATA/postgresql.conf"; then
        printf "\ninclude_if_exists = 'onewindow.conf'\n" >>"$DATA/postgresql.conf"
    fi
    own "$DATA/onewindow.conf" "$DATA/pg_hba.conf" "$DATA/postgresql.conf"
    chmod 600 "$DATA/onewindow.conf" "$DATA/pg_hba.conf"
}

init_cluster() {
    if [ -f "$DATA/PG_VERSION" ]; then return; fi
    log "initialising a new cluster in $DATA"
    # A half-made data directory from an interrupted initdb would make initdb refuse.
    if [ -d "$DATA" ] && [ -n "$(ls -A "$DATA" 2>/dev/null)" ]; then
        rm -rf "$DATA"
    fi
    local initlog="$PGROOT/initdb.log"
    touch "$initlog"; own "$initlog"
    if ! as_owner "$BIN/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust -E UTF8 --locale=C.UTF-8 -N \
            >"$initlog" 2>&1; then
        rm -rf "$DATA"
        as_owner "$BIN/initdb" -D "$DATA" -U "$SUPERUSER" --auth=trust -E UTF8 --locale=C -N \
            >"$initlog" 2>&1 || { cat "$initlog" >&2; die "initdb failed"; }
    fi
}

is_running() {
    as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port_answers() {
    "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -t 2 >/dev/null 2>&1
}

start_cluster() {
    mkdir -p "$RUN"
    own "$RUN"
    chmod 700 "$RUN"
    touch "$LOGFILE"
    own "$LOGFILE"
    if is_running; then
        log "cluster in $DATA already running"
        return
    fi
    if port_answers; then
        log "WARNING: something else already serves 127.0.0.1:$PORT (another checkout's cluster?);"
        log "         using it as is. Stop it, or set ONEWINDOW_PG_PORT, to use this one."
        return
    fi
    log "starting the cluster (log: $LOGFILE)"
    if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -w -t 60 start >&2; then
        tail -n 30 "$LOGFILE" >&2 || true
        die "PostgreSQL did not start; see $LOGFILE"
    fi
}

wait_ready() {
    local i
    for i in $(seq 1 60); do
        if port_answers; then return; fi
        sleep 0.5
    done
    tail -n 30 "$LOGFILE" >&2 || true
    die "PostgreSQL on 127.0.0.1:$PORT is not accepting connections"
}

ensure_database() {
    local psql=("$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$SUPERUSER" -d postgres)
    "${psql[@]}" -tAc "select 1" >/dev/null \
        || die "cannot connect as '$SUPERUSER' to 127.0.0.1:$PORT without a password"
    if [ "$("${psql[@]}" -tAc "select 1 from pg_roles where rolname = '$SUPERUSER'")" != 1 ]; then
        "${psql[@]}" -c "create role \"$SUPERUSER\" superuser login" >&2
    fi
    if [ "$("${psql[@]}" -tAc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
        log "creating database $DB"
        "${psql[@]}" -c "create database \"$DB\" owner \"$SUPERUSER\" encoding 'UTF8' template template0" >&2
    fi
}

with_lock() {
    # Serialise concurrent runs (two `make test`s) on the same port.
    exec 9>"/tmp/onewindow-pg-$PORT.lock"
    chmod 666 "/tmp/onewindow-pg-$PORT.lock" 2>/dev/null || true
    flock -w 120 9 || die "another scripts/postgres.sh has held the lock for 2 minutes"
}

case "$CMD" in
    start)
        with_lock
        ensure_installed
        choose_dir
        set_paths
        init_cluster
        write_config
        start_cluster
        wait_ready
        ensure_database
        log "ready: $URL"
        echo "$URL"
        ;;
    stop)
        with_lock
        BIN="$(find_bindir)"; [ -n "$BIN" ] || die "PostgreSQL is not installed"
        existing_dir; [ -n "$PGROOT" ] || { log "no cluster found"; exit 0; }
        set_paths
        if is_running; then
            as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
        else
            log "cluster in $DATA is not running"
        fi
        ;;
    status)
        BIN="$(find_bindir)"; [ -n "$BIN" ] || { log "PostgreSQL is not installed"; exit 3; }
        existing_dir; [ -n "$PGROOT" ] || { log "no cluster initialised yet"; exit 3; }
        set_paths
        if is_running; then
            log "running: $DATA on 127.0.0.1:$PORT, log $LOGFILE"
            echo "$URL"
        else
            log "stopped: $DATA"
            exit 3
        fi
        ;;
    destroy)
        with_lock
        BIN="$(find_bindir)"
        existing_dir; [ -n "$PGROOT" ] || { log "no cluster found"; exit 0; }
        set_paths
        if [ -n "$BIN" ] && is_running; then
            as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
        fi
        log "deleting $PGROOT"
        rm -rf "$PGROOT"
        ;;
    *)
        die "unknown command '$CMD' (start | stop | status | url | destroy)"
        ;;
esac
