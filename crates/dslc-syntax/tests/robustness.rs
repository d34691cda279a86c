//! Robustness tests: odd, huge, deeply nested and pseudo-random inputs never panic or hang, and every span is valid.

use dslc_syntax::ast::*;
use dslc_syntax::{ParseResult, Span};

mod common;

use common::XorShift;

/// Every input in this file is also parsed by a `ParseCache`, which must agree exactly.
fn parse(text: &str) -> ParseResult {
    common::parse_checked(text)
}

/// Parses `text` and checks the invariants every result must hold.
fn check(text: &str) -> ParseResult {
    let result = parse(text);
    let valid = |span: &Span| span.start <= span.end && text.get(span.clone()).is_some();
    let syntax_codes =
        ["E0001", "E0002", "E0003", "E0004", "E0010", "E0011", "E0012", "E0013", "E0014", "E0015", "E0016"];
    for e in &result.errors {
        assert!(valid(&e.span), "bad error span {:?} in {text:?}: {e:?}", e.span);
        assert!(e.secondary.iter().all(|(s, _)| valid(s)), "bad secondary span in {text:?}: {e:?}");
        assert!(syntax_codes.contains(&e.code.id), "unexpected code in {text:?}: {e:?}");
        assert!(!e.message.is_empty() && !e.label.is_empty(), "empty text in {e:?}");
    }
    assert!(result.errors.windows(2).all(|w| w[0].span.start <= w[1].span.start), "errors out of order");
    let mut seen = std::collections::HashSet::new();
    for e in &result.errors {
        assert!(seen.insert((e.code.id, e.span.start, e.span.end)), "duplicate error in {text:?}: {e:?}");
    }
    let mut last_end = 0;
    for s in &result.file.statements {
        let span = s.span();
        assert!(valid(&span) && span.start >= last_end, "bad statement span {span:?} in {text:?}");
        last_end = span.end;
        for span in inner_spans(s) {
            assert!(valid(&span), "bad inner span {span:?} in {text:?}");
        }
    }
    for c in &result.comments {
        assert!(valid(&c.span) && text[c.span.clone()].starts_with('#'));
    }
    result
}

/// The spans of every name and value in a statement.
fn inner_spans(s: &Statement) -> Vec<Span> {
    fn levels(l: &Levels, out: &mut Vec<Span>) {
        out.push(l.span());
        match l {
            Levels::List(list) => out.extend(list.values.iter().map(|v| v.span.clone())),
            Levels::Range(r) => out.extend([r.start_span.clone(), r.end_span.clone()]),
            Levels::File(f) => out.push(f.path_span.clone()),
        }
    }
    fn tuple(t: &ItemTuple, out: &mut Vec<Span>) {
        out.push(t.span.clone());
        for e in &t.elems {
            match e {
                ItemElem::Value(v) => out.push(v.span.clone()),
                ItemElem::Tuple(t) => tuple(t, out),
            }
        }
    }
    fn items(i: &Items, out: &mut Vec<Span>) {
        out.push(i.span());
        if let Items::List { items, .. } = i {
            items.iter().for_each(|t| tuple(t, out));
        }
    }
    let mut out = Vec::new();
    match s {
        Statement::Cohort(c) => {
            out.extend(std::iter::once(c.id.span.clone()).chain(c.note.iter().map(|n| n.span.clone())))
        }
        Statement::Axis(a) => {
            out.push(a.name.span.clone());
            levels(&a.levels, &mut out);
        }
        Statement::Subset(a) => {
            out.push(a.axis.span.clone());
            levels(&a.levels, &mut out);
        }
        Statement::Tie(t) => {
            out.extend(t.axes.iter().map(|n| n.span.clone()).chain([t.name.span.clone(), t.axes_span.clone()]))
        }
        Statement::Pair(p) => {
            out.extend([p.name.span.clone(), p.left.span.clone(), p.right.span.clone()]);
            out.extend(p.balance.iter().map(|b| b.1.clone()));
            items(&p.items, &mut out);
        }
        Statement::Tuple(t) => {
            out.extend(t.axes.iter().map(|n| n.span.clone()).chain([t.name.span.clone(), t.axes_span.clone()]));
            items(&t.items, &mut out);
        }
        Statement::Output(o) => out.extend(o.fields.iter().map(|n| n.span.clone())),
        Statement::Reuse(r) => match &r.sources {
            ReuseSources::None(span) => out.push(span.clone()),
            ReuseSources::From(list) => {
                out.push(list.span.clone());
                out.extend(list.values.iter().map(|v| v.span.clone()));
            }
        },
    }
    out
}

const VALID: &str = r#"cohort prior-art-retest "note with \"quotes\""
reuse from [pilot-2026-01, "cohort b"]
# Axes.
axis combo_id = [combo_v1_a, combo_v1_b]
axis draft_template = file("items/draft_templates.csv")
axis draft_llm = [gemini_25_pro, "deepseek/deepseek-r1:free", gpt-4.1]
axis draft_replicate = 1..2
subset draft_template = [creative-synthesis-v2, gwern_original]
tie shared (draft_llm, essay_llm)
tuple essay_bundle (essay_template, essay_llm) = [
    (essay-theme-v16, gemini_25_pro),
    (essay-theme-v17, sonnet-4),
]
pair draft_essay (draft_template, essay_bundle) balance left = [
    (creative-synthesis-v2, (essay-theme-v16, gemini_25_pro)),
    (gwern_original, (essay-theme-v17, sonnet-4)),
]
output combo_id, draft_template, draft_llm,
"#;

#[test]
fn the_valid_base_spec_is_valid() {
    let result = check(VALID);
    assert!(result.errors.is_empty(), "{:#?}", result.errors);
    assert_eq!(result.file.statements.len(), 11);
}

#[test]
fn empty_blank_and_comment_only_inputs() {
    for text in ["", "\n", "   \t\r\n", "# just a comment", "# a\n# b\n\n# c\n", "\u{FEFF}# bom"] {
        let result = check(text);
        assert!(result.errors.is_empty() && result.file.statements.is_empty(), "{text:?}");
    }
}

#[test]
fn nesting_up_to_the_limit_parses_and_deeper_is_an_error() {
    // The list bracket counts, so 63 tuples inside it reach the limit of 64.
    let deep = |n: usize| format!("tuple t (a, b) = [{}x{}]", "(".repeat(n), ")".repeat(n));
    let ok = check(&deep(63));
    assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    assert_eq!(ok.file.statements.len(), 1);

    let too_deep = check(&deep(64));
    assert_eq!(too_deep.errors.len(), 1);
    assert_eq!(too_deep.errors[0].message, "brackets nested more than 64 levels deep");
    assert!(too_deep.file.statements.is_empty());
}

#[test]
fn huge_unclosed_nesting_is_bounded() {
    let text = format!("axis a = [x]\ntuple t (a, b) = [{}x\naxis b = [y]", "(".repeat(100_000));
    let result = check(&text);
    let codes: Vec<&str> = result.errors.iter().map(|e| e.code.id).collect();
    assert_eq!(codes, ["E0010", "E0011"]);
    assert_eq!(result.file.statements.len(), 2);
    // A flood of closers or commas is one error per statement too.
    let result = check(&format!("axis a = [x{}\naxis b = [{}]", "]".repeat(50_000), ",".repeat(50_000)));
    assert!(result.errors.len() <= 3, "{:?}", &result.errors[..3.min(result.errors.len())]);
}

#[test]
fn long_inputs_parse() {
    let mut text = String::new();
    for i in 0..2_000 {
        text.push_str(&format!(
            "axis a{i} = [x, \"y z\", gpt-4.1] # c\ntuple t{i} (p{i}, q{i}) = [(a, (b, c)), (d, e)]\n"
        ));
    }
    let values: Vec<String> = (0..20_000).map(|i| format!("v{i}")).collect();
    text.push_str(&format!("axis long = [{}]\n", values.join(", ")));
    let result = check(&text);
    assert!(result.errors.is_empty());
    assert_eq!(result.file.statements.len(), 4_001);

    // Every line broken: one error each, nothing lost between them.
    let broken = "axis a [x]\naxis b = [y]\n".repeat(2_000);
    let result = check(&broken);
    assert_eq!(result.errors.len(), 2_000);
    assert_eq!(result.file.statements.len(), 2_000);
}

#[test]
fn pseudo_random_token_soups_never_panic() {
    const PIECES: &[&str] = &[
        "cohort",
        "axis",
        "subset",
        "tie",
        "pair",
        "tuple",
        "output",
        "file",
        "balance",
        "left",
        "right",
        "both",
        "x",
        "gpt-4.1",
        "a_b",
        "1",
        "2",
        "10",
        "1.5",
        "99999999999999999999",
        "\"s\"",
        "\"a\\qb\"",
        "\"open",
        "\"\\",
        "=",
        "=",
        ",",
        ",",
        "(",
        ")",
        "[",
        "]",
        "(",
        ")",
        "[",
        "]",
        "..",
        "# c\n",
        "\n",
        "\n",
        "@",
        "é",
        "\u{1A}",
        "\\",
        "-",
        ".",
        "\t",
        "\r\n",
        "\"\"",
        "file(\"f.csv\")",
    ];
    const SEPARATORS: &[&str] = &[" ", " ", "", "\n"];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..2_500 {
        let len = rng.below(40);
        let mut text = String::new();
        for _ in 0..len {
            text.push_str(rng.pick(PIECES));
            text.push_str(rng.pick(SEPARATORS));
        }
        check(&text);
    }
}

#[test]
fn pseudo_random_mutations_of_a_valid_spec_never_panic() {
    const INSERTS: &[&str] = &[
        "\"", "(", ")", "[", "]", ",", "=", "..", "\n", "#", "\\", "é", "\u{1A}", "axis ", "tuple ", "output", " ",
        "x", "1", "-", "@", "file(", "\r",
    ];
    let base: Vec<char> = VALID.chars().collect();
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for _ in 0..1_500 {
        let mut chars = base.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(chars.len() + 1);
            match rng.below(4) {
                0 => {
                    let end = (at + 1 + rng.below(8)).min(chars.len());
                    chars.drain(at.min(end)..end);
                }
                1 => {
                    let piece: Vec<char> = rng.pick(INSERTS).chars().collect();
                    chars.splice(at..at, piece);
                }
                2 => {
                    let end = (at + rng.below(30)).min(chars.len());
                    let copy: Vec<char> = chars[at.min(end)..end].to_vec();
                    let to = rng.below(chars.len() + 1);
                    chars.splice(to..to, copy);
                }
                _ => {
                    if at < chars.len() {
                        chars[at] = rng.pick(INSERTS).chars().next().unwrap_or(' ');
                    }
                }
            }
        }
        let text: String = chars.into_iter().collect();
        check(&text);
    }
}
