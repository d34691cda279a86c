; General captures first, specific ones after: a later pattern wins for the same node (as in
; Neovim and the tree-sitter CLI).

; Names and values.
(identifier) @variable

(word) @constant

(integer) @number

(string) @string

(escape_sequence) @string.escape

(comment) @comment

; Statement keywords. A keyword written as a value is a (word) node and not matched here.
[
  "cohort"
  "axis"
  "subset"
  "tie"
  "pair"
  "tuple"
  "output"
  "reuse"
] @keyword

[
  "balance"
  "from"
] @keyword

"none" @constant.builtin

(balance
  side: _ @constant.builtin)

"file" @function.builtin

(file_reference
  path: (string) @string.special.path)

; Rule names where they are declared; the cohort's id.
(tie_statement
  name: (identifier) @function)

(pair_statement
  name: (identifier) @function)

(tuple_statement
  name: (identifier) @function)

(cohort_statement
  id: (_) @label)

; Punctuation.
[
  "="
  ".."
] @operator

"," @punctuation.delimiter

[
  "["
  "]"
  "("
  ")"
] @punctuation.bracket
