; Lists, item tuples and statements that span several lines.
[
  (value_list)
  (item_list)
  (item)
  (axis_list)
  (output_statement)
] @fold
