//! Syntax errors as dslc reports them: chumsky's errors converted to codes, messages and help
//! lines, and the name checks that report without failing a statement.

use super::*;

/// Turns a chumsky error into a diagnostic.
pub(super) fn convert(err: Rich<'_, Token<'_>, Span>, keyword: usize, at_eof: bool, text: &str) -> SyntaxError {
    let span = err.span().clone();
    let stmt = KEYWORDS[keyword];
    match err.reason() {
        RichReason::Custom(msg) => custom_error(msg, span, text),
        RichReason::ExpectedFound { expected, found } => {
            let found_token = found.as_deref().copied();
            let mut wants: Vec<String> = Vec::new();
            let mut end_ok = false;
            let mut comma_ok = false;
            for pattern in expected {
                let text = match pattern {
                    RichPattern::Token(t) => {
                        comma_ok |= **t == Token::Comma;
                        t.describe()
                    }
                    RichPattern::Label(l) => l.to_string(),
                    RichPattern::Identifier(i) => format!("`{i}`"),
                    RichPattern::Any => "more input".to_string(),
                    RichPattern::EndOfInput => {
                        end_ok = true;
                        "the end of the statement".to_string()
                    }
                    _ => continue,
                };
                if !wants.contains(&text) {
                    wants.push(text);
                }
            }
            // Put the end of the statement last: "expected `,` or the end of the statement".
            if let Some(pos) = wants.iter().position(|w| w == "the end of the statement") {
                let end = wants.remove(pos);
                wants.push(end);
            }
            let expected_text = join_or(&wants);
            let found_text = match &found_token {
                Some(t) => t.describe(),
                None if at_eof => "end of file".to_string(),
                None => "end of statement".to_string(),
            };

            let before = text.get(..span.start).unwrap_or_default().trim_end_matches([' ', '\t']);
            let at_line_start = before.is_empty() || before.ends_with(['\n', '\r']);
            let message = format!("expected {expected_text}, found {found_text}");
            let value_like = |t: &Token<'_>| t.is_keyword() || matches!(t, Token::Word(_) | Token::Str(_));
            let help = match found_token {
                // A line that starts with a word after a complete statement: likely a misspelt keyword.
                Some(t @ Token::Word(w)) if end_ok && at_line_start && similar_keyword(w).is_some() => keyword_help(&t),
                Some(t) if comma_ok && value_like(&t) => "separate the elements with commas".to_string(),
                Some(t @ Token::Word(_)) if end_ok && at_line_start => keyword_help(&t),
                // `[a, , b]` or `(, a)`: a comma with nothing before it.
                Some(Token::Comma) if before.ends_with([',', '[', '(']) => "remove the extra `,`".to_string(),
                _ => statement_help(stmt).to_string(),
            };
            // Every malformed `reuse` has its own code, so its page can show the two forms.
            let code = if stmt == "reuse" { codes::REUSE_SYNTAX } else { codes::SYNTAX_ERROR };
            SyntaxError {
                code,
                message,
                span,
                label: format!("expected {expected_text}"),
                secondary: Vec::new(),
                help: Some(help),
            }
        }
    }
}

/// Builds the diagnostic for one of the custom error kinds raised by the parsers.
pub(super) fn custom_error(msg: &str, span: Span, text: &str) -> SyntaxError {
    let written = text.get(span.clone()).unwrap_or_default();
    let (kind, detail) = msg.split_once(':').unwrap_or((msg, ""));
    match kind {
        CUSTOM_BAD_INT => {
            let digits = !written.is_empty() && written.bytes().all(|b| b.is_ascii_digit());
            SyntaxError {
                code: codes::INVALID_INTEGER,
                message: if digits {
                    format!("`{written}` is too large for a range bound")
                } else {
                    format!("`{written}` is not an integer")
                },
                span,
                label: "range bounds must be integers".to_string(),
                secondary: Vec::new(),
                help: Some(if digits {
                    format!("range bounds must fit in a 64-bit integer (at most {})", i64::MAX)
                } else {
                    "a range is written `1..3`; list other levels instead: `[a, b, c]`".to_string()
                }),
            }
        }
        CUSTOM_BARE_LEVEL => SyntaxError {
            code: codes::SYNTAX_ERROR,
            message: format!("expected a list `[…]`, a range `A..B` or `file(\"…\")`, found `{written}`"),
            span,
            label: "a single level must be written as a list".to_string(),
            secondary: Vec::new(),
            help: Some(format!("write `[{written}]`")),
        },
        CUSTOM_PAIR_ARITY => SyntaxError {
            code: codes::SYNTAX_ERROR,
            message: format!("a pair names exactly two axes, found {detail}"),
            span,
            label: "expected `(LEFT, RIGHT)`".to_string(),
            secondary: Vec::new(),
            help: Some("use `tuple` to combine more than two axes".to_string()),
        },
        CUSTOM_REUSE_EMPTY => SyntaxError {
            code: codes::REUSE_EMPTY_LIST,
            message: "`reuse from` lists no cohort".to_string(),
            span,
            label: "an empty list".to_string(),
            secondary: Vec::new(),
            help: Some("to reuse no earlier cohort's generations, write `reuse none`".to_string()),
        },
        CUSTOM_REUSE_BARE => SyntaxError {
            code: codes::REUSE_BARE_COHORT,
            message: format!("expected a list of cohort IDs `[…]`, found `{written}`"),
            span,
            label: "the cohorts of `reuse from` must be written as a list".to_string(),
            secondary: Vec::new(),
            help: Some(format!("write `reuse from [{written}]`")),
        },
        _ => SyntaxError {
            code: codes::SYNTAX_ERROR,
            message: msg.to_string(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            help: None,
        },
    }
}

/// How each statement is written, for the help line of a syntax error inside it.
fn statement_help(keyword: &str) -> &'static str {
    match keyword {
        "cohort" => "write `cohort ID \"optional note\"`",
        "axis" => "write `axis NAME = [a, b]`, `axis NAME = 1..3` or `axis NAME = file(\"levels.csv\")`",
        "subset" => "write `subset AXIS = [a, b]`, `subset AXIS = 1..3` or `subset AXIS = file(\"levels.csv\")`",
        "tie" => "write `tie NAME (AXIS, AXIS, …)`",
        "pair" => "write `pair NAME (LEFT, RIGHT) = [(l, r), …]`, optionally with `balance left|right|both` before `=`",
        "tuple" => "write `tuple NAME (AXIS, AXIS, …) = [(a, b, …), …]` or `= file(\"items.csv\")`",
        "output" => "write `output FIELD, FIELD, …`",
        "reuse" => "write `reuse from [COHORT, …]` (bare words or strings) or `reuse none`",
        _ => "",
    }
}

/// "a", "a or b", "a, b or c".
fn join_or(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Reports names that are keywords, quoted strings or values that are not `[A-Za-z_][A-Za-z0-9_]*`.
pub(super) fn check_names(statement: &Statement, text: &str, errors: &mut Vec<SyntaxError>) {
    let (head, rest): (Option<&Name>, &[Name]) = match statement {
        Statement::Cohort(_) | Statement::Reuse(_) => (None, &[]),
        Statement::Axis(s) => (Some(&s.name), &[]),
        Statement::Subset(s) => (Some(&s.axis), &[]),
        Statement::Tie(s) => (Some(&s.name), &s.axes),
        Statement::Pair(s) => {
            check_name(&s.left, text, errors);
            check_name(&s.right, text, errors);
            (Some(&s.name), &[])
        }
        Statement::Tuple(s) => (Some(&s.name), &s.axes),
        Statement::Output(s) => (None, &s.fields),
    };
    for name in head.into_iter().chain(rest) {
        check_name(name, text, errors);
    }
}

fn check_name(name: &Name, text: &str, errors: &mut Vec<SyntaxError>) {
    // A quoted name is refused even when its contents would be a valid name.
    let written = text.get(name.span.clone()).unwrap_or_default();
    if !written.starts_with('"') && crate::is_name(&name.text) && !KEYWORDS.contains(&name.text.as_str()) {
        return;
    }
    let error = if written.starts_with('"') {
        SyntaxError {
            code: codes::EXPECTED_NAME,
            message: format!("expected a name, found string `{written}`"),
            span: name.span.clone(),
            label: "a name cannot be quoted".to_string(),
            secondary: Vec::new(),
            help: Some(name_help(&name.text)),
        }
    } else if KEYWORDS.contains(&written) {
        SyntaxError {
            code: codes::SYNTAX_ERROR,
            message: format!("expected a name, found keyword `{written}`"),
            span: name.span.clone(),
            label: "a statement keyword cannot be a name".to_string(),
            secondary: Vec::new(),
            help: Some(format!("choose another name, e.g. `{written}_`")),
        }
    } else {
        SyntaxError {
            code: codes::EXPECTED_NAME,
            message: format!("expected a name, found value `{written}`"),
            span: name.span.clone(),
            label: "not a valid name".to_string(),
            secondary: Vec::new(),
            help: Some(name_help(&name.text)),
        }
    };
    errors.push(error);
}

/// Explains the name rule and suggests a valid name close to `text`.
fn name_help(text: &str) -> String {
    let mut suggestion: String = text.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if suggestion.is_empty() || suggestion.starts_with(|c: char| c.is_ascii_digit()) {
        suggestion.insert(0, '_');
    }
    format!("a name is a letter or `_` followed by letters, digits or `_`; try `{suggestion}`")
}
