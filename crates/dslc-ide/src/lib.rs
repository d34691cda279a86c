//! The editor layer of dslc: every question an editor asks about a spec (hover, completion,
//! definition, references, rename, symbols, inlay hints, semantic tokens, folding, quick fixes,
//! formatting),
//! answered from the salsa queries of `dslc-db` and its name table.
//!
//! Every function takes the database, a spec and byte offsets, and returns plain data: byte
//! spans into named files and strings. No LSP types, no lines or UTF-16 columns; `dslc-lsp`
//! converts at its edge. Nothing here fails: a place with nothing to say gives nothing.

mod completion;
mod context;
mod decorations;
mod fixes;
mod formatting;
mod hover;
mod navigation;
mod rename;
mod symbols;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dslc_db::catalog::Catalog;
use dslc_db::catalog_check::catalog_for;
use dslc_db::names::NameTable;
use dslc_db::project::project_config;
use dslc_db::{Db, SourceFile};
use dslc_syntax::ast::{FileRef, SpecFile};
pub use dslc_syntax::Span;

pub use completion::{completions, Completion, CompletionKind, Completions};
pub use decorations::{folding_ranges, inlay_hints, semantic_tokens, Fold, FoldKind, InlayHint, Token, TokenKind};
pub use fixes::{quick_fixes, QuickFix};
pub use formatting::{format_document, format_range};
pub use hover::{hover, Hover};
pub use navigation::{definition, references};
pub use rename::{prepare_rename, rename};
pub use symbols::{document_symbols, project_specs, workspace_symbols, Symbol, SymbolKind, MAX_PROJECT_SPECS};

/// A span in a named file (a spec, an included CSV/TXT, a catalog).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileSpan {
    pub path: PathBuf,
    pub span: Span,
}

/// Replace `span` by `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// Edits to several files, applied together (a rename, a quick fix). Each file's edits are in
/// source order and do not overlap.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceChange {
    pub edits: Vec<(PathBuf, Vec<TextEdit>)>,
}

impl SourceChange {
    pub(crate) fn add(&mut self, path: &Path, edit: TextEdit) {
        match self.edits.iter_mut().find(|(p, _)| p == path) {
            Some((_, edits)) => edits.push(edit),
            None => self.edits.push((path.to_path_buf(), vec![edit])),
        }
    }

    pub(crate) fn sorted(mut self) -> Self {
        for (_, edits) in &mut self.edits {
            edits.sort_by_key(|e| e.span.start);
            edits.dedup();
        }
        self
    }
}

/// One spec in the database, with the lookups every feature needs.
pub(crate) struct Spec<'a> {
    pub(crate) db: &'a dyn Db,
    pub(crate) file: SourceFile,
}

impl<'a> Spec<'a> {
    pub(crate) fn new(db: &'a dyn Db, file: SourceFile) -> Self {
        Spec { db, file }
    }

    pub(crate) fn path(&self) -> &'a Path {
        self.file.path(self.db)
    }

    pub(crate) fn text(&self) -> &'a str {
        &self.file.contents(self.db).text
    }

    pub(crate) fn ast(&self) -> &'a SpecFile {
        &dslc_db::parse(self.db, self.file).file
    }

    pub(crate) fn design(&self) -> &'a dslc_db::Design {
        &dslc_db::analyze(self.db, self.file).design
    }

    pub(crate) fn names(&self) -> &'a NameTable {
        dslc_db::names::name_table(self.db, self.file)
    }

    pub(crate) fn catalog(&self, axis: &str) -> Option<Arc<Catalog>> {
        let field = context::catalog_field_of(axis, self.ast())?;
        let config = project_config(self.db, self.file);
        catalog_for(self.db, config, field)
    }

    pub(crate) fn spec_dir(&self) -> PathBuf {
        self.path().parent().map(Path::to_path_buf).unwrap_or_default()
    }

    /// The file a `file("…")` names, or `None` when it is outside the project root: editors get
    /// nothing from outside it, as the checker reads nothing from there (E0302).
    pub(crate) fn resolve(&self, file_ref: &FileRef) -> Option<PathBuf> {
        let path = dslc_db::db::normalize(&self.spec_dir().join(&file_ref.path));
        self.inside_root(&path).then_some(path)
    }

    pub(crate) fn inside_root(&self, path: &Path) -> bool {
        dslc_db::root::inside(dslc_db::db::project_root(self.db, self.file), path)
    }
}
