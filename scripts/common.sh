# shellcheck shell=bash
# Helpers shared by the scripts in this folder. Source it; it does nothing on its own.
#
# The PostgreSQL helpers exist because PostgreSQL refuses to run as root: when a script runs as
# root (CI, containers), the server runs as an unprivileged system user instead (RESOSYNC_PG_USER,
# default resosync-pg, created on first use), and every server command goes through `as_pg_owner`.

# shellcheck disable=SC2034 # used by the scripts that source this file
RESOSYNC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RESOSYNC_PG_BINDIR="${RESOSYNC_PG_BINDIR:-/usr/lib/postgresql/15/bin}"
# Unix socket paths are limited to 107 bytes (sun_path); keep a margin for "/.s.PGSQL.NNNNN".
# shellcheck disable=SC2034
RESOSYNC_MAX_SOCKET_DIR_LEN=90

log() { printf '%s: %s\n' "${0##*/}" "$*"; }
log_err() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() {
    log_err "error: $*"
    exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# The user that owns and runs a PostgreSQL cluster: the invoking user, or (as root) an
# unprivileged system user created idempotently.
pg_owner() {
    if ! is_root; then
        id -un
        return
    fi
    local user="${RESOSYNC_PG_USER:-resosync-pg}"
    if ! id -u "$user" >/dev/null 2>&1; then
        # Another script may create it at the same moment: check again after a failure.
        if ! useradd --system --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$user" >/dev/null 2>&1 &&
            ! id -u "$user" >/dev/null 2>&1; then
            log_err "could not create system user $user; running PostgreSQL as nobody"
            user=nobody
        else
            log_err "created system user $user to run PostgreSQL (it refuses to run as root)"
        fi
    fi
    printf '%s\n' "$user"
}

# as_pg_owner USER CMD...: run CMD as USER (directly when that is us), from / so that a
# working directory the user cannot enter does not matter.
as_pg_owner() {
    local user="$1"
    shift
    if [[ "$user" == "$(id -un)" ]]; then
        (cd / && "$@")
    elif command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$user" -- "$@")
    else
        (cd / && setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- "$@")
    fi
}

# give_to USER PATH...: make PATHs belong to USER (a no-op when USER is us).
give_to() {
    local user="$1"
    shift
    if [[ "$user" != "$(id -un)" ]]; then
        chown "$user:$(id -gn "$user")" "$@"
    fi
}

# can_enter USER DIR: whether USER can reach DIR (every parent must be searchable).
can_enter() {
    as_pg_owner "$1" test -x "$2" >/dev/null 2>&1
}

require_pg_binaries() {
    local tool
    for tool in initdb pg_ctl postgres; do
        [[ -x "$RESOSYNC_PG_BINDIR/$tool" ]] ||
            die "$RESOSYNC_PG_BINDIR/$tool is missing: run scripts/install-deps.sh (PostgreSQL 15)"
    done
    command -v pg_isready >/dev/null 2>&1 || [[ -x "$RESOSYNC_PG_BINDIR/pg_isready" ]] ||
        die "pg_isready is missing: run scripts/install-deps.sh (postgresql-client-15)"
}

pg_tool() {
    if [[ -x "$RESOSYNC_PG_BINDIR/$1" ]]; then
        printf '%s\n' "$RESOSYNC_PG_BINDIR/$1"
    else
        command -v "$1"
    fi
}

# The initdb locale: C.UTF-8 where the system has it (glibc 2.35+ always does), else C.
pg_initdb_locale() {
    if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
        printf 'C.UTF-8\n'
    else
        printf 'C\n'
    fi
}

# pg_initdb USER DATADIR: a new cluster with superuser `resosync`, trust authentication.
pg_initdb() {
    local user="$1" datadir="$2" out
    if ! out="$(as_pg_owner "$user" "$RESOSYNC_PG_BINDIR/initdb" -D "$datadir" -U resosync \
        --auth=trust -E UTF8 --locale="$(pg_initdb_locale)" --no-instructions 2>&1)"; then
        printf '%s\n' "$out" >&2
        die "initdb failed for $datadir"
    fi
    # Settings that change between starts (port, socket) live in an included file.
    printf "\n# Added by ResoSync's scripts.\ninclude_if_exists = 'resosync.conf'\n" \
        >>"$datadir/postgresql.conf"
}

# A libpq conninfo value, quoted when it needs to be.
conninfo_value() {
    if [[ "$1" =~ ^[A-Za-z0-9_./:+-]+$ ]]; then
        printf '%s' "$1"
    else
        local v="${1//\\/\\\\}"
        printf "'%s'" "${v//\'/\\\'}"
    fi
}

# pg_conf_quote VALUE: VALUE as a postgresql.conf string literal.
pg_conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

# pg_is_running USER DATADIR
pg_is_running() {
    [[ -f "$2/PG_VERSION" ]] || return 1
    as_pg_owner "$1" "$RESOSYNC_PG_BINDIR/pg_ctl" status -D "$2" >/dev/null 2>&1
}

# pg_start USER DATADIR LOGFILE: start and wait; on failure show the log's tail and return 1.
pg_start() {
    local user="$1" datadir="$2" logfile="$3" out status=0
    out="$(mktemp /tmp/rsync-pg_ctl.XXXXXX)"
    # The server must inherit none of our descriptors: not our stdout (a caller reading it,
    # ctest or $(...), would wait forever), nor fd 9, a lock that pg-local-cluster.sh holds.
    as_pg_owner "$user" "$RESOSYNC_PG_BINDIR/pg_ctl" start -D "$datadir" -l "$logfile" \
        -w -t 60 </dev/null >"$out" 2>&1 9>&- || status=$?
    if ((status != 0)); then
        log_err "PostgreSQL did not start:"
        sed 's/^/  /' "$out" >&2
        log_err "last lines of $logfile:"
        tail -n 20 "$logfile" 2>/dev/null | sed 's/^/  /' >&2 || true
    fi
    rm -f "$out"
    return "$status"
}

# pg_wait_ready SOCKETDIR PORT [SECONDS]: wait until pg_isready succeeds.
pg_wait_ready() {
    local sockdir="$1" port="$2" seconds="${3:-60}" isready deadline
    isready="$(pg_tool pg_isready)"
    deadline=$((SECONDS + seconds))
    until "$isready" -q -h "$sockdir" -p "$port" -U resosync -d postgres; do
        if ((SECONDS >= deadline)); then
            log_err "PostgreSQL at $sockdir port $port is not ready after ${seconds}s"
            return 1
        fi
        sleep 0.2
    done
}

# pg_stop USER DATADIR: stop fast, then immediately if fast does not finish in time.
pg_stop() {
    local user="$1" datadir="$2" pg_ctl="$RESOSYNC_PG_BINDIR/pg_ctl"
    pg_is_running "$user" "$datadir" || return 0
    as_pg_owner "$user" "$pg_ctl" stop -D "$datadir" -m fast -w -t 60 >/dev/null 2>&1 ||
        as_pg_owner "$user" "$pg_ctl" stop -D "$datadir" -m immediate -w -t 30 >/dev/null 2>&1
}

# resosync_build BUILD_DIR: configure (Ninja, RelWithDebInfo, warnings as errors) and build.
# Run from the repository root. CMAKE_BUILD_PARALLEL_LEVEL overrides the default of 2 jobs.
resosync_build() {
    local build_dir="$1" generator=() cached
    if [[ -f "$build_dir/CMakeCache.txt" ]]; then
        cached="$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$build_dir/CMakeCache.txt")"
        [[ "$cached" == Ninja ]] ||
            die "$build_dir was configured for '$cached', not Ninja: remove it or set BUILD_DIR"
    else
        generator=(-G Ninja)
    fi
    log "configuring $build_dir"
    cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DRESOSYNC_WERROR=ON
    log "building $build_dir"
    cmake --build "$build_dir" -j "${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
}
