-- Headless Neovim (0.10+) check of the tree-sitter grammar and its highlight queries as Neovim's
-- own highlighter uses them: tests/nvim/run.sh compiles grammar/tree-sitter-cohort/src/parser.c
-- into parser/cohort.so of a directory on the runtimepath, beside queries/cohort. Exits 0 on
-- success, 1 on failure.

local function log(message)
  io.stderr:write('nvim-treesitter-check: ' .. message .. '\n')
end

local function run()
  vim.g.dslc_no_lsp = 1
  local lines = {
    'cohort pilot-1 "a \\"note\\"" # comment',
    'axis draft_llm = [tuple, gpt-4.1, 2] # keywords are values in lists',
    'axis r = 1..3',
    'tie t (a, b)',
    'pair p (a, b) balance left = file("x.csv")',
    'output a, b',
    'reuse from [c-1]',
    'reuse none',
  }
  vim.api.nvim_buf_set_lines(0, 0, -1, false, lines)
  vim.bo.filetype = 'cohort'
  local tree = vim.treesitter.get_parser(0, 'cohort'):parse()[1]
  assert(not tree:root():has_error(), 'ERROR node in ' .. tree:root():sexpr())
  vim.treesitter.start(0, 'cohort')

  -- { line, text at the position, its occurrence on the line, the capture, a capture it must not have }
  local expected = {
    { 1, 'cohort', 1, 'keyword' }, { 1, 'pilot-1', 1, 'label' }, { 1, '"a', 1, 'string' },
    { 1, '\\"', 1, 'string.escape' }, { 1, '# comment', 1, 'comment' },
    { 2, 'axis', 1, 'keyword' }, { 2, 'draft_llm', 1, 'variable' },
    { 2, 'tuple', 1, 'constant', 'keyword' }, { 2, 'gpt-4.1', 1, 'constant' }, { 2, '[', 1, 'punctuation.bracket' },
    { 3, '1', 1, 'number' }, { 3, '..', 1, 'operator' },
    { 4, 'tie', 1, 'keyword' }, { 4, 't ', 1, 'function' }, { 4, 'a', 1, 'variable' },
    { 5, 'balance', 1, 'keyword' }, { 5, 'left', 1, 'constant.builtin' }, { 5, 'file', 1, 'function.builtin' },
    { 5, '"x.csv"', 1, 'string.special.path' },
    { 6, 'output', 1, 'keyword' },
    { 7, 'reuse', 1, 'keyword' }, { 7, 'from', 1, 'keyword' }, { 7, 'c-1', 1, 'constant' },
    { 8, 'none', 1, 'constant.builtin' },
  }
  for _, e in ipairs(expected) do
    local line, needle, occurrence, capture, forbidden = e[1], e[2], e[3], e[4], e[5]
    local column = 0
    for _ = 1, occurrence do
      column = lines[line]:find(needle, column + 1, true)
    end
    local captures = {}
    for _, c in ipairs(vim.treesitter.get_captures_at_pos(0, line - 1, column - 1)) do
      captures[c.capture] = true
    end
    local where = string.format('%q at %d:%d has %s', needle, line, column, vim.inspect(vim.tbl_keys(captures)))
    assert(captures[capture], where .. ', not @' .. capture)
    assert(not (forbidden and captures[forbidden]), where .. ', including @' .. tostring(forbidden))
  end
  log(#expected .. ' captures as expected')
  log('OK')
  vim.cmd('qall!')
end

local ok, err = pcall(run)
if not ok then
  log('FAIL: ' .. tostring(err))
  vim.cmd('cquit 1')
end
