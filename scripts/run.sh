#!/usr/bin/env bash
# THE run command: installs what is missing, configures and builds, ensures the local PostgreSQL
# cluster (scripts/pg-local-cluster.sh) and starts the console on its embedded default: the
# built-in simulator feed and the local database (schema applied), passed as RESOSYNC_DB. Extra arguments go to
# the console. BUILD_DIR picks the build directory (default: build).
#
# Needs a display (X11 or Wayland); without one: xvfb-run -a scripts/run.sh. Setting
# QT_QPA_PLATFORM (offscreen, vnc, ...) skips that check.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$RESOSYNC_ROOT"
build_dir="${BUILD_DIR:-build}"

# Checked first: no point in a long build for a window nobody can see.
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && -z "${QT_QPA_PLATFORM:-}" ]]; then
    log_err "no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the console has nowhere"
    log_err "to open its window. On a machine without a desktop, run it on a virtual X server:"
    log_err "  xvfb-run -a scripts/run.sh"
    exit 1
fi

bash scripts/install-deps.sh
resosync_build "$build_dir"
conninfo="$(bash scripts/pg-local-cluster.sh ensure | tail -n 1)"
[[ -n "$conninfo" ]] || die "the local PostgreSQL cluster gave no connection string"
# The schema is idempotent to apply, so the console opens ready for a first sync.
"$build_dir/app/resosync-cli" schema apply --db "$conninfo"
log "starting $build_dir/app/resosync with RESOSYNC_DB='$conninfo'"
export RESOSYNC_DB="$conninfo"
exec "$build_dir/app/resosync" "$@"
