#!/usr/bin/env bash
# Builds the .deb from a configured build tree, checks what it holds and its metadata with the
# same validators a distribution uses, installs it, runs the installed programs, and removes it
# again so the machine is left as it was. Run as root or with sudo (CI runs as root).
#   bash packaging/check-deb.sh BUILD_DIR
# Needs: dpkg-dev (dpkg-shlibdeps), desktop-file-utils, appstream, file (scripts/dev.sh deps).
set -euo pipefail

if [ $# -ne 1 ] || [ ! -f "$1/CMakeCache.txt" ]; then
    echo "usage: $0 BUILD_DIR   (a tree configured with cmake from this repository)" >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd)

ok() { printf 'ok    %s\n' "$*"; }
fail() {
    printf 'FAIL  %s\n' "$*" >&2
    exit 1
}
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

app_id=io.journy.Console
package=journy-console
binaries=(journy-console journy journy-sandbox)
icon_sizes=(16 22 24 32 48 64 128 256)
# The version's one source of truth is project(VERSION …) of the tree that was configured; the
# package and every program must report exactly that.
source_dir=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build_dir/CMakeCache.txt")
version=$(sed -n 's/^project(journy-console VERSION \([0-9][0-9.]*\).*/\1/p' "$source_dir/CMakeLists.txt")
[ -n "$version" ] || fail "no project(journy-console VERSION …) in $source_dir/CMakeLists.txt"

work=$(mktemp -d)
installed=no
sandbox_pid=
cleanup() {
    if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; fi
    if [ "$installed" = yes ]; then
        as_root dpkg -r "$package" >/dev/null 2>&1 || echo "check-deb: could not remove $package" >&2
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- Build ---------------------------------------------------------------------------------
# Bring the tree up to date first so a stale build (or icons not rendered yet) is never packed.
cmake --build "$build_dir" >"$work/build.log" 2>&1 || {
    tail -n 40 "$work/build.log" >&2
    fail "cmake --build $build_dir"
}
rm -f "$build_dir"/packages/"$package"_*.deb
(cd "$build_dir" && cpack -G DEB) >"$work/cpack.log" 2>&1 || {
    cat "$work/cpack.log" >&2
    fail "cpack -G DEB"
}
shopt -s nullglob
debs=("$build_dir"/packages/"$package"_*.deb)
shopt -u nullglob
[ ${#debs[@]} -eq 1 ] || fail "expected one ${package}_*.deb in $build_dir/packages, found ${#debs[@]}"
deb=${debs[0]}
ok "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# --- Control fields ------------------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = "$package" ] || fail "Package is '$(field Package)', not $package"
case "$(field Version)" in
    "$version" | "$version"-*) ok "Version $(field Version) matches project(VERSION $version)" ;;
    *) fail "Version $(field Version) does not match project(VERSION $version)" ;;
esac
for name in Maintainer Section Homepage Description; do
    [ -n "$(field "$name")" ] || fail "control field $name is empty"
done
ok "Maintainer, Section ($(field Section)), Homepage and Description are set"

# Depends as bare package names (alternatives split, version constraints dropped; Ubuntu 24.04's
# 64-bit time_t names such as libqt6core6t64 count as the library they rename).
depends=$(field Depends)
dep_names=$(printf '%s\n' "$depends" | tr ',|' '\n' | sed 's/(.*//; s/[[:space:]]//g; s/t64$//' | sed '/^$/d')
# Found by dpkg-shlibdeps from the ELF files, plus the run-time plugins CMake adds by hand.
for lib in libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6sql6 libqt6httpserver6 \
    libqt6keychain1 libqt6sql6-sqlite libqt6svg6; do
    grep -qx "$lib" <<<"$dep_names" || fail "Depends does not name $lib: $depends"
done
ok "Depends names the Qt 6 libraries: $(grep -c '^libqt6' <<<"$dep_names") libqt6* packages ($(grep '^libqt6' <<<"$dep_names" | tr '\n' ' '))"

# --- Contents ------------------------------------------------------------------------------
dpkg-deb --contents "$deb" >"$work/contents.txt"
awk '{print $NF}' "$work/contents.txt" >"$work/paths.txt"
outside=$(grep -v -e '^\./$' -e '^\./usr/' "$work/paths.txt" || true)
[ -z "$outside" ] || fail "files outside /usr: $outside"
! grep -q '^\./usr/local/' "$work/paths.txt" || fail "files under /usr/local"
root=$work/root
dpkg-deb --extract "$deb" "$root"

shipped_bins=$(find "$root/usr/bin" -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')
[ "$shipped_bins" = "$(printf '%s\n' "${binaries[@]}" | sort | tr '\n' ' ')" ] ||
    fail "/usr/bin holds '$shipped_bins', expected ${binaries[*]}"
for bin in "${binaries[@]}"; do
    path=$root/usr/bin/$bin
    [ -x "$path" ] || fail "/usr/bin/$bin is not executable"
    file -b "$path" | grep -q '^ELF .* executable' ||
        fail "/usr/bin/$bin is not an ELF executable: $(file -b "$path")"
    # A build-tree RPATH would make the installed program load libraries from the build.
    ! readelf -d "$path" | grep -qE 'R(UN)?PATH' || fail "/usr/bin/$bin carries an RPATH/RUNPATH"
done
ok "/usr/bin holds exactly ${binaries[*]} (ELF, no RPATH)"

desktop=$root/usr/share/applications/$app_id.desktop
metainfo=$root/usr/share/metainfo/$app_id.metainfo.xml
[ -f "$desktop" ] || fail "missing /usr/share/applications/$app_id.desktop"
[ -f "$metainfo" ] || fail "missing /usr/share/metainfo/$app_id.metainfo.xml"
ok "/usr/share/applications/$app_id.desktop and /usr/share/metainfo/$app_id.metainfo.xml"

for size in "${icon_sizes[@]}"; do
    png=$root/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png
    [ -f "$png" ] || fail "missing icon ${size}x${size}/apps/$app_id.png"
    file -b "$png" | grep -q "^PNG image data, $size x $size," ||
        fail "${size}x${size}/apps/$app_id.png is $(file -b "$png")"
done
svg=$root/usr/share/icons/hicolor/scalable/apps/$app_id.svg
[ -f "$svg" ] || fail "missing icon scalable/apps/$app_id.svg"
cmp -s "$svg" "$source_dir/resources/journy-console.svg" || fail "scalable icon differs from resources/journy-console.svg"
ok "icons in /usr/share/icons/hicolor: ${icon_sizes[*]} px (sizes checked) and scalable SVG"

# --- Validators ----------------------------------------------------------------------------
# desktop-file-validate exits non-zero on errors; warnings are refused too. Hints are shown.
if ! desktop-file-validate "$desktop" >"$work/dfv.txt" 2>&1 || grep -qE ': (error|warning):' "$work/dfv.txt"; then
    cat "$work/dfv.txt" >&2
    fail "desktop-file-validate"
fi
hints=$(sed -n 's/.*: hint: //p' "$work/dfv.txt")
ok "desktop-file-validate: no errors or warnings${hints:+ (hint: $hints)}"
grep -qx "Exec=${binaries[0]}" "$desktop" || fail ".desktop Exec is not ${binaries[0]}"
grep -qx "Icon=$app_id" "$desktop" || fail ".desktop Icon is not $app_id"

appstreamcli validate --no-net "$metainfo" >"$work/as.txt" 2>&1 || {
    cat "$work/as.txt" >&2
    fail "appstreamcli validate --no-net"
}
ok "appstreamcli validate --no-net: $(tail -n 1 "$work/as.txt" | sed 's/^[^A-Za-z]*//')"
# validate-tree also checks across files: the launchable .desktop file exists in the tree.
appstreamcli validate-tree --no-net "$root" >"$work/astree.txt" 2>&1 || {
    cat "$work/astree.txt" >&2
    fail "appstreamcli validate-tree --no-net"
}
ok "appstreamcli validate-tree --no-net on the package's file tree"
grep -q "<release version=\"$version\"" "$metainfo" || fail "metainfo has no release $version"
ok "metainfo release $version"

# --- Install, run, remove ------------------------------------------------------------------
if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    echo "note  $package was already installed; it is replaced now and removed at the end"
fi
installed=yes
if ! as_root dpkg -i "$deb" >"$work/dpkg.log" 2>&1; then
    # Only when a dependency is missing on this machine: let apt fetch it, as a user's apt would.
    cat "$work/dpkg.log"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -f -y -qq >/dev/null ||
        fail "dpkg -i $(basename "$deb") (dependencies not installable)"
fi
dpkg-query -W -f='${Status}' "$package" | grep -q "install ok installed" || fail "$package is not installed"
ok "dpkg -i $(basename "$deb")"

for bin in "${binaries[@]}"; do
    missing=$(ldd "/usr/bin/$bin" | grep 'not found' || true)
    [ -z "$missing" ] || fail "/usr/bin/$bin: libraries not found: $missing"
done
ok "ldd: every library of the installed programs resolves"

# The smoke runs below get a throw-away home and no display or session bus, so they never touch
# the user's files, desktop or keychain.
home=$work/home
mkdir -p "$home"
mkdir -m 700 "$home/run"
isolated_env=(env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u QT_QPA_PLATFORM
    HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share"
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/run")

# --version must work headless (installers and scripts call it).
for bin in "${binaries[@]}"; do
    out=$("${isolated_env[@]}" "/usr/bin/$bin" --version 2>&1) ||
        fail "/usr/bin/$bin --version failed: $out"
    [ "$out" = "$bin $version" ] || fail "/usr/bin/$bin --version printed '$out', expected '$bin $version'"
    ok "/usr/bin/$bin --version -> $out"
done

# The installed server and CLI talk to each other over HTTP.
"${isolated_env[@]}" /usr/bin/journy-sandbox --port 0 >"$work/sandbox.out" 2>&1 &
sandbox_pid=$!
url=
for _ in $(seq 1 50); do
    url=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$work/sandbox.out")
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    kill "$sandbox_pid" 2>/dev/null || true
    cat "$work/sandbox.out" >&2
    fail "/usr/bin/journy-sandbox did not print 'listening on …'"
fi
set +e
answer=$("${isolated_env[@]}" JOURNY_API_KEY=sandbox /usr/bin/journy --base-url "$url" --json validate 2>&1)
status=$?
set -e
kill "$sandbox_pid" 2>/dev/null || true
wait "$sandbox_pid" 2>/dev/null || true
sandbox_pid=
if [ "$status" -ne 0 ] || ! grep -q '"ok": *true' <<<"$answer"; then
    fail "/usr/bin/journy validate against /usr/bin/journy-sandbox: exit $status: $answer"
fi
ok "/usr/bin/journy validate against /usr/bin/journy-sandbox at $url -> ok"

# The installed console builds and paints its main window (offscreen platform, no display).
if ! startup=$("${isolated_env[@]}" QT_QPA_PLATFORM=offscreen timeout 60 /usr/bin/journy-console \
    --measure-startup 2>"$work/console.err") || ! grep -q '^first-paint-ms ' <<<"$startup"; then
    cat "$work/console.err" >&2
    fail "/usr/bin/journy-console did not paint its window: $startup"
fi
ok "/usr/bin/journy-console starts and paints its window (offscreen, $(grep '^first-paint-ms' <<<"$startup"))"

as_root dpkg -r "$package" >"$work/dpkg-r.log" 2>&1 || {
    cat "$work/dpkg-r.log" >&2
    fail "dpkg -r $package"
}
installed=no
for bin in "${binaries[@]}"; do
    [ ! -e "/usr/bin/$bin" ] || fail "/usr/bin/$bin is still there after dpkg -r"
done
! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    fail "$package is still installed"
ok "dpkg -r $package: removed, /usr/bin is clean again"

echo "check-deb: all checks passed for $(basename "$deb") (kept in $build_dir/packages)"
