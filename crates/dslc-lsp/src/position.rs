//! Byte offsets ↔ LSP positions. The rest of dslc speaks byte offsets; this is the only place
//! that knows lines and UTF-8/UTF-16 columns.

use std::borrow::Cow;

use dslc_syntax::line_index::LineIndex;
use tower_lsp_server::ls_types::{Position, Range};

/// How the client counts columns, negotiated at `initialize`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// The LSP default when the client offers nothing else.
    #[default]
    Utf16,
}

/// Positions of one text in the client's encoding: a view over the text and its line index
/// (`dslc_syntax::line_index`, one per file as the `dslc_db::line_index` query keeps it).
pub struct Positions<'a> {
    text: &'a str,
    lines: Cow<'a, LineIndex>,
    encoding: Encoding,
}

impl<'a> Positions<'a> {
    /// Over a line index the database already holds for `text`.
    pub fn new(text: &'a str, lines: &'a LineIndex, encoding: Encoding) -> Self {
        Positions { text, lines: Cow::Borrowed(lines), encoding }
    }

    /// Builds the line index too, for a text the database does not hold.
    pub fn of_text(text: &'a str, encoding: Encoding) -> Self {
        Positions { text, lines: Cow::Owned(LineIndex::new(text)), encoding }
    }

    /// The content of line `line` without its line ending (`\n`, or `\r\n` whose `\r` is part
    /// of the ending), and the line's start offset.
    fn line(&self, line: usize) -> Option<(usize, &'a str)> {
        let start = self.lines.line_start(line)?;
        let end = self.lines.line_start(line + 1).map_or(self.text.len(), |next| next - 1);
        let content = self.text.get(start..end)?;
        Some((start, content.strip_suffix('\r').unwrap_or(content)))
    }

    /// The position of a byte offset; offsets past the end or inside a character are clamped.
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.line(offset);
        let (start, content) = self.line(line).unwrap_or((0, ""));
        // An offset on the `\r` of a CRLF counts as the end of the line.
        let column_bytes = (offset - start).min(content.len());
        let column = match self.encoding {
            Encoding::Utf8 => column_bytes,
            Encoding::Utf16 => content[..column_bytes].chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, column as u32)
    }

    pub fn range(&self, span: &std::ops::Range<usize>) -> Range {
        Range::new(self.position(span.start), self.position(span.end.max(span.start)))
    }

    /// The byte offset of a position. A line past the end gives the end of the text; a column
    /// past the end of its line gives the line's end; a column inside a character (a UTF-8
    /// sequence or a surrogate pair) gives the start of that character.
    pub fn offset(&self, position: Position) -> usize {
        let Some((start, content)) = self.line(position.line as usize) else { return self.text.len() };
        let wanted = position.character as usize;
        let mut column = 0;
        for (i, c) in content.char_indices() {
            let width = match self.encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if column + width > wanted {
                return start + i;
            }
            column += width;
        }
        start + content.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_and_utf8_columns() {
        let text = "a\u{e9}\u{1f600}b\r\nxy";
        let utf16 = Positions::of_text(text, Encoding::Utf16);
        let b = text.find('b').unwrap();
        assert_eq!(utf16.position(b), Position::new(0, 4));
        assert_eq!(utf16.offset(Position::new(0, 4)), b);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(utf16.offset(Position::new(0, 3)), text.find('\u{1f600}').unwrap());
        let utf8 = Positions::of_text(text, Encoding::Utf8);
        assert_eq!(utf8.position(b), Position::new(0, 7));
        assert_eq!(utf8.offset(Position::new(0, 7)), b);
    }

    #[test]
    fn crlf_and_out_of_range() {
        let text = "ab\r\ncd";
        let index = Positions::of_text(text, Encoding::Utf16);
        assert_eq!(index.position(2), Position::new(0, 2));
        assert_eq!(index.position(3), Position::new(0, 2));
        assert_eq!(index.position(4), Position::new(1, 0));
        assert_eq!(index.offset(Position::new(0, 99)), 2);
        assert_eq!(index.offset(Position::new(9, 0)), text.len());
        assert_eq!(index.position(99), Position::new(1, 2));
    }
}
