//! `textDocument/prepareRename` and `textDocument/rename`. A refusal is an error answer whose
//! message says why.

use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn prepare_rename(doc: &Doc, position: Position) -> Result<Option<PrepareRenameResponse>, String> {
    let span = dslc_ide::prepare_rename(doc.db, doc.file, doc.offset(position))?;
    Ok(span.map(|span| PrepareRenameResponse::Range(doc.index().range(&span))))
}

pub(crate) fn rename(doc: &Doc, position: Position, new_name: &str) -> Result<Option<WorkspaceEdit>, String> {
    let change = dslc_ide::rename(doc.db, doc.file, doc.offset(position), new_name)?;
    Ok(change.map(|change| doc.workspace_edit(&change)))
}
