#!/usr/bin/env bash
# The setup-zcc action's one step (action.yml runs it), also runnable outside GitHub: the
# tests run it with GitHub's environment files emulated (tests/install_script.rs).
#
# Reads:  ZCC_SRC (zcc checkout), ZCC_STORE_INPUT (store dir; empty = $RUNNER_TEMP/zcc-store),
#         RUNNER_TEMP, GITHUB_PATH, GITHUB_ENV, GITHUB_OUTPUT (files GitHub provides)
# Writes: zcc's bin dir to GITHUB_PATH; ZCC_DIR and ZCC_BIN to GITHUB_ENV;
#         store-path and format-version to GITHUB_OUTPUT.
set -euo pipefail

err() { echo "::error::setup-zcc: $*"; exit 1; }
for var in ZCC_SRC RUNNER_TEMP GITHUB_PATH GITHUB_ENV GITHUB_OUTPUT; do
    [ -n "${!var:-}" ] || err "$var is not set"
done
[ -f "$ZCC_SRC/install.sh" ] || err "$ZCC_SRC is not a zcc checkout (no install.sh); set the action's 'path' input"

# Install: the same script users run (cargo install --locked into a prefix).
root="$RUNNER_TEMP/zcc-install"
bash "$ZCC_SRC/install.sh" --prefix "$root"
zcc="$root/bin/zcc"
echo "$root/bin" >> "$GITHUB_PATH"
echo "ZCC_BIN=$zcc" >> "$GITHUB_ENV"

# The store: outside the workspace, fresh on every job until actions/cache restores it.
store="${ZCC_STORE_INPUT:-$RUNNER_TEMP/zcc-store}"
mkdir -p "$store"
echo "ZCC_DIR=$store" >> "$GITHUB_ENV"
store_path="$(ZCC_DIR="$store" "$zcc" store-path)"
version="$("$zcc" --version | awk '{ print $2 }')"
[ -n "$version" ] || err "cannot read the version from 'zcc --version'"
echo "store-path=$store_path" >> "$GITHUB_OUTPUT"
echo "format-version=$version" >> "$GITHUB_OUTPUT"
echo "zcc $version, store $store_path"
