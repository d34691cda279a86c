//! Recovery layers 1 and 2: cutting the tokens into one chunk per statement, and repairing
//! each chunk's brackets with zero-width closers.

use super::*;

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
pub(super) fn unclosed(
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
pub(super) fn keyword_help(found: &Token<'_>) -> String {
    match found {
        Token::Word(word) if similar_keyword(word).is_some() => {
            did_you_mean_keyword(similar_keyword(word).unwrap_or_default())
        }
        _ => "a statement starts with `cohort`, `axis`, `subset`, `tie`, `pair`, `tuple`, `output` or `reuse`"
            .to_string(),
    }
}

fn did_you_mean_keyword(keyword: &str) -> String {
    format!("did you mean `{keyword}`?")
}

/// The keyword a syntax error's span misspells, when the error's help is that did-you-mean.
pub(crate) fn keyword_typo(text: &str, error: &SyntaxError) -> Option<&'static str> {
    if error.code != codes::SYNTAX_ERROR {
        return None;
    }
    let keyword = similar_keyword(text.get(error.span.clone())?)?;
    (error.help.as_deref() == Some(did_you_mean_keyword(keyword).as_str())).then_some(keyword)
}

/// The statement keyword a word is probably a misspelling of, if any.
pub(super) fn similar_keyword(word: &str) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    KEYWORDS
        .iter()
        .map(|k| (crate::distance::edit_distance(&lower, k), *k))
        .min()
        .filter(|(d, k)| *d <= 1 + k.len() / 4)
        .map(|(_, k)| k)
}
