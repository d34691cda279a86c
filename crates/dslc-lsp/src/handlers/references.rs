//! `textDocument/references`.

use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn references(doc: &Doc, position: Position) -> Vec<Location> {
    dslc_ide::references(doc.db, doc.file, doc.offset(position)).iter().filter_map(|f| doc.location(f)).collect()
}
