#!/usr/bin/env bash
# Build and install zcc from this checkout, optionally add masquerade symlinks, and
# optionally run a real cached build of the Arduino sketch fixture.
#
#   ./install.sh                      # cargo install into ~/.local (binary: ~/.local/bin/zcc)
#   ./install.sh --prefix /opt/zcc    # or PREFIX=/opt/zcc ./install.sh
#   ./install.sh --links ~/.local/lib/zcc avr-gcc avr-g++
#                                     # DIR/avr-gcc -> PREFIX/bin/zcc (put DIR first in PATH)
#   ./install.sh --demo               # install, then build fixtures/arduino-sketch twice
#
# Running it again is safe: it reinstalls the same binary and re-points the symlinks.
set -euo pipefail

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${PREFIX:-$HOME/.local}"
LINK_DIR=""
LINK_NAMES=()
DEMO=0

while [ "$#" -gt 0 ]; do
    case "$1" in
        --prefix)
            [ "$#" -ge 2 ] || die "--prefix needs a directory"
            PREFIX="$2"; shift 2 ;;
        --prefix=*)
            PREFIX="${1#--prefix=}"; shift ;;
        --links)
            [ "$#" -ge 3 ] || die "--links needs a directory and at least one compiler name (--links DIR avr-gcc avr-g++)"
            LINK_DIR="$2"; shift 2
            while [ "$#" -gt 0 ] && [ "${1#-}" = "$1" ]; do
                LINK_NAMES+=("$1"); shift
            done
            [ "${#LINK_NAMES[@]}" -gt 0 ] || die "--links $LINK_DIR: no compiler name given"
            ;;
        --demo)
            DEMO=1; shift ;;
        -h|--help)
            usage; exit 0 ;;
        *)
            die "unknown argument '$1' (see ./install.sh --help)" ;;
    esac
done

case "$PREFIX" in
    /*) ;;
    *) PREFIX="$(pwd)/$PREFIX" ;;
esac
BIN="$PREFIX/bin"
ZCC="$BIN/zcc"

# ---------------------------------------------------------------- install
CARGO="$(command -v cargo || true)"
if [ -z "$CARGO" ] && [ -x "$HOME/.cargo/bin/cargo" ]; then
    CARGO="$HOME/.cargo/bin/cargo"
fi
[ -n "$CARGO" ] || die "cargo not found: install Rust (https://rustup.rs, or 'apt-get install cargo') and run ./install.sh again"
[ -f "$REPO/Cargo.lock" ] || die "$REPO/Cargo.lock is missing (cargo install --locked needs it)"

# The shipped build settings (a static executable on Linux with glibc): scripts/static-link.sh.
PATH="$(dirname "$CARGO"):$PATH"
# shellcheck source=scripts/static-link.sh
. "$REPO/scripts/static-link.sh" || die "could not work out the build target (is rustc installed with cargo?)"
linking="dynamically linked"
case "${!ZCC_STATIC_RUSTFLAGS_VAR:-}" in *crt-static*) linking="statically linked" ;; esac
say "building zcc ($linking) from $REPO and installing it into $BIN (cargo install --locked; a minute or two the first time)"
"$CARGO" install --path "$REPO" --locked --root "$PREFIX" --force --quiet --target "$ZCC_TARGET"
[ -x "$ZCC" ] || die "cargo install finished but $ZCC is not there"
say "installed $("$ZCC" --version) at $ZCC"

case ":$PATH:" in
    *":$BIN:"*) ;;
    *) say "note: $BIN is not in PATH; add it with: export PATH=\"$BIN:\$PATH\"" ;;
esac

# ---------------------------------------------------------------- masquerade links
if [ -n "$LINK_DIR" ]; then
    mkdir -p "$LINK_DIR"
    LINK_DIR="$(cd "$LINK_DIR" && pwd)"
    [ "$LINK_DIR" != "$BIN" ] || die "--links $LINK_DIR: use a directory other than $BIN"
    "$ZCC" install-links "$LINK_DIR" "${LINK_NAMES[@]}" | sed 's/^/install.sh: /' \
        || die "could not create the masquerade links in $LINK_DIR (see above)"
fi

[ "$DEMO" -eq 1 ] || exit 0

# ---------------------------------------------------------------- demo
ARDUINO_AVR=/usr/share/arduino/hardware/arduino/avr
SKETCH="$REPO/fixtures/arduino-sketch"
[ -f "$SKETCH/Makefile" ] || die "demo: $SKETCH/Makefile not found"

need_pkgs=0
for tool in avr-gcc avr-g++ avr-objcopy make; do
    command -v "$tool" >/dev/null 2>&1 || need_pkgs=1
done
[ -f "$ARDUINO_AVR/cores/arduino/Arduino.h" ] || need_pkgs=1
if [ "$need_pkgs" -eq 1 ]; then
    pkgs=(make gcc-avr avr-libc binutils-avr arduino-core-avr)
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        die "demo: the AVR toolchain or the Arduino core is missing and this is not root (no sudo either); as root run: apt-get update && apt-get install -y ${pkgs[*]}"
    fi
    command -v apt-get >/dev/null 2>&1 || die "demo: the AVR toolchain or the Arduino core is missing and apt-get is not available; install avr-gcc, avr-libc and the Arduino AVR core (Debian: ${pkgs[*]})"
    say "demo: installing the AVR toolchain and the Arduino core: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/zcc-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
export ZCC_DIR="$WORK/store"
BUILD="$WORK/build"
JOBS="$(nproc 2>/dev/null || echo 2)"
make_args=(-C "$SKETCH" -j"$JOBS" BUILD="$BUILD" CC="$ZCC avr-gcc" CXX="$ZCC avr-g++")

say "demo: building $SKETCH (Arduino core + sketch for an Uno) through zcc"
say "demo: store ZCC_DIR=$ZCC_DIR, objects in $BUILD (both temporary)"

now() { date +%s.%N; }
demo_build() {
    local label="$1" t0 t1
    "$ZCC" stats --zero >/dev/null
    t0="$(now)"
    if ! make "${make_args[@]}" >"$WORK/make.log" 2>&1; then
        cat "$WORK/make.log" >&2
        die "demo: the $label build failed (make output above)"
    fi
    t1="$(now)"
    say "demo: $label build took $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s; zcc stats:"
    "$ZCC" stats | sed 's/^/    /'
}

say "demo: first build, empty store: every compile is a miss"
demo_build first
[ -f "$BUILD/firmware.hex" ] || die "demo: $BUILD/firmware.hex was not produced"
cp "$BUILD/firmware.hex" "$WORK/first.hex"

make -C "$SKETCH" BUILD="$BUILD" clean >/dev/null
say "demo: make clean, then the same build again: every compile is a hit"
demo_build second
if cmp -s "$WORK/first.hex" "$BUILD/firmware.hex"; then
    say "demo: firmware.hex is identical in both builds"
else
    die "demo: firmware.hex differs between the two builds"
fi
say "demo: done (temporary store and build removed)"
