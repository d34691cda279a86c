//! Document symbols (the outline of one spec), workspace symbols (names across specs) and the
//! specs of a project, which workspace symbols search.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dslc_db::{Db, SourceFile};
use dslc_syntax::ast::{ReuseSources, Statement};
use dslc_syntax::Span;

use crate::Spec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Cohort,
    Axis,
    Rule,
    /// The `reuse` statement.
    Policy,
}

/// One entry of the outline: `span` covers the statement, `selection` its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub span: Span,
    pub selection: Span,
    pub children: Vec<Symbol>,
}

/// The outline of a spec: cohort, axes (with level counts), ties, pairs and tuples (with their
/// result size; a tuple's axes as children), and the reuse policy.
pub fn document_symbols(db: &dyn Db, spec: SourceFile) -> Vec<Symbol> {
    let spec = Spec::new(db, spec);
    let design = spec.design();
    let symbol = |name: &str, detail: Option<String>, kind: SymbolKind, span: &Span, selection: &Span| Symbol {
        name: name.to_string(),
        detail,
        kind,
        span: span.clone(),
        selection: selection.clone(),
        children: Vec::new(),
    };
    let levels =
        |name: &str| design.axes.iter().find(|a| a.name == name).map(|a| format!("{} levels", a.declared_levels));
    let rule = |name: &str, kind: &str| {
        design.rules.iter().find(|r| r.name == name).map_or(kind.to_string(), |r| format!("{kind} → {}", r.after))
    };
    let mut out = Vec::new();
    for statement in &spec.ast().statements {
        match statement {
            Statement::Cohort(s) => out.push(symbol(&s.id.text, None, SymbolKind::Cohort, &s.span, &s.id.span)),
            Statement::Axis(s) => {
                out.push(symbol(&s.name.text, levels(&s.name.text), SymbolKind::Axis, &s.span, &s.name.span))
            }
            Statement::Tie(s) => {
                out.push(symbol(&s.name.text, Some(rule(&s.name.text, "tie")), SymbolKind::Rule, &s.span, &s.name.span))
            }
            Statement::Pair(s) => out.push(symbol(
                &s.name.text,
                Some(rule(&s.name.text, "pair")),
                SymbolKind::Rule,
                &s.span,
                &s.name.span,
            )),
            Statement::Tuple(s) => {
                let mut tuple =
                    symbol(&s.name.text, Some(rule(&s.name.text, "tuple")), SymbolKind::Rule, &s.span, &s.name.span);
                tuple.children = s
                    .axes
                    .iter()
                    .map(|a| symbol(&a.text, levels(&a.text), SymbolKind::Axis, &a.span, &a.span))
                    .collect();
                out.push(tuple);
            }
            Statement::Reuse(s) => {
                let detail = match &s.sources {
                    ReuseSources::None(_) => "none".to_string(),
                    ReuseSources::From(list) => {
                        let cohorts: Vec<&str> = list.values.iter().map(|v| v.text.as_str()).collect();
                        format!("from {}", cohorts.join(", "))
                    }
                };
                let keyword = s.span.start..s.span.start + "reuse".len();
                out.push(symbol("reuse", Some(detail), SymbolKind::Policy, &s.span, &keyword));
            }
            Statement::Subset(_) | Statement::Output(_) => {}
        }
    }
    out
}

/// The declared names of `specs` whose name contains `query` (case-insensitively; an empty
/// query matches all), each with its spec and declaration span, in spec then source order.
pub fn workspace_symbols(db: &dyn Db, specs: &[SourceFile], query: &str) -> Vec<(PathBuf, Symbol)> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    for &file in specs {
        let names = dslc_db::names::name_table(db, file);
        for symbol in names.symbols.iter().filter(|s| s.name.to_lowercase().contains(&query)) {
            let site = symbol.definition();
            let kind = if symbol.kind.is_rule() { SymbolKind::Rule } else { SymbolKind::Axis };
            out.push((
                site.file.to_path_buf(),
                Symbol {
                    name: symbol.name.clone(),
                    detail: Some(symbol.kind.describe().to_string()),
                    kind,
                    span: site.span.clone(),
                    selection: site.span.clone(),
                    children: Vec::new(),
                },
            ));
        }
    }
    out
}

/// At most this many specs are listed per project, and this many directory entries visited: a
/// project root that turns out to be a home directory must not stall the editor.
pub const MAX_PROJECT_SPECS: usize = 2_000;
const MAX_ENTRIES_VISITED: usize = 100_000;

/// Every `.cohort` file under the project roots of `specs` (the `dslc.toml` directories, else
/// the specs' own directories), sorted, the given specs included. Hidden directories, `target`
/// and `node_modules` are skipped, and symbolic links are not followed, so nothing outside the
/// roots is listed.
pub fn project_specs(db: &dyn Db, specs: &[SourceFile]) -> Vec<PathBuf> {
    let roots: BTreeSet<PathBuf> = specs.iter().map(|&spec| dslc_db::db::project_root(db, spec).clone()).collect();
    let mut found: BTreeSet<PathBuf> = specs.iter().map(|&spec| spec.path(db).clone()).collect();
    for root in &roots {
        let mut budget = MAX_ENTRIES_VISITED;
        let mut in_root = Vec::new();
        collect_specs(root, &mut in_root, &mut budget);
        found.extend(in_root);
    }
    found.into_iter().collect()
}

fn collect_specs(dir: &Path, out: &mut Vec<PathBuf>, budget: &mut usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        if *budget == 0 || out.len() >= MAX_PROJECT_SPECS {
            return;
        }
        *budget -= 1;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                collect_specs(&entry.path(), out, budget);
            }
        } else if kind.is_file() && name.ends_with(".cohort") {
            out.push(entry.path());
        }
    }
}
