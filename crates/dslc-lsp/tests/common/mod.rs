//! An in-process LSP client for tests: the real server (`dslc_lsp::serve`) on in-memory pipes,
//! speaking framed JSON-RPC exactly as an editor would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::runtime::Runtime;

pub(crate) struct Client {
    runtime: Runtime,
    to_server: DuplexStream,
    from_server: BufReader<DuplexStream>,
    next_id: i64,
    /// Notifications received and not yet taken, in arrival order.
    pub notifications: Vec<Value>,
    /// Requests the server sent to the client (all answered with `null`).
    pub server_requests: Vec<Value>,
    server: Option<tokio::task::JoinHandle<bool>>,
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/project")
}

pub(crate) fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

impl Client {
    /// Starts a server without initializing it.
    pub(crate) fn start() -> Client {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let (to_server, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, from_server) = tokio::io::duplex(1 << 20);
        let server = runtime.spawn(dslc_lsp::serve(server_in, server_out));
        Client {
            runtime,
            to_server,
            from_server: BufReader::new(from_server),
            next_id: 1,
            notifications: Vec::new(),
            server_requests: Vec::new(),
            server: Some(server),
        }
    }

    /// Starts and initializes a server with the given client capabilities.
    pub(crate) fn initialized(capabilities: Value) -> Client {
        let mut client = Client::start();
        let response = client.request("initialize", json!({ "capabilities": capabilities }));
        assert!(response.get("result").is_some(), "initialize failed: {response}");
        client.notify("initialized", json!({}));
        client
    }

    pub(crate) fn send_raw(&mut self, body: &str) {
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        self.runtime.block_on(async {
            self.to_server.write_all(frame.as_bytes()).await.expect("write to server");
        });
    }

    /// Writes already framed bytes in one go.
    pub(crate) fn send_frames(&mut self, frames: &str) {
        self.runtime.block_on(async {
            self.to_server.write_all(frames.as_bytes()).await.expect("write to server");
        });
    }

    fn send(&mut self, message: Value) {
        self.send_raw(&message.to_string());
    }

    pub(crate) fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub(crate) fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(message);
        self.read_until(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// Reads messages until one matches, keeping notifications and answering server requests.
    pub(crate) fn read_until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self.read();
            if wanted(&message) {
                return message;
            }
            if message.get("method").is_some() && message.get("id").is_some() {
                // A request from the server (e.g. client/registerCapability): accept it.
                let reply = json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                self.send(reply);
                self.server_requests.push(message);
            } else if message.get("method").is_some() {
                self.notifications.push(message);
            }
        }
    }

    fn read(&mut self) -> Value {
        self.runtime.block_on(async {
            let mut length = None;
            loop {
                let mut line = String::new();
                let n = self.from_server.read_line(&mut line).await.expect("read header");
                assert!(n > 0, "server closed its output");
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(value) = line.strip_prefix("Content-Length:") {
                    length = Some(value.trim().parse::<usize>().expect("length"));
                }
            }
            let mut body = vec![0; length.expect("Content-Length header")];
            self.from_server.read_exact(&mut body).await.expect("read body");
            serde_json::from_slice(&body).expect("JSON body")
        })
    }

    /// Waits for the next diagnostics published for `uri` (earlier ones are skipped).
    pub(crate) fn diagnostics(&mut self, uri: &str) -> Value {
        let is_it = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        if let Some(i) = self.notifications.iter().position(is_it) {
            return self.notifications.remove(i)["params"]["diagnostics"].clone();
        }
        self.read_until(is_it)["params"]["diagnostics"].clone()
    }

    pub(crate) fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        let document = json!({ "uri": uri, "languageId": "cohort", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document }));
        uri
    }

    /// Sends `exit` (without `shutdown`) and returns the server's clean-exit flag.
    pub(crate) fn exit(mut self) -> bool {
        self.notify("exit", Value::Null);
        let server = self.server.take().expect("server task");
        self.runtime.block_on(server).expect("server task finished")
    }

    /// `shutdown` then `exit`; returns the server's clean-exit flag.
    pub(crate) fn shutdown(mut self) -> bool {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        let server = self.server.take().expect("server task");
        self.runtime.block_on(server).expect("server task finished")
    }
}
