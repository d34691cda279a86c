//! Rename: every place a name lives (declarations, uses, CSV header cells) as one change, or a
//! refusal that says why the name cannot be renamed.

use dslc_db::names::{NameTable, Site, Symbol};
use dslc_db::stage::Field;
use dslc_db::{Db, SourceFile};
use dslc_syntax::lexer::KEYWORDS;
use dslc_syntax::Span;

use crate::{SourceChange, Spec, TextEdit};

/// The span of the name at byte `offset` that a rename would change, `Ok(None)` when there is
/// no name there, or the reason it cannot be renamed.
pub fn prepare_rename(db: &dyn Db, spec: SourceFile, offset: usize) -> Result<Option<Span>, String> {
    let spec = Spec::new(db, spec);
    let names = spec.names();
    match renamable(names, &spec, offset)? {
        Some((_, site)) => Ok(Some(site.span.clone())),
        None => Ok(None),
    }
}

/// The change that renames the name at byte `offset` of `spec` to `new_name` everywhere it is
/// written, or why it cannot.
pub fn rename(db: &dyn Db, spec: SourceFile, offset: usize, new_name: &str) -> Result<Option<SourceChange>, String> {
    let spec = Spec::new(db, spec);
    let names = spec.names();
    let Some((symbol, _)) = renamable(names, &spec, offset)? else { return Ok(None) };
    if !dslc_syntax::is_name(new_name) || KEYWORDS.contains(&new_name) {
        return Err(format!("`{new_name}` is not a valid name"));
    }
    if new_name == symbol.name {
        return Ok(Some(SourceChange::default()));
    }
    if Field::is_known_name(new_name) {
        return Err(format!(
            "`{new_name}` is a stage field name: renaming to it changes what the spec means (the column would feed \
             the `{new_name}` stage field)"
        ));
    }
    if let Some(taken) = names.get(new_name) {
        let kind = taken.kind.describe();
        let article = if kind.starts_with('a') { "an" } else { "a" };
        return Err(format!("`{new_name}` is already declared as {article} {kind} in this spec"));
    }
    let mut change = SourceChange::default();
    for site in &symbol.sites {
        change.add(&site.file, TextEdit { span: site.span.clone(), new_text: new_name.to_string() });
    }
    Ok(Some(change.sorted()))
}

/// The symbol and site at the cursor when it may be renamed.
fn renamable<'t>(names: &'t NameTable, spec: &Spec, offset: usize) -> Result<Option<(&'t Symbol, &'t Site)>, String> {
    let Some((symbol, site)) = names.at(spec.path(), offset) else {
        if let Some((name, _)) = names.unresolved_at(spec.path(), offset) {
            return Err(format!("`{name}` is not declared in this spec, so there is nothing to rename"));
        }
        return Ok(None);
    };
    if let Some(field) = symbol.stage_field() {
        return Err(format!(
            "renaming a stage field changes what the spec means: `{}` feeds the `{}` stage field, and another name \
             would make it a plain design column",
            symbol.name,
            field.canonical()
        ));
    }
    Ok(Some((symbol, site)))
}
