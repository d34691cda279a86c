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
