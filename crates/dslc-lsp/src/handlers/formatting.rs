//! `textDocument/formatting` and `textDocument/rangeFormatting`: `dslc-ide`'s edits to the
//! canonical layout, as LSP text edits. The layout is fixed, so the client's options (tab size,
//! spaces) are not read, as rustfmt's and ruff's servers do.

use tower_lsp_server::ls_types::{Range, TextEdit};

use super::Doc;

pub(crate) fn format_document(doc: &Doc) -> Vec<TextEdit> {
    convert(doc, dslc_ide::format_document(doc.db, doc.file))
}

pub(crate) fn format_range(doc: &Doc, range: Range) -> Vec<TextEdit> {
    let index = doc.index();
    let span = index.offset(range.start)..index.offset(range.end);
    convert(doc, dslc_ide::format_range(doc.db, doc.file, span))
}

fn convert(doc: &Doc, edits: Vec<dslc_ide::TextEdit>) -> Vec<TextEdit> {
    let index = doc.index();
    edits.into_iter().map(|edit| TextEdit::new(index.range(&edit.span), edit.new_text)).collect()
}
