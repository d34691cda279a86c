//! Formatting for editors: the edits that turn a spec into `dslc_syntax::format`'s layout, for
//! the whole document or for the lines of a range.
//!
//! The edits are the changed runs of lines (a line diff), so an editor keeps the cursor and the
//! folds of untouched lines. A range takes the runs that touch its lines, widened to their
//! neighbours until the result still means the same (a comment or statement the diff paired
//! with a line outside the range would otherwise be lost or doubled).

use dslc_db::{Db, SourceFile};
use dslc_syntax::Span;

use crate::TextEdit;

/// The edits that format the whole spec: none when it is formatted or has syntax errors.
pub fn format_document(db: &dyn Db, file: SourceFile) -> Vec<TextEdit> {
    let text = &file.contents(db).text;
    match dslc_syntax::format(text) {
        Ok(formatted) => line_edits(text, &formatted),
        Err(_) => Vec::new(),
    }
}

/// The edits among [`format_document`]'s that touch the lines of `range` (and their neighbours
/// where applying fewer would change the spec's statements or comments); none when the spec is
/// formatted there or has syntax errors.
pub fn format_range(db: &dyn Db, file: SourceFile, range: Span) -> Vec<TextEdit> {
    let text = &file.contents(db).text;
    let line_start = text[..range.start.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[range.end.min(text.len())..].find('\n').map_or(text.len(), |i| range.end + i + 1);
    let all = format_document(db, file);
    let touches = |edit: &TextEdit| match edit.span.is_empty() {
        // An insertion at either end of the lines counts as touching them.
        true => (line_start..=line_end).contains(&edit.span.start),
        false => edit.span.start < line_end && edit.span.end > line_start,
    };
    let (Some(first), Some(last)) = (all.iter().position(touches), all.iter().rposition(touches)) else {
        return Vec::new();
    };
    // The line diff can pair a statement's old line with a neighbouring run (a blank line taken
    // for its new place), so the runs next to the range join it until the result means the same.
    let (mut first, mut last) = (first, last);
    loop {
        let chosen = &all[first..=last];
        if keeps_meaning(text, &apply(text, chosen)) {
            return chosen.to_vec();
        }
        if first == 0 && last + 1 == all.len() {
            return Vec::new();
        }
        last = (last + 1).min(all.len() - 1);
        first = first.saturating_sub(1);
    }
}

/// The runs of changed lines between two texts, as edits of the first.
fn line_edits(old: &str, new: &str) -> Vec<TextEdit> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut old_offsets = Vec::with_capacity(old_lines.len() + 1);
    let mut offset = 0;
    old_offsets.push(0);
    for line in &old_lines {
        offset += line.len();
        old_offsets.push(offset);
    }
    // The deadline bounds the diff of a huge file; past it the edits are coarser, never wrong.
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    let diff = similar::capture_diff_slices_deadline(similar::Algorithm::Myers, &old_lines, &new_lines, Some(deadline));
    let mut edits: Vec<TextEdit> = Vec::new();
    for op in diff {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == similar::DiffTag::Equal {
            continue;
        }
        let span = old_offsets[old_range.start]..old_offsets[old_range.end];
        let new_text: String = new_lines[new_range].concat();
        // A deletion next to an insertion is one replacement.
        match edits.last_mut() {
            Some(last) if last.span.end == span.start => {
                last.span.end = span.end;
                last.new_text.push_str(&new_text);
            }
            _ => edits.push(TextEdit { span, new_text }),
        }
    }
    edits
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for edit in edits {
        out.push_str(&text[last..edit.span.start]);
        out.push_str(&edit.new_text);
        last = edit.span.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Whether `after` parses cleanly to the statements and comments of `before`.
fn keeps_meaning(before: &str, after: &str) -> bool {
    let (a, b) = (dslc_syntax::parse(before), dslc_syntax::parse(after));
    let comments = |p: &dslc_syntax::ParseResult| {
        let mut texts: Vec<String> = p.comments.iter().map(|c| c.text.trim_end().to_string()).collect();
        texts.sort();
        texts
    };
    b.errors.is_empty()
        && dslc_syntax::format::meaning(&a.file) == dslc_syntax::format::meaning(&b.file)
        && comments(&a) == comments(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_edits_rebuild_the_new_text() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nc\nd\ne\n";
        let edits = line_edits(old, new);
        assert_eq!(edits.len(), 2);
        assert_eq!(apply(old, &edits), new);
        assert_eq!(line_edits(old, old), Vec::new());
    }
}
