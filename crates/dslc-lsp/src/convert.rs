//! dslc diagnostics → LSP diagnostics, grouped by the file their primary label points into, and
//! paths ↔ URIs.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use dslc_db::diagnostic::Severity;
use dslc_db::{Database, Db};
use tower_lsp_server::ls_types::{
    self as lsp, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString, Uri,
};

use crate::position::{Encoding, Positions};

pub(crate) fn uri_of(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

pub(crate) fn path_of(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    uri.to_file_path().map(|path| path.into_owned())
}

/// Positions in a file the database holds, over its `line_index` query: built once per text,
/// however many diagnostics or symbols point into it.
pub(crate) fn positions<'db>(db: &'db Database, path: &Path, encoding: Encoding) -> Positions<'db> {
    let file = db.file(path);
    Positions::new(&file.contents(db).text, dslc_db::db::line_index(db, file), encoding)
}

/// Converts diagnostics into LSP diagnostics per file, keyed by path.
///
/// Linear in the diagnostics: each file's positions are looked up once, texts are not copied.
pub(crate) fn group(
    db: &Database,
    diagnostics: &[dslc_db::Diagnostic],
    encoding: Encoding,
) -> BTreeMap<PathBuf, Vec<lsp::Diagnostic>> {
    // Per file: its positions and its URI, worked out once however many labels point into it.
    let mut files: HashMap<&Path, (Positions<'_>, Option<Uri>)> = HashMap::new();
    for d in diagnostics {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            files.entry(&label.file).or_insert_with(|| (positions(db, &label.file, encoding), uri_of(&label.file)));
        }
    }
    let file = |path: &Path| &files[path];
    let mut out: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
    for d in diagnostics {
        let primary_range = file(&d.primary.file).0.range(&d.primary.span);
        let related: Vec<DiagnosticRelatedInformation> = d
            .secondary
            .iter()
            .filter_map(|label| {
                let (positions, uri) = file(&label.file);
                Some(DiagnosticRelatedInformation {
                    location: Location::new(uri.clone()?, positions.range(&label.span)),
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
            range: primary_range,
            severity: Some(match d.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Note => DiagnosticSeverity::INFORMATION,
            }),
            code: Some(NumberOrString::String(d.code.id.to_string())),
            // The code's page (`dslc explain CODE` has the same text); a base URL that does not
            // parse gives no link rather than no diagnostic.
            code_description: d.code.docs_url().parse().ok().map(|href| CodeDescription { href }),
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
