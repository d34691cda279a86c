/**
 * @file Tree-sitter grammar of the cohort spec language (dslc).
 * @license MIT OR Apache-2.0
 *
 * It follows crates/dslc-syntax (lexer.rs and parser/statements.rs): what the parser accepts
 * without an error parses here without an ERROR node, and every syntax error (codes E00xx)
 * leaves one. Names and values are lexed as the contract says: a name is
 * `[A-Za-z_][A-Za-z0-9_]*` and never a statement keyword; a value is a bare word, a keyword or
 * a string.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

const KEYWORDS = ['cohort', 'axis', 'subset', 'tie', 'pair', 'tuple', 'output', 'reuse'];

/** Comma-separated `rule`s with an optional trailing comma, possibly none. */
function commaSep(rule) {
  return optional(commaSep1(rule));
}

/** One or more comma-separated `rule`s with an optional trailing comma. */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)), optional(','));
}

module.exports = grammar({
  name: 'cohort',

  // Whitespace as the lexer skips it (including form feed and a byte-order mark) and comments.
  extras: $ => [/[ \t\r\n\f\uFEFF]+/, $.comment],

  word: $ => $.identifier,

  // Statement keywords cannot be names; inside lists and tuples they are plain values.
  reserved: {
    global: _ => KEYWORDS,
  },

  rules: {
    source_file: $ => repeat($._statement),

    _statement: $ => choice(
      $.cohort_statement,
      $.axis_statement,
      $.subset_statement,
      $.tie_statement,
      $.pair_statement,
      $.tuple_statement,
      $.output_statement,
      $.reuse_statement,
    ),

    cohort_statement: $ => seq(
      'cohort',
      field('id', $._value),
      optional(field('note', $.string)),
    ),

    axis_statement: $ => seq('axis', field('name', $.identifier), '=', field('levels', $._levels)),

    subset_statement: $ => seq('subset', field('axis', $.identifier), '=', field('levels', $._levels)),

    tie_statement: $ => seq('tie', field('name', $.identifier), field('axes', $.axis_list)),

    pair_statement: $ => seq(
      'pair',
      field('name', $.identifier),
      field('axes', alias($._two_axes, $.axis_list)),
      optional(field('balance', $.balance)),
      '=',
      field('items', $._items),
    ),

    tuple_statement: $ => seq(
      'tuple',
      field('name', $.identifier),
      field('axes', $.axis_list),
      '=',
      field('items', $._items),
    ),

    output_statement: $ => seq('output', commaSep1(field('field', $.identifier))),

    // `reuse from [cohort-a, "cohort b"]` or `reuse none` (added on another branch of dslc).
    reuse_statement: $ => seq('reuse', choice(
      seq('from', field('cohorts', $.value_list)),
      'none',
    )),

    balance: $ => seq('balance', field('side', choice('left', 'right', 'both'))),

    axis_list: $ => seq('(', commaSep($.identifier), ')'),

    // A pair names exactly two axes; more or fewer is a syntax error in dslc too.
    _two_axes: $ => seq('(', $.identifier, ',', $.identifier, optional(','), ')'),

    _levels: $ => choice($.value_list, $.range, $.file_reference),

    _items: $ => choice($.item_list, $.file_reference),

    value_list: $ => seq('[', commaSep($._value), ']'),

    item_list: $ => seq('[', commaSep($.item), ']'),

    item: $ => seq('(', commaSep(choice($._value, $.item)), ')'),

    range: $ => seq(field('start', $.integer), '..', field('end', $.integer)),

    file_reference: $ => seq('file', '(', field('path', $.string), ')'),

    // A value that looks like a name lexes as an identifier (the grammar's `word` token, for
    // keyword extraction), and a keyword written as a value (`[tuple, pair]`) as the keyword;
    // both are (word) nodes like any other value, each keyword aliased on its own so that no
    // anonymous keyword node is left inside.
    _value: $ => choice(
      $.word,
      alias($.identifier, $.word),
      $.string,
      ...KEYWORDS.map(keyword => alias(keyword, $.word)),
    ),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    word: _ => /[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*/,

    integer: _ => /[0-9]+/,

    // A string stays on one line; only the escapes `\" \\ \n \t` exist.
    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      token.immediate('"'),
    ),

    string_content: _ => token.immediate(prec(1, /[^"\\\r\n]+/)),

    escape_sequence: _ => token.immediate(/\\["\\nt]/),

    comment: _ => token(seq('#', /[^\r\n]*/)),
  },
});
