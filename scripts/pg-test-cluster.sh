#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (the CTest fixture `postgres` calls it).
#
#   scripts/pg-test-cluster.sh start DIR   start a fresh cluster; writes DIR/conninfo
#   scripts/pg-test-cluster.sh stop DIR    stop it and remove its data, socket and conninfo
#   scripts/pg-test-cluster.sh restart DIR restart the running cluster (same port and socket),
#                                          as a fault test does to a sync mid-run
#
# DIR/conninfo holds one libpq line: host=SOCKETDIR port=PORT user=resosync dbname=postgres.
# Trust authentication, a unix socket plus 127.0.0.1 on a free port, durability off for speed.
# As root the server runs as an unprivileged system user (see common.sh); when that user cannot
# reach DIR, or DIR is too long for a unix socket path, data or socket go to /tmp and DIR/state
# says where, so that `stop` finds them.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

usage() {
    echo "usage: ${0##*/} start DIR | stop DIR | restart DIR" >&2
    exit 2
}

# state_get DIR KEY: a value recorded in DIR/state by `start`.
state_get() {
    local key value
    [[ -f "$1/state" ]] || return 0
    while IFS='=' read -r key value; do
        if [[ "$key" == "$2" ]]; then
            printf '%s\n' "$value"
            return 0
        fi
    done <"$1/state"
}

free_port() {
    local port attempt
    for attempt in $(seq 1 50); do
        port=$((20000 + (RANDOM % 12000)))
        # A refused connection means nothing listens there (a race remains: start retries).
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
        : "$attempt"
    done
    die "found no free TCP port on 127.0.0.1"
}

cmd_stop() {
    local dir="$1" owner datadir sockdir root logfile
    if [[ ! -f "$dir/state" ]]; then
        rm -f "$dir/conninfo"
        log "no test cluster in $dir: nothing to stop"
        return 0
    fi
    owner="$(state_get "$dir" owner)"
    datadir="$(state_get "$dir" datadir)"
    sockdir="$(state_get "$dir" sockdir)"
    root="$(state_get "$dir" root)"
    logfile="$(state_get "$dir" logfile)"
    if [[ -n "$datadir" ]] && pg_is_running "$owner" "$datadir"; then
        log "stopping PostgreSQL in $datadir"
        pg_stop "$owner" "$datadir" || die "could not stop PostgreSQL in $datadir"
    fi
    rm -f "$dir/conninfo"
    # Keep the server log beside DIR for a look after a failed run.
    if [[ -n "$logfile" && -f "$logfile" && "$logfile" != "$dir/postgres.log" ]]; then
        mv -f "$logfile" "$dir/postgres.log" 2>/dev/null || true
    fi
    if [[ -n "$datadir" ]]; then
        log "removing $datadir"
        rm -rf "$datadir"
    fi
    if [[ -n "$sockdir" ]]; then
        log "removing socket directory $sockdir"
        rm -rf "$sockdir"
    fi
    if [[ -n "$root" && "$root" != "$dir" ]]; then
        rm -rf "$root"
    fi
    rm -f "$dir/state"
    log "stopped the test cluster in $dir"
}

cmd_restart() {
    local dir="$1" owner datadir sockdir logfile port out status=0
    [[ -f "$dir/state" && -f "$dir/conninfo" ]] || die "no test cluster in $dir: start one first"
    owner="$(state_get "$dir" owner)"
    datadir="$(state_get "$dir" datadir)"
    sockdir="$(state_get "$dir" sockdir)"
    logfile="$(state_get "$dir" logfile)"
    port="$(sed -n 's/.*port=\([0-9]*\).*/\1/p' "$dir/conninfo")"
    pg_is_running "$owner" "$datadir" || die "the test cluster in $datadir is not running"
    log "restarting PostgreSQL in $datadir (fast: open sessions are terminated)"
    out="$(mktemp /tmp/rsync-pg_ctl.XXXXXX)"
    # As in pg_start: the server must inherit none of our descriptors.
    as_pg_owner "$owner" "$RESOSYNC_PG_BINDIR/pg_ctl" restart -D "$datadir" -l "$logfile" \
        -m fast -w -t 60 </dev/null >"$out" 2>&1 9>&- || status=$?
    if ((status != 0)); then
        sed 's/^/  /' "$out" >&2
        rm -f "$out"
        die "could not restart the test cluster (server log: $logfile)"
    fi
    rm -f "$out"
    pg_wait_ready "$sockdir" "$port" 60 || die "the test cluster did not come back (server log: $logfile)"
    log "restarted: $(cat "$dir/conninfo")"
}

cmd_start() {
    local dir="$1" owner root datadir sockdir logfile port attempt
    require_pg_binaries
    mkdir -p "$dir"
    if [[ -f "$dir/state" ]]; then
        log "a previous test cluster is recorded in $dir: stopping it first"
        cmd_stop "$dir"
    fi
    owner="$(pg_owner)"

    root="$dir"
    if ! can_enter "$owner" "$dir"; then
        root="$(mktemp -d /tmp/rsync-pgdata.XXXXXX)"
        chmod 755 "$root"
        log "$owner cannot reach $dir: data goes to $root"
    fi
    datadir="$root/data"
    logfile="$root/postgres.log"
    sockdir="$root/sock"
    if ((${#sockdir} > RESOSYNC_MAX_SOCKET_DIR_LEN)); then
        sockdir="$(mktemp -d /tmp/rsync-pg.XXXXXX)"
    fi
    # Recorded before anything is created, so that `stop` cleans up after a failed start.
    printf 'owner=%s\nroot=%s\ndatadir=%s\nsockdir=%s\nlogfile=%s\n' \
        "$owner" "$root" "$datadir" "$sockdir" "$logfile" >"$dir/state"

    rm -rf "$datadir"
    mkdir -p "$datadir" "$sockdir"
    chmod 700 "$datadir"
    chmod 755 "$sockdir"
    : >"$logfile"
    give_to "$owner" "$datadir" "$sockdir" "$logfile"

    log "initdb $datadir (owner $owner, locale $(pg_initdb_locale))"
    pg_initdb "$owner" "$datadir"

    for attempt in 1 2 3 4 5; do
        port="$(free_port)"
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = $(pg_conf_quote "$sockdir")"
            echo "unix_socket_permissions = 0777"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
            echo "shared_buffers = 128MB"
            echo "max_connections = 100"
        } >"$datadir/resosync.conf"
        give_to "$owner" "$datadir/resosync.conf"
        log "starting PostgreSQL on port $port, socket in $sockdir"
        if pg_start "$owner" "$datadir" "$logfile"; then
            break
        fi
        if ((attempt < 5)) && grep -qE 'could not (bind|create any TCP/IP)|already in use' "$logfile"; then
            log "port $port was taken meanwhile: trying another"
            : >"$logfile"
            continue
        fi
        die "could not start the test cluster (server log: $logfile)"
    done

    if ! pg_wait_ready "$sockdir" "$port" 60; then
        tail -n 20 "$logfile" >&2 || true
        die "the test cluster did not become ready (server log: $logfile)"
    fi
    printf 'host=%s port=%s user=resosync dbname=postgres\n' \
        "$(conninfo_value "$sockdir")" "$port" >"$dir/conninfo.tmp"
    chmod 644 "$dir/conninfo.tmp"
    mv -f "$dir/conninfo.tmp" "$dir/conninfo"
    log "ready: $(cat "$dir/conninfo") (written to $dir/conninfo)"
}

[[ $# -eq 2 ]] || usage
[[ -n "$2" ]] || usage
dir="$(realpath -m -- "$2")"
case "$1" in
start) cmd_start "$dir" ;;
stop) cmd_stop "$dir" ;;
restart) cmd_restart "$dir" ;;
*) usage ;;
esac
