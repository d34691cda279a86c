-- dslc language server for Neovim, without nvim-lspconfig. Put this file on your runtimepath
-- (e.g. ~/.config/nvim/plugin/dslc.lua) or `:luafile` it. Needs `dslc` on PATH, or set
-- vim.g.dslc_cmd = { '/path/to/dslc', 'lsp' }.

-- Recognise *.cohort files (an autocommand, since Lua filetype detection is opt-in on 0.7).
vim.cmd('autocmd BufRead,BufNewFile *.cohort setfiletype cohort')

-- The project root is the nearest directory with dslc.toml, else the spec's own directory.
local function root_for(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local found = vim.fn.findfile('dslc.toml', dir .. ';')
  if found ~= '' then return vim.fn.fnamemodify(found, ':p:h') end
  return dir
end

local function start(bufnr)
  local config = {
    name = 'dslc',
    cmd = vim.g.dslc_cmd or { 'dslc', 'lsp' },
    root_dir = root_for(vim.api.nvim_buf_get_name(bufnr)),
  }
  if vim.lsp.start then
    -- Neovim 0.8+: reuses a running client with the same name and root.
    vim.lsp.start(config, { bufnr = bufnr })
  else
    -- Neovim 0.7: one client per root, attached by hand.
    _G.dslc_clients = _G.dslc_clients or {}
    local id = _G.dslc_clients[config.root_dir]
    if not id or vim.lsp.client_is_stopped(id) then
      id = vim.lsp.start_client(config)
      _G.dslc_clients[config.root_dir] = id
    end
    if id then vim.lsp.buf_attach_client(bufnr, id) end
  end
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'cohort',
  callback = function(args) start(args.buf) end,
})
