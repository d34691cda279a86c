//! The migrated spec as statements, and the one place that writes them as `.cohort` text.
//!
//! The text is already close to the canonical layout: statements in their order, a blank line
//! between groups (the cohort line, axes, rules, output), `=` aligned over each run of `axis`
//! statements, a list that would make its line longer than [`MAX_WIDTH`] columns broken one
//! item a line with a trailing comma, values quoted only where a bare word cannot stand, and
//! comments above their statement (or after it, two spaces on, when they ended its line and it
//! fits on one). `migrate` then passes it through the formatter (`dslc_syntax::format`), which
//! has the last word on layout, so a migrated spec is what `dslc fmt` makes of it.

use dslc_syntax::{is_bare_value, quote_value};

/// Lines are kept within this many columns where a list can be broken.
pub(crate) const MAX_WIDTH: usize = 100;

/// The indentation of the items of a broken list.
const INDENT: &str = "    ";

/// One statement of the migrated spec, the comments that go above it, and the one that ends
/// its line (kept there only while the statement fits on one line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statement {
    pub kind: StatementKind,
    pub comments: Vec<String>,
    pub end_of_line: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum StatementKind {
    Cohort { id: String },
    Axis { name: String, levels: Levels },
    Subset { axis: String, levels: Levels },
    Tie { name: String, axes: Vec<String> },
    Pair { name: String, left: String, right: String, balance: Option<String>, items: Items },
    Tuple { name: String, axes: Vec<String>, items: Items },
    Output { fields: Vec<String> },
}

/// The levels of an axis or a subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Levels {
    List(Vec<String>),
    /// A path relative to the spec's directory, with `/` separators.
    File(String),
}

/// The items of a pair or tuple.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Items {
    List(Vec<Vec<Element>>),
    File(String),
}

/// One element of an item: a value, or a nested tuple for a side that is a tuple or pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Element {
    Value(String),
    Tuple(Vec<Element>),
}

/// The groups statements fall in: a blank line separates neighbours of different groups.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Cohort,
    Axis,
    Rule,
    Output,
}

impl StatementKind {
    fn group(&self) -> Group {
        match self {
            StatementKind::Cohort { .. } => Group::Cohort,
            StatementKind::Axis { .. } => Group::Axis,
            StatementKind::Subset { .. }
            | StatementKind::Tie { .. }
            | StatementKind::Pair { .. }
            | StatementKind::Tuple { .. } => Group::Rule,
            StatementKind::Output { .. } => Group::Output,
        }
    }
}

/// Lays out a whole spec; `trailing_comments` go at the end. The text ends with one newline.
pub(crate) fn spec_text(statements: &[Statement], trailing_comments: &[String]) -> String {
    let mut out = String::new();
    let mut index = 0;
    let mut previous: Option<Group> = None;
    while index < statements.len() {
        let group = statements[index].kind.group();
        let run_end =
            statements[index..].iter().position(|s| s.kind.group() != group).map_or(statements.len(), |n| index + n);
        if previous.is_some() {
            out.push('\n');
        }
        // `=` lines up over the axes of one run: pad every name to the longest.
        let name_width = statements[index..run_end]
            .iter()
            .filter_map(|s| match &s.kind {
                StatementKind::Axis { name, .. } => Some(name.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for statement in &statements[index..run_end] {
            let text = statement_text(&statement.kind, name_width);
            let end_of_line = statement.end_of_line.as_ref().filter(|_| !text.contains('\n'));
            for comment in
                statement.comments.iter().chain(statement.end_of_line.iter().filter(|_| end_of_line.is_none()))
            {
                out.push_str(comment);
                out.push('\n');
            }
            out.push_str(&text);
            if let Some(comment) = end_of_line {
                out.push_str("  ");
                out.push_str(comment);
            }
            out.push('\n');
        }
        previous = Some(group);
        index = run_end;
    }
    if !trailing_comments.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        for comment in trailing_comments {
            out.push_str(comment);
            out.push('\n');
        }
    }
    out
}

/// One statement, without its final newline; `name_width` pads an axis name for alignment.
fn statement_text(kind: &StatementKind, name_width: usize) -> String {
    match kind {
        StatementKind::Cohort { id } => format!("cohort {}", standalone_value(id)),
        StatementKind::Axis { name, levels } => {
            let head = format!("axis {name:<name_width$} = ");
            format!("{head}{}", levels_text(levels, head.len()))
        }
        StatementKind::Subset { axis, levels } => {
            let head = format!("subset {axis} = ");
            format!("{head}{}", levels_text(levels, head.len()))
        }
        StatementKind::Tie { name, axes } => format!("tie {name} ({})", axes.join(", ")),
        StatementKind::Pair { name, left, right, balance, items } => {
            let balance = balance.as_ref().map(|side| format!(" balance {side}")).unwrap_or_default();
            let head = format!("pair {name} ({left}, {right}){balance} = ");
            format!("{head}{}", items_text(items, head.len()))
        }
        StatementKind::Tuple { name, axes, items } => {
            let head = format!("tuple {name} ({}) = ", axes.join(", "));
            format!("{head}{}", items_text(items, head.len()))
        }
        StatementKind::Output { fields } => {
            let one_line = format!("output {}", fields.join(", "));
            if one_line.chars().count() <= MAX_WIDTH {
                one_line
            } else {
                let mut text = "output".to_string();
                for field in fields {
                    text.push('\n');
                    text.push_str(INDENT);
                    text.push_str(field);
                    text.push(',');
                }
                text
            }
        }
    }
}

/// A value outside brackets, where a keyword would start a statement: quoted then.
fn standalone_value(text: &str) -> String {
    if is_bare_value(text) && dslc_syntax::lexer::KEYWORDS.contains(&text) {
        format!("\"{text}\"")
    } else {
        quote_value(text)
    }
}

/// `file("…")` with the path as a string (always quoted).
fn file_text(path: &str) -> String {
    let quoted = quote_value(path);
    if quoted.starts_with('"') {
        format!("file({quoted})")
    } else {
        format!("file(\"{quoted}\")")
    }
}

fn levels_text(levels: &Levels, used: usize) -> String {
    match levels {
        Levels::File(path) => file_text(path),
        Levels::List(values) => bracketed(values.iter().map(|v| quote_value(v)).collect(), used),
    }
}

fn items_text(items: &Items, used: usize) -> String {
    match items {
        Items::File(path) => file_text(path),
        Items::List(items) => bracketed(items.iter().map(|item| tuple_text(item)).collect(), used),
    }
}

fn tuple_text(elements: &[Element]) -> String {
    let parts: Vec<String> = elements
        .iter()
        .map(|element| match element {
            Element::Value(value) => quote_value(value),
            Element::Tuple(inner) => tuple_text(inner),
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// `[a, b]` when it fits after `used` columns, else one item a line with a trailing comma.
fn bracketed(parts: Vec<String>, used: usize) -> String {
    let one_line = format!("[{}]", parts.join(", "));
    if used + one_line.chars().count() <= MAX_WIDTH {
        return one_line;
    }
    let mut text = "[\n".to_string();
    for part in parts {
        text.push_str(INDENT);
        text.push_str(&part);
        text.push_str(",\n");
    }
    text.push(']');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement(kind: StatementKind) -> Statement {
        Statement { kind, comments: Vec::new(), end_of_line: None }
    }

    fn axis(name: &str, levels: &[&str]) -> Statement {
        statement(StatementKind::Axis {
            name: name.into(),
            levels: Levels::List(levels.iter().map(|l| l.to_string()).collect()),
        })
    }

    #[test]
    fn axes_align_and_groups_are_separated() {
        let text = spec_text(
            &[
                statement(StatementKind::Cohort { id: "pilot".into() }),
                axis("combo_id", &["c1"]),
                axis("draft_template_replicate", &["1", "2"]),
                statement(StatementKind::Tie { name: "t".into(), axes: vec!["combo_id".into(), "x".into()] }),
                statement(StatementKind::Output { fields: vec!["combo_id".into()] }),
            ],
            &[],
        );
        assert_eq!(
            text,
            "cohort pilot\n\naxis combo_id                 = [c1]\naxis draft_template_replicate = [1, 2]\n\n\
             tie t (combo_id, x)\n\noutput combo_id\n"
        );
    }

    #[test]
    fn an_end_of_line_comment_stays_there_while_the_statement_fits_on_its_line() {
        let mut short = axis("a", &["x"]);
        short.end_of_line = Some("# short".into());
        let levels: Vec<String> = (0..20).map(|n| format!("template-number-{n}")).collect();
        let mut long = axis("b", &levels.iter().map(String::as_str).collect::<Vec<_>>());
        long.end_of_line = Some("# long".into());
        let text = spec_text(&[short, long], &[]);
        assert!(
            text.starts_with(
                "axis a = [x]  # short
# long
axis b = [
"
            ),
            "{text}"
        );
    }

    #[test]
    fn long_lists_break_one_item_a_line() {
        let levels: Vec<String> = (0..20).map(|n| format!("template-number-{n}")).collect();
        let refs: Vec<&str> = levels.iter().map(String::as_str).collect();
        let text = spec_text(&[axis("a", &refs)], &[]);
        assert!(text.starts_with("axis a = [\n    template-number-0,\n"), "{text}");
        assert!(text.ends_with("    template-number-19,\n]\n"), "{text}");
    }

    #[test]
    fn values_are_quoted_only_when_needed() {
        let text = spec_text(
            &[
                statement(StatementKind::Cohort { id: "output".into() }),
                axis("a", &["gpt-4.1", "deepseek/r1:free", "tuple", "say \"hi\""]),
            ],
            &["# end".into()],
        );
        assert_eq!(
            text,
            "cohort \"output\"\n\naxis a = [gpt-4.1, \"deepseek/r1:free\", tuple, \"say \\\"hi\\\"\"]\n\n# end\n"
        );
    }

    #[test]
    fn nested_items_and_files() {
        let text = spec_text(
            &[statement(StatementKind::Pair {
                name: "p".into(),
                left: "a".into(),
                right: "t".into(),
                balance: Some("left".into()),
                items: Items::List(vec![vec![
                    Element::Value("x".into()),
                    Element::Tuple(vec![Element::Value("y".into()), Element::Value("1".into())]),
                ]]),
            })],
            &[],
        );
        assert_eq!(text, "pair p (a, t) balance left = [(x, (y, 1))]\n");
        let file = statement(StatementKind::Axis { name: "a".into(), levels: Levels::File("items/a b.csv".into()) });
        assert_eq!(spec_text(&[file], &[]), "axis a = file(\"items/a b.csv\")\n");
    }
}
