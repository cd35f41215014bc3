#!/usr/bin/env bash
# THE test command: installs what is missing, configures, builds and runs every test with ctest
# (the `postgres` CTest fixture starts and stops a throwaway PostgreSQL cluster); then builds
# again with AddressSanitizer and UndefinedBehaviorSanitizer and runs the unit, fuzz and fault
# tests there (ctest -L 'unit|fuzz|faults'). Any sanitizer report fails the script, also one
# from a child process (resosync-cli) whose exit status a test does not look at.
#
#   scripts/test.sh                         everything (what CI runs: .ci/run)
#   scripts/test.sh [ctest arguments...]    e.g. scripts/test.sh -R tst_timestamp -V: the normal
#                                           build and those tests only
#   BUILD_DIR=build-mine scripts/test.sh    build somewhere else (default: build)
#   SANITIZE=0 scripts/test.sh              skip the sanitizer build
#   SANITIZE=1 scripts/test.sh -R tst_fuzz  the sanitizer build too, with these ctest arguments
#   SANITIZE_BUILD_DIR=...                  where the sanitizer build goes (default: build-asan)
#
# Exits with ctest's status (the first failing part's), or 1 after a sanitizer report.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$RESOSYNC_ROOT"
build_dir="${BUILD_DIR:-build}"
asan_dir="${SANITIZE_BUILD_DIR:-build-asan}"
sanitize="${SANITIZE:-}"
if [[ -z "$sanitize" ]]; then
    # A developer's subset (ctest arguments) is about that subset; CI runs both parts.
    if (($# == 0)); then sanitize=1; else sanitize=0; fi
fi

# Two tests at a time: most wait on the simulator, PostgreSQL or a timer, and CI must stay
# under 30 minutes (tests that restart the cluster are RUN_SERIAL).
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-2}"

started=$SECONDS
bash scripts/install-deps.sh
deps_done=$SECONDS
resosync_build "$build_dir"
build_done=$SECONDS
log "dependencies took $((deps_done - started))s, configure and build $((build_done - deps_done))s;" \
    "running the tests in $build_dir"
status=0
ctest --test-dir "$build_dir" --output-on-failure "$@" || status=$?
tests_done=$SECONDS
log "tests took $((tests_done - build_done))s (status $status)"
if [[ "$sanitize" != 1 ]]; then
    exit "$status"
fi

# --- AddressSanitizer + UndefinedBehaviorSanitizer --------------------------------------------
# Only what the labelled subset needs (tests_<label> targets include resosync-cli); the console
# and its tests are not part of it.
# -O1 -g1, as the sanitizers' own docs advise: reports keep their file:line stacks, and the
# build compiles faster than RelWithDebInfo (-O2 -g), which keeps CI under 30 minutes.
log "configuring $asan_dir (AddressSanitizer and UndefinedBehaviorSanitizer)"
cmake -S . -B "$asan_dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O1 -g1" \
    -DRESOSYNC_WERROR=ON -DRESOSYNC_SANITIZE=ON
log "building $asan_dir: the unit, fuzz and fault tests"
cmake --build "$asan_dir" -j "${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    --target tests_unit tests_fuzz tests_faults
asan_build_done=$SECONDS

# Reports go to files as well as stderr, so that one from any process is seen here.
reports="$(realpath -m "$asan_dir/sanitizer-reports")"
rm -rf "$reports"
mkdir -p "$reports"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:log_path=$reports/asan:log_exe_name=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan:log_exe_name=1"
export LSAN_OPTIONS="suppressions=$RESOSYNC_ROOT/.ci/lsan.supp:print_suppressions=0"
sanitize_args=(-L 'unit|fuzz|faults')
if (($# > 0)); then sanitize_args=("$@"); fi
asan_status=0
ctest --test-dir "$asan_dir" --output-on-failure "${sanitize_args[@]}" || asan_status=$?
asan_done=$SECONDS
log "sanitizer build took $((asan_build_done - tests_done))s, its tests" \
    "$((asan_done - asan_build_done))s (status $asan_status); total $((asan_done - started))s"
if compgen -G "$reports/*" >/dev/null; then
    log_err "sanitizer reports (from $reports):"
    cat "$reports"/* >&2
    ((asan_status != 0)) || asan_status=1
fi
if ((status == 0)); then status=$asan_status; fi
exit "$status"
