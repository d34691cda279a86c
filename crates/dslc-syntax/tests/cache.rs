//! Tests of `ParseCache`: after any sequence of edits it gives exactly what `parse` gives, it
//! re-parses only the statements an edit touched, and it does not grow as the text changes.

use dslc_syntax::lexer::lex;
use dslc_syntax::{parse, ParseCache};

mod common;

use common::XorShift;

const VALID: &str = r#"cohort prior-art-retest "note with \"quotes\""
# Axes.
axis combo_id = [combo_v1_a, combo_v1_b]
axis draft_template = file("items/draft_templates.csv")
axis draft_llm = [gemini_25_pro, "deepseek/deepseek-r1:free", gpt-4.1]
axis draft_replicate = 1..2
axis essay_llm = [
    sonnet-4, gemini_25_pro, # the usual two
    gpt-4.1,
]
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
axis evaluation_llm = [sonnet-4]
output combo_id, draft_template, draft_llm,
"#;

/// Broken starting points: unclosed and mismatched brackets, unterminated strings, stray
/// characters, junk before the first statement, missing parts and a file without a final newline.
const BROKEN: &[&str] = &[
    "axis a = [x, y\naxis b = [(p, q]\ntuple t (a, b) = [(x, y), (z\noutput a, b",
    "cohort c \"unterminated note\naxis a = [\"open, b]\naxis b = [x]\npair p (a, b) = [(x, \"y)]\n",
    "axis a = [x@y, é, \u{1A}z]\naxis b = [x]]\n]]]\nsubset a = [x, , y]\ntie t (a b)\n",
    "junk before = [1]\naxes a = [x]\naxis a [x]\naxis b = 3..x\naxis c = 99999999999999999999..1\noutput",
    "pair p (a, b, c) balance sideways = [(x, y)]\ntuple t (a, b) = [(x, (y, z)), (, ), ((]\naxis z = q",
    "axis a = [x, \"a\\qb\", y]\naxis b = [\naxis c = [x]\naxis d = (x]\ntie t (a, b",
];

/// Pieces inserted by the random edits: statement keywords (which split statements), brackets,
/// quotes, separators, line breaks (which move keywords to or from the start of a line), stray
/// and invalid characters, and whole statements.
const PIECES: &[&str] = &[
    "axis ",
    "tuple ",
    "output ",
    "pair ",
    "tie ",
    "subset ",
    "cohort ",
    "axis z = [q]\n",
    "output a\n",
    "file(",
    "\"",
    "\"x\"",
    "(",
    ")",
    "[",
    "]",
    "(",
    ")",
    "[",
    "]",
    ",",
    ",",
    "=",
    "..",
    "1",
    "x",
    "-",
    ".",
    " ",
    " ",
    "\n",
    "\n",
    "\r\n",
    "\t",
    "#",
    "# c\n",
    "\\",
    "@",
    "é",
    "\u{1A}",
    "balance ",
    "left",
];

/// Statement chunks (parsed by chumsky, reused) in the cache's latest parse.
fn counts(cache: &ParseCache) -> (usize, usize) {
    let stats = cache.last_parse_stats();
    (stats.parsed, stats.reused)
}

/// A byte offset in `text` moved back to a character boundary.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The byte range of the line holding `at`, its line break included.
fn line_at(text: &str, at: usize) -> std::ops::Range<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    start..end
}

/// One small random edit: a character or a piece inserted, deleted or replaced, a line deleted,
/// duplicated or joined to the next, or an edit at the end of the file.
fn edit(text: &mut String, rng: &mut XorShift) {
    let at = boundary(text, rng.below(text.len() + 1));
    let next_char = |text: &str, at: usize| text[at..].chars().next().map_or(0, char::len_utf8);
    match rng.below(10) {
        0 | 1 => text.insert_str(at, rng.pick(PIECES)),
        2 => {
            let len = next_char(text, at);
            text.replace_range(at..at + len, "");
        }
        3 => {
            let len = next_char(text, at);
            let piece = rng.pick(PIECES);
            text.replace_range(at..at + len, piece);
        }
        4 => {
            // Delete a few characters, possibly across a line break.
            let end = boundary(text, at + 1 + rng.below(6));
            text.replace_range(at..end, "");
        }
        5 => {
            let line = line_at(text, at);
            text.replace_range(line, "");
        }
        6 => {
            let line = line_at(text, at);
            let copy = text[line.clone()].to_string();
            text.insert_str(line.start, &copy);
        }
        7 => {
            // Join the line with the next: statements merge, or a list's keyword leaves the line start.
            if let Some(i) = text[at..].find('\n') {
                text.replace_range(at + i..at + i + 1, " ");
            }
        }
        8 => {
            // Split a line: a keyword may now start a line, or a string is cut short.
            text.insert(at, '\n');
        }
        _ => {
            // At the end of the file: append a piece, or cut the last few characters.
            if rng.below(2) == 0 {
                let piece = rng.pick(PIECES);
                text.push_str(piece);
            } else {
                let cut = boundary(text, text.len().saturating_sub(1 + rng.below(4)));
                text.truncate(cut);
            }
        }
    }
}

/// Applies `edits` random edits to `base`, starting again from `base` every so often, and checks
/// after each one that the cache agrees with a fresh parse.
fn random_edits(base: &str, seed: u64, edits: usize) {
    let mut rng = XorShift(seed);
    let mut cache = ParseCache::default();
    let mut text = base.to_string();
    assert_eq!(cache.parse(&text), parse(&text));
    for round in 0..edits {
        if round % 150 == 149 || text.len() > 3 * base.len() {
            text = base.to_string();
        }
        edit(&mut text, &mut rng);
        assert_eq!(cache.parse(&text), parse(&text), "edit {round} from seed {seed:#x}: {text:?}");
        // Only the statements of the latest parse are kept.
        let stats = cache.last_parse_stats();
        assert!(cache.len() <= stats.parsed + stats.reused, "the cache grew: {} entries, {stats:?}", cache.len());
    }
}

#[test]
fn random_edits_of_a_valid_spec_match_a_fresh_parse() {
    random_edits(VALID, 0x9E37_79B9_7F4A_7C15, 3_000);
}

#[test]
fn random_edits_of_broken_specs_match_a_fresh_parse() {
    for (i, base) in BROKEN.iter().enumerate() {
        random_edits(base, 0x2545_F491_4F6C_DD1D ^ (i as u64 + 1), 800);
    }
}

#[test]
fn random_edits_of_a_long_spec_match_a_fresh_parse() {
    // Many statements, so that most of them are reused after each edit.
    let mut base = String::new();
    for i in 0..40 {
        base.push_str(&format!(
            "axis a{i} = [x{i}, \"y z\", gpt-4.1] # c\ntuple t{i} (p, q) = [(a, (b, c)), (d, e)]\n"
        ));
    }
    random_edits(&base, 0xDEAD_BEEF_CAFE_F00D, 1_500);
}

#[test]
fn every_prefix_and_suffix_matches_a_fresh_parse() {
    // Typing the file from the start, then deleting it from the front: every edit is at an end.
    let mut cache = ParseCache::default();
    let cuts: Vec<usize> = (0..=VALID.len()).filter(|&i| VALID.is_char_boundary(i)).collect();
    for &end in &cuts {
        let text = &VALID[..end];
        assert_eq!(cache.parse(text), parse(text), "prefix {text:?}");
    }
    for &start in &cuts {
        let text = &VALID[start..];
        assert_eq!(cache.parse(text), parse(text), "suffix {text:?}");
    }
}

/// A spec of `n` multi-line axes, like the benchmark's generated one but smaller.
fn generated(n: usize) -> String {
    let mut spec = String::from("cohort big \"generated\"\n");
    for axis in 0..n {
        spec.push_str(&format!("axis factor_{axis:02} = [\n"));
        for line in 0..20 {
            spec.push_str(&format!("    level-{axis}-{line}a, level-{axis}-{line}b,\n"));
        }
        spec.push_str("]\n");
    }
    spec.push_str("output factor_00\n");
    spec
}

#[test]
fn a_one_line_edit_reparses_one_statement() {
    let text = generated(60);
    let statements = 62;
    let mut cache = ParseCache::default();
    assert_eq!(cache.parse(&text), parse(&text));
    assert_eq!(counts(&cache), (statements, 0));

    for round in 0..5 {
        // A value added to the list: more tokens, so the statement goes through chumsky again.
        let added = ", added".repeat(round + 1);
        let edited = text.replacen("level-7-10a,", &format!("level-7-10a{added},"), 1);
        assert_ne!(edited, text);
        assert_eq!(cache.parse(&edited), parse(&edited));
        assert_eq!(counts(&cache), (1, statements - 1));
        assert_eq!(cache.len(), statements);
        // Only the lines around the edit were lexed again.
        let lexed = cache.last_parse_stats().lexed;
        assert!(lexed < text.len() / 5, "lexed {lexed} of {} bytes", text.len());
    }

    // An edit that breaks a statement still re-parses only it, errors included. (Both the
    // statement edited last and this one differ from the previous parse.)
    let broken = text.replacen("level-12-3a,", "level-12-3a (,", 1);
    let result = cache.parse(&broken);
    assert_eq!(result, parse(&broken));
    assert!(!result.errors.is_empty());
    assert_eq!(counts(&cache), (2, statements - 2));

    // Lines added above every statement move them all; none is parsed again.
    let moved = format!("# a new first line\n\n{broken}");
    assert_eq!(cache.parse(&moved), parse(&moved));
    assert_eq!(counts(&cache), (0, statements));
    assert!(cache.last_parse_stats().lexed < text.len() / 5);

    // The same text again: nothing is parsed, and only the last lines are lexed.
    assert_eq!(cache.parse(&moved), parse(&moved));
    assert_eq!(counts(&cache), (0, statements));
    assert!(cache.last_parse_stats().lexed < text.len() / 5);
}

#[test]
fn statements_split_and_merged_by_an_edit_are_parsed_again() {
    let text = "axis a = [x]\naxis b = [y]\naxis c = [z]\noutput a, b, c\n";
    let mut cache = ParseCache::default();
    assert_eq!(cache.parse(text), parse(text));

    // Deleting `\naxis b =` merges two statements into one new chunk; the others are reused.
    let merged = "axis a = [x] [y]\naxis c = [z]\noutput a, b, c\n";
    assert_eq!(cache.parse(merged), parse(merged));
    assert_eq!(counts(&cache), (1, 2));

    // A keyword typed mid-line splits a statement into two new chunks.
    let split = "axis a = [x] axis d = [y]\naxis c = [z]\noutput a, b, c\n";
    assert_eq!(cache.parse(split), parse(split));
    assert_eq!(counts(&cache), (2, 2));
}

#[test]
fn the_last_statement_is_keyed_apart_because_its_errors_say_end_of_file() {
    let mut cache = ParseCache::default();
    let at_eof = "axis a = [x]\naxis b =";
    let result = cache.parse(at_eof);
    assert_eq!(result, parse(at_eof));
    assert!(result.errors[0].message.ends_with("found end of file"), "{:?}", result.errors);

    // The same chunk text, no longer last: it must not reuse the "end of file" message.
    let before_another = "axis a = [x]\naxis b =\naxis c = [z]";
    let result = cache.parse(before_another);
    assert_eq!(result, parse(before_another));
    assert!(result.errors[0].message.ends_with("found end of statement"), "{:?}", result.errors);
    assert_eq!(counts(&cache), (2, 1));
}

#[test]
fn repeated_statements_share_an_entry() {
    let text = "axis a = [x]\n".repeat(5) + "output a\n";
    let mut cache = ParseCache::default();
    assert_eq!(cache.parse(&text), parse(&text));
    assert_eq!(counts(&cache), (2, 4));
    assert_eq!(cache.len(), 2);
}

#[test]
fn the_cache_does_not_grow_while_typing() {
    let base = generated(10);
    let mut cache = ParseCache::default();
    let mut text = base.clone();
    assert_eq!(cache.parse(&text), parse(&text));
    for i in 0..200 {
        // Type a long word into one line, one character at a time.
        let at = text.find("level-3-5b").unwrap_or(0);
        text.insert(at, char::from(b'a' + (i % 26) as u8));
        assert_eq!(cache.parse(&text), parse(&text));
        // Typing inside a value patches it in place; nothing is parsed and nothing is added.
        assert_eq!(cache.last_parse_stats().parsed, 0);
        assert!(cache.last_parse_stats().patched);
        assert_eq!(cache.len(), 12);
    }
    cache.clear();
    assert!(cache.is_empty());
    assert_eq!(cache.parse(&base), parse(&base));
    assert_eq!(counts(&cache), (12, 0));
}

#[test]
fn the_checked_helper_covers_edge_inputs() {
    for text in ["", "\n", "axis", "axis a = [", "]", "junk", "# only a comment", "axis a = [x]\n\"", "output a,"] {
        common::parse_checked(text);
    }
}

#[test]
fn lexing_is_line_local() {
    // The cache re-lexes only the lines around an edit; that is exact because the lexer's output
    // for the whole text is the outputs for each line (line break included), put together.
    const SEPARATORS: &[&str] = &[" ", "", "\n", "\r", "\r\n", "\t", "\u{C}", "\u{FEFF}"];
    let mut rng = XorShift(0x0123_4567_89AB_CDEF);
    for _ in 0..3_000 {
        let mut text = String::new();
        for _ in 0..rng.below(30) {
            text.push_str(rng.pick(PIECES));
            text.push_str(rng.pick(SEPARATORS));
        }
        let whole = lex(&text);
        let (mut tokens, mut comments, mut errors) = (Vec::new(), Vec::new(), Vec::new());
        let mut from = 0;
        while from < text.len() {
            let to = text[from..].find(['\n', '\r']).map_or(text.len(), |i| from + i + 1);
            let line = lex(&text[from..to]);
            tokens.extend(line.tokens.into_iter().map(|(t, s)| (t, s.start + from..s.end + from)));
            comments.extend(line.comments.into_iter().map(|mut c| {
                c.span = c.span.start + from..c.span.end + from;
                c
            }));
            errors.extend(line.errors.into_iter().map(|mut e| {
                e.span = e.span.start + from..e.span.end + from;
                e
            }));
            from = to;
        }
        assert_eq!(whole.tokens, tokens, "{text:?}");
        assert_eq!(whole.comments, comments, "{text:?}");
        assert_eq!(whole.errors, errors, "{text:?}");
    }
}

#[test]
fn large_edits_match_a_fresh_parse() {
    let base = generated(20);
    let mut cache = ParseCache::default();
    let half = boundary(&base, base.len() / 2);
    let edits = [
        String::new(),
        base.clone(),
        base[..half].to_string(),
        base.clone(),
        base[half..].to_string(),
        format!("{base}{base}"),
        base.replace("level-", "level "),
        base.replace('[', "("),
        base.replace("axis", "axes"),
        base.clone(),
        format!("{}{}", &base[..half], &base[half + 100..]),
        "\"".to_string() + &base,
        base.clone(),
    ];
    for text in &edits {
        assert_eq!(cache.parse(text), parse(text), "{text:?}");
    }
}

/// The list values of `text` (bare words and strings inside `[…]`), by span.
fn value_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    use dslc_syntax::lexer::Token;
    // Parentheses outside brackets hold names (`tie t (a, b)`) or a path (`file("…")`).
    let mut depth = 0usize;
    let mut spans = Vec::new();
    for (token, span) in lex(text).tokens {
        match token {
            Token::LBracket => depth += 1,
            Token::RBracket => depth = depth.saturating_sub(1),
            Token::Word(_) | Token::Str(_) if depth > 0 => spans.push(span),
            _ => {}
        }
    }
    spans
}

/// Replacements for a value: longer, shorter, quoted (with escapes), non-ASCII, bare↔quoted.
const VALUE_TEXTS: &[&str] = &[
    "x",
    "level-1",
    "a.b-c_d",
    "\"q\"",
    "\"with \\\"escape\\\" and space\"",
    "\"é ü\"",
    "\"\"",
    "9",
    "gpt-4.1",
    "\"axis\"",
];

#[test]
fn edits_inside_list_values_patch_the_tree_and_match_a_fresh_parse() {
    // Values in axis, subset, tuple and nested pair lists, a comment after an edited value, CRLF
    // line ends, and statements after the edit whose spans must move.
    let base = VALID.replace("combo_v1_b]", "combo_v1_b] # after\r");
    let mut rng = XorShift(0x5EED_0F7A_7C11);
    let mut cache = ParseCache::default();
    let mut text = base.clone();
    assert_eq!(cache.parse(&text), parse(&text));
    let mut patched = 0;
    for round in 0..600 {
        let spans = value_spans(&text);
        let span = spans[rng.below(spans.len())].clone();
        let replacement = match rng.below(3) {
            // Typing a character at either end or inside the word.
            0 if text[span.clone()].starts_with(|c: char| c.is_ascii_alphanumeric()) => {
                let at = span.start + rng.below(span.len() + 1);
                let mut word = text[span.clone()].to_string();
                word.insert(at - span.start, 'k');
                word
            }
            _ => rng.pick(VALUE_TEXTS).to_string(),
        };
        text.replace_range(span, &replacement);
        let result = cache.parse(&text);
        assert_eq!(result, parse(&text), "round {round}: {text:?}");
        patched += usize::from(cache.last_parse_stats().patched);
        if round % 100 == 99 {
            text = base.clone();
        }
    }
    // A value that becomes `axis` in quotes is still a value; only the rare no-op is not patched.
    assert!(patched > 500, "only {patched} of 600 value edits were patched");
}

#[test]
fn edits_outside_list_values_are_not_patched() {
    let mut cache = ParseCache::default();
    assert_eq!(cache.parse(VALID), parse(VALID));
    for (from, to) in [
        ("axis draft_llm", "axis draft_llmx"),                          // a name
        ("1..2", "1..3"),                                               // a range bound
        ("items/draft_templates.csv", "items/x.csv"),                   // a file path
        ("prior-art-retest", "prior-art-retest2"),                      // the cohort id
        ("combo_v1_b]", "tuple]"),                                      // a value that becomes a keyword
        ("combo_v1_b]", "combo_v1_b, c]"),                              // more tokens
        ("balance left", "balance right"),                              // a word the parser reads
        ("sonnet-4, gemini_25_pro, #", "sonnet-4, gemini_25_pro, # x"), // a comment
    ] {
        let edited = VALID.replacen(from, to, 1);
        assert_ne!(edited, VALID, "{from}");
        assert_eq!(cache.parse(&edited), parse(&edited), "{from} → {to}");
        assert!(!cache.last_parse_stats().patched, "{from} → {to} was patched");
        assert_eq!(cache.parse(VALID), parse(VALID));
    }
    // A file with a syntax error anywhere takes the slower path.
    let broken = format!("{VALID}axis broken = [\n");
    assert_eq!(cache.parse(&broken), parse(&broken));
    let edited = broken.replacen("combo_v1_b]", "combo_v1_c]", 1);
    assert_eq!(cache.parse(&edited), parse(&edited));
    assert!(!cache.last_parse_stats().patched);
}
