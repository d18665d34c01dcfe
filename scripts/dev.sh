#!/usr/bin/env bash
# Set-up, build, run and test on Debian/Ubuntu in one step each (see the README's first lines).
#   scripts/dev.sh run    install dependencies, build, start the console
#   scripts/dev.sh test   install dependencies, build, run every test, check the .deb (root or sudo)
#   scripts/dev.sh deps   only install dependencies
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

BUILD_PACKAGES=(cmake ninja-build g++ pkg-config
    qt6-base-dev qt6-httpserver-dev qt6-websockets-dev qtkeychain-qt6-dev libqt6sql6-sqlite libqt6svg6
    librsvg2-bin
)
# The second line is for packaging/check-deb.sh: dpkg-shlibdeps and the validators.
TEST_PACKAGES=(xvfb xauth gnome-keyring dbus dbus-x11 libsecret-tools openssl tinyproxy
    desktop-file-utils appstream dpkg-dev file
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
}

build() {
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
    cmake --build "$BUILD_DIR" --parallel
}

# Like qBittorrent's GUI-less build: configuring without Widgets proves core/ (and
# everything else outside ui/) needs none.
build_without_gui() {
    cmake -S . -B "$BUILD_DIR-nogui" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJOURNY_GUI=OFF -DJOURNY_TESTS=OFF
    cmake --build "$BUILD_DIR-nogui" --parallel
}

run_tests() {
    # A private session bus with an unlocked gnome-keyring: keychain tests use a real Secret
    # Service without touching the desktop's own.
    dbus-run-session -- bash -c 'printf x | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
        QT_QPA_PLATFORM=offscreen ctest --test-dir "'"$BUILD_DIR"'" --output-on-failure --timeout 600'
}

# The relay's tests drive it with the official Node SDK as published on npm (tests/relay/package.json).
# Any Node.js with npm will do: Debian's nodejs and npm are installed only when the commands are
# missing, since NodeSource's nodejs (which bundles npm) conflicts with Debian's npm package.
node_test_packages() {
    command -v node >/dev/null || install_packages nodejs
    command -v npm >/dev/null || install_packages npm
    npm install --prefix tests/relay --no-audit --no-fund --no-package-lock --loglevel=error
}

# Builds the .deb from the tested tree, validates it, installs it, runs it and removes it again,
# so a broken package fails CI like a failing test.
package_check() {
    bash packaging/check-deb.sh "$BUILD_DIR"
}

case "${1:-}" in
    deps)
        install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        node_test_packages
        ;;
    run)
        install_packages "${BUILD_PACKAGES[@]}"
        build
        if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
            echo "No display found: starting under xvfb-run (install xvfb) or set QT_QPA_PLATFORM=offscreen." >&2
            install_packages xvfb xauth
            exec xvfb-run -a "$BUILD_DIR/app/journy-console" "${@:2}"
        fi
        exec "$BUILD_DIR/app/journy-console" "${@:2}"
        ;;
    test)
        install_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        node_test_packages
        build_without_gui
        build
        # The package first, so the test runner's summary is the last thing printed.
        package_check
        run_tests
        ;;
    *)
        echo "usage: $0 run|test|deps" >&2
        exit 1
        ;;
esac
