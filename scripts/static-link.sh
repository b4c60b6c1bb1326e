# Sourced by install.sh, .ci/run and bench/bench.py: the build settings of the zcc that ships.
#
# Sets ZCC_TARGET to the host's target triple (cargo is then run with --target "$ZCC_TARGET",
# so the binary is target/$ZCC_TARGET/release/zcc) and ZCC_STATIC_RUSTFLAGS_VAR to the name of
# cargo's rustflags variable for that target; on Linux with glibc, when the C toolchain has a
# static libc (Debian: libc6-dev), it exports that variable for a statically linked,
# position-dependent executable.
#
# Why: zcc starts once per compile, and a cache hit is little more than that start. The dynamic
# loader (mapping libc and libgcc_s, resolving symbols) costs ~0.25 ms of a ~1 ms hit on the
# machine of docs/PERFORMANCE.md. Target rustflags (unlike RUSTFLAGS) do not reach build
# scripts and proc macros when --target is given, which a crt-static target cannot build.
# glibc's own caveat, name lookups through NSS modules other than files and dns (built in),
# only concerns remote-cache host names; ZCC_STATIC=0 builds the dynamic binary instead.
ZCC_TARGET="$( (rustc -vV 2>/dev/null || true) | sed -n 's/^host: //p')"
if [ -z "$ZCC_TARGET" ]; then
    echo "static-link.sh: could not read the host triple from 'rustc -vV'" >&2
    return 1
fi
ZCC_STATIC_RUSTFLAGS_VAR="CARGO_TARGET_$(echo "$ZCC_TARGET" | tr 'a-z.-' 'A-Z__')_RUSTFLAGS"
case "$ZCC_TARGET" in
    *-linux-gnu*)
        if [ "${ZCC_STATIC:-1}" != 0 ] && [ "$("${CC:-cc}" -print-file-name=libc.a 2>/dev/null)" != libc.a ]; then
            # relocation-model=static: a static non-PIE executable, as build.rs links the
            # dynamic one without PIE (crt-static alone would make a static PIE).
            export "$ZCC_STATIC_RUSTFLAGS_VAR=-C target-feature=+crt-static -C relocation-model=static"
        fi
        ;;
esac
export ZCC_TARGET ZCC_STATIC_RUSTFLAGS_VAR
