//! Data-driven protocol tests: each `tests/fixtures/project/cohorts/*.cohort` names a request
//! on its first line (`# lsp: completion`) and marks the cursor with `$0`; the response is
//! snapshotted with file URIs made relative to the fixture project.

mod common;

use common::{fixtures_dir, Client};
use dslc_lsp::position::{Encoding, Positions};
use serde_json::{json, Value};

#[test]
fn fixtures() {
    let dir = fixtures_dir().join("cohorts");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "cohort"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(&path).unwrap();
        let snapshot = run_fixture(&path, &source);
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, description => source.clone() }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
}

fn run_fixture(path: &std::path::Path, source: &str) -> String {
    let request = source.lines().next().and_then(|l| l.strip_prefix("# lsp: ")).expect("`# lsp: REQUEST` first line");
    let utf8 = source.contains("# lsp-encoding: utf-8");
    let cursor = source.find("$0").expect("a $0 cursor marker");
    let text = source.replacen("$0", "", 1);
    let encoding = if utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
    let position = Positions::of_text(&text, encoding).position(cursor);
    let position = json!({ "line": position.line, "character": position.character });
    let capabilities =
        if utf8 { json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }) } else { json!({}) };
    let mut client = Client::initialized(capabilities);
    let uri = client.open(path, &text);
    let document = json!({ "uri": uri });
    let at = json!({ "textDocument": document, "position": position });
    let whole = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 10000, "character": 0 } });
    let mut words = request.split_whitespace();
    let result = match words.next().unwrap() {
        "completion" => client.request("textDocument/completion", at),
        "hover" => client.request("textDocument/hover", at),
        "definition" => client.request("textDocument/definition", at),
        "references" => {
            let mut params = at;
            params["context"] = json!({ "includeDeclaration": true });
            client.request("textDocument/references", params)
        }
        "rename" => {
            let mut params = at;
            params["newName"] = json!(words.next().expect("rename NEW_NAME"));
            client.request("textDocument/rename", params)
        }
        "codeAction" => {
            let range = json!({ "start": position, "end": position });
            let params = json!({ "textDocument": document, "range": range, "context": { "diagnostics": [] } });
            client.request("textDocument/codeAction", params)
        }
        "inlayHint" => client.request("textDocument/inlayHint", json!({ "textDocument": document, "range": whole })),
        "documentSymbol" => client.request("textDocument/documentSymbol", json!({ "textDocument": document })),
        "semanticTokens" => client.request("textDocument/semanticTokens/full", json!({ "textDocument": document })),
        "diagnostics" => {
            // Every file that received diagnostics, in URI order.
            let spec = client.diagnostics(&uri);
            let _ = client.request("textDocument/documentSymbol", json!({ "textDocument": document }));
            let mut all: Vec<Value> = client
                .notifications
                .iter()
                .filter(|m| m["method"] == "textDocument/publishDiagnostics")
                .map(|m| m["params"].clone())
                .collect();
            all.push(json!({ "uri": uri, "diagnostics": spec }));
            all.sort_by_key(|p| p["uri"].to_string());
            json!({ "result": all })
        }
        other => panic!("unknown fixture request {other}"),
    };
    let mut body = result.get("result").or(result.get("error")).cloned().unwrap_or(Value::Null);
    sort_workspace_edits(&mut body);
    let rendered = serde_json::to_string_pretty(&body).unwrap();
    rendered.replace(&format!("file://{}", fixtures_dir().display()), "file://$PROJECT")
}

/// A workspace edit's `changes` is a map from URI to edits that the server serialises in hash
/// order; sorting it by URI keeps multi-file edits (rename, the alias quick fix) stable.
fn sort_workspace_edits(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(changes)) = map.get_mut("changes") {
                let mut sorted: Vec<(String, Value)> = std::mem::take(changes).into_iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                changes.extend(sorted);
            }
            map.values_mut().for_each(sort_workspace_edits);
        }
        Value::Array(items) => items.iter_mut().for_each(sort_workspace_edits),
        _ => {}
    }
}
