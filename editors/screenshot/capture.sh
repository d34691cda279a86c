#!/bin/sh
# Captures the pilot spec of examples/project in Neovim with the plugin's Vim syntax, under
# tmux, and renders it to docs/images/nvim-highlighting.png (docs/editors.md). Needs tmux, nvim
# and python3-pil (Debian's python3, hence /usr/bin/python3); run from anywhere in the repository.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
session=dslc-screenshot-$$
capture=$(mktemp)
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -f "$capture"' EXIT
tmux new-session -d -s "$session" -x 104 -y 40 \
    "TERM=tmux-256color nvim --clean --cmd 'set rtp^=$root/editors/nvim' --cmd 'let g:dslc_no_lsp = 1' \
     -c 'syntax on' -c 'filetype plugin on' -c 'set number laststatus=0' \
     $root/examples/project/data/cohorts/pilot-2026-01/spec.cohort"
sleep 2
tmux capture-pane -e -p -t "$session" > "$capture"
mkdir -p "$root/docs/images"
/usr/bin/python3 "$root/editors/screenshot/render.py" "$capture" "$root/docs/images/nvim-highlighting.png"
echo "wrote $root/docs/images/nvim-highlighting.png"
