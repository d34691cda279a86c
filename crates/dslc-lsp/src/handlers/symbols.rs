//! `textDocument/documentSymbol` and `workspace/symbol`.

use std::path::Path;

use dslc_db::{Database, SourceFile};
use dslc_ide::{Symbol, SymbolKind as Kind};
use tower_lsp_server::ls_types::*;

use super::Doc;
use crate::convert::{self, uri_of};
use crate::position::{Encoding, Positions};

fn kind(kind: Kind) -> SymbolKind {
    match kind {
        Kind::Cohort => SymbolKind::MODULE,
        Kind::Axis => SymbolKind::FIELD,
        Kind::Rule => SymbolKind::STRUCT,
        Kind::Policy => SymbolKind::PROPERTY,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` has to be written out.
fn convert_symbol(index: &Positions, symbol: Symbol) -> DocumentSymbol {
    DocumentSymbol {
        name: symbol.name,
        detail: symbol.detail,
        kind: kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: index.range(&symbol.span),
        selection_range: index.range(&symbol.selection),
        children: (!symbol.children.is_empty())
            .then(|| symbol.children.into_iter().map(|c| convert_symbol(index, c)).collect()),
    }
}

pub(crate) fn document_symbols(doc: &Doc) -> Vec<DocumentSymbol> {
    let index = doc.index();
    dslc_ide::document_symbols(doc.db, doc.file).into_iter().map(|s| convert_symbol(&index, s)).collect()
}

#[allow(deprecated)] // `SymbolInformation::deprecated` has to be written out.
pub(crate) fn workspace_symbols(
    db: &Database,
    specs: &[SourceFile],
    query: &str,
    encoding: Encoding,
) -> Vec<SymbolInformation> {
    dslc_ide::workspace_symbols(db, specs, query)
        .into_iter()
        .filter_map(|(path, symbol): (std::path::PathBuf, Symbol)| {
            let range = convert::positions(db, Path::new(&path), encoding).range(&symbol.span);
            Some(SymbolInformation {
                name: symbol.name,
                kind: kind(symbol.kind),
                tags: None,
                deprecated: None,
                location: Location::new(uri_of(&path)?, range),
                container_name: symbol.detail,
            })
        })
        .collect()
}
