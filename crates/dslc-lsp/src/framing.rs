//! LSP base-protocol framing as a pure, synchronous state machine: bytes in, validated JSON-RPC
//! messages or rejections out. The async reader (`resync`) wraps it; fuzz targets call it directly.
//!
//! # Invariants
//!
//! - [`Framer::push`] and [`Framer::finish`] never panic, whatever the bytes.
//! - Memory is bounded: [`Framer::pending`] never exceeds [`Framer::max_pending`] (the body limit
//!   plus [`MAX_HEADER`]). A frame whose `Content-Length` exceeds the limit is rejected without
//!   reading its body into memory.
//! - Every byte pushed is either consumed (it belongs to a frame that was emitted or rejected, or
//!   to garbage that was skipped) or kept pending for the next push.
//! - Every [`Frame::Message`] is a JSON-RPC 2.0 request, notification or response that tower-lsp
//!   decodes without error, framed as `Content-Length: N\r\n\r\n` + body.
//!
//! # Recovery
//!
//! Header lines may end in CRLF or LF. A header block that cannot be used (no or a bad
//! `Content-Length`, a malformed line, longer than [`MAX_HEADER`]) is rejected once, and the framer
//! then skips bytes until the next `Content-Length` header; further garbage before that header is
//! skipped silently, so one burst of garbage gives one error. A body that is not JSON is rejected;
//! if it contains a `Content-Length` header (a body shorter than its declared length swallowed the
//! start of the next frame), reading resumes there.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Id, Request, Response};

/// The default limit on a message body: 64 MiB.
pub const DEFAULT_MAX_BODY: usize = 64 << 20;

/// The limit on a header block (all header lines and the blank line that ends them).
pub const MAX_HEADER: usize = 8 << 10;

/// JSON-RPC "Parse error": the bytes are not a usable frame or not JSON.
pub const PARSE_ERROR: i64 = -32700;

/// JSON-RPC "Invalid Request": the body is JSON but not a JSON-RPC 2.0 message.
pub const INVALID_REQUEST: i64 = -32600;

/// The header name that starts every frame, in lower case for case-insensitive matching.
const CONTENT_LENGTH: &[u8] = b"content-length";

/// What the framer produces.
#[derive(Clone, Debug, PartialEq)]
pub enum Frame {
    /// A complete, validated message, framed with a single `Content-Length` header.
    Message(Vec<u8>),
    /// Input that cannot be a message; the server answers it with this error.
    Rejected(Rejection),
}

/// An error answer for input that is not a valid message.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejection {
    /// The request's id when the body was a JSON object with a valid id, else `null`.
    pub id: Id,
    /// [`PARSE_ERROR`] or [`INVALID_REQUEST`].
    pub code: i64,
    pub message: String,
}

impl Rejection {
    fn parse(message: impl Into<String>) -> Self {
        Rejection { id: Id::Null, code: PARSE_ERROR, message: message.into() }
    }

    fn invalid(id: Id, message: impl Into<String>) -> Self {
        Rejection { id, code: INVALID_REQUEST, message: message.into() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Expecting a header block at the start of `buffer`.
    Header,
    /// Skipping garbage until the next `Content-Length` header; errors here are not reported.
    Resync,
    /// Expecting a body of this many bytes at the start of `buffer`.
    Body(usize),
}

/// Splits a byte stream into LSP messages. See the module documentation for the guarantees.
#[derive(Debug)]
pub struct Framer {
    buffer: Vec<u8>,
    state: State,
    max_body: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new()
    }
}

/// The outcome of reading a header block at the start of a buffer.
#[derive(Debug, PartialEq, Eq)]
enum Header {
    /// More bytes are needed to decide.
    Incomplete,
    /// Not a usable header block. `skip` bytes cannot start the next header: a well-formed line
    /// with a bad value, or a whole block without `Content-Length`. After a malformed line it is
    /// 1, because the next frame's header may follow garbage on the same line.
    Bad { message: String, skip: usize },
    /// A valid block of `size` bytes declaring a body of `length` bytes (`None`: does not fit u64).
    Complete { size: usize, length: Option<u64> },
}

impl Framer {
    /// A framer with the default body limit ([`DEFAULT_MAX_BODY`]).
    pub fn new() -> Self {
        Framer::with_max_body(DEFAULT_MAX_BODY)
    }

    /// A framer that rejects bodies longer than `max_body` bytes.
    pub fn with_max_body(max_body: usize) -> Self {
        Framer { buffer: Vec::new(), state: State::Header, max_body }
    }

    /// Bytes held for an incomplete frame.
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }

    /// The most bytes the framer ever holds.
    pub fn max_pending(&self) -> usize {
        self.max_body.saturating_add(MAX_HEADER)
    }

    /// Feeds bytes in and returns every frame they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Frame> {
        let mut out = Vec::new();
        let mut rest = bytes;
        loop {
            while self.step(&mut out) {}
            if rest.is_empty() {
                return out;
            }
            // Take only what the current state can use, so the buffer stays within its limit.
            let room = match self.state {
                State::Body(length) => length.saturating_sub(self.buffer.len()),
                State::Header | State::Resync => MAX_HEADER.saturating_sub(self.buffer.len()),
            };
            // `step` always makes progress on a full buffer; `max(1)` only guards against a stall.
            let take = room.max(1).min(rest.len());
            self.buffer.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
        }
    }

    /// Ends the input: an incomplete frame is rejected (garbage being skipped was reported).
    pub fn finish(&mut self) -> Option<Frame> {
        let state = std::mem::replace(&mut self.state, State::Header);
        let buffer = std::mem::take(&mut self.buffer);
        let only_blank_lines = buffer.iter().all(|b| matches!(b, b'\r' | b'\n'));
        match state {
            State::Resync => None,
            State::Header if only_blank_lines => None,
            State::Header => Some(Frame::Rejected(Rejection::parse("incomplete header at end of input"))),
            State::Body(length) => Some(Frame::Rejected(Rejection::parse(format!(
                "message truncated at end of input: {} of {length} bytes",
                buffer.len()
            )))),
        }
    }

    /// Makes one move on the buffered bytes; returns whether anything changed.
    fn step(&mut self, out: &mut Vec<Frame>) -> bool {
        match self.state {
            State::Header => {
                // Blank lines between messages are harmless.
                let blank = self.buffer.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
                if blank > 0 {
                    // A lone CR may start the CRLF of a line; keep it until the next byte shows.
                    let keep = usize::from(blank == self.buffer.len() && self.buffer[blank - 1] == b'\r');
                    if blank > keep {
                        self.buffer.drain(..blank - keep);
                        return true;
                    }
                    return false;
                }
                if self.buffer.is_empty() {
                    return false;
                }
                match read_header(&self.buffer) {
                    Header::Incomplete => false,
                    Header::Bad { message, skip } => {
                        out.push(Frame::Rejected(Rejection::parse(message)));
                        self.buffer.drain(..skip.max(1).min(self.buffer.len()));
                        self.state = State::Resync;
                        true
                    }
                    Header::Complete { size, length } => {
                        self.accept_header(size, length, out);
                        true
                    }
                }
            }
            State::Resync => {
                let Some(at) = find_content_length(&self.buffer) else {
                    // Keep a tail that may be the start of a header split across reads.
                    let keep = self.buffer.len().min(CONTENT_LENGTH.len() - 1);
                    let drop = self.buffer.len() - keep;
                    if drop == 0 {
                        return false;
                    }
                    self.buffer.drain(..drop);
                    return true;
                };
                if at > 0 {
                    self.buffer.drain(..at);
                    return true;
                }
                match read_header(&self.buffer) {
                    Header::Incomplete => false,
                    Header::Bad { skip, .. } => {
                        self.buffer.drain(..skip.max(1).min(self.buffer.len()));
                        true
                    }
                    Header::Complete { size, length } => {
                        self.accept_header(size, length, out);
                        true
                    }
                }
            }
            State::Body(length) => {
                if self.buffer.len() < length {
                    return false;
                }
                match validate(&self.buffer[..length]) {
                    Ok(message) => {
                        out.push(Frame::Message(message));
                        self.buffer.drain(..length);
                        self.state = State::Header;
                    }
                    Err(Invalid::Message(rejection)) => {
                        out.push(Frame::Rejected(rejection));
                        self.buffer.drain(..length);
                        self.state = State::Header;
                    }
                    Err(Invalid::NotJson(rejection)) => {
                        out.push(Frame::Rejected(rejection));
                        // A body shorter than declared swallows the next frame's header: resume there.
                        match self.buffer.get(1..length).and_then(find_content_length) {
                            Some(at) => {
                                self.buffer.drain(..at + 1);
                                self.state = State::Resync;
                            }
                            None => {
                                self.buffer.drain(..length);
                                self.state = State::Header;
                            }
                        }
                    }
                }
                true
            }
        }
    }

    /// Moves past a complete header block: on to its body, or past it if the body is too large.
    fn accept_header(&mut self, size: usize, length: Option<u64>, out: &mut Vec<Frame>) {
        self.buffer.drain(..size);
        match length.and_then(|n| usize::try_from(n).ok()).filter(|&n| n <= self.max_body) {
            Some(length) => self.state = State::Body(length),
            None => {
                let declared = length.map_or_else(|| "more than 2^64".to_string(), |n| n.to_string());
                out.push(Frame::Rejected(Rejection::parse(format!(
                    "message of {declared} bytes is larger than the limit of {} bytes; skipped",
                    self.max_body
                ))));
                // The body is not read: skipping to the next header keeps memory bounded and
                // does not trust a length that may be a mistake.
                self.state = State::Resync;
            }
        }
    }
}

/// Position of the first `Content-Length` (any case) in `bytes`.
fn find_content_length(bytes: &[u8]) -> Option<usize> {
    bytes.windows(CONTENT_LENGTH.len()).position(|w| w.eq_ignore_ascii_case(CONTENT_LENGTH))
}

/// Token characters of RFC 7230 header names.
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// The rejection for a byte that no header name has, before the line's first `:`.
fn bad_name_byte(line: &[u8]) -> Option<Header> {
    let name_end = line.iter().position(|&b| b == b':').unwrap_or(line.len());
    let &bad = line[..name_end].iter().find(|&&b| !is_token(b))?;
    Some(Header::Bad { message: format!("malformed header line (unexpected byte 0x{bad:02x})"), skip: 1 })
}

/// Reads the header block at the start of `buffer` (which does not start with a line end).
fn read_header(buffer: &[u8]) -> Header {
    let mut length: Option<Option<u64>> = None;
    let mut line_start = 0;
    loop {
        let limit = buffer.len().min(MAX_HEADER);
        let Some(newline) = buffer[line_start..limit].iter().position(|&b| b == b'\n') else {
            // An incomplete line can already be wrong: a name with a character no name has.
            // A CR at the very end may be the start of the line end, so it is not judged yet.
            let partial = &buffer[line_start..limit];
            let partial = partial.strip_suffix(b"\r").unwrap_or(partial);
            if let Some(bad) = bad_name_byte(partial) {
                return bad;
            }
            if buffer.len() >= MAX_HEADER {
                return Header::Bad { message: format!("header block longer than {MAX_HEADER} bytes"), skip: 1 };
            }
            return Header::Incomplete;
        };
        let line_end = line_start + newline;
        let line = buffer[line_start..line_end].strip_suffix(b"\r").unwrap_or(&buffer[line_start..line_end]);
        let next = line_end + 1;
        if line.is_empty() {
            return match length {
                Some(length) => Header::Complete { size: next, length },
                None => Header::Bad { message: "header block without Content-Length".into(), skip: next },
            };
        }
        // The same check as for an incomplete line comes first, so that the answer does not
        // depend on how the input was split into reads.
        if let Some(bad) = bad_name_byte(line) {
            return bad;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Header::Bad { message: "malformed header line (no `:`)".into(), skip: 1 };
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.is_empty() {
            return Header::Bad { message: "malformed header name".into(), skip: 1 };
        }
        if name.eq_ignore_ascii_case(CONTENT_LENGTH) {
            if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                let shown = String::from_utf8_lossy(&value[..value.len().min(40)]).into_owned();
                return Header::Bad { message: format!("invalid Content-Length `{shown}`"), skip: next };
            }
            // Digits only, so the only possible failure is overflow, which means "too large".
            let parsed = std::str::from_utf8(value).ok().and_then(|v| v.parse::<u64>().ok());
            if length.is_some_and(|previous| previous != parsed) {
                return Header::Bad { message: "two different Content-Length headers".into(), skip: next };
            }
            length = Some(parsed);
        }
        // Other headers (Content-Type) are allowed and ignored: bodies must be UTF-8 JSON anyway.
        line_start = next;
    }
}

enum Invalid {
    /// Not JSON (or not UTF-8): the framing itself may be off.
    NotJson(Rejection),
    /// JSON, but not a JSON-RPC 2.0 message.
    Message(Rejection),
}

/// Checks that a body is one JSON-RPC 2.0 message and re-frames it in the form tower-lsp reads.
fn validate(body: &[u8]) -> Result<Vec<u8>, Invalid> {
    // serde_json checks UTF-8 and limits nesting depth, so no body can overflow the stack.
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Invalid::NotJson(Rejection::parse(format!("message body is not JSON: {e}"))))?;
    let invalid = |id: &Id, message: &str| Invalid::Message(Rejection::invalid(id.clone(), message));
    let object = match &value {
        Value::Object(object) => object,
        Value::Array(_) => return Err(invalid(&Id::Null, "batch messages are not supported")),
        _ => return Err(invalid(&Id::Null, "a message must be a JSON object")),
    };
    let id = match object.get("id") {
        None | Some(Value::Null) => Id::Null,
        Some(Value::String(s)) => Id::String(s.clone()),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(n) => Id::Number(n),
            None => return Err(invalid(&Id::Null, "`id` must be an integer or a string")),
        },
        Some(_) => return Err(invalid(&Id::Null, "`id` must be an integer or a string")),
    };
    let is_response = object.contains_key("result") || object.contains_key("error");
    // An answer to a bad response must not carry its id: the client would take it for the
    // answer to one of its own requests.
    let answer_id = if is_response { Id::Null } else { id };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid(&answer_id, "`jsonrpc` must be \"2.0\""));
    }
    let is_request = match object.get("method") {
        Some(Value::String(_)) if is_response => {
            return Err(invalid(&answer_id, "a message cannot have both `method` and a result"))
        }
        Some(Value::String(_)) => true,
        Some(_) => return Err(invalid(&answer_id, "`method` must be a string")),
        None if !is_response => return Err(invalid(&answer_id, "a request needs a `method`")),
        None if !object.contains_key("id") => return Err(invalid(&answer_id, "a response needs an `id`")),
        None if object.contains_key("result") && object.contains_key("error") => {
            return Err(invalid(&answer_id, "a response cannot have both `result` and `error`"))
        }
        None => false,
    };
    // Round-tripping through tower-lsp's own types guarantees that its decoder accepts the frame
    // (duplicate keys, for one, are an error there but not in a `Value`).
    let framed = if is_request {
        serde_json::from_value::<Request>(value).and_then(|request| serde_json::to_vec(&request))
    } else {
        serde_json::from_value::<Response>(value).and_then(|response| serde_json::to_vec(&response))
    };
    let body = framed.map_err(|e| invalid(&answer_id, &format!("invalid message: {e}")))?;
    let mut message = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    message.extend_from_slice(&body);
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":99,"method":"ping"}"#;

    /// The body of a framed message, checked to be exactly one frame that tower-lsp can decode.
    fn body_of(message: &[u8]) -> Value {
        let text = std::str::from_utf8(message).expect("UTF-8 frame");
        let (header, body) = text.split_once("\r\n\r\n").expect("header end");
        let length: usize = header.strip_prefix("Content-Length: ").expect("one header").parse().expect("length");
        assert_eq!(length, body.len(), "{text}");
        let value: Value = serde_json::from_str(body).expect("JSON body");
        let decodes = serde_json::from_str::<Request>(body).is_ok() || serde_json::from_str::<Response>(body).is_ok();
        assert!(decodes, "tower-lsp cannot decode {body}");
        value
    }

    fn messages(frames: &[Frame]) -> Vec<Value> {
        frames
            .iter()
            .filter_map(|f| match f {
                Frame::Message(m) => Some(body_of(m)),
                Frame::Rejected(_) => None,
            })
            .collect()
    }

    fn rejections(frames: &[Frame]) -> Vec<&Rejection> {
        frames
            .iter()
            .filter_map(|f| match f {
                Frame::Rejected(r) => Some(r),
                Frame::Message(_) => None,
            })
            .collect()
    }

    /// Pushes `bad` then a valid frame; returns the frames, after checking that the valid frame came
    /// through last.
    fn then_ping(bad: &[u8]) -> Vec<Frame> {
        let mut framer = Framer::new();
        let mut input = bad.to_vec();
        input.extend(frame(PING));
        let frames = framer.push(&input);
        assert_eq!(messages(&frames).last(), Some(&serde_json::from_str(PING).unwrap()), "{frames:?}");
        assert!(matches!(frames.last(), Some(Frame::Message(_))), "{frames:?}");
        assert_eq!(framer.pending(), 0);
        frames
    }

    /// The one rejection `bad` causes before a valid frame.
    fn rejected(bad: &[u8]) -> Rejection {
        let frames = then_ping(bad);
        let found = rejections(&frames);
        assert_eq!(found.len(), 1, "{frames:?}");
        found[0].clone()
    }

    #[test]
    fn valid_frames_in_one_push_or_byte_by_byte() {
        let mut input = frame(PING);
        input.extend(frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#));
        input.extend(frame(r#"{"jsonrpc":"2.0","id":1,"result":null}"#));
        let whole = Framer::new().push(&input);
        assert_eq!(messages(&whole).len(), 3, "{whole:?}");
        let mut framer = Framer::new();
        let mut bytewise = Vec::new();
        for byte in &input {
            bytewise.extend(framer.push(std::slice::from_ref(byte)));
        }
        assert_eq!(bytewise, whole);
        assert_eq!(framer.pending(), 0);
        assert_eq!(framer.finish(), None);
    }

    #[test]
    fn lenient_headers_are_accepted() {
        for input in [
            format!("Content-Length: {}\n\n{PING}", PING.len()),
            format!("content-length:{}\r\n\r\n{PING}", PING.len()),
            format!(
                "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\n\r\n{PING}",
                PING.len()
            ),
            format!("Content-Length: {0}\r\nContent-Length: {0}\r\n\r\n{PING}", PING.len()),
            format!("\r\n\r\nContent-Length: 00{}\r\n\r\n{PING}", PING.len()),
        ] {
            let frames = Framer::new().push(input.as_bytes());
            assert_eq!(messages(&frames), vec![serde_json::from_str::<Value>(PING).unwrap()], "{input:?}");
            assert!(rejections(&frames).is_empty(), "{input:?}");
        }
    }

    #[test]
    fn bad_headers_are_rejected_once_and_skipped() {
        let cases: &[&[u8]] = &[
            b"Content-Type: text/plain\r\n\r\n{}",
            b"Content-Length: abc\r\n\r\n{}",
            b"Content-Length: -5\r\n\r\n{}",
            b"Content-Length: \r\n\r\n{}",
            b"Content-Length: 2 2\r\n\r\n{}",
            b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
            b"Content-Length 2\r\n\r\n{}",
            b"Content Length: 2\r\n\r\n{}",
            b"\xff\xfe: 2\r\n\r\n{}",
            b": 2\r\n\r\n{}",
            br#"{"jsonrpc":"2.0","id":1,"method":"x"}"#,
            b"garbage\n",
        ];
        for bad in cases {
            let rejection = rejected(bad);
            assert_eq!((rejection.code, &rejection.id), (PARSE_ERROR, &Id::Null), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn huge_lengths_are_rejected_without_reading_the_body() {
        for length in ["18446744073709551615", "18446744073709551616", "99999999999999999999999999", "67108865"] {
            let header = format!("Content-Length: {length}\r\n\r\n");
            let rejection = rejected(format!("{header}{{}}").as_bytes());
            assert!(rejection.message.contains("larger than the limit"), "{rejection:?}");
            // A body that does arrive is skipped without being kept.
            let mut framer = Framer::with_max_body(1 << 10);
            framer.push(header.as_bytes());
            framer.push(&vec![b'a'; 1 << 20]);
            assert!(framer.pending() < CONTENT_LENGTH.len(), "{}", framer.pending());
        }
        // Exactly at the limit is fine; one more byte is not.
        let mut framer = Framer::with_max_body(PING.len());
        assert_eq!(messages(&framer.push(&frame(PING))).len(), 1);
        let mut framer = Framer::with_max_body(PING.len() - 1);
        assert_eq!(rejections(&framer.push(&frame(PING))).len(), 1);
    }

    #[test]
    fn long_headers_and_garbage_stay_within_the_limit() {
        let mut framer = Framer::new();
        let frames = framer.push(&vec![b'X'; 3 * MAX_HEADER]);
        assert_eq!(rejections(&frames).len(), 1, "one error for one burst of garbage");
        assert!(framer.pending() <= MAX_HEADER);
        let frames = framer.push(&[vec![b'{'; 5 * MAX_HEADER], frame(PING)].concat());
        assert!(rejections(&frames).is_empty(), "still the same burst: {frames:?}");
        assert_eq!(messages(&frames).len(), 1);
        // A header that never ends.
        let mut framer = Framer::new();
        let mut header = b"Content-Length: 2\r\nX-Long: ".to_vec();
        header.extend(vec![b'y'; 2 * MAX_HEADER]);
        let frames = framer.push(&header);
        assert_eq!(rejections(&frames).len(), 1);
        assert!(framer.pending() <= framer.max_pending());
    }

    #[test]
    fn bodies_that_are_not_json_are_parse_errors() {
        for body in [&b"{ not json"[..], b"{\"a\":\"\xff\"}", b"\xc3\x28", b"", b"{}{}"] {
            let mut input = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            input.extend_from_slice(body);
            let rejection = rejected(&input);
            assert_eq!((rejection.code, &rejection.id), (PARSE_ERROR, &Id::Null), "{body:?}");
        }
        // Nesting deeper than serde_json allows is an error, not a stack overflow.
        let deep = "[".repeat(100_000);
        assert_eq!(rejected(&frame(&deep)).code, PARSE_ERROR);
    }

    #[test]
    fn json_that_is_not_json_rpc_is_an_invalid_request() {
        let cases = [
            ("[]", Id::Null),
            (r#"[{"jsonrpc":"2.0","id":1,"method":"x"}]"#, Id::Null),
            ("null", Id::Null),
            ("42", Id::Null),
            (r#""text""#, Id::Null),
            ("{}", Id::Null),
            (r#"{"jsonrpc":"1.0","id":7,"method":"x"}"#, Id::Number(7)),
            (r#"{"id":"s","method":"x"}"#, Id::String("s".into())),
            (r#"{"jsonrpc":2.0,"id":7,"method":"x"}"#, Id::Number(7)),
            (r#"{"jsonrpc":"2.0","id":3}"#, Id::Number(3)),
            (r#"{"jsonrpc":"2.0","id":3,"method":5}"#, Id::Number(3)),
            (r#"{"jsonrpc":"2.0","method":null}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"x"}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","id":4,"method":"x","result":1}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","id":4,"result":1,"error":{"code":1,"message":"m"}}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","result":1}"#, Id::Null),
            (r#"{"jsonrpc":"2.0","id":4,"error":"not an object"}"#, Id::Null),
            (r#"{"jsonrpc":"1.0","id":4,"result":1}"#, Id::Null),
        ];
        for (body, id) in cases {
            let rejection = rejected(&frame(body));
            assert_eq!((rejection.code, &rejection.id), (INVALID_REQUEST, &id), "{body}: {rejection:?}");
        }
    }

    #[test]
    fn messages_are_reencoded_so_tower_lsp_accepts_them() {
        // Duplicate keys make tower-lsp's decoder fail (and stop the server); the re-encoded
        // frame has one key.
        let frames = then_ping(&frame(r#"{"jsonrpc":"2.0","method":"a","method":"b","id":1}"#));
        assert_eq!(messages(&frames)[0], json!({ "jsonrpc": "2.0", "method": "b", "id": 1 }));
        let frames = then_ping(&frame(r#"{"jsonrpc":"2.0","id":null,"method":"x","params":[1],"extra":true}"#));
        assert_eq!(messages(&frames)[0], json!({ "jsonrpc": "2.0", "id": null, "method": "x", "params": [1] }));
        let frames = then_ping(&frame(r#"{"jsonrpc":"2.0","id":"r","error":{"code":-1,"message":"no"}}"#));
        assert_eq!(messages(&frames)[0]["error"]["code"], -1);
    }

    #[test]
    fn a_short_body_resumes_at_the_next_header() {
        // Declared 60 bytes, sent 24: the body swallows the start of the next frame.
        let mut input = b"Content-Length: 60\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":7,".to_vec();
        input.extend(frame(PING));
        let mut framer = Framer::new();
        let frames = framer.push(&input);
        assert_eq!(rejections(&frames).len(), 1, "{frames:?}");
        assert_eq!(rejections(&frames)[0].code, PARSE_ERROR);
        assert_eq!(messages(&frames), vec![serde_json::from_str::<Value>(PING).unwrap()]);
        assert_eq!(framer.pending(), 0);
    }

    #[test]
    fn the_end_of_input_rejects_what_is_incomplete() {
        let ends: &[(&[u8], bool)] = &[
            (b"", false),
            (b"\r\n\r", false),
            (b"Content-Len", true),
            (b"Content-Length: 10\r\n", true),
            (b"Content-Length: 20\r\n\r\n{\"jsonrpc\"", true),
            (b"Content-Length: 99999999999\r\n\r\n{}", false),
        ];
        for &(input, rejects) in ends {
            let mut framer = Framer::new();
            let before = framer.push(input);
            let last = framer.finish();
            assert_eq!(
                matches!(last, Some(Frame::Rejected(Rejection { code: PARSE_ERROR, .. }))),
                rejects,
                "{input:?}: {before:?} {last:?}"
            );
            assert_eq!(framer.pending(), 0);
        }
        // After the end, the framer starts afresh.
        let mut framer = Framer::new();
        framer.push(b"Content-Length: 10\r\n\r\n{");
        assert!(framer.finish().is_some());
        assert_eq!(messages(&framer.push(&frame(PING))).len(), 1);
    }

    use dslc_syntax::xorshift::XorShift;

    #[test]
    fn random_input_in_random_chunks_keeps_the_invariants() {
        let pieces: &[&[u8]] = &[
            b"Content-Length: ",
            b"content-length:",
            b"12",
            b"-1",
            b"18446744073709551615",
            b"\r\n",
            b"\n",
            b"\r",
            b":",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}",
            b"{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":null}",
            b"[]",
            b"\xff",
            b" ",
        ];
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2_000 {
            let mut input = Vec::new();
            for _ in 0..rng.below(40) {
                if rng.below(4) == 0 {
                    input.push(rng.next_u64() as u8);
                } else {
                    input.extend_from_slice(pieces[rng.below(pieces.len())]);
                }
            }
            let mut framer = Framer::with_max_body(1 + rng.below(64));
            let mut rest = &input[..];
            while !rest.is_empty() {
                let take = 1 + rng.below(rest.len());
                for frame in framer.push(&rest[..take]) {
                    if let Frame::Message(message) = frame {
                        body_of(&message);
                    }
                }
                assert!(framer.pending() <= framer.max_pending());
                assert!(framer.pending() <= input.len());
                rest = &rest[take..];
            }
            framer.finish();
            assert_eq!(framer.pending(), 0);
        }
    }
}

#[cfg(test)]
mod chunking {
    use super::*;

    fn frames(bytes: &[u8], chunk: usize) -> Vec<Frame> {
        let mut framer = Framer::with_max_body(1024);
        let mut out = Vec::new();
        for piece in bytes.chunks(chunk.max(1)) {
            out.extend(framer.push(piece));
        }
        out.extend(framer.finish());
        out
    }

    #[test]
    fn a_bad_header_name_is_answered_alike_however_the_input_is_split() {
        // Found by the `lsp_frames` fuzz target: an incomplete line and a complete one were
        // judged by different rules, so the error message depended on the read sizes.
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/regressions/lsp_frames/chunked-garbage-before-a-header");
        let data = std::fs::read(path).unwrap();
        let stream = &data[1..];
        let whole = frames(stream, stream.len());
        for chunk in 1..=17 {
            assert_eq!(frames(stream, chunk), whole, "reads of {chunk} bytes");
        }
        for input in [&b"Content-Len\x03gth: 2\r\n\r\n{}"[..], b"Bad\rName: 1\r\n\r\n", b"no colon \x01 here\n\n"] {
            let whole = frames(input, input.len());
            for chunk in 1..=input.len() {
                assert_eq!(frames(input, chunk), whole, "{input:?} in reads of {chunk} bytes");
            }
        }
    }
}
