#!/usr/bin/env bash
# The setup-zcc action's one step (action.yml runs it), also runnable outside GitHub: the
# tests run it with GitHub's environment files emulated (tests/github_action.rs: a release
# served from loopback, and a build from a checkout).
#
# Reads:  ZCC_SRC (a zcc checkout to build from; empty: install a release),
#         ZCC_VERSION (release to install; empty: the version of the zcc source this script
#         is part of), ZCC_RELEASE_BASE_URL (directory holding that release's files; empty:
#         the GitHub release v<version> of the repository this action comes from),
#         ZCC_STORE_INPUT (store dir; empty = $RUNNER_TEMP/zcc-store),
#         RUNNER_TEMP, GITHUB_PATH, GITHUB_ENV, GITHUB_OUTPUT (files GitHub provides)
# Writes: zcc's bin dir to GITHUB_PATH; ZCC_DIR, ZCC_BIN and ZCC_JOB_START to GITHUB_ENV;
#         store-path and format-version to GITHUB_OUTPUT.
set -euo pipefail

err() { echo "::error::setup-zcc: $*"; exit 1; }
for var in RUNNER_TEMP GITHUB_PATH GITHUB_ENV GITHUB_OUTPUT; do
    [ -n "${!var:-}" ] || err "$var is not set"
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$RUNNER_TEMP/zcc-install"
zcc="$root/bin/zcc"

# The release archive's target triple for this machine (release.yml builds these).
release_target() {
    case "$(uname -s)/$(uname -m)" in
        Linux/x86_64) echo x86_64-unknown-linux-gnu ;;
        Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-gnu ;;
        Darwin/x86_64) echo x86_64-apple-darwin ;;
        Darwin/arm64) echo aarch64-apple-darwin ;;
        *) err "no zcc release for $(uname -s) $(uname -m); build from a checkout with the 'path' input" ;;
    esac
}

# The owner/name of the repository this action was checked out from: GitHub puts a remote
# action under _actions/<owner>/<name>/<ref>/; a local one (uses: ./...) is this repository.
action_repository() {
    case "$here" in
        */_actions/*/*/*/.github/actions/setup-zcc)
            local rest="${here#*/_actions/}"
            local owner="${rest%%/*}"
            rest="${rest#*/}"
            echo "$owner/${rest%%/*}"
            ;;
        *) echo "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set; give the action a release-url}" ;;
    esac
}

sha256() {
    if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi | awk '{ print $1 }'
}

install_release() {
    local version="${ZCC_VERSION:-}"
    if [ -z "$version" ]; then
        version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$here/../../../Cargo.toml" 2>/dev/null | head -n 1)"
        [ -n "$version" ] || err "no version given and no Cargo.toml next to the action; set the action's 'version' input"
    fi
    version="${version#v}"
    local base="${ZCC_RELEASE_BASE_URL:-}"
    [ -n "$base" ] || base="${GITHUB_SERVER_URL:-https://github.com}/$(action_repository)/releases/download/v$version"
    base="${base%/}"
    local name
    name="zcc-$version-$(release_target).tar.gz"
    local dl="$RUNNER_TEMP/zcc-download"
    rm -rf "$dl"
    mkdir -p "$dl"
    local fetch=(curl --fail --silent --show-error --location --retry 3 --connect-timeout 20)
    "${fetch[@]}" -o "$dl/SHA256SUMS" "$base/SHA256SUMS" || err "cannot download $base/SHA256SUMS"
    "${fetch[@]}" -o "$dl/$name" "$base/$name" || err "cannot download $base/$name"
    local want got
    want="$(awk -v n="$name" '$2 == n || $2 == "*" n { print $1; exit }' "$dl/SHA256SUMS")"
    [ -n "$want" ] || err "$name is not listed in $base/SHA256SUMS"
    got="$(sha256 "$dl/$name")"
    [ "$got" = "$want" ] || err "$name: SHA-256 $got does not match SHA256SUMS ($want); nothing installed"
    mkdir -p "$dl/unpacked"
    tar -xzf "$dl/$name" -C "$dl/unpacked" zcc || err "$name holds no zcc at its top level"
    mkdir -p "$root/bin"
    mv -f "$dl/unpacked/zcc" "$zcc"
    chmod 755 "$zcc"
    rm -rf "$dl"
}

if [ -n "${ZCC_SRC:-}" ]; then
    # From a checkout: the same script users run (cargo install --locked into a prefix).
    [ -f "$ZCC_SRC/install.sh" ] || err "$ZCC_SRC is not a zcc checkout (no install.sh); check the action's 'path' input"
    bash "$ZCC_SRC/install.sh" --prefix "$root"
else
    install_release
fi
"$zcc" --version >/dev/null || err "the installed $zcc does not run on this machine"
echo "$root/bin" >> "$GITHUB_PATH"
echo "ZCC_BIN=$zcc" >> "$GITHUB_ENV"
# The job's start: hits record their use of whatever the restored store last used before it,
# so that `zcc gc --unused-since "$ZCC_JOB_START"` at the end keeps what this job used.
echo "ZCC_JOB_START=@$(date +%s)" >> "$GITHUB_ENV"

# The store: outside the workspace, fresh on every job until actions/cache restores it.
store="${ZCC_STORE_INPUT:-$RUNNER_TEMP/zcc-store}"
mkdir -p "$store"
echo "ZCC_DIR=$store" >> "$GITHUB_ENV"
store_path="$(ZCC_DIR="$store" "$zcc" store-path)"
version="$("$zcc" --version | awk '{ print $2 }')"
[ -n "$version" ] || err "cannot read the version from 'zcc --version'"
echo "store-path=$store_path" >> "$GITHUB_OUTPUT"
echo "format-version=$version" >> "$GITHUB_OUTPUT"
echo "zcc $version at $zcc, store $store_path"
