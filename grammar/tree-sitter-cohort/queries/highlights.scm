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

; Names: axes where they are declared or used, rule names where they are declared.
(identifier) @variable

(tie_statement
  name: (identifier) @function)

(pair_statement
  name: (identifier) @function)

(tuple_statement
  name: (identifier) @function)

(cohort_statement
  id: (_) @label)

; Values.
(word) @constant

(integer) @number

(string) @string

(file_reference
  path: (string) @string.special.path)

(escape_sequence) @string.escape

(comment) @comment @spell

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
