//! A small JSON-RPC client that drives a `dslc lsp` process over stdio, for the end-to-end test
//! and the benchmark: framing, request ids, and replies to the server's own requests.

use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

/// A running `dslc lsp` and the messages it sent that nobody has read yet.
pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
    /// How long to wait for any one message before giving up.
    pub timeout: Duration,
}

/// Reads one `Content-Length` framed message; `None` at end of stream or on a broken frame.
fn read_message(stdout: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse().ok();
        }
    }
    let mut body = vec![0; length?];
    stdout.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    /// Starts `binary lsp`. Messages are read on a thread, so a silent server makes callers
    /// time out instead of hanging.
    pub fn spawn(binary: &Path) -> io::Result<Client> {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().ok_or_else(|| io::Error::other("no stdout"))?);
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            while let Some(message) = read_message(&mut stdout) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Ok(Client { child, stdin, messages, next_id: 1, timeout: Duration::from_secs(20) })
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    fn send(&mut self, message: &Value) -> io::Result<()> {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes())
    }

    /// Writes bytes as they are, framed or not (for robustness tests).
    pub fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stdin = self.stdin.as_mut().ok_or_else(|| io::Error::other("stdin already closed"))?;
        stdin.write_all(bytes)?;
        stdin.flush()
    }

    /// The next message from the server, whatever it is; `None` on timeout or a closed stream.
    pub fn next_message(&mut self) -> Option<Value> {
        self.messages.recv_timeout(self.timeout).ok()
    }

    /// Closes the server's stdin: the end of its input.
    pub fn close_input(&mut self) {
        drop(self.stdin.take());
    }

    /// Closes the server's stdin and waits for the process to end.
    pub fn wait(mut self) -> io::Result<ExitStatus> {
        self.close_input();
        self.child.wait()
    }

    pub fn notify(&mut self, method: &str, params: Value) -> io::Result<()> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Reads messages until one satisfies `wanted`, accepting every request the server makes on
    /// the way (such as `client/registerCapability`). `None` on timeout or a closed stream.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Option<Value> {
        loop {
            let message = self.messages.recv_timeout(self.timeout).ok()?;
            if wanted(&message) {
                return Some(message);
            }
            if message.get("method").is_some() && message.get("id").is_some() {
                let reply = json!({ "jsonrpc": "2.0", "id": message["id"], "result": null });
                self.send(&reply).ok()?;
            }
        }
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Option<Value> {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method });
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message).ok()?;
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Option<Vec<Value>> {
        let message =
            self.wait_for(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)?;
        message["params"]["diagnostics"].as_array().cloned()
    }

    /// `shutdown`, then `exit`, then waits for the process.
    pub fn shutdown(mut self) -> io::Result<ExitStatus> {
        self.request("shutdown", Value::Null).ok_or_else(|| io::Error::other("no answer to shutdown"))?;
        self.notify("exit", Value::Null)?;
        drop(self.stdin.take());
        self.child.wait()
    }
}
