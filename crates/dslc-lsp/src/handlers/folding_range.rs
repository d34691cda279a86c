//! `textDocument/foldingRange`: `dslc-ide`'s regions, as line ranges.

use dslc_ide::FoldKind;
use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn folding_ranges(doc: &Doc) -> Vec<FoldingRange> {
    let index = doc.index();
    dslc_ide::folding_ranges(doc.db, doc.file)
        .into_iter()
        .filter_map(|fold| {
            let (start, end) = (index.position(fold.span.start), index.position(fold.span.end));
            (end.line > start.line).then_some(FoldingRange {
                start_line: start.line,
                start_character: None,
                end_line: end.line,
                end_character: None,
                kind: Some(match fold.kind {
                    FoldKind::Statement => FoldingRangeKind::Region,
                    FoldKind::Comment => FoldingRangeKind::Comment,
                }),
                collapsed_text: None,
            })
        })
        .collect()
}
