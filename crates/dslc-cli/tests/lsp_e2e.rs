//! End to end: the real `dslc lsp` binary over stdio, as an editor drives it: initialize, open
//! the example spec (with non-ASCII text before the cursor), diagnostics, completion, an edit,
//! diagnostics again, shutdown and exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

struct Server {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dslc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dslc lsp");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, messages) = mpsc::channel();
        // A reader thread, so that a silent server fails the test by timeout instead of hanging it.
        std::thread::spawn(move || loop {
            let mut length = 0;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Server { child, stdin, messages, next_id: 1 }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(20)).expect("a message from the server within 20 s")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(message);
        loop {
            let message = self.next();
            if message["id"] == id && message.get("method").is_none() {
                return message;
            }
        }
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.next();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

#[test]
fn lsp_session_over_stdio() {
    let spec =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/project/data/cohorts/pilot-2026-01/spec.cohort");
    let spec = std::fs::canonicalize(spec).unwrap();
    let uri = format!("file://{}", spec.display());
    let original = std::fs::read_to_string(&spec).unwrap();
    let subset = "subset draft_template = [creative-synthesis-v2, gwern_original]";
    assert!(original.contains(subset));
    // Non-ASCII text (a two-unit emoji in UTF-16) before a misspelt template ID.
    let edited_line = "subset draft_template = [creative-synthesis-v2, \"ü😀\", gwern_orignal]";
    let text = original.replace(subset, edited_line);
    let line = text.lines().position(|l| l == edited_line).unwrap() as u32;
    let word_start = utf16_len(&edited_line[..edited_line.find("gwern_orignal").unwrap()]) as u32;
    let word_end = word_start + "gwern_orignal".len() as u32;

    let mut server = Server::start();
    let init = server.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16", "{init}");
    server.notify("initialized", json!({}));
    let document = json!({ "uri": uri, "languageId": "cohort", "version": 1, "text": text });
    server.notify("textDocument/didOpen", json!({ "textDocument": document }));

    let diagnostics = server.diagnostics(&uri);
    let typo = diagnostics
        .iter()
        .find(|d| d["code"] == "E0501" && d["range"]["start"]["character"] == word_start)
        .unwrap_or_else(|| panic!("E0501 at column {word_start}: {diagnostics:?}"));
    assert_eq!(typo["range"]["start"]["line"], line);
    assert_eq!(typo["data"]["suggestions"][0], "gwern_original");

    // Completion in the middle of the misspelt word replaces all of it.
    let at = json!({ "line": line, "character": word_start + 5 });
    let completion =
        server.request("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": at }));
    let items = completion["result"]["items"].as_array().expect("completion items");
    let item = items.iter().find(|i| i["label"] == "gwern_original").expect("gwern_original offered");
    assert_eq!(item["textEdit"]["range"]["start"]["character"], word_start);
    assert_eq!(item["textEdit"]["range"]["end"]["character"], word_end);
    assert!(items.iter().any(|i| i["label"] == "application-implementation-v2"));

    // Apply the fix as an incremental edit; the unknown-ID error goes away.
    let range =
        json!({ "start": { "line": line, "character": word_start }, "end": { "line": line, "character": word_end } });
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": range, "text": "gwern_original" }],
        }),
    );
    let diagnostics = server.diagnostics(&uri);
    assert!(
        !diagnostics
            .iter()
            .any(|d| d["range"]["start"]["character"] == word_start && d["range"]["start"]["line"] == line),
        "{diagnostics:?}"
    );

    let shutdown = server.request("shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null, "{shutdown}");
    server.notify("exit", Value::Null);
    drop(server.stdin);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status}");
}
