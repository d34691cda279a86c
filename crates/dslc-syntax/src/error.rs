//! Errors found while lexing and parsing one file, before any file-level context exists.

use crate::ast::Span;
use crate::codes::Code;

/// A lexical or syntax error in one file. The database layer attaches the file and renders it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub code: Code,
    pub message: String,
    pub span: Span,
    /// Text shown under the primary span.
    pub label: String,
    /// Extra labelled spans in the same file (e.g. where an unclosed delimiter opened).
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
}
