//! Each statement kind as layout pieces: one match arm per kind, so a new statement is one arm.

use super::layout::{Elem, Piece, Seq, BARE, BRACKETS, PARENS};
use crate::ast::*;
use crate::lexer::KEYWORDS;

/// The pieces of one statement. `name_width` pads an `axis` name so that the `=` of a run of
/// `axis` lines align; other statements ignore it.
pub(super) fn pieces(statement: &Statement, name_width: usize, source: &str) -> Vec<Piece> {
    let text = |s: String| Piece::Text(s);
    match statement {
        Statement::Cohort(s) => {
            let mut head = format!("cohort {}", value(&s.id, source));
            if let Some(note) = &s.note {
                head.push(' ');
                head.push_str(&source[note.span.clone()]);
            }
            vec![text(head)]
        }
        Statement::Axis(s) => {
            vec![text(format!("axis {:<name_width$} = ", s.name.text)), levels(&s.levels, source)]
        }
        Statement::Subset(s) => vec![text(format!("subset {} = ", s.axis.text)), levels(&s.levels, source)],
        Statement::Tie(s) => {
            vec![text(format!("tie {} ", s.name.text)), names(&s.axes, Some(s.axes_span.clone()), PARENS)]
        }
        Statement::Pair(s) => {
            let sides = [s.left.clone(), s.right.clone()];
            let mut middle = String::from(" ");
            if let Some((_, span)) = &s.balance {
                middle.push_str("balance ");
                middle.push_str(&source[span.clone()]);
                middle.push(' ');
            }
            middle.push_str("= ");
            vec![
                text(format!("pair {} ", s.name.text)),
                names(&sides, Some(s.left.span.start..s.right.span.end), PARENS),
                text(middle),
                items(&s.items, source),
            ]
        }
        Statement::Tuple(s) => vec![
            text(format!("tuple {} ", s.name.text)),
            names(&s.axes, Some(s.axes_span.clone()), PARENS),
            text(" = ".to_string()),
            items(&s.items, source),
        ],
        Statement::Output(s) => {
            let span = s.fields.first().zip(s.fields.last()).map(|(a, b)| a.span.start..b.span.end);
            vec![text("output".to_string()), names(&s.fields, span, BARE)]
        }
        Statement::Reuse(s) => match &s.sources {
            ReuseSources::None(_) => vec![text("reuse none".to_string())],
            ReuseSources::From(list) => {
                vec![text("reuse from ".to_string()), levels(&Levels::List(list.clone()), source)]
            }
        },
    }
}

/// A value as source text: a quoted string loses its quotes when the same text lexes as one bare
/// word that is not a keyword (a keyword could start a new statement, so its quotes stay).
pub(super) fn value(value: &Value, source: &str) -> String {
    match value.kind {
        ValueKind::Quoted if crate::is_bare_value(&value.text) && !KEYWORDS.contains(&value.text.as_str()) => {
            value.text.clone()
        }
        _ => source[value.span.clone()].to_string(),
    }
}

/// A list of names: `output`'s fields break when long, a rule's axes in parentheses only for a comment.
fn names(names: &[Name], span: Option<Span>, delimiters: super::layout::Delimiters) -> Piece {
    let elems = names.iter().map(|n| Elem::new(vec![Piece::Text(n.text.clone())], n.span.clone())).collect();
    let seq = Seq::new(delimiters, elems, span);
    Piece::Seq(if delimiters.broken_close.is_empty() { seq } else { seq.only_for_comments() })
}

fn file_ref(file: &FileRef, source: &str) -> Piece {
    Piece::Text(format!("file({})", &source[file.path_span.clone()]))
}

fn levels(levels: &Levels, source: &str) -> Piece {
    match levels {
        Levels::List(list) => {
            let elems =
                list.values.iter().map(|v| Elem::new(vec![Piece::Text(value(v, source))], v.span.clone())).collect();
            Piece::Seq(Seq::new(BRACKETS, elems, Some(list.span.clone())))
        }
        Levels::Range(range) => {
            Piece::Text(format!("{}..{}", &source[range.start_span.clone()], &source[range.end_span.clone()]))
        }
        Levels::File(file) => file_ref(file, source),
    }
}

fn items(items: &Items, source: &str) -> Piece {
    match items {
        Items::List { items, span } => {
            let elems = items.iter().map(|t| Elem::new(vec![item_tuple(t, source)], t.span.clone())).collect();
            Piece::Seq(Seq::new(BRACKETS, elems, Some(span.clone())))
        }
        Items::File(file) => file_ref(file, source),
    }
}

fn item_tuple(tuple: &ItemTuple, source: &str) -> Piece {
    let elems = tuple
        .elems
        .iter()
        .map(|elem| match elem {
            ItemElem::Value(v) => Elem::new(vec![Piece::Text(value(v, source))], v.span.clone()),
            ItemElem::Tuple(t) => Elem::new(vec![item_tuple(t, source)], t.span.clone()),
        })
        .collect();
    Piece::Seq(Seq::new(PARENS, elems, Some(tuple.span.clone())))
}
