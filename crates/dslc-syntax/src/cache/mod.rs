//! Incremental re-parsing: [`ParseCache`] remembers the previous parse, so that after an edit
//! only the statements whose text changed go through chumsky again, and only the lines around
//! the edit are lexed and cut into statements again.
//!
//! Two layers, each exact on its own:
//!
//! 1. **Chunk outputs** (`Memo`): chumsky's parse of a statement chunk and the name check of its
//!    statement (`parser::ChunkOutput`), keyed by the chunk's source text and whether it holds
//!    the file's last token.
//! 2. **The front end** (`Snapshot`): the previous text, its comments and lexical errors, and
//!    how `split` cut it into chunks. The part of the file before and after an edit is taken from
//!    it; the lines around the edit are lexed and cut again until the cut meets a chunk boundary
//!    of the previous parse beyond the edit.
//!
//! If either layer cannot serve a parse, the whole file is lexed and cut as by `parse`, with the
//! chunk outputs still memoized.
//!
//! # Why the memo key is enough
//!
//! A chunk's output is keyed by the chunk's exact source text, from the start of its first token
//! (the statement keyword) to the end of its last token, and by whether the chunk holds the
//! file's last token:
//!
//! - The tokens inside that range are a function of its text: the lexer starts each token fresh,
//!   and a token that ends inside the range was chosen by the longest match that ends there.
//!   Comments and stray characters inside the range are dropped or glued the same way.
//! - Bracket repair (`split`) looks only at the chunk's tokens and at line breaks between them;
//!   inserted closers sit at a closer inside the chunk or at its end. Which tokens form the
//!   chunk depends on its neighbours, but once they do, nothing else of them is read.
//! - Chumsky sees only the chunk's tokens and, for errors at the end, the zero-width span at the
//!   end of the last token, so every span shifts with the chunk.
//! - Converting errors reads the text under an error's span (inside the chunk), the text before
//!   it (inside the chunk too, since the keyword before it is not blank), and whether the chunk
//!   ends the file ("found end of file" vs "found end of statement"), which is in the key.
//!   An output that breaks these assumptions is not stored (`ChunkOutput::cacheable`).
//!
//! Outputs are stored with spans relative to the chunk's start and shifted on a hit.
//!
//! # Why the front end may reuse the text around an edit
//!
//! - **Lexing is line-local.** No token, comment or lexical error contains a line break (`\n`
//!   or `\r`; strings and comments stop at either), a stray character is glued only to a word it
//!   touches, and the lexer starts fresh after a line break. So the lexer's output for a run of
//!   whole lines depends only on those lines, and the lines that did not change keep theirs.
//! - **A chunk's cut is local.** `split_chunk` reads the tokens from the chunk's first up to the
//!   one after the next chunk's first, and the gaps between them (`ChunkInfo::needs_until`). A
//!   chunk of the previous parse whose `needs_until` lies before the first changed line is cut
//!   the same way now. Cutting from a token depends only on the tokens from there on, so once a
//!   new chunk starts, beyond the changed lines, where a previous chunk started, every later chunk
//!   is the previous one shifted by the change in length.
//!
//! # Memory
//!
//! After each parse only the memo entries that parse used are kept, plus one copy of the text,
//! so the cache holds about one copy of the current file's text and tree however long an
//! editing session runs.

mod patch;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::ast::*;
use crate::error::SyntaxError;
use crate::lexer::{lex, Token};
use crate::parser::{finish, split, split_chunk, Chunk, ChunkInfo, ChunkJob, ChunkKey, ChunkMemo, ChunkOutput};
use crate::ParseResult;

/// A parser that remembers the previous parse, for re-parsing a file after edits.
///
/// [`ParseCache::parse`] always returns exactly what [`crate::parse`] returns for the same text;
/// only the time differs. Keep one cache per file: it remembers only the latest text, so
/// alternating between files would re-parse everything.
///
/// ```
/// let mut cache = dslc_syntax::ParseCache::default();
/// cache.parse("axis a = [x]\naxis b = [y]\n");
/// let after = cache.parse("axis a = [x, z]\naxis b = [y]\n");
/// assert_eq!(after, dslc_syntax::parse("axis a = [x, z]\naxis b = [y]\n"));
/// let stats = cache.last_parse_stats();
/// assert_eq!((stats.parsed, stats.reused), (1, 1));
/// ```
#[derive(Default)]
pub struct ParseCache {
    memo: Memo,
    /// The front end of the latest parse.
    snapshot: Option<Snapshot>,
}

/// How the latest [`ParseCache::parse`] went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ParseStats {
    /// Statement chunks that chumsky parsed.
    pub parsed: usize,
    /// Statement chunks whose earlier parse was reused.
    pub reused: usize,
    /// Bytes of text that were lexed; the rest was taken from the previous parse.
    pub lexed: usize,
    /// Whether the edit was inside one list value, which was patched in the previous tree
    /// (`parsed` is then 0 and `reused` counts every chunk).
    pub patched: bool,
}

impl ParseCache {
    /// Parses `text`, reusing what it can of the previous call's work. The result equals
    /// `dslc_syntax::parse(text)`.
    pub fn parse(&mut self, text: &str) -> ParseResult {
        if let Some(snapshot) = &mut self.snapshot {
            if let Some((result, lexed)) = patch::patch_value(snapshot, text) {
                self.memo.stats = ParseStats { parsed: 0, reused: snapshot.chunks.len(), lexed, patched: true };
                return result;
            }
        }
        self.memo.generation += 1;
        self.memo.stats = ParseStats::default();
        let result = match self.snapshot.take().and_then(|previous| self.reparse(previous, text)) {
            Some(result) => result,
            None => {
                self.memo.stats = ParseStats::default();
                self.parse_all(text)
            }
        };
        let generation = self.memo.generation;
        for map in &mut self.memo.entries {
            map.retain(|_, entry| entry.generation == generation);
        }
        result
    }

    /// How the latest [`ParseCache::parse`] went: statement chunks parsed and reused, bytes lexed.
    pub fn last_parse_stats(&self) -> ParseStats {
        self.memo.stats
    }

    /// The number of statement parses held.
    pub fn len(&self) -> usize {
        self.memo.entries.iter().map(HashMap::len).sum()
    }

    /// Whether the cache holds no statement parses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything; the next parse starts from scratch.
    pub fn clear(&mut self) {
        self.memo.entries.iter_mut().for_each(HashMap::clear);
        self.snapshot = None;
    }

    /// Lexes and cuts the whole file, as `parse` does, and keeps the front end for next time.
    fn parse_all(&mut self, text: &str) -> ParseResult {
        let lexed = lex(text);
        self.memo.stats.lexed = text.len();
        let mut repairs = Vec::new();
        let chunks = split(text, &lexed.tokens, &mut repairs);
        let jobs: Vec<ChunkJob<'_, '_, '_>> = chunks.iter().map(|chunk| chunk.job(&lexed.tokens, &repairs)).collect();
        let result = finish(text, lexed.errors.clone(), lexed.comments.clone(), &jobs, Some(&mut self.memo));
        drop(jobs);
        // Every job has its tokens, so nothing is missing.
        let result = result.unwrap_or_default();
        self.snapshot = Some(Snapshot {
            text: text.to_string(),
            lex_errors: lexed.errors,
            comments: lexed.comments,
            chunks: chunks.into_iter().map(|chunk| chunk.info).collect(),
            result: result.clone(),
        });
        result
    }

    /// Re-parses `text` from the previous parse's front end; `None` if that cannot be done here.
    fn reparse(&mut self, previous: Snapshot, text: &str) -> Option<ParseResult> {
        let Snapshot { text: old_text, lex_errors: old_errors, comments: old_comments, chunks: old_chunks, result: _ } =
            previous;
        let (old_len, new_len) = (old_text.len(), text.len());
        // New offset = old offset + shift, in wrapping arithmetic.
        let shift = new_len.wrapping_sub(old_len);
        let to_old = |new: usize| new.wrapping_sub(shift);

        // The changed bytes: `text[prefix..new_len - suffix]` replaced `old_text[prefix..old_len - suffix]`.
        let prefix = common_prefix(old_text.as_bytes(), text.as_bytes());
        let suffix = common_suffix(&old_text.as_bytes()[prefix..], &text.as_bytes()[prefix..]);
        // Whole lines around them: lines before `first_line` and from `after_lines` on are unchanged.
        let first_line = line_start(text, prefix);
        let after_lines = line_end(text, new_len - suffix);

        // Chunks cut from unchanged lines only are kept; cutting starts again at the next one.
        let kept = old_chunks.partition_point(|chunk| chunk.needs_until <= first_line);
        // (The last chunk always looked past the last token, so one is left to restart at.)
        let restart = if kept == 0 { None } else { Some(old_chunks.get(kept)?.start) };
        let mut window = Window::new(text, restart.map_or(0, |at| line_start(text, at)));
        window.extend_to(after_lines);

        // Cut chunks from `restart` until one starts, after the changed lines, where an old one did.
        let mut repairs = Vec::new();
        let mut middle: Vec<Chunk> = Vec::new();
        let mut i = match restart {
            Some(at) => {
                let i = window.tokens.partition_point(|(_, span)| span.start < at);
                if window.tokens.get(i).map(|(_, span)| span.start) != Some(at) {
                    return None;
                }
                i
            }
            None => 0,
        };
        let resume = loop {
            let at_eof = window.end == new_len;
            let Some((_, span)) = window.tokens.get(i) else {
                if at_eof {
                    break old_chunks.len();
                }
                window.grow();
                continue;
            };
            if span.start >= after_lines {
                if let Ok(j) = old_chunks.binary_search_by_key(&to_old(span.start), |chunk| chunk.start) {
                    break j;
                }
            }
            let repairs_len = repairs.len();
            let chunk = split_chunk(text, &window.tokens, i, &mut repairs);
            if chunk.info.needs_until == usize::MAX && !at_eof {
                // The cut looked past the lexed lines: lex more and cut this chunk again.
                repairs.truncate(repairs_len);
                window.grow();
                continue;
            }
            i = chunk.next;
            middle.push(chunk);
        };
        self.memo.stats.lexed = window.end - window.start;

        // The front end of this parse: unchanged lines before the window, the window, and the
        // lines after it shifted.
        let window_end_old = to_old(window.end);
        let lex_errors = splice(old_errors, window.errors, window.start, window_end_old, shift);
        let comments = splice(old_comments, window.comments, window.start, window_end_old, shift);

        let mut old_chunks = old_chunks;
        let mut chunks: Vec<ChunkInfo> = Vec::with_capacity(kept + middle.len() + old_chunks.len() - resume);
        let tail = old_chunks.split_off(resume);
        old_chunks.truncate(kept);
        chunks.append(&mut old_chunks);
        let mut middle_tokens = Vec::with_capacity(middle.len());
        for chunk in &middle {
            middle_tokens.push(chunk.tokens(&window.tokens, &repairs));
        }
        chunks.extend(middle.into_iter().map(|chunk| chunk.info));
        chunks.extend(tail.into_iter().map(|mut chunk| {
            chunk.shift(shift);
            chunk
        }));

        let jobs: Vec<ChunkJob<'_, '_, '_>> = chunks
            .iter()
            .enumerate()
            .map(|(n, info)| ChunkJob { info, tokens: n.checked_sub(kept).and_then(|m| middle_tokens.get(m).copied()) })
            .collect();
        let result = finish(text, lex_errors.clone(), comments.clone(), &jobs, Some(&mut self.memo))?;
        drop(jobs);
        let mut old_text = old_text;
        old_text.clear();
        old_text.push_str(text);
        self.snapshot = Some(Snapshot { text: old_text, lex_errors, comments, chunks, result: result.clone() });
        Some(result)
    }
}

impl std::fmt::Debug for ParseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseCache").field("entries", &self.len()).field("last_parse", &self.memo.stats).finish()
    }
}

/// The front end of a parse: what `ParseCache::reparse` takes from before and after an edit.
struct Snapshot {
    text: String,
    /// The lexer's errors, in its order (by start).
    lex_errors: Vec<SyntaxError>,
    comments: Vec<Comment>,
    chunks: Vec<ChunkInfo>,
    /// What the parse returned, for `patch` to edit in place.
    result: ParseResult,
}

/// Whole lines of the new text, lexed; grown a few lines at a time as the cut needs them.
struct Window<'s> {
    text: &'s str,
    start: usize,
    end: usize,
    tokens: Vec<(Token<'s>, Span)>,
    comments: Vec<Comment>,
    errors: Vec<SyntaxError>,
}

impl<'s> Window<'s> {
    fn new(text: &'s str, start: usize) -> Self {
        Window { text, start, end: start, tokens: Vec::new(), comments: Vec::new(), errors: Vec::new() }
    }

    /// Lexes the lines from the window's end to `to` (a line start or the end of the text).
    fn extend_to(&mut self, to: usize) {
        if to <= self.end {
            return;
        }
        let from = self.end;
        let lexed = lex(&self.text[from..to]);
        self.tokens.extend(lexed.tokens.into_iter().map(|(token, mut span)| {
            span.shift(from);
            (token, span)
        }));
        self.comments.extend(lexed.comments.into_iter().map(|mut comment| {
            comment.shift(from);
            comment
        }));
        self.errors.extend(lexed.errors.into_iter().map(|mut error| {
            error.shift(from);
            error
        }));
        self.end = to;
    }

    /// Lexes about as many lines again as the window holds (at least 4 KiB).
    fn grow(&mut self) {
        let step = (self.end - self.start).max(4096);
        let to = line_end(self.text, (self.end + step).min(self.text.len()));
        self.extend_to(to);
    }
}

/// The lexer's output for the new text: `old`'s items before `start`, then `window`'s, then
/// `old`'s from `old_end` on, shifted. Items are sorted by start and none crosses a line break.
fn splice<T: Shift + HasSpan>(mut old: Vec<T>, window: Vec<T>, start: usize, old_end: usize, shift: usize) -> Vec<T> {
    let mut tail = old.split_off(old.partition_point(|item| item.span().start < old_end));
    old.truncate(old.partition_point(|item| item.span().start < start));
    tail.shift(shift);
    old.extend(window);
    old.append(&mut tail);
    old
}

trait HasSpan {
    fn span(&self) -> &Span;
}

impl HasSpan for SyntaxError {
    fn span(&self) -> &Span {
        &self.span
    }
}

impl HasSpan for Comment {
    fn span(&self) -> &Span {
        &self.span
    }
}

impl Shift for Comment {
    fn shift(&mut self, by: usize) {
        let Comment { text: _, span } = self;
        span.shift(by);
    }
}

/// The length of the longest common prefix of two byte strings.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let len = a.len().min(b.len());
    let mut at = 0;
    // Compare whole blocks first (a `memcmp` each), then bytes in the first block that differs.
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    while at < len && a[at] == b[at] {
        at += 1;
    }
    at
}

/// The length of the longest common suffix of two byte strings.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 64;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut n = 0;
    while n + BLOCK <= len && a[len - n - BLOCK..len - n] == b[len - n - BLOCK..len - n] {
        n += BLOCK;
    }
    while n < len && a[len - n - 1] == b[len - n - 1] {
        n += 1;
    }
    n
}

/// The start of the line holding byte `at`: just after the last `\n` or `\r` before it.
fn line_start(text: &str, at: usize) -> usize {
    text.as_bytes()[..at].iter().rposition(|&b| b == b'\n' || b == b'\r').map_or(0, |i| i + 1)
}

/// The start of the line after the one holding byte `at`: just after the first `\n` or `\r` at
/// or after it, or the end of the text.
fn line_end(text: &str, at: usize) -> usize {
    text.as_bytes()[at..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(text.len(), |i| at + i + 1)
}

/// The chunk outputs, keyed by chunk text, for chunks that do not hold the file's last token and
/// for those that do.
#[derive(Default)]
struct Memo {
    entries: [HashMap<Box<str>, Entry, BuildHasherDefault<FxHasher>>; 2],
    /// Counts parses; an entry is kept only if the latest parse used it.
    generation: u64,
    stats: ParseStats,
}

struct Entry {
    /// The chunk's output with every span relative to the chunk's start.
    output: ChunkOutput,
    /// The parse that last used this entry.
    generation: u64,
}

impl ChunkMemo for Memo {
    fn get(&mut self, key: &ChunkKey<'_>) -> Option<ChunkOutput> {
        let Some(entry) = self.entries[usize::from(key.at_eof)].get_mut(key.text) else {
            self.stats.parsed += 1;
            return None;
        };
        self.stats.reused += 1;
        entry.generation = self.generation;
        let mut output = entry.output.clone();
        output.shift(key.start);
        Some(output)
    }

    fn put(&mut self, key: &ChunkKey<'_>, output: &ChunkOutput) {
        if !output.cacheable(key) {
            return;
        }
        let mut relative = output.clone();
        // Wrapping arithmetic makes the shift exactly invertible whatever the spans hold.
        relative.shift(key.start.wrapping_neg());
        let entry = Entry { output: relative, generation: self.generation };
        self.entries[usize::from(key.at_eof)].insert(key.text.into(), entry);
    }
}

/// Moves every span in a value by `by` bytes (wrapping, so `by` may be a negated offset).
trait Shift {
    fn shift(&mut self, by: usize);
}

impl Shift for Span {
    fn shift(&mut self, by: usize) {
        self.start = self.start.wrapping_add(by);
        self.end = self.end.wrapping_add(by);
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: usize) {
        if let Some(inner) = self {
            inner.shift(by);
        }
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: usize) {
        self.iter_mut().for_each(|item| item.shift(by));
    }
}

impl Shift for ChunkOutput {
    fn shift(&mut self, by: usize) {
        let ChunkOutput { statement, errors, name_errors } = self;
        statement.shift(by);
        errors.shift(by);
        name_errors.shift(by);
    }
}

impl Shift for ChunkInfo {
    fn shift(&mut self, by: usize) {
        let ChunkInfo { keyword: _, start, eoi, at_eof: _, too_deep: _, errors, needs_until } = self;
        *start = start.wrapping_add(by);
        *eoi = eoi.wrapping_add(by);
        if *needs_until != usize::MAX {
            *needs_until = needs_until.wrapping_add(by);
        }
        errors.shift(by);
    }
}

impl Shift for SyntaxError {
    fn shift(&mut self, by: usize) {
        let SyntaxError { code: _, message: _, span, label: _, secondary, help: _ } = self;
        span.shift(by);
        secondary.iter_mut().for_each(|(span, _)| span.shift(by));
    }
}

// The impls below destructure every node, so a field added to the tree fails to compile here
// until it is shifted too.

impl Shift for Statement {
    fn shift(&mut self, by: usize) {
        match self {
            Statement::Cohort(CohortStmt { id, note, span }) => {
                id.shift(by);
                note.shift(by);
                span.shift(by);
            }
            Statement::Axis(AxisStmt { name, levels, span }) => {
                name.shift(by);
                levels.shift(by);
                span.shift(by);
            }
            Statement::Subset(SubsetStmt { axis, levels, span }) => {
                axis.shift(by);
                levels.shift(by);
                span.shift(by);
            }
            Statement::Tie(TieStmt { name, axes, axes_span, span }) => {
                name.shift(by);
                axes.shift(by);
                axes_span.shift(by);
                span.shift(by);
            }
            Statement::Pair(PairStmt { name, left, right, balance, items, span }) => {
                name.shift(by);
                left.shift(by);
                right.shift(by);
                if let Some((_, span)) = balance {
                    span.shift(by);
                }
                items.shift(by);
                span.shift(by);
            }
            Statement::Tuple(TupleStmt { name, axes, axes_span, items, span }) => {
                name.shift(by);
                axes.shift(by);
                axes_span.shift(by);
                items.shift(by);
                span.shift(by);
            }
            Statement::Output(OutputStmt { fields, span }) => {
                fields.shift(by);
                span.shift(by);
            }
            Statement::Reuse(ReuseStmt { sources, span }) => {
                match sources {
                    ReuseSources::None(none) => none.shift(by),
                    ReuseSources::From(ValueList { values, span }) => {
                        values.shift(by);
                        span.shift(by);
                    }
                }
                span.shift(by);
            }
        }
    }
}

impl Shift for Name {
    fn shift(&mut self, by: usize) {
        let Name { text: _, span } = self;
        span.shift(by);
    }
}

impl Shift for Value {
    fn shift(&mut self, by: usize) {
        let Value { text: _, kind: _, span } = self;
        span.shift(by);
    }
}

impl Shift for FileRef {
    fn shift(&mut self, by: usize) {
        let FileRef { path: _, path_span, span } = self;
        path_span.shift(by);
        span.shift(by);
    }
}

impl Shift for Levels {
    fn shift(&mut self, by: usize) {
        match self {
            Levels::List(ValueList { values, span }) => {
                values.shift(by);
                span.shift(by);
            }
            Levels::Range(IntRange { start: _, start_span, end: _, end_span, span }) => {
                start_span.shift(by);
                end_span.shift(by);
                span.shift(by);
            }
            Levels::File(file) => file.shift(by),
        }
    }
}

impl Shift for Items {
    fn shift(&mut self, by: usize) {
        match self {
            Items::List { items, span } => {
                items.shift(by);
                span.shift(by);
            }
            Items::File(file) => file.shift(by),
        }
    }
}

impl Shift for ItemTuple {
    fn shift(&mut self, by: usize) {
        let ItemTuple { elems, span } = self;
        for elem in elems {
            match elem {
                ItemElem::Value(value) => value.shift(by),
                ItemElem::Tuple(tuple) => tuple.shift(by),
            }
        }
        span.shift(by);
    }
}

/// The Fx hash (as in rustc), eight bytes at a time: chunk texts are long and hashed on every
/// parse, and SipHash would cost a noticeable share of a re-parse. Keys are compared in full, so
/// a collision costs time, never correctness.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(word);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply leaves the low bits weakest; the table takes its bucket from them.
        self.0.rotate_left(26)
    }
}
