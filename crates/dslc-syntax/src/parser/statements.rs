//! The chumsky parsers of the eight statements and their values, with layer 3 of recovery:
//! a broken list element is reported and skipped to the next `,` or closing bracket.

use super::*;

/// One parser per statement keyword, in `KEYWORDS` order, so a chunk goes straight to its parser.
pub(super) fn statement_parsers<'t, 's: 't, I: TokenInput<'t, 's>>(
) -> [Boxed<'t, 't, I, Option<Statement>, Extra<'t, 's>>; 8] {
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

    // `reuse from pilot`: one bare cohort is read as `[pilot]` and reported (E0016), and
    // `reuse from []` keeps the statement but is reported (E0015): `reuse none` says that.
    let reuse_bare = value.then_ignore(end().rewind()).validate(|v, e, emitter| {
        emitter.emit(Rich::custom(e.span(), CUSTOM_REUSE_BARE));
        ValueList { span: v.span.clone(), values: vec![v] }
    });
    // Only a list written empty is E0015: one whose elements were all broken is reported already.
    let reuse_list = elements(value, Token::RBracket)
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .validate(|values: Vec<Option<Value>>, e, emitter| {
            if values.is_empty() {
                emitter.emit(Rich::custom(e.span(), CUSTOM_REUSE_EMPTY));
            }
            ValueList { values: values.into_iter().flatten().collect(), span: e.span() }
        });
    let reuse_sources = choice((
        just(Token::Word("none")).map_with(|_, e| ReuseSources::None(e.span())),
        just(Token::Word("from")).ignore_then(
            choice((reuse_list, reuse_bare)).labelled("a list of cohort IDs `[…]`").map(ReuseSources::From),
        ),
    ))
    .labelled("`from [COHORT, …]` or `none`");
    let reuse = just(Token::Reuse)
        .ignore_then(reuse_sources)
        .map_with(|sources, e| Some(Statement::Reuse(ReuseStmt { sources, span: e.span() })));

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
        reuse.then_ignore(rest()).boxed(),
    ]
}

/// Comma-separated elements up to `close`, with a trailing comma allowed.
///
/// An element that fails, or that is not followed by `,` or `close`, is reported and skipped up
/// to the next `,` or closing bracket at its own depth; it comes out as `None`.
pub(super) fn elements<'t, 's: 't, I, O>(
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
