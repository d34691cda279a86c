" Vim syntax for cohort specs, for Neovim without tree-sitter (and for Vim). The groups follow
" the TextMate grammar of editors/vscode: statement keywords outside brackets, keywords as
" plain values inside lists and tuples.
if exists('b:current_syntax')
  finish
endif

syntax case match
syntax iskeyword @,48-57,_

syntax match cohortComment /#.*$/ contains=@Spell
syntax match cohortEscape /\\["\\nt]/ contained
syntax match cohortBadEscape /\\[^"\\nt]/ contained
syntax region cohortString start=/"/ skip=/\\\\\|\\"/ end=/"\|$/ oneline contains=cohortEscape,cohortBadEscape

" Statement keywords; the word after some of them is a name (`nextgroup`, since a keyword
" hides any match that starts on it).
syntax keyword cohortStatement output
syntax keyword cohortStatement cohort nextgroup=cohortCohortId skipwhite skipempty
syntax keyword cohortStatement axis subset nextgroup=cohortAxisName skipwhite skipempty
syntax keyword cohortStatement tie pair tuple nextgroup=cohortRuleName skipwhite skipempty
syntax keyword cohortStatement reuse nextgroup=cohortReuse skipwhite
syntax keyword cohortReuse from none contained
syntax keyword cohortBalance balance nextgroup=cohortBalanceSide skipwhite
syntax keyword cohortBalanceSide left right both contained
syntax match cohortFile /\<file\ze\s*(/
syntax match cohortNumber /\<\d\+\>/
syntax match cohortRange /\.\./
syntax match cohortOperator /=/

syntax match cohortCohortId /[A-Za-z0-9_]\+\([.-][A-Za-z0-9_]\+\)*/ contained
syntax match cohortAxisName /[A-Za-z_][A-Za-z0-9_]*/ contained
syntax match cohortRuleName /[A-Za-z_][A-Za-z0-9_]*/ contained nextgroup=cohortAxisList skipwhite
" The axes a rule couples are names, not values.
syntax region cohortAxisList matchgroup=cohortBracket start=/(/ end=/)/ contained contains=cohortAxisRef,cohortComment
syntax match cohortAxisRef /[A-Za-z_][A-Za-z0-9_]*/ contained

" Inside brackets every word is a value, keywords included.
syntax match cohortValue /[A-Za-z0-9_]\+\([.-][A-Za-z0-9_]\+\)*/ contained
syntax match cohortValueNumber /\<\d\+\>/ contained
syntax region cohortList matchgroup=cohortBracket start=/\[/ end=/\]/ contains=cohortList,cohortTuple,cohortString,cohortComment,cohortValueNumber,cohortValue transparent
syntax region cohortTuple matchgroup=cohortBracket start=/(/ end=/)/ contains=cohortTuple,cohortString,cohortComment,cohortValueNumber,cohortValue transparent

highlight default link cohortComment Comment
highlight default link cohortString String
highlight default link cohortEscape SpecialChar
highlight default link cohortBadEscape Error
highlight default link cohortStatement Keyword
highlight default link cohortBalance Keyword
highlight default link cohortBalanceSide Constant
highlight default link cohortReuse Keyword
highlight default link cohortFile Function
highlight default link cohortNumber Number
highlight default link cohortValueNumber Number
highlight default link cohortRange Operator
highlight default link cohortOperator Operator
highlight default link cohortAxisName Identifier
highlight default link cohortRuleName Function
highlight default link cohortAxisRef Identifier
highlight default link cohortCohortId Type
highlight default link cohortValue Constant
highlight default link cohortBracket Delimiter

let b:current_syntax = 'cohort'
