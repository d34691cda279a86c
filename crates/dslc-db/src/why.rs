//! `dslc why`: whether a partial or full combination of column values is in a spec's design
//! rows, and if not, the first statement (axis, subset, tie, pair or tuple) that removes it.
//!
//! Factors of the product are independent, so a combination is in the rows exactly when every
//! factor has a level that agrees with it on the columns it fills: one pass over the levels,
//! never over the rows. Statements only narrow what earlier ones allowed, so the culprit is the
//! first prefix of the spec whose design excludes the combination, found by bisection over
//! analyses of prefixes (about log₂ of the statement count of them).

use std::sync::Arc;

use dslc_syntax::ast::{SpecFile, Statement};
use dslc_syntax::codes;
use dslc_syntax::Span;

use crate::diagnostic::{did_you_mean, Diagnostic, FilePath, Label};
use crate::semantics::{self, Design, Factor, IncludeResolver, Included};
use crate::{Db, SourceFile};

/// The answer for one combination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// In the rows: how many rows hold it, of how many.
    Present { rows: u128, total: u128 },
    /// Not in the rows: what removes it, as a diagnostic pointing at that statement
    /// (E0801 a rule or subset, E0802 a level that was never declared, E0803 an unknown field).
    Excluded(Box<Diagnostic>),
}

/// Resolves includes exactly as the spec's own analysis does.
struct SpecResolver<'a> {
    db: &'a dyn Db,
    spec: SourceFile,
}

impl IncludeResolver for SpecResolver<'_> {
    fn resolve(&self, file_ref: &dslc_syntax::ast::FileRef) -> Result<Arc<Included>, Box<Diagnostic>> {
        crate::db::resolve_include(self.db, self.spec, file_ref)
    }
}

/// The constrained columns a factor fills, as (leaf column index, wanted value).
fn constraints_in<'c>(factor: &Factor, wanted: &'c [(String, String)]) -> Vec<(usize, &'c str)> {
    wanted
        .iter()
        .filter_map(|(field, value)| factor.columns.iter().position(|c| c == field).map(|i| (i, value.as_str())))
        .collect()
}

/// How many levels of `factor` agree with the constraints (all of them when none apply).
fn matching_levels(design: &Design, factor: &Factor, constraints: &[(usize, &str)]) -> usize {
    if constraints.is_empty() {
        return factor.len();
    }
    let syms: Option<Vec<(usize, crate::interner::Sym)>> =
        constraints.iter().map(|&(i, v)| design.interner.lookup(v).map(|s| (i, s))).collect();
    // A value the spec never wrote cannot be in any level.
    let Some(syms) = syms else { return 0 };
    factor.rows().filter(|row| syms.iter().all(|&(i, s)| row[i] == s)).count()
}

/// The first factor that no level of satisfies, if any.
fn failing_factor(design: &Design, wanted: &[(String, String)]) -> Option<usize> {
    design.factors.iter().position(|f| matching_levels(design, f, &constraints_in(f, wanted)) == 0)
}

/// How many rows hold the combination: the product over factors of their agreeing levels.
fn matching_rows(design: &Design, wanted: &[(String, String)]) -> u128 {
    if design.factors.is_empty() {
        return 0;
    }
    design
        .factors
        .iter()
        .fold(1u128, |acc, f| acc.saturating_mul(matching_levels(design, f, &constraints_in(f, wanted)) as u128))
}

/// Answers whether `wanted` (field, value) pairs are in the rows of a spec that checks clean.
pub fn why(db: &dyn Db, spec: SourceFile, wanted: &[(String, String)]) -> Why {
    let analysis = crate::analyze(db, spec);
    let design = &analysis.design;
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let start = design.spec_start;
    for (field, _) in wanted {
        if design.column_index(field).is_none() {
            let suggestions = did_you_mean(field, design.columns.iter().map(String::as_str));
            let mut d = Diagnostic::new(
                codes::WHY_UNKNOWN_FIELD,
                format!("`{field}` is not a column of this spec's rows"),
                Label::new(&spec_path, start..start, "the rows' columns are declared in this spec"),
            );
            d.help = Some(match suggestions.as_slice() {
                [] => format!("the columns are {}", design.columns.join(", ")),
                _ => format!(
                    "did you mean {}?",
                    suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or ")
                ),
            });
            return Why::Excluded(Box::new(d));
        }
    }
    if failing_factor(design, wanted).is_none() {
        return Why::Present { rows: matching_rows(design, wanted), total: design.row_count() };
    }
    let file = &crate::parse(db, spec).file;
    let resolver = SpecResolver { db, spec };
    let excluded_by_prefix = |count: usize| -> bool {
        let prefix = SpecFile { statements: file.statements[..count].to_vec() };
        let design = semantics::analyze(&spec_path, &prefix, &resolver).design;
        // Fields not declared yet constrain nothing so far.
        let known: Vec<(String, String)> =
            wanted.iter().filter(|(f, _)| design.column_index(f).is_some()).cloned().collect();
        !known.is_empty() && failing_factor(&design, &known).is_some()
    };
    // The smallest prefix that excludes it: the whole spec does, the empty one does not.
    let (mut low, mut high) = (0, file.statements.len());
    while low + 1 < high {
        let middle = (low + high) / 2;
        if excluded_by_prefix(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    let culprit = &file.statements[high - 1];
    let analyze_prefix = |count: usize| {
        semantics::analyze(&spec_path, &SpecFile { statements: file.statements[..count].to_vec() }, &resolver).design
    };
    let (before, design) = (analyze_prefix(high - 1), analyze_prefix(high));
    // Fields the culprit declares (an axis, a tuple's derived axes, a tie's name): a value
    // missing from those was never a level, rather than removed.
    let declared: Vec<&str> = wanted
        .iter()
        .map(|(f, _)| f.as_str())
        .filter(|f| before.column_index(f).is_none() && design.column_index(f).is_some())
        .collect();
    Why::Excluded(Box::new(explain(&spec_path, culprit, &design, wanted, &declared)))
}

fn pairs(wanted: &[(String, String)]) -> String {
    wanted.iter().map(|(f, v)| format!("{f}={v}")).collect::<Vec<_>>().join(", ")
}

/// The diagnostic for the statement that removes the combination; `design` is the spec up to it.
fn explain(
    spec: &FilePath,
    culprit: &Statement,
    design: &Design,
    wanted: &[(String, String)],
    declared: &[&str],
) -> Diagnostic {
    let Some(index) = failing_factor(design, wanted) else {
        // Unreachable for a prefix that excludes; kept total rather than panicking.
        return Diagnostic::new(
            codes::WHY_REMOVED,
            format!("{} is not in the rows", pairs(wanted)),
            Label::new(spec, culprit.span(), "here"),
        );
    };
    let factor = &design.factors[index];
    let constraints = constraints_in(factor, wanted);
    let involved: Vec<(String, String)> =
        constraints.iter().map(|&(i, v)| (factor.columns[i].clone(), v.to_string())).collect();
    let levels_of = |column: usize| -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        for row in factor.rows() {
            let text = design.interner.get(row[column]).to_string();
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        seen
    };
    let listed = |values: &[String]| {
        let shown: Vec<String> = values.iter().take(8).map(|v| format!("`{v}`")).collect();
        let more = if values.len() > 8 { format!(" and {} more", values.len() - 8) } else { String::new() };
        format!("{}{more}", shown.join(", "))
    };
    let never_a_level = constraints.iter().copied().find(|&(column, value)| {
        declared.contains(&factor.columns[column].as_str()) && !levels_of(column).iter().any(|l| l == value)
    });
    if let Some((column, value)) = never_a_level {
        let field = &factor.columns[column];
        let levels = levels_of(column);
        let suggestions = did_you_mean(value, levels.iter().map(String::as_str));
        let help = match suggestions.as_slice() {
            [] => format!("its levels are {}", listed(&levels)),
            _ => format!(
                "did you mean {}? Its levels are {}",
                suggestions.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or "),
                listed(&levels)
            ),
        };
        let (span, label) = match culprit {
            Statement::Axis(a) => (a.name.span.clone(), format!("`{field}` declared here without `{value}`")),
            Statement::Tuple(t) => {
                (t.name.span.clone(), format!("`{field}` derived here by tuple `{}` without `{value}`", t.name.text))
            }
            Statement::Tie(t) => (t.name.span.clone(), format!("`{field}` formed here without `{value}`")),
            other => (other.span(), format!("`{field}` formed here without `{value}`")),
        };
        return Diagnostic::new(
            codes::WHY_NOT_A_LEVEL,
            format!("`{value}` is not a level of `{field}`, so no row has {}", pairs(wanted)),
            Label::new(spec, span, label),
        )
        .with_help(help);
    }
    let (what, span): (String, Span) = match culprit {
        Statement::Subset(s) => (format!("subset of `{}`", s.axis.text), s.span.clone()),
        Statement::Tie(s) => (format!("tie `{}`", s.name.text), s.name.span.clone()),
        Statement::Pair(s) => (format!("pair `{}`", s.name.text), s.name.span.clone()),
        Statement::Tuple(s) => (format!("tuple `{}`", s.name.text), s.name.span.clone()),
        other => ("statement".into(), other.span()),
    };
    let help = match involved.split_last() {
        Some(((last, _), rest)) if !rest.is_empty() => {
            let others: Vec<(String, String)> = rest.to_vec();
            let keep: Vec<(usize, &str)> = constraints[..constraints.len() - 1].to_vec();
            let last_column = constraints[constraints.len() - 1].0;
            let mut allowed: Vec<String> = Vec::new();
            let syms: Option<Vec<(usize, crate::interner::Sym)>> =
                keep.iter().map(|&(i, v)| design.interner.lookup(v).map(|s| (i, s))).collect();
            for row in factor.rows().filter(|row| syms.as_ref().is_some_and(|s| s.iter().all(|&(i, v)| row[i] == v))) {
                let text = design.interner.get(row[last_column]).to_string();
                if !allowed.contains(&text) {
                    allowed.push(text);
                }
            }
            match allowed.as_slice() {
                [] => format!(
                    "no level of `{}` has {}; its `{last}` levels are {}",
                    factor.name,
                    pairs(&others),
                    listed(&levels_of(last_column))
                ),
                _ => format!("with {}, `{last}` can be {}", pairs(&others), listed(&allowed)),
            }
        }
        _ => {
            let column = constraints.first().map_or(0, |c| c.0);
            format!(
                "after it, `{}` keeps {}",
                factor.columns.get(column).map_or("", String::as_str),
                listed(&levels_of(column))
            )
        }
    };
    Diagnostic::new(
        codes::WHY_REMOVED,
        format!("{what} removes {}", pairs(&involved)),
        Label::new(spec, span, format!("no row has {} after this", pairs(&involved))),
    )
    .with_help(help)
}
