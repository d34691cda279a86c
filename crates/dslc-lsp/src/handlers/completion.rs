//! `textDocument/completion`.

use dslc_ide::CompletionKind;
use tower_lsp_server::ls_types::*;

use super::Doc;

pub(crate) fn completion(doc: &Doc, position: Position) -> CompletionResponse {
    let offset = doc.offset(position);
    let found = dslc_ide::completions(doc.db, doc.file, offset);
    let index = doc.index();
    let items = found
        .items
        .into_iter()
        .map(|c| CompletionItem {
            kind: Some(match c.kind {
                CompletionKind::Keyword => CompletionItemKind::KEYWORD,
                CompletionKind::StageField => CompletionItemKind::FIELD,
                CompletionKind::Axis => CompletionItemKind::VARIABLE,
                CompletionKind::Rule => CompletionItemKind::STRUCT,
                CompletionKind::Value => CompletionItemKind::ENUM_MEMBER,
                CompletionKind::File => CompletionItemKind::FILE,
                CompletionKind::Folder => CompletionItemKind::FOLDER,
            }),
            detail: c.detail,
            documentation: c
                .documentation
                .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
            filter_text: (c.kind == CompletionKind::Value).then(|| c.label.clone()),
            sort_text: c.sort_text,
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(index.range(&c.replace), c.insert))),
            label: c.label,
            ..Default::default()
        })
        .collect();
    CompletionResponse::List(CompletionList { is_incomplete: found.incomplete, items })
}
