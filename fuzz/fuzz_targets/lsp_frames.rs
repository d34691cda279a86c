//! Fuzz target: the language server's framer (`dslc_lsp::framing::Framer`) on arbitrary bytes.
//!
//! Invariants: no panic; the bytes kept pending never exceed `max_pending`; the frames do not
//! depend on how the stream is cut into reads (the first input byte picks a chunk size); every
//! emitted message is `Content-Length: N\r\n\r\n` followed by exactly N bytes of a JSON-RPC 2.0
//! object; every rejection carries one of the two JSON-RPC error codes.

#![no_main]

use dslc_lsp::framing::{Frame, Framer, INVALID_REQUEST, PARSE_ERROR};
use libfuzzer_sys::fuzz_target;

/// A small body limit, so the fuzzer reaches the over-limit paths with small inputs.
const MAX_BODY: usize = 1024;

fn frames(bytes: &[u8], chunk: usize) -> Vec<Frame> {
    let mut framer = Framer::with_max_body(MAX_BODY);
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk.max(1)) {
        out.extend(framer.push(piece));
        assert!(framer.pending() <= framer.max_pending(), "{} bytes pending", framer.pending());
    }
    out.extend(framer.finish());
    out
}

fn check_frame(frame: &Frame) {
    match frame {
        Frame::Message(message) => {
            let text = std::str::from_utf8(message).expect("a message is UTF-8");
            let (header, body) = text.split_once("\r\n\r\n").expect("a message has a header block");
            let length: usize = header
                .strip_prefix("Content-Length: ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("bad header {header:?}"));
            assert_eq!(length, body.len(), "Content-Length disagrees with the body");
            let value: serde_json::Value = serde_json::from_str(body).expect("a message body is JSON");
            assert_eq!(value.get("jsonrpc").and_then(|v| v.as_str()), Some("2.0"), "{body}");
        }
        Frame::Rejected(rejection) => {
            assert!(rejection.code == PARSE_ERROR || rejection.code == INVALID_REQUEST, "{rejection:?}");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, stream)) = data.split_first() else { return };
    let whole = frames(stream, stream.len());
    for frame in &whole {
        check_frame(frame);
    }
    let chunked = frames(stream, usize::from(chunk % 17) + 1);
    assert_eq!(whole, chunked, "frames depend on how the input was split");
});
