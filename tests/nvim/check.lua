-- Headless Neovim check of the plugin in editors/nvim and of `dslc lsp` (Neovim 0.7 to 0.12), on a
-- copy of examples/project made by tests/nvim/run.sh: filetype, comment string and syntax of a
-- spec; the server started by the ftplugin; a typo's diagnostic and its quick fix; completion
-- of template and model IDs; hover; go to definition; a rename that changes a CSV header; and
-- diagnostics after an included CSV file changes on disk. Exits 0 on success, 1 on failure.

local root = vim.env.DSLC_ROOT or vim.fn.getcwd()
local dslc = vim.env.DSLC_BIN or (root .. '/target/debug/dslc')
local project = vim.env.DSLC_PROJECT or (root .. '/examples/project')
local spec = project .. '/data/cohorts/pilot-2026-01/spec.cohort'

local function log(message)
  io.stderr:write('nvim-lsp-check: ' .. message .. '\n')
end

local function fail(message)
  log('FAIL: ' .. message)
  vim.cmd('cquit 1')
end

-- Stops the check with a failure unless `value` holds.
local function expect(value, message)
  if not value then
    error(message, 0)
  end
end

-- The plugin is on the runtimepath (run.sh); it starts this binary.
vim.g.dslc_cmd = { dslc, 'lsp' }
vim.cmd('filetype plugin on')
vim.cmd('syntax on')

-- Count the diagnostics sets the server publishes (the ftplugin starts the client, so the
-- default handler is wrapped rather than passed to it).
local published = {}
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  published[#published + 1] = result
  return default_publish(err, result, ctx, config)
end

-- The clients of a buffer and a synchronous request, without the APIs 0.11+ deprecates.
local function clients_of(bufnr)
  if vim.lsp.get_clients then return vim.lsp.get_clients({ bufnr = bufnr }) end
  return vim.lsp.buf_get_clients(bufnr)
end

local function dslc_client(bufnr)
  for _, client in pairs(clients_of(bufnr)) do
    if client.name == 'dslc' then return client end
  end
end

local function request(client, bufnr, method, params)
  local response
  if vim.fn.has('nvim-0.11') == 1 then
    response = client:request_sync(method, params, 10000, bufnr)
  else
    response = client.request_sync(method, params, 10000, bufnr)
  end
  expect(response and not response.err, method .. ' failed: ' .. vim.inspect(response))
  return response.result
end

local function wait_for_diagnostic(bufnr, needle, what)
  local found = vim.wait(10000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.message:find(needle, 1, true) then return true end
    end
    return false
  end, 50)
  expect(found, 'no diagnostic mentioning ' .. needle .. ' (' .. what .. ') within 10 s: '
    .. vim.inspect(vim.diagnostic.get(bufnr)))
end

local function line_matching(bufnr, pattern)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if line:match(pattern) then return i - 1, line end
  end
  error('no line matching ' .. pattern, 0)
end

-- LSP position (UTF-16; these lines are ASCII) of the first `needle` on a line.
local function position(bufnr, line, needle)
  local text = vim.api.nvim_buf_get_lines(bufnr, line, line + 1, false)[1]
  local column = text:find(needle, 1, true)
  expect(column, needle .. ' not on line ' .. line)
  return {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = line, character = column - 1 },
  }
end

local function completion_labels(client, bufnr, params)
  local result = request(client, bufnr, 'textDocument/completion', params)
  local labels = {}
  for _, item in ipairs(result and (result.items or result) or {}) do labels[item.label] = true end
  return labels
end

-- The Vim syntax file on every token kind, in a scratch buffer without a server.
local function check_syntax()
  vim.g.dslc_no_lsp = 1
  vim.cmd('enew')
  vim.api.nvim_buf_set_lines(0, 0, -1, false, {
    'cohort pilot-1 "a \\"note\\" \\q" # comment',
    'axis draft_llm = [tuple, gpt-4.1, 2] # keywords are values in lists',
    'axis r = 1..3',
    'tie t (a, b)',
    'pair p (a, b) balance left = file("x.csv")',
    'output a, b',
    'reuse from [c-1]',
    'reuse none',
  })
  vim.bo.filetype = 'cohort'
  vim.g.dslc_no_lsp = nil
  local expected = {
    { 1, 1, 'cohortStatement' }, { 1, 8, 'cohortCohortId' }, { 1, 17, 'cohortString' },
    { 1, 19, 'cohortEscape' }, { 1, 28, 'cohortBadEscape' }, { 1, 32, 'cohortComment' },
    { 2, 6, 'cohortAxisName' }, { 2, 19, 'cohortValue' }, { 2, 26, 'cohortValue' },
    { 2, 35, 'cohortValueNumber' }, { 3, 10, 'cohortNumber' }, { 3, 11, 'cohortRange' },
    { 4, 5, 'cohortRuleName' }, { 4, 8, 'cohortAxisRef' }, { 5, 15, 'cohortBalance' },
    { 5, 23, 'cohortBalanceSide' }, { 5, 30, 'cohortFile' }, { 6, 1, 'cohortStatement' },
    { 7, 1, 'cohortStatement' }, { 7, 7, 'cohortReuse' }, { 7, 13, 'cohortValue' },
    { 8, 7, 'cohortReuse' },
  }
  for _, e in ipairs(expected) do
    local group = vim.fn.synIDattr(vim.fn.synID(e[1], e[2], 1), 'name')
    expect(group == e[3], string.format('syntax at %d:%d is %s, not %s', e[1], e[2], group, e[3]))
  end
  expect(vim.tbl_isempty(clients_of(0)), 'a client started although dslc_no_lsp was set')
  vim.cmd('bwipeout!')
  log('Vim syntax on every token kind')
end

local function run()
  local version = vim.version()
  log(string.format('Neovim %d.%d.%d; the plugin starts the server with %s', version.major, version.minor,
    version.patch, vim.lsp.start and 'vim.lsp.start' or 'vim.lsp.start_client'))
  check_syntax()
  vim.cmd('edit ' .. vim.fn.fnameescape(spec))
  local bufnr = vim.api.nvim_get_current_buf()
  expect(vim.bo.filetype == 'cohort', 'filetype is ' .. vim.bo.filetype .. ', not cohort')
  expect(vim.bo.commentstring == '# %s', 'commentstring is ' .. vim.bo.commentstring)
  expect(vim.b.current_syntax == 'cohort', 'the cohort syntax is not loaded')
  local keyword = vim.fn.synIDattr(vim.fn.synID(line_matching(bufnr, '^axis') + 1, 1, 1), 'name')
  expect(keyword == 'cohortStatement', '`axis` is highlighted as ' .. keyword)
  log('filetype, commentstring and syntax set by the plugin')

  local client
  local ready = vim.wait(10000, function()
    client = dslc_client(bufnr)
    return client ~= nil and client.initialized and #published > 0
  end, 50)
  expect(ready, 'no client, initialize or first diagnostics within 10 s')
  log('initialized; first diagnostics: ' .. #published[1].diagnostics)

  -- A typo in the subset line gives an unknown-ID diagnostic.
  local subset_line, subset = line_matching(bufnr, '^subset draft_template')
  local typo = subset:gsub('gwern_original', 'gwern_orignal')
  vim.api.nvim_buf_set_lines(bufnr, subset_line, subset_line + 1, false, { typo })
  wait_for_diagnostic(bufnr, 'gwern_orignal', 'typo')
  log('typo diagnostic arrived')

  -- Its quick fix puts the right ID back.
  local at_typo = position(bufnr, subset_line, 'gwern_orignal')
  local lsp_diagnostics = {}
  for _, set in ipairs(published) do
    for _, d in ipairs(set.diagnostics) do
      if d.message:find('gwern_orignal', 1, true) then lsp_diagnostics[#lsp_diagnostics + 1] = d end
    end
  end
  local actions = request(client, bufnr, 'textDocument/codeAction', {
    textDocument = at_typo.textDocument,
    range = { start = at_typo.position, ['end'] = at_typo.position },
    context = { diagnostics = lsp_diagnostics },
  }) or {}
  local fix
  for _, action in ipairs(actions) do
    if action.title:find('gwern_original', 1, true) then fix = action end
  end
  expect(fix and fix.edit, 'no quick fix to gwern_original: ' .. vim.inspect(actions))
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding or 'utf-16')
  expect(vim.api.nvim_buf_get_lines(bufnr, subset_line, subset_line + 1, false)[1] == subset,
    'the quick fix gave ' .. vim.api.nvim_buf_get_lines(bufnr, subset_line, subset_line + 1, false)[1])
  log('quick fix applied: ' .. fix.title)

  -- Completion right after `[` of the subset list offers catalog template IDs.
  local labels = completion_labels(client, bufnr, position(bufnr, subset_line, 'creative'))
  for _, wanted in ipairs({ 'creative-synthesis-v2', 'gwern_original', 'application-implementation-v2' }) do
    expect(labels[wanted], 'template completion lacks ' .. wanted .. ': ' .. vim.inspect(labels))
  end
  -- And in the draft_llm list, model IDs from the model catalog.
  local llm_line = line_matching(bufnr, '^axis draft_llm')
  labels = completion_labels(client, bufnr, position(bufnr, llm_line, 'gemini'))
  for _, wanted in ipairs({ 'gpt-4.1', 'sonnet-4', 'gemini_25_pro' }) do
    expect(labels[wanted], 'model completion lacks ' .. wanted .. ': ' .. vim.inspect(labels))
  end
  log('completion offers template and model IDs')

  -- Hover on an axis name in the tie, then go to its declaration.
  local tie_line = line_matching(bufnr, '^tie shared_llm')
  local at_axis = position(bufnr, tie_line, 'draft_llm')
  local hover = request(client, bufnr, 'textDocument/hover', at_axis)
  local contents = hover and hover.contents
  local text = type(contents) == 'table' and (contents.value or vim.inspect(contents)) or tostring(contents)
  expect(text:find('draft_llm', 1, true) and text:find('3 levels', 1, true), 'hover says: ' .. text)
  local definition = request(client, bufnr, 'textDocument/definition', at_axis)
  local location = definition and (definition[1] or definition)
  expect(location and location.range and location.range.start.line == llm_line,
    'definition of draft_llm: ' .. vim.inspect(definition))
  log('hover and definition')

  -- Rename an axis whose levels come from a CSV file: the file's header changes too.
  local rename_dir = project .. '/data/cohorts/nvim-rename'
  vim.fn.mkdir(rename_dir, 'p')
  vim.fn.writefile({ 'style', 'plain', 'bold' }, rename_dir .. '/styles.csv')
  vim.fn.writefile({ 'cohort nvim-rename', 'axis style = file("styles.csv")', 'subset style = [plain, bold]' },
    rename_dir .. '/spec.cohort')
  vim.cmd('edit ' .. vim.fn.fnameescape(rename_dir .. '/spec.cohort'))
  local rename_buf = vim.api.nvim_get_current_buf()
  expect(vim.wait(10000, function() return dslc_client(rename_buf) ~= nil end, 50), 'second spec not attached')
  local edit = request(client, rename_buf, 'textDocument/rename',
    vim.tbl_extend('force', position(rename_buf, 1, 'style'), { newName = 'tone' }))
  expect(edit, 'rename gave no edit')
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding or 'utf-16')
  vim.cmd('silent wall')
  local header = vim.fn.readfile(rename_dir .. '/styles.csv')[1]
  expect(header == 'tone', 'styles.csv header after the rename: ' .. tostring(header))
  local renamed = table.concat(vim.api.nvim_buf_get_lines(rename_buf, 0, -1, false), '\n')
  expect(renamed:find('axis tone =', 1, true) and renamed:find('subset tone =', 1, true), 'spec after rename: ' .. renamed)
  log('rename changed the spec and the CSV header')

  -- The included file changes on disk (no longer lists `plain`): after the next edit the spec's
  -- diagnostics say so. Neovim 0.7 has no dynamic file watching; the server re-stats its files.
  for _, d in ipairs(vim.diagnostic.get(rename_buf)) do
    expect(not d.message:find('plain', 1, true), 'a diagnostic mentions plain before the change: ' .. d.message)
  end
  vim.fn.writefile({ 'tone', 'bold', 'italic' }, rename_dir .. '/styles.csv')
  vim.api.nvim_buf_set_lines(rename_buf, -1, -1, false, { '# edited' })
  wait_for_diagnostic(rename_buf, 'plain', 'after styles.csv changed on disk')
  log('diagnostics follow the included file on disk')

  vim.lsp.stop_client(client.id)
  vim.wait(5000, function() return vim.lsp.client_is_stopped(client.id) end, 50)
  log('OK')
  vim.cmd('qall!')
end

local ok, err = pcall(run)
if not ok then fail(tostring(err)) end
