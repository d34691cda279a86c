//! Syntax layer of dslc: tokens (logos), the syntax tree, and the error-recovering parser (chumsky).
//!
//! Nothing here knows about files on disk, salsa or LSP: text in, tree and errors out.
//! All positions are byte offsets into the text that was parsed.

pub mod ast;
mod cache;
pub mod codes;
pub mod distance;
pub mod error;
pub mod format;
pub mod lexer;
pub mod line_index;
mod parser;
#[doc(hidden)]
pub mod xorshift;

pub use ast::Span;
pub use cache::{ParseCache, ParseStats};
pub use error::SyntaxError;
pub use format::{format, FormatError};

/// The outcome of parsing one file: the statements that parsed, the comments, and every error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseResult {
    pub file: ast::SpecFile,
    pub comments: Vec<ast::Comment>,
    pub errors: Vec<SyntaxError>,
}

/// Parses a spec file. Never panics; every lexical and syntax error is in `errors`.
///
/// To re-parse a file after small edits, [`ParseCache::parse`] gives the same result faster.
pub fn parse(text: &str) -> ParseResult {
    parser::parse(text)
}

/// The statement keyword that a syntax error in `text` most likely misspells (`tupel` →
/// `tuple`): set when the parser's help for the error is that did-you-mean, so that editors can
/// offer the keyword as a fix.
pub fn keyword_typo(text: &str, error: &SyntaxError) -> Option<&'static str> {
    parser::keyword_typo(text, error)
}

/// Whether `text` is a valid name (axis, rule, output field): `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `text` can be written as a bare-word value: `[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*`.
pub fn is_bare_value(text: &str) -> bool {
    !text.is_empty()
        && text
            .split(['.', '-'])
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// Writes a value as source text: bare when it can be, else a quoted string with escapes.
pub fn quote_value(text: &str) -> String {
    if is_bare_value(text) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
