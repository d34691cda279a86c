//! What the analysis produces: the design (factors, columns, stage fields), facts about axes
//! and rules for tools, and the interfaces to included files.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use dslc_syntax::ast::FileRef;
use dslc_syntax::codes;
use dslc_syntax::Span;

use crate::diagnostic::{Diagnostic, FilePath, Label};
use crate::interner::{Interner, Sym};
use crate::stage::StageFields;
use crate::table::Table;

/// Where a level, item or declaration comes from: a span in the spec or in an included file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: FilePath,
    pub span: Span,
}

impl Origin {
    pub(crate) fn label(&self, message: impl Into<String>) -> Label {
        Label::new(&self.file, self.span.clone(), message)
    }
}

/// Which earlier cohorts' generations a compile may reuse from the store: the `reuse`
/// statement, or `dslc compile --reuse-from`, which overrides it. Without one, any.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReusePolicy {
    /// `reuse none`: only generations this cohort produced itself.
    None,
    /// `reuse from [a, b]`: generations of these cohorts (and of this one).
    From(Vec<String>),
}

impl ReusePolicy {
    /// Whether a generation first produced by `origin` may be reused by cohort `this`. A
    /// cohort's own generations are always its own to use again: a re-run is not reuse.
    pub fn allows(&self, origin: &str, this: &str) -> bool {
        origin == this
            || match self {
                ReusePolicy::None => false,
                ReusePolicy::From(cohorts) => cohorts.iter().any(|c| c == origin),
            }
    }

    /// The policy as the language writes it, for messages: `reuse none`, `reuse from [a, b]`.
    pub fn describe(&self) -> String {
        match self {
            ReusePolicy::None => "reuse none".into(),
            ReusePolicy::From(cohorts) => format!("reuse from [{}]", cohorts.join(", ")),
        }
    }
}

/// The spec's `reuse` statement: its policy and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReuseDecl {
    pub policy: ReusePolicy,
    pub origin: Origin,
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
    /// The `reuse` statement, if any (the first, when a spec repeats it: E0220).
    pub reuse: Option<ReuseDecl>,
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
