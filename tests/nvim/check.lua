-- Headless Neovim check of `dslc lsp` (Neovim 0.7+): start the server on examples/project,
-- open the pilot spec, introduce a typo and wait for its diagnostic, then ask for completion
-- inside a template list. Exits 0 on success, 1 on failure. Run through tests/nvim/run.sh.

local root = vim.env.DSLC_ROOT or vim.fn.getcwd()
local dslc = vim.env.DSLC_BIN or (root .. '/target/debug/dslc')
local project = root .. '/examples/project'
local spec = project .. '/data/cohorts/pilot-2026-01/spec.cohort'

local function log(message)
  io.stderr:write('nvim-lsp-check: ' .. message .. '\n')
end

local function fail(message)
  log('FAIL: ' .. message)
  vim.cmd('cquit 1')
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(spec))
  local bufnr = vim.api.nvim_get_current_buf()
  local published = {}
  local start = vim.lsp.start_client or function(config) return vim.lsp.start(config) end
  local client_id = start({
    name = 'dslc',
    cmd = { dslc, 'lsp' },
    root_dir = project,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        published[#published + 1] = result
        return vim.lsp.handlers['textDocument/publishDiagnostics'](err, result, ctx, config)
      end,
    },
  })
  if not client_id then return fail('could not start ' .. dslc .. ' lsp') end
  vim.lsp.buf_attach_client(bufnr, client_id)
  local client
  local ready = vim.wait(10000, function()
    client = vim.lsp.get_client_by_id(client_id)
    return client ~= nil and client.initialized and #published > 0
  end, 50)
  if not ready then return fail('no initialize / first diagnostics within 10 s') end
  log('initialized; first diagnostics: ' .. #published[1].diagnostics)

  -- Introduce a typo in the subset line and wait for the unknown-ID diagnostic.
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  local subset_line
  for i, line in ipairs(lines) do
    if line:match('^subset draft_template') then subset_line = i - 1 end
  end
  if not subset_line then return fail('no subset line in ' .. spec) end
  local typo = lines[subset_line + 1]:gsub('gwern_original', 'gwern_orignal')
  vim.api.nvim_buf_set_lines(bufnr, subset_line, subset_line + 1, false, { typo })
  local found = vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.message:find('gwern_orignal', 1, true) then return true end
    end
    return false
  end, 50)
  if not found then return fail('no diagnostic for the typo within 10 s') end
  log('typo diagnostic arrived')

  -- Completion right after `[` of the subset list offers catalog template IDs.
  local character = typo:find('[', 1, true)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = subset_line, character = character },
  }
  local response = client.request_sync('textDocument/completion', params, 10000, bufnr)
  if not response or response.err then return fail('completion failed: ' .. vim.inspect(response)) end
  local items = response.result and (response.result.items or response.result) or {}
  local labels = {}
  for _, item in ipairs(items) do labels[item.label] = true end
  for _, wanted in ipairs({ 'creative-synthesis-v2', 'gwern_original', 'application-implementation-v2' }) do
    if not labels[wanted] then return fail('completion lacks ' .. wanted .. ': ' .. vim.inspect(labels)) end
  end
  log('completion offers ' .. #items .. ' template IDs')

  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return vim.lsp.client_is_stopped(client_id) end, 50)
  log('OK')
  vim.cmd('qall!')
end

local ok, err = pcall(run)
if not ok then fail(tostring(err)) end
