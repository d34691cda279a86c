//! Puts the YAML file's comments on the migrated statements, by line.
//!
//! The YAML parser drops comments, so each comment found in the source text is placed by its
//! line: above the statement whose key and value span that line (a comment inside a rule's items
//! goes above the rule), else above the next statement, else at the end of the spec. Comments
//! before the file's first key open the spec.

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
        Statement { kind: StatementKind::Cohort { id: id.into() }, comments: Vec::new() }
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
    }
}
