#!/usr/bin/env bash
# The persistent local PostgreSQL 15 cluster behind the console's embedded default.
#
#   scripts/pg-local-cluster.sh ensure   create it if missing, start it if stopped, create the
#                                        database `resosync`; print its conninfo (stdout, last line)
#   scripts/pg-local-cluster.sh status   print the conninfo and exit 0 if it runs, else exit 3
#   scripts/pg-local-cluster.sh stop     stop it (its data stays)
#
# Where: ${XDG_DATA_HOME:-$HOME/.local/share}/ResoSync/postgres, or /var/lib/resosync/postgres
# as root (the server then runs as an unprivileged system user, see common.sh); RESOSYNC_PG_LOCAL_DIR
# overrides. It listens on a unix socket only (in that directory, or under /tmp when the path is
# too long for a socket), port RESOSYNC_PG_PORT (default 54329), owner-only socket permissions and
# trust authentication, superuser `resosync`. Progress goes to stderr, the conninfo to stdout.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    echo "usage: ${0##*/} ensure | status | stop" >&2
    exit 2
}

[[ $# -eq 1 ]] || usage
action="$1"
case "$action" in ensure | status | stop) ;; *) usage ;; esac

port="${RESOSYNC_PG_PORT:-54329}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    die "RESOSYNC_PG_PORT must be a TCP port number, not '$port'"
fi

if [[ -n "${RESOSYNC_PG_LOCAL_DIR:-}" ]]; then
    base="$RESOSYNC_PG_LOCAL_DIR"
elif is_root; then
    base=/var/lib/resosync/postgres
else
    base="${XDG_DATA_HOME:-${HOME:?HOME is not set}/.local/share}/ResoSync/postgres"
fi
base="$(realpath -m -- "$base")"
datadir="$base/data"
logfile="$base/postgres.log"
sockdir="$base"
if ((${#sockdir} > RESOSYNC_MAX_SOCKET_DIR_LEN)); then
    sockdir="/tmp/resosync-pg-$(id -u)-$(printf '%s' "$base" | cksum | cut -d' ' -f1)"
fi
owner="$(pg_owner)"

conninfo() {
    printf 'host=%s port=%s user=resosync dbname=resosync\n' "$(conninfo_value "$sockdir")" "$port"
}

# Whether the running server listens where we want it (port and socket directory).
running_as_configured() {
    local pid_lines
    pid_lines="$(as_pg_owner "$owner" sed -n 4,5p "$datadir/postmaster.pid" 2>/dev/null || true)"
    [[ "$pid_lines" == "$port"$'\n'"$sockdir" ]]
}

cmd_status() {
    if pg_is_running "$owner" "$datadir"; then
        log_err "running: $datadir (owner $owner)"
        conninfo
        return 0
    fi
    log_err "not running: $datadir"
    return 3
}

cmd_stop() {
    if pg_is_running "$owner" "$datadir"; then
        log_err "stopping PostgreSQL in $datadir"
        pg_stop "$owner" "$datadir" || die "could not stop PostgreSQL in $datadir"
    fi
    log_err "stopped: $datadir"
}

cmd_ensure() {
    require_pg_binaries
    if is_root && [[ -z "${RESOSYNC_PG_LOCAL_DIR:-}" ]]; then
        mkdir -p /var/lib/resosync
        chmod 755 /var/lib/resosync
    fi
    mkdir -p "$base"
    chmod 700 "$base"
    give_to "$owner" "$base"
    can_enter "$owner" "$base" || die "$owner cannot reach $base: set RESOSYNC_PG_LOCAL_DIR"

    # Two ensures at once (two consoles starting) must not both run initdb.
    exec 9>"$(dirname "$base")/.postgres.lock"
    flock -w 120 9 || die "another ${0##*/} holds the lock for $base"

    if [[ ! -f "$datadir/PG_VERSION" ]]; then
        if [[ -d "$datadir" ]] && [[ -n "$(ls -A "$datadir")" ]]; then
            die "$datadir exists but holds no PostgreSQL cluster: move it away"
        fi
        mkdir -p "$datadir"
        chmod 700 "$datadir"
        give_to "$owner" "$datadir"
        log_err "creating the local cluster in $datadir (owner $owner)"
        pg_initdb "$owner" "$datadir"
    fi
    if [[ "$sockdir" != "$base" ]]; then
        mkdir -p "$sockdir"
        chmod 700 "$sockdir"
        give_to "$owner" "$sockdir"
    fi
    {
        echo "listen_addresses = ''"
        echo "port = $port"
        echo "unix_socket_directories = $(pg_conf_quote "$sockdir")"
        echo "unix_socket_permissions = 0700"
    } >"$datadir/resosync.conf"
    give_to "$owner" "$datadir/resosync.conf"

    if pg_is_running "$owner" "$datadir" && ! running_as_configured; then
        log_err "the local cluster runs with another port or socket: restarting it"
        pg_stop "$owner" "$datadir" || die "could not stop PostgreSQL in $datadir"
    fi
    if ! pg_is_running "$owner" "$datadir"; then
        log_err "starting the local cluster (socket $sockdir, port $port)"
        [[ -f "$logfile" ]] || : >"$logfile"
        give_to "$owner" "$logfile"
        pg_start "$owner" "$datadir" "$logfile" || die "could not start the local cluster"
    fi
    if ! pg_wait_ready "$sockdir" "$port" 60; then
        tail -n 20 "$logfile" >&2 || true
        die "the local cluster did not become ready (server log: $logfile)"
    fi

    local psql exists
    psql="$(pg_tool psql)"
    exists="$(as_pg_owner "$owner" "$psql" -X -At -h "$sockdir" -p "$port" -U resosync -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = 'resosync'")" ||
        die "could not query the local cluster"
    if [[ "$exists" != 1 ]]; then
        log_err "creating database resosync"
        as_pg_owner "$owner" "$psql" -X -q -h "$sockdir" -p "$port" -U resosync -d postgres \
            -c 'CREATE DATABASE resosync' || die "could not create database resosync"
    fi
    log_err "ready: $datadir"
    conninfo
}

case "$action" in
ensure) cmd_ensure ;;
status) cmd_status ;;
stop) cmd_stop ;;
esac
