" Cohort specs. `set filetype` rather than `setfiletype`: Neovim 0.7 would otherwise keep the
" `conf` filetype its fallback gives files with `#` comments.
autocmd BufRead,BufNewFile *.cohort set filetype=cohort
