//! What the cursor is on, worked out from tokens rather than the tree, so that it also works in
//! the half-typed statement the parser had to skip.

use dslc_db::project::CatalogField;
use dslc_db::stage::Field;
use dslc_syntax::ast::{SpecFile, Statement};
use dslc_syntax::lexer::{lex, Token};
use dslc_syntax::Span;

/// The kind of thing expected at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    /// A statement keyword (at the start of a line, outside brackets).
    Keyword,
    /// The name of a new axis (`axis |`): the stage field names are the useful ones.
    NewAxis,
    /// An existing axis, tie or rule name (subset, tie, pair, tuple axis lists, output).
    AxisName,
    /// A value written for this axis (or tie).
    Value {
        axis: String,
    },
    /// A level of this axis inside `subset AXIS = [`: one of the axis's current levels.
    Level {
        axis: String,
    },
    /// After a pair's axes (`pair p (a, b) |`): the `balance` clause may come next.
    Balance,
    /// After `balance`: which side is balanced.
    BalanceSide,
    /// After `reuse`: `from` or `none`.
    ReuseForm,
    /// A path inside `file("…")`: the text typed so far, up to the cursor.
    Path {
        typed: String,
    },
    Nothing,
}

/// The expectation at a cursor and the span that a completion replaces.
#[derive(Clone, Debug)]
pub(crate) struct Cursor {
    pub expected: Expected,
    /// The word (or path segment) under the cursor; empty at the cursor when there is none.
    pub replace: Span,
}

/// Works out what is expected at byte `offset` of `text`.
pub(crate) fn cursor(text: &str, offset: usize, file: &SpecFile) -> Cursor {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    // Only the cursor's statement matters: lex from the start of the last parsed statement that
    // starts before the cursor (a half-typed statement after it is lexed too) to the end of the
    // cursor's line. Lexing is line-local and starts fresh at a token, so these tokens are the
    // file's; a 10,000-line spec is not lexed again for every completion.
    let from = file.statements.partition_point(|s| s.span().start < offset);
    let from = from.checked_sub(1).map_or(0, |i| file.statements[i].span().start);
    let to = text[offset..].find(['\n', '\r']).map_or(text.len(), |i| offset + i);
    let mut lexed = lex(&text[from..to]);
    for (_, span) in &mut lexed.tokens {
        *span = span.start + from..span.end + from;
    }
    for comment in &mut lexed.comments {
        comment.span = comment.span.start + from..comment.span.end + from;
    }
    let tokens = &lexed.tokens;
    let empty = offset..offset;
    // Inside a string: only `file("…")` paths are interesting.
    if let Some(i) = tokens.iter().position(|(t, s)| matches!(t, Token::Str(_)) && s.start < offset && offset <= s.end)
    {
        let (token, span) = &tokens[i];
        let closed = matches!(token, Token::Str(raw) if raw.len() > 1 && raw.ends_with('"') && span.end == offset);
        let is_file = i >= 2 && tokens[i - 1].0 == Token::LParen && tokens[i - 2].0 == Token::Word("file");
        if !is_file || closed {
            return Cursor { expected: Expected::Nothing, replace: empty };
        }
        let typed = text[span.start + 1..offset].to_string();
        let segment_start = span.start + 1 + typed.rfind('/').map_or(0, |i| i + 1);
        return Cursor { expected: Expected::Path { typed }, replace: segment_start..offset };
    }
    // Comments are not tokens; a cursor inside one expects nothing.
    if lexed.comments.iter().any(|c| c.span.start < offset && offset <= c.span.end) {
        return Cursor { expected: Expected::Nothing, replace: empty };
    }
    let word = tokens.iter().position(|(t, s)| matches!(t, Token::Word(_)) && s.start <= offset && offset <= s.end);
    let replace = word.map_or(empty, |i| tokens[i].1.clone());
    let before: Vec<&(Token, Span)> = tokens
        .iter()
        .enumerate()
        .filter(|(i, (_, s))| s.end <= replace.start && Some(*i) != word)
        .map(|(_, t)| t)
        .collect();
    let expected = expected(text, replace.start, &before, file);
    Cursor { expected, replace }
}

fn expected(text: &str, start: usize, before: &[&(Token, Span)], file: &SpecFile) -> Expected {
    // The statement around the cursor starts at the last keyword outside brackets.
    let mut depth = 0usize;
    let mut statement = None;
    for (i, (token, _)) in before.iter().enumerate() {
        if token.is_open() {
            depth += 1;
        } else if token.is_close() {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && token.is_keyword() {
            statement = Some(i);
        }
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let at_line_start = text[line_start..start].trim().is_empty();
    if depth == 0 && at_line_start {
        return Expected::Keyword;
    }
    let Some(first) = statement else { return Expected::Nothing };
    let statement = &before[first..];
    let rest: Vec<&Token> = statement[1..].iter().map(|(t, _)| t).collect();
    let eq = rest.iter().position(|t| **t == Token::Eq);
    let name = |i: usize| match rest.get(i) {
        Some(Token::Word(w)) => Some(w.to_string()),
        _ => None,
    };
    match statement[0].0 {
        Token::Axis => match eq {
            None if rest.is_empty() => Expected::NewAxis,
            Some(eq) if depth > 0 && eq == 1 => name(0).map_or(Expected::Nothing, |axis| Expected::Value { axis }),
            _ => Expected::Nothing,
        },
        Token::Subset => match eq {
            None if rest.is_empty() => Expected::AxisName,
            Some(1) if depth > 0 => name(0).map_or(Expected::Nothing, |axis| Expected::Level { axis }),
            _ => Expected::Nothing,
        },
        Token::Tie => {
            if depth > 0 {
                Expected::AxisName
            } else {
                Expected::Nothing
            }
        }
        Token::Pair | Token::Tuple => match eq {
            None if depth > 0 => Expected::AxisName,
            None if statement[0].0 == Token::Pair && rest.contains(&&Token::RParen) => match rest.last() {
                Some(Token::RParen) => Expected::Balance,
                Some(Token::Word("balance")) => Expected::BalanceSide,
                _ => Expected::Nothing,
            },
            None => Expected::Nothing,
            Some(eq) => {
                let axes: Vec<String> = rest[..eq]
                    .iter()
                    .skip_while(|t| **t != &Token::LParen)
                    .filter_map(|t| match t {
                        Token::Word(w) => Some(w.to_string()),
                        _ => None,
                    })
                    .collect();
                let path = item_path(&rest[eq + 1..]);
                resolve(&axes, &path, file).map_or(Expected::Nothing, |axis| Expected::Value { axis })
            }
        },
        Token::Output => Expected::AxisName,
        Token::Reuse if depth == 0 && rest.is_empty() => Expected::ReuseForm,
        _ => Expected::Nothing,
    }
}

/// The element indexes of the item tuples open at the end of `tokens` (after `=`).
fn item_path(tokens: &[&Token]) -> Vec<usize> {
    let mut path: Vec<usize> = Vec::new();
    for token in tokens {
        match token {
            Token::LParen => path.push(0),
            Token::RParen => {
                path.pop();
            }
            Token::Comma => {
                if let Some(last) = path.last_mut() {
                    *last += 1;
                }
            }
            _ => {}
        }
    }
    path
}

/// Follows an item path through the rule's axes, descending into pairs and tuples it names.
fn resolve(axes: &[String], path: &[usize], file: &SpecFile) -> Option<String> {
    let (&index, deeper) = path.split_first()?;
    let axis = axes.get(index)?;
    if deeper.is_empty() {
        return Some(axis.clone());
    }
    let inner = file.statements.iter().find_map(|s| match s {
        Statement::Pair(p) if p.name.text == *axis => Some(vec![p.left.text.clone(), p.right.text.clone()]),
        Statement::Tuple(t) if t.name.text == *axis => Some(t.axes.iter().map(|a| a.text.clone()).collect()),
        _ => None,
    })?;
    resolve(&inner, deeper, file)
}

/// The catalog whose IDs an axis (or a tie of such axes) takes.
pub(crate) fn catalog_field_of(axis: &str, file: &SpecFile) -> Option<CatalogField> {
    catalog_field_depth(axis, file, 0)
}

fn catalog_field_depth(axis: &str, file: &SpecFile, depth: usize) -> Option<CatalogField> {
    if let Some(field) = Field::ALL.into_iter().find(|f| f.names().contains(&axis)) {
        return dslc_db::catalog_check::catalog_field(field);
    }
    // A tie's values are values of its members; a bound keeps cyclic ties from looping.
    if depth > 8 {
        return None;
    }
    file.statements.iter().find_map(|s| match s {
        Statement::Tie(t) if t.name.text == axis => {
            t.axes.iter().find_map(|a| catalog_field_depth(&a.text, file, depth + 1))
        }
        _ => None,
    })
}
