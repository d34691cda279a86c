//! Tests of the lexer: tokens and spans, strings, comments, and the lexical errors E0001–E0004.

use dslc_syntax::lexer::{is_terminated, lex, scan_string, unescape, Token};

/// The tokens of `text` with the source text of each span, to check both at once.
fn tokens(text: &str) -> Vec<(Token<'_>, &str)> {
    let lexed = lex(text);
    assert!(lexed.errors.is_empty(), "unexpected errors: {:#?}", lexed.errors);
    lexed.tokens.into_iter().map(|(t, span)| (t, &text[span])).collect()
}

fn codes(text: &str) -> Vec<&'static str> {
    lex(text).errors.iter().map(|e| e.code.id).collect()
}

#[test]
fn keywords_punctuation_and_spans() {
    let text = "cohort axis subset tie pair tuple output = , ( ) [ ] ..";
    let toks = tokens(text);
    use Token::*;
    let kinds: Vec<Token<'_>> = toks.iter().map(|(t, _)| *t).collect();
    assert_eq!(
        kinds,
        [Cohort, Axis, Subset, Tie, Pair, Tuple, Output, Eq, Comma, LParen, RParen, LBracket, RBracket, DotDot]
    );
    let lexed = lex(text);
    assert_eq!(lexed.tokens[1].1, 7..11);
    assert_eq!(lexed.tokens[13].1, 53..55);
}

#[test]
fn ranges_and_dotted_words() {
    assert_eq!(tokens("1..2"), [(Token::Word("1"), "1"), (Token::DotDot, ".."), (Token::Word("2"), "2")]);
    assert_eq!(tokens("gpt-4.1"), [(Token::Word("gpt-4.1"), "gpt-4.1")]);
    assert_eq!(tokens("1.5"), [(Token::Word("1.5"), "1.5")]);
    assert_eq!(tokens("1.5..2"), [(Token::Word("1.5"), "1.5"), (Token::DotDot, ".."), (Token::Word("2"), "2")]);
    assert_eq!(tokens("10 .. 20"), [(Token::Word("10"), "10"), (Token::DotDot, ".."), (Token::Word("20"), "20")]);
}

#[test]
fn words_that_start_with_a_keyword_are_words() {
    assert_eq!(tokens("axis-v2"), [(Token::Word("axis-v2"), "axis-v2")]);
    assert_eq!(tokens("tuples"), [(Token::Word("tuples"), "tuples")]);
    assert_eq!(tokens("pair_1"), [(Token::Word("pair_1"), "pair_1")]);
    assert_eq!(tokens("output.v2"), [(Token::Word("output.v2"), "output.v2")]);
}

#[test]
fn contextual_words_are_plain_words() {
    for word in ["file", "balance", "left", "right", "both"] {
        assert_eq!(tokens(word), [(Token::Word(word), word)]);
    }
}

#[test]
fn strings_keep_their_raw_text_and_unescape() {
    let text = r#""a \"b\" \\ c\nd\te""#;
    let toks = tokens(text);
    assert_eq!(toks, [(Token::Str(text), text)]);
    assert_eq!(unescape(text), "a \"b\" \\ c\nd\te");
    assert_eq!(unescape(r#""deepseek/deepseek-r1:free""#), "deepseek/deepseek-r1:free");
    assert_eq!(unescape(r#""""#), "");
}

#[test]
fn comments_are_collected_apart_from_tokens() {
    let text = "# first\r\naxis # second\n#\n";
    let lexed = lex(text);
    assert_eq!(lexed.tokens, [(Token::Axis, 9..13)]);
    let comments: Vec<(&str, &str)> = lexed.comments.iter().map(|c| (c.text.as_str(), &text[c.span.clone()])).collect();
    assert_eq!(comments, [(" first", "# first"), (" second", "# second"), ("", "#")]);
}

#[test]
fn empty_and_blank_inputs() {
    for text in ["", " ", "\n\n\t\r\n", "\u{FEFF}"] {
        let lexed = lex(text);
        assert!(lexed.tokens.is_empty() && lexed.errors.is_empty(), "{text:?}");
    }
}

#[test]
fn e0001_one_error_per_run_of_stray_characters() {
    let text = "axis @@@ = [a]";
    let lexed = lex(text);
    assert_eq!(lexed.errors.len(), 1);
    let err = &lexed.errors[0];
    assert_eq!(err.code.id, "E0001");
    assert_eq!(err.span, 5..8);
    assert_eq!(err.message, "unexpected characters `@@@`");
    // The stray run is dropped: the parser sees `axis = [a]`.
    assert_eq!(lexed.tokens.len(), 5);
}

#[test]
fn e0001_stray_characters_glued_to_a_word_stay_in_it() {
    let text = "[Jérôme, a@b]";
    let lexed = lex(text);
    assert_eq!(codes(text), ["E0001", "E0001", "E0001"]);
    assert_eq!(lexed.errors[0].span, 2..4, "the span is on `é` alone");
    let words: Vec<&str> = lexed
        .tokens
        .iter()
        .filter_map(|(t, _)| match t {
            Token::Word(w) => Some(*w),
            _ => None,
        })
        .collect();
    assert_eq!(words, ["Jérôme", "a@b"]);
}

#[test]
fn e0002_unterminated_string_stops_at_the_end_of_the_line() {
    let text = "axis a = [\"x, y]\naxis b = [z]";
    let lexed = lex(text);
    assert_eq!(codes(text), ["E0002"]);
    assert_eq!(lexed.errors[0].span, 10..16);
    assert_eq!(lexed.tokens[4], (Token::Str("\"x, y]"), 10..16));
    // The next line lexes normally.
    assert_eq!(lexed.tokens[5], (Token::Axis, 17..21));

    let at_eof = "cohort x \"note";
    assert_eq!(codes(at_eof), ["E0002"]);
    assert_eq!(lex(at_eof).errors[0].span, 9..14);
    // A backslash before the line break does not continue the string.
    assert_eq!(codes("\"abc\\\nx"), ["E0002"]);
    assert_eq!(codes("\"abc\\\""), ["E0002"]);
    assert_eq!(codes("\"abc\r\nx"), ["E0002"]);
}

#[test]
fn e0003_invalid_utf8_anywhere_once_per_run() {
    let text = "axis a\u{1A}b = [\"x\u{1A}\u{1A}\"] # \u{1A}\n\u{1A}";
    let lexed = lex(text);
    assert_eq!(codes(text), ["E0003", "E0003", "E0003", "E0003"]);
    assert_eq!(lexed.errors[0].message, "invalid UTF-8 in the source");
    assert_eq!(lexed.errors[1].span.len(), 2, "two marks are one run");
    // A mark inside a word does not split it.
    assert_eq!(lexed.tokens[1].0, Token::Word("a\u{1A}b"));
}

#[test]
fn e0004_invalid_escape_is_reported_on_the_escape() {
    let text = r#"["a\qb\x", "ok"]"#;
    let lexed = lex(text);
    assert_eq!(codes(text), ["E0004", "E0004"]);
    assert_eq!(&text[lexed.errors[0].span.clone()], r"\q");
    assert_eq!(&text[lexed.errors[1].span.clone()], r"\x");
    // The string is still a token; an invalid escape is kept as written.
    assert_eq!(unescape(r#""a\qb""#), r"a\qb");
    assert_eq!(lexed.tokens.len(), 5);
}

#[test]
fn tokens_describe_themselves() {
    assert_eq!(Token::Axis.describe(), "keyword `axis`");
    assert_eq!(Token::Word("x").describe(), "`x`");
    assert_eq!(Token::Str("\"a b\"").describe(), "string `\"a b\"`");
    assert_eq!(Token::DotDot.to_string(), "..");
}

#[test]
fn string_scanning_helpers() {
    assert!(is_terminated(r#""""#));
    assert!(is_terminated(r#""a\\""#), "an escaped backslash before the quote");
    assert!(!is_terminated(r#""a\""#), "an escaped quote is not a closing quote");
    assert!(!is_terminated("\""));
    assert!(!is_terminated(r#""abc"#));

    let scan = scan_string(r#""x\qy\"#);
    assert_eq!((scan.value.as_str(), scan.terminated), (r"x\qy\", false));
    assert_eq!(scan.bad_escapes, vec![2..4]);
}
