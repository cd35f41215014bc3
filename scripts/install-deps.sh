#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages that ResoSync needs to build, test and run.
# A fast no-op when all are present; otherwise `apt-get update` and an install of the missing
# ones only, as root or through non-interactive sudo.
set -euo pipefail
# shellcheck source=scripts/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

packages=(
    # Toolchain and formatting
    cmake ninja-build g++ pkg-config clang-format
    # Qt 6.4: widgets, charts, the HTTP server behind the simulator, and what the Qt6 CMake
    # packages look for (OpenGL, EGL, Vulkan and xkbcommon headers)
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-httpserver-dev
    libxkbcommon-dev libgl-dev libegl-dev libvulkan-dev
    # Database, JSON, compression, secrets
    libpqxx-dev libpq-dev libsimdjson-dev zlib1g-dev qtkeychain-qt6-dev
    # The server for the throwaway test cluster and the local cluster, and psql/pg_isready
    postgresql-15 postgresql-client-15
    # Running the console: the xcb platform plugin ships in libqt6gui6 (pulled in by
    # qt6-base-dev); qt6-qpa-plugins adds the other platforms; libqt6svg6 draws the SVG icons.
    # A virtual X server for screenshots and GUI runs under CI.
    qt6-qpa-plugins libqt6svg6 xvfb xauth
    # TLS trust store for HTTPS feeds
    ca-certificates
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    die "this script needs Debian 12 (dpkg and apt); install the equivalents of: ${packages[*]}"
fi

# One dpkg-query for all (its ${Status} of each package), not one process per package.
declare -A installed=()
while read -r name want ok state; do
    [[ "$want $ok $state" == "install ok installed" ]] && installed["${name%%:*}"]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for package in "${packages[@]}"; do
    [[ -n "${installed[$package]:-}" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
    log "all ${#packages[@]} packages are installed"
    exit 0
fi

log "missing packages: ${missing[*]}"
apt_install=(apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "${missing[@]}")
apt_update=(apt-get update -o DPkg::Lock::Timeout=300)
if is_root; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    log_err "installing needs root. Run:"
    log_err "  sudo apt-get update && sudo apt-get install --no-install-recommends ${missing[*]}"
    exit 1
fi

# The postgresql package may create and start a default cluster ("main", port 5432): harmless,
# ResoSync's scripts run their own clusters and do not use it.
log "apt-get update"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt_update[@]}"
log "installing: ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "${apt_install[@]}"
log "installed ${#missing[@]} packages"
