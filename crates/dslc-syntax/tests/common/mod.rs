//! Helpers shared by the parser test files.

use dslc_syntax::{ParseCache, ParseResult};

/// Parses `text` with `dslc_syntax::parse` and checks that `ParseCache::parse` gives exactly the
/// same result: with a cold cache, with a warm one (every statement reused), and with a cache
/// warmed on the same statements at other offsets (every reused span shifted, both ways).
pub(crate) fn parse_checked(text: &str) -> ParseResult {
    let expected = dslc_syntax::parse(text);
    let mut cache = ParseCache::default();
    assert_eq!(cache.parse(text), expected, "cold cache differs on {text:?}");
    let cold = cache.last_parse_stats();
    assert_eq!(cache.parse(text), expected, "warm cache differs on {text:?}");
    let warm = cache.last_parse_stats();
    assert_eq!(warm.parsed, 0, "a warm cache re-parsed a statement of {text:?}");
    assert_eq!(warm.reused, cold.parsed + cold.reused, "statement count changed on {text:?}");

    let moved = format!("\n# moved down\n\n{text}");
    assert_eq!(cache.parse(&moved), dslc_syntax::parse(&moved), "cache differs on {moved:?}");
    assert_eq!(cache.parse(text), expected, "cache differs on {text:?} after a shifted parse");
    assert_eq!(cache.last_parse_stats().parsed, 0, "statements moved back were re-parsed in {text:?}");
    expected
}

// Not every test binary that includes this module draws random inputs.
#[allow(unused_imports)]
pub(crate) use dslc_syntax::xorshift::XorShift;
