//! Hover: what an axis, rule, catalog ID, `file("…")` or `reuse` statement is, as Markdown with
//! the span it covers.

use dslc_db::names::{NameKind, Symbol};
use dslc_db::project::project_config;
use dslc_db::stage::Field;
use dslc_db::{Db, SourceFile};
use dslc_syntax::ast::{FileRef, Levels, ReuseSources, ReuseStmt, Statement};
use dslc_syntax::Span;

use crate::context::catalog_field_of;
use crate::navigation::{file_ref_at, value_at};
use crate::Spec;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub markdown: String,
    /// What the hover describes, in the spec.
    pub span: Span,
}

/// The hover at byte `offset` of `spec`.
pub fn hover(db: &dyn Db, spec: SourceFile, offset: usize) -> Option<Hover> {
    let spec = Spec::new(db, spec);
    let ast = spec.ast();
    let (markdown, span) = if let Some((markdown, span)) = reuse_hover(ast, offset) {
        (markdown, span)
    } else if let Some(file_ref) = file_ref_at(ast, offset) {
        (file_hover(&spec, file_ref)?, file_ref.span.clone())
    } else if let Some((symbol, site)) = spec.names().at(spec.path(), offset) {
        (name_hover(&spec, symbol), site.span.clone())
    } else if let Some((name, site)) = spec.names().unresolved_at(spec.path(), offset) {
        let markdown = if Field::is_known_name(name) {
            format!("`{name}`: a stage field")
        } else {
            format!("`{name}`: not declared in this spec")
        };
        (markdown, site.span.clone())
    } else {
        let (axis, word, span) = value_at(&spec, offset)?;
        (value_hover(&spec, &axis, &word), span)
    };
    Some(Hover { markdown, span })
}

/// On a `reuse` statement's keyword, `from` or `none`: what the statement does; on one of its
/// cohort IDs: what the ID is.
fn reuse_hover(ast: &dslc_syntax::ast::SpecFile, offset: usize) -> Option<(String, Span)> {
    let statement: &ReuseStmt = ast.statements.iter().find_map(|s| match s {
        Statement::Reuse(r) if r.span.start <= offset && offset <= r.span.end => Some(r),
        _ => None,
    })?;
    const EXPLAINED: &str = "**reuse** — which earlier cohorts' generations `dslc compile --gens-root` may reuse from \
        the store. A gen_id the store already holds keeps the cohort that first produced it as its origin \
        (`origin_cohort_id`, marked `\"reused\": true` in stage_manifest.json); a reused generation from a cohort \
        not allowed stops the compile (E0607). A cohort's own generations are always allowed, and \
        `--reuse-from` overrides this statement.";
    let (effect, listed) = match &statement.sources {
        ReuseSources::None(span) => ("allows: no earlier cohort".to_string(), Some(span.clone())),
        ReuseSources::From(list) => {
            if let Some(value) = list.values.iter().find(|v| v.span.start <= offset && offset <= v.span.end) {
                let markdown = format!("`{}`: an earlier cohort whose generations this cohort may reuse", value.text);
                return Some((markdown, value.span.clone()));
            }
            let cohorts: Vec<String> = list.values.iter().map(|v| format!("`{}`", v.text)).collect();
            (format!("allows: {}", cohorts.join(", ")), None)
        }
    };
    let keyword = statement.span.start..statement.span.start + "reuse".len();
    let span = match listed {
        Some(none) if none.start <= offset && offset <= none.end => none,
        _ if offset <= keyword.end => keyword,
        // Inside the brackets or on `from`: the whole statement.
        _ => statement.span.clone(),
    };
    Some((format!("{EXPLAINED}\n\n{effect}"), span))
}

fn file_hover(spec: &Spec, file_ref: &FileRef) -> Option<String> {
    let path = spec.resolve(file_ref)?;
    let root = project_config(spec.db, spec.file).root.clone();
    let shown = path.strip_prefix(&root).unwrap_or(&path);
    let mut out = format!("`{}` → `{}` (from the project root)", file_ref.path, shown.display());
    let file = spec.db.file(&path);
    if file.contents(spec.db).status != dslc_db::FileStatus::Present {
        out.push_str("\n\n*not found*");
    } else if let Ok(table) = dslc_db::db::include_table(spec.db, file) {
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

fn name_hover(spec: &Spec, symbol: &Symbol) -> String {
    let design = spec.design();
    let ast = spec.ast();
    let name = symbol.name.as_str();
    if symbol.kind.is_rule() {
        let kind = symbol.kind.describe();
        return match design.rules.iter().find(|r| r.name == name) {
            Some(rule) => {
                let before: Vec<String> = rule.before.iter().map(|(n, c)| format!("`{n}` {c}")).collect();
                format!(
                    "**{kind}** `{name}`\n\nbefore: {}\n\nafter: {} levels\n\n{}",
                    before.join(" × "),
                    rule.after,
                    removes(kind, rule)
                )
            }
            // The rule failed (its errors say why), so there are no domain sizes to show.
            None => format!("**{kind}** `{name}`\n\n*no domain sizes: the rule has errors*"),
        };
    }
    let fact = design.axes.iter().find(|a| a.name == name);
    let source = ast.statements.iter().find_map(|s| match s {
        Statement::Axis(a) if a.name.text == name => Some(levels_source(&a.levels)),
        Statement::Tuple(t) if t.axes.iter().any(|a| a.text == name) => Some(format!("tuple `{}`", t.name.text)),
        _ => None,
    });
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
        let kind = spec.names().get(rule).map_or("rule", |s| s.kind.describe());
        out.push_str(&format!("\n\nconsumed by `{rule}` ({kind})"));
    }
    if let Some(field) = catalog_field_of(name, ast) {
        out.push_str(&format!("\n\ncatalogued: {} IDs", field.noun()));
    }
    if symbol.kind == NameKind::Axis && symbol.stage_field().is_some() {
        out.push_str("\n\nstage field: the name decides what the column feeds, so it cannot be renamed");
    }
    out
}

/// "this pair removes N of M combinations": M is the product of the rule's axes' level counts
/// before it ran, N what it did not keep (the same count `dslc why` explains one by one).
fn removes(kind: &str, rule: &dslc_db::semantics::RuleFact) -> String {
    let total = rule.before.iter().fold(1u128, |acc, (_, c)| acc.saturating_mul(*c as u128));
    let removed = total.saturating_sub(rule.after as u128);
    let unit = if rule.before.len() == 1 { "levels" } else { "combinations" };
    format!("this {kind} removes {removed} of {total} {unit}")
}

fn value_hover(spec: &Spec, axis: &str, word: &str) -> String {
    let Some(catalog) = spec.catalog(axis) else { return format!("`{word}`: a level of `{axis}`") };
    match catalog.get(word) {
        Some(entry) => {
            let mut out = entry_markdown(&entry.id, &catalog.fields(entry), false);
            out.push_str(&format!("\n\ncatalog line {}", entry.line));
            out
        }
        None => format!("`{word}`: not in the catalog of `{axis}`"),
    }
}

/// A catalog row as Markdown: the ID, then each non-empty column.
pub(crate) fn entry_markdown(id: &str, fields: &[(String, String)], used: bool) -> String {
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
