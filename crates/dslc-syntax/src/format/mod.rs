//! The formatter: a spec in its canonical layout (docs/formatting.md), comments kept in place.
//!
//! It is pure: text in, text out, or the syntax errors that stop it, so a spec with errors is
//! never half formatted. `dslc fmt`, the language server and `dslc migrate` all call [`format`].
//! Layout is decided per statement (`statements.rs`, one arm per statement kind) and printed by
//! `layout.rs`; this file attaches comments and lays out the file: groups, blank lines, and the
//! `=` of runs of `axis` lines.

mod layout;
mod statements;

use std::fmt;

use crate::ast::{Comment, Span, Statement};
use crate::error::SyntaxError;

pub use layout::MAX_WIDTH;

/// Why a spec was not formatted: its lexical and syntax errors, as `parse` reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError {
    pub errors: Vec<SyntaxError>,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        write!(f, "{n} syntax error{} (the file is left as it is)", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for FormatError {}

/// Formats a spec in the canonical layout, or returns its syntax errors and changes nothing.
///
/// Idempotent (`format(format(x)) == format(x)`), and the result parses to the same statements
/// (spans aside, and a quoted value that can be bare written bare).
pub fn format(source: &str) -> Result<String, FormatError> {
    let parsed = crate::parse(source);
    if !parsed.errors.is_empty() {
        return Err(FormatError { errors: parsed.errors });
    }
    let statements = &parsed.file.statements;
    let (blocks, trailer) = attach_comments(source, statements, &parsed.comments);
    let widths = axis_name_widths(statements, &blocks);
    let mut out = String::with_capacity(source.len() + source.len() / 8);
    if source.starts_with('\u{FEFF}') {
        out.push('\u{FEFF}');
    }
    let mut previous: Option<&Statement> = None;
    for (i, (statement, block)) in statements.iter().zip(&blocks).enumerate() {
        if let Some(before) = previous {
            let new_group = std::mem::discriminant(before) != std::mem::discriminant(statement);
            if new_group || block.blank_before() {
                out.push('\n');
            }
        }
        for (j, comment) in block.leading.iter().enumerate() {
            if j > 0 && comment.blank_before {
                out.push('\n');
            }
            out.push_str(&comment.text);
            out.push('\n');
        }
        if !block.leading.is_empty() && block.blank_before_statement {
            out.push('\n');
        }
        let mut pieces = statements::pieces(statement, widths[i], source);
        for comment in &block.inner {
            // A comment inside a list stays there; one anywhere else moves above the statement.
            // The statement is not written yet, so a comment printed now comes above it.
            if !layout::attach(&mut pieces, &comment.span, &comment.text, source) {
                out.push_str(&comment.text);
                out.push('\n');
            }
        }
        layout::render(&pieces, 0, 0, 0, &mut out);
        if let Some(comment) = &block.trailing {
            out.push_str("  ");
            out.push_str(comment);
        }
        out.push('\n');
        previous = Some(statement);
    }
    for (j, comment) in trailer.iter().enumerate() {
        if (j > 0 || !statements.is_empty()) && comment.blank_before {
            out.push('\n');
        }
        out.push_str(&comment.text);
        out.push('\n');
    }
    if uses_crlf(source) {
        out = out.replace('\n', "\r\n");
    }
    Ok(out)
}

/// The statements of a parsed spec with every span zeroed and every value's kind set to bare: what
/// formatting must keep. For the tests and the fuzz target, which compare before and after.
#[doc(hidden)]
pub fn meaning(file: &crate::ast::SpecFile) -> Vec<Statement> {
    let mut statements = file.statements.clone();
    for statement in &mut statements {
        statement.for_each_span_mut(&mut |span| *span = 0..0);
        forget_quotes(statement);
    }
    statements
}

/// Sets every value of a statement to bare, since the formatter drops quotes that change nothing.
fn forget_quotes(statement: &mut Statement) {
    use crate::ast::{ItemElem, ItemTuple, Items, Levels, ReuseSources, ReuseStmt, Value, ValueKind};
    fn bare(value: &mut Value) {
        value.kind = ValueKind::Bare;
    }
    fn tuple(t: &mut ItemTuple) {
        for elem in &mut t.elems {
            match elem {
                ItemElem::Value(v) => bare(v),
                ItemElem::Tuple(t) => tuple(t),
            }
        }
    }
    let levels = |levels: &mut Levels| {
        if let Levels::List(list) = levels {
            list.values.iter_mut().for_each(bare);
        }
    };
    let items = |items: &mut Items| {
        if let Items::List { items, .. } = items {
            items.iter_mut().for_each(tuple);
        }
    };
    match statement {
        Statement::Cohort(s) => bare(&mut s.id),
        Statement::Axis(s) => levels(&mut s.levels),
        Statement::Subset(s) => levels(&mut s.levels),
        Statement::Pair(s) => items(&mut s.items),
        Statement::Tuple(s) => items(&mut s.items),
        Statement::Reuse(ReuseStmt { sources: ReuseSources::From(list), .. }) => list.values.iter_mut().for_each(bare),
        Statement::Tie(_) | Statement::Output(_) | Statement::Reuse(_) => {}
    }
}

/// A comment as it is printed (`#` and its text, trailing blanks trimmed) and where it was.
#[derive(Clone, Debug)]
struct LineComment {
    text: String,
    blank_before: bool,
}

#[derive(Clone, Debug)]
struct InnerComment {
    text: String,
    span: Span,
}

/// The comments that belong to one statement.
#[derive(Clone, Debug, Default)]
struct Block {
    /// Own-line comments between the previous statement and this one.
    leading: Vec<LineComment>,
    /// Whether a blank line separated the leading comments from the statement.
    blank_before_statement: bool,
    /// Comments between the statement's first and last token.
    inner: Vec<InnerComment>,
    /// The comment after the statement's last token, on the same line.
    trailing: Option<String>,
}

impl Block {
    /// Whether the user left a blank line before this statement's block.
    fn blank_before(&self) -> bool {
        self.leading.first().map_or(self.blank_before_statement, |c| c.blank_before)
    }

    /// Whether the output shows a blank line anywhere before this statement, within its block.
    fn has_blank_line(&self) -> bool {
        self.blank_before_statement || self.leading.iter().any(|c| c.blank_before)
    }
}

fn comment_text(comment: &Comment) -> String {
    format!("#{}", comment.text.trim_end())
}

/// Whether the text between two offsets holds a blank line (two line breaks).
fn has_blank_line(source: &str, range: Span) -> bool {
    source[range].matches('\n').count() >= 2
}

/// Gives each comment to its statement: leading (own line, before it), inner, or trailing (same
/// line, after it); the comments after the last statement come back on their own.
fn attach_comments(source: &str, statements: &[Statement], comments: &[Comment]) -> (Vec<Block>, Vec<LineComment>) {
    let mut blocks = vec![Block::default(); statements.len()];
    let mut next_comment = 0;
    // Where the text before the next leading comment or statement starts.
    let mut cursor = 0;
    for (i, statement) in statements.iter().enumerate() {
        let span = statement.span();
        while let Some(comment) = comments.get(next_comment).filter(|c| c.span.start < span.start) {
            blocks[i].leading.push(LineComment {
                text: comment_text(comment),
                blank_before: has_blank_line(source, cursor..comment.span.start),
            });
            cursor = comment.span.end;
            next_comment += 1;
        }
        blocks[i].blank_before_statement = has_blank_line(source, cursor..span.start);
        while let Some(comment) = comments.get(next_comment).filter(|c| c.span.start < span.end) {
            blocks[i].inner.push(InnerComment { text: comment_text(comment), span: comment.span.clone() });
            next_comment += 1;
        }
        cursor = span.end;
        let next_start = statements.get(i + 1).map_or(source.len(), |s| s.span().start);
        if let Some(comment) = comments.get(next_comment).filter(|c| c.span.start < next_start) {
            if !source[span.end..comment.span.start].contains('\n') {
                blocks[i].trailing = Some(comment_text(comment));
                cursor = comment.span.end;
                next_comment += 1;
            }
        }
    }
    let mut trailer = Vec::new();
    for comment in &comments[next_comment..] {
        trailer.push(LineComment {
            text: comment_text(comment),
            blank_before: has_blank_line(source, cursor..comment.span.start),
        });
        cursor = comment.span.end;
    }
    (blocks, trailer)
}

/// The width each `axis` name is padded to: the longest name in its run of `axis` statements
/// (a run ends at any other statement and at a blank line), and 0 for other statements.
fn axis_name_widths(statements: &[Statement], blocks: &[Block]) -> Vec<usize> {
    let mut widths = vec![0; statements.len()];
    let mut run: Vec<usize> = Vec::new();
    let close = |run: &mut Vec<usize>, widths: &mut Vec<usize>| {
        let width = run.iter().map(|&i| axis_name(&statements[i]).map_or(0, |n| n.chars().count())).max();
        for &i in run.iter() {
            widths[i] = width.unwrap_or(0);
        }
        run.clear();
    };
    for (i, statement) in statements.iter().enumerate() {
        if axis_name(statement).is_none() {
            close(&mut run, &mut widths);
            continue;
        }
        if blocks[i].has_blank_line() {
            close(&mut run, &mut widths);
        }
        run.push(i);
    }
    close(&mut run, &mut widths);
    widths
}

fn axis_name(statement: &Statement) -> Option<&str> {
    match statement {
        Statement::Axis(axis) => Some(&axis.name.text),
        _ => None,
    }
}

/// Whether the spec's first line break is CRLF; the output keeps that style, as rustfmt's `auto` does.
fn uses_crlf(source: &str) -> bool {
    source.find('\n').is_some_and(|i| source[..i].ends_with('\r'))
}

#[cfg(test)]
mod tests;
