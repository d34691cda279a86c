//! Byte offset ↔ line/column conversion; columns count Unicode scalar values, lines are 0-based here.

/// Line starts of a text, for converting byte offsets to positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Whether each line is pure ASCII, where a column is a byte difference: counting characters
    /// instead made thousands of positions on one long line quadratic.
    ascii_lines: Vec<bool>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        let ascii_lines = line_starts
            .iter()
            .enumerate()
            .map(|(line, &start)| {
                let end = line_starts.get(line + 1).copied().unwrap_or(text.len());
                text.as_bytes()[start..end].is_ascii()
            })
            .collect();
        LineIndex { line_starts, ascii_lines, len: text.len() }
    }

    /// The 0-based line holding `offset` (clamped to the text).
    pub fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The byte offset where 0-based `line` starts, if it exists.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line and 0-based column in characters for a byte offset.
    ///
    /// An offset inside a multi-byte character counts as that character's start.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line(offset);
        let start = self.line_starts[line];
        if self.ascii_lines[line] && text.len() == self.len {
            return (line, offset - start);
        }
        let column = text
            .get(start..)
            .map(|rest| rest.char_indices().take_while(|(i, _)| start + i < offset).count())
            .unwrap_or(0);
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_offsets() {
        let text = "ab\ncé d\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (0, 0));
        assert_eq!(index.line_col(text, 3), (1, 0));
        // `d` comes after the two-byte `é`, so it is byte 7 but character 3 of line 1.
        assert_eq!(index.line_col(text, 7), (1, 3));
        assert_eq!(index.line_col(text, 100), (2, 0));
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn ascii_and_non_ascii_lines_agree_with_counting() {
        let text = "plain ascii line\nnon-ascii é line é\n";
        let index = LineIndex::new(text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let line = text[..offset].matches('\n').count();
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(index.line_col(text, offset), (line, text[line_start..offset].chars().count()), "{offset}");
        }
    }
}
