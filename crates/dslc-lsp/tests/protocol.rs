//! Protocol behaviour: lifecycle, encodings, incremental edits, watched files, and robustness
//! against bad requests.

mod common;

use common::{fixtures_dir, uri, Client};
use serde_json::{json, Value};

fn pos(line: u32, character: u32) -> Value {
    json!({ "line": line, "character": character })
}

fn change(uri: &str, version: i32, start: Value, end: Value, text: &str) -> Value {
    json!({
        "textDocument": { "uri": uri, "version": version },
        "contentChanges": [{ "range": { "start": start, "end": end }, "text": text }],
    })
}

/// The codes of the errors among `diagnostics` (warnings about an incomplete design are noise here).
fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == 1)
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

const SPEC: &str = "cohort c\naxis draft_llm = [sonnet-4, gpt-4.1]\naxis draft_template = [gwern_original]\n";

#[test]
fn requests_before_initialize_are_errors() {
    let mut client = Client::start();
    let response = client
        .request("textDocument/hover", json!({ "textDocument": { "uri": "file:///x.cohort" }, "position": pos(0, 0) }));
    assert_eq!(response["error"]["code"], -32002, "{response}");
    assert!(!client.exit(), "exit without shutdown is not clean");
}

#[test]
fn position_encoding_is_negotiated() {
    let mut client = Client::start();
    let response =
        client.request("initialize", json!({ "capabilities": { "general": { "positionEncodings": ["utf-8"] } } }));
    assert_eq!(response["result"]["capabilities"]["positionEncoding"], "utf-8");
    assert!(client.shutdown());
    let mut client = Client::start();
    let response = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(response["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(response["result"]["capabilities"]["textDocumentSync"]["change"], 2);
    assert!(client.shutdown());
}

#[test]
fn shutdown_and_exit_accept_null_params() {
    let mut client = Client::initialized(json!({}));
    client.send_raw(r#"{"jsonrpc":"2.0","id":"s","method":"shutdown","params":null}"#);
    let response = client.read_until(|m| m["id"] == "s");
    assert_eq!(response["result"], Value::Null, "{response}");
    assert!(client.exit());
}

#[test]
fn unknown_documents_give_empty_results() {
    let mut client = Client::initialized(json!({}));
    let at = json!({ "textDocument": { "uri": "file:///nowhere/x.cohort" }, "position": pos(0, 0) });
    for method in ["textDocument/hover", "textDocument/completion", "textDocument/definition"] {
        let response = client.request(method, at.clone());
        assert_eq!(response["result"], Value::Null, "{method}: {response}");
    }
    let response =
        client.request("textDocument/hover", json!({ "textDocument": { "uri": "untitled:1" }, "position": pos(0, 0) }));
    assert_eq!(response["result"], Value::Null, "{response}");
    assert!(client.shutdown());
}

#[test]
fn garbage_is_answered_not_fatal() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/garbage.cohort");
    let uri = client.open(&path, SPEC);
    let response = client.request("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = client.request("textDocument/completion", json!([1, 2, 3]));
    assert!(response.get("error").is_some(), "{response}");
    let response = client.request("no/such/method", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    client.notify("textDocument/didChange", json!({ "bad": 1 }));
    // A body that is not JSON gets an error answer and the server keeps going.
    client.send_raw("{ not json");
    let answer = client.read_until(|m| m.get("id") == Some(&Value::Null));
    assert!(answer.get("error").is_some(), "{answer}");
    // Out-of-range and mid-character positions are clamped.
    for position in [pos(999, 999), pos(1, 999), pos(0, u32::MAX)] {
        let at = json!({ "textDocument": { "uri": uri }, "position": position });
        for method in
            ["textDocument/hover", "textDocument/completion", "textDocument/definition", "textDocument/references"]
        {
            let mut params = at.clone();
            if method == "textDocument/references" {
                params["context"] = json!({ "includeDeclaration": true });
            }
            let response = client.request(method, params);
            assert!(response.get("result").is_some(), "{method}: {response}");
        }
    }
    // A change whose range lies outside the text still applies (clamped) and the server lives.
    client.notify("textDocument/didChange", change(&uri, 2, pos(50, 0), pos(60, 3), "\n# tail\n"));
    let response = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(response["result"].as_array().map(Vec::len), Some(3), "{response}");
    assert!(client.shutdown());
}

#[test]
fn surrogate_pairs_and_crlf() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/surrogates.cohort");
    let text = "cohort c \"😀😀\"\r\naxis draft_llm = [\"😀\", son]\r\n";
    let uri = client.open(&path, text);
    // `son` starts at UTF-16 column 24 of line 1 (the emoji is two units).
    let at = |character| json!({ "textDocument": { "uri": uri }, "position": pos(1, character) });
    let response = client.request("textDocument/completion", at(27));
    let items = response["result"]["items"].as_array().expect("items");
    assert!(items.iter().any(|i| i["label"] == "sonnet-4"), "{response}");
    let range = &items[0]["textEdit"]["range"];
    assert_eq!((range["start"].clone(), range["end"].clone()), (pos(1, 24), pos(1, 27)));
    // A column inside the surrogate pair, or past the end of a CRLF line, does not crash.
    for character in [19, 20, 21, 200] {
        let response = client.request("textDocument/hover", at(character));
        assert!(response.get("result").is_some(), "{response}");
    }
    // Incremental edit across the CRLF: replace `son` with `sonnet-4`.
    client.notify("textDocument/didChange", change(&uri, 2, pos(1, 24), pos(1, 27), "sonnet-4"));
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(symbols["result"][1]["detail"], "2 levels", "{symbols}");
    assert!(client.shutdown());
}

#[test]
fn edits_update_diagnostics_and_close_clears_them() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/edits.cohort");
    let uri = client.open(&path, SPEC);
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    // Typo in a catalogued ID: `gpt-4.1` → `gpt-4.7`.
    client.notify("textDocument/didChange", change(&uri, 2, pos(1, 34), pos(1, 35), "7"));
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(codes(&diagnostics), vec!["E0501"], "{diagnostics}");
    let unknown = diagnostics.as_array().unwrap().iter().find(|d| d["code"] == "E0501").unwrap();
    assert_eq!(unknown["range"]["start"], pos(1, 28));
    assert_eq!(unknown["data"]["suggestions"][0], "gpt-4.1");
    // Two changes in one notification, applied in order.
    let params = json!({
        "textDocument": { "uri": uri, "version": 3 },
        "contentChanges": [
            { "range": { "start": pos(1, 34), "end": pos(1, 35) }, "text": "1" },
            { "range": { "start": pos(0, 8), "end": pos(0, 8) }, "text": " \"ü\"" },
        ],
    });
    client.notify("textDocument/didChange", params);
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    // UTF-16 column 12 is after the closing quote (byte 13): a stray `!` there is E0001.
    client.notify("textDocument/didChange", change(&uri, 4, pos(0, 12), pos(0, 12), "!"));
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(codes(&diagnostics), vec!["E0001"], "{diagnostics}");
    assert_eq!(diagnostics[0]["range"]["start"], pos(0, 12), "{diagnostics}");
    // Full-text change.
    let params = json!({ "textDocument": { "uri": uri, "version": 5 }, "contentChanges": [{ "text": "axis = [" }] });
    client.notify("textDocument/didChange", params);
    assert!(!codes(&client.diagnostics(&uri)).is_empty());
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri), json!([]));
    assert!(client.shutdown());
}

#[test]
fn watched_catalog_changes_recheck_open_specs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("data/1_raw")).unwrap();
    std::fs::write(root.join("dslc.toml"), "data_root = \"data\"\n").unwrap();
    let catalog = root.join("data/1_raw/llm_models.csv");
    std::fs::write(&catalog, "id,model,provider,display_name\nsonnet-4,a/s,x,Sonnet\n").unwrap();
    let capabilities = json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } });
    let mut client = Client::initialized(capabilities);
    let uri = client.open(&root.join("spec.cohort"), "axis draft_llm = [sonnet-4, brand-new]\n");
    assert_eq!(codes(&client.diagnostics(&uri)), vec!["E0501"]);
    let registration = match client.server_requests.iter().find(|r| r["method"] == "client/registerCapability") {
        Some(r) => r.clone(),
        None => client.read_until(|m| m["method"] == "client/registerCapability"),
    };
    let watcher = &registration["params"]["registrations"][0]["registerOptions"]["watchers"][0];
    assert_eq!(watcher["globPattern"], "**/*.{csv,txt,toml,cohort}", "{registration}");
    std::fs::write(&catalog, "id,model,provider,display_name\nsonnet-4,a/s,x,Sonnet\nbrand-new,b/n,x,New\n").unwrap();
    let changes = json!({ "changes": [{ "uri": common::uri(&catalog), "type": 2 }] });
    client.notify("workspace/didChangeWatchedFiles", changes);
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    assert!(client.shutdown());
}

#[test]
fn included_csv_problems_are_published_on_the_csv() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/csv_problem.cohort");
    let spec =
        std::fs::read_to_string(fixtures_dir().join("cohorts/diagnostics_csv.cohort")).unwrap().replace("$0", "");
    let spec_uri = client.open(&path, &spec);
    let csv_uri = uri(&fixtures_dir().join("cohorts/items/broken_pairs.csv"));
    assert_eq!(codes(&client.diagnostics(&csv_uri)), vec!["E0306"]);
    // Fixing the include clears the CSV's diagnostics.
    let params = json!({
        "textDocument": { "uri": spec_uri, "version": 2 },
        "contentChanges": [{ "text": spec.replace("broken_pairs", "evaluation_pairs") }],
    });
    client.notify("textDocument/didChange", params);
    assert_eq!(client.diagnostics(&csv_uri), json!([]));
    assert!(client.shutdown());
}

#[test]
fn rename_rejects_invalid_names() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/rename.cohort");
    let uri = client.open(&path, SPEC);
    let params = json!({ "textDocument": { "uri": uri }, "position": pos(1, 7), "newName": "not-a-name" });
    let response = client.request("textDocument/rename", params);
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert!(client.shutdown());
}

#[test]
fn rejected_input_is_answered_with_its_code_and_id() {
    let mut client = Client::initialized(json!({}));
    client.send_raw(r#"{"jsonrpc":"1.0","id":41,"method":"textDocument/hover"}"#);
    let answer = client.read_until(|m| m["id"] == 41);
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    client.send_raw("[]");
    let answer = client.read_until(|m| m.get("id") == Some(&Value::Null));
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    client.send_raw("{ not json");
    let answer = client.read_until(|m| m.get("id") == Some(&Value::Null));
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    // The stand-in method sent by a client: a notification gets no answer, a request a generic
    // parse error.
    client.send_raw(r#"{"jsonrpc":"2.0","method":"dslc/rejected"}"#);
    client.send_raw(r#"{"jsonrpc":"2.0","id":42,"method":"dslc/rejected"}"#);
    let answer = client.read_until(|m| m.get("id").is_some());
    assert_eq!((&answer["id"], &answer["error"]["code"]), (&json!(42), &json!(-32700)), "{answer}");
    assert!(client.shutdown());
}

#[test]
fn a_storm_of_changes_is_checked_once_per_batch() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/storm.cohort");
    let uri = client.open(&path, SPEC);
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    // 1,000 full-text changes, written before the server reads any of them; only the last one
    // has an unknown ID.
    let mut frames = String::new();
    for version in 2..=1001 {
        let id = if version == 1001 { "final-typo" } else { "gpt-4.1" };
        let text = format!("cohort c\naxis draft_llm = [sonnet-4, {id}]\n# {version}\n");
        let body = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": { "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] },
        })
        .to_string();
        frames.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    }
    client.send_frames(&frames);
    let symbols = client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }));
    assert!(symbols.get("result").is_some(), "{symbols}");
    // Notifications and responses are written in no fixed order, so wait for the final version.
    let is_final = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1001;
    if !client.notifications.iter().any(is_final) {
        let last = client.read_until(is_final);
        client.notifications.push(last);
    }
    let published: Vec<Value> = client
        .notifications
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .map(|m| m["params"].clone())
        .collect();
    eprintln!("{} diagnostics sets published for 1,000 changes", published.len());
    assert!(!published.is_empty() && published.len() <= 50, "{} diagnostics sets published", published.len());
    let last = published.last().unwrap();
    assert_eq!(last["version"], 1001, "{last}");
    assert_eq!(codes(&last["diagnostics"]), vec!["E0501"], "{last}");
    let unknown = last["diagnostics"].as_array().unwrap().iter().find(|d| d["code"] == "E0501").unwrap();
    assert!(unknown["message"].as_str().unwrap().contains("final-typo"), "{last}");
    // Every set published on the way is for a version that had been read, in order.
    let versions: Vec<i64> = published.iter().map(|p| p["version"].as_i64().unwrap()).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(client.shutdown());
}

#[test]
fn debouncing_never_hides_the_latest_change() {
    let mut client = Client::initialized(json!({}));
    let path = fixtures_dir().join("cohorts/debounce.cohort");
    let uri = client.open(&path, SPEC);
    client.diagnostics(&uri);
    // A change tower-lsp cannot decode is never handled; the next one still publishes.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 50 }, "contentChanges": 5 }),
    );
    // A version beyond i32 is not noted (and tower-lsp drops the change).
    client.notify("textDocument/didChange", change(&uri, 51, pos(1, 34), pos(1, 35), "7"));
    let params = change(&uri, 0, pos(1, 34), pos(1, 35), "1");
    let mut too_big = params.clone();
    too_big["textDocument"]["version"] = json!(1u64 << 40);
    client.notify("textDocument/didChange", too_big);
    assert_eq!(codes(&client.diagnostics(&uri)), vec!["E0501"]);
    let mut unparsable = params;
    unparsable["textDocument"]["uri"] = json!("not a uri");
    client.notify("textDocument/didChange", unparsable);
    client.notify("textDocument/didChange", change(&uri, 52, pos(1, 34), pos(1, 35), "1"));
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    // A newer change that cannot be decoded, read right behind a valid one, does not make the
    // valid one skip its publishing.
    let valid = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
        "params": change(&uri, 60, pos(1, 34), pos(1, 35), "7") })
    .to_string();
    let broken = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange",
        "params": { "textDocument": { "uri": uri, "version": 61 }, "contentChanges": 5 } })
    .to_string();
    client.send_frames(&format!(
        "Content-Length: {}\r\n\r\n{valid}Content-Length: {}\r\n\r\n{broken}",
        valid.len(),
        broken.len()
    ));
    assert_eq!(codes(&client.diagnostics(&uri)), vec!["E0501"]);
    client.notify("textDocument/didChange", change(&uri, 62, pos(1, 34), pos(1, 35), "1"));
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    // Versions start again when a document is reopened.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    assert_eq!(client.diagnostics(&uri), json!([]));
    client.open(&path, SPEC);
    assert_eq!(codes(&client.diagnostics(&uri)), Vec::<String>::new());
    client.notify("textDocument/didChange", change(&uri, 2, pos(1, 34), pos(1, 35), "7"));
    assert_eq!(codes(&client.diagnostics(&uri)), vec!["E0501"]);
    assert!(client.shutdown());
}

/// A project whose spec names files outside its root, directly and through symlinks.
fn escaping_project() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::canonicalize(dir.path()).unwrap();
    let root = base.join("proj");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("dslc.toml"), "").unwrap();
    std::fs::write(base.join("outside.csv"), "id,secret\nx,1\n").unwrap();
    std::fs::write(root.join("inside.csv"), "id,name\na,b\n").unwrap();
    std::os::unix::fs::symlink(&base, root.join("up")).unwrap();
    std::os::unix::fs::symlink(base.join("outside.csv"), root.join("evil.csv")).unwrap();
    let outside = base.join("outside.csv");
    let spec = format!(
        "axis a = file(\"../outside.csv\")\naxis b = file(\"inside.csv\")\naxis c = file(\"up/outside.csv\")\n\
         axis d = file(\"evil.csv\")\naxis e = file(\"{}\")\n",
        outside.display()
    );
    (dir, root, spec)
}

#[test]
fn hover_and_definition_stay_inside_the_project_root() {
    let (_dir, root, spec) = escaping_project();
    let mut client = Client::initialized(json!({}));
    let uri = client.open(&root.join("spec.cohort"), &spec);
    let at = |line| json!({ "textDocument": { "uri": uri }, "position": pos(line, 17) });
    // Line 1 is inside the root: the control that hover and definition work at all.
    let hover = client.request("textDocument/hover", at(1));
    let shown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
    assert!(shown.contains("columns: id, name"), "{hover}");
    let definition = client.request("textDocument/definition", at(1));
    assert_eq!(definition["result"]["uri"], common::uri(&root.join("inside.csv")), "{definition}");
    for line in [0, 2, 3, 4] {
        let hover = client.request("textDocument/hover", at(line));
        assert_eq!(hover["result"], Value::Null, "line {line}: {hover}");
        assert!(!hover.to_string().contains("secret"), "{hover}");
        let definition = client.request("textDocument/definition", at(line));
        assert_eq!(definition["result"], Value::Null, "line {line}: {definition}");
    }
    assert!(client.shutdown());
}

#[test]
fn path_completion_stays_inside_the_project_root() {
    let (_dir, root, _) = escaping_project();
    let mut client = Client::initialized(json!({}));
    let path = root.join("sub/spec.cohort");
    let typed = ["", "../", "/", "../../", "../up/", "./../", "../sub/../"];
    let text: String = typed.iter().map(|t| format!("axis x = file(\"{t}\")\n")).collect();
    let uri = client.open(&path, &text);
    let mut labels = Vec::new();
    for (line, t) in typed.iter().enumerate() {
        let at = json!({ "textDocument": { "uri": uri }, "position": pos(line as u32, 15 + t.len() as u32) });
        let response = client.request("textDocument/completion", at);
        let items = match &response["result"] {
            Value::Array(items) => items.clone(),
            Value::Object(list) => list["items"].as_array().cloned().unwrap_or_default(),
            _ => Vec::new(),
        };
        labels.push(items.iter().map(|i| i["label"].as_str().unwrap().to_string()).collect::<Vec<_>>());
    }
    let root_listing = vec!["inside.csv".to_string(), "sub/".to_string()];
    assert_eq!(labels[0], Vec::<String>::new(), "sub/ is empty");
    assert_eq!(labels[1], root_listing, "the root, without the symlinks that leave it");
    assert_eq!(labels[2], Vec::<String>::new(), "/");
    assert_eq!(labels[3], Vec::<String>::new(), "the root's parent");
    assert_eq!(labels[4], Vec::<String>::new(), "through a symlink out");
    assert_eq!(labels[5], root_listing);
    assert_eq!(labels[6], root_listing);
    assert!(client.shutdown());
}

#[test]
fn workspace_symbols_folding_and_prepare_rename() {
    let mut client = Client::initialized(json!({}));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.cohort");
    let text = "# one\n# two\ncohort c\naxis style = [\n  plain,\n  bold,\n]\ntie look (style, style)\n";
    let uri = client.open(&path, text);
    let hover = client.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": pos(3, 6) }));
    assert!(hover["result"]["contents"]["value"].as_str().unwrap().starts_with("**axis** `style`"));

    // A spec of the same project that is not open is searched too, one in a hidden directory not.
    std::fs::write(dir.path().join("other.cohort"), "cohort o\naxis loom = [x]\n").unwrap();
    std::fs::create_dir(dir.path().join(".hidden")).unwrap();
    std::fs::write(dir.path().join(".hidden/h.cohort"), "cohort h\naxis looks = [x]\n").unwrap();
    let symbols = client.request("workspace/symbol", json!({ "query": "LOO" }));
    let names: Vec<&str> = symbols["result"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["loom", "look"], "{symbols}");
    assert!(symbols["result"][0]["location"]["uri"].as_str().unwrap().ends_with("/other.cohort"), "{symbols}");

    let folds = client.request("textDocument/foldingRange", json!({ "textDocument": { "uri": uri } }));
    let lines: Vec<(u64, u64)> = folds["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["startLine"].as_u64().unwrap(), f["endLine"].as_u64().unwrap()))
        .collect();
    assert_eq!(lines, [(0, 1), (3, 6)], "{folds}");

    let prepared =
        client.request("textDocument/prepareRename", json!({ "textDocument": { "uri": uri }, "position": pos(7, 5) }));
    assert_eq!(prepared["result"], json!({ "start": pos(7, 4), "end": pos(7, 8) }), "{prepared}");
    assert!(client.shutdown());
}

#[test]
fn formatting_answers_with_edits_to_the_canonical_layout() {
    let mut client = Client::start();
    let response = client.request("initialize", json!({ "capabilities": {} }));
    assert_eq!(response["result"]["capabilities"]["documentFormattingProvider"], true, "{response}");
    assert_eq!(response["result"]["capabilities"]["documentRangeFormattingProvider"], true, "{response}");
    client.notify("initialized", json!({}));

    let path = fixtures_dir().join("cohorts/format.cohort");
    let messy = "axis  a=[x]\naxis bb = [\"é\"]\ntie t(a,bb)\n";
    let uri = client.open(&path, messy);
    let options = json!({ "tabSize": 2, "insertSpaces": true });
    let response =
        client.request("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options }));
    let edits = response["result"].as_array().unwrap_or_else(|| panic!("{response}")).clone();
    assert_eq!(edits.len(), 2, "{response}");
    assert_eq!(edits[0]["range"], json!({ "start": pos(0, 0), "end": pos(1, 0) }), "{response}");
    assert_eq!(edits[0]["newText"], "axis a  = [x]\n");
    assert_eq!(edits[1]["range"], json!({ "start": pos(2, 0), "end": pos(3, 0) }), "{response}");
    assert_eq!(edits[1]["newText"], "\ntie t (a, bb)\n");

    let range = json!({ "start": pos(2, 1), "end": pos(2, 3) });
    let response = client.request(
        "textDocument/rangeFormatting",
        json!({ "textDocument": { "uri": uri }, "range": range, "options": options }),
    );
    assert_eq!(response["result"], json!([edits[1]]), "only the tie's line: {response}");

    client.notify("textDocument/didChange", change(&uri, 2, pos(0, 0), pos(0, 0), "axis = [\n"));
    let response =
        client.request("textDocument/formatting", json!({ "textDocument": { "uri": uri }, "options": options }));
    assert_eq!(response["result"], json!([]), "a spec with syntax errors is left alone: {response}");
    assert!(client.shutdown());
}
