//! Keeps the server alive after a message whose body is not JSON. tower-lsp's framed reader
//! stops for good after its first decoding error, so this reader checks each body first and
//! swaps an unparsable one for a request that the server answers with an error (id `null`).

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

/// What replaces an unparsable body: an unknown request, answered "method not found".
const REPLACEMENT: &[u8] = br#"{"jsonrpc":"2.0","id":null,"method":"dslc/invalidJson"}"#;

pub struct Resync<R> {
    inner: R,
    /// Bytes read but not yet checked (the start of an incomplete message).
    pending: Vec<u8>,
    /// Checked bytes ready for the reader.
    ready: VecDeque<u8>,
    eof: bool,
}

impl<R> Resync<R> {
    pub fn new(inner: R) -> Self {
        Resync { inner, pending: Vec::new(), ready: VecDeque::new(), eof: false }
    }

    /// Moves every complete message from `pending` to `ready`, replacing bodies that are not JSON.
    fn check_messages(&mut self) {
        loop {
            let Some(header_end) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") else { return };
            let header = String::from_utf8_lossy(&self.pending[..header_end]).to_string();
            let length = header.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim().eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok())?
            });
            let Some(length) = length else {
                // Not a header we understand: pass it on and let the decoder report it.
                self.ready.extend(self.pending.drain(..header_end + 4));
                continue;
            };
            let body_start = header_end + 4;
            if self.pending.len() < body_start + length {
                return;
            }
            let message: Vec<u8> = self.pending.drain(..body_start + length).collect();
            let body = &message[body_start..];
            if serde_json::from_slice::<serde_json::Value>(body).is_ok() {
                self.ready.extend(message);
            } else {
                eprintln!("dslc lsp: ignored a message whose body is not JSON");
                self.ready.extend(format!("Content-Length: {}\r\n\r\n", REPLACEMENT.len()).as_bytes());
                self.ready.extend(REPLACEMENT);
            }
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for Resync<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        while this.ready.is_empty() {
            if this.eof {
                // Whatever is left is an incomplete message; hand it over as it is.
                this.ready.extend(this.pending.drain(..));
                if this.ready.is_empty() {
                    return Poll::Ready(Ok(()));
                }
                break;
            }
            let mut chunk = [0u8; 8192];
            let mut chunk_buf = ReadBuf::new(&mut chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut chunk_buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    let filled = chunk_buf.filled();
                    if filled.is_empty() {
                        this.eof = true;
                    } else {
                        this.pending.extend_from_slice(filled);
                        this.check_messages();
                    }
                }
            }
        }
        let n = buf.remaining().min(this.ready.len());
        let bytes: Vec<u8> = this.ready.drain(..n).collect();
        buf.put_slice(&bytes);
        Poll::Ready(Ok(()))
    }
}
