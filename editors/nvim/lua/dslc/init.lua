-- The dslc language server for Neovim, without nvim-lspconfig: `vim.lsp.start` on 0.8+,
-- `vim.lsp.start_client` and one client per project root on 0.7. ftplugin/cohort.vim calls
-- `start` for every cohort buffer; `vim.g.dslc_cmd` overrides the command
-- (default { 'dslc', 'lsp' }), `vim.g.dslc_no_lsp = 1` turns the server off.
local M = {}

-- Clients started on 0.7, by project root.
local clients_by_root = {}

--- The project root of a file: the nearest directory with dslc.toml, else the file's own.
function M.root_for(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local found = vim.fn.findfile('dslc.toml', vim.fn.fnameescape(dir) .. ';')
  if found ~= '' then
    return vim.fn.fnamemodify(found, ':p:h')
  end
  return dir
end

--- The command that starts the server.
function M.command()
  return vim.g.dslc_cmd or { 'dslc', 'lsp' }
end

--- Starts (or reuses) the server for the project of `bufnr` and attaches the buffer. Returns the
--- client id, or nil with a message when the binary is missing.
function M.start(bufnr)
  local cmd = M.command()
  if vim.fn.executable(cmd[1]) ~= 1 then
    -- Said once per session: a missing binary should not interrupt every buffer.
    if not M.warned then
      M.warned = true
      vim.notify(
        'dslc: ' .. cmd[1] .. ' is not executable; put dslc on PATH or set vim.g.dslc_cmd',
        vim.log.levels.WARN
      )
    end
    return nil
  end
  local config = {
    name = 'dslc',
    cmd = cmd,
    root_dir = M.root_for(vim.api.nvim_buf_get_name(bufnr)),
  }
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[config.root_dir]
  if not id or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(config)
    clients_by_root[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

return M
