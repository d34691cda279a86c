; A spec is one scope: axes and rules are declared once and used anywhere after.
(source_file) @local.scope

(axis_statement
  name: (identifier) @local.definition.var)

(tie_statement
  name: (identifier) @local.definition.var)

(pair_statement
  name: (identifier) @local.definition.var)

(tuple_statement
  name: (identifier) @local.definition.var)

; The axes of a tuple are declared by it.
(tuple_statement
  axes: (axis_list
    (identifier) @local.definition.var))

(identifier) @local.reference
