//! dslc diagnostics → LSP diagnostics, grouped by the file their primary label points into, and
//! paths ↔ URIs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dslc_db::diagnostic::Severity;
use dslc_db::{Database, Db};
use tower_lsp_server::ls_types::{
    self as lsp, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use crate::position::{Encoding, LineIndex};

pub(crate) fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub(crate) fn path_of(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// The text the database holds for a file (the editor's text for open files).
pub(crate) fn text_of(db: &Database, path: &Path) -> String {
    db.file(path).contents(db).text.clone()
}

/// Converts diagnostics into LSP diagnostics per file, keyed by path.
pub(crate) fn group(
    db: &Database,
    diagnostics: &[dslc_db::Diagnostic],
    encoding: Encoding,
) -> BTreeMap<PathBuf, Vec<lsp::Diagnostic>> {
    let mut texts: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut text = |path: &Path| texts.entry(path.to_path_buf()).or_insert_with(|| text_of(db, path)).clone();
    let mut out: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        let primary_text = text(&d.primary.file);
        let range = LineIndex::new(&primary_text, encoding).range(&d.primary.span);
        let related: Vec<DiagnosticRelatedInformation> = d
            .secondary
            .iter()
            .filter_map(|label| {
                let label_text = text(&label.file);
                Some(DiagnosticRelatedInformation {
                    location: Location::new(
                        uri_of(&label.file)?,
                        LineIndex::new(&label_text, encoding).range(&label.span),
                    ),
                    message: label.message.clone(),
                })
            })
            .collect();
        // Editors show the message, rarely the label; the label and help carry the specifics.
        let mut message = d.message.clone();
        if !d.primary.message.is_empty() {
            message.push_str(&format!(" ({})", d.primary.message));
        }
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        let diagnostic = lsp::Diagnostic {
            range,
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(d.code.id.to_string())),
            source: Some("dslc".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            data: (!d.suggestions.is_empty()).then(|| serde_json::json!({ "suggestions": d.suggestions })),
            ..Default::default()
        };
        out.entry(d.primary.file.to_path_buf()).or_default().push(diagnostic);
    }
    out
}
