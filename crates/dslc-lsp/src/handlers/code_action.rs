//! `textDocument/codeAction`: the quick fixes of `dslc-ide` (replacements and renames, in the
//! spec and in included CSV files), with the diagnostics they fix.

use tower_lsp_server::ls_types::*;

use super::Doc;
use crate::convert;

pub(crate) fn code_actions(doc: &Doc, range: Range) -> Vec<CodeActionOrCommand> {
    let index = doc.index();
    let span = index.offset(range.start)..index.offset(range.end);
    dslc_ide::quick_fixes(doc.db, doc.file, span)
        .into_iter()
        .map(|fix| {
            let diagnostics: Vec<Diagnostic> =
                convert::group(doc.db, &fix.diagnostics, doc.encoding).into_values().flatten().collect();
            CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(diagnostics),
                edit: Some(doc.workspace_edit(&fix.change)),
                is_preferred: Some(fix.preferred),
                ..Default::default()
            })
        })
        .collect()
}
