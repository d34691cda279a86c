//! `textDocument/definition`.

use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn definition(doc: &Doc, position: Position) -> Option<Location> {
    doc.location(&dslc_ide::definition(doc.db, doc.file, doc.offset(position))?)
}
