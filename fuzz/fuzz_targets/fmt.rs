//! Fuzz target: the formatter (`dslc_syntax::format`) on arbitrary bytes.
//!
//! Input: bytes, decoded as dslc decodes files (each invalid UTF-8 byte becomes U+001A).
//! Invariants: no panic; a spec with syntax errors is refused with exactly its parse errors;
//! otherwise the output parses without errors to the same statements (spans and dropped quotes
//! aside) and the same comments, and formatting it again changes nothing.

#![no_main]

use dslc_syntax::format::meaning;
use dslc_syntax::{format, parse};
use libfuzzer_sys::fuzz_target;

mod common;

fn comments(text: &str) -> Vec<String> {
    let mut comments: Vec<String> = parse(text).comments.iter().map(|c| c.text.trim_end().to_string()).collect();
    comments.sort();
    comments
}

fuzz_target!(|data: &[u8]| {
    let text = common::decode(data);
    let parsed = parse(&text);
    let formatted = match format(&text) {
        Ok(formatted) => formatted,
        Err(error) => {
            assert!(!error.errors.is_empty(), "refused without an error: {text:?}");
            assert_eq!(error.errors, parsed.errors, "refused with other errors than the parse's: {text:?}");
            return;
        }
    };
    assert!(parsed.errors.is_empty(), "formatted despite syntax errors: {text:?}");
    let again = parse(&formatted);
    assert!(again.errors.is_empty(), "the output has errors {:?}:\n{text:?}\n→ {formatted:?}", again.errors);
    assert_eq!(meaning(&again.file), meaning(&parsed.file), "the statements changed:\n{text:?}\n→ {formatted:?}");
    assert_eq!(comments(&formatted), comments(&text), "the comments changed:\n{text:?}\n→ {formatted:?}");
    assert_eq!(format(&formatted).as_ref(), Ok(&formatted), "not idempotent:\n{text:?}\n→ {formatted:?}");
});
