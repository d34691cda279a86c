//! `textDocument/inlayHint`.

use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn inlay_hints(doc: &Doc, range: Range) -> Vec<InlayHint> {
    let index = doc.index();
    let span = index.offset(range.start)..index.offset(range.end);
    dslc_ide::inlay_hints(doc.db, doc.file, span)
        .into_iter()
        .map(|hint| InlayHint {
            position: index.position(hint.offset),
            label: InlayHintLabel::String(hint.label),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        })
        .collect()
}
