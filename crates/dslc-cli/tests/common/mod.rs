//! What the language-server tests through the binary share: the example project's pilot spec.

use std::path::Path;

/// The pilot spec's URI and text, and a line of it that the tests edit.
pub(crate) struct Pilot {
    pub uri: String,
    pub text: String,
    pub subset: &'static str,
}

pub(crate) fn pilot() -> Pilot {
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/project/data/cohorts/pilot-2026-01/spec.cohort");
    let spec = std::fs::canonicalize(spec).unwrap();
    let text = std::fs::read_to_string(&spec).unwrap();
    let subset = "subset draft_template = [creative-synthesis-v2, gwern_original]";
    assert!(text.contains(subset), "the pilot spec no longer has the line the tests edit");
    Pilot { uri: format!("file://{}", spec.display()), text, subset }
}
