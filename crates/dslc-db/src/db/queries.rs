//! The tracked queries over a spec: parse → project root → analyze → check → counts.

use super::*;

/// Parses a spec file.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> ParseResult {
    db.parse_text(file.path(db), &file.contents(db).text)
}

/// A file's line starts, shared by everything that turns byte offsets into lines and columns
/// (the language server's positions, rendering), so each text is indexed once per change.
#[salsa::tracked(returns(ref))]
pub fn line_index(db: &dyn Db, file: SourceFile) -> LineIndex {
    LineIndex::new(&file.contents(db).text)
}

/// The project root for a spec: the nearest directory above it holding `dslc.toml`, else its own.
#[salsa::tracked(returns(ref))]
pub fn project_root(db: &dyn Db, spec: SourceFile) -> PathBuf {
    let spec_dir = spec.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut dir = Some(spec_dir.as_path());
    while let Some(current) = dir {
        let candidate = db.file(&current.join("dslc.toml"));
        if candidate.contents(db).status == FileStatus::Present {
            return current.to_path_buf();
        }
        dir = current.parent();
    }
    spec_dir
}

/// The spec's syntax tree with statement-numbered spans (`crate::spans`): equal before and
/// after an edit that only moves statements (a comment, a blank line), so what reads it is
/// reused.
#[salsa::tracked(returns(ref))]
pub fn numbered_tree(db: &dyn Db, spec: SourceFile) -> SpecFile {
    spans::number(&parse(db, spec).file).0
}

/// Where the spec's statements start now, to map numbered spans back to byte offsets.
#[salsa::tracked(returns(ref))]
pub fn span_map(db: &dyn Db, spec: SourceFile) -> SpanMap {
    spans::map_of(&parse(db, spec).file)
}

/// The analysis of the numbered tree: its spec spans are numbered, so it is reused across
/// edits that only move statements. Queries that report through `check` or need no spans
/// (counts, catalog checks) read this one; tools read [`analyze`].
#[salsa::tracked(returns(ref))]
pub fn numbered_analysis(db: &dyn Db, spec: SourceFile) -> Analysis {
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let spec_dir = spec.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
    let resolver = DbResolver { db, spec_path: spec_path.clone(), spec_dir, root: project_root(db, spec).clone() };
    semantics::analyze(&spec_path, numbered_tree(db, spec), &resolver)
}

/// Analyses a spec: rules, product factors, columns and stage fields, with byte spans. After an
/// edit that only moves statements this maps the reused analysis's spans again (linear in its
/// size) instead of analysing anew.
#[salsa::tracked(returns(ref))]
pub fn analyze(db: &dyn Db, spec: SourceFile) -> Analysis {
    span_map(db, spec).analysis(numbered_analysis(db, spec))
}

/// Locates and reads one `file("…")` of a spec exactly as `analyze` does (same root rule, same
/// diagnostics), for queries that need an include outside the analysis, such as the name table.
pub fn resolve_include(db: &dyn Db, spec: SourceFile, file_ref: &FileRef) -> Result<Arc<Included>, Box<Diagnostic>> {
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let spec_dir = spec.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
    DbResolver { db, spec_path, spec_dir, root: project_root(db, spec).clone() }.resolve(file_ref)
}

/// Every diagnostic for a spec, syntax first, then in source order.
#[salsa::tracked(returns(ref))]
pub fn check(db: &dyn Db, spec: SourceFile) -> Vec<Diagnostic> {
    let parsed = parse(db, spec);
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let text = &spec.contents(db).text;
    let mut diagnostics: Vec<Diagnostic> =
        parsed.errors.iter().map(|e| syntax_diagnostic(&spec_path, text, e)).collect();
    let had_syntax_errors = !diagnostics.is_empty();
    let broken_names = names_in_broken_statements(text, &parsed.errors);
    let mut error_starts: Vec<usize> = parsed.errors.iter().map(|e| e.span.start).collect();
    error_starts.sort_unstable();
    // A statement that failed to parse is missing from the tree, so names it declares look
    // unknown; and a construct with a syntax error inside (a list whose elements were dropped)
    // looks empty. Those follow-on reports would only bury the real syntax error; everything
    // else that the statements which did parse say is still reported.
    let is_hidden_by_syntax_error = |d: &Diagnostic| {
        if !had_syntax_errors {
            return false;
        }
        if d.code == codes::DESIGN_ONLY || d.code == codes::UNREAD_AXIS {
            return true;
        }
        if d.primary.file != spec_path {
            return false;
        }
        // Is there a syntax error starting inside the report's span? (Sorted starts keep this
        // logarithmic, however many reports and errors there are.)
        let end = d.primary.span.end.max(d.primary.span.start + 1);
        let first = error_starts.partition_point(|&start| start < d.primary.span.start);
        let covers_syntax_error = error_starts.get(first).is_some_and(|&start| start < end);
        let names_broken = is_follow_on(d.code)
            && text.get(d.primary.span.clone()).is_some_and(|written| broken_names.contains(written));
        covers_syntax_error || names_broken
    };
    // Both lists carry numbered spans (`crate::spans`); they are mapped before the filter.
    let map = span_map(db, spec);
    let mapped = |d: &Diagnostic| {
        let mut d = d.clone();
        map.diagnostic(&mut d);
        d
    };
    let analysis = numbered_analysis(db, spec);
    diagnostics.extend(analysis.diagnostics.iter().map(mapped).filter(|d| !is_hidden_by_syntax_error(d)));
    diagnostics.extend(crate::project::project_config(db, spec).diagnostics.iter().cloned());
    diagnostics.extend(
        crate::catalog_check::catalog_diagnostics(db, spec)
            .iter()
            .map(mapped)
            .filter(|d| !is_hidden_by_syntax_error(d)),
    );
    // Problems in source order, the spec's own first; notes (facts, not problems) last.
    // The key borrows the path: cloning the `Arc` per comparison cost two atomic operations.
    fn order_key<'d>(d: &'d Diagnostic, spec: &FilePath) -> (bool, bool, &'d Path, usize) {
        (d.severity == codes::Severity::Note, d.primary.file != *spec, d.primary.file.as_ref(), d.primary.span.start)
    }
    diagnostics.sort_by(|a, b| order_key(a, &spec_path).cmp(&order_key(b, &spec_path)));
    diagnostics.dedup();
    diagnostics
}

fn is_follow_on(code: codes::Code) -> bool {
    [codes::UNKNOWN_AXIS, codes::UNKNOWN_OUTPUT_FIELD].contains(&code)
}

/// Every name-like word written in a statement that has a syntax error. A statement runs from a
/// line that starts with a statement keyword to the next such line.
fn names_in_broken_statements<'t>(text: &'t str, errors: &[dslc_syntax::SyntaxError]) -> HashSet<&'t str> {
    let mut names = HashSet::new();
    if errors.is_empty() {
        return names;
    }
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let line_text = |line: usize| {
        let end = line_starts.get(line + 1).copied().unwrap_or(text.len());
        &text[line_starts[line]..end]
    };
    let starts_statement: Vec<bool> = (0..line_starts.len())
        .map(|line| {
            // A comment that starts with a keyword (`# tie the models`) starts no statement.
            let first = line_text(line).trim_start().split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next();
            first.is_some_and(|word| dslc_syntax::lexer::KEYWORDS.contains(&word))
        })
        .collect();
    let mut broken = vec![false; line_starts.len()];
    for error in errors {
        let line = line_starts.partition_point(|&start| start <= error.span.start).saturating_sub(1);
        if broken[line] {
            continue;
        }
        let mut first = line;
        while first > 0 && !starts_statement[first] {
            first -= 1;
        }
        let mut last = line + 1;
        while last < line_starts.len() && !starts_statement[last] {
            last += 1;
        }
        broken[first..last].iter_mut().for_each(|b| *b = true);
    }
    for (line, _) in broken.iter().enumerate().filter(|(_, b)| **b) {
        names.extend(
            line_text(line).split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()),
        );
    }
    names
}

fn syntax_diagnostic(spec: &FilePath, text: &str, error: &dslc_syntax::SyntaxError) -> Diagnostic {
    let mut d =
        Diagnostic::new(error.code, error.message.clone(), Label::new(spec, error.span.clone(), error.label.clone()));
    for (span, message) in &error.secondary {
        d = d.with_label(Label::new(spec, span.clone(), message.clone()));
    }
    if let Some(help) = &error.help {
        d = d.with_help(help.clone());
    }
    // A misspelt keyword (`tupel`) gets the keyword as its one suggestion, hence a fix.
    if let Some(keyword) = dslc_syntax::keyword_typo(text, error) {
        d = d.with_suggestions(vec![keyword.to_string()]);
    }
    d
}

/// Whether `check` reports an error. Its own query, so that an edit which changes only where
/// diagnostics are (a comment above them) does not re-run what depends on there being none.
#[salsa::tracked]
pub fn has_errors(db: &dyn Db, spec: SourceFile) -> bool {
    check(db, spec).iter().any(|d| d.severity == codes::Severity::Error)
}

/// Design size facts: rows and the number of plan entries per stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    pub rows: u128,
    pub drafts: Option<u128>,
    pub essays: Option<u128>,
    pub evaluations: Option<u128>,
}

/// `1 row`, `528 rows`; a count that saturated (the product does not fit in 128 bits) says so
/// instead of printing `u128::MAX` as if it were exact.
pub fn describe_count(n: u128, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        u128::MAX => format!("more than 10^38 {noun}s (too many to count)"),
        n => format!("{n} {noun}s"),
    }
}

/// Counts rows and stage entries without forming the product; `None` when the spec has errors.
#[salsa::tracked]
pub fn counts(db: &dyn Db, spec: SourceFile) -> Option<Counts> {
    if *has_errors(db, spec) {
        return None;
    }
    let design = &numbered_analysis(db, spec).design;
    let rows = design.row_count();
    let project = |fields: &[Field]| -> u128 {
        let names: Vec<&str> =
            fields.iter().filter_map(|f| design.stage.column(*f)).map(|c| design.columns[c].as_str()).collect();
        design.distinct_count(&names)
    };
    let counts = match &design.stage.mode {
        Mode::Full => Counts {
            rows,
            drafts: Some(project(&StageKind::Draft.lineage_fields())),
            essays: Some(project(&StageKind::Essay.lineage_fields())),
            evaluations: Some(project(&StageKind::Evaluation.lineage_fields())),
        },
        Mode::EvaluateOnly => Counts {
            rows,
            drafts: None,
            essays: Some(project(&[Field::EssayGenId])),
            evaluations: Some(project(&[&[Field::EssayGenId][..], StageKind::Evaluation.entry_fields()].concat())),
        },
        Mode::DesignOnly { .. } => Counts { rows, drafts: None, essays: None, evaluations: None },
    };
    Some(counts)
}
