//! The layout pieces of one statement and how they are printed: flat when the line fits in
//! [`MAX_WIDTH`] columns and holds no comment, else one element a line with a trailing comma.

use crate::ast::Span;

/// The column limit: a line that would pass it breaks its last list.
pub const MAX_WIDTH: usize = 100;

/// The indent of each level of a broken list.
pub(super) const INDENT: usize = 4;

/// A piece of a statement's line: fixed text or a comma-separated sequence.
#[derive(Clone, Debug)]
pub(super) enum Piece {
    Text(String),
    Seq(Seq),
}

/// The delimiters of a sequence, flat and broken.
#[derive(Clone, Copy, Debug)]
pub(super) struct Delimiters {
    pub flat_open: &'static str,
    pub flat_close: &'static str,
    pub broken_open: &'static str,
    /// Empty for a sequence without brackets (`output`): the last element ends the statement.
    pub broken_close: &'static str,
}

pub(super) const BRACKETS: Delimiters =
    Delimiters { flat_open: "[", flat_close: "]", broken_open: "[", broken_close: "]" };
pub(super) const PARENS: Delimiters =
    Delimiters { flat_open: "(", flat_close: ")", broken_open: "(", broken_close: ")" };
/// `output a, b`: a space before the first field when flat, a line break when broken.
pub(super) const BARE: Delimiters = Delimiters { flat_open: " ", flat_close: "", broken_open: "", broken_close: "" };

/// A comma-separated sequence, with the comments that fall inside it.
#[derive(Clone, Debug)]
pub(super) struct Seq {
    pub delimiters: Delimiters,
    pub elems: Vec<Elem>,
    /// Where comments attach to this sequence: from its first to its last byte.
    pub span: Option<Span>,
    /// Comments after the last element, before the closing bracket.
    pub dangling: Vec<String>,
    /// Whether a line too long breaks this sequence; a list of axes in parentheses breaks only
    /// for a comment, so a long `pair … = file("…")` line stays one line.
    pub breaks_when_long: bool,
}

/// One element of a sequence and its comments.
#[derive(Clone, Debug)]
pub(super) struct Elem {
    pub pieces: Vec<Piece>,
    pub span: Span,
    /// Own-line comments before the element.
    pub leading: Vec<String>,
    /// A comment on the element's line, after it.
    pub trailing: Option<String>,
}

impl Elem {
    pub(super) fn new(pieces: Vec<Piece>, span: Span) -> Self {
        Elem { pieces, span, leading: Vec::new(), trailing: None }
    }
}

impl Seq {
    pub(super) fn new(delimiters: Delimiters, elems: Vec<Elem>, span: Option<Span>) -> Self {
        Seq { delimiters, elems, span, dangling: Vec::new(), breaks_when_long: true }
    }

    /// The same sequence, breaking only when it holds a comment.
    pub(super) fn only_for_comments(self) -> Self {
        Seq { breaks_when_long: false, ..self }
    }

    /// Whether a comment inside this sequence, at any depth, forces it to break.
    fn has_comments(&self) -> bool {
        !self.dangling.is_empty()
            || self.elems.iter().any(|e| !e.leading.is_empty() || e.trailing.is_some() || must_break(&e.pieces))
    }
}

/// Whether some sequence among the pieces holds a comment, so the line cannot be flat.
pub(super) fn must_break(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| matches!(p, Piece::Seq(seq) if seq.has_comments()))
}

/// The pieces on one line, without comments.
pub(super) fn flat(pieces: &[Piece], out: &mut String) {
    for piece in pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Seq(seq) => {
                out.push_str(seq.delimiters.flat_open);
                for (i, elem) in seq.elems.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    flat(&elem.pieces, out);
                }
                out.push_str(seq.delimiters.flat_close);
            }
        }
    }
}

/// Prints pieces that start at column `column` of a line indented by `indent`, with `suffix`
/// more columns after them on the same line (a comma): flat if they fit and hold no comment,
/// else with the last non-empty sequence that may break (and every sequence holding a comment)
/// broken; a line with nothing to break stays long.
pub(super) fn render(pieces: &[Piece], indent: usize, column: usize, suffix: usize, out: &mut String) {
    let mut line = String::new();
    flat(pieces, &mut line);
    let fits = column + line.chars().count() + suffix <= MAX_WIDTH;
    if fits && !must_break(pieces) {
        out.push_str(&line);
        return;
    }
    let last_breakable =
        pieces.iter().rposition(|p| matches!(p, Piece::Seq(seq) if seq.breaks_when_long && !seq.elems.is_empty()));
    // Once broken, the pieces after a broken sequence continue its closing line unchecked: they
    // are short (` = `, ` balance left = `), and re-breaking would not make them shorter.
    for (i, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Seq(seq) if Some(i) == last_breakable || seq.has_comments() => broken(seq, indent, out),
            Piece::Seq(_) => flat(std::slice::from_ref(piece), out),
        }
    }
}

/// Prints a sequence one element a line, each with a trailing comma and its comments.
fn broken(seq: &Seq, indent: usize, out: &mut String) {
    let inner = indent + INDENT;
    out.push_str(seq.delimiters.broken_open);
    for elem in &seq.elems {
        for comment in &elem.leading {
            newline(inner, out);
            out.push_str(comment);
        }
        newline(inner, out);
        render(&elem.pieces, inner, inner, 1, out);
        out.push(',');
        if let Some(comment) = &elem.trailing {
            out.push_str("  ");
            out.push_str(comment);
        }
    }
    for comment in &seq.dangling {
        newline(inner, out);
        out.push_str(comment);
    }
    if !seq.delimiters.broken_close.is_empty() {
        newline(indent, out);
        out.push_str(seq.delimiters.broken_close);
    }
}

fn newline(indent: usize, out: &mut String) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent));
}

/// Attaches a comment to the innermost sequence among the pieces whose span holds it; `false`
/// when no sequence holds it. `source` tells whether a line break lies between two offsets.
pub(super) fn attach(pieces: &mut [Piece], comment: &Span, text: &str, source: &str) -> bool {
    for piece in pieces {
        let Piece::Seq(seq) = piece else { continue };
        let Some(span) = &seq.span else { continue };
        if !(span.start <= comment.start && comment.start < span.end) {
            continue;
        }
        // Elements are in source order: the one that may hold the comment is found by bisection,
        // so a list of many items with many comments stays linear.
        let next = seq.elems.partition_point(|e| e.span.start <= comment.start);
        if next > 0 && attach(&mut seq.elems[next - 1].pieces, comment, text, source) {
            return true;
        }
        if next > 0 {
            let previous = &mut seq.elems[next - 1];
            let same_line = !source[previous.span.end.min(comment.start)..comment.start].contains('\n');
            if same_line && previous.trailing.is_none() {
                previous.trailing = Some(text.to_string());
                return true;
            }
        }
        match seq.elems.get_mut(next) {
            Some(elem) => elem.leading.push(text.to_string()),
            None => seq.dangling.push(text.to_string()),
        }
        return true;
    }
    false
}
