//! Fuzz target: the lexer and parser on arbitrary bytes, and the statement-level `ParseCache`.
//!
//! Input: `original` NUL `edited` (without a NUL, the edit deletes the middle third).
//! Invariants: no panic; every token, error, statement and comment span lies inside the text
//! on char boundaries; tokens are in order, and words and strings equal their text; errors are
//! in source order; lexing and parsing are deterministic; a `ParseCache` that saw the original
//! gives exactly a fresh parse of the edited text, and of the original again.

#![no_main]

use dslc_syntax::lexer::{lex, Token};
use dslc_syntax::{parse, ParseCache, ParseResult};
use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let (original, edited) = match data.iter().position(|&b| b == 0) {
        Some(i) => (common::decode(&data[..i]), common::decode(&data[i + 1..])),
        None => {
            let text = common::decode(data);
            let (a, b) = (data.len() / 3, 2 * data.len() / 3);
            let mut edited = data[..a].to_vec();
            edited.extend_from_slice(&data[b..]);
            (text, common::decode(&edited))
        }
    };

    let fresh = parse(&original);
    check_spans(&original, &fresh);
    assert_eq!(fresh, parse(&original), "parse is not deterministic for {original:?}");

    let fresh_edited = parse(&edited);
    check_spans(&edited, &fresh_edited);

    let mut cache = ParseCache::default();
    assert_eq!(cache.parse(&original), fresh, "first ParseCache parse differs for {original:?}");
    assert_eq!(cache.parse(&edited), fresh_edited, "ParseCache after edit differs:\n{original:?}\n→ {edited:?}");
    assert_eq!(cache.parse(&original), fresh, "ParseCache after undo differs:\n{edited:?}\n→ {original:?}");
});

/// Tokens are in order, do not overlap, and words and strings are the text at their span.
fn check_tokens(text: &str) {
    let lexed = lex(text);
    let mut last_end = 0;
    for (token, span) in &lexed.tokens {
        common::assert_span(text, span, "token");
        assert!(span.start >= last_end && span.start < span.end, "token {token:?} at {span:?} overlaps or is empty");
        last_end = span.end;
        if let Token::Word(raw) | Token::Str(raw) = token {
            assert_eq!(*raw, &text[span.clone()], "token text differs from its span {span:?}");
        }
    }
    for c in &lexed.comments {
        common::assert_span(text, &c.span, "lexer comment");
    }
    assert_eq!(lexed, lex(text), "lex is not deterministic");
}

/// Every span the parse reports must be a valid slice of `text`.
fn check_spans(text: &str, result: &ParseResult) {
    check_tokens(text);
    for e in &result.errors {
        common::assert_span(text, &e.span, &format!("{} primary", e.code.id));
        for (span, _) in &e.secondary {
            common::assert_span(text, span, &format!("{} secondary", e.code.id));
        }
    }
    assert!(result.errors.windows(2).all(|w| w[0].span.start <= w[1].span.start), "errors out of order in {text:?}");
    let mut last_end = 0;
    for s in &result.file.statements {
        let span = s.span();
        common::assert_span(text, &span, "statement");
        assert!(span.start >= last_end, "statements overlap at {span:?} in {text:?}");
        last_end = span.end;
    }
    for c in &result.comments {
        common::assert_span(text, &c.span, "comment");
    }
}
