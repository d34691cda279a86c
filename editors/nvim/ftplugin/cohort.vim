" Buffer settings for cohort specs: `#` comments, values with `-` and `.` as one word, and the
" dslc language server (lua/dslc/init.lua).
if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=#\ %s
setlocal comments=:#
setlocal formatoptions-=t formatoptions+=croql
setlocal iskeyword=@,48-57,_,-,.
setlocal expandtab shiftwidth=4 softtabstop=4

let b:undo_ftplugin = 'setlocal commentstring< comments< formatoptions< iskeyword< expandtab< shiftwidth< softtabstop<'

if has('nvim-0.7') && !get(g:, 'dslc_no_lsp', 0)
  lua require('dslc').start(vim.api.nvim_get_current_buf())
endif
