#!/bin/sh
# Runs the headless Neovim check of `dslc lsp` and of the plugin in editors/nvim
# (tests/nvim/check.lua) from the repository root, on a copy of examples/project (the check
# renames and edits files), then on Neovim 0.10+ the tree-sitter grammar's highlights in
# Neovim's highlighter (tests/nvim/treesitter.lua). Needs `nvim` (0.7 or later) on PATH; builds the dslc binary first
# unless DSLC_BIN is set.
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R examples/project "$work/project"
export DSLC_ROOT="$root" DSLC_BIN DSLC_PROJECT="$work/project"
# --clean: no user config or plugins. editors/nvim goes on the runtimepath before startup, as a
# user's init.lua would put it, so its ftdetect script is loaded with the filetype rules. The
# check exits with its own status.
timeout 120 nvim --headless --clean --cmd "set runtimepath^=$root/editors/nvim" -c "luafile $root/tests/nvim/check.lua"

# Neovim 0.10+ also gets the tree-sitter grammar: the parser compiled into parser/cohort.so and
# the queries as queries/cohort, in a directory on the runtimepath, as a user would install them.
if [ "$(nvim --headless --clean -c 'lua io.stdout:write(vim.fn.has("nvim-0.10"))' -c 'qall!' 2>/dev/null)" = 1 ]; then
    mkdir -p "$work/ts/parser" "$work/ts/queries"
    grammar="$root/grammar/tree-sitter-cohort"
    ${CC:-cc} -shared -fPIC -O1 -I "$grammar/src" "$grammar/src/parser.c" -o "$work/ts/parser/cohort.so"
    ln -s "$grammar/queries" "$work/ts/queries/cohort"
    timeout 60 nvim --headless --clean --cmd "set runtimepath^=$root/editors/nvim,$work/ts" \
        -c "luafile $root/tests/nvim/treesitter.lua"
else
    echo "nvim-treesitter-check: skipped, Neovim before 0.10 ($(nvim --version | head -1))"
fi
