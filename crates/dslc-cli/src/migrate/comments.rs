//! Puts the YAML file's comments on the migrated statements, by line.
//!
//! The YAML parser drops comments, so each comment found in the source text is placed by its
//! line: at the end of a one-line statement's line when it ended that line in the YAML, else
//! above the statement whose key and value span that line (a comment inside a rule's items goes
//! above the rule), else above the next statement, else at the end of the spec. Comments before
//! the file's first key open the spec.

use std::ops::Range;

use super::emit::Statement;
use super::yaml::Comment;

/// Attaches `comments` to `statements` (each with the 0-based lines it came from) and returns
/// the comments that follow every statement.
pub(crate) fn place(
    statements: &mut [(Statement, Option<Range<usize>>)],
    comments: Vec<Comment>,
    first_key_line: Option<usize>,
) -> Vec<String> {
    let mut trailing = Vec::new();
    for comment in comments {
        let target = if first_key_line.is_some_and(|first| comment.line < first) && !statements.is_empty() {
            Some(0)
        } else {
            let within = statements.iter().position(|(_, lines)| {
                lines.as_ref().is_some_and(|l| l.start <= comment.line && comment.line <= l.end)
            });
            within.or_else(|| {
                statements.iter().position(|(_, lines)| lines.as_ref().is_some_and(|l| l.start > comment.line))
            })
        };
        match target {
            // The end-of-line comment of a one-line statement stays at the end of its line.
            Some(index)
                if comment.trailing
                    && statements[index].0.end_of_line.is_none()
                    && statements[index]
                        .1
                        .as_ref()
                        .is_some_and(|l| l.start == comment.line && l.end == comment.line) =>
            {
                statements[index].0.end_of_line = Some(comment.text)
            }
            Some(index) => statements[index].0.comments.push(comment.text),
            None => trailing.push(comment.text),
        }
    }
    trailing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::emit::StatementKind;

    fn statement(id: &str) -> Statement {
        Statement { kind: StatementKind::Cohort { id: id.into() }, comments: Vec::new(), end_of_line: None }
    }

    fn comment(line: usize, text: &str) -> Comment {
        Comment { line, text: text.into(), trailing: false }
    }

    #[test]
    fn comments_go_above_their_statement_or_the_next() {
        let mut statements =
            vec![(statement("head"), None), (statement("a"), Some(2..3)), (statement("b"), Some(5..5))];
        let trailing = place(
            &mut statements,
            vec![comment(0, "# top"), comment(3, "# in a"), comment(4, "# before b"), comment(9, "# end")],
            Some(1),
        );
        assert_eq!(statements[0].0.comments, ["# top"]);
        assert_eq!(statements[1].0.comments, ["# in a"]);
        assert_eq!(statements[2].0.comments, ["# before b"]);
        assert_eq!(trailing, ["# end"]);
        let mut one_line = vec![(statement("a"), Some(4..4))];
        let trailing_comment = Comment { line: 4, text: "# why".into(), trailing: true };
        place(&mut one_line, vec![trailing_comment], None);
        assert_eq!(one_line[0].0.end_of_line.as_deref(), Some("# why"));
    }
}
