//! `textDocument/hover`.

use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn hover(doc: &Doc, position: Position) -> Option<Hover> {
    let found = dslc_ide::hover(doc.db, doc.file, doc.offset(position))?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: found.markdown }),
        range: Some(doc.index().range(&found.span)),
    })
}
