//! `textDocument/semanticTokens/full`: `dslc-ide`'s classified spans, delta-encoded.

use dslc_ide::TokenKind;
use tower_lsp_server::ls_types::*;

use super::Doc;

/// Token types, in the order of `TokenKind::ALL` (the legend).
pub(crate) const TOKEN_TYPES: [SemanticTokenType; 8] = [
    SemanticTokenType::KEYWORD,
    SemanticTokenType::STRING,
    SemanticTokenType::NUMBER,
    SemanticTokenType::VARIABLE,
    SemanticTokenType::FUNCTION,
    SemanticTokenType::ENUM_MEMBER,
    SemanticTokenType::COMMENT,
    SemanticTokenType::TYPE,
];

fn legend_index(kind: TokenKind) -> u32 {
    TokenKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u32
}

pub(crate) fn semantic_tokens(doc: &Doc) -> Vec<SemanticToken> {
    let index = doc.index();
    let tokens = dslc_ide::semantic_tokens(doc.db, doc.file);
    let mut out = Vec::with_capacity(tokens.len());
    let (mut last_line, mut last_start) = (0, 0);
    for token in tokens {
        let start = index.position(token.span.start);
        let end = index.position(token.span.end);
        // LSP tokens cannot span lines; a multi-line token is left uncoloured.
        if end.line != start.line || end.character <= start.character {
            continue;
        }
        let delta_line = start.line - last_line;
        let delta_start = if delta_line == 0 { start.character - last_start } else { start.character };
        out.push(SemanticToken {
            delta_line,
            delta_start,
            length: end.character - start.character,
            token_type: legend_index(token.kind),
            token_modifiers_bitset: 0,
        });
        last_line = start.line;
        last_start = start.character;
    }
    out
}
