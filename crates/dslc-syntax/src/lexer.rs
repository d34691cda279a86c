//! The tokens of the cohort spec language (a logos lexer) and `lex`, which also collects comments and lexical errors.

use std::fmt;

use logos::Logos;

use crate::ast::{Comment, Span};
use crate::codes;
use crate::error::SyntaxError;

/// One token. Words and strings borrow their text from the source.
///
/// Contextual words (`file`, `balance`, `left`, `right`, `both`) are plain `Word`s: they mean
/// something only in a few positions and are ordinary values and names everywhere else.
#[derive(Logos, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[logos(skip r"[ \t\r\n\f\u{FEFF}]+")]
pub enum Token<'src> {
    #[token("cohort")]
    Cohort,
    #[token("axis")]
    Axis,
    #[token("subset")]
    Subset,
    #[token("tie")]
    Tie,
    #[token("pair")]
    Pair,
    #[token("tuple")]
    Tuple,
    #[token("output")]
    Output,
    #[token("reuse")]
    Reuse,

    /// A bare word: `[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*`. After an E0001 it may also hold the
    /// stray characters that were glued to it, so that one typo gives one error.
    #[regex(r"[A-Za-z0-9_]+([.-][A-Za-z0-9_]+)*", |lex| lex.slice())]
    Word(&'src str),

    /// A double-quoted string as written, quotes and escapes included (see [`unescape`]).
    /// An unterminated string runs to the end of its line and has no closing quote.
    #[token("\"", lex_string)]
    Str(&'src str),

    #[token("..")]
    DotDot,
    #[token("=")]
    Eq,
    #[token(",")]
    Comma,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,

    /// `#` to the end of the line, `#` included. `lex` moves comments out of the token list.
    #[regex(r"#[^\r\n]*", |lex| lex.slice(), allow_greedy = true)]
    Comment(&'src str),
}

/// The statement keywords, in the order the contract lists them.
pub const KEYWORDS: [&str; 8] = ["cohort", "axis", "subset", "tie", "pair", "tuple", "output", "reuse"];

impl<'src> Token<'src> {
    /// Whether this token is a statement keyword.
    pub fn is_keyword(&self) -> bool {
        self.keyword().is_some()
    }

    /// The text of a statement keyword, or `None` for any other token.
    pub fn keyword(&self) -> Option<&'static str> {
        Some(match self {
            Token::Cohort => "cohort",
            Token::Axis => "axis",
            Token::Subset => "subset",
            Token::Tie => "tie",
            Token::Pair => "pair",
            Token::Tuple => "tuple",
            Token::Output => "output",
            Token::Reuse => "reuse",
            _ => return None,
        })
    }

    /// Whether this token opens a bracket: `(` or `[`.
    pub fn is_open(&self) -> bool {
        matches!(self, Token::LParen | Token::LBracket)
    }

    /// Whether this token closes a bracket: `)` or `]`.
    pub fn is_close(&self) -> bool {
        matches!(self, Token::RParen | Token::RBracket)
    }

    /// The closing bracket for an opening one, and the other way round.
    pub fn matching(&self) -> Option<Token<'static>> {
        match self {
            Token::LParen => Some(Token::RParen),
            Token::RParen => Some(Token::LParen),
            Token::LBracket => Some(Token::RBracket),
            Token::RBracket => Some(Token::LBracket),
            _ => None,
        }
    }

    /// How the token is named in messages, e.g. "`=`", "keyword `axis`", "string `\"a b\"`".
    pub fn describe(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Str(s) => format!("string `{s}`"),
            Token::Comment(_) => "a comment".to_string(),
            t if t.is_keyword() => format!("keyword `{t}`"),
            t => format!("`{t}`"),
        }
    }
}

impl fmt::Display for Token<'_> {
    /// Writes the token as it appears in the source.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(k) = self.keyword() {
            return f.write_str(k);
        }
        f.write_str(match self {
            Token::Word(w) | Token::Str(w) | Token::Comment(w) => w,
            Token::DotDot => "..",
            Token::Eq => "=",
            Token::Comma => ",",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            _ => "",
        })
    }
}

/// Finds the end of a string that starts at the `"` just matched: the closing quote, else the end of the line.
fn lex_string<'src>(lex: &mut logos::Lexer<'src, Token<'src>>) -> &'src str {
    let bytes = lex.remainder().as_bytes();
    let mut i = 0;
    let len = loop {
        match bytes.get(i) {
            None => break i,
            Some(b'"') => break i + 1,
            Some(b'\n' | b'\r') => break i,
            // An escape never ends the string, but a backslash at the end of a line does not hide the line break.
            Some(b'\\') if !matches!(bytes.get(i + 1), None | Some(b'\n' | b'\r')) => i += 2,
            Some(_) => i += 1,
        }
    };
    // Skipping two bytes after a backslash may land inside a multi-byte character; the stop
    // points above are all ASCII, so `len` is still a character boundary.
    lex.bump(len);
    lex.slice()
}

/// What a string literal holds once its escapes are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StrScan {
    /// The unescaped text; an invalid escape is kept as written.
    pub value: String,
    /// Whether the literal has its closing quote.
    pub terminated: bool,
    /// The byte ranges (relative to the literal's start) of escapes other than `\" \\ \n \t`.
    pub bad_escapes: Vec<Span>,
}

/// Reads a string literal as written (starting with `"`), unescaping `\" \\ \n \t`.
pub fn scan_string(raw: &str) -> StrScan {
    let mut value = String::with_capacity(raw.len());
    let mut bad_escapes = Vec::new();
    let mut terminated = false;
    let mut chars = raw.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                terminated = true;
                break;
            }
            '\\' => match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((j, other)) => {
                    bad_escapes.push(i..j + other.len_utf8());
                    value.push('\\');
                    value.push(other);
                }
                None => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    StrScan { value, terminated, bad_escapes }
}

/// Whether a string literal as written (starting with `"`) has its closing quote.
pub fn is_terminated(raw: &str) -> bool {
    let Some(inner) = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return false;
    };
    // The final quote closes the string unless an odd number of backslashes escapes it.
    let backslashes = inner.len() - inner.trim_end_matches('\\').len();
    backslashes % 2 == 0
}

/// The value of a string literal as written (starting with `"`), escapes resolved.
pub fn unescape(raw: &str) -> String {
    // Most strings have no escapes; skip the character-by-character walk for them.
    match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains(['\\', '"']) => inner.to_string(),
        _ => scan_string(raw).value,
    }
}

/// The output of [`lex`]: tokens without comments, the comments, and lexical errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lexed<'src> {
    /// Every token except comments, in source order. Stray characters are left out (or glued
    /// to the word they touch); unterminated strings are kept as `Str` tokens.
    pub tokens: Vec<(Token<'src>, Span)>,
    pub comments: Vec<Comment>,
    /// E0001–E0004, in source order.
    pub errors: Vec<SyntaxError>,
}

/// The character the loader puts in place of each byte that is not valid UTF-8.
const INVALID_UTF8_MARK: char = '\u{1A}';

/// Splits `text` into tokens, comments and lexical errors. Never panics.
pub fn lex(text: &str) -> Lexed<'_> {
    // Specs average about one token per five bytes; reserving up front avoids regrowing a large list.
    let mut out = Lexed { tokens: Vec::with_capacity(text.len() / 5 + 8), ..Lexed::default() };
    report_invalid_utf8(text, &mut out.errors);

    let mut lexer = Token::lexer(text).spanned().peekable();
    while let Some((result, span)) = lexer.next() {
        match result {
            Ok(Token::Comment(raw)) => out.comments.push(Comment { text: raw[1..].to_string(), span }),
            Ok(Token::Str(raw)) => {
                check_string(raw, span.start, &mut out.errors);
                out.tokens.push((Token::Str(raw), span));
            }
            Ok(token) => out.tokens.push((token, span)),
            Err(()) => {
                // Logos reports one error per character; take the whole run of touching stray characters.
                let mut run = span;
                while let Some((Err(()), next)) = lexer.peek() {
                    if next.start != run.end {
                        break;
                    }
                    run.end = next.end;
                    lexer.next();
                }
                report_stray(text, run.clone(), &mut out.errors);
                // Glue the run to a word it touches so that `Jérôme` or `a@b` gives one error, not a cascade.
                let mut start = run.start;
                let mut end = run.end;
                let mut glued = false;
                if let Some((Token::Word(_), prev)) = out.tokens.last() {
                    if prev.end == start {
                        start = prev.start;
                        out.tokens.pop();
                        glued = true;
                    }
                }
                if let Some((Ok(Token::Word(_)), next)) = lexer.peek() {
                    if next.start == end {
                        end = next.end;
                        lexer.next();
                        glued = true;
                    }
                }
                if glued {
                    out.tokens.push((Token::Word(&text[start..end]), start..end));
                }
            }
        }
    }
    out.errors.sort_by_key(|e| e.span.start);
    out
}

/// Reports each run of U+001A anywhere in the text, strings and comments included.
fn report_invalid_utf8(text: &str, errors: &mut Vec<SyntaxError>) {
    let mut rest = 0;
    while let Some(found) = text[rest..].find(INVALID_UTF8_MARK) {
        let start = rest + found;
        let len = text[start..].find(|c| c != INVALID_UTF8_MARK).unwrap_or(text.len() - start);
        let end = start + len;
        errors.push(SyntaxError {
            code: codes::INVALID_UTF8,
            message: "invalid UTF-8 in the source".to_string(),
            span: start..end,
            label: "these bytes are not valid UTF-8".to_string(),
            secondary: Vec::new(),
            help: Some("save the file as UTF-8".to_string()),
        });
        rest = end;
    }
}

/// Reports a run of stray characters, leaving out U+001A (already reported as E0003).
fn report_stray(text: &str, run: Span, errors: &mut Vec<SyntaxError>) {
    let slice = &text[run.clone()];
    let Some(first) = slice.find(|c| c != INVALID_UTF8_MARK) else {
        return;
    };
    let last = slice
        .rfind(|c| c != INVALID_UTF8_MARK)
        .map_or(first, |i| i + slice[i..].chars().next().map_or(1, char::len_utf8));
    let start = run.start + first;
    let end = run.start + last;
    let run_text = &text[start..end];
    let many = run_text.chars().nth(1).is_some();
    // A long run (a pasted binary blob, say) is shown by its start only.
    let shown: String = run_text.chars().take(24).collect();
    let more = if run_text.chars().nth(24).is_some() { "…" } else { "" };
    errors.push(SyntaxError {
        code: codes::UNEXPECTED_CHARACTER,
        message: format!("unexpected character{} `{}{more}`", if many { "s" } else { "" }, shown.escape_debug()),
        span: start..end,
        label: "not allowed outside a quoted string".to_string(),
        secondary: Vec::new(),
        help: Some(
            "a bare value may hold only letters, digits, `_`, and inner `.` or `-`; \
             write anything else as a quoted string, e.g. \"deepseek/r1:free\""
                .to_string(),
        ),
    });
}

/// Reports a string's invalid escapes and a missing closing quote.
fn check_string(raw: &str, offset: usize, errors: &mut Vec<SyntaxError>) {
    if !raw.contains('\\') && is_terminated(raw) {
        return;
    }
    let scan = scan_string(raw);
    for bad in scan.bad_escapes {
        let escape = &raw[bad.clone()];
        errors.push(SyntaxError {
            code: codes::INVALID_ESCAPE,
            message: format!("invalid escape `{escape}` in a string"),
            span: offset + bad.start..offset + bad.end,
            label: "unknown escape".to_string(),
            secondary: Vec::new(),
            help: Some(r#"the escapes are `\"`, `\\`, `\n` and `\t`; write a backslash as `\\`"#.to_string()),
        });
    }
    if !scan.terminated {
        errors.push(SyntaxError {
            code: codes::UNTERMINATED_STRING,
            message: "unterminated string".to_string(),
            span: offset..offset + raw.len(),
            label: "this string has no closing `\"`".to_string(),
            secondary: Vec::new(),
            help: Some("close the string with `\"` on the same line; write a line break as `\\n`".to_string()),
        });
    }
}
