//! The async reader between stdin and tower-lsp. tower-lsp's framed reader stops for good after
//! its first decoding error, so every byte goes through the [`Framer`] first: tower-lsp only ever
//! sees valid frames, and input the framer rejects becomes a request for [`REJECTED`], which the
//! server answers with the rejection's error and id.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde_json::json;
use tokio::io::{AsyncRead, ReadBuf};

use crate::framing::{Frame, Framer, Rejection};

/// The method of the stand-in request for rejected input (see `server::WatchExit`). Not `$/…`:
/// tower-lsp never answers unknown `$/` requests.
pub(crate) const REJECTED: &str = "dslc/rejected";

pub(crate) struct Resync<R> {
    inner: R,
    framer: Framer,
    /// Framed messages ready for tower-lsp.
    ready: VecDeque<u8>,
    eof: bool,
}

impl<R> Resync<R> {
    pub(crate) fn new(inner: R) -> Self {
        Resync { inner, framer: Framer::new(), ready: VecDeque::new(), eof: false }
    }

    fn queue(&mut self, frame: Frame) {
        match frame {
            Frame::Message(bytes) => self.ready.extend(bytes),
            Frame::Rejected(rejection) => {
                eprintln!("dslc lsp: rejected input: {}", rejection.message);
                self.ready.extend(stand_in(&rejection));
            }
        }
    }
}

/// A framed request that makes the server answer with `rejection`.
fn stand_in(rejection: &Rejection) -> Vec<u8> {
    let params = json!({ "code": rejection.code, "message": rejection.message });
    let body = json!({ "jsonrpc": "2.0", "id": rejection.id, "method": REJECTED, "params": params }).to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

impl<R: AsyncRead + Unpin> AsyncRead for Resync<R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        while this.ready.is_empty() {
            if this.eof {
                return Poll::Ready(Ok(()));
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
                        if let Some(frame) = this.framer.finish() {
                            this.queue(frame);
                        }
                    } else {
                        for frame in this.framer.push(filled) {
                            this.queue(frame);
                        }
                    }
                }
            }
        }
        let n = buf.remaining().min(this.ready.len());
        let (front, back) = this.ready.as_slices();
        let from_front = n.min(front.len());
        buf.put_slice(&front[..from_front]);
        buf.put_slice(&back[..n - from_front]);
        this.ready.drain(..n);
        Poll::Ready(Ok(()))
    }
}
