//! What an editor draws over the text: inlay hints, semantic tokens and folding ranges.

use std::collections::HashMap;

use dslc_db::{Db, SourceFile};
use dslc_syntax::ast::Statement;
use dslc_syntax::lexer::{lex, Token as Lexed};
use dslc_syntax::Span;

use crate::Spec;

/// A label shown after byte `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: usize,
    pub label: String,
}

/// The inlay hints whose offset lies in `range`: the level count after each axis,
/// `before×before → after` after each rule, and `N rows · drafts · essays · evaluations` after
/// the `cohort` statement (only when the spec has no errors).
pub fn inlay_hints(db: &dyn Db, spec: SourceFile, range: Span) -> Vec<InlayHint> {
    let spec = Spec::new(db, spec);
    let design = spec.design();
    let ast = spec.ast();
    let text = spec.text();
    let mut out = Vec::new();
    if let Some(counts) = dslc_db::counts(db, spec.file) {
        let mut label = dslc_db::describe_count(counts.rows, "row");
        for (n, noun) in [(counts.drafts, "draft"), (counts.essays, "essay"), (counts.evaluations, "evaluation")] {
            if let Some(n) = n {
                label.push_str(&format!(" · {}", dslc_db::describe_count(n, noun)));
            }
        }
        // At the end of the cohort statement, else of the first statement's first line.
        let anchor = ast
            .statements
            .iter()
            .find_map(|s| match s {
                Statement::Cohort(c) => Some(c.span.end),
                _ => None,
            })
            .or_else(|| {
                let start = ast.statements.first()?.span().start;
                Some(text[start..].find('\n').map_or(text.len(), |i| start + i))
            });
        if let Some(anchor) = anchor {
            out.push(InlayHint { offset: anchor, label });
        }
    }
    for statement in &ast.statements {
        let (name, span) = match statement {
            Statement::Axis(s) => {
                if let Some(fact) = design.axes.iter().find(|a| a.name == s.name.text) {
                    out.push(InlayHint { offset: s.span.end, label: format!("{} levels", fact.declared_levels) });
                }
                continue;
            }
            Statement::Tie(s) => (&s.name.text, &s.span),
            Statement::Pair(s) => (&s.name.text, &s.span),
            Statement::Tuple(s) => (&s.name.text, &s.span),
            Statement::Cohort(_) | Statement::Subset(_) | Statement::Output(_) | Statement::Reuse(_) => continue,
        };
        if let Some(rule) = design.rules.iter().find(|r| &r.name == name) {
            let before: Vec<String> = rule.before.iter().map(|(_, c)| c.to_string()).collect();
            out.push(InlayHint { offset: span.end, label: format!("{} → {}", before.join("×"), rule.after) });
        }
    }
    out.retain(|hint| range.start <= hint.offset && hint.offset <= range.end);
    out
}

/// Token classes, in the order of the LSP legend `dslc-lsp` announces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    String,
    Number,
    /// An axis name.
    Axis,
    /// `file` in `file(…)`.
    Function,
    /// A value (a level, a catalog ID).
    Value,
    Comment,
    /// A tie, pair or tuple name.
    Rule,
}

impl TokenKind {
    pub const ALL: [TokenKind; 8] = [
        TokenKind::Keyword,
        TokenKind::String,
        TokenKind::Number,
        TokenKind::Axis,
        TokenKind::Function,
        TokenKind::Value,
        TokenKind::Comment,
        TokenKind::Rule,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
}

/// Every classified token of a spec, comments included, in source order.
pub fn semantic_tokens(db: &dyn Db, spec: SourceFile) -> Vec<Token> {
    let spec = Spec::new(db, spec);
    let names = spec.names();
    let path = spec.path();
    // Every name written in the spec, by start offset: one lookup per token keeps this linear.
    let mut named: HashMap<usize, (usize, TokenKind)> = HashMap::new();
    for symbol in &names.symbols {
        let kind = if symbol.kind.is_rule() { TokenKind::Rule } else { TokenKind::Axis };
        for site in symbol.sites.iter().filter(|s| *s.file == *path) {
            named.insert(site.span.start, (site.span.end, kind));
        }
    }
    for (_, site) in names.unresolved.iter().filter(|(_, s)| *s.file == *path) {
        named.insert(site.span.start, (site.span.end, TokenKind::Axis));
    }
    let lexed = lex(spec.text());
    let mut out: Vec<Token> = Vec::new();
    for (i, (token, span)) in lexed.tokens.iter().enumerate() {
        let kind = match token {
            t if t.is_keyword() => TokenKind::Keyword,
            // `from` and `none` are keywords only right after `reuse`.
            Lexed::Word("from" | "none") if i > 0 && lexed.tokens[i - 1].0 == Lexed::Reuse => TokenKind::Keyword,
            Lexed::Str(_) => TokenKind::String,
            Lexed::Word(w) => {
                if let Some(&(_, kind)) = named.get(&span.start).filter(|(end, _)| *end == span.end) {
                    kind
                } else if *w == "file" && lexed.tokens.get(i + 1).is_some_and(|(t, _)| *t == Lexed::LParen) {
                    TokenKind::Function
                } else if w.bytes().all(|b| b.is_ascii_digit()) {
                    TokenKind::Number
                } else {
                    TokenKind::Value
                }
            }
            _ => continue,
        };
        out.push(Token { span: span.clone(), kind });
    }
    out.extend(lexed.comments.iter().map(|c| Token { span: c.span.clone(), kind: TokenKind::Comment }));
    out.sort_by_key(|t| t.span.start);
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    /// A statement over several lines (a long list, a pair's items).
    Statement,
    /// Consecutive comment lines.
    Comment,
}

/// A foldable region: it spans more than one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fold {
    pub span: Span,
    pub kind: FoldKind,
}

/// Statements that cover several lines, and runs of two or more comment lines.
pub fn folding_ranges(db: &dyn Db, spec: SourceFile) -> Vec<Fold> {
    let spec = Spec::new(db, spec);
    let text = spec.text();
    let multiline = |span: &Span| text.get(span.clone()).is_some_and(|t| t.trim_end().contains('\n'));
    let mut out: Vec<Fold> = spec
        .ast()
        .statements
        .iter()
        .map(|s| s.span())
        .filter(|span| multiline(span))
        .map(|span| Fold { span, kind: FoldKind::Statement })
        .collect();
    let mut run: Option<Span> = None;
    let comments = lex(text).comments;
    for comment in &comments {
        // Two comments join a run when only a line break (and indentation) lies between them.
        let joins = run.as_ref().is_some_and(|r| {
            text.get(r.end..comment.span.start)
                .is_some_and(|gap| gap.trim().is_empty() && gap.matches('\n').count() == 1)
        });
        match (&mut run, joins) {
            (Some(r), true) => r.end = comment.span.end,
            _ => {
                if let Some(r) = run.take().filter(&multiline) {
                    out.push(Fold { span: r, kind: FoldKind::Comment });
                }
                run = Some(comment.span.clone());
            }
        }
    }
    if let Some(r) = run.filter(multiline) {
        out.push(Fold { span: r, kind: FoldKind::Comment });
    }
    out.sort_by_key(|f| f.span.start);
    out
}
