//! Quick fixes: replace an unknown ID, name or misspelt keyword by each did-you-mean suggestion
//! of its diagnostic, and rename an axis that uses a stage-field alias to the canonical field.

use dslc_db::stage::Field;
use dslc_db::{Db, Diagnostic, SourceFile};
use dslc_syntax::codes;
use dslc_syntax::Span;

use crate::{SourceChange, Spec, TextEdit};

/// One fix: the change to apply (one edit for a replacement, every site of a name for a
/// rename); `diagnostics` are what it fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuickFix {
    pub title: String,
    pub change: SourceChange,
    pub diagnostics: Vec<Diagnostic>,
    /// The first suggestion for a span is the preferred fix.
    pub preferred: bool,
}

/// The quick fixes for diagnostics of `spec` whose primary span touches `range`. One fix per
/// (span, replacement), listing every diagnostic it fixes: an unknown ID is often both "not in
/// the catalog" and "not a level".
pub fn quick_fixes(db: &dyn Db, spec: SourceFile, range: Span) -> Vec<QuickFix> {
    let spec = Spec::new(db, spec);
    let mut replacements: Vec<(Span, String, QuickFix)> = Vec::new();
    let mut renames = Vec::new();
    for d in dslc_db::check(db, spec.file) {
        let span = &d.primary.span;
        if *d.primary.file != *spec.path() || span.end < range.start || span.start > range.end {
            continue;
        }
        if d.code == codes::ALIAS_FIELD {
            renames.extend(alias_rename(&spec, d));
            continue;
        }
        for suggestion in &d.suggestions {
            let replacement = dslc_syntax::quote_value(suggestion);
            match replacements.iter_mut().find(|(s, r, _)| s == span && *r == replacement) {
                Some((_, _, fix)) => fix.diagnostics.push(d.clone()),
                None => {
                    let preferred = !replacements.iter().any(|(s, _, _)| s == span);
                    let mut change = SourceChange::default();
                    change.add(spec.path(), TextEdit { span: span.clone(), new_text: replacement.clone() });
                    let fix = QuickFix {
                        title: format!("Replace with `{suggestion}`"),
                        change,
                        diagnostics: vec![d.clone()],
                        preferred,
                    };
                    replacements.push((span.clone(), replacement, fix));
                }
            }
        }
    }
    replacements.into_iter().map(|(_, _, fix)| fix).chain(renames).collect()
}

/// Renames the axis an alias diagnostic points at to its canonical stage field, at every site
/// (CSV header cells included), unless that name is already declared.
fn alias_rename(spec: &Spec, d: &Diagnostic) -> Option<QuickFix> {
    let names = spec.names();
    let (symbol, _) = names.at(spec.path(), d.primary.span.start)?;
    let canonical = Field::ALL.into_iter().find(|f| f.names().contains(&symbol.name.as_str()))?.canonical();
    if canonical == symbol.name || names.get(canonical).is_some() {
        return None;
    }
    let mut change = SourceChange::default();
    for site in &symbol.sites {
        change.add(&site.file, TextEdit { span: site.span.clone(), new_text: canonical.to_string() });
    }
    Some(QuickFix {
        title: format!("Rename `{}` to the stage field `{canonical}`", symbol.name),
        change: change.sorted(),
        diagnostics: vec![d.clone()],
        preferred: true,
    })
}
