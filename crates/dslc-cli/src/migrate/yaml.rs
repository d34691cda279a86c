//! Reads a YAML (or JSON) file into a tree of nodes with byte spans, and finds its comments.
//!
//! saphyr-parser gives events with character positions; this module turns them into nodes whose
//! spans are byte offsets, resolves anchors and aliases, and keeps the first position and last
//! value of a repeated key, as PyYAML did. The parser drops comments, so they are recovered from
//! the source text line by line (a `#` at a line's start or after a blank, outside any scalar).

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

/// A node of the document: a scalar, a sequence or a mapping, and where it is (bytes).
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub span: Range<usize>,
}

#[derive(Clone, Debug)]
pub(crate) enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Entries in document order; a repeated key keeps its first place and takes the last value.
    Mapping(Vec<(Node, Node)>),
}

/// A scalar as written: its text after unescaping, how it was quoted, and its tag if any.
#[derive(Clone, Debug)]
pub(crate) struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
    pub tag: Option<String>,
}

impl Node {
    /// The scalar's text when this is a scalar.
    pub(crate) fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// What this node is, for messages: "a mapping", "a list", "a string"…
    pub(crate) fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(_) => "a scalar",
            NodeKind::Sequence(_) => "a list",
            NodeKind::Mapping(_) => "a mapping",
        }
    }
}

/// A `#` comment of the source: its 0-based line, its text from `#`, and whether code precedes
/// it on its line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Comment {
    pub line: usize,
    pub text: String,
    pub trailing: bool,
}

/// A key given twice in one mapping: the repeated key and the first one.
#[derive(Clone, Debug)]
pub(crate) struct DuplicateKey {
    pub key: String,
    pub repeated: Range<usize>,
    pub first: Range<usize>,
}

/// A parsed file.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Node,
    pub comments: Vec<Comment>,
    pub duplicates: Vec<DuplicateKey>,
}

/// A syntax error at a byte span.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub span: Range<usize>,
    pub message: String,
}

/// Nodes nest at most this deep; deeper input is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;
/// At most this many nodes, counting every alias expansion: aliases of aliases can otherwise
/// grow a small file exponentially ("billion laughs").
const MAX_NODES: usize = 2_000_000;

/// Character index → byte offset, for the parser's character-based markers.
struct Offsets {
    /// Byte offset of each character; empty when the text is ASCII (index = offset).
    starts: Vec<usize>,
    len: usize,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let starts = if text.is_ascii() { Vec::new() } else { text.char_indices().map(|(at, _)| at).collect() };
        Offsets { starts, len: text.len() }
    }

    fn byte(&self, marker: Marker) -> usize {
        if self.starts.is_empty() {
            marker.index().min(self.len)
        } else {
            self.starts.get(marker.index()).copied().unwrap_or(self.len)
        }
    }
}

/// A collection being built: its start, anchor, and the children read so far.
enum Open {
    Sequence { start: usize, anchor: usize, items: Vec<Node> },
    Mapping { start: usize, anchor: usize, entries: Vec<(Node, Node)>, key: Option<Node> },
}

/// Parses `text` as one YAML document (JSON is YAML too); an empty file is an empty mapping.
pub(crate) fn read(text: &str) -> Result<Document, SyntaxError> {
    let offsets = Offsets::new(text);
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    let mut nodes = 0usize;
    let mut duplicates = Vec::new();
    let mut scalar_spans: Vec<Range<usize>> = Vec::new();
    for event in &mut parser {
        let (event, span) = event.map_err(|error| {
            let at = offsets.byte(*error.marker());
            SyntaxError { span: at..(at + 1).min(text.len()).max(at), message: error.info().to_string() }
        })?;
        let (start, end) = (offsets.byte(span.start), offsets.byte(span.end));
        let complete = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(SyntaxError {
                        span: start..end.max(start),
                        message: "a second YAML document: a spec is one document".to_string(),
                    });
                }
                None
            }
            Event::Scalar(value, style, anchor, tag) => {
                // The parser's span of a quoted scalar runs on over a comment after it.
                let end = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => quoted_end(text, start).min(end),
                    _ => end,
                };
                scalar_spans.push(start..end);
                let tag = tag.map(|tag| format!("{}{}", tag.handle, tag.suffix));
                let node =
                    Node { kind: NodeKind::Scalar(Scalar { text: value.into_owned(), style, tag }), span: start..end };
                Some((node, anchor))
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => {
                    nodes += count(node);
                    Some((Node { kind: node.kind.clone(), span: start..end }, 0))
                }
                None => {
                    return Err(SyntaxError { span: start..end, message: "an alias of an unknown anchor".to_string() })
                }
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Open::Sequence { start, anchor, items: Vec::new() });
                None
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Open::Mapping { start, anchor, entries: Vec::new(), key: None });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                // A flow collection ends at its bracket (a span of one character); a block one
                // ends with its last child, not at the next line where the parser notices it.
                Some(Open::Sequence { start, anchor, items }) => {
                    let last = items.last().map_or(start, |last| last.span.end);
                    let end = if end > offsets.byte(span.start) { offsets.byte(span.start) + 1 } else { last };
                    Some((Node { kind: NodeKind::Sequence(items), span: start..end.max(start) }, anchor))
                }
                Some(Open::Mapping { start, anchor, entries, .. }) => {
                    let last = entries.last().map_or(start, |(_, value)| value.span.end);
                    let end = if end > offsets.byte(span.start) { offsets.byte(span.start) + 1 } else { last };
                    Some((Node { kind: NodeKind::Mapping(entries), span: start..end.max(start) }, anchor))
                }
                None => None,
            },
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => None,
        };
        let Some((node, anchor)) = complete else {
            if stack.len() > MAX_DEPTH {
                return Err(SyntaxError {
                    span: start..end.max(start),
                    message: format!("nested more than {MAX_DEPTH} levels deep"),
                });
            }
            continue;
        };
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(SyntaxError {
                span: start..end.max(start),
                message: format!("more than {MAX_NODES} values (aliases included)"),
            });
        }
        if anchor != 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(key_node) => insert_entry(entries, key_node, node, &mut duplicates),
            },
        }
    }
    let root = root.unwrap_or(Node { kind: NodeKind::Mapping(Vec::new()), span: 0..0 });
    // A document that is only `~` or empty is an empty mapping to the old loader (`data or {}`).
    let root = match &root.kind {
        NodeKind::Scalar(scalar)
            if scalar.style == ScalarStyle::Plain
                && matches!(scalar.text.as_str(), "" | "~" | "null" | "Null" | "NULL") =>
        {
            Node { kind: NodeKind::Mapping(Vec::new()), span: root.span }
        }
        _ => root,
    };
    scalar_spans.sort_by_key(|span| span.start);
    Ok(Document { root, comments: comments(text, &scalar_spans), duplicates })
}

/// The end of the quoted scalar whose opening quote is at `start`: after its closing quote
/// (`''` is a quote inside single quotes, `\` escapes inside double quotes).
fn quoted_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let quote = match bytes.get(start) {
        Some(&quote @ (b'\'' | b'"')) => quote,
        // A tag or anchor stands first: keep the parser's end.
        _ => return usize::MAX,
    };
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if quote == b'"' => at += 2,
            b'\'' if quote == b'\'' && bytes.get(at + 1) == Some(&b'\'') => at += 2,
            byte if byte == quote => return at + 1,
            _ => at += 1,
        }
    }
    text.len()
}

/// Adds an entry; a repeated scalar key keeps its first place and takes the new value.
fn insert_entry(entries: &mut Vec<(Node, Node)>, key: Node, value: Node, duplicates: &mut Vec<DuplicateKey>) {
    if let Some(text) = key.scalar().map(|s| s.text.clone()) {
        if let Some(entry) = entries.iter_mut().find(|(k, _)| k.scalar().is_some_and(|s| s.text == text)) {
            duplicates.push(DuplicateKey { key: text, repeated: key.span.clone(), first: entry.0.span.clone() });
            entry.1 = value;
            return;
        }
    }
    entries.push((key, value));
}

/// The number of nodes in a tree.
fn count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar(_) => 1,
        NodeKind::Sequence(items) => 1 + items.iter().map(count).sum::<usize>(),
        NodeKind::Mapping(entries) => 1 + entries.iter().map(|(k, v)| count(k) + count(v)).sum::<usize>(),
    }
}

/// The comments of `text`: a `#` at the start of a line or after a space or tab, outside every
/// scalar's span, runs to the end of its line.
fn comments(text: &str, scalar_spans: &[Range<usize>]) -> Vec<Comment> {
    let inside_scalar = |at: usize| {
        let after = scalar_spans.partition_point(|span| span.start <= at);
        scalar_spans[..after].iter().rev().take(64).any(|span| span.start <= at && at < span.end)
    };
    let mut found = Vec::new();
    let mut line_start = 0;
    for (line, raw) in text.split('\n').enumerate() {
        let content = raw.strip_suffix('\r').unwrap_or(raw);
        let mut previous = None;
        for (offset, c) in content.char_indices() {
            if c == '#' && previous.is_none_or(|p: char| p == ' ' || p == '\t') && !inside_scalar(line_start + offset) {
                let trailing = !content[..offset].trim().is_empty();
                found.push(Comment { line, text: content[offset..].trim_end().to_string(), trailing });
                break;
            }
            previous = Some(c);
        }
        line_start += raw.len() + 1;
    }
    found
}

/// 0-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|b| **b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(node: &Node) -> Vec<String> {
        match &node.kind {
            NodeKind::Mapping(entries) => entries.iter().map(|(k, _)| k.scalar().unwrap().text.clone()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_characters() {
        let text = "# é\naxes:\n  a: [ü, b]\n";
        let doc = read(text).unwrap();
        let NodeKind::Mapping(entries) = &doc.root.kind else { panic!() };
        let NodeKind::Mapping(axes) = &entries[0].1.kind else { panic!() };
        assert_eq!(&text[axes[0].0.span.clone()], "a");
        let NodeKind::Sequence(items) = &axes[0].1.kind else { panic!() };
        assert_eq!(&text[items[0].span.clone()], "ü");
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_takes_the_last_value() {
        let doc = read("a: 1\nb: 2\na: 3\n").unwrap();
        assert_eq!(keys(&doc.root), ["a", "b"]);
        let NodeKind::Mapping(entries) = &doc.root.kind else { panic!() };
        assert_eq!(entries[0].1.scalar().unwrap().text, "3");
        assert_eq!(doc.duplicates.len(), 1);
    }

    #[test]
    fn comments_are_found_outside_scalars_only() {
        let doc = read("# top\na: 'x # not' # end\nb: c#d\n").unwrap();
        let NodeKind::Mapping(entries) = &doc.root.kind else { panic!() };
        assert_eq!(entries[0].1.span, 9..18, "a quoted scalar ends at its quote");
        assert_eq!(
            doc.comments,
            [
                Comment { line: 0, text: "# top".into(), trailing: false },
                Comment { line: 1, text: "# end".into(), trailing: true },
            ]
        );
    }

    #[test]
    fn aliases_copy_their_anchor() {
        let doc = read("a: &x [1, 2]\nb: *x\n").unwrap();
        let NodeKind::Mapping(entries) = &doc.root.kind else { panic!() };
        assert!(matches!(&entries[1].1.kind, NodeKind::Sequence(items) if items.len() == 2));
    }

    #[test]
    fn errors_have_a_position() {
        let text = "a: [1, 2\nb: c\n";
        let error = read(text).unwrap_err();
        assert!(error.span.start <= text.len());
        assert!(read("a: 1\n---\nb: 2\n").is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(200) + &"]".repeat(200);
        assert!(read(&text).is_err());
    }
}
