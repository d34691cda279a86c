//! Tests of the parser: every construct's tree and spans, the syntax errors, and recovery from them.

use dslc_syntax::ast::*;
use dslc_syntax::line_index::LineIndex;
use dslc_syntax::{ParseResult, SyntaxError};

mod common;

/// Every input in this file is also parsed by a `ParseCache`, which must agree exactly.
fn parse(text: &str) -> ParseResult {
    common::parse_checked(text)
}

/// Parses text that must have no errors and returns its statements.
fn statements(text: &str) -> Vec<Statement> {
    let result = parse(text);
    assert!(result.errors.is_empty(), "unexpected errors: {:#?}", result.errors);
    result.file.statements
}

fn only<T>(mut items: Vec<T>) -> T {
    assert_eq!(items.len(), 1, "expected exactly one item");
    items.remove(0)
}

/// Each error as (code, 1-based line, text under the primary span).
fn summary<'a>(text: &'a str, result: &ParseResult) -> Vec<(&'static str, usize, &'a str)> {
    let index = LineIndex::new(text);
    result.errors.iter().map(|e| (e.code.id, index.line(e.span.start) + 1, &text[e.span.clone()])).collect()
}

fn values(list: &ValueList) -> Vec<&str> {
    list.values.iter().map(|v| v.text.as_str()).collect()
}

fn names(names: &[Name]) -> Vec<&str> {
    names.iter().map(|n| n.text.as_str()).collect()
}

/// An item tuple written back as text, e.g. `(a, (b, c))`, to compare shapes compactly.
fn show(item: &ItemTuple) -> String {
    let parts: Vec<String> = item
        .elems
        .iter()
        .map(|e| match e {
            ItemElem::Value(v) => v.text.clone(),
            ItemElem::Tuple(t) => show(t),
        })
        .collect();
    format!("({})", parts.join(", "))
}

fn item_list(items: &Items) -> Vec<String> {
    match items {
        Items::List { items, .. } => items.iter().map(show).collect(),
        Items::File(f) => panic!("expected a list, found file {:?}", f.path),
    }
}

#[test]
fn cohort_with_and_without_note() {
    let text = "cohort prior-art-retest-2025-09 \"Re-evaluating \\\"top\\\" essays\"";
    let Statement::Cohort(c) = only(statements(text)) else { panic!() };
    assert_eq!(c.id.text, "prior-art-retest-2025-09");
    assert_eq!(c.id.kind, ValueKind::Bare);
    assert_eq!(c.id.span, 7..31);
    let note = c.note.expect("a note");
    assert_eq!(note.text, "Re-evaluating \"top\" essays");
    assert_eq!(note.kind, ValueKind::Quoted);
    assert_eq!(&text[note.span], "\"Re-evaluating \\\"top\\\" essays\"");
    assert_eq!(c.span, 0..text.len());

    let Statement::Cohort(c) = only(statements("cohort \"quoted id\"")) else { panic!() };
    assert_eq!((c.id.text.as_str(), c.id.kind, c.note), ("quoted id", ValueKind::Quoted, None));
}

#[test]
fn axis_with_list_range_and_file() {
    let text = "axis draft_llm = [gemini_25_pro, \"deepseek/deepseek-r1:free\", gpt-4.1,]\n\
                axis draft_replicate = 1..2\n\
                axis draft_template = file(\"items/draft_templates.csv\")\n";
    let stmts = statements(text);
    assert_eq!(stmts.len(), 3);

    let Statement::Axis(a) = &stmts[0] else { panic!() };
    assert_eq!(a.name.text, "draft_llm");
    assert_eq!(&text[a.name.span.clone()], "draft_llm");
    let Levels::List(list) = &a.levels else { panic!() };
    assert_eq!(values(list), ["gemini_25_pro", "deepseek/deepseek-r1:free", "gpt-4.1"]);
    assert_eq!(list.values[1].kind, ValueKind::Quoted);
    assert_eq!(&text[list.values[2].span.clone()], "gpt-4.1");
    assert_eq!(&text[list.span.clone()], "[gemini_25_pro, \"deepseek/deepseek-r1:free\", gpt-4.1,]");
    assert_eq!(&text[a.span.clone()], text.lines().next().unwrap());

    let Statement::Axis(a) = &stmts[1] else { panic!() };
    let Levels::Range(r) = &a.levels else { panic!() };
    assert_eq!((r.start, r.end), (1, 2));
    assert_eq!((&text[r.start_span.clone()], &text[r.end_span.clone()], &text[r.span.clone()]), ("1", "2", "1..2"));

    let Statement::Axis(a) = &stmts[2] else { panic!() };
    let Levels::File(f) = &a.levels else { panic!() };
    assert_eq!(f.path, "items/draft_templates.csv");
    assert_eq!(&text[f.path_span.clone()], "\"items/draft_templates.csv\"");
    assert_eq!(&text[f.span.clone()], "file(\"items/draft_templates.csv\")");
}

#[test]
fn empty_list_and_reversed_range_are_not_syntax_errors() {
    let stmts = statements("axis a = []\naxis b = 3..1\nsubset c = [ ]");
    let Statement::Axis(a) = &stmts[0] else { panic!() };
    assert!(matches!(&a.levels, Levels::List(l) if l.values.is_empty()));
    let Statement::Axis(b) = &stmts[1] else { panic!() };
    assert!(matches!(&b.levels, Levels::Range(r) if (r.start, r.end) == (3, 1)));
    assert!(matches!(&stmts[2], Statement::Subset(_)));
}

#[test]
fn subset_and_tie() {
    let text =
        "subset draft_template = [creative-synthesis-v2, gwern_original]\ntie shared_llm (draft_llm, essay_llm,)";
    let stmts = statements(text);
    let Statement::Subset(s) = &stmts[0] else { panic!() };
    assert_eq!(s.axis.text, "draft_template");
    let Levels::List(list) = &s.levels else { panic!() };
    assert_eq!(values(list), ["creative-synthesis-v2", "gwern_original"]);

    let Statement::Tie(t) = &stmts[1] else { panic!() };
    assert_eq!(t.name.text, "shared_llm");
    assert_eq!(names(&t.axes), ["draft_llm", "essay_llm"]);
    assert_eq!(&text[t.axes_span.clone()], "(draft_llm, essay_llm,)");
    assert_eq!(&text[t.axes[1].span.clone()], "essay_llm");
}

#[test]
fn pair_with_balance_and_nested_tuples() {
    let text = "pair draft_essay (draft_template, essay_bundle) balance both = [\n\
                \x20   (creative-synthesis-v2, (essay-theme-v16, gemini_25_pro)),\n\
                \x20   (gwern_original, (essay-theme-v17, sonnet-4)),\n\
                ]";
    let Statement::Pair(p) = only(statements(text)) else { panic!() };
    assert_eq!(
        (p.name.text.as_str(), p.left.text.as_str(), p.right.text.as_str()),
        ("draft_essay", "draft_template", "essay_bundle")
    );
    let (balance, span) = p.balance.clone().expect("a balance");
    assert_eq!((balance, &text[span]), (Balance::Both, "both"));
    assert_eq!(
        item_list(&p.items),
        ["(creative-synthesis-v2, (essay-theme-v16, gemini_25_pro))", "(gwern_original, (essay-theme-v17, sonnet-4))"]
    );
    let Items::List { items, span } = &p.items else { panic!() };
    assert!(text[span.clone()].starts_with('[') && text[span.clone()].ends_with(']'));
    let ItemElem::Tuple(inner) = &items[0].elems[1] else { panic!() };
    assert_eq!(&text[inner.span.clone()], "(essay-theme-v16, gemini_25_pro)");
    assert_eq!(&text[items[1].span.clone()], "(gwern_original, (essay-theme-v17, sonnet-4))");

    for (word, mode) in [("left", Balance::Left), ("right", Balance::Right)] {
        let Statement::Pair(p) = only(statements(&format!("pair p (a, b) balance {word} = file(\"p.csv\")"))) else {
            panic!()
        };
        assert_eq!(p.balance.map(|b| b.0), Some(mode));
        assert!(matches!(p.items, Items::File(ref f) if f.path == "p.csv"));
    }
}

#[test]
fn tuple_with_items_and_file() {
    let text = "tuple essay_bundle (essay_template, essay_llm) = [\n  (essay-theme-v16, gemini_25_pro),\n  (essay-theme-v17, sonnet-4)\n]\n\
                tuple t2 (a, b, c) = file(\"items/t.csv\")";
    let stmts = statements(text);
    let Statement::Tuple(t) = &stmts[0] else { panic!() };
    assert_eq!(t.name.text, "essay_bundle");
    assert_eq!(names(&t.axes), ["essay_template", "essay_llm"]);
    assert_eq!(&text[t.axes_span.clone()], "(essay_template, essay_llm)");
    assert_eq!(item_list(&t.items), ["(essay-theme-v16, gemini_25_pro)", "(essay-theme-v17, sonnet-4)"]);
    let Statement::Tuple(t) = &stmts[1] else { panic!() };
    assert_eq!(names(&t.axes), ["a", "b", "c"]);
    assert!(matches!(&t.items, Items::File(f) if f.path == "items/t.csv"));
}

#[test]
fn output_ends_at_the_next_keyword() {
    let text = "output combo_id, draft_template,\n  draft_llm,\naxis x = [1]\noutput a";
    let stmts = statements(text);
    let Statement::Output(o) = &stmts[0] else { panic!() };
    assert_eq!(names(&o.fields), ["combo_id", "draft_template", "draft_llm"]);
    assert_eq!(&text[o.span.clone()], "output combo_id, draft_template,\n  draft_llm,");
    assert!(matches!(&stmts[1], Statement::Axis(_)));
    assert!(matches!(&stmts[2], Statement::Output(o) if names(&o.fields) == ["a"]));
}

#[test]
fn keywords_are_values_inside_lists_and_tuples() {
    let text = "axis kinds = [tuple, pair, axis, output, cohort, subset, tie]\n\
                tuple t (a, b) = [(tuple, pair), (output, (axis, tie))]\n\
                cohort output";
    let stmts = statements(text);
    let Statement::Axis(a) = &stmts[0] else { panic!() };
    let Levels::List(list) = &a.levels else { panic!() };
    assert_eq!(values(list), ["tuple", "pair", "axis", "output", "cohort", "subset", "tie"]);
    assert!(list.values.iter().all(|v| v.kind == ValueKind::Bare));
    let Statement::Tuple(t) = &stmts[1] else { panic!() };
    assert_eq!(item_list(&t.items), ["(tuple, pair)", "(output, (axis, tie))"]);
    assert!(matches!(&stmts[2], Statement::Cohort(c) if c.id.text == "output"));
}

#[test]
fn keywords_in_a_multi_line_list_do_not_end_it() {
    let text = "axis kinds = [\n  tuple,\n  pair,\n  output\n]\naxis b = [x]";
    let stmts = statements(text);
    let Statement::Axis(a) = &stmts[0] else { panic!() };
    let Levels::List(list) = &a.levels else { panic!() };
    assert_eq!(values(list), ["tuple", "pair", "output"]);
    assert_eq!(stmts.len(), 2);
}

#[test]
fn contextual_words_are_names_and_values() {
    let text = "axis file = [left, right, both, balance, file]\npair left (file, right) balance left = [(file, left)]";
    let stmts = statements(text);
    let Statement::Axis(a) = &stmts[0] else { panic!() };
    assert_eq!(a.name.text, "file");
    let Levels::List(list) = &a.levels else { panic!() };
    assert_eq!(values(list), ["left", "right", "both", "balance", "file"]);
    let Statement::Pair(p) = &stmts[1] else { panic!() };
    assert_eq!((p.name.text.as_str(), p.left.text.as_str()), ("left", "file"));
    assert_eq!(item_list(&p.items), ["(file, left)"]);
}

#[test]
fn comments_are_returned_and_ignored() {
    let text = "# header\naxis a = [x, # first\n  y] # end\n";
    let result = parse(text);
    assert!(result.errors.is_empty());
    assert_eq!(result.file.statements.len(), 1);
    let comments: Vec<&str> = result.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(comments, [" header", " first", " end"]);
    assert_eq!(&text[result.comments[1].span.clone()], "# first");
}

#[test]
fn contract_example_parses_cleanly() {
    let text = r#"cohort prior-art-retest-2025-09 "Re-evaluating top essays against current evaluators"

axis combo_id            = [combo_v1_a, combo_v1_b]
axis draft_template      = file("items/draft_templates.csv")
axis draft_llm           = [gemini_25_pro, "deepseek/deepseek-r1:free"]
axis draft_replicate     = 1..2
axis evaluation_template = [creativity-metrics-v2, daydreaming-verification-v3]
axis evaluation_llm      = [sonnet-4, gemini_25_pro]

subset draft_template = [creative-synthesis-v2, gwern_original]
tuple essay_bundle (essay_template, essay_llm) = [
    (essay-theme-v16, gemini_25_pro),
    (essay-theme-v17, sonnet-4),
]
pair draft_essay (draft_template, essay_bundle) = [
    (creative-synthesis-v2, (essay-theme-v16, gemini_25_pro)),
    (gwern_original, (essay-theme-v17, sonnet-4)),
]
pair evaluation_bundle (evaluation_template, evaluation_llm) balance left = file("items/evaluation_pairs.csv")

output combo_id, draft_template, draft_llm, draft_replicate, essay_template, essay_llm
"#;
    let stmts = statements(text);
    assert_eq!(stmts.len(), 12);
    for s in &stmts {
        let span = s.span();
        let kw = text[span].split_whitespace().next().unwrap();
        assert!(["cohort", "axis", "subset", "tuple", "pair", "output"].contains(&kw));
    }
}

/// The example from the brief: line 4 misses `=`, line 7 never closes a tuple.
const TWO_ERRORS: &str = "cohort recovery-demo \"two broken statements\"\n\
axis draft_llm = [gpt-4.1, sonnet-4]\n\
axis b = [p, q]\n\
axis a [x, y]\n\
subset draft_llm = [gpt-4.1]\n\
# the next tuple is never closed\n\
tuple t (a, b) = [(x, y]\n\
pair pp (draft_llm, b) = [(gpt-4.1, p)]\n\
output draft_llm, b\n";

#[test]
fn recovery_reports_both_errors_and_keeps_the_other_statements() {
    let result = parse(TWO_ERRORS);
    assert_eq!(summary(TWO_ERRORS, &result), [("E0010", 4, "["), ("E0011", 7, "(")]);

    let missing_eq = &result.errors[0];
    assert_eq!(missing_eq.message, "expected `=`, found `[`");
    assert_eq!(missing_eq.label, "expected `=`");

    let unclosed = &result.errors[1];
    assert_eq!(unclosed.message, "unclosed `(`");
    assert_eq!(unclosed.label, "this `(` is never closed");
    let [(at, label)] = &unclosed.secondary[..] else { panic!("{:?}", unclosed.secondary) };
    assert_eq!(&TWO_ERRORS[at.clone()], "]");
    assert_eq!(label, "expected `)` before this `]`");

    let kinds: Vec<String> = result
        .file
        .statements
        .iter()
        .map(|s| TWO_ERRORS[s.span()].split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect();
    // The broken axis is dropped; the repaired tuple is kept.
    assert_eq!(
        kinds,
        [
            "cohort recovery-demo",
            "axis draft_llm",
            "axis b",
            "subset draft_llm",
            "tuple t",
            "pair pp",
            "output draft_llm,"
        ]
    );
    let Statement::Tuple(t) = &result.file.statements[4] else { panic!() };
    assert_eq!(item_list(&t.items), ["(x, y)"]);
}

/// Renders errors one per line for the snapshot: position, code, message, labels and help.
fn render(text: &str, errors: &[SyntaxError]) -> String {
    let index = LineIndex::new(text);
    let at = |offset: usize| {
        let (line, col) = index.line_col(text, offset);
        format!("{}:{}", line + 1, col + 1)
    };
    let mut out = String::new();
    for e in errors {
        out.push_str(&format!("{} {} at {}: {}\n", e.code.severity.as_str(), e.code.id, at(e.span.start), e.message));
        out.push_str(&format!("    label: {}\n", e.label));
        for (span, label) in &e.secondary {
            out.push_str(&format!("    at {}: {}\n", at(span.start), label));
        }
        if let Some(help) = &e.help {
            out.push_str(&format!("    help: {help}\n"));
        }
    }
    out
}

#[test]
fn snapshot_of_the_multi_error_file() {
    insta::assert_snapshot!(render(TWO_ERRORS, &parse(TWO_ERRORS).errors));
}

#[test]
fn bad_elements_are_skipped_and_each_reported() {
    let text = "axis a = [x y, z, w v, q]\ntuple t (a, b) = [(1, 2), (3 4), 5, (6, 7), (8, [9])]";
    let result = parse(text);
    assert_eq!(
        summary(text, &result),
        [("E0010", 1, "y"), ("E0010", 1, "v"), ("E0010", 2, "4"), ("E0010", 2, "5"), ("E0010", 2, "[")]
    );
    assert_eq!(result.errors[0].message, "expected `,` or `]`, found `y`");
    assert_eq!(result.errors[0].help.as_deref(), Some("separate the elements with commas"));
    assert_eq!(result.errors[3].message, "expected a tuple `(…)`, found `5`");
    let Statement::Axis(a) = &result.file.statements[0] else { panic!() };
    let Levels::List(list) = &a.levels else { panic!() };
    assert_eq!(values(list), ["z", "q"]);
    let Statement::Tuple(t) = &result.file.statements[1] else { panic!() };
    assert_eq!(item_list(&t.items), ["(1, 2)", "(6, 7)"]);
}

#[test]
fn extra_comma_is_reported_once() {
    let text = "axis a = [x, , y]";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, ",")]);
    assert_eq!(result.errors[0].message, "expected a value, found `,`");
    assert_eq!(result.errors[0].help.as_deref(), Some("remove the extra `,`"));
    let Statement::Axis(a) = &result.file.statements[0] else { panic!() };
    assert!(matches!(&a.levels, Levels::List(l) if values(l) == ["x", "y"]));
}

#[test]
fn unclosed_list_ends_at_a_statement_on_the_next_line() {
    let text = "axis a = [x,\n  y\naxis b = [z]\n";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0011", 1, "[")]);
    let e = &result.errors[0];
    assert_eq!(e.secondary, [(16..16, "expected `]` here".to_string())]);
    assert_eq!(result.file.statements.len(), 2, "the repaired axis and the next one");
}

#[test]
fn unclosed_brackets_at_the_end_are_one_error() {
    let text = "tuple t (a, b) = [(x, (y, z";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0011", 1, "(")]);
    let e = &result.errors[0];
    assert_eq!(e.span, 22..23, "the innermost bracket");
    assert_eq!(e.secondary.len(), 3);
    assert_eq!(e.help.as_deref(), Some("3 brackets are open here; close them with `))]`"));
    assert_eq!(result.file.statements.len(), 1);
}

#[test]
fn mismatched_and_stray_closers() {
    let text = "axis a = [x)\naxis b = [y]]\n] axis c = [z]";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0011", 1, "["), ("E0010", 2, "]"), ("E0010", 3, "]")]);
    assert_eq!(result.errors[0].secondary[0].1, "expected `]`, found `)`");
    assert_eq!(result.errors[1].message, "unexpected closing `]`");
    let kept: Vec<&str> = result
        .file
        .statements
        .iter()
        .map(|s| match s {
            Statement::Axis(a) => a.name.text.as_str(),
            _ => "?",
        })
        .collect();
    assert_eq!(kept, ["a", "b", "c"]);
}

#[test]
fn junk_before_the_first_statement_and_misspelt_keywords() {
    let text = "foo bar\naxis b = [y]\naxs c = [z]\naxis d = [w]";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, "foo"), ("E0010", 3, "axs")]);
    assert_eq!(result.errors[0].message, "expected a statement, found `foo`");
    assert!(result.errors[0].help.as_deref().unwrap().starts_with("a statement starts with"));
    // The misspelt statement is skipped up to the next keyword; the one before it is kept.
    assert_eq!(result.errors[1].message, "expected the end of the statement, found `axs`");
    assert_eq!(result.errors[1].help.as_deref(), Some("did you mean `axis`?"));
    assert_eq!(result.file.statements.len(), 2);

    let result = parse("axes a = [x]\naxis b = [y]");
    assert_eq!(result.errors.len(), 1);
    assert_eq!(result.errors[0].message, "expected a statement, found `axes`");
    assert_eq!(result.errors[0].help.as_deref(), Some("did you mean `axis`?"));
    assert_eq!(result.file.statements.len(), 1);
}

#[test]
fn incomplete_statements_point_at_their_end() {
    let text = "axis a\naxis b =\ntie t\ncohort";
    let result = parse(text);
    let messages: Vec<(&str, &str)> = result.errors.iter().map(|e| (e.code.id, e.message.as_str())).collect();
    assert_eq!(
        messages,
        [
            ("E0010", "expected `=`, found end of statement"),
            ("E0010", "expected a list `[…]`, a range `A..B` or `file(\"…\")`, found end of statement"),
            ("E0010", "expected a list of axes `(…)`, found end of statement"),
            ("E0010", "expected a value, found end of file"),
        ]
    );
    // Zero-width spans just after the last token of each statement.
    let spans: Vec<_> = result.errors.iter().map(|e| e.span.clone()).collect();
    assert_eq!(spans, [6..6, 15..15, 21..21, 28..28]);
    assert!(result.errors[0].help.as_deref().unwrap().contains("axis NAME = [a, b]"));
}

#[test]
fn trailing_tokens_are_reported_and_the_statement_kept() {
    let text = "output a, b c\naxis x = [1] extra";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, "c"), ("E0010", 2, "extra")]);
    assert_eq!(result.errors[0].message, "expected `,` or the end of the statement, found `c`");
    assert_eq!(result.file.statements.len(), 2);
}

#[test]
fn single_bare_level_is_read_as_a_list_and_reported() {
    let text = "axis a = x\naxis b = [y]";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, "x")]);
    assert_eq!(result.errors[0].help.as_deref(), Some("write `[x]`"));
    assert_eq!(result.file.statements.len(), 2);
}

#[test]
fn e0012_value_where_a_name_is_expected() {
    let text = "axis gpt-4.1 = [x]\ntuple t (a, 2nd) = [(x, y)]\noutput a, \"b c\"";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0012", 1, "gpt-4.1"), ("E0012", 2, "2nd"), ("E0012", 3, "\"b c\"")]);
    assert_eq!(result.errors[0].message, "expected a name, found value `gpt-4.1`");
    assert_eq!(
        result.errors[0].help.as_deref(),
        Some("a name is a letter or `_` followed by letters, digits or `_`; try `gpt_4_1`")
    );
    assert!(result.errors[1].help.as_deref().unwrap().ends_with("try `_2nd`"));
    assert_eq!(result.errors[2].label, "a name cannot be quoted");
    // The statements stay in the tree, so later checks still see the names.
    assert_eq!(result.file.statements.len(), 3);
}

#[test]
fn quoted_strings_are_not_names_even_when_their_text_would_be() {
    let text = "axis \"a\" = [1]\npair \"p\" (a, \"b\") = [(1, 2)]\noutput \"a\"";
    let result = parse(text);
    assert_eq!(
        summary(text, &result),
        [("E0012", 1, "\"a\""), ("E0012", 2, "\"p\""), ("E0012", 2, "\"b\""), ("E0012", 3, "\"a\"")]
    );
    assert!(result.errors.iter().all(|e| e.label == "a name cannot be quoted"));
}

#[test]
fn keyword_as_a_name_is_a_syntax_error() {
    let text = "axis tuple = [x]\ntie t (axis, b)";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, "tuple"), ("E0010", 2, "axis")]);
    assert_eq!(result.errors[0].message, "expected a name, found keyword `tuple`");
    assert_eq!(result.file.statements.len(), 2);
}

#[test]
fn e0013_range_bounds_must_be_integers() {
    let text = "axis a = 1..x\naxis b = 1.5..3\naxis c = 1..99999999999999999999\naxis d = -1..2";
    let result = parse(text);
    assert_eq!(
        summary(text, &result),
        [("E0013", 1, "x"), ("E0013", 2, "1.5"), ("E0013", 3, "99999999999999999999"), ("E0001", 4, "-")]
    );
    assert_eq!(result.errors[0].message, "`x` is not an integer");
    assert_eq!(result.errors[2].message, "`99999999999999999999` is too large for a range bound");
    let Statement::Axis(a) = &result.file.statements[0] else { panic!() };
    assert!(matches!(&a.levels, Levels::Range(r) if r.start == 1));
    // `-1` glues the stray `-` to the word and parses as an integer after the E0001.
    let Statement::Axis(d) = &result.file.statements[3] else { panic!() };
    assert!(matches!(&d.levels, Levels::Range(r) if (r.start, r.end) == (-1, 2)));
}

#[test]
fn pair_needs_exactly_two_axes_and_a_known_balance() {
    let text = "pair p (a, b, c) = [(x, y, z)]\npair q (a, b) balance lft = [(x, y)]\npair r (a, b) = [(x, y)]";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, "(a, b, c)"), ("E0010", 2, "lft")]);
    assert_eq!(result.errors[0].message, "a pair names exactly two axes, found 3");
    assert_eq!(result.errors[1].message, "expected `left`, `right` or `both`, found `lft`");
    assert_eq!(result.file.statements.len(), 1);
}

#[test]
fn file_reference_needs_a_string() {
    let text = "axis a = file(items.csv)";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0010", 1, "items.csv")]);
    assert_eq!(result.errors[0].message, "expected a string, found `items.csv`");
}

#[test]
fn an_unterminated_string_is_one_error() {
    let text = "axis a = [\"x, y]\naxis b = [q]\n";
    let result = parse(text);
    assert_eq!(summary(text, &result), [("E0002", 1, "\"x, y]")]);
    assert_eq!(result.file.statements.len(), 2);
}

#[test]
fn lexical_errors_come_with_syntax_errors_in_order() {
    let text = "axis a = [x@, \"\\q\"]\naxis b [y]\n\u{1A}";
    let result = parse(text);
    assert_eq!(
        summary(text, &result),
        [("E0001", 1, "@"), ("E0004", 1, "\\q"), ("E0010", 2, "["), ("E0003", 3, "\u{1A}")]
    );
}

#[test]
fn reuse_from_a_list_and_reuse_none() {
    let text = "reuse from [pilot-2026-01, \"cohort b\",]\nreuse none\n";
    let statements = statements(text);
    let [Statement::Reuse(from), Statement::Reuse(none)] = &statements[..] else { panic!("{statements:#?}") };
    let ReuseSources::From(list) = &from.sources else { panic!("{from:#?}") };
    assert_eq!(values(list), ["pilot-2026-01", "cohort b"]);
    assert_eq!(&text[list.values[1].span.clone()], "\"cohort b\"");
    assert_eq!(&text[from.span.clone()], "reuse from [pilot-2026-01, \"cohort b\",]");
    assert!(matches!(&none.sources, ReuseSources::None(span) if &text[span.clone()] == "none"));
}

#[test]
fn malformed_reuse_statements_have_their_codes_and_the_next_statement_survives() {
    let text = "reuse\naxis a = [x]\nreuse from\nreuse all\nreuse from []\nreuse from pilot\nreuse none extra\n";
    let result = parse(text);
    assert_eq!(
        summary(text, &result),
        [
            ("E0014", 1, ""),
            ("E0014", 3, ""),
            ("E0014", 4, "all"),
            ("E0015", 5, "[]"),
            ("E0016", 6, "pilot"),
            ("E0014", 7, "extra"),
        ]
    );
    // The axis, the empty list, the bare cohort (read as a list) and `reuse none` are kept.
    let kinds: Vec<&str> = result
        .file
        .statements
        .iter()
        .map(|s| match s {
            Statement::Axis(_) => "axis",
            Statement::Reuse(r) => match &r.sources {
                ReuseSources::None(_) => "none",
                ReuseSources::From(list) if list.values.is_empty() => "from []",
                ReuseSources::From(_) => "from",
            },
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["axis", "from []", "from", "none"]);
    let help = result.errors[0].help.as_deref().unwrap_or_default();
    assert!(help.contains("reuse from [COHORT, …]") && help.contains("reuse none"), "{help}");
}

#[test]
fn reuse_is_a_keyword_but_a_value_inside_lists() {
    let statements = statements("axis combo_id = [reuse, none, from]\n");
    let Statement::Axis(axis) = &statements[0] else { panic!() };
    let Levels::List(list) = &axis.levels else { panic!() };
    assert_eq!(values(list), ["reuse", "none", "from"]);
}
