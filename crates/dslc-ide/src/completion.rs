//! Completion in context: keywords, stage fields after `axis`, declared names where an axis is
//! expected, catalog IDs where a catalogued field's value is written, an axis's current levels
//! inside `subset AXIS = [`, `balance` after a pair's axes, `from` or `none` after `reuse`, and
//! paths inside `file("…")`.

use std::collections::{BTreeSet, HashSet};

use dslc_db::names::NameKind;
use dslc_db::stage::Field;
use dslc_db::{Db, SourceFile};
use dslc_syntax::ast::{Levels, Statement, Value};
use dslc_syntax::lexer::KEYWORDS;
use dslc_syntax::Span;

use crate::context::{self, Expected};
use crate::hover::entry_markdown;
use crate::Spec;

/// Most clients filter the list themselves; past this size the server pre-filters.
const MAX_ITEMS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Keyword,
    /// A stage field name offered for a new axis.
    StageField,
    Axis,
    Rule,
    /// A catalog ID or a level.
    Value,
    File,
    Folder,
}

/// One completion: `insert` replaces `replace` (the word under the cursor).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown.
    pub documentation: Option<String>,
    pub sort_text: Option<String>,
    pub insert: String,
    pub replace: Span,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<Completion>,
    /// More items exist than were offered; typing more narrows them.
    pub incomplete: bool,
}

/// The completions at byte `offset` of `spec`.
pub fn completions(db: &dyn Db, spec: SourceFile, offset: usize) -> Completions {
    let spec = Spec::new(db, spec);
    let text = spec.text();
    let cursor = context::cursor(text, offset, spec.ast());
    let replace = cursor.replace.clone();
    let item = |label: String, kind: CompletionKind, detail: Option<String>| Completion {
        insert: label.clone(),
        label,
        kind,
        detail,
        documentation: None,
        sort_text: None,
        replace: replace.clone(),
    };
    let mut out = Completions::default();
    match cursor.expected {
        Expected::Keyword => {
            out.items = KEYWORDS.iter().map(|k| item(k.to_string(), CompletionKind::Keyword, None)).collect()
        }
        Expected::NewAxis => {
            let declared: BTreeSet<&str> = spec.names().symbols.iter().map(|s| s.name.as_str()).collect();
            out.items = Field::ALL
                .iter()
                .map(|f| f.canonical())
                .filter(|name| !declared.contains(name))
                .map(|name| item(name.to_string(), CompletionKind::StageField, Some("stage field".into())))
                .collect();
        }
        Expected::AxisName => {
            out.items = spec
                .names()
                .symbols
                .iter()
                .map(|symbol| {
                    let kind = if symbol.kind == NameKind::Axis { CompletionKind::Axis } else { CompletionKind::Rule };
                    item(symbol.name.clone(), kind, Some(symbol.kind.describe().to_string()))
                })
                .collect();
        }
        Expected::Balance => {
            out.items =
                vec![item("balance".into(), CompletionKind::Keyword, Some("balance left | right | both".into()))]
        }
        Expected::BalanceSide => {
            out.items = ["left", "right", "both"]
                .iter()
                .map(|side| item(side.to_string(), CompletionKind::Keyword, Some("balanced side".into())))
                .collect()
        }
        Expected::ReuseForm => {
            out.items = vec![
                item("from".into(), CompletionKind::Keyword, Some("reuse from [COHORT, …]".into())),
                item("none".into(), CompletionKind::Keyword, Some("reuse none".into())),
            ]
        }
        Expected::Value { axis } => catalog_items(&spec, &axis, offset, &replace, &mut out),
        Expected::Level { axis } => level_items(&spec, &axis, offset, &replace, &mut out),
        Expected::Path { typed } => {
            out.items = path_items(&spec, &typed, &replace);
        }
        Expected::Nothing => {}
    }
    out
}

/// Catalog IDs for a catalogued field: unused ones first, each group in catalog order.
fn catalog_items(spec: &Spec, axis: &str, offset: usize, replace: &Span, out: &mut Completions) {
    let Some(catalog) = spec.catalog(axis) else { return };
    // Which values are written needs no spans, so the numbered analysis serves: after an edit it
    // is ready, while the byte-span one would be mapped again first.
    let design = &dslc_db::db::numbered_analysis(spec.db, spec.file).design;
    let tie = design.tie_of.get(axis).cloned();
    let mut used = vec![false; design.interner.len()];
    for o in &design.occurrences {
        if *o.axis == *axis || tie.as_deref() == Some(&*o.axis) {
            used[o.value.0 as usize] = true;
        }
    }
    let is_used = |id: &str| design.interner.lookup(id).is_some_and(|sym| used[sym.0 as usize]);
    let typed = spec.text().get(replace.start..offset).unwrap_or("").to_lowercase();
    let repeats: HashSet<usize> = catalog.duplicates.iter().map(|&(_, repeat)| repeat).collect();
    for (i, entry) in catalog.entries.iter().enumerate() {
        if repeats.contains(&i) {
            continue;
        }
        if catalog.len() > MAX_ITEMS && !contains_ignoring_case(&entry.id, &typed) {
            out.incomplete = true;
            continue;
        }
        if out.items.len() >= MAX_ITEMS {
            out.incomplete = true;
            break;
        }
        let fields = catalog.fields(entry);
        let get = |k: &str| fields.iter().find(|(n, v)| n == k && !v.is_empty()).map(|(_, v)| v.clone());
        let used = is_used(&entry.id);
        out.items.push(Completion {
            label: entry.id.clone(),
            kind: CompletionKind::Value,
            detail: get("template_name").or_else(|| get("display_name")),
            documentation: Some(entry_markdown(&entry.id, &fields, used)),
            sort_text: Some(format!("{}{:07}", u8::from(used), i)),
            insert: dslc_syntax::quote_value(&entry.id),
            replace: replace.clone(),
        });
    }
}

/// The levels `subset AXIS = [` may keep: the axis's levels as narrowed by the subsets written
/// before the cursor's statement. A subset can only narrow, so the catalog is no help here.
fn level_items(spec: &Spec, axis: &str, offset: usize, replace: &Span, out: &mut Completions) {
    // A tie (or an axis whose levels cannot be read) has no written domain to offer; its
    // catalog, if any, is the best guide.
    let Some(levels) = current_levels(spec, axis, offset) else {
        return catalog_items(spec, axis, offset, replace, out);
    };
    let catalog = spec.catalog(axis);
    let typed = spec.text().get(replace.start..offset).unwrap_or("").to_lowercase();
    for (i, level) in levels.iter().enumerate() {
        if levels.len() > MAX_ITEMS && !level.to_lowercase().contains(&typed) {
            out.incomplete = true;
            continue;
        }
        if out.items.len() >= MAX_ITEMS {
            out.incomplete = true;
            break;
        }
        let entry = catalog.as_ref().and_then(|c| c.get(level).map(|e| (c.fields(e), e.id.clone())));
        out.items.push(Completion {
            label: level.clone(),
            kind: CompletionKind::Value,
            detail: Some(format!("a level of `{axis}`")),
            documentation: entry.map(|(fields, id)| entry_markdown(&id, &fields, false)),
            sort_text: Some(format!("{i:07}")),
            insert: dslc_syntax::quote_value(level),
            replace: replace.clone(),
        });
    }
}

/// The distinct levels of `axis` in declaration order, narrowed by every subset before the one
/// being typed at `offset`; `None` when the axis is not declared with `axis` or its file is unreadable.
fn current_levels(spec: &Spec, axis: &str, offset: usize) -> Option<Vec<String>> {
    let ast = spec.ast();
    let declared = ast.statements.iter().find_map(|s| match s {
        Statement::Axis(a) if a.name.text == axis => Some(&a.levels),
        _ => None,
    })?;
    let mut levels = levels_of(spec, declared)?;
    // The statement being typed may have been recovered as an empty subset; only the ones
    // before it count.
    let lexed = dslc_syntax::lexer::lex(spec.text());
    let typing = lexed
        .tokens
        .iter()
        .rev()
        .find(|(t, span)| *t == dslc_syntax::lexer::Token::Subset && span.start <= offset)
        .map_or(offset, |(_, span)| span.start);
    for statement in &ast.statements {
        if let Statement::Subset(s) = statement {
            if s.axis.text == axis && s.span.start < typing {
                if let Some(kept) = levels_of(spec, &s.levels) {
                    let kept: BTreeSet<String> = kept.into_iter().collect();
                    levels.retain(|l| kept.contains(l));
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    levels.retain(|l| seen.insert(l.clone()));
    Some(levels)
}

fn levels_of(spec: &Spec, levels: &Levels) -> Option<Vec<String>> {
    match levels {
        Levels::List(list) => Some(list.values.iter().map(|v: &Value| v.text.clone()).collect()),
        Levels::Range(range) => {
            // A range is at most as long as the level budget allows; past that the checker refuses it.
            let count = range.end.checked_sub(range.start)?.checked_add(1)?;
            (0..=10_000).contains(&count).then(|| (range.start..=range.end).map(|n| n.to_string()).collect())
        }
        Levels::File(file_ref) => {
            let included = dslc_db::db::resolve_include(spec.db, spec.file, file_ref).ok()?;
            let column = 0;
            Some(
                included
                    .table
                    .records
                    .iter()
                    .filter_map(|r| r.cells.get(column))
                    .filter(|c| !c.text.is_empty())
                    .map(|c| c.text.clone())
                    .collect(),
            )
        }
    }
}

/// Directories and `.csv`/`.txt` files next to what has been typed inside `file("…")`.
fn path_items(spec: &Spec, typed: &str, replace: &Span) -> Vec<Completion> {
    let dir_part = typed.rfind('/').map_or("", |i| &typed[..=i]);
    let dir = dslc_db::db::normalize(&spec.spec_dir().join(dir_part));
    if !spec.inside_root(&dir) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut items: Vec<Completion> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            if name.starts_with('.') || !spec.inside_root(&entry.path()) {
                return None;
            }
            // Follows symlinks, which the root check has just vetted.
            let is_dir = std::fs::metadata(entry.path()).ok()?.is_dir();
            let lower = name.to_ascii_lowercase();
            if !(is_dir || lower.ends_with(".csv") || lower.ends_with(".txt")) {
                return None;
            }
            let label = if is_dir { format!("{name}/") } else { name };
            Some(Completion {
                insert: label.clone(),
                label,
                kind: if is_dir { CompletionKind::Folder } else { CompletionKind::File },
                detail: None,
                documentation: None,
                sort_text: None,
                replace: replace.clone(),
            })
        })
        .collect();
    items.sort_by(|a, b| a.label.cmp(&b.label));
    items
}

/// Whether `haystack` contains `lower` (already lower-cased) ignoring case; without allocating
/// when both are ASCII, since it runs once per catalog entry.
fn contains_ignoring_case(haystack: &str, lower: &str) -> bool {
    if !haystack.is_ascii() || !lower.is_ascii() {
        return haystack.to_lowercase().contains(lower);
    }
    let (hay, needle) = (haystack.as_bytes(), lower.as_bytes());
    needle.is_empty() || hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}
