//! End to end: the real `dslc lsp` binary over stdio, as an editor drives it: initialize, open
//! the example spec (with non-ASCII text before the cursor), diagnostics, completion, an edit,
//! diagnostics again, shutdown and exit.

use std::path::Path;

use dslc_lsp::client::Client;

mod common;
use serde_json::json;

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

#[test]
fn lsp_session_over_stdio() {
    let common::Pilot { uri, text: original, subset } = common::pilot();
    // Non-ASCII text (a two-unit emoji in UTF-16) before a misspelt template ID.
    let edited_line = "subset draft_template = [creative-synthesis-v2, \"ü😀\", gwern_orignal]";
    let text = original.replace(subset, edited_line);
    let line = text.lines().position(|l| l == edited_line).unwrap() as u32;
    let word_start = utf16_len(&edited_line[..edited_line.find("gwern_orignal").unwrap()]) as u32;
    let word_end = word_start + "gwern_orignal".len() as u32;

    let mut server = Client::spawn(Path::new(env!("CARGO_BIN_EXE_dslc"))).expect("spawn dslc lsp");
    let init = server.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} })).unwrap();
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16", "{init}");
    server.notify("initialized", json!({})).unwrap();
    let document = json!({ "uri": uri, "languageId": "cohort", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).unwrap();

    let diagnostics = server.diagnostics(&uri).expect("diagnostics within the timeout");
    let typo = diagnostics
        .iter()
        .find(|d| d["code"] == "E0501" && d["range"]["start"]["character"] == word_start)
        .unwrap_or_else(|| panic!("E0501 at column {word_start}: {diagnostics:?}"));
    assert_eq!(typo["range"]["start"]["line"], line);
    assert_eq!(typo["data"]["suggestions"][0], "gwern_original");

    // Completion in the middle of the misspelt word replaces all of it.
    let at = json!({ "line": line, "character": word_start + 5 });
    let completion = server
        .request("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": at }))
        .expect("a completion response");
    let items = completion["result"]["items"].as_array().expect("completion items");
    let item = items.iter().find(|i| i["label"] == "gwern_original").expect("gwern_original offered");
    assert_eq!(item["textEdit"]["range"]["start"]["character"], word_start);
    assert_eq!(item["textEdit"]["range"]["end"]["character"], word_end);
    assert!(items.iter().any(|i| i["label"] == "application-implementation-v2"));

    // Apply the fix as an incremental edit; the unknown-ID error goes away.
    let range =
        json!({ "start": { "line": line, "character": word_start }, "end": { "line": line, "character": word_end } });
    server
        .notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": range, "text": "gwern_original" }],
            }),
        )
        .unwrap();
    let diagnostics = server.diagnostics(&uri).expect("diagnostics within the timeout");
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["range"]["start"]["character"] == word_start && d["range"]["start"]["line"] == line),
        "{diagnostics:?}"
    );

    let status = server.shutdown().unwrap();
    assert!(status.success(), "{status}");
}

/// A client without dynamic file watching: an included file changed on disk shows in the
/// diagnostics published after the next save, and after the next edit.
#[test]
fn included_file_changed_on_disk_shows_after_save_and_edit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("dslc.toml"), "").unwrap();
    std::fs::write(root.join("styles.txt"), "plain\nbold\n").unwrap();
    let spec = root.join("spec.cohort");
    let text = "cohort c\naxis style = file(\"styles.txt\")\nsubset style = [bold]\n";
    std::fs::write(&spec, text).unwrap();
    let uri = format!("file://{}", spec.display());
    let codes = |diagnostics: &[serde_json::Value]| -> Vec<String> {
        diagnostics
            .iter()
            .filter(|d| d["severity"] == 1)
            .map(|d| d["code"].as_str().unwrap_or("").to_string())
            .collect()
    };

    let mut server = Client::spawn(Path::new(env!("CARGO_BIN_EXE_dslc"))).expect("spawn dslc lsp");
    server.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} })).unwrap();
    server.notify("initialized", json!({})).unwrap();
    let document = json!({ "uri": uri, "languageId": "cohort", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).unwrap();
    assert_eq!(codes(&server.diagnostics(&uri).unwrap()), Vec::<String>::new());

    // `bold` leaves the included file: the subset now leaves the axis empty.
    std::fs::write(root.join("styles.txt"), "plain\n").unwrap();
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": uri } })).unwrap();
    assert_eq!(codes(&server.diagnostics(&uri).unwrap()), ["E0201"]);

    // Back on disk, and an edit (a comment) re-checks with the restored file.
    std::fs::write(root.join("styles.txt"), "plain\nbold\nitalic\n").unwrap();
    let change = json!({
        "textDocument": { "uri": uri, "version": 2 },
        "contentChanges": [{ "text": format!("{text}# edited\n") }],
    });
    server.notify("textDocument/didChange", change).unwrap();
    assert_eq!(codes(&server.diagnostics(&uri).unwrap()), Vec::<String>::new());

    // A stage field cannot be renamed; the refusal says why.
    let pilot = common::pilot();
    let document = json!({ "uri": pilot.uri, "languageId": "cohort", "version": 1, "text": pilot.text });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).unwrap();
    let line = pilot.text.lines().position(|l| l.starts_with("axis draft_template")).unwrap();
    let at = json!({ "textDocument": { "uri": pilot.uri }, "position": { "line": line, "character": 6 } });
    let refused = server.request("textDocument/prepareRename", at).unwrap();
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("renaming a stage field changes what the spec means"), "{refused}");

    let status = server.shutdown().unwrap();
    assert!(status.success(), "{status}");
}

/// Format Document through the real binary: the edits of the changed lines, and the spec they
/// give is what `dslc fmt` writes.
#[test]
fn formatting_over_stdio_gives_the_fmt_layout() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().canonicalize().unwrap().join("spec.cohort");
    let text = "axis a = [\"ü😀\", x]  # 😀\naxis  b=[y]\ntie t(a,b)\n";
    let uri = format!("file://{}", spec.display());
    let mut server = Client::spawn(Path::new(env!("CARGO_BIN_EXE_dslc"))).expect("spawn dslc lsp");
    let init = server.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} })).unwrap();
    assert_eq!(init["result"]["capabilities"]["documentFormattingProvider"], true, "{init}");
    server.notify("initialized", json!({})).unwrap();
    let document = json!({ "uri": uri, "languageId": "cohort", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).unwrap();
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 4, "insertSpaces": true } });
    let response = server.request("textDocument/formatting", params).unwrap();
    let edits = response["result"].as_array().unwrap_or_else(|| panic!("{response}"));
    assert_eq!(edits.len(), 1, "{response}");
    let range = json!({ "start": { "line": 1, "character": 0 }, "end": { "line": 3, "character": 0 } });
    assert_eq!(edits[0]["range"], range, "{response}");
    let formatted = dslc_syntax::format(text).unwrap();
    assert_eq!(format!("{}{}", text.lines().next().unwrap(), "\n") + edits[0]["newText"].as_str().unwrap(), formatted);
    let status = server.shutdown().unwrap();
    assert!(status.success(), "{status}");
}
