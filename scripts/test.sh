#!/usr/bin/env bash
# THE test command: installs what is missing, configures, builds and runs every test with ctest
# (the `postgres` CTest fixture starts and stops a throwaway PostgreSQL cluster).
#
#   scripts/test.sh [ctest arguments...]     e.g. scripts/test.sh -R tst_timestamp -V
#   BUILD_DIR=build-mine scripts/test.sh     build somewhere else (default: build)
#
# Exits with ctest's status.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$RESOSYNC_ROOT"
build_dir="${BUILD_DIR:-build}"

started=$SECONDS
bash scripts/install-deps.sh
deps_done=$SECONDS
resosync_build "$build_dir"
build_done=$SECONDS
log "dependencies took $((deps_done - started))s, configure and build $((build_done - deps_done))s;" \
    "running the tests in $build_dir"
# ctest's summary stays the last thing printed.
exec ctest --test-dir "$build_dir" --output-on-failure "$@"
