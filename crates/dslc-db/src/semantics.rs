//! The meaning of a spec: axes, rules in order, the final factors of the product, and column order.
//!
//! This module is pure: it takes a parsed file and already-read includes and returns a `Design`
//! plus diagnostics. The salsa layer decides when to run it; the compiler streams rows from it.
//!
//! Why one file of over 800 lines: splitting it along its seams (axes, rules, items, product,
//! columns, facts) is the first step of issue #9 (one semantic model); it stayed whole while the
//! reliability fixes went in, so that they could be reviewed against the code they changed.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use dslc_syntax::ast::{self, Balance, FileRef, ItemElem, Items, Levels, Name, Statement, Value};
use dslc_syntax::codes::{self, Code};
use dslc_syntax::Span;

use crate::diagnostic::{did_you_mean, Diagnostic, FilePath, Label};
use crate::interner::{Interner, Sym};
use crate::stage::{self, StageFields};
use crate::table::{Cell, Table};

/// The largest range the checker expands; larger ones are almost certainly typos.
pub const MAX_RANGE_LEVELS: i64 = 1_000_000;

/// The most levels and items a spec may hold in all (lists, ranges, files, rule items): at about
/// a hundred bytes each, this keeps a check under about a gigabyte whatever the spec.
pub const MAX_SPEC_LEVELS: usize = 4_000_000;

/// How deeply rules may nest (a tie of a tie of …, a pair of pairs of …).
pub const MAX_RULE_DEPTH: usize = 256;

/// Candidates did-you-mean compares per spec, in all (see `Analyzer::suggest`).
pub const SUGGESTION_BUDGET: usize = 250_000;

/// Where a level, item or declaration comes from: a span in the spec or in an included file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FilePath,
    pub span: Span,
}

impl Origin {
    fn label(&self, message: impl Into<String>) -> Label {
        Label::new(&self.file, self.span.clone(), message)
    }
}

/// A level of an axis or rule: one value, or a combination for pairs and tuples.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Atom(Sym),
    Tuple(Vec<Level>),
}

/// What produced a factor of the product.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FactorKind {
    Axis,
    Tie { members: Vec<String> },
    Pair { left: String, right: String },
    Tuple { members: Vec<String> },
}

impl FactorKind {
    pub fn describe(&self) -> &'static str {
        match self {
            FactorKind::Axis => "axis",
            FactorKind::Tie { .. } => "tie",
            FactorKind::Pair { .. } => "pair",
            FactorKind::Tuple { .. } => "tuple",
        }
    }
}

/// One factor of the final Cartesian product, flattened to the leaf columns it fills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factor {
    /// The axis or rule name.
    pub name: String,
    /// Where the name is declared.
    pub decl: Origin,
    pub kind: FactorKind,
    /// The leaf columns this factor fills, in its own expansion order.
    pub columns: Vec<String>,
    /// One row per level, aligned with `columns`, stored flat (`columns.len()` values a row).
    pub cells: Vec<Sym>,
    /// Where each level comes from, one per row.
    pub origins: Vec<Origin>,
}

impl Factor {
    /// The number of levels (rows) of this factor.
    pub fn len(&self) -> usize {
        self.origins.len()
    }

    pub fn is_empty(&self) -> bool {
        self.origins.is_empty()
    }

    /// The values of level `index`, aligned with `columns`.
    pub fn row(&self, index: usize) -> &[Sym] {
        let width = self.columns.len();
        &self.cells[index * width..(index + 1) * width]
    }

    /// Every level's values, in level order.
    pub fn rows(&self) -> impl Iterator<Item = &[Sym]> {
        self.cells.chunks_exact(self.columns.len().max(1))
    }
}

/// An axis as it was at some point of the rule sequence, for hover and inlay facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AxisFact {
    pub name: String,
    pub decl: Origin,
    /// How many levels the axis had after its declaration (or tuple derivation).
    pub declared_levels: usize,
    /// The rule that consumed it, if any.
    pub consumed_by: Option<String>,
}

/// The domain sizes a rule saw and left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleFact {
    pub name: String,
    pub kind: &'static str,
    pub span: Span,
    /// Level counts of the rule's axes before it ran.
    pub before: Vec<(String, usize)>,
    /// Level count of the rule's result.
    pub after: usize,
}

/// One place where a value is written for an axis: a list element, a subset value, an item
/// element or an included CSV/TXT cell. Catalog checks report unknown IDs at every occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The plain axis (or tie) the value is written for; shared by all of its occurrences.
    pub axis: Arc<str>,
    pub value: Sym,
    pub origin: Origin,
}

/// The analysed spec: everything needed to check it, count it, and stream its rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Design {
    pub interner: Interner,
    /// The product's factors, first one slowest.
    pub factors: Vec<Factor>,
    /// The design rows' columns, in output order.
    pub columns: Vec<String>,
    /// For each column: (factor index, leaf column index within that factor).
    pub column_sources: Vec<(usize, usize)>,
    /// The cohort statement's id and note, if any.
    pub cohort_id: Option<String>,
    pub cohort_note: Option<String>,
    /// Which column feeds each stage field.
    pub stage: StageFields,
    pub axes: Vec<AxisFact>,
    pub rules: Vec<RuleFact>,
    /// Where the first statement starts: reports about the spec as a whole point here.
    pub spec_start: usize,
    /// Every value written in the spec or its includes, in source order per rule.
    pub occurrences: Vec<Occurrence>,
    /// For every axis, tie, pair and tuple ever declared: the factor whose columns it fills, and
    /// which of them (an entry's columns are contiguous in its factor). See [`Design::columns_of`].
    pub axis_columns: HashMap<String, (usize, std::ops::Range<usize>)>,
    /// A tied axis → the tie that took it.
    pub tie_of: HashMap<String, String>,
}

impl Design {
    /// The number of design rows, saturating at `u128::MAX`.
    pub fn row_count(&self) -> u128 {
        if self.factors.is_empty() {
            return 0;
        }
        self.factors.iter().fold(1u128, |acc, f| acc.saturating_mul(f.len() as u128))
    }

    /// How many distinct combinations of `columns` the rows hold, without forming the product.
    ///
    /// Factors are independent, so the projection of their product is the product of their
    /// projections; columns that no factor fills are constant.
    pub fn distinct_count(&self, columns: &[&str]) -> u128 {
        if self.factors.is_empty() {
            return 0;
        }
        let mut total = 1u128;
        for factor in &self.factors {
            let picked: Vec<usize> = factor
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| columns.contains(&c.as_str()))
                .map(|(i, _)| i)
                .collect();
            if picked.is_empty() {
                continue;
            }
            // A factor's levels are distinct, so a projection onto all its columns keeps them all.
            if picked.len() == factor.columns.len() {
                total = total.saturating_mul(factor.len() as u128);
                continue;
            }
            // Projections are short (a few stage columns), so fixed arrays avoid an allocation per row.
            let distinct = if picked.len() <= 12 {
                let key = |row: &[Sym]| {
                    let mut key = [u32::MAX; 12];
                    for (slot, &i) in key.iter_mut().zip(&picked) {
                        *slot = row[i].0;
                    }
                    key
                };
                factor.rows().map(key).collect::<HashSet<[u32; 12]>>().len()
            } else {
                factor
                    .rows()
                    .map(|row| picked.iter().map(|&i| row[i]).collect::<Vec<Sym>>())
                    .collect::<HashSet<_>>()
                    .len()
            };
            total = total.saturating_mul(distinct as u128);
        }
        total
    }

    /// The design columns that the axis, tie, pair or tuple `name` fills.
    pub fn columns_of(&self, name: &str) -> &[String] {
        match self.axis_columns.get(name) {
            Some((factor, range)) => {
                self.factors.get(*factor).and_then(|f| f.columns.get(range.clone())).unwrap_or(&[])
            }
            None => &[],
        }
    }

    /// The index of a column in `columns`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Calls `visit` with each design row in product order, values in `columns` order.
    /// Stops early when `visit` returns false.
    pub fn for_each_row(&self, mut visit: impl FnMut(&[Sym]) -> bool) {
        if self.factors.is_empty() || self.factors.iter().any(|f| f.is_empty()) {
            return;
        }
        let mut counters = vec![0usize; self.factors.len()];
        let mut row = vec![Sym::default(); self.columns.len()];
        loop {
            for (slot, &(factor, leaf)) in row.iter_mut().zip(&self.column_sources) {
                *slot = self.factors[factor].row(counters[factor])[leaf];
            }
            if !visit(&row) {
                return;
            }
            // Advance like an odometer: the last factor turns fastest.
            let mut position = self.factors.len();
            loop {
                if position == 0 {
                    return;
                }
                position -= 1;
                counters[position] += 1;
                if counters[position] < self.factors[position].len() {
                    break;
                }
                counters[position] = 0;
            }
        }
    }
}

/// A file included with `file(...)`, already located and read by the database layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Included {
    pub path: FilePath,
    pub table: Arc<Table>,
}

/// Finds and reads an included file; errors (missing, escaping, unreadable…) come back as diagnostics.
pub trait IncludeResolver {
    fn resolve(&self, file_ref: &FileRef) -> Result<Arc<Included>, Box<Diagnostic>>;
}

/// The result of analysing one spec file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    pub design: Design,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == codes::Severity::Error)
    }
}

#[derive(Clone, Debug)]
enum EntryKind {
    Plain,
    Tie { members: Vec<String> },
    Pair { left: String, right: String },
    Tuple { members: Vec<String> },
}

#[derive(Clone, Debug)]
struct Entry {
    name: String,
    /// 0 for a plain axis; one more than its deepest member for a rule.
    depth: usize,
    decl: Origin,
    kind: EntryKind,
    levels: Vec<Level>,
    origins: Vec<Origin>,
    /// `levels` as a set, built on first use and kept until the levels change: rules that fail
    /// against one large axis would otherwise each rebuild it.
    domain: std::cell::OnceCell<Arc<HashSet<Level>>>,
}

impl Entry {
    fn domain(&self) -> Arc<HashSet<Level>> {
        self.domain.get_or_init(|| Arc::new(self.levels.iter().cloned().collect())).clone()
    }

    /// What an emptied slot holds until a rule's entry takes it.
    fn vacant() -> Entry {
        Entry {
            name: String::new(),
            depth: 0,
            decl: Origin { file: Arc::from(std::path::Path::new("")), span: 0..0 },
            kind: EntryKind::Plain,
            levels: Vec::new(),
            origins: Vec::new(),
            domain: Default::default(),
        }
    }

    fn is_atomic(&self) -> bool {
        matches!(self.kind, EntryKind::Plain | EntryKind::Tie { .. })
    }

    fn members(&self) -> Vec<&str> {
        match &self.kind {
            EntryKind::Plain => Vec::new(),
            EntryKind::Tie { members } | EntryKind::Tuple { members } => members.iter().map(String::as_str).collect(),
            EntryKind::Pair { left, right } => vec![left.as_str(), right.as_str()],
        }
    }
}

/// The live axis map in axis order. A rule puts its entry into the slot of one of the entries it
/// replaces and empties the others, so slots never move: a name finds its slot in O(1), and a
/// rule over k axes costs O(k) however many axes the spec has.
#[derive(Default)]
struct Live {
    slots: Vec<Entry>,
    alive: Vec<bool>,
    by_name: HashMap<String, usize>,
}

impl Live {
    fn push(&mut self, entry: Entry) {
        self.by_name.insert(entry.name.clone(), self.slots.len());
        self.slots.push(entry);
        self.alive.push(true);
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    fn contains(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// The live entries with their slots, in axis order.
    fn iter(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.slots.iter().enumerate().filter(|(i, _)| self.alive[*i])
    }

    /// Empties a slot and returns its entry.
    fn take(&mut self, index: usize) -> Entry {
        self.alive[index] = false;
        let entry = std::mem::replace(&mut self.slots[index], Entry::vacant());
        if self.by_name.get(&entry.name) == Some(&index) {
            self.by_name.remove(&entry.name);
        }
        entry
    }

    /// Fills an emptied slot with a new entry.
    fn put(&mut self, index: usize, entry: Entry) {
        self.by_name.insert(entry.name.clone(), index);
        self.slots[index] = entry;
        self.alive[index] = true;
    }
}

impl std::ops::Index<usize> for Live {
    type Output = Entry;

    fn index(&self, index: usize) -> &Entry {
        &self.slots[index]
    }
}

impl std::ops::IndexMut<usize> for Live {
    fn index_mut(&mut self, index: usize) -> &mut Entry {
        &mut self.slots[index]
    }
}

/// How a rule side's levels are built: a plain value, or a tuple of member shapes.
struct Shape {
    name: Arc<str>,
    kind: &'static str,
    members: Vec<Shape>,
}

/// One side of a pair or one axis of a tuple while its items are checked.
struct Side {
    index: usize,
    shape: Shape,
    domain: Arc<HashSet<Level>>,
}

/// Why a name could not be used by a rule.
enum Unresolved {
    Reported(Box<Diagnostic>),
    /// The name belongs to a rule that already failed; reporting again would only add noise.
    Silent,
}

struct Analyzer<'a> {
    spec: FilePath,
    resolver: &'a dyn IncludeResolver,
    interner: Interner,
    diagnostics: Vec<Diagnostic>,
    /// The live axis map, in axis order.
    live: Live,
    /// Levels and items taken so far, against `MAX_SPEC_LEVELS`.
    levels_taken: usize,
    levels_limit_reported: bool,
    /// How many more candidates did-you-mean may compare in this spec.
    suggestion_budget: std::cell::Cell<usize>,
    /// Axis name -> its fact in `axes`.
    axis_fact: HashMap<String, usize>,
    /// Every entry ever created, by name, for expanding rules that consumed others.
    all: HashMap<String, Entry>,
    /// Axis or rule name -> the rule that consumed it and where that rule is named.
    consumed: HashMap<String, (String, Origin)>,
    /// A tied axis -> its tie, so later rules may name the axis and mean the tie.
    tie_alias: HashMap<String, String>,
    /// Names of rules that failed, so references to them stay quiet.
    poisoned: HashSet<String>,
    /// Axes bound only by tuples whose items gave them no level.
    levelless_tuple_axes: HashSet<String>,
    /// Rule names already used, with where.
    rule_names: HashMap<String, Origin>,
    /// Rules in declaration order, for column expansion.
    rule_order: Vec<String>,
    axes: Vec<AxisFact>,
    rules: Vec<RuleFact>,
    occurrences: Vec<Occurrence>,
}

/// Analyses one parsed spec. `spec` is the file's path for labels.
pub fn analyze(spec: &FilePath, file: &ast::SpecFile, resolver: &dyn IncludeResolver) -> Analysis {
    let analyzer = Analyzer {
        spec: spec.clone(),
        resolver,
        interner: Interner::default(),
        diagnostics: Vec::new(),
        live: Live::default(),
        axis_fact: HashMap::default(),
        suggestion_budget: std::cell::Cell::new(SUGGESTION_BUDGET),
        levels_taken: 0,
        levels_limit_reported: false,
        all: HashMap::default(),
        consumed: HashMap::default(),
        tie_alias: HashMap::default(),
        poisoned: HashSet::default(),
        levelless_tuple_axes: HashSet::default(),
        rule_names: HashMap::default(),
        rule_order: Vec::new(),
        axes: Vec::new(),
        rules: Vec::new(),
        occurrences: Vec::new(),
    };
    analyzer.run(file)
}

impl<'a> Analyzer<'a> {
    fn origin(&self, span: &Span) -> Origin {
        Origin { file: self.spec.clone(), span: span.clone() }
    }

    fn label(&self, span: &Span, message: impl Into<String>) -> Label {
        Label::new(&self.spec, span.clone(), message)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The nesting depth of a new rule over the live entries at `indices`, or `None` (reported,
    /// and the rule poisoned) past [`MAX_RULE_DEPTH`]: columns and shapes are built by recursion
    /// over members, so an unbounded chain of rules would overflow the stack.
    fn rule_depth(&mut self, name: &Name, indices: &[usize]) -> Option<usize> {
        let depth = 1 + indices.iter().map(|&i| self.live[i].depth).max().unwrap_or(0);
        if depth <= MAX_RULE_DEPTH {
            return Some(depth);
        }
        let d = Diagnostic::new(
            codes::RULES_NEST_TOO_DEEPLY,
            format!("rule `{}` nests {depth} rules deep, more than the limit of {MAX_RULE_DEPTH}", name.text),
            self.label(&name.span, "too deeply nested"),
        )
        .with_help("combine the axes in fewer steps: a tie or tuple can take many axes at once");
        self.poisoned.insert(name.text.clone());
        self.report(d);
        None
    }

    /// Takes `count` levels or items from the spec's budget; past [`MAX_SPEC_LEVELS`] it reports
    /// once and refuses, so a small spec of large ranges or repeated includes cannot exhaust memory.
    fn take_levels(&mut self, count: usize, span: &Span) -> bool {
        let total = self.levels_taken.saturating_add(count);
        if total <= MAX_SPEC_LEVELS {
            self.levels_taken = total;
            return true;
        }
        if !self.levels_limit_reported {
            self.levels_limit_reported = true;
            let d = Diagnostic::new(
                codes::TOO_MANY_LEVELS,
                format!(
                    "this brings the spec to {total} levels and items, over the limit of {MAX_SPEC_LEVELS}"
                ),
                self.label(span, format!("{count} more here")),
            )
            .with_help("a spec holds at most this many levels and items in all (ranges, lists, files); split the cohort or narrow its levels");
            self.report(d);
        }
        false
    }

    /// Did-you-mean within the spec's budget of comparisons: each unknown name is compared with
    /// every candidate, so without a budget thousands of unknown names against thousands of axes
    /// would cost the product. Once it is spent, reports come without suggestions.
    fn suggest<'c, I: Iterator<Item = &'c str>>(&self, wanted: &str, candidates: impl FnOnce() -> I) -> Vec<String> {
        let remaining = self.suggestion_budget.get();
        if remaining == 0 {
            return Vec::new();
        }
        let mut compared = 0;
        let suggestions = did_you_mean(wanted, candidates().take(remaining).inspect(|_| compared += 1));
        self.suggestion_budget.set(remaining - compared);
        suggestions
    }

    fn run(mut self, file: &ast::SpecFile) -> Analysis {
        let (cohort_id, cohort_note) = self.cohort(file);
        self.declare_axes(file);
        for statement in &file.statements {
            match statement {
                Statement::Subset(s) => self.subset(s),
                Statement::Tie(s) => self.tie(s),
                Statement::Pair(s) => self.pair(s),
                Statement::Tuple(s) => self.tuple(s),
                _ => {}
            }
        }
        let outputs: Vec<&ast::OutputStmt> =
            file.statements.iter().filter_map(|s| if let Statement::Output(o) = s { Some(o) } else { None }).collect();
        let mut design = self.finish(&outputs);
        design.spec_start = file.statements.first().map(|s| s.span().start).unwrap_or(0);
        let start = design.spec_start;
        if design.factors.is_empty()
            && self.poisoned.is_empty()
            && !self.diagnostics.iter().any(|d| d.severity == codes::Severity::Error)
        {
            let d = Diagnostic::new(
                codes::DESIGN_ONLY,
                "the spec declares no axes, so it has no rows",
                self.label(&(start..start), "nothing to combine"),
            )
            .with_help("declare axes with `axis NAME = [...]`, or bind them with a `tuple`");
            self.report(d);
        }
        design.cohort_id = cohort_id;
        design.cohort_note = cohort_note;
        let mut diagnostics = self.diagnostics;
        let has_errors = diagnostics.iter().any(|d| d.severity == codes::Severity::Error);
        design.stage = stage::resolve(&design, &mut diagnostics, has_errors);
        Analysis { design, diagnostics }
    }

    fn cohort(&mut self, file: &ast::SpecFile) -> (Option<String>, Option<String>) {
        let mut first: Option<&ast::CohortStmt> = None;
        for statement in &file.statements {
            if let Statement::Cohort(c) = statement {
                if let Some(previous) = first {
                    let d = Diagnostic::new(
                        codes::DUPLICATE_COHORT,
                        "a spec has at most one `cohort` statement",
                        self.label(&c.span, "second `cohort` statement"),
                    )
                    .with_label(self.label(&previous.span, "first declared here"))
                    .with_help("remove one of them; a spec describes exactly one cohort");
                    self.report(d);
                } else {
                    first = Some(c);
                }
            }
        }
        match first {
            Some(c) => (Some(c.id.text.clone()), c.note.as_ref().map(|n| n.text.clone())),
            None => (None, None),
        }
    }

    /// Collects declared axes, then the axes that tuples bind, appended in first-appearance order.
    fn declare_axes(&mut self, file: &ast::SpecFile) {
        let mut declared: HashMap<String, Span> = HashMap::default();
        for statement in &file.statements {
            let Statement::Axis(axis) = statement else { continue };
            if let Some(first) = declared.get(&axis.name.text) {
                let d = Diagnostic::new(
                    codes::DUPLICATE_AXIS,
                    format!("axis `{}` is declared twice", axis.name.text),
                    self.label(&axis.name.span, "declared again here"),
                )
                .with_label(self.label(first, "first declared here"))
                .with_help("merge the two level lists into one declaration");
                self.report(d);
                continue;
            }
            declared.insert(axis.name.text.clone(), axis.name.span.clone());
            let Some(values) = self.levels(&axis.levels, Some(&axis.name.text)) else {
                self.poisoned.insert(axis.name.text.clone());
                continue;
            };
            let decl = self.origin(&axis.name.span);
            let entry = self.plain_entry(&axis.name.text, decl.clone(), values, &axis.levels);
            if entry.levels.is_empty() {
                let d = Diagnostic::new(
                    codes::EMPTY_AXIS,
                    format!("axis `{}` has no levels", axis.name.text),
                    self.label(&axis.levels.span(), "no levels here"),
                )
                .with_help("an axis with no levels makes the product empty; list at least one level");
                self.report(d);
                self.poisoned.insert(axis.name.text.clone());
                continue;
            }
            self.axis_fact.insert(entry.name.clone(), self.axes.len());
            self.axes.push(AxisFact {
                name: entry.name.clone(),
                decl,
                declared_levels: entry.levels.len(),
                consumed_by: None,
            });
            self.live.push(entry);
        }
        // Tuple-bound axes come after the declared ones, in order of first appearance.
        let rule_names: HashSet<&str> = file
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Tie(t) => Some(t.name.text.as_str()),
                Statement::Pair(p) => Some(p.name.text.as_str()),
                Statement::Tuple(t) => Some(t.name.text.as_str()),
                _ => None,
            })
            .collect();
        let mut derived: Vec<(String, Span)> = Vec::new();
        let mut derived_names: HashSet<String> = HashSet::default();
        for statement in &file.statements {
            let Statement::Tuple(tuple) = statement else { continue };
            for axis in &tuple.axes {
                if let Some(decl_span) = declared.get(&axis.text) {
                    let d = Diagnostic::new(
                        codes::AXIS_DECLARED_AND_TUPLED,
                        format!(
                            "axis `{}` is declared with `axis` and also bound by tuple `{}`",
                            axis.text, tuple.name.text
                        ),
                        self.label(&axis.span, "bound by this tuple"),
                    )
                    .with_label(self.label(decl_span, "declared here"))
                    .with_help(format!(
                        "a tuple defines the levels of its axes: remove `axis {}` or use a `pair`/`subset` instead",
                        axis.text
                    ));
                    self.report(d);
                    continue;
                }
                // A rule's name in a tuple refers to that rule, not to a new axis.
                if rule_names.contains(axis.text.as_str()) || !derived_names.insert(axis.text.clone()) {
                    continue;
                }
                derived.push((axis.text.clone(), axis.span.clone()));
            }
        }
        let mut values_of = self.tuple_axis_values(file, &derived_names);
        for (name, span) in derived {
            let values = values_of.remove(&name).unwrap_or_default();
            let decl = self.origin(&span);
            let mut entry = Entry {
                name: name.clone(),
                depth: 0,
                decl: decl.clone(),
                kind: EntryKind::Plain,
                levels: Vec::new(),
                origins: Vec::new(),
                domain: Default::default(),
            };
            let mut seen = HashSet::default();
            for (sym, origin) in values {
                if seen.insert(sym) {
                    entry.levels.push(Level::Atom(sym));
                    entry.origins.push(origin);
                }
            }
            if entry.levels.is_empty() {
                // No item gave this axis a level; the tuple says why when its turn comes.
                self.poisoned.insert(name.clone());
                self.levelless_tuple_axes.insert(name);
                continue;
            }
            self.axis_fact.insert(entry.name.clone(), self.axes.len());
            self.axes.push(AxisFact {
                name: name.clone(),
                decl,
                declared_levels: entry.levels.len(),
                consumed_by: None,
            });
            self.live.push(entry);
        }
    }

    /// The values in each derived axis's position of every tuple that binds it, from lists and
    /// files, in one pass over the tuples.
    fn tuple_axis_values(
        &mut self,
        file: &ast::SpecFile,
        derived: &HashSet<String>,
    ) -> HashMap<String, Vec<(Sym, Origin)>> {
        let mut values: HashMap<String, Vec<(Sym, Origin)>> = HashMap::default();
        for statement in &file.statements {
            let Statement::Tuple(tuple) = statement else { continue };
            // Only an axis's first position counts: naming it twice is reported by the tuple.
            let mut seen: HashSet<&str> = HashSet::default();
            let positions: Vec<(usize, &str)> = tuple
                .axes
                .iter()
                .enumerate()
                .filter(|(_, a)| derived.contains(&a.text) && seen.insert(a.text.as_str()))
                .map(|(k, a)| (k, a.text.as_str()))
                .collect();
            if positions.is_empty() {
                continue;
            }
            match &tuple.items {
                Items::List { items, .. } => {
                    for item in items {
                        if item.elems.len() != tuple.axes.len() {
                            continue;
                        }
                        for &(position, name) in &positions {
                            if let Some(ItemElem::Value(v)) = item.elems.get(position) {
                                let sym = self.interner.intern(&v.text);
                                let origin = self.origin(&v.span);
                                values.entry(name.to_string()).or_default().push((sym, origin));
                            }
                        }
                    }
                }
                Items::File(file_ref) => {
                    // Header problems are reported when the tuple itself runs; a file that cannot
                    // be read is reported here, since without it the tuple's axes have no levels.
                    let included = match self.resolver.resolve(file_ref) {
                        Ok(included) => included,
                        Err(d) => {
                            self.report(*d);
                            continue;
                        }
                    };
                    let Some(header) = &included.table.header else {
                        let d = self.items_need_csv(&tuple.name.text, file_ref);
                        self.report(d);
                        continue;
                    };
                    // Every tuple over one file copies its cells, so they count against the budget.
                    if !self.take_levels(included.table.records.len() * positions.len(), &file_ref.span) {
                        continue;
                    }
                    let columns: HashMap<&str, usize> =
                        header.cells.iter().enumerate().map(|(i, c)| (c.text.as_str(), i)).rev().collect();
                    for &(_, name) in &positions {
                        let Some(&column) = columns.get(name) else { continue };
                        let axis_values = values.entry(name.to_string()).or_default();
                        for record in &included.table.records {
                            let cell = &record.cells[column];
                            if cell.text.is_empty() {
                                continue;
                            }
                            let sym = self.interner.intern(&cell.text);
                            axis_values.push((sym, Origin { file: included.path.clone(), span: cell.span.clone() }));
                        }
                    }
                }
            }
        }
        values
    }

    fn plain_entry(&mut self, name: &str, decl: Origin, values: Vec<(Sym, Origin)>, levels: &Levels) -> Entry {
        let mut entry = Entry {
            name: name.to_string(),
            depth: 0,
            decl,
            kind: EntryKind::Plain,
            levels: Vec::new(),
            origins: Vec::new(),
            domain: Default::default(),
        };
        let mut first_seen: HashMap<Sym, usize> = HashMap::with_capacity_and_hasher(values.len(), Default::default());
        entry.levels.reserve(values.len());
        entry.origins.reserve(values.len());
        self.occurrences.reserve(values.len());
        self.interner.reserve(values.len());
        let axis: Arc<str> = Arc::from(name);
        for (sym, origin) in values {
            self.occurrences.push(Occurrence { axis: axis.clone(), value: sym, origin: origin.clone() });
            if let Some(&index) = first_seen.get(&sym) {
                if !matches!(levels, Levels::Range(_)) {
                    let d = Diagnostic::new(
                        codes::DUPLICATE_LEVEL,
                        format!(
                            "level `{}` of axis `{}` is listed twice; the repeat is dropped",
                            self.interner.get(sym),
                            name
                        ),
                        origin.label("repeated here"),
                    )
                    .with_label(entry.origins[index].label("first listed here"));
                    self.report(d);
                }
                continue;
            }
            first_seen.insert(sym, entry.levels.len());
            entry.levels.push(Level::Atom(sym));
            entry.origins.push(origin);
        }
        entry
    }

    /// Evaluates LEVELS (list, range or file) to values with their origins, reporting problems.
    /// Returns None when a problem was reported, so callers do not pile a second error on it.
    fn levels(&mut self, levels: &Levels, axis: Option<&str>) -> Option<Vec<(Sym, Origin)>> {
        match levels {
            Levels::List(list) => {
                if !self.take_levels(list.values.len(), &list.span) {
                    return None;
                }
                Some(list.values.iter().map(|v| (self.interner.intern(&v.text), self.origin(&v.span))).collect())
            }
            Levels::Range(range) => {
                if range.start > range.end {
                    let d = Diagnostic::new(
                        codes::REVERSED_RANGE,
                        format!("range `{}..{}` is reversed", range.start, range.end),
                        self.label(&range.span, "start is greater than end"),
                    )
                    .with_help(format!(
                        "write `{}..{}`; ranges count up and include both ends",
                        range.end, range.start
                    ));
                    self.report(d);
                    return None;
                }
                let size = (range.end as i128) - (range.start as i128) + 1;
                if size > MAX_RANGE_LEVELS as i128 {
                    let d = Diagnostic::new(
                        codes::RANGE_TOO_LARGE,
                        format!(
                            "range `{}..{}` has {} levels, more than the limit of {}",
                            range.start, range.end, size, MAX_RANGE_LEVELS
                        ),
                        self.label(&range.span, "too many levels"),
                    )
                    .with_help("check the bounds; replicate ranges are usually small, such as `1..3`");
                    self.report(d);
                    return None;
                }
                if !self.take_levels(size as usize, &range.span) {
                    return None;
                }
                let origin = self.origin(&range.span);
                Some(
                    (range.start..=range.end).map(|n| (self.interner.intern(&n.to_string()), origin.clone())).collect(),
                )
            }
            Levels::File(file_ref) => self.level_file(file_ref, axis),
        }
    }

    fn level_file(&mut self, file_ref: &FileRef, axis: Option<&str>) -> Option<Vec<(Sym, Origin)>> {
        let included = match self.resolver.resolve(file_ref) {
            Ok(included) => included,
            Err(d) => {
                self.report(*d);
                return None;
            }
        };
        let file = included.path.clone();
        if !self.take_levels(included.table.records.len(), &file_ref.span) {
            return None;
        }
        if let Some(header) = &included.table.header {
            if header.cells.len() != 1 {
                let names: Vec<&str> = header.cells.iter().map(|c| c.text.as_str()).collect();
                let d = Diagnostic::new(
                    codes::FILE_BAD_HEADER,
                    format!(
                        "a level file must have exactly one column, but this header has {}: {}",
                        names.len(),
                        names.join(", ")
                    ),
                    Label::new(&file, header.span.clone(), "header row"),
                )
                .with_label(self.label(&file_ref.span, "included here"))
                .with_help(match axis {
                    Some(axis) => format!("keep one column, named `{axis}`, with one level per row"),
                    None => "keep one column with one level per row".to_string(),
                });
                self.report(d);
                return None;
            }
        }
        let mut values = Vec::new();
        let mut failed = false;
        for record in &included.table.records {
            let cell = &record.cells[0];
            if self.empty_cell(&file, cell, file_ref) {
                failed = true;
                continue;
            }
            values.push((self.interner.intern(&cell.text), Origin { file: file.clone(), span: cell.span.clone() }));
        }
        (!failed).then_some(values)
    }

    /// Reports an empty cell; returns whether it was empty.
    fn empty_cell(&mut self, file: &FilePath, cell: &Cell, file_ref: &FileRef) -> bool {
        if !cell.text.trim().is_empty() {
            return false;
        }
        let d = Diagnostic::new(
            codes::FILE_EMPTY_CELL,
            "empty cell in an included file",
            Label::new(file, cell.span.clone(), "this cell is empty"),
        )
        .with_label(self.label(&file_ref.span, "included here"))
        .with_help("every cell must hold a value; fill it in or delete the row");
        self.report(d);
        true
    }

    /// Finds the live entry a rule means by `name`, following ties.
    fn resolve(&self, name: &Name, rule: &str) -> Result<usize, Unresolved> {
        let mut target = name.text.as_str();
        let mut hops = 0;
        while let Some(tie) = self.tie_alias.get(target) {
            if self.live.contains(target) || hops > self.tie_alias.len() {
                break;
            }
            target = tie;
            hops += 1;
        }
        if let Some(index) = self.live.position(target) {
            return Ok(index);
        }
        if let Some((consumer, origin)) = self.consumed.get(target) {
            let via = if target != name.text { format!(" (through tie `{target}`)") } else { String::new() };
            let d = Diagnostic::new(
                codes::AXIS_CONSUMED,
                format!("axis `{}`{} was already consumed by rule `{}`", name.text, via, consumer),
                self.label(&name.span, format!("used again by `{rule}`")),
            )
            .with_label(origin.label(format!("consumed by `{consumer}` here")))
            .with_help(format!(
                "an axis belongs to one pair or tuple; refer to `{consumer}` instead, or combine the two rules"
            ));
            return Err(Unresolved::Reported(Box::new(d)));
        }
        if self.poisoned.contains(target) {
            return Err(Unresolved::Silent);
        }
        let suggestions = self.suggest(&name.text, || {
            self.live
                .iter()
                .map(|(_, e)| e.name.as_str())
                .chain(self.consumed.keys().map(String::as_str))
                .chain(self.tie_alias.keys().map(String::as_str))
        });
        let mut d = Diagnostic::new(
            codes::UNKNOWN_AXIS,
            format!("unknown axis `{}`", name.text),
            self.label(&name.span, "not declared"),
        )
        .with_suggestions(suggestions);
        if d.help.is_none() {
            d.help = Some(format!("declare it with `axis {} = [...]` or bind it with a `tuple`", name.text));
        }
        Err(Unresolved::Reported(Box::new(d)))
    }

    fn resolve_all(&mut self, names: &[Name], rule: &str) -> Option<Vec<usize>> {
        let mut indices = Vec::new();
        let mut failed = false;
        for name in names {
            match self.resolve(name, rule) {
                Ok(index) => indices.push(index),
                Err(Unresolved::Reported(d)) => {
                    self.report(*d);
                    failed = true;
                }
                Err(Unresolved::Silent) => failed = true,
            }
        }
        (!failed).then_some(indices)
    }

    /// Records a rule name; reports clashes with other rules and with axes.
    fn claim_rule_name(&mut self, name: &Name, own_axes: &[&str]) -> bool {
        if let Some(first) = self.rule_names.get(&name.text) {
            let d = Diagnostic::new(
                codes::DUPLICATE_RULE,
                format!("rule name `{}` is used twice", name.text),
                self.label(&name.span, "used again here"),
            )
            .with_label(first.label("first used here"))
            .with_help("give each rule its own name");
            self.report(d);
            return false;
        }
        // A rule may take the name of an axis it combines, but only of one that is still live under
        // that name: an axis already tied away means its tie, and naming a rule after it would
        // make the tie and the rule refer to each other.
        let named_after_own_axis = own_axes.contains(&name.text.as_str()) && self.live.contains(&name.text);
        let clashes_with_axis = !named_after_own_axis
            && (self.live.contains(&name.text)
                || self.consumed.contains_key(&name.text)
                || self.tie_alias.contains_key(&name.text));
        if clashes_with_axis {
            let d = Diagnostic::new(
                codes::RULE_NAME_CLASH,
                format!("rule name `{}` is already the name of an axis", name.text),
                self.label(&name.span, "clashes with an axis"),
            )
            .with_help(
                "rename the rule; rule names become columns while the rows are built, so they must not shadow axes",
            );
            self.report(d);
            return false;
        }
        self.rule_names.insert(name.text.clone(), self.origin(&name.span));
        self.rule_order.push(name.text.clone());
        true
    }

    fn subset(&mut self, s: &ast::SubsetStmt) {
        let index = match self.resolve(&s.axis, "subset") {
            Ok(index) => index,
            Err(Unresolved::Reported(d)) => return self.report(*d),
            Err(Unresolved::Silent) => return,
        };
        let Some(values) = self.levels(&s.levels, Some(&s.axis.text)) else { return };
        if !self.live[index].is_atomic() {
            let d = Diagnostic::new(
                codes::NOT_A_PLAIN_AXIS,
                format!(
                    "`{}` is a {} of combinations; `subset` keeps levels of a plain axis",
                    s.axis.text,
                    kind_word(&self.live[index].kind)
                ),
                self.label(&s.axis.span, "not a plain axis"),
            )
            .with_help("subset one of its axes before the rule that combines them");
            return self.report(d);
        }
        let entry_name = self.live[index].name.clone();
        let axis: Arc<str> = Arc::from(entry_name.as_str());
        for (sym, origin) in &values {
            self.occurrences.push(Occurrence { axis: axis.clone(), value: *sym, origin: origin.clone() });
        }
        let keep: HashSet<Sym> = values.iter().map(|(sym, _)| *sym).collect();
        let domain = self.live[index].domain();
        for (sym, origin) in &values {
            if !domain.contains(&Level::Atom(*sym)) {
                let suggestions = self.suggest(self.interner.get(*sym), || {
                    self.live[index].levels.iter().filter_map(|l| {
                        if let Level::Atom(s) = l {
                            Some(self.interner.get(*s))
                        } else {
                            None
                        }
                    })
                });
                let d = Diagnostic::new(
                    codes::SUBSET_VALUE_NOT_LEVEL,
                    format!("`{}` is not a level of axis `{}`; it has no effect", self.interner.get(*sym), entry_name),
                    origin.label("not a level"),
                )
                .with_suggestions(suggestions);
                self.report(d);
            }
        }
        let before = self.live[index].levels.len();
        let entry = &self.live[index];
        // A subset that keeps nothing is refused without walking the axis: a spec may repeat it.
        let keeps_any = keep.iter().any(|sym| domain.contains(&Level::Atom(*sym)));
        let kept: Vec<(Level, Origin)> = if !keeps_any {
            Vec::new()
        } else {
            entry
                .levels
                .iter()
                .zip(&entry.origins)
                .filter(|(l, _)| matches!(l, Level::Atom(s) if keep.contains(s)))
                .map(|(l, o)| (l.clone(), o.clone()))
                .collect()
        };
        if kept.is_empty() {
            let d = Diagnostic::new(
                codes::SUBSET_EMPTIES_AXIS,
                format!("subset leaves axis `{entry_name}` with no levels"),
                self.label(&s.levels.span(), "none of these is a level"),
            )
            .with_label(entry.decl.label(format!("`{entry_name}` declared here")))
            .with_help("list at least one level the axis has");
            return self.report(d);
        }
        let entry = &mut self.live[index];
        entry.levels = kept.iter().map(|(l, _)| l.clone()).collect();
        entry.origins = kept.into_iter().map(|(_, o)| o).collect();
        entry.domain = std::cell::OnceCell::new();
        let after = entry.levels.len();
        self.rules.push(RuleFact {
            name: format!("subset {entry_name}"),
            kind: "subset",
            span: s.span.clone(),
            before: vec![(entry_name, before)],
            after,
        });
    }

    /// The common start of `tie` and `tuple`: claim the name, need axes, resolve each axis once.
    fn rule_axes(
        &mut self,
        kind: &str,
        name: &Name,
        axes: &[Name],
        axes_span: &Span,
        own_axes: &[&str],
    ) -> Option<Vec<usize>> {
        if !self.claim_rule_name(name, own_axes) {
            self.poisoned.insert(name.text.clone());
            return None;
        }
        if !self.enough_axes(kind, name, axes, axes_span) {
            return None;
        }
        let Some(indices) = self.resolve_all(axes, &name.text) else {
            self.poisoned.insert(name.text.clone());
            return None;
        };
        self.distinct_indices(&indices, axes, &name.text).then_some(indices)
    }

    fn tie(&mut self, s: &ast::TieStmt) {
        let own: Vec<&str> = s.axes.iter().map(|a| a.text.as_str()).collect();
        let Some(indices) = self.rule_axes("tie", &s.name, &s.axes, &s.axes_span, &own) else { return };
        for (&index, axis) in indices.iter().zip(&s.axes) {
            if !self.live[index].is_atomic() {
                let d = Diagnostic::new(
                    codes::NOT_A_PLAIN_AXIS,
                    format!(
                        "`{}` is a {} of combinations and cannot be tied",
                        axis.text,
                        kind_word(&self.live[index].kind)
                    ),
                    self.label(&axis.span, "not a plain axis"),
                )
                .with_help("tie the plain axes before combining them");
                self.poisoned.insert(s.name.text.clone());
                return self.report(d);
            }
        }
        // The ordered intersection keeps the first axis's order.
        let first = &self.live[indices[0]];
        let sets: Vec<Arc<HashSet<Level>>> = indices[1..].iter().map(|&i| self.live[i].domain()).collect();
        let mut levels = Vec::new();
        let mut origins = Vec::new();
        for (level, origin) in first.levels.iter().zip(&first.origins) {
            if sets.iter().all(|set| set.contains(level)) {
                levels.push(level.clone());
                origins.push(origin.clone());
            }
        }
        let before: Vec<(String, usize)> =
            indices.iter().map(|&i| (self.live[i].name.clone(), self.live[i].levels.len())).collect();
        if levels.is_empty() {
            let mut d = Diagnostic::new(
                codes::EMPTY_TIE,
                format!("tie `{}`: the axes {} share no level", s.name.text, quoted_names(&s.axes)),
                self.label(&s.axes_span, "no common level"),
            )
            .with_help("a tie keeps the levels all its axes have; make their level lists overlap");
            for &index in &indices {
                let entry = &self.live[index];
                let preview = self.preview_levels(entry);
                d = d.with_label(entry.decl.label(format!("`{}` has {}", entry.name, preview)));
            }
            self.poisoned.insert(s.name.text.clone());
            return self.report(d);
        }
        let Some(depth) = self.rule_depth(&s.name, &indices) else { return };
        let member_names: Vec<String> = indices.iter().map(|&i| self.live[i].name.clone()).collect();
        // A tie named after one of its axes keeps that axis's place; otherwise it takes the lowest.
        let position = match member_names.iter().position(|m| m == &s.name.text) {
            Some(k) => indices[k],
            None => *indices.iter().min().unwrap_or(&0),
        };
        let decl = self.origin(&s.name.span);
        let entry = Entry {
            name: s.name.text.clone(),
            depth,
            decl: decl.clone(),
            kind: EntryKind::Tie { members: member_names.clone() },
            levels,
            origins,
            domain: Default::default(),
        };
        let after = entry.levels.len();
        self.replace(&indices, position, entry, &decl);
        for member in &member_names {
            if member != &s.name.text {
                self.tie_alias.insert(member.clone(), s.name.text.clone());
            }
        }
        self.rules.push(RuleFact { name: s.name.text.clone(), kind: "tie", span: s.span.clone(), before, after });
    }

    /// A tie or tuple needs an axis; with only one it still works (the old system allowed it) but
    /// is almost always a slip, so it warns. Returns whether the rule can go on.
    fn enough_axes(&mut self, kind: &str, name: &Name, axes: &[Name], span: &Span) -> bool {
        if axes.is_empty() {
            let d = Diagnostic::new(
                codes::TOO_FEW_AXES,
                format!("{kind} `{}` lists no axes", name.text),
                self.label(span, "no axes"),
            )
            .with_help("name the axes the rule combines, e.g. `(draft_llm, essay_llm)`");
            self.poisoned.insert(name.text.clone());
            self.report(d);
            return false;
        }
        if axes.len() == 1 {
            let help = if kind == "tie" {
                "a tie of one axis only renames it; name two or more axes to make them take the same value"
            } else {
                "a tuple of one axis acts as a `subset`; write `subset` instead, or add the axes it should combine"
            };
            let d = Diagnostic::new(
                codes::SINGLE_AXIS_RULE,
                format!("{kind} `{}` has a single axis", name.text),
                self.label(span, "one axis"),
            )
            .with_help(help);
            self.report(d);
        }
        true
    }

    /// Reports an axis listed twice in one rule; returns whether all are distinct.
    fn distinct_indices(&mut self, indices: &[usize], names: &[Name], rule: &str) -> bool {
        let mut first_named: HashMap<usize, usize> = HashMap::default();
        for (k, index) in indices.iter().enumerate() {
            if let Some(&j) = first_named.get(index) {
                let d = Diagnostic::new(
                    codes::PAIR_SAME_AXIS,
                    format!("rule `{}` names axis `{}` twice", rule, self.live[*index].name),
                    self.label(&names[k].span, "same axis again"),
                )
                .with_label(self.label(&names[j].span, "first named here"))
                .with_help("a rule combines different axes; name each axis once");
                self.report(d);
                self.poisoned.insert(rule.to_string());
                return false;
            }
            first_named.insert(*index, k);
        }
        true
    }

    /// Removes the entries at `indices`, putting `entry` where the one at `position` stood.
    fn replace(&mut self, indices: &[usize], position: usize, entry: Entry, by: &Origin) {
        for &index in indices {
            let old = self.live.take(index);
            self.consumed.insert(old.name.clone(), (entry.name.clone(), by.clone()));
            if let Some(&fact) = self.axis_fact.get(&old.name) {
                self.axes[fact].consumed_by = Some(entry.name.clone());
            }
            self.all.insert(old.name.clone(), old);
        }
        self.live.put(position, entry);
    }

    fn pair(&mut self, s: &ast::PairStmt) {
        if !self.claim_rule_name(&s.name, &[]) {
            self.poisoned.insert(s.name.text.clone());
            return;
        }
        let names = [s.left.clone(), s.right.clone()];
        let Some(indices) = self.resolve_all(&names, &s.name.text) else {
            self.poisoned.insert(s.name.text.clone());
            return;
        };
        if indices[0] == indices[1] {
            let d = Diagnostic::new(
                codes::PAIR_SAME_AXIS,
                format!("pair `{}` pairs axis `{}` with itself", s.name.text, self.live[indices[0]].name),
                self.label(&s.right.span, "same axis as the left side"),
            )
            .with_label(self.label(&s.left.span, "left side"))
            .with_help("a pair combines two different axes; use `subset` to keep some levels of one axis");
            self.poisoned.insert(s.name.text.clone());
            return self.report(d);
        }
        let items = self.items(&s.name.text, "pair", &names, &indices, &s.items);
        let Some((levels, origins)) = items else {
            self.poisoned.insert(s.name.text.clone());
            return;
        };
        if let Some((balance, span)) = &s.balance {
            if !self.balanced(s, *balance, span, &levels, &origins) {
                self.poisoned.insert(s.name.text.clone());
                return;
            }
        }
        let Some(depth) = self.rule_depth(&s.name, &indices) else { return };
        let before: Vec<(String, usize)> =
            indices.iter().map(|&i| (self.live[i].name.clone(), self.live[i].levels.len())).collect();
        let decl = self.origin(&s.name.span);
        let entry = Entry {
            name: s.name.text.clone(),
            depth,
            decl: decl.clone(),
            kind: EntryKind::Pair {
                left: self.live[indices[0]].name.clone(),
                right: self.live[indices[1]].name.clone(),
            },
            levels,
            origins,
            domain: Default::default(),
        };
        let after = entry.levels.len();
        let position = *indices.iter().min().unwrap_or(&0);
        self.replace(&indices, position, entry, &decl);
        self.rules.push(RuleFact { name: s.name.text.clone(), kind: "pair", span: s.span.clone(), before, after });
    }

    fn tuple(&mut self, s: &ast::TupleStmt) {
        if s.axes.iter().any(|a| self.levelless_tuple_axes.contains(&a.text)) {
            // The name is still claimed, so a later rule of the same name is reported.
            self.claim_rule_name(&s.name, &[]);
            self.poisoned.insert(s.name.text.clone());
            return self.unusable_tuple_items(s);
        }
        let Some(indices) = self.rule_axes("tuple", &s.name, &s.axes, &s.axes_span, &[]) else { return };
        let Some(depth) = self.rule_depth(&s.name, &indices) else { return };
        let Some((levels, origins)) = self.items(&s.name.text, "tuple", &s.axes, &indices, &s.items) else {
            self.poisoned.insert(s.name.text.clone());
            return;
        };
        let before: Vec<(String, usize)> =
            indices.iter().map(|&i| (self.live[i].name.clone(), self.live[i].levels.len())).collect();
        let decl = self.origin(&s.name.span);
        let members = indices.iter().map(|&i| self.live[i].name.clone()).collect();
        let entry = Entry {
            name: s.name.text.clone(),
            depth,
            decl: decl.clone(),
            kind: EntryKind::Tuple { members },
            levels,
            origins,
            domain: Default::default(),
        };
        let after = entry.levels.len();
        let position = *indices.iter().min().unwrap_or(&0);
        self.replace(&indices, position, entry, &decl);
        self.rules.push(RuleFact { name: s.name.text.clone(), kind: "tuple", span: s.span.clone(), before, after });
    }

    /// Explains why a tuple gave one of its own axes no level at all: every item has the wrong
    /// number of values or a nested tuple in that axis's place, or the items file lacks its column.
    fn unusable_tuple_items(&mut self, s: &ast::TupleStmt) {
        let levelless: Vec<&Name> = s.axes.iter().filter(|a| self.levelless_tuple_axes.contains(&a.text)).collect();
        match &s.items {
            Items::List { items, span } => {
                if items.is_empty() {
                    let _: Option<()> = self.no_items(&s.name.text, "tuple", span);
                    return;
                }
                for item in items {
                    if item.elems.len() != s.axes.len() {
                        let d = self.arity_error(&item.span, item.elems.len(), "tuple", &s.name.text, &s.axes);
                        self.report(d);
                        continue;
                    }
                    for (elem, axis) in item.elems.iter().zip(&s.axes) {
                        if let (ItemElem::Tuple(t), true) = (elem, levelless.contains(&axis)) {
                            let d = Diagnostic::new(
                                codes::ARITY_MISMATCH,
                                format!(
                                    "`{}` is a plain axis, so this position takes one value, not a tuple",
                                    axis.text
                                ),
                                self.label(&t.span, "a tuple here"),
                            )
                            .with_help("write a single level of the axis");
                            self.report(d);
                        }
                    }
                }
            }
            Items::File(file_ref) => {
                // Unreadable files were reported while the axes were collected.
                let Ok(included) = self.resolver.resolve(file_ref) else { return };
                let Some(header) = &included.table.header else { return };
                let missing: Vec<String> = levelless
                    .iter()
                    .filter(|a| !header.cells.iter().any(|c| c.text == a.text))
                    .map(|a| format!("`{}`", a.text))
                    .collect();
                if missing.is_empty() {
                    // The columns are there, so the file has no rows or only blank cells in them.
                    let blank = levelless.iter().find_map(|axis| {
                        let column = header.cells.iter().position(|c| c.text == axis.text)?;
                        included.table.records.first().map(|record| record.cells[column].clone())
                    });
                    match blank {
                        Some(cell) => {
                            self.empty_cell(&included.path, &cell, file_ref);
                        }
                        None => {
                            let _: Option<()> = self.no_items(&s.name.text, "tuple", &file_ref.span);
                        }
                    }
                    return;
                }
                let wanted: Vec<&str> = s.axes.iter().map(|a| a.text.as_str()).collect();
                let d = Diagnostic::new(
                    codes::FILE_BAD_HEADER,
                    format!(
                        "the header of this file does not match rule `{}`: missing {}",
                        s.name.text,
                        missing.join(", ")
                    ),
                    Label::new(&included.path, header.span.clone(), "header row"),
                )
                .with_label(self.label(&file_ref.span, "included here"))
                .with_help(format!("the header must name exactly the columns {}", wanted.join(",")));
                self.report(d);
            }
        }
    }

    /// An item with the wrong number of values for a rule over `names`.
    fn arity_error(&self, span: &Span, found: usize, kind: &str, rule: &str, names: &[Name]) -> Diagnostic {
        Diagnostic::new(
            codes::ARITY_MISMATCH,
            format!(
                "this item has {} value{} but {} `{}` combines {} axes",
                found,
                plural(found),
                kind,
                rule,
                names.len()
            ),
            self.label(span, format!("expected {} values", names.len())),
        )
        .with_help(format!("write one value for each of {}", quoted_names(names)))
    }

    /// Evaluates a rule's items against the current domains of its axes; None when any is invalid.
    fn items(
        &mut self,
        rule: &str,
        kind: &str,
        names: &[Name],
        indices: &[usize],
        items: &Items,
    ) -> Option<(Vec<Level>, Vec<Origin>)> {
        let sides: Vec<Side> = indices.iter().map(|&index| self.side(index)).collect();
        let mut levels = Vec::new();
        let mut origins = Vec::new();
        let mut ok = true;
        match items {
            Items::List { items, span } => {
                if items.is_empty() {
                    return self.no_items(rule, kind, span);
                }
                for item in items {
                    if item.elems.len() != indices.len() {
                        let d = self.arity_error(&item.span, item.elems.len(), kind, rule, names);
                        self.report(d);
                        ok = false;
                        continue;
                    }
                    let mut parts = Vec::new();
                    for (elem, side) in item.elems.iter().zip(&sides) {
                        match self.level_of_elem(elem, side) {
                            Some(level) => parts.push(level),
                            None => ok = false,
                        }
                    }
                    if parts.len() == indices.len() {
                        levels.push(Level::Tuple(parts));
                        origins.push(self.origin(&item.span));
                    }
                }
            }
            Items::File(file_ref) => {
                let included = match self.resolver.resolve(file_ref) {
                    Ok(included) => included,
                    Err(d) => {
                        self.report(*d);
                        return None;
                    }
                };
                let plan = self.column_plan(rule, names, indices, &included, file_ref)?;
                if !self.take_levels(included.table.records.len(), &file_ref.span) {
                    return None;
                }
                if included.table.records.is_empty() {
                    return self.no_items(rule, kind, &file_ref.span);
                }
                for record in &included.table.records {
                    let mut parts = Vec::new();
                    for (side, columns) in sides.iter().zip(&plan) {
                        match self.level_of_cells(record, columns, side, &included.path, file_ref) {
                            Some(level) => parts.push(level),
                            None => ok = false,
                        }
                    }
                    if parts.len() == indices.len() {
                        levels.push(Level::Tuple(parts));
                        origins.push(Origin { file: included.path.clone(), span: record.span.clone() });
                    }
                }
            }
        }
        if !ok {
            return None;
        }
        // Duplicate items are dropped, first one wins.
        let mut first_seen: HashMap<&Level, usize> = HashMap::default();
        let mut keep = vec![true; levels.len()];
        let mut duplicates = Vec::new();
        for (i, level) in levels.iter().enumerate() {
            if let Some(&first) = first_seen.get(level) {
                keep[i] = false;
                duplicates.push((i, first));
            } else {
                first_seen.insert(level, i);
            }
        }
        for (i, first) in duplicates {
            let d = Diagnostic::new(
                codes::DUPLICATE_ITEM,
                format!("duplicate item in {kind} `{rule}`; the repeat is dropped"),
                origins[i].label("repeated here"),
            )
            .with_label(origins[first].label("first listed here"));
            self.report(d);
        }
        let mut index = 0;
        levels.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        let mut index = 0;
        origins.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        Some((levels, origins))
    }

    fn no_items<T>(&mut self, rule: &str, kind: &str, span: &Span) -> Option<T> {
        let d =
            Diagnostic::new(codes::EMPTY_ITEMS, format!("{kind} `{rule}` has no items"), self.label(span, "no items"))
                .with_help("a rule with no items makes the product empty; list at least one item");
        self.report(d);
        None
    }

    /// The shape and current levels of a rule's side, computed once per rule so that checking
    /// thousands of items neither copies entries nor scans level lists.
    fn side(&self, index: usize) -> Side {
        let entry = &self.live[index];
        Side { index, shape: self.shape(entry), domain: entry.domain() }
    }

    fn shape(&self, entry: &Entry) -> Shape {
        if entry.is_atomic() {
            return Shape { name: Arc::from(entry.name.as_str()), kind: "axis", members: Vec::new() };
        }
        let members = entry.members().iter().filter_map(|m| self.all.get(*m)).map(|m| self.shape(m)).collect();
        Shape { name: Arc::from(entry.name.as_str()), kind: kind_word(&entry.kind), members }
    }

    /// Converts one written item element to a level of `side`, checking its domain.
    fn level_of_elem(&mut self, elem: &ItemElem, side: &Side) -> Option<Level> {
        let level = self.build_level(elem, &side.shape)?;
        if side.domain.contains(&level) {
            return Some(level);
        }
        self.outside_domain(side.index, &level, self.origin(&elem.span()));
        None
    }

    /// Builds a level from an element following `shape` (values for plain axes, nested tuples
    /// for pairs and tuples). Reports shape mismatches.
    fn build_level(&mut self, elem: &ItemElem, shape: &Shape) -> Option<Level> {
        let names = || shape.members.iter().map(|m| &*m.name).collect::<Vec<_>>().join(", ");
        match (elem, shape.members.is_empty()) {
            (ItemElem::Value(v), true) => {
                let sym = self.interner.intern(&v.text);
                let origin = self.origin(&v.span);
                self.occurrences.push(Occurrence { axis: shape.name.clone(), value: sym, origin });
                Some(Level::Atom(sym))
            }
            (ItemElem::Tuple(t), false) => {
                if t.elems.len() != shape.members.len() {
                    let d = Diagnostic::new(
                        codes::ARITY_MISMATCH,
                        format!(
                            "`{}` combines {} axes but this tuple has {} value{}",
                            shape.name,
                            shape.members.len(),
                            t.elems.len(),
                            plural(t.elems.len())
                        ),
                        self.label(&t.span, format!("expected {} values", shape.members.len())),
                    )
                    .with_help(format!("write ({})", names()));
                    self.report(d);
                    return None;
                }
                let mut parts = Vec::with_capacity(t.elems.len());
                for (e, member) in t.elems.iter().zip(&shape.members) {
                    parts.push(self.build_level(e, member)?);
                }
                Some(Level::Tuple(parts))
            }
            (ItemElem::Tuple(t), true) => {
                let d = Diagnostic::new(
                    codes::ARITY_MISMATCH,
                    format!("`{}` is a plain axis, so this position takes one value, not a tuple", shape.name),
                    self.label(&t.span, "a tuple here"),
                )
                .with_help("write a single level of the axis");
                self.report(d);
                None
            }
            (ItemElem::Value(v), false) => {
                let d = Diagnostic::new(
                    codes::ARITY_MISMATCH,
                    format!(
                        "`{}` is a {} of {} axes, so this position takes a tuple",
                        shape.name,
                        shape.kind,
                        shape.members.len()
                    ),
                    self.label(&v.span, "a single value here"),
                )
                .with_help(format!("write ({})", names()));
                self.report(d);
                None
            }
        }
    }

    /// Reports a level outside the domain of the live entry at `index`.
    fn outside_domain(&mut self, index: usize, level: &Level, origin: Origin) {
        let entry = &self.live[index];
        let shown = self.show_level(level);
        let mut d = Diagnostic::new(
            codes::VALUE_OUTSIDE_DOMAIN,
            format!("`{}` is not a level of `{}`", shown, entry.name),
            origin.label("not in the domain"),
        )
        .with_label(entry.decl.label(format!("`{}` declared here", entry.name)));
        if let Level::Atom(sym) = level {
            let suggestions = self.suggest(self.interner.get(*sym), || {
                entry
                    .levels
                    .iter()
                    .filter_map(|l| if let Level::Atom(s) = l { Some(self.interner.get(*s)) } else { None })
            });
            d = d.with_suggestions(suggestions);
        }
        if d.help.is_none() {
            d.help = Some(format!("`{}` has {}", entry.name, self.preview_levels(entry)));
        }
        self.report(d);
    }

    /// Maps an items CSV's header to the rule's axes: for each axis, the column indices of its
    /// leaf columns (one for a plain axis, several for a pair or tuple side).
    fn column_plan(
        &mut self,
        rule: &str,
        names: &[Name],
        indices: &[usize],
        included: &Included,
        file_ref: &FileRef,
    ) -> Option<Vec<Vec<usize>>> {
        let Some(header) = included.table.header.as_ref() else {
            self.report(self.items_need_csv(rule, file_ref));
            return None;
        };
        let header_names: Vec<&str> = header.cells.iter().map(|c| c.text.as_str()).collect();
        let mut expected: Vec<Vec<String>> = Vec::new();
        for (&index, written) in indices.iter().zip(names) {
            let entry = &self.live[index];
            if entry.is_atomic() {
                // A plain side's column is named as the rule names it, even when that is a tied axis.
                expected.push(vec![written.text.clone()]);
            } else {
                expected.push(self.atom_leaves(entry));
            }
        }
        let wanted: Vec<&str> = expected.iter().flatten().map(String::as_str).collect();
        let wanted_set: HashSet<&str> = wanted.iter().copied().collect();
        // Where each header name first stands; a name seen again is repeated.
        let mut header_position: HashMap<&str, usize> = HashMap::default();
        let mut repeated: Vec<&str> = Vec::new();
        for (i, name) in header_names.iter().enumerate() {
            if header_position.contains_key(name) {
                if !repeated.contains(name) {
                    repeated.push(name);
                }
            } else {
                header_position.insert(name, i);
            }
        }
        let missing: Vec<&str> = wanted.iter().filter(|w| !header_position.contains_key(*w)).copied().collect();
        let extra: Vec<&str> = header_names.iter().filter(|h| !wanted_set.contains(*h)).copied().collect();
        if !missing.is_empty() || !extra.is_empty() || !repeated.is_empty() {
            let mut problems = Vec::new();
            if !missing.is_empty() {
                problems.push(format!(
                    "missing {}",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            if !extra.is_empty() {
                problems.push(format!(
                    "unexpected {}",
                    extra.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            if !repeated.is_empty() {
                problems.push(format!(
                    "repeated {}",
                    repeated.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                ));
            }
            let d = Diagnostic::new(
                codes::FILE_BAD_HEADER,
                format!("the header of this file does not match rule `{}`: {}", rule, problems.join("; ")),
                Label::new(&included.path, header.span.clone(), "header row"),
            )
            .with_label(self.label(&file_ref.span, "included here"))
            .with_help(format!("the header must name exactly the columns {}", wanted.join(",")));
            self.report(d);
            return None;
        }
        Some(
            expected
                .iter()
                .map(|cols| cols.iter().map(|c| header_position.get(c.as_str()).copied().unwrap_or(0)).collect())
                .collect(),
        )
    }

    fn items_need_csv(&self, rule: &str, file_ref: &FileRef) -> Diagnostic {
        Diagnostic::new(
            codes::FILE_BAD_EXTENSION,
            format!("the items of `{rule}` must come from a .csv file"),
            self.label(&file_ref.path_span, "not a CSV file"),
        )
        .with_help("items need a header naming the rule's axes; write them as a CSV file")
    }

    /// The plain-axis names under a composite entry, depth first.
    fn atom_leaves(&self, entry: &Entry) -> Vec<String> {
        if entry.is_atomic() {
            return vec![entry.name.clone()];
        }
        entry.members().iter().filter_map(|m| self.all.get(*m)).flat_map(|m| self.atom_leaves(m)).collect()
    }

    fn level_of_cells(
        &mut self,
        record: &crate::table::Record,
        columns: &[usize],
        side: &Side,
        file: &FilePath,
        file_ref: &FileRef,
    ) -> Option<Level> {
        for &column in columns {
            if self.empty_cell(file, &record.cells[column], file_ref) {
                return None;
            }
        }
        let mut cells = columns.iter().map(|&c| &record.cells[c]);
        let level = self.level_from_cells(&side.shape, file, &mut cells);
        if side.domain.contains(&level) {
            return Some(level);
        }
        let span = if columns.len() == 1 {
            record.cells[columns[0]].span.clone()
        } else {
            record.cells[columns[0]].span.start..record.cells[*columns.last().unwrap_or(&0)].span.end
        };
        self.outside_domain(side.index, &level, Origin { file: file.clone(), span });
        None
    }

    fn level_from_cells<'c>(
        &mut self,
        shape: &Shape,
        file: &FilePath,
        cells: &mut impl Iterator<Item = &'c Cell>,
    ) -> Level {
        if shape.members.is_empty() {
            let Some(cell) = cells.next() else { return Level::Atom(self.interner.intern("")) };
            let sym = self.interner.intern(&cell.text);
            let origin = Origin { file: file.clone(), span: cell.span.clone() };
            self.occurrences.push(Occurrence { axis: shape.name.clone(), value: sym, origin });
            return Level::Atom(sym);
        }
        Level::Tuple(shape.members.iter().map(|m| self.level_from_cells(m, file, cells)).collect())
    }

    fn balanced(
        &mut self,
        s: &ast::PairStmt,
        balance: Balance,
        span: &Span,
        levels: &[Level],
        origins: &[Origin],
    ) -> bool {
        let sides: &[(usize, &str)] = match balance {
            Balance::Left => &[(0, "left")],
            Balance::Right => &[(1, "right")],
            Balance::Both => &[(0, "left"), (1, "right")],
        };
        let mut ok = true;
        for &(side, word) in sides {
            let mut counts: Vec<(&Level, usize, usize)> = Vec::new();
            let mut slot: HashMap<&Level, usize> = HashMap::default();
            for (i, level) in levels.iter().enumerate() {
                let Level::Tuple(parts) = level else { continue };
                match slot.get(&parts[side]) {
                    Some(&k) => counts[k].1 += 1,
                    None => {
                        slot.insert(&parts[side], counts.len());
                        counts.push((&parts[side], 1, i));
                    }
                }
            }
            let min = counts.iter().map(|c| c.1).min().unwrap_or(0);
            let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
            if min == max {
                continue;
            }
            ok = false;
            let shown: Vec<String> =
                counts.iter().map(|(l, n, _)| format!("`{}` ×{}", self.show_level(l), n)).collect();
            let mut d = Diagnostic::new(
                codes::BALANCE_VIOLATION,
                format!("pair `{}` is not balanced on the {} side: {}", s.name.text, word, shown.join(", ")),
                self.label(span, format!("every {word} value must appear equally often")),
            )
            .with_help(format!("add or remove items so each {word} value appears {max} times, or drop `balance`"));
            for (level, n, first) in counts.iter().filter(|c| c.1 == min).take(3) {
                let shown = self.show_level(level);
                d = d.with_label(origins[*first].label(format!("`{shown}` appears only {n} time{}", plural(*n))));
            }
            self.report(d);
        }
        ok
    }

    fn show_level(&self, level: &Level) -> String {
        match level {
            Level::Atom(sym) => self.interner.get(*sym).to_string(),
            Level::Tuple(parts) => {
                format!("({})", parts.iter().map(|p| self.show_level(p)).collect::<Vec<_>>().join(", "))
            }
        }
    }

    fn preview_levels(&self, entry: &Entry) -> String {
        let shown: Vec<String> = entry.levels.iter().take(5).map(|l| format!("`{}`", self.show_level(l))).collect();
        let more = entry.levels.len().saturating_sub(5);
        if more > 0 {
            format!("levels {} and {} more", shown.join(", "), more)
        } else {
            format!("levels {}", shown.join(", "))
        }
    }

    /// Flattens the live entries into factors and computes the column order.
    fn finish(&mut self, outputs: &[&ast::OutputStmt]) -> Design {
        let mut factors = Vec::new();
        let live_slots: Vec<usize> = self.live.iter().map(|(i, _)| i).collect();
        let mut axis_columns: HashMap<String, (usize, std::ops::Range<usize>)> = HashMap::default();
        let live_names: Vec<String> = self.live.iter().map(|(_, e)| e.name.clone()).collect();
        // Factors take the levels; the entries stay behind (without levels) for column expansion.
        for index in live_slots {
            let levels = std::mem::take(&mut self.live[index].levels);
            let origins = std::mem::take(&mut self.live[index].origins);
            let entry = &self.live[index];
            let mut columns = Vec::new();
            let mut spans = Vec::new();
            self.collect_columns(entry, &mut columns, &mut spans);
            for (name, range) in spans {
                axis_columns.insert(name, (factors.len(), range));
            }
            let shape = self.flat_shape(entry);
            let mut cells = Vec::with_capacity(columns.len() * levels.len());
            for level in &levels {
                flatten_into(level, &shape, &mut cells);
            }
            let kind = match &entry.kind {
                EntryKind::Plain => FactorKind::Axis,
                EntryKind::Tie { members } => FactorKind::Tie { members: members.clone() },
                EntryKind::Pair { left, right } => FactorKind::Pair { left: left.clone(), right: right.clone() },
                EntryKind::Tuple { members } => FactorKind::Tuple { members: members.clone() },
            };
            factors.push(Factor { name: entry.name.clone(), decl: entry.decl.clone(), kind, columns, cells, origins });
        }
        let natural = self.natural_columns(&live_names);
        let columns = self.apply_output(natural, outputs);
        // The first factor and leaf that fill each column.
        let mut source_of: HashMap<&str, (usize, usize)> = HashMap::default();
        for (f, factor) in factors.iter().enumerate() {
            for (leaf, column) in factor.columns.iter().enumerate() {
                source_of.entry(column.as_str()).or_insert((f, leaf));
            }
        }
        let column_sources: Vec<(usize, usize)> =
            columns.iter().map(|c| source_of.get(c.as_str()).copied().unwrap_or((0, 0))).collect();
        Design {
            tie_of: std::mem::take(&mut self.tie_alias),
            occurrences: std::mem::take(&mut self.occurrences),
            axis_columns,
            interner: std::mem::take(&mut self.interner),
            factors,
            columns,
            column_sources,
            cohort_id: None,
            cohort_note: None,
            stage: StageFields::default(),
            axes: std::mem::take(&mut self.axes),
            rules: std::mem::take(&mut self.rules),
            spec_start: 0,
        }
    }

    fn entry(&self, name: &str) -> Option<&Entry> {
        match self.live.position(name) {
            Some(index) => Some(&self.live[index]),
            None => self.all.get(name),
        }
    }

    /// Appends an entry's leaf columns to `out`, and where each entry's columns stand.
    fn collect_columns(&self, entry: &Entry, out: &mut Vec<String>, spans: &mut Vec<(String, std::ops::Range<usize>)>) {
        let start = out.len();
        // Recorded before the members, so that for a tie named after one of its axes the axis's
        // own column wins: values written for that axis reach only its column through the tie.
        let slot = spans.len();
        spans.push((entry.name.clone(), start..start));
        match &entry.kind {
            EntryKind::Plain => out.push(entry.name.clone()),
            EntryKind::Tie { members } => {
                if !members.contains(&entry.name) {
                    out.push(entry.name.clone());
                }
                for member in members {
                    if let Some(m) = self.entry(member) {
                        if m.name == entry.name {
                            out.push(m.name.clone());
                        } else {
                            self.collect_columns(m, out, spans);
                        }
                    }
                }
            }
            EntryKind::Pair { .. } | EntryKind::Tuple { .. } => {
                for m in entry.members().iter().filter_map(|m| self.entry(m)) {
                    self.collect_columns(m, out, spans);
                }
            }
        }
        spans[slot].1 = start..out.len();
    }

    fn leaf_columns(&self, entry: &Entry) -> Vec<String> {
        match &entry.kind {
            EntryKind::Plain => vec![entry.name.clone()],
            EntryKind::Tie { members } => {
                let mut columns = Vec::new();
                if !members.contains(&entry.name) {
                    columns.push(entry.name.clone());
                }
                for member in members {
                    if let Some(m) = self.entry(member) {
                        if m.name == entry.name {
                            columns.push(m.name.clone());
                        } else {
                            columns.extend(self.leaf_columns(m));
                        }
                    }
                }
                columns
            }
            EntryKind::Pair { .. } | EntryKind::Tuple { .. } => {
                entry.members().iter().filter_map(|m| self.entry(m)).flat_map(|m| self.leaf_columns(m)).collect()
            }
        }
    }

    /// How an entry's levels map onto its leaf columns, computed once per factor.
    fn flat_shape(&self, entry: &Entry) -> FlatShape {
        match &entry.kind {
            EntryKind::Plain => FlatShape::Copies(1),
            EntryKind::Tie { .. } => FlatShape::Copies(self.leaf_columns(entry).len()),
            EntryKind::Pair { .. } | EntryKind::Tuple { .. } => FlatShape::Parts(
                entry.members().iter().filter_map(|m| self.entry(m)).map(|m| self.flat_shape(m)).collect(),
            ),
        }
    }

    /// The column order of the old system's row dictionaries: live names in axis order, then
    /// pairs, tuples and ties expanded in declaration order, each appending what it adds.
    ///
    /// The old system re-ran passes over every rule until nothing changed, which is quadratic
    /// for chains of rules; here each rule acts once, as soon as a pass of its kind reaches it
    /// after its name became a key, which gives the same order.
    fn natural_columns(&self, live_names: &[String]) -> Vec<String> {
        // Keys in order, with removed ones left as holes, and where each present key stands.
        let mut keys: Vec<Option<String>> = live_names.iter().cloned().map(Some).collect();
        let mut position: HashMap<String, usize> =
            live_names.iter().enumerate().map(|(i, name)| (name.clone(), i)).collect();
        let kind_pass = |entry: &Entry| match entry.kind {
            EntryKind::Pair { .. } => Some(0),
            EntryKind::Tuple { .. } => Some(1),
            EntryKind::Tie { .. } => Some(2),
            EntryKind::Plain => None,
        };
        // Rules by declaration index, with the pass of their kind.
        let mut rule_at: HashMap<&str, (usize, usize)> = HashMap::default();
        for (index, rule) in self.rule_order.iter().enumerate() {
            if let Some(pass) = self.entry(rule).and_then(kind_pass) {
                rule_at.insert(rule.as_str(), (index, pass));
            }
        }
        // Rules whose name is a key and that have not acted yet, per pass, by declaration index.
        let mut pending: [std::collections::BTreeSet<usize>; 3] = Default::default();
        for name in live_names {
            if let Some(&(index, pass)) = rule_at.get(name.as_str()) {
                pending[pass].insert(index);
            }
        }
        while pending.iter().any(|p| !p.is_empty()) {
            for pass in 0..3 {
                let mut cursor = 0;
                while let Some(&index) = pending[pass].range(cursor..).next() {
                    cursor = index + 1;
                    pending[pass].remove(&index);
                    let rule = &self.rule_order[index];
                    let Some(entry) = self.entry(rule) else { continue };
                    if pass < 2 {
                        if let Some(at) = position.remove(rule.as_str()) {
                            keys[at] = None;
                        }
                    }
                    for member in entry.members() {
                        if !position.contains_key(member) {
                            position.insert(member.to_string(), keys.len());
                            keys.push(Some(member.to_string()));
                            if let Some(&(index, pass)) = rule_at.get(member) {
                                pending[pass].insert(index);
                            }
                        }
                    }
                }
            }
        }
        keys.into_iter().flatten().collect()
    }

    fn apply_output(&mut self, natural: Vec<String>, outputs: &[&ast::OutputStmt]) -> Vec<String> {
        if outputs.len() > 1 {
            let d = Diagnostic::new(
                codes::DUPLICATE_OUTPUT,
                "a spec has at most one `output` statement",
                self.label(&outputs[1].span, "second `output`"),
            )
            .with_label(self.label(&outputs[0].span, "first `output`"))
            .with_help("merge the field lists into one `output` statement");
            self.report(d);
        }
        let Some(output) = outputs.first() else { return natural };
        let natural_set: HashSet<&str> = natural.iter().map(String::as_str).collect();
        let mut ordered: Vec<String> = Vec::new();
        let mut seen: HashMap<&str, &Span> = HashMap::default();
        for field in &output.fields {
            if let Some(first) = seen.get(field.text.as_str()) {
                let d = Diagnostic::new(
                    codes::DUPLICATE_OUTPUT,
                    format!("output field `{}` is listed twice", field.text),
                    self.label(&field.span, "listed again"),
                )
                .with_label(self.label(first, "first listed here"))
                .with_help("list each field once");
                self.report(d);
                continue;
            }
            seen.insert(&field.text, &field.span);
            if natural_set.contains(field.text.as_str()) {
                ordered.push(field.text.clone());
                continue;
            }
            if self.poisoned.contains(&field.text) {
                continue;
            }
            let d = if let Some(rule) = self.entry(&field.text).filter(|e| !e.is_atomic()) {
                let leaves = self.atom_leaves(rule);
                Diagnostic::new(
                    codes::UNKNOWN_OUTPUT_FIELD,
                    format!("`{}` is a {}, not a column", field.text, kind_word(&rule.kind)),
                    self.label(&field.span, "rule name"),
                )
                .with_help(format!("list its axes instead: {}", leaves.join(", ")))
            } else if self.poisoned_reference(&field.text) {
                continue;
            } else {
                let suggestions = self.suggest(&field.text, || natural.iter().map(String::as_str));
                let mut d = Diagnostic::new(
                    codes::UNKNOWN_OUTPUT_FIELD,
                    format!("output field `{}` is not a column of this spec", field.text),
                    self.label(&field.span, "unknown field"),
                )
                .with_suggestions(suggestions);
                if d.help.is_none() {
                    d.help = Some(format!("the columns are: {}", preview_names(&natural)));
                }
                d
            };
            self.report(d);
        }
        let listed: HashSet<String> = ordered.iter().cloned().collect();
        ordered.extend(natural.into_iter().filter(|column| !listed.contains(column)));
        ordered
    }

    /// Whether a name belongs to an axis or rule that already failed (so it is not really unknown).
    fn poisoned_reference(&self, name: &str) -> bool {
        self.poisoned.contains(name) || self.rule_names.contains_key(name)
    }
}

/// A value fills one column (a plain axis) or several equal ones (a tie and its axes); a
/// combination fills its members' columns in order.
enum FlatShape {
    Copies(usize),
    Parts(Vec<FlatShape>),
}

fn flatten_into(level: &Level, shape: &FlatShape, out: &mut Vec<Sym>) {
    match (level, shape) {
        (Level::Atom(sym), FlatShape::Copies(n)) => out.extend(std::iter::repeat_n(*sym, *n)),
        (Level::Tuple(parts), FlatShape::Parts(shapes)) => {
            for (part, shape) in parts.iter().zip(shapes) {
                flatten_into(part, shape, out);
            }
        }
        // Levels are built from the same entries as their shapes, so the two always agree.
        _ => {}
    }
}

/// The first names of a list for a help line, and how many more there are: a help line that
/// listed thousands of columns for each of thousands of reports would make the output quadratic.
fn preview_names(names: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut text = names.iter().take(SHOWN).map(String::as_str).collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

fn kind_word(kind: &EntryKind) -> &'static str {
    match kind {
        EntryKind::Plain => "axis",
        EntryKind::Tie { .. } => "tie",
        EntryKind::Pair { .. } => "pair",
        EntryKind::Tuple { .. } => "tuple",
    }
}

fn quoted_names(names: &[Name]) -> String {
    names.iter().map(|n| format!("`{}`", n.text)).collect::<Vec<_>>().join(", ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Unused-import guard: `Value` and `Code` are part of this module's vocabulary in docs.
#[allow(dead_code)]
fn _vocabulary(_: &Value, _: Code) {}
