//! Quick fixes: replace an unknown ID or name by each did-you-mean suggestion of its diagnostic.

use dslc_db::{Db, Diagnostic, SourceFile};
use dslc_syntax::Span;

use crate::Spec;

/// One fix: replace `span` of the spec by `replacement`; `diagnostics` are what it fixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuickFix {
    pub title: String,
    pub span: Span,
    pub replacement: String,
    pub diagnostics: Vec<Diagnostic>,
    /// The first suggestion for a span is the preferred fix.
    pub preferred: bool,
}

/// The quick fixes for diagnostics of `spec` whose primary span touches `range`. One fix per
/// (span, replacement), listing every diagnostic it fixes: an unknown ID is often both "not in
/// the catalog" and "not a level".
pub fn quick_fixes(db: &dyn Db, spec: SourceFile, range: Span) -> Vec<QuickFix> {
    let spec = Spec::new(db, spec);
    let mut fixes: Vec<QuickFix> = Vec::new();
    for d in dslc_db::check(db, spec.file) {
        let span = &d.primary.span;
        if *d.primary.file != *spec.path()
            || d.suggestions.is_empty()
            || span.end < range.start
            || span.start > range.end
        {
            continue;
        }
        for suggestion in &d.suggestions {
            let replacement = dslc_syntax::quote_value(suggestion);
            match fixes.iter_mut().find(|f| f.span == *span && f.replacement == replacement) {
                Some(fix) => fix.diagnostics.push(d.clone()),
                None => {
                    let preferred = !fixes.iter().any(|f| f.span == *span);
                    fixes.push(QuickFix {
                        title: format!("Replace with `{suggestion}`"),
                        span: span.clone(),
                        replacement,
                        diagnostics: vec![d.clone()],
                        preferred,
                    });
                }
            }
        }
    }
    fixes
}
