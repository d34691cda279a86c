#!/bin/sh
# Runs the headless Neovim check of `dslc lsp` (tests/nvim/check.lua) from the repository root.
# Needs `nvim` (0.7 or later) on PATH; builds the dslc binary first unless DSLC_BIN is set.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ -z "${DSLC_BIN:-}" ]; then
    cargo build --quiet -p dslc-cli
    # The target directory cargo reports, which CARGO_TARGET_DIR may move.
    target_dir=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
    DSLC_BIN="$target_dir/debug/dslc"
fi
export DSLC_ROOT="$root" DSLC_BIN
# --clean: no user config or plugins; the check exits with its own status.
exec timeout 120 nvim --headless --clean -c "luafile $root/tests/nvim/check.lua"
