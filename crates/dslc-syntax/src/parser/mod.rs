//! The error-recovering parser: splits the tokens into statements, repairs brackets, and parses each statement with chumsky.
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

mod chunks;
mod errors;
mod statements;

use chunks::*;
pub(crate) use chunks::{keyword_typo, split, split_chunk};
use errors::*;
use statements::*;

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
const CUSTOM_REUSE_EMPTY: &str = "reuse-empty";
const CUSTOM_REUSE_BARE: &str = "reuse-bare";

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
