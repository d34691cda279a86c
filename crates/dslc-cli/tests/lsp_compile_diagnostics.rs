//! The real `dslc lsp` over stdio shows what would stop `dslc compile`: a spec whose plan
//! collides shows E0405 (found by the checker, without forming the product), one over the
//! default `--max-rows` shows compile's E0601, and a design-only spec shows its warning (W0404)
//! but not compile's E0602, since `--emit rows` compiles it.

use std::path::Path;

use dslc_lsp::client::Client;
use serde_json::{json, Value};

const FULL: &str = "axis combo_id = [c]\naxis draft_template = [t]\naxis draft_llm = [m]\naxis essay_template = [e]\naxis essay_llm = [m]\naxis evaluation_template = [v]\naxis evaluation_llm = [m]\n";

/// Opens each spec (written into a fresh project without catalogs) and returns the codes of
/// its published errors and warnings (the "no catalogs" note is left out), and all of them.
fn published_codes(specs: &[(&str, String)]) -> Vec<(Vec<String>, Vec<Value>)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("dslc.toml"), "").unwrap();
    let mut server = Client::spawn(Path::new(env!("CARGO_BIN_EXE_dslc"))).expect("spawn dslc lsp");
    server.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} })).unwrap();
    server.notify("initialized", json!({})).unwrap();
    let mut results = Vec::new();
    for (name, text) in specs {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let uri = format!("file://{}", path.display());
        let document = json!({ "uri": uri, "languageId": "cohort", "version": 1, "text": text });
        server.notify("textDocument/didOpen", json!({ "textDocument": document })).unwrap();
        let diagnostics = server.diagnostics(&uri).expect("diagnostics within the timeout");
        let codes = diagnostics
            .iter()
            .map(|d| d["code"].as_str().unwrap_or_default().to_string())
            .filter(|code| code != "N0505")
            .collect();
        results.push((codes, diagnostics));
    }
    assert!(server.shutdown().unwrap().success());
    results
}

#[test]
fn the_editor_shows_collisions_row_limits_and_design_only_warnings() {
    let collision = FULL.replace("essay_llm = [m]", "essay_llm = [m, n]");
    let mut too_many = FULL.to_string();
    for axis in 0..8 {
        // 10^8 rows, over the default limit of 5·10^7.
        too_many.push_str(&format!("axis extra_{axis} = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"));
    }
    let design_only = "axis draft_template = [t]\naxis essay_template = [e]\naxis evaluation_template = [v]\naxis evaluation_llm = [m]\n";
    let results = published_codes(&[
        ("collision.cohort", collision),
        ("too_many.cohort", too_many),
        ("design_only.cohort", design_only.to_string()),
        ("clean.cohort", FULL.to_string()),
    ]);

    let (codes, diagnostics) = &results[0];
    assert_eq!(codes, &["E0405"], "{diagnostics:?}");
    assert_eq!(diagnostics[0]["severity"], 1);

    let (codes, diagnostics) = &results[1];
    assert!(codes.contains(&"E0601".to_string()), "{diagnostics:?}");
    let limit = diagnostics.iter().find(|d| d["code"] == "E0601").unwrap();
    assert!(limit["message"].as_str().unwrap().contains("100000000 rows, more than --max-rows 50000000"), "{limit}");
    // On the first axis name, `combo_id` of line 0.
    assert_eq!(limit["range"]["start"], json!({ "line": 0, "character": 5 }), "{limit}");

    let (codes, diagnostics) = &results[2];
    assert_eq!(codes, &["W0404"], "{diagnostics:?}");
    assert_eq!(diagnostics[0]["severity"], 2);

    let (codes, diagnostics) = &results[3];
    assert!(codes.is_empty(), "{diagnostics:?}");
}
