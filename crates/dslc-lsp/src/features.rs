//! The editor features, as plain functions over a database snapshot and one open spec: they
//! take LSP positions and return LSP types, and never fail (an unknown place gives nothing).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dslc_db::catalog::Catalog;
use dslc_db::catalog_check::catalog_for;
use dslc_db::project::project_config;
use dslc_db::stage::Field;
use dslc_db::{Database, Db, SourceFile};
use dslc_syntax::ast::{FileRef, Items, Levels, Name, SpecFile, Statement};
use dslc_syntax::lexer::{lex, Token, KEYWORDS};
use dslc_syntax::Span;
use tower_lsp_server::ls_types::*;

use crate::context::{self, catalog_field_of, Expected};
use crate::convert::{self, uri_of};
use crate::position::{Encoding, LineIndex};

/// One open spec in the database, with its text and the negotiated encoding.
pub struct Doc<'a> {
    pub db: &'a Database,
    pub file: SourceFile,
    pub path: &'a Path,
    pub uri: &'a Uri,
    pub text: &'a str,
    pub encoding: Encoding,
}

impl Doc<'_> {
    fn index(&self) -> LineIndex<'_> {
        LineIndex::new(self.text, self.encoding)
    }

    fn ast(&self) -> &SpecFile {
        &dslc_db::parse(self.db, self.file).file
    }

    fn design(&self) -> &dslc_db::Design {
        &dslc_db::analyze(self.db, self.file).design
    }

    fn catalog(&self, axis: &str) -> Option<std::sync::Arc<Catalog>> {
        let field = catalog_field_of(axis, self.ast())?;
        let config = project_config(self.db, self.file);
        catalog_for(self.db, config, field)
    }

    fn spec_dir(&self) -> PathBuf {
        self.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }

    /// The file a `file("…")` names, or `None` when it is outside the project root: editors get
    /// nothing from outside it, as the checker reads nothing from there (E0302).
    fn resolve(&self, file_ref: &FileRef) -> Option<PathBuf> {
        let path = dslc_db::db::normalize(&self.spec_dir().join(&file_ref.path));
        self.inside_root(&path).then_some(path)
    }

    fn inside_root(&self, path: &Path) -> bool {
        dslc_db::root::inside(dslc_db::db::project_root(self.db, self.file), path)
    }
}

// ---------------------------------------------------------------------------------------------
// Names in the tree

/// What a name in the tree is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Declares an axis (`axis NAME`, or an axis of a tuple that the tuple defines).
    AxisDecl,
    /// Declares a rule (tie, pair, tuple).
    RuleDecl,
    /// Uses a name (subset, rule axis lists, output).
    Use,
}

/// Every name written in the spec, with its role, in source order.
fn names(file: &SpecFile) -> Vec<(&Name, Role)> {
    let mut out = Vec::new();
    for statement in &file.statements {
        match statement {
            Statement::Axis(s) => out.push((&s.name, Role::AxisDecl)),
            Statement::Subset(s) => out.push((&s.axis, Role::Use)),
            Statement::Tie(s) => {
                out.push((&s.name, Role::RuleDecl));
                out.extend(s.axes.iter().map(|a| (a, Role::Use)));
            }
            Statement::Pair(s) => {
                out.push((&s.name, Role::RuleDecl));
                out.push((&s.left, Role::Use));
                out.push((&s.right, Role::Use));
            }
            Statement::Tuple(s) => {
                out.push((&s.name, Role::RuleDecl));
                // A tuple defines its axes unless they were declared with `axis`.
                let declared =
                    |n: &str| file.statements.iter().any(|st| matches!(st, Statement::Axis(a) if a.name.text == n));
                out.extend(s.axes.iter().map(|a| (a, if declared(&a.text) { Role::Use } else { Role::AxisDecl })));
            }
            Statement::Output(s) => out.extend(s.fields.iter().map(|f| (f, Role::Use))),
            Statement::Cohort(_) => {}
        }
    }
    out
}

fn name_at(file: &SpecFile, offset: usize) -> Option<&Name> {
    names(file).into_iter().map(|(n, _)| n).find(|n| n.span.start <= offset && offset <= n.span.end)
}

fn declaration<'f>(file: &'f SpecFile, name: &str) -> Option<&'f Name> {
    names(file).into_iter().find(|(n, role)| n.text == name && *role != Role::Use).map(|(n, _)| n)
}

fn file_refs(file: &SpecFile) -> Vec<&FileRef> {
    let mut out = Vec::new();
    for statement in &file.statements {
        match statement {
            Statement::Axis(s) => {
                if let Levels::File(f) = &s.levels {
                    out.push(f);
                }
            }
            Statement::Subset(s) => {
                if let Levels::File(f) = &s.levels {
                    out.push(f);
                }
            }
            Statement::Pair(s) => {
                if let Items::File(f) = &s.items {
                    out.push(f);
                }
            }
            Statement::Tuple(s) => {
                if let Items::File(f) = &s.items {
                    out.push(f);
                }
            }
            _ => {}
        }
    }
    out
}

fn file_ref_at(file: &SpecFile, offset: usize) -> Option<&FileRef> {
    file_refs(file).into_iter().find(|f| f.span.start <= offset && offset <= f.span.end)
}

/// The value word under the cursor and the axis it is written for.
fn value_at(doc: &Doc, offset: usize) -> Option<(String, String, Span)> {
    let cursor = context::cursor(doc.text, offset, doc.ast());
    let Expected::Value { axis } = cursor.expected else { return None };
    let word = doc.text.get(cursor.replace.clone())?.to_string();
    (!word.is_empty()).then_some((axis, word, cursor.replace))
}

// ---------------------------------------------------------------------------------------------
// Completion

/// Most clients filter the list themselves; past this size the server pre-filters.
const MAX_ITEMS: usize = 200;

pub fn completion(doc: &Doc, position: Position) -> CompletionResponse {
    let index = doc.index();
    let offset = index.offset(position);
    let cursor = context::cursor(doc.text, offset, doc.ast());
    let range = index.range(&cursor.replace);
    let item = |label: String, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
        label: label.clone(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, label))),
        ..Default::default()
    };
    let mut incomplete = false;
    let items: Vec<CompletionItem> = match cursor.expected {
        Expected::Keyword => KEYWORDS.iter().map(|k| item(k.to_string(), CompletionItemKind::KEYWORD, None)).collect(),
        Expected::NewAxis => {
            let declared: BTreeSet<&str> = names(doc.ast()).iter().map(|(n, _)| n.text.as_str()).collect();
            Field::ALL
                .iter()
                .map(|f| f.canonical())
                .filter(|name| !declared.contains(name))
                .map(|name| item(name.to_string(), CompletionItemKind::FIELD, Some("stage field".into())))
                .collect()
        }
        Expected::AxisName => {
            let mut seen = BTreeSet::new();
            names(doc.ast())
                .into_iter()
                .filter(|(n, role)| *role != Role::Use && seen.insert(n.text.clone()))
                .map(|(n, role)| {
                    let (kind, detail) = match role {
                        Role::RuleDecl => (CompletionItemKind::STRUCT, rule_kind(doc.ast(), &n.text)),
                        _ => (CompletionItemKind::VARIABLE, "axis"),
                    };
                    item(n.text.clone(), kind, Some(detail.to_string()))
                })
                .collect()
        }
        Expected::Value { axis } => match doc.catalog(&axis) {
            None => Vec::new(),
            Some(catalog) => {
                let design = doc.design();
                let tie = design.tie_of.get(&axis).cloned();
                let used: BTreeSet<&str> = design
                    .occurrences
                    .iter()
                    .filter(|o| *o.axis == *axis || tie.as_deref() == Some(&*o.axis))
                    .map(|o| design.interner.get(o.value))
                    .collect();
                let typed = doc.text.get(cursor.replace.start..offset).unwrap_or("").to_lowercase();
                let mut seen = BTreeSet::new();
                let mut out = Vec::new();
                for (i, entry) in catalog.entries.iter().enumerate() {
                    if !seen.insert(entry.id.as_str()) {
                        continue;
                    }
                    if catalog.len() > MAX_ITEMS && !entry.id.to_lowercase().contains(&typed) {
                        incomplete = true;
                        continue;
                    }
                    if out.len() >= MAX_ITEMS {
                        incomplete = true;
                        break;
                    }
                    let fields = catalog.fields(entry);
                    let get = |k: &str| fields.iter().find(|(n, v)| n == k && !v.is_empty()).map(|(_, v)| v.clone());
                    let used = used.contains(entry.id.as_str());
                    out.push(CompletionItem {
                        label: entry.id.clone(),
                        kind: Some(CompletionItemKind::ENUM_MEMBER),
                        detail: get("template_name").or_else(|| get("display_name")),
                        documentation: Some(Documentation::MarkupContent(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: entry_markdown(&entry.id, &fields, used),
                        })),
                        // Unused IDs first, each group in catalog order.
                        sort_text: Some(format!("{}{:07}", u8::from(used), i)),
                        filter_text: Some(entry.id.clone()),
                        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                            range,
                            dslc_syntax::quote_value(&entry.id),
                        ))),
                        ..Default::default()
                    });
                }
                out
            }
        },
        Expected::Path { typed } => path_items(doc, &typed, range),
        Expected::Nothing => Vec::new(),
    };
    CompletionResponse::List(CompletionList { is_incomplete: incomplete, items })
}

fn rule_kind(file: &SpecFile, name: &str) -> &'static str {
    file.statements
        .iter()
        .find_map(|s| match s {
            Statement::Tie(t) if t.name.text == name => Some("tie"),
            Statement::Pair(p) if p.name.text == name => Some("pair"),
            Statement::Tuple(t) if t.name.text == name => Some("tuple"),
            _ => None,
        })
        .unwrap_or("rule")
}

fn entry_markdown(id: &str, fields: &[(String, String)], used: bool) -> String {
    let mut out = format!("`{id}`");
    for (name, value) in fields {
        if !value.is_empty() {
            out.push_str(&format!("\n\n**{name}**: {value}"));
        }
    }
    if used {
        out.push_str("\n\n*already used in this spec*");
    }
    out
}

/// Directories and `.csv`/`.txt` files next to what has been typed inside `file("…")`.
fn path_items(doc: &Doc, typed: &str, range: Range) -> Vec<CompletionItem> {
    let dir_part = typed.rfind('/').map_or("", |i| &typed[..=i]);
    let dir = dslc_db::db::normalize(&doc.spec_dir().join(dir_part));
    if !doc.inside_root(&dir) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut items: Vec<CompletionItem> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            if name.starts_with('.') || !doc.inside_root(&entry.path()) {
                return None;
            }
            // Follows symlinks, which the root check has just vetted.
            let is_dir = std::fs::metadata(entry.path()).ok()?.is_dir();
            let lower = name.to_ascii_lowercase();
            if !(is_dir || lower.ends_with(".csv") || lower.ends_with(".txt")) {
                return None;
            }
            let label = if is_dir { format!("{name}/") } else { name };
            Some(CompletionItem {
                label: label.clone(),
                kind: Some(if is_dir { CompletionItemKind::FOLDER } else { CompletionItemKind::FILE }),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, label))),
                ..Default::default()
            })
        })
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items
}

// ---------------------------------------------------------------------------------------------
// Hover

pub fn hover(doc: &Doc, position: Position) -> Option<Hover> {
    let index = doc.index();
    let offset = index.offset(position);
    let ast = doc.ast();
    let (markdown, span) = if let Some(file_ref) = file_ref_at(ast, offset) {
        (file_hover(doc, file_ref)?, file_ref.span.clone())
    } else if let Some(name) = name_at(ast, offset) {
        (name_hover(doc, &name.text)?, name.span.clone())
    } else {
        let (axis, word, span) = value_at(doc, offset)?;
        (value_hover(doc, &axis, &word), span)
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
        range: Some(index.range(&span)),
    })
}

fn file_hover(doc: &Doc, file_ref: &FileRef) -> Option<String> {
    let path = doc.resolve(file_ref)?;
    let root = project_config(doc.db, doc.file).root.clone();
    let shown = path.strip_prefix(&root).unwrap_or(&path);
    let mut out = format!("`{}` → `{}` (from the project root)", file_ref.path, shown.display());
    let file = doc.db.file(&path);
    if file.contents(doc.db).status != dslc_db::FileStatus::Present {
        out.push_str("\n\n*not found*");
    } else if let Ok(table) = dslc_db::db::include_table(doc.db, file) {
        let header = table.header.as_ref().map(|h| h.cells.iter().map(|c| c.text.clone()).collect::<Vec<_>>());
        out.push_str(&format!("\n\n{} rows", table.records.len()));
        if let Some(header) = header {
            out.push_str(&format!(" · columns: {}", header.join(", ")));
        }
    }
    Some(out)
}

fn levels_source(levels: &Levels) -> String {
    match levels {
        Levels::List(list) => format!("a list of {} values", list.values.len()),
        Levels::Range(r) => format!("the range {}..{}", r.start, r.end),
        Levels::File(f) => format!("`file(\"{}\")`", f.path),
    }
}

fn name_hover(doc: &Doc, name: &str) -> Option<String> {
    let design = doc.design();
    let ast = doc.ast();
    if let Some(rule) = design.rules.iter().find(|r| r.name == name) {
        let before: Vec<String> = rule.before.iter().map(|(n, c)| format!("`{n}` {c}")).collect();
        return Some(format!(
            "**{}** `{}`\n\nbefore: {}\n\nafter: {} levels",
            rule.kind,
            rule.name,
            before.join(" × "),
            rule.after
        ));
    }
    let kind = rule_kind(ast, name);
    if kind != "rule" {
        // The rule failed (its errors say why), so there are no domain sizes to show.
        return Some(format!("**{kind}** `{name}`\n\n*no domain sizes: the rule has errors*"));
    }
    let fact = design.axes.iter().find(|a| a.name == name);
    let source = ast.statements.iter().find_map(|s| match s {
        Statement::Axis(a) if a.name.text == name => Some(levels_source(&a.levels)),
        Statement::Tuple(t) if t.axes.iter().any(|a| a.text == name) => Some(format!("tuple `{}`", t.name.text)),
        _ => None,
    });
    if fact.is_none() && source.is_none() {
        return Field::is_known_name(name).then(|| format!("`{name}`: a stage field"));
    }
    let mut out = format!("**axis** `{name}`");
    if let Some(fact) = fact {
        out.push_str(&format!(" — {} levels", fact.declared_levels));
    }
    if let Some(source) = source {
        out.push_str(&format!("\n\nlevels from {source}"));
    }
    let subsets = ast.statements.iter().filter(|s| matches!(s, Statement::Subset(x) if x.axis.text == name)).count();
    if subsets > 0 {
        out.push_str(&format!("\n\nnarrowed by {subsets} subset statement(s)"));
    }
    if let Some(rule) = fact.and_then(|f| f.consumed_by.as_ref()) {
        out.push_str(&format!("\n\nconsumed by `{rule}` ({})", rule_kind(ast, rule)));
    }
    if let Some(field) = catalog_field_of(name, ast) {
        out.push_str(&format!("\n\ncatalogued: {} IDs", field.noun()));
    }
    Some(out)
}

fn value_hover(doc: &Doc, axis: &str, word: &str) -> String {
    let Some(catalog) = doc.catalog(axis) else { return format!("`{word}`: a level of `{axis}`") };
    match catalog.get(word) {
        Some(entry) => {
            let mut out = entry_markdown(&entry.id, &catalog.fields(entry), false);
            out.push_str(&format!("\n\ncatalog line {}", entry.line));
            out
        }
        None => format!("`{word}`: not in the catalog of `{axis}`"),
    }
}

// ---------------------------------------------------------------------------------------------
// Navigation

pub fn definition(doc: &Doc, position: Position) -> Option<Location> {
    let index = doc.index();
    let offset = index.offset(position);
    let ast = doc.ast();
    if let Some(file_ref) = file_ref_at(ast, offset) {
        return Some(Location::new(uri_of(&doc.resolve(file_ref)?)?, Range::default()));
    }
    if let Some(name) = name_at(ast, offset) {
        let decl = declaration(ast, &name.text)?;
        return Some(Location::new(doc.uri.clone(), index.range(&decl.span)));
    }
    let (axis, word, _) = value_at(doc, offset)?;
    let catalog = doc.catalog(&axis)?;
    let entry = catalog.get(&word)?;
    let field = catalog_field_of(&axis, ast)?;
    let source = project_config(doc.db, doc.file).catalog(field)?.path.clone();
    let text = convert::text_of(doc.db, &source);
    Some(Location::new(uri_of(&source)?, LineIndex::new(&text, doc.encoding).range(&entry.span)))
}

fn same_name_spans(doc: &Doc, position: Position) -> Option<Vec<Span>> {
    let offset = doc.index().offset(position);
    let ast = doc.ast();
    let name = name_at(ast, offset)?;
    Some(names(ast).into_iter().filter(|(n, _)| n.text == name.text).map(|(n, _)| n.span.clone()).collect())
}

pub fn references(doc: &Doc, position: Position) -> Vec<Location> {
    let index = doc.index();
    same_name_spans(doc, position)
        .unwrap_or_default()
        .iter()
        .map(|span| Location::new(doc.uri.clone(), index.range(span)))
        .collect()
}

pub fn rename(doc: &Doc, position: Position, new_name: &str) -> Result<Option<WorkspaceEdit>, String> {
    if !dslc_syntax::is_name(new_name) || KEYWORDS.contains(&new_name) {
        return Err(format!("`{new_name}` is not a valid name"));
    }
    let index = doc.index();
    let Some(spans) = same_name_spans(doc, position) else { return Ok(None) };
    let edits = spans.iter().map(|span| TextEdit::new(index.range(span), new_name.to_string())).collect();
    Ok(Some(WorkspaceEdit { changes: Some([(doc.uri.clone(), edits)].into_iter().collect()), ..Default::default() }))
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` has to be written out.
pub fn symbols(doc: &Doc) -> Vec<DocumentSymbol> {
    let index = doc.index();
    let design = doc.design();
    let symbol = |name: &str, detail: Option<String>, kind: SymbolKind, span: &Span, selection: &Span| DocumentSymbol {
        name: name.to_string(),
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: index.range(span),
        selection_range: index.range(selection),
        children: None,
    };
    let levels =
        |name: &str| design.axes.iter().find(|a| a.name == name).map(|a| format!("{} levels", a.declared_levels));
    let rule = |name: &str, kind: &str| {
        design.rules.iter().find(|r| r.name == name).map_or(kind.to_string(), |r| format!("{kind} → {}", r.after))
    };
    let mut out = Vec::new();
    for statement in &doc.ast().statements {
        match statement {
            Statement::Cohort(s) => out.push(symbol(&s.id.text, None, SymbolKind::MODULE, &s.span, &s.id.span)),
            Statement::Axis(s) => {
                out.push(symbol(&s.name.text, levels(&s.name.text), SymbolKind::FIELD, &s.span, &s.name.span))
            }
            Statement::Tie(s) => out.push(symbol(
                &s.name.text,
                Some(rule(&s.name.text, "tie")),
                SymbolKind::STRUCT,
                &s.span,
                &s.name.span,
            )),
            Statement::Pair(s) => out.push(symbol(
                &s.name.text,
                Some(rule(&s.name.text, "pair")),
                SymbolKind::STRUCT,
                &s.span,
                &s.name.span,
            )),
            Statement::Tuple(s) => {
                let mut tuple =
                    symbol(&s.name.text, Some(rule(&s.name.text, "tuple")), SymbolKind::STRUCT, &s.span, &s.name.span);
                tuple.children = Some(
                    s.axes
                        .iter()
                        .map(|a| symbol(&a.text, levels(&a.text), SymbolKind::FIELD, &a.span, &a.span))
                        .collect(),
                );
                out.push(tuple);
            }
            Statement::Subset(_) | Statement::Output(_) => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Inlay hints, code actions, semantic tokens

pub fn inlay_hints(doc: &Doc) -> Vec<InlayHint> {
    let index = doc.index();
    let design = doc.design();
    let hint = |offset: usize, label: String| InlayHint {
        position: index.position(offset),
        label: InlayHintLabel::String(label),
        kind: None,
        text_edits: None,
        tooltip: None,
        padding_left: Some(true),
        padding_right: None,
        data: None,
    };
    let mut out = Vec::new();
    let ast = doc.ast();
    if let Some(counts) = dslc_db::counts(doc.db, doc.file) {
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
                Some(doc.text[start..].find('\n').map_or(doc.text.len(), |i| start + i))
            });
        if let Some(anchor) = anchor {
            out.push(hint(anchor, label));
        }
    }
    for statement in &ast.statements {
        match statement {
            Statement::Axis(s) => {
                if let Some(fact) = design.axes.iter().find(|a| a.name == s.name.text) {
                    out.push(hint(s.span.end, format!("{} levels", fact.declared_levels)));
                }
            }
            Statement::Tie(_) | Statement::Pair(_) | Statement::Tuple(_) => {
                let (name, span) = match statement {
                    Statement::Tie(s) => (&s.name.text, &s.span),
                    Statement::Pair(s) => (&s.name.text, &s.span),
                    Statement::Tuple(s) => (&s.name.text, &s.span),
                    _ => continue,
                };
                if let Some(rule) = design.rules.iter().find(|r| &r.name == name) {
                    let before: Vec<String> = rule.before.iter().map(|(_, c)| c.to_string()).collect();
                    out.push(hint(span.end, format!("{} → {}", before.join("×"), rule.after)));
                }
            }
            _ => {}
        }
    }
    out
}

pub fn code_actions(doc: &Doc, range: Range) -> Vec<CodeActionOrCommand> {
    let index = doc.index();
    let (start, end) = (index.offset(range.start), index.offset(range.end));
    // One action per (span, replacement), listing every diagnostic it fixes: an unknown ID is
    // often both "not in the catalog" and "not a level".
    let mut fixes: Vec<(Span, String, Vec<Diagnostic>)> = Vec::new();
    for d in dslc_db::check(doc.db, doc.file) {
        let span = &d.primary.span;
        if *d.primary.file != *doc.path || d.suggestions.is_empty() || span.end < start || span.start > end {
            continue;
        }
        let converted: Vec<Diagnostic> =
            convert::group(doc.db, std::slice::from_ref(d), doc.encoding).into_values().flatten().collect();
        for suggestion in &d.suggestions {
            match fixes.iter_mut().find(|(s, r, _)| s == span && r == suggestion) {
                Some((_, _, diagnostics)) => diagnostics.extend(converted.iter().cloned()),
                None => fixes.push((span.clone(), suggestion.clone(), converted.clone())),
            }
        }
    }
    let mut first_for_span: BTreeSet<(usize, usize)> = BTreeSet::new();
    fixes
        .into_iter()
        .map(|(span, suggestion, diagnostics)| {
            let edit = TextEdit::new(index.range(&span), dslc_syntax::quote_value(&suggestion));
            CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with `{suggestion}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(diagnostics),
                edit: Some(WorkspaceEdit {
                    changes: Some([(doc.uri.clone(), vec![edit])].into_iter().collect()),
                    ..Default::default()
                }),
                is_preferred: Some(first_for_span.insert((span.start, span.end))),
                ..Default::default()
            })
        })
        .collect()
}

/// Token types, in legend order.
pub const TOKEN_TYPES: [SemanticTokenType; 8] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::TYPE,
];

pub fn semantic_tokens(doc: &Doc) -> Vec<SemanticToken> {
    let index = doc.index();
    let ast = doc.ast();
    let rules: BTreeSet<&str> =
        names(ast).into_iter().filter(|(_, role)| *role == Role::RuleDecl).map(|(n, _)| n.text.as_str()).collect();
    let name_spans: Vec<(Span, bool)> =
        names(ast).into_iter().map(|(n, _)| (n.span.clone(), rules.contains(n.text.as_str()))).collect();
    let lexed = lex(doc.text);
    let mut classified: Vec<(Span, u32)> = Vec::new();
    for (i, (token, span)) in lexed.tokens.iter().enumerate() {
        let kind = match token {
            t if t.is_keyword() => 0,
            Token::Str(_) => 1,
            Token::Word(w) => {
                if let Some((_, is_rule)) = name_spans.iter().find(|(s, _)| s == span) {
                    if *is_rule {
                        7
                    } else {
                        3
                    }
                } else if *w == "file" && lexed.tokens.get(i + 1).is_some_and(|(t, _)| *t == Token::LParen) {
                    4
                } else if w.bytes().all(|b| b.is_ascii_digit()) {
                    2
                } else {
                    5
                }
            }
            _ => continue,
        };
        classified.push((span.clone(), kind));
    }
    classified.extend(lexed.comments.iter().map(|c| (c.span.clone(), 6)));
    classified.sort_by_key(|(span, _)| span.start);
    let mut out = Vec::with_capacity(classified.len());
    let (mut last_line, mut last_start) = (0, 0);
    for (span, kind) in classified {
        let start = index.position(span.start);
        let end = index.position(span.end);
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 { start.character - last_start } else { start.character };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: kind,
            token_modifiers_bitset: 0,
        });
        last_line = start.line;
        last_start = start.character;
    }
    out
}
