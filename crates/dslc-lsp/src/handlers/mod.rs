//! One handler per LSP request: each converts positions to byte offsets, asks `dslc-ide`, and
//! converts the plain answer back to LSP types. Nothing semantic happens here.

pub(crate) mod code_action;
pub(crate) mod completion;
pub(crate) mod definition;
pub(crate) mod folding_range;
pub(crate) mod formatting;
pub(crate) mod hover;
pub(crate) mod inlay_hint;
pub(crate) mod references;
pub(crate) mod rename;
pub(crate) mod semantic_tokens;
pub(crate) mod symbols;

use std::path::Path;

use dslc_db::{Database, SourceFile};
use dslc_ide::{FileSpan, SourceChange};
use tower_lsp_server::ls_types::{Location, Position, Range, TextEdit, WorkspaceEdit};

use crate::convert::{self, uri_of};
use crate::position::{Encoding, Positions};

/// One open spec in the database, with its text and the negotiated encoding.
pub(crate) struct Doc<'a> {
    pub db: &'a Database,
    pub file: SourceFile,
    pub path: &'a Path,
    pub encoding: Encoding,
}

impl Doc<'_> {
    pub(crate) fn index(&self) -> Positions<'_> {
        convert::positions(self.db, self.path, self.encoding)
    }

    pub(crate) fn offset(&self, position: Position) -> usize {
        self.index().offset(position)
    }

    /// A range in any file the database holds (this spec, an include, a catalog).
    pub(crate) fn range_in(&self, path: &Path, span: &dslc_syntax::Span) -> Range {
        if path == self.path {
            return self.index().range(span);
        }
        convert::positions(self.db, path, self.encoding).range(span)
    }

    pub(crate) fn location(&self, found: &FileSpan) -> Option<Location> {
        Some(Location::new(uri_of(&found.path)?, self.range_in(&found.path, &found.span)))
    }

    pub(crate) fn workspace_edit(&self, change: &SourceChange) -> WorkspaceEdit {
        let changes = change
            .edits
            .iter()
            .filter_map(|(path, edits)| {
                let edits =
                    edits.iter().map(|e| TextEdit::new(self.range_in(path, &e.span), e.new_text.clone())).collect();
                Some((uri_of(path)?, edits))
            })
            .collect();
        WorkspaceEdit { changes: Some(changes), ..Default::default() }
    }
}
