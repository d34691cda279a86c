//! The syntax tree of a spec file: every name, value, list, tuple and `file(...)` keeps its byte span.

use std::ops::Range;

/// A half-open byte range into the source text.
pub type Span = Range<usize>;

/// A whole spec file: its statements in source order.
///
/// Statements that failed to parse are left out; their errors are in `ParseResult::errors`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpecFile {
    pub statements: Vec<Statement>,
}

/// One top-level statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    Cohort(CohortStmt),
    Axis(AxisStmt),
    Subset(SubsetStmt),
    Tie(TieStmt),
    Pair(PairStmt),
    Tuple(TupleStmt),
    Output(OutputStmt),
    Reuse(ReuseStmt),
}

impl Statement {
    /// The span of the whole statement, keyword to last token.
    pub fn span(&self) -> Span {
        match self {
            Statement::Cohort(s) => s.span.clone(),
            Statement::Axis(s) => s.span.clone(),
            Statement::Subset(s) => s.span.clone(),
            Statement::Tie(s) => s.span.clone(),
            Statement::Pair(s) => s.span.clone(),
            Statement::Tuple(s) => s.span.clone(),
            Statement::Output(s) => s.span.clone(),
            Statement::Reuse(s) => s.span.clone(),
        }
    }
}

/// An identifier naming an axis, a rule or an output field: `[A-Za-z_][A-Za-z0-9_]*`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

/// How a value was written; the text is the same either way once unescaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValueKind {
    /// A bare word such as `gpt-4.1`, `combo_v1_a` or `2` (keywords included).
    Bare,
    /// A double-quoted string, already unescaped.
    Quoted,
}

/// A level or ID: a bare word or a quoted string (unescaped).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    pub text: String,
    pub kind: ValueKind,
    pub span: Span,
}

/// `file("relative/path.csv")`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// The path as written, unescaped.
    pub path: String,
    /// The span of the string literal (quotes included).
    pub path_span: Span,
    /// The span of the whole `file(...)` expression.
    pub span: Span,
}

/// `[v, v, …]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueList {
    pub values: Vec<Value>,
    pub span: Span,
}

/// `A..B`, inclusive; the bounds are kept as written so the checker can report a reversed range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntRange {
    pub start: i64,
    pub start_span: Span,
    pub end: i64,
    pub end_span: Span,
    pub span: Span,
}

/// The right-hand side of `axis` and `subset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Levels {
    List(ValueList),
    Range(IntRange),
    File(FileRef),
}

impl Levels {
    pub fn span(&self) -> Span {
        match self {
            Levels::List(l) => l.span.clone(),
            Levels::Range(r) => r.span.clone(),
            Levels::File(f) => f.span.clone(),
        }
    }
}

/// One element of an item tuple: a value, or a nested tuple for a side that names a tuple axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemElem {
    Value(Value),
    Tuple(ItemTuple),
}

impl ItemElem {
    pub fn span(&self) -> Span {
        match self {
            ItemElem::Value(v) => v.span.clone(),
            ItemElem::Tuple(t) => t.span.clone(),
        }
    }
}

/// `(v, v, …)` as an item of a pair or tuple rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemTuple {
    pub elems: Vec<ItemElem>,
    pub span: Span,
}

/// The right-hand side of `pair` and `tuple`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Items {
    List { items: Vec<ItemTuple>, span: Span },
    File(FileRef),
}

impl Items {
    pub fn span(&self) -> Span {
        match self {
            Items::List { span, .. } => span.clone(),
            Items::File(f) => f.span.clone(),
        }
    }
}

/// `cohort ID ["note"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CohortStmt {
    pub id: Value,
    pub note: Option<Value>,
    pub span: Span,
}

/// `axis NAME = LEVELS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AxisStmt {
    pub name: Name,
    pub levels: Levels,
    pub span: Span,
}

/// `subset AXIS = LEVELS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubsetStmt {
    pub axis: Name,
    pub levels: Levels,
    pub span: Span,
}

/// `tie NAME (A, B, …)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TieStmt {
    pub name: Name,
    pub axes: Vec<Name>,
    /// The span of the parenthesised axis list.
    pub axes_span: Span,
    pub span: Span,
}

/// Which sides of a pair must be balanced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Balance {
    Left,
    Right,
    Both,
}

/// `pair NAME (L, R) [balance left|right|both] = ITEMS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PairStmt {
    pub name: Name,
    pub left: Name,
    pub right: Name,
    /// The balance mode and the span of its word (`left`, `right` or `both`).
    pub balance: Option<(Balance, Span)>,
    pub items: Items,
    pub span: Span,
}

/// `tuple NAME (A, B, …) = ITEMS`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TupleStmt {
    pub name: Name,
    pub axes: Vec<Name>,
    /// The span of the parenthesised axis list.
    pub axes_span: Span,
    pub items: Items,
    pub span: Span,
}

/// `output F, F, …`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputStmt {
    pub fields: Vec<Name>,
    pub span: Span,
}

/// What a `reuse` statement allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReuseSources {
    /// `reuse none`, with the span of `none`.
    None(Span),
    /// `reuse from [a, "b c"]`: the cohort IDs, bare or quoted.
    From(ValueList),
}

/// `reuse from [COHORT, …]` or `reuse none`: whose generations in the store a compile may reuse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReuseStmt {
    pub sources: ReuseSources,
    pub span: Span,
}

/// A comment, kept for the formatter and for editors; the parser itself ignores comments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// The text after `#`, without the line break.
    pub text: String,
    pub span: Span,
}

impl Statement {
    /// Calls `f` on every span in the statement, its own included, e.g. to rebase them.
    pub fn for_each_span_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        match self {
            Statement::Cohort(s) => {
                f(&mut s.id.span);
                if let Some(note) = &mut s.note {
                    f(&mut note.span);
                }
                f(&mut s.span);
            }
            Statement::Axis(s) => {
                f(&mut s.name.span);
                s.levels.for_each_span_mut(f);
                f(&mut s.span);
            }
            Statement::Subset(s) => {
                f(&mut s.axis.span);
                s.levels.for_each_span_mut(f);
                f(&mut s.span);
            }
            Statement::Tie(s) => {
                f(&mut s.name.span);
                s.axes.iter_mut().for_each(|a| f(&mut a.span));
                f(&mut s.axes_span);
                f(&mut s.span);
            }
            Statement::Pair(s) => {
                f(&mut s.name.span);
                f(&mut s.left.span);
                f(&mut s.right.span);
                if let Some((_, span)) = &mut s.balance {
                    f(span);
                }
                s.items.for_each_span_mut(f);
                f(&mut s.span);
            }
            Statement::Tuple(s) => {
                f(&mut s.name.span);
                s.axes.iter_mut().for_each(|a| f(&mut a.span));
                f(&mut s.axes_span);
                s.items.for_each_span_mut(f);
                f(&mut s.span);
            }
            Statement::Output(s) => {
                s.fields.iter_mut().for_each(|n| f(&mut n.span));
                f(&mut s.span);
            }
            Statement::Reuse(s) => {
                match &mut s.sources {
                    ReuseSources::None(span) => f(span),
                    ReuseSources::From(list) => {
                        list.values.iter_mut().for_each(|v| f(&mut v.span));
                        f(&mut list.span);
                    }
                }
                f(&mut s.span);
            }
        }
    }
}

impl FileRef {
    fn for_each_span_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        f(&mut self.path_span);
        f(&mut self.span);
    }
}

impl Levels {
    fn for_each_span_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        match self {
            Levels::List(list) => {
                list.values.iter_mut().for_each(|v| f(&mut v.span));
                f(&mut list.span);
            }
            Levels::Range(range) => {
                f(&mut range.start_span);
                f(&mut range.end_span);
                f(&mut range.span);
            }
            Levels::File(file) => file.for_each_span_mut(f),
        }
    }
}

impl ItemTuple {
    fn for_each_span_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        for elem in &mut self.elems {
            match elem {
                ItemElem::Value(v) => f(&mut v.span),
                ItemElem::Tuple(t) => t.for_each_span_mut(f),
            }
        }
        f(&mut self.span);
    }
}

impl Items {
    fn for_each_span_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        match self {
            Items::List { items, span } => {
                items.iter_mut().for_each(|item| item.for_each_span_mut(f));
                f(span);
            }
            Items::File(file) => file.for_each_span_mut(f),
        }
    }
}
