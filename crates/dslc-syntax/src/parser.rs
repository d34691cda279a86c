//! The error-recovering parser: splits the tokens into statements, repairs brackets, and parses each statement with chumsky.
//!
//! Why one file of over 800 lines: the split into statements / values / errors is planned with
//! issue #9; until then the three recovery layers below are kept together.
//!
//! Recovery works in three layers, outermost first:
//!
//! 1. **Statements.** The token list is cut into chunks, one per statement. A chunk ends before
//!    a statement keyword at bracket depth 0, or before a keyword that begins a line and is
//!    followed on that line by a word while a bracket is still open (inside a list that is never
//!    valid, so it must be the next statement). A broken statement never swallows the next one.
//! 2. **Brackets.** Each chunk's brackets are matched before parsing. An unclosed or mismatched
//!    bracket is reported once (E0011, at the opening bracket) and the chunk is repaired by
//!    inserting zero-width closers, so the statement can still be parsed and kept.
//! 3. **List elements.** Inside `[…]` and `(…)` a broken element is reported and skipped up to
//!    the next `,` or closing bracket at its depth, so one run reports every bad item.
//!
//! Names, range bounds and pair arity are checked without failing the statement where possible:
//! the statement stays in the tree and the error is reported beside it.
//!
//! `parse` is `lex`, `split` and `finish`. `crate::ParseCache` runs the same steps but memoizes
//! `finish`'s work per chunk and re-lexes and re-cuts (`split_chunk`) only the lines around an edit.

use chumsky::error::RichPattern;
use chumsky::error::RichReason;
use chumsky::input::{InputRef, ValueInput};
use chumsky::prelude::*;

use crate::ast::*;
use crate::codes;
use crate::error::SyntaxError;
use crate::lexer::{is_terminated, lex, unescape, Token, KEYWORDS};
use crate::ParseResult;

/// Brackets nested deeper than this are an error; it bounds the parser's recursion.
pub(crate) const MAX_DEPTH: usize = 64;

type Extra<'t, 's> = extra::Err<Rich<'t, Token<'s>, Span>>;

/// The input the statement parsers read: a chunk of `(token, span)` pairs.
trait TokenInput<'t, 's: 't>: ValueInput<'t, Token = Token<'s>, Span = Span> {}
impl<'t, 's: 't, I: ValueInput<'t, Token = Token<'s>, Span = Span>> TokenInput<'t, 's> for I {}

/// Kinds of custom errors raised inside the parsers, turned into `SyntaxError`s by `convert`.
/// Rich's custom errors carry only a string, so the kind travels as the message.
const CUSTOM_BAD_INT: &str = "bad-int";
const CUSTOM_BARE_LEVEL: &str = "bare-level";
const CUSTOM_PAIR_ARITY: &str = "pair-arity";

/// Parses a spec file. Never panics.
pub(crate) fn parse(text: &str) -> ParseResult {
    let lexed = lex(text);
    let mut repairs = Vec::new();
    let chunks = split(text, &lexed.tokens, &mut repairs);
    let jobs: Vec<ChunkJob<'_, '_, '_>> = chunks.iter().map(|chunk| chunk.job(&lexed.tokens, &repairs)).collect();
    // Every job has its tokens, so nothing is missing.
    finish(text, lexed.errors, lexed.comments, &jobs, None).unwrap_or_default()
}

/// What chumsky and the name check give for one statement chunk: the statement (if it parsed),
/// its syntax errors and the errors about its names, in the order `parse` reports them.
///
/// For a given [`ChunkKey`] this is a pure function of the key's text, up to a shift of every
/// span by the chunk's start (see [`ChunkOutput::cacheable`]), which is what lets
/// [`crate::ParseCache`] reuse it.
#[derive(Clone, Debug)]
pub(crate) struct ChunkOutput {
    pub(crate) statement: Option<Statement>,
    pub(crate) errors: Vec<SyntaxError>,
    pub(crate) name_errors: Vec<SyntaxError>,
}

/// A statement chunk as a memo sees it.
pub(crate) struct ChunkKey<'a> {
    /// The source from the chunk's first token (its keyword) to the end of its last token.
    pub(crate) text: &'a str,
    /// The byte offset of `text` in the file.
    pub(crate) start: usize,
    /// Whether the chunk holds the file's last token: "found end of file" vs "end of statement".
    pub(crate) at_eof: bool,
}

/// Remembers chunk outputs between parses; see `crate::cache`.
pub(crate) trait ChunkMemo {
    /// The output stored for `key`, with spans made absolute for `key.start`.
    fn get(&mut self, key: &ChunkKey<'_>) -> Option<ChunkOutput>;
    /// Stores the output just computed for `key` (absolute spans).
    fn put(&mut self, key: &ChunkKey<'_>, output: &ChunkOutput);
}

impl ChunkOutput {
    /// Whether this output, computed for `key`, read nothing of the text outside `key.text`.
    ///
    /// Chumsky's spans are token spans or the zero-width end of the chunk, so this always holds
    /// in practice; it is checked rather than assumed. `convert` looks at the text before an
    /// error (`at_line_start`, a comma before it); for an error after the keyword that text ends
    /// inside the chunk, because the keyword is not blank, so an error at or before the keyword
    /// makes the chunk uncacheable. `custom_error` reads the text under the span.
    pub(crate) fn cacheable(&self, key: &ChunkKey<'_>) -> bool {
        let end = key.start + key.text.len();
        let inside = |span: &Span| span.start >= key.start && span.start <= end && span.end <= end;
        self.errors
            .iter()
            .chain(&self.name_errors)
            .all(|e| e.span.start > key.start && inside(&e.span) && e.secondary.iter().all(|(span, _)| inside(span)))
    }
}

/// What `split` found for one chunk, apart from its tokens: all that the rest of the parse needs
/// of a chunk whose output is memoized, and what `crate::ParseCache` keeps between parses.
#[derive(Clone, Debug)]
pub(crate) struct ChunkInfo {
    /// The index in `KEYWORDS` of the statement's keyword; `None` for leading junk.
    pub(crate) keyword: Option<usize>,
    /// The byte offset of the chunk's first token.
    pub(crate) start: usize,
    /// The byte offset just after the chunk's last token.
    pub(crate) eoi: usize,
    /// Whether the chunk runs to the end of the file.
    pub(crate) at_eof: bool,
    /// Whether brackets nest deeper than `MAX_DEPTH`.
    pub(crate) too_deep: bool,
    /// The errors `split` reported for the chunk: bracket errors, or a missing statement keyword.
    pub(crate) errors: Vec<SyntaxError>,
    /// The byte offset after the last token that `split` looked at to cut and repair this chunk,
    /// gaps before it included (the token after the next chunk's first one); `usize::MAX` if it
    /// looked for a token past the last one. The chunk is cut the same way while the text before
    /// this offset is unchanged.
    pub(crate) needs_until: usize,
}

/// One statement's tokens (or, at the start of a file, tokens before the first statement).
pub(crate) struct Chunk {
    pub(crate) info: ChunkInfo,
    /// The chunk's tokens: indices into the lexed tokens, or into the repairs if `repaired`.
    tokens: std::ops::Range<usize>,
    /// Whether brackets were inserted, replaced or removed to balance the chunk; its tokens are then a copy.
    repaired: bool,
    /// Whether a string in the chunk is unterminated; its other errors are then likely echoes.
    unterminated_string: bool,
    /// The index of the token after the chunk, where the next chunk starts.
    pub(crate) next: usize,
}

/// A chunk's tokens, ready for chumsky.
#[derive(Clone, Copy)]
pub(crate) struct ChunkTokens<'t, 's> {
    tokens: &'t [(Token<'s>, Span)],
    repaired: bool,
    unterminated_string: bool,
}

impl Chunk {
    /// The chunk's tokens, from the token list `split` read or from its repairs.
    pub(crate) fn tokens<'t, 's>(
        &self,
        tokens: &'t [(Token<'s>, Span)],
        repairs: &'t [(Token<'s>, Span)],
    ) -> ChunkTokens<'t, 's> {
        let list = if self.repaired { repairs } else { tokens };
        ChunkTokens {
            tokens: &list[self.tokens.clone()],
            repaired: self.repaired,
            unterminated_string: self.unterminated_string,
        }
    }

    pub(crate) fn job<'a, 't, 's>(
        &'a self,
        tokens: &'t [(Token<'s>, Span)],
        repairs: &'t [(Token<'s>, Span)],
    ) -> ChunkJob<'a, 't, 's> {
        ChunkJob { info: &self.info, tokens: Some(self.tokens(tokens, repairs)) }
    }
}

/// A chunk for `finish`: what `split` found, and its tokens unless it was cut in an earlier parse.
pub(crate) struct ChunkJob<'a, 't, 's> {
    pub(crate) info: &'a ChunkInfo,
    pub(crate) tokens: Option<ChunkTokens<'t, 's>>,
}

/// Runs chumsky and the name check on every statement chunk (or takes their output from `memo`)
/// and puts the result together. `lex_errors` and `comments` are the lexer's, for the whole file.
///
/// Errors are collected as they always were: lexical errors, then `split`'s errors chunk by
/// chunk, then each chunk's syntax errors, then the name errors; then sorted by start (stably)
/// and deduplicated. Returns `None` if a chunk without tokens is not in the memo.
pub(crate) fn finish(
    text: &str,
    lex_errors: Vec<SyntaxError>,
    comments: Vec<Comment>,
    jobs: &[ChunkJob<'_, '_, '_>],
    mut memo: Option<&mut dyn ChunkMemo>,
) -> Option<ParseResult> {
    let mut errors = lex_errors;
    for job in jobs {
        errors.extend_from_slice(&job.info.errors);
    }

    // Built on the first chunk that needs chumsky; with a warm memo often never.
    let mut parsers = None;
    let mut statements = Vec::with_capacity(jobs.len());
    let mut name_errors = Vec::new();
    for job in jobs {
        let chunk = job.info;
        let Some(kind) = chunk.keyword else { continue };
        if chunk.too_deep {
            continue;
        }
        let key = ChunkKey { text: &text[chunk.start..chunk.eoi], start: chunk.start, at_eof: chunk.at_eof };
        let output = match memo.as_deref_mut().and_then(|memo| memo.get(&key)) {
            Some(output) => output,
            None => {
                let tokens = job.tokens?;
                let parsers = parsers.get_or_insert_with(statement_parsers);
                let (output, errs) =
                    parsers[kind].parse(tokens.tokens.split_token_span(chunk.eoi..chunk.eoi)).into_output_errors();
                let statement = output.flatten();
                let mut output = ChunkOutput { statement, errors: Vec::new(), name_errors: Vec::new() };
                for err in errs {
                    // An error at a zero-width closer that was inserted by the repair repeats the E0011.
                    let at_repair = tokens.repaired && err.found().is_some() && err.span().is_empty();
                    if at_repair || tokens.unterminated_string {
                        continue;
                    }
                    output.errors.push(convert(err, kind, chunk.at_eof, text));
                }
                if let Some(statement) = &output.statement {
                    check_names(statement, text, &mut output.name_errors);
                }
                if let Some(memo) = memo.as_deref_mut() {
                    memo.put(&key, &output);
                }
                output
            }
        };
        statements.extend(output.statement);
        errors.extend(output.errors);
        name_errors.extend(output.name_errors);
    }
    // Name errors come after every chunk's syntax errors, as they did when names were checked last.
    errors.append(&mut name_errors);

    errors.sort_by_key(|e| e.span.start);
    errors.dedup_by(|a, b| a.code == b.code && a.span == b.span);
    Some(ParseResult { file: SpecFile { statements }, comments, errors })
}

/// Cuts the tokens into statement chunks and balances each chunk's brackets.
///
/// Most chunks are used in place; a chunk whose brackets need repair is copied, with the repair
/// applied, into `repairs`.
pub(crate) fn split<'s>(text: &str, tokens: &[(Token<'s>, Span)], repairs: &mut Vec<(Token<'s>, Span)>) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let chunk = split_chunk(text, tokens, i, repairs);
        i = chunk.next;
        chunks.push(chunk);
    }
    chunks
}

/// Cuts the chunk that starts at `tokens[start]` and balances its brackets.
///
/// The chunk depends only on the tokens from `start` to the one after the next chunk's first,
/// and on the text between them (see `ChunkInfo::needs_until`), so `tokens` may be any run of
/// the file's tokens that starts at a chunk; `needs_until` is `usize::MAX` if the cut needed a
/// token past the end of `tokens`.
pub(crate) fn split_chunk<'s>(
    text: &str,
    tokens: &[(Token<'s>, Span)],
    start: usize,
    repairs: &mut Vec<(Token<'s>, Span)>,
) -> Chunk {
    let has_newline = |from: usize, to: usize| text.get(from..to).is_some_and(|gap| gap.contains(['\n', '\r']));
    let line_start = |i: usize| i == 0 || has_newline(tokens[i - 1].1.end, tokens[i].1.start);
    let same_line = |i: usize, j: usize| !has_newline(tokens[i].1.end, tokens[j].1.start);
    // A keyword followed on its line by a word or string: the shape of every statement's start.
    let looks_like_start = |i: usize| {
        tokens.get(i + 1).is_some_and(|(next, _)| matches!(next, Token::Word(_) | Token::Str(_)) && same_line(i, i + 1))
    };

    let mut i = start;
    let keyword = tokens[i].0.keyword().and_then(|k| KEYWORDS.iter().position(|&x| x == k));
    let repairs_start = repairs.len();
    // Once a repair is needed, the chunk's tokens so far are copied and every later token follows.
    let mut copying = false;
    let mut stack: Vec<(Token<'s>, Span)> = Vec::new();
    let mut too_deep = false;
    let mut unterminated_string = false;
    let mut chunk_errors: Vec<SyntaxError> = Vec::new();
    // The token index of the last stray closer, to merge runs of them.
    let mut last_stray: Option<usize> = None;
    let mut stray_count = 0usize;
    while i < tokens.len() {
        let (token, ref span) = tokens[i];
        if i > start && token.is_keyword() {
            let boundary = if stack.is_empty() {
                // `axis tuple = …` or `cohort output`: a keyword right after a statement keyword
                // on the same line is that statement's name or id, unless a statement starts there.
                let as_name = i == start + 1 && keyword.is_some() && same_line(start, i) && !looks_like_start(i);
                !as_name
            } else {
                line_start(i) && looks_like_start(i)
            };
            if boundary {
                break;
            }
        }
        let at = i;
        i += 1;
        if keyword.is_none() {
            // Leading junk is reported as a whole below and never parsed; only its brackets matter.
            if token.is_open() {
                stack.push((token, span.clone()));
            } else if token.is_close() {
                stack.pop();
            }
            continue;
        }
        match token {
            Token::Str(raw) if !is_terminated(raw) => unterminated_string = true,
            t if t.is_open() => {
                stack.push((t, span.clone()));
                if stack.len() > MAX_DEPTH && !too_deep {
                    too_deep = true;
                    chunk_errors.push(SyntaxError {
                        code: codes::SYNTAX_ERROR,
                        message: format!("brackets nested more than {MAX_DEPTH} levels deep"),
                        span: span.clone(),
                        label: "too deeply nested".to_string(),
                        secondary: Vec::new(),
                        help: Some("items need only a few levels of nesting; check for stray brackets".to_string()),
                    });
                }
            }
            t if t.is_close() => {
                let opener = t.matching().unwrap_or(Token::LParen);
                if stack.last().is_some_and(|(top, _)| *top == opener) {
                    stack.pop();
                } else if let Some(pos) = stack.iter().rposition(|(o, _)| *o == opener) {
                    // `[(x, y]`: the brackets above the match are never closed; close them here.
                    let open: Vec<_> = stack.drain(pos + 1..).rev().collect();
                    chunk_errors
                        .push(unclosed(&open, span.clone(), |close| format!("expected `{close}` before this `{t}`")));
                    start_copy(&mut copying, repairs, &tokens[start..at]);
                    for (o, _) in &open {
                        let close = o.matching().unwrap_or(Token::RParen);
                        repairs.push((close, span.start..span.start));
                    }
                    stack.pop();
                } else if let Some((open, open_span)) = stack.pop() {
                    // `(x]`: the closer is most likely a typo for the one that was expected.
                    let close = open.matching().unwrap_or(Token::RParen);
                    chunk_errors.push(unclosed(&[(open, open_span)], span.clone(), |close| {
                        format!("expected `{close}`, found `{t}`")
                    }));
                    start_copy(&mut copying, repairs, &tokens[start..at]);
                    repairs.push((close, span.clone()));
                    continue;
                } else {
                    // A run of stray closers on one line is one error, however long.
                    match chunk_errors.last_mut() {
                        Some(last)
                            if last_stray.is_some()
                                && last_stray == at.checked_sub(1)
                                && !has_newline(last.span.end, span.start) =>
                        {
                            stray_count += 1;
                            last.span.end = span.end;
                            last.message = format!("{stray_count} unexpected closing brackets");
                            last.label = "nothing to close".to_string();
                            last.help = Some("remove them".to_string());
                        }
                        _ => {
                            stray_count = 1;
                            chunk_errors.push(SyntaxError {
                                code: codes::SYNTAX_ERROR,
                                message: format!("unexpected closing `{t}`"),
                                span: span.clone(),
                                label: format!("no `{opener}` to close"),
                                secondary: Vec::new(),
                                help: Some(format!("remove this `{t}`")),
                            })
                        }
                    }
                    last_stray = Some(at);
                    start_copy(&mut copying, repairs, &tokens[start..at]);
                    continue;
                }
            }
            _ => {}
        }
        if copying {
            repairs.push((token, span.clone()));
        }
    }

    let eoi = tokens[i - 1].1.end;
    let mut errors = Vec::new();
    if keyword.is_some() {
        if !stack.is_empty() {
            stack.reverse();
            chunk_errors.push(unclosed(&stack, eoi..eoi, |close| format!("expected `{close}` here")));
            start_copy(&mut copying, repairs, &tokens[start..i]);
            for (o, _) in &stack {
                let close = o.matching().unwrap_or(Token::RParen);
                repairs.push((close, eoi..eoi));
            }
        }
    } else {
        let (first, span) = &tokens[start];
        errors.push(SyntaxError {
            code: codes::SYNTAX_ERROR,
            message: format!("expected a statement, found {}", first.describe()),
            span: span.clone(),
            label: "expected a statement keyword".to_string(),
            secondary: Vec::new(),
            help: Some(keyword_help(first)),
        });
    }
    // Bracket errors in a statement with an unterminated string are most likely its echoes.
    if !unterminated_string {
        errors.append(&mut chunk_errors);
    }
    // The cut looked at `tokens[i]` and `tokens[i + 1]` (`looks_like_start`), or found no more.
    let needs_until = tokens.get(i + 1).map_or(usize::MAX, |(_, span)| span.end);
    Chunk {
        info: ChunkInfo {
            keyword,
            start: tokens[start].1.start,
            eoi,
            at_eof: i == tokens.len(),
            too_deep,
            errors,
            needs_until,
        },
        tokens: if copying { repairs_start..repairs.len() } else { start..i },
        repaired: copying,
        unterminated_string,
        next: i,
    }
}

/// Starts a chunk's repaired copy with the chunk's tokens so far, unless it has started already.
fn start_copy<'s>(copying: &mut bool, repairs: &mut Vec<(Token<'s>, Span)>, so_far: &[(Token<'s>, Span)]) {
    if !*copying {
        repairs.extend_from_slice(so_far);
        *copying = true;
    }
}

/// One E0011 for brackets that are all left open at the same point, innermost first.
///
/// The innermost bracket is the primary span; a few outer ones get labels, and the help spells
/// out the missing closers, so a run of unclosed brackets is one error rather than one each.
fn unclosed(
    open: &[(Token<'_>, Span)],
    expected_at: Span,
    expected_label: impl Fn(Token<'_>) -> String,
) -> SyntaxError {
    let (inner, inner_span) = open.first().cloned().unwrap_or((Token::LParen, expected_at.clone()));
    let close = inner.matching().unwrap_or(Token::RParen);
    let mut secondary = vec![(expected_at, expected_label(close))];
    for (outer, outer_span) in open.iter().skip(1).take(3) {
        secondary.push((outer_span.clone(), format!("this `{outer}` is not closed either")));
    }
    let help = (open.len() > 1).then(|| {
        let closers: String =
            open.iter().take(16).map(|(o, _)| o.matching().unwrap_or(Token::RParen).to_string()).collect();
        let more = if open.len() > 16 { "…" } else { "" };
        format!("{} brackets are open here; close them with `{closers}{more}`", open.len())
    });
    SyntaxError {
        code: codes::UNCLOSED_DELIMITER,
        message: format!("unclosed `{inner}`"),
        span: inner_span,
        label: format!("this `{inner}` is never closed"),
        secondary,
        help,
    }
}

/// The help line for a token where a statement should start: a did-you-mean, or the keyword list.
fn keyword_help(found: &Token<'_>) -> String {
    match found {
        Token::Word(word) if similar_keyword(word).is_some() => {
            format!("did you mean `{}`?", similar_keyword(word).unwrap_or_default())
        }
        _ => "a statement starts with `cohort`, `axis`, `subset`, `tie`, `pair`, `tuple` or `output`".to_string(),
    }
}

/// The statement keyword a word is probably a misspelling of, if any.
fn similar_keyword(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    KEYWORDS
        .iter()
        .map(|k| (crate::distance::edit_distance(&lower, k), *k))
        .min()
        .filter(|(d, k)| *d <= 1 + k.len() / 4)
        .map(|(_, k)| k)
}

/// One parser per statement keyword, in `KEYWORDS` order, so a chunk goes straight to its parser.
fn statement_parsers<'t, 's: 't, I: TokenInput<'t, 's>>() -> [Boxed<'t, 't, I, Option<Statement>, Extra<'t, 's>>; 7] {
    let value = select! {
        Token::Word(w) = e => Value { text: w.to_string(), kind: ValueKind::Bare, span: e.span() },
        Token::Str(s) = e => Value { text: unescape(s), kind: ValueKind::Quoted, span: e.span() },
        t = e if t.is_keyword() => Value { text: t.to_string(), kind: ValueKind::Bare, span: e.span() },
    }
    .labelled("a value");

    // Anything that could be meant as a name is accepted here; `check_names` reports the ones that are not names.
    let name = select! {
        Token::Word(w) = e => Name { text: w.to_string(), span: e.span() },
        Token::Str(s) = e => Name { text: unescape(s), span: e.span() },
        t = e if t.is_keyword() => Name { text: t.to_string(), span: e.span() },
    }
    .labelled("a name");

    let string = select! { Token::Str(s) = e => (unescape(s), e.span()) }.labelled("a string");

    let file_ref = just(Token::Word("file"))
        .ignore_then(string.delimited_by(just(Token::LParen), just(Token::RParen)))
        .map_with(|(path, path_span), e| FileRef { path, path_span, span: e.span() });

    // A bad bound is reported and takes the other bound's value, so the statement (and its axis)
    // survive for later checks without a second, misleading error such as a reversed range.
    let int = select! { Token::Word(w) = e => (w, e.span()) }.labelled("an integer").validate(
        |(w, span): (&str, Span), _, emitter| match w.parse::<i64>() {
            Ok(n) => (Some(n), span),
            Err(_) => {
                emitter.emit(Rich::custom(span.clone(), CUSTOM_BAD_INT));
                (None, span)
            }
        },
    );
    let int_range =
        int.then_ignore(just(Token::DotDot)).then(int).map_with(|((start, start_span), (end, end_span)), e| IntRange {
            start: start.or(end).unwrap_or(1),
            start_span,
            end: end.or(start).unwrap_or(1),
            end_span,
            span: e.span(),
        });

    let value_list = elements(value, Token::RBracket)
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map_with(|values, e| ValueList { values: values.into_iter().flatten().collect(), span: e.span() });

    // `axis a = x`: one bare level is read as `[x]` and reported, which keeps the axis declared.
    let bare_level = value.then_ignore(end().rewind()).validate(|v, e, emitter| {
        emitter.emit(Rich::custom(e.span(), CUSTOM_BARE_LEVEL));
        ValueList { span: v.span.clone(), values: vec![v] }
    });

    let levels = choice((
        value_list.map(Levels::List),
        file_ref.map(Levels::File),
        int_range.map(Levels::Range),
        bare_level.map(Levels::List),
    ))
    .labelled("a list `[…]`, a range `A..B` or `file(\"…\")`");

    let item_tuple = recursive(|item_tuple| {
        let elem = choice((
            value.map(|v| Some(ItemElem::Value(v))),
            item_tuple.map(|t: Option<ItemTuple>| t.map(ItemElem::Tuple)),
        ));
        elements(elem, Token::RParen)
            .delimited_by(just(Token::LParen), just(Token::RParen))
            .map_with(|elems, e| {
                // A tuple with a broken element is dropped whole, so that no arity error echoes it.
                let elems: Option<Vec<ItemElem>> = elems.into_iter().map(Option::flatten).collect();
                elems.map(|elems| ItemTuple { elems, span: e.span() })
            })
            .labelled("a tuple `(…)`")
            .boxed()
    });

    let item_list = elements(item_tuple, Token::RBracket)
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map_with(|items, e| Items::List { items: items.into_iter().flatten().flatten().collect(), span: e.span() });
    let items = choice((item_list, file_ref.map(Items::File))).labelled("a list of tuples `[(…), …]` or `file(\"…\")`");

    let name_list = name
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map_with(|names, e| (names, e.span()))
        .labelled("a list of axes `(…)`");

    let balance = just(Token::Word("balance")).ignore_then(
        select! {
            Token::Word("left") = e => (Balance::Left, e.span()),
            Token::Word("right") = e => (Balance::Right, e.span()),
            Token::Word("both") = e => (Balance::Both, e.span()),
        }
        .labelled("`left`, `right` or `both`"),
    );

    let note = select! {
        Token::Str(s) = e => Value { text: unescape(s), kind: ValueKind::Quoted, span: e.span() },
    }
    .labelled("a quoted note");

    let cohort = just(Token::Cohort)
        .ignore_then(value)
        .then(note.or_not())
        .map_with(|(id, note), e| Some(Statement::Cohort(CohortStmt { id, note, span: e.span() })));

    let axis = just(Token::Axis)
        .ignore_then(name)
        .then_ignore(just(Token::Eq))
        .then(levels.clone())
        .map_with(|(name, levels), e| Some(Statement::Axis(AxisStmt { name, levels, span: e.span() })));

    let subset = just(Token::Subset)
        .ignore_then(name)
        .then_ignore(just(Token::Eq))
        .then(levels)
        .map_with(|(axis, levels), e| Some(Statement::Subset(SubsetStmt { axis, levels, span: e.span() })));

    let tie = just(Token::Tie).ignore_then(name).then(name_list).map_with(|(name, (axes, axes_span)), e| {
        Some(Statement::Tie(TieStmt { name, axes, axes_span, span: e.span() }))
    });

    let pair = just(Token::Pair)
        .ignore_then(name)
        .then(name_list)
        .then(balance.or_not())
        .then_ignore(just(Token::Eq))
        .then(items.clone())
        .validate(|(((name, (axes, axes_span)), balance), items), e, emitter| {
            let [left, right]: [Name; 2] = match axes.try_into() {
                Ok(pair) => pair,
                Err(axes) => {
                    let axes: Vec<Name> = axes;
                    emitter.emit(Rich::custom(axes_span, format!("{CUSTOM_PAIR_ARITY}:{}", axes.len())));
                    return None;
                }
            };
            Some(Statement::Pair(PairStmt { name, left, right, balance, items, span: e.span() }))
        });

    let tuple = just(Token::Tuple).ignore_then(name).then(name_list).then_ignore(just(Token::Eq)).then(items).map_with(
        |((name, (axes, axes_span)), items), e| {
            Some(Statement::Tuple(TupleStmt { name, axes, axes_span, items, span: e.span() }))
        },
    );

    let output = just(Token::Output)
        .ignore_then(name.separated_by(just(Token::Comma)).allow_trailing().at_least(1).collect::<Vec<_>>())
        .map_with(|fields, e| Some(Statement::Output(OutputStmt { fields, span: e.span() })));

    // Tokens left after a complete statement are reported once and skipped; the statement is kept.
    let rest = || end().recover_with(via_parser(any().repeated().at_least(1)));
    [
        cohort.then_ignore(rest()).boxed(),
        axis.then_ignore(rest()).boxed(),
        subset.then_ignore(rest()).boxed(),
        tie.then_ignore(rest()).boxed(),
        pair.then_ignore(rest()).boxed(),
        tuple.then_ignore(rest()).boxed(),
        output.then_ignore(rest()).boxed(),
    ]
}

/// Comma-separated elements up to `close`, with a trailing comma allowed.
///
/// An element that fails, or that is not followed by `,` or `close`, is reported and skipped up
/// to the next `,` or closing bracket at its own depth; it comes out as `None`.
fn elements<'t, 's: 't, I, O>(
    elem: impl Parser<'t, I, O, Extra<'t, 's>> + Clone,
    close: Token<'s>,
) -> impl Parser<'t, I, Vec<Option<O>>, Extra<'t, 's>> + Clone
where
    I: TokenInput<'t, 's>,
{
    elem.then_ignore(one_of([Token::Comma, close]).rewind())
        .map(Some)
        .recover_with(via_parser(skip_element().map(|()| None)))
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
}

/// Skips tokens up to the next `,` or closing bracket at depth 0 (brackets are balanced by `split`).
fn skip_element<'t, 's: 't, I: TokenInput<'t, 's>>() -> impl Parser<'t, I, (), Extra<'t, 's>> + Clone {
    custom(|inp: &mut InputRef<'t, '_, I, Extra<'t, 's>>| {
        let before = inp.cursor();
        let mut depth = 0usize;
        let mut skipped = 0usize;
        while let Some(token) = inp.peek() {
            if depth == 0 && (token == Token::Comma || token.is_close()) {
                break;
            }
            if token.is_open() {
                depth += 1;
            } else if token.is_close() {
                depth -= 1;
            }
            inp.skip();
            skipped += 1;
        }
        // `[a, , b]`: a missing element is reported and skipped; `[a, ]` is a trailing comma, not an error,
        // so at a closing bracket the recovery fails and the list ends normally.
        if skipped == 0 {
            if inp.peek() != Some(Token::Comma) {
                // The recovery fails and the original error stands; this error is discarded.
                return Err(Rich::custom(inp.span_since(&before), "nothing to skip"));
            }
            // `[a, , , b]` is one error: skip all but the last of a run of commas.
            loop {
                let checkpoint = inp.save();
                inp.skip();
                if inp.peek() != Some(Token::Comma) {
                    inp.rewind(checkpoint);
                    break;
                }
            }
        }
        Ok(())
    })
}

/// Turns a chumsky error into a diagnostic.
fn convert(err: Rich<'_, Token<'_>, Span>, keyword: usize, at_eof: bool, text: &str) -> SyntaxError {
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
            SyntaxError {
                code: codes::SYNTAX_ERROR,
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
fn custom_error(msg: &str, span: Span, text: &str) -> SyntaxError {
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
fn check_names(statement: &Statement, text: &str, errors: &mut Vec<SyntaxError>) {
    let (head, rest): (Option<&Name>, &[Name]) = match statement {
        Statement::Cohort(_) => (None, &[]),
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
