//! Go to definition and find references, from the name table; never a place outside the
//! project root.

use dslc_db::project::project_config;
use dslc_db::{Db, SourceFile};
use dslc_syntax::ast::{FileRef, Items, Levels, SpecFile, Statement};
use dslc_syntax::Span;

use crate::context::{self, catalog_field_of, Expected};
use crate::{FileSpan, Spec};

/// Where the thing at byte `offset` of `spec` is defined: a name's declaration, the file a
/// `file("…")` names (an empty span at its start), or a catalog ID's row.
pub fn definition(db: &dyn Db, spec: SourceFile, offset: usize) -> Option<FileSpan> {
    let spec = Spec::new(db, spec);
    let ast = spec.ast();
    let found = if let Some(file_ref) = file_ref_at(ast, offset) {
        FileSpan { path: spec.resolve(file_ref)?, span: 0..0 }
    } else if let Some((symbol, _)) = spec.names().at(spec.path(), offset) {
        let site = symbol.definition();
        FileSpan { path: site.file.to_path_buf(), span: site.span.clone() }
    } else {
        let (axis, word, _) = value_at(&spec, offset)?;
        let entry_span = spec.catalog(&axis)?.get(&word)?.span.clone();
        let field = catalog_field_of(&axis, ast)?;
        let source = project_config(spec.db, spec.file).catalog(field)?.path.clone();
        FileSpan { path: source, span: entry_span }
    };
    // The checker reads nothing from outside the root, so the editor opens nothing there.
    spec.inside_root(&found.path).then_some(found)
}

/// Every place the name at byte `offset` of `spec` is written: its declarations, its uses in
/// the spec and the header cells of included CSV files that name it.
pub fn references(db: &dyn Db, spec: SourceFile, offset: usize) -> Vec<FileSpan> {
    let spec = Spec::new(db, spec);
    let names = spec.names();
    if let Some((symbol, _)) = names.at(spec.path(), offset) {
        return symbol.sites.iter().map(|s| FileSpan { path: s.file.to_path_buf(), span: s.span.clone() }).collect();
    }
    // An undeclared name still has its other uses (all of them misspelt the same way).
    let Some((name, _)) = names.unresolved_at(spec.path(), offset) else { return Vec::new() };
    names
        .unresolved
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, s)| FileSpan { path: s.file.to_path_buf(), span: s.span.clone() })
        .collect()
}

/// Every `file("…")` of a spec.
pub(crate) fn file_refs(file: &SpecFile) -> Vec<&FileRef> {
    let mut out = Vec::new();
    for statement in &file.statements {
        match statement {
            Statement::Axis(s) => {
                if let Levels::File(f) = &s.levels {
                    out.push(f);
                }
            }
            Statement::Subset(s) => {
                if let Levels::File(f) = &s.levels {
                    out.push(f);
                }
            }
            Statement::Pair(s) => {
                if let Items::File(f) = &s.items {
                    out.push(f);
                }
            }
            Statement::Tuple(s) => {
                if let Items::File(f) = &s.items {
                    out.push(f);
                }
            }
            Statement::Cohort(_) | Statement::Tie(_) | Statement::Output(_) | Statement::Reuse(_) => {}
        }
    }
    out
}

pub(crate) fn file_ref_at(file: &SpecFile, offset: usize) -> Option<&FileRef> {
    file_refs(file).into_iter().find(|f| f.span.start <= offset && offset <= f.span.end)
}

/// The value word under the cursor, the axis it is written for, and its span.
pub(crate) fn value_at(spec: &Spec, offset: usize) -> Option<(String, String, Span)> {
    let cursor = context::cursor(spec.text(), offset, spec.ast());
    let (Expected::Value { axis } | Expected::Level { axis }) = cursor.expected else { return None };
    let word = spec.text().get(cursor.replace.clone())?.to_string();
    (!word.is_empty()).then_some((axis, word, cursor.replace))
}
