//! The meaning of a spec: axes, rules in order, the final factors of the product, and column order.
//!
//! This module is pure: it takes a parsed file and already-read includes and returns a `Design`
//! plus diagnostics. The salsa layer decides when to run it; the compiler streams rows from it.
//!
//! One `Analyzer` walks the statements; its methods live in one file per seam: `axes`
//! (declaring axes and their levels), `rules` (name resolution, subset, tie, pair, tuple),
//! `items` (rule items and their shapes), `columns` (factors, column order, `output`). What it
//! produces is in `design`. This file holds the analyzer's state and the helpers all share.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use dslc_syntax::ast::{self, Balance, FileRef, ItemElem, Items, Levels, Name, Statement, Value};
use dslc_syntax::codes::{self, Code};
use dslc_syntax::Span;

use crate::diagnostic::{did_you_mean, Diagnostic, FilePath, Label};
use crate::interner::{Interner, Sym};
use crate::stage::{self, StageFields};
use crate::table::Cell;

mod axes;
mod columns;
mod design;
mod items;
mod rules;

pub use design::*;

/// The largest range the checker expands; larger ones are almost certainly typos.
pub const MAX_RANGE_LEVELS: i64 = 1_000_000;

/// The most levels and items a spec may hold in all (lists, ranges, files, rule items): at about
/// a hundred bytes each, this keeps a check under about a gigabyte whatever the spec.
pub const MAX_SPEC_LEVELS: usize = 4_000_000;

/// How deeply rules may nest (a tie of a tie of …, a pair of pairs of …).
pub const MAX_RULE_DEPTH: usize = 256;

/// Candidates did-you-mean compares per spec, in all (see `Analyzer::suggest`).
pub const SUGGESTION_BUDGET: usize = 250_000;

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
        design.reuse = self.reuse(file, cohort_id.as_deref());
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
}

impl Analyzer<'_> {
    /// The `reuse` statement: at most one (E0220), no empty cohort ID (E0221), and a warning
    /// for the spec's own cohort, whose generations are always its own to reuse (W0223).
    fn reuse(&mut self, file: &ast::SpecFile, own_cohort: Option<&str>) -> Option<ReuseDecl> {
        let mut first: Option<&ast::ReuseStmt> = None;
        for statement in &file.statements {
            let Statement::Reuse(r) = statement else { continue };
            match first {
                Some(previous) => {
                    let d = Diagnostic::new(
                        codes::DUPLICATE_REUSE,
                        "a spec has at most one `reuse` statement",
                        self.label(&r.span, "second `reuse` statement"),
                    )
                    .with_label(self.label(&previous.span, "first written here"))
                    .with_help("merge them into one `reuse from [...]`, or keep the one you mean");
                    self.report(d);
                }
                None => first = Some(r),
            }
        }
        let statement = first?;
        let policy = match &statement.sources {
            ast::ReuseSources::None(_) => ReusePolicy::None,
            ast::ReuseSources::From(list) => {
                let mut cohorts = Vec::with_capacity(list.values.len());
                for value in &list.values {
                    let id = value.text.trim();
                    if id.is_empty() {
                        let d = Diagnostic::new(
                            codes::EMPTY_REUSE_COHORT,
                            "a cohort ID in `reuse from` is empty",
                            self.label(&value.span, "no cohort ID"),
                        )
                        .with_help("write the ID of the cohort whose generations may be reused, or remove the entry");
                        self.report(d);
                        continue;
                    }
                    if own_cohort.is_some_and(|own| own.trim() == id) {
                        let d = Diagnostic::new(
                            codes::OWN_COHORT_REUSED,
                            format!("`reuse from` lists this spec's own cohort `{id}`"),
                            self.label(&value.span, "this cohort"),
                        )
                        .with_help("a cohort may always reuse its own generations; remove it from the list");
                        self.report(d);
                    }
                    cohorts.push(id.to_string());
                }
                ReusePolicy::From(cohorts)
            }
        };
        Some(ReuseDecl { policy, origin: self.origin(&statement.span) })
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
