//! The name table of a spec: every definition and use of every axis, tie, pair and tuple name,
//! in the spec and in the header cells of the CSV files it includes, with what each use names.
//!
//! Editors answer "what is this name, where is it defined, where is it used, what must a rename
//! touch" from this one table, so that they agree with the checker on what a name refers to.

use std::path::Path;
use std::sync::Arc;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use dslc_syntax::ast::{FileRef, Items, Levels, Name, SpecFile, Statement};
use dslc_syntax::Span;

use crate::db::{parse, resolve_include, Db, SourceFile};
use crate::diagnostic::FilePath;
use crate::stage::Field;

/// What a name declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// `axis NAME = …`, or an axis that a tuple lists without an `axis` statement.
    Axis,
    Tie,
    Pair,
    Tuple,
}

impl NameKind {
    pub fn describe(self) -> &'static str {
        match self {
            NameKind::Axis => "axis",
            NameKind::Tie => "tie",
            NameKind::Pair => "pair",
            NameKind::Tuple => "tuple",
        }
    }

    pub fn is_rule(self) -> bool {
        !matches!(self, NameKind::Axis)
    }
}

/// How a name is written at one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SiteRole {
    /// The name is declared here.
    Definition,
    /// The spec refers to the name here (`subset`, rule axis lists, `output`).
    Use,
    /// A header cell of an included CSV file names the axis.
    Header,
}

/// One place where a name is written: a byte span in a spec or an included file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Site {
    pub file: FilePath,
    pub span: Span,
    pub role: SiteRole,
}

impl Site {
    pub fn contains(&self, file: &Path, offset: usize) -> bool {
        *self.file == *file && self.span.start <= offset && offset <= self.span.end
    }
}

/// One declared name and every place it is written, definitions first, then in source order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Symbol {
    pub name: String,
    pub kind: NameKind,
    pub sites: Vec<Site>,
}

impl Symbol {
    /// The first declaration; later ones are duplicates the checker reports.
    pub fn definition(&self) -> &Site {
        // Every symbol is created from its first definition, so the first site is one.
        &self.sites[0]
    }

    /// Whether this name is (or aliases) a stage field, whose name gives it its meaning.
    pub fn stage_field(&self) -> Option<Field> {
        if self.kind != NameKind::Axis {
            return None;
        }
        Field::ALL.into_iter().find(|f| f.names().contains(&self.name.as_str()))
    }
}

/// Every name of one spec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NameTable {
    pub symbols: Vec<Symbol>,
    /// Uses that name nothing declared (the checker reports them), with the name written.
    pub unresolved: Vec<(String, Site)>,
    /// Symbol indexes sorted by name, so that a lookup is logarithmic in a large spec.
    by_name: Vec<u32>,
}

impl NameTable {
    pub fn get(&self, name: &str) -> Option<&Symbol> {
        let found = self.by_name.binary_search_by(|&i| self.symbols[i as usize].name.as_str().cmp(name)).ok()?;
        Some(&self.symbols[self.by_name[found] as usize])
    }

    /// The symbol and the site at byte `offset` of `file`, if a name is written there.
    pub fn at(&self, file: &Path, offset: usize) -> Option<(&Symbol, &Site)> {
        self.symbols
            .iter()
            .find_map(|symbol| symbol.sites.iter().find(|s| s.contains(file, offset)).map(|s| (symbol, s)))
    }

    /// The unresolved use at byte `offset` of `file`.
    pub fn unresolved_at(&self, file: &Path, offset: usize) -> Option<(&str, &Site)> {
        self.unresolved.iter().find(|(_, s)| s.contains(file, offset)).map(|(n, s)| (n.as_str(), s))
    }
}

/// The name table of a spec, from its parse and the headers of the CSV files it includes.
#[salsa::tracked(returns(ref))]
pub fn name_table(db: &dyn Db, spec: SourceFile) -> NameTable {
    let file = &parse(db, spec).file;
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let mut builder = Builder { spec: spec_path, table: NameTable::default(), index: HashMap::default() };
    builder.definitions(file);
    builder.uses(file);
    for (file_ref, names) in header_owners(file) {
        let Ok(included) = resolve_include(db, spec, file_ref) else { continue };
        let Some(header) = &included.table.header else { continue };
        for cell in &header.cells {
            if names.contains(&cell.text.as_str()) {
                builder.add(&cell.text, &included.path, cell.span.clone(), SiteRole::Header);
            }
        }
    }
    for symbol in &mut builder.table.symbols {
        // Definitions first (the first is the declaration), then by file and position.
        symbol.sites.sort_by(|a, b| {
            (a.role != SiteRole::Definition, a.file != builder.spec, &a.file, a.span.start).cmp(&(
                b.role != SiteRole::Definition,
                b.file != builder.spec,
                &b.file,
                b.span.start,
            ))
        });
    }
    let mut table = builder.table;
    let mut by_name: Vec<u32> = (0..table.symbols.len() as u32).collect();
    by_name.sort_by(|&a, &b| table.symbols[a as usize].name.cmp(&table.symbols[b as usize].name));
    table.by_name = by_name;
    table
}

struct Builder {
    spec: FilePath,
    table: NameTable,
    /// Symbol index by name while building.
    index: HashMap<String, usize>,
}

impl Builder {
    fn define(&mut self, name: &Name, kind: NameKind) {
        let site = Site { file: self.spec.clone(), span: name.span.clone(), role: SiteRole::Definition };
        match self.index.get(&name.text) {
            Some(&i) => self.table.symbols[i].sites.push(site),
            None => {
                self.index.insert(name.text.clone(), self.table.symbols.len());
                self.table.symbols.push(Symbol { name: name.text.clone(), kind, sites: vec![site] });
            }
        }
    }

    fn add(&mut self, name: &str, file: &FilePath, span: Span, role: SiteRole) {
        let site = Site { file: file.clone(), span, role };
        match self.index.get(name) {
            Some(&i) => self.table.symbols[i].sites.push(site),
            None => self.table.unresolved.push((name.to_string(), site)),
        }
    }

    fn refer(&mut self, name: &Name) {
        let spec = self.spec.clone();
        self.add(&name.text, &spec, name.span.clone(), SiteRole::Use);
    }

    fn definitions(&mut self, file: &SpecFile) {
        let declared: HashSet<&str> = file
            .statements
            .iter()
            .filter_map(|st| match st {
                Statement::Axis(a) => Some(a.name.text.as_str()),
                _ => None,
            })
            .collect();
        for statement in &file.statements {
            match statement {
                Statement::Axis(s) => self.define(&s.name, NameKind::Axis),
                Statement::Tie(s) => self.define(&s.name, NameKind::Tie),
                Statement::Pair(s) => self.define(&s.name, NameKind::Pair),
                Statement::Tuple(s) => {
                    self.define(&s.name, NameKind::Tuple);
                    // A tuple defines its axes unless they were declared with `axis`.
                    for axis in s.axes.iter().filter(|a| !declared.contains(a.text.as_str())) {
                        if !self.index.contains_key(&axis.text) {
                            self.define(axis, NameKind::Axis);
                        }
                    }
                }
                Statement::Cohort(_) | Statement::Subset(_) | Statement::Output(_) | Statement::Reuse(_) => {}
            }
        }
    }

    fn uses(&mut self, file: &SpecFile) {
        for statement in &file.statements {
            match statement {
                Statement::Subset(s) => self.refer(&s.axis),
                Statement::Tie(s) => s.axes.iter().for_each(|a| self.refer(a)),
                Statement::Pair(s) => {
                    self.refer(&s.left);
                    self.refer(&s.right);
                }
                Statement::Tuple(s) => {
                    for axis in &s.axes {
                        // The axes this tuple defines are already recorded as definitions.
                        let defined_here = self.index.get(&axis.text).is_some_and(|&i| {
                            let symbol = &self.table.symbols[i];
                            symbol.sites.iter().any(|site| site.span == axis.span && site.file == self.spec)
                        });
                        if !defined_here {
                            self.refer(axis);
                        }
                    }
                }
                Statement::Output(s) => s.fields.iter().for_each(|f| self.refer(f)),
                Statement::Axis(_) | Statement::Cohort(_) | Statement::Reuse(_) => {}
            }
        }
    }
}

/// The included files whose header cells can name axes, each with the names its header may
/// hold: an axis or subset file names its axis; a pair's or tuple's items file names the leaf
/// axes of the rule (a side that is itself a pair or tuple contributes that rule's axes).
fn header_owners(file: &SpecFile) -> Vec<(&FileRef, Vec<&str>)> {
    let mut rules: HashMap<&str, Vec<&str>> = HashMap::default();
    for statement in &file.statements {
        match statement {
            Statement::Pair(p) => {
                rules.entry(&p.name.text).or_insert_with(|| vec![&p.left.text, &p.right.text]);
            }
            Statement::Tuple(t) => {
                rules.entry(&t.name.text).or_insert_with(|| t.axes.iter().map(|a| a.text.as_str()).collect());
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for statement in &file.statements {
        match statement {
            Statement::Axis(s) => {
                if let Levels::File(f) = &s.levels {
                    out.push((f, vec![s.name.text.as_str()]));
                }
            }
            Statement::Subset(s) => {
                if let Levels::File(f) = &s.levels {
                    out.push((f, vec![s.axis.text.as_str()]));
                }
            }
            Statement::Pair(s) => {
                if let Items::File(f) = &s.items {
                    let mut names = Vec::new();
                    leaf_axes(&rules, &s.left.text, &mut names, 0);
                    leaf_axes(&rules, &s.right.text, &mut names, 0);
                    out.push((f, names));
                }
            }
            Statement::Tuple(s) => {
                if let Items::File(f) = &s.items {
                    let mut names = Vec::new();
                    s.axes.iter().for_each(|a| leaf_axes(&rules, &a.text, &mut names, 0));
                    out.push((f, names));
                }
            }
            Statement::Cohort(_) | Statement::Tie(_) | Statement::Output(_) | Statement::Reuse(_) => {}
        }
    }
    out
}

/// The leaf axes under `name`: itself, or the axes of the pair or tuple it names.
fn leaf_axes<'f>(rules: &HashMap<&'f str, Vec<&'f str>>, name: &'f str, out: &mut Vec<&'f str>, depth: usize) {
    // Rules cannot nest deeper than the spec is long; the bound only guards against cycles.
    match rules.get(name) {
        Some(inner) if depth < 16 => inner.iter().for_each(|n| leaf_axes(rules, n, out, depth + 1)),
        _ => out.push(name),
    }
}
