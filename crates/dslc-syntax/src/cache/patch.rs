//! The fastest re-parse: an edit inside one list value (`tpl-00002` → `tpl-00009`) patches that
//! value in the previous tree instead of parsing its statement again.
//!
//! # Why the patched tree equals a fresh parse
//!
//! The patch applies only when all of this holds, and each condition is checked, not assumed:
//!
//! - The previous parse had no error at all, lexical or syntactic, so no message quotes text.
//! - The changed bytes sit on one line in both texts, and that line, lexed again, gives the same
//!   tokens, comments and (no) lexical errors as before except one token, which was and is a bare
//!   word or a string. Lexing is line-local (see the parent module), so the file's token stream
//!   is the previous one with that token replaced and later spans shifted.
//! - That token is a value inside a `[…]` list or a pair/tuple item, where chumsky accepts any
//!   word or string and keeps only its text, kind and span. Cutting into statements and bracket
//!   repair read token kinds and line breaks, not a word's text, and keywords (which do change
//!   the cut) are neither words nor strings. So the new tree is the previous one with that value
//!   replaced and every offset at or after the old token's end moved by the change in length.
//!
//! Anything else (a name, a range bound, `file`, the cohort id, a keyword) goes the slower way.

use super::{line_end, line_start, Snapshot};
use crate::ast::*;
use crate::lexer::{lex, unescape, Token};
use crate::ParseResult;

/// Patches `snapshot` (text, tree and front end) to `text` if the edit is inside one list value;
/// returns the new tree and the bytes lexed, or `None` (with the snapshot untouched) if the edit
/// is anything else.
pub(super) fn patch_value(snapshot: &mut Snapshot, text: &str) -> Option<(ParseResult, usize)> {
    let old = snapshot.text.as_str();
    if !snapshot.result.errors.is_empty() || !snapshot.lex_errors.is_empty() {
        return None;
    }
    let prefix = super::common_prefix(old.as_bytes(), text.as_bytes());
    let suffix = super::common_suffix(&old.as_bytes()[prefix..], &text.as_bytes()[prefix..]);
    let (old_end, new_end) = (old.len() - suffix, text.len() - suffix);
    let is_break = |b: &u8| *b == b'\n' || *b == b'\r';
    if old.as_bytes()[prefix..old_end].iter().any(is_break) || text.as_bytes()[prefix..new_end].iter().any(is_break) {
        return None;
    }
    // Between a `\r` and a `\n` the edit would join or split a CRLF line break.
    if prefix > 0 && old.as_bytes()[prefix - 1] == b'\r' && old.as_bytes().get(old_end) == Some(&b'\n') {
        return None;
    }
    let line = line_start(text, prefix);
    let (old_line_end, new_line_end) = (line_end(old, old_end), line_end(text, new_end));
    let before = lex(&old[line..old_line_end]);
    let after = lex(&text[line..new_line_end]);
    if !before.errors.is_empty() || !after.errors.is_empty() || before.tokens.len() != after.tokens.len() {
        return None;
    }
    let shift = new_end as isize - old_end as isize;
    let moved = |span: &Span, delta: isize| span.start as isize + delta..span.end as isize + delta;
    // Offsets are relative to the line here. Every token is unchanged before the edit, unchanged
    // and shifted after it, or the one that changed.
    let (change_start, change_end) = (prefix - line, old_end - line);
    let mut changed = None;
    for (i, ((old_token, old_span), (new_token, new_span))) in before.tokens.iter().zip(&after.tokens).enumerate() {
        let kept_before = old_span.end <= change_start && old_span == new_span;
        let kept_after = old_span.start >= change_end && moved(old_span, shift) == moved(new_span, 0);
        if old_token == new_token && (kept_before || kept_after) {
            continue;
        }
        let is_value = |t: &Token<'_>| matches!(t, Token::Word(_) | Token::Str(_));
        if changed.is_some()
            || !is_value(old_token)
            || !is_value(new_token)
            || old_span.start != new_span.start
            || new_span.end as isize != old_span.end as isize + shift
        {
            return None;
        }
        changed = Some(i);
    }
    let index = changed?;
    let comments_equal = before.comments.len() == after.comments.len()
        && before
            .comments
            .iter()
            .zip(&after.comments)
            .all(|(a, b)| a.text == b.text && moved(&a.span, shift) == moved(&b.span, 0));
    if !comments_equal {
        return None;
    }
    let (old_token_span, (new_token, new_token_span)) = (&before.tokens[index].1, &after.tokens[index]);
    let token_start = line + old_token_span.start;
    let token_end = line + old_token_span.end;

    let result = &mut snapshot.result;
    let value = value_at(&mut result.file, token_start..token_end)?;
    (value.text, value.kind) = match new_token {
        Token::Word(w) => (w.to_string(), ValueKind::Bare),
        Token::Str(s) => (unescape(s), ValueKind::Quoted),
        _ => return None,
    };
    debug_assert_eq!(new_token_span.start + line, token_start);

    // Everything at or after the old token's end moves with the change in length.
    if shift != 0 {
        let by = shift as usize;
        let move_offset = |offset: &mut usize| {
            if *offset >= token_end && *offset != usize::MAX {
                *offset = offset.wrapping_add(by);
            }
        };
        let first = result.file.statements.partition_point(|s| s.span().end < token_end);
        for statement in &mut result.file.statements[first..] {
            statement.for_each_span_mut(&mut |span| {
                move_offset(&mut span.start);
                move_offset(&mut span.end);
            });
        }
        for comment in &mut result.comments {
            move_offset(&mut comment.span.start);
            move_offset(&mut comment.span.end);
        }
        for chunk in &mut snapshot.chunks {
            move_offset(&mut chunk.start);
            move_offset(&mut chunk.eoi);
            move_offset(&mut chunk.needs_until);
        }
        for comment in &mut snapshot.comments {
            move_offset(&mut comment.span.start);
            move_offset(&mut comment.span.end);
        }
    }
    snapshot.text.replace_range(prefix..old_end, &text[prefix..new_end]);
    debug_assert_eq!(snapshot.text, text);
    Some((snapshot.result.clone(), (old_line_end - line) + (new_line_end - line)))
}

/// The list value whose span is exactly `span`: an element of an axis's or subset's `[…]`, or of
/// a pair's or tuple's items.
fn value_at(file: &mut SpecFile, span: Span) -> Option<&mut Value> {
    let statements = &mut file.statements;
    let at = statements.partition_point(|s| s.span().end <= span.start);
    let statement = statements.get_mut(at)?;
    match statement {
        Statement::Axis(AxisStmt { levels: Levels::List(list), .. })
        | Statement::Subset(SubsetStmt { levels: Levels::List(list), .. }) => {
            let i = list.values.partition_point(|v| v.span.end <= span.start);
            list.values.get_mut(i).filter(|v| v.span == span)
        }
        Statement::Pair(PairStmt { items: Items::List { items, .. }, .. })
        | Statement::Tuple(TupleStmt { items: Items::List { items, .. }, .. }) => {
            let i = items.partition_point(|t| t.span.end <= span.start);
            value_in_tuple(items.get_mut(i)?, span)
        }
        _ => None,
    }
}

fn value_in_tuple(tuple: &mut ItemTuple, span: Span) -> Option<&mut Value> {
    let i = tuple.elems.partition_point(|e| e.span().end <= span.start);
    match tuple.elems.get_mut(i)? {
        ItemElem::Value(value) => (value.span == span).then_some(value),
        ItemElem::Tuple(inner) => value_in_tuple(inner, span),
    }
}
