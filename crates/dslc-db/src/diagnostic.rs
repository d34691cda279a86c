//! Diagnostics with file-qualified labels, as produced by every check and shown by the CLI and LSP.

use std::path::Path;
use std::sync::Arc;

pub use dslc_syntax::codes::{Code, Severity};
use dslc_syntax::Span;

/// A path that identifies a file in diagnostics; cheap to clone.
pub type FilePath = Arc<Path>;

/// A labelled span in some file (the spec, an included CSV, a catalog).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Label {
    pub file: FilePath,
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(file: &FilePath, span: Span, message: impl Into<String>) -> Self {
        Label { file: file.clone(), span, message: message.into() }
    }
}

/// A machine-applicable edit: replace `span` of `file` with `replacement`.
///
/// It is given only where the tool is sure of the single edit (a did-you-mean with one
/// candidate), so a tool may apply it without asking; the replacement is already quoted as the
/// file's syntax needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    pub file: FilePath,
    pub span: Span,
    pub replacement: String,
}

impl Fix {
    /// Replaces what `label` points at with the value `text`, quoted for the label's file: a
    /// spec value as the lexer reads it, a CSV cell as RFC 4180 wants, a TOML key bare or quoted.
    pub fn replace_value(label: &Label, text: &str) -> Self {
        let extension = label.file.extension().and_then(|e| e.to_str()).unwrap_or("");
        let replacement = match extension {
            "csv" => csv_field(text),
            "txt" => text.to_string(),
            "toml" => toml_key(text),
            _ => dslc_syntax::quote_value(text),
        };
        Fix { file: label.file.clone(), span: label.span.clone(), replacement }
    }
}

/// A CSV field, quoted only when it must be.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A TOML key: bare when it can be, else a basic string.
fn toml_key(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        text.to_string()
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// One problem: a stable code, where it is, what is wrong, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// Machine-usable replacements (did-you-mean), used by editors for quick fixes.
    pub suggestions: Vec<String>,
    /// The edit that fixes it, when there is exactly one obvious edit.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity.
    pub fn new(code: Code, message: impl Into<String>, primary: Label) -> Self {
        Diagnostic {
            code,
            severity: code.severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            suggestions: Vec::new(),
            fix: None,
        }
    }

    pub fn with_label(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line unless one is already set (by suggestions, say).
    pub fn or_help(mut self, help: impl Into<String>) -> Self {
        if self.help.is_none() {
            self.help = Some(help.into());
        }
        self
    }

    /// Adds did-you-mean suggestions for the primary label's text and a help line naming them
    /// (unless one is set). A single suggestion is also the diagnostic's fix; among several the
    /// right one is a guess, so only editors offer them, one quick fix each.
    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Self {
        if !suggestions.is_empty() && self.help.is_none() {
            let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
            self.help = Some(format!("did you mean {}?", join_or(&quoted)));
        }
        if let [only] = suggestions.as_slice() {
            self.fix = Some(Fix::replace_value(&self.primary, only));
        }
        self.suggestions = suggestions;
        self
    }
}

/// Joins words as `a`, `a or b`, `a, b or c`.
pub fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// Names longer than this get no suggestions, and are suggested for none: edit distance costs the
/// product of the lengths, and a name of hundreds of characters is not a typo of another.
pub const MAX_SUGGESTED_LEN: usize = 128;

/// Up to three candidates close to `wanted`: a case-insensitive match first, then by edit distance.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    if wanted.len() > MAX_SUGGESTED_LEN {
        return Vec::new();
    }
    let wanted_lower = wanted.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(1) + 1;
    let mut scored: Vec<(usize, &str)> = Vec::new();
    let mut lowered = String::new();
    for candidate in candidates {
        // A character is at most four bytes, so a length gap beyond that cannot be within the limit.
        if candidate == wanted
            || candidate.len() > MAX_SUGGESTED_LEN
            || candidate.len().abs_diff(wanted_lower.len()) > 4 * limit
        {
            continue;
        }
        lowered.clear();
        lowered.extend(candidate.chars().flat_map(char::to_lowercase));
        if let Some(distance) = levenshtein_within(&wanted_lower, &lowered, limit) {
            scored.push((distance, candidate));
        }
    }
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, c)| c.to_string()).collect()
}

/// The edit distance between `a` and `b` if it is at most `bound`.
///
/// Catalog IDs share long prefixes and suffixes (`template-000123-v2`), so those are stripped
/// first; ASCII strings then run on bytes without allocating, and the table stops as soon as
/// every path through it exceeds the bound.
pub fn levenshtein_within(a: &str, b: &str, bound: usize) -> Option<usize> {
    let prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let (mut a, mut b) = (&a[floor_boundary(a, prefix)..], &b[floor_boundary(b, prefix)..]);
    let suffix = a.bytes().rev().zip(b.bytes().rev()).take_while(|(x, y)| x == y).count();
    a = &a[..ceil_boundary(a, a.len() - suffix)];
    b = &b[..ceil_boundary(b, b.len() - suffix)];
    if a.is_ascii() && b.is_ascii() {
        bounded(a.as_bytes(), b.as_bytes(), bound)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        bounded(&a, &b, bound)
    }
}

fn floor_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

fn bounded<T: PartialEq>(a: &[T], b: &[T], bound: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    let mut stack = [0usize; 65];
    let mut heap = Vec::new();
    let row: &mut [usize] = if b.len() < stack.len() {
        &mut stack[..=b.len()]
    } else {
        heap.resize(b.len() + 1, 0);
        &mut heap
    };
    for (j, cell) in row.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        let mut best = row[0];
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == cb { diagonal } else { 1 + diagonal.min(above).min(row[j]) };
            diagonal = above;
            best = best.min(row[j + 1]);
        }
        if best > bound {
            return None;
        }
    }
    (row[b.len()] <= bound).then_some(row[b.len()])
}

/// The unbounded edit distance, the reference the fast ones are tested against.
#[cfg(test)]
pub(crate) use dslc_syntax::distance::edit_distance as reference_levenshtein;

#[cfg(test)]
mod tests {
    use super::reference_levenshtein as levenshtein;
    use super::*;

    #[test]
    fn bounded_edit_distance_agrees_within_the_bound() {
        for (a, b) in [
            ("kitten", "sitting"),
            ("gpt-4.1", "gpt-4.2"),
            ("", "ab"),
            ("sonnet-4", "sonnet-4"),
            ("template-000017-v3", "template-012345-v2"),
            ("combo-ü", "combo-u"),
            ("aüb", "aäb"),
        ] {
            let full = levenshtein(a, b);
            assert_eq!(levenshtein_within(a, b, full), Some(full), "{a} / {b}");
            if full > 0 {
                assert_eq!(levenshtein_within(a, b, full - 1), None, "{a} / {b}");
            }
        }
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn suggestions_prefer_case_insensitive_match() {
        let got = did_you_mean("Sonnet-4", ["sonnet-4", "sonnet-3", "gpt-4"]);
        assert_eq!(got, vec!["sonnet-4", "sonnet-3"]);
        assert!(did_you_mean("zzzzzz", ["sonnet-4"]).is_empty());
    }

    #[test]
    fn suggestions_are_deduplicated_and_skip_very_long_names() {
        assert_eq!(did_you_mean("axis_1", ["axis_2", "axis_2", "axis_3"]), vec!["axis_2", "axis_3"]);
        let long = "n".repeat(MAX_SUGGESTED_LEN + 1);
        assert!(did_you_mean(&long, [format!("{long}x").as_str()]).is_empty());
        assert!(did_you_mean("nnnn", [long.as_str()]).is_empty());
    }

    fn label_in(file: &str, span: Span) -> Label {
        Label::new(&FilePath::from(Path::new(file)), span, "here")
    }

    #[test]
    fn a_single_suggestion_is_the_fix() {
        let d = Diagnostic::new(dslc_syntax::codes::UNKNOWN_AXIS, "unknown", label_in("spec.cohort", 5..11))
            .with_suggestions(vec!["gpt-4.1".to_string()]);
        let fix = d.fix.expect("one suggestion gives a fix");
        assert_eq!((fix.span, fix.replacement.as_str()), (5..11, "gpt-4.1"));
        assert_eq!(&*fix.file, Path::new("spec.cohort"));
        let several = Diagnostic::new(dslc_syntax::codes::UNKNOWN_AXIS, "unknown", label_in("spec.cohort", 0..1))
            .with_suggestions(vec!["a1".to_string(), "a2".to_string()]);
        assert_eq!(several.fix, None);
        assert_eq!(several.suggestions.len(), 2);
    }

    #[test]
    fn fixes_are_quoted_for_their_file() {
        let fix = |file: &str, text: &str| Fix::replace_value(&label_in(file, 0..1), text).replacement;
        assert_eq!(fix("spec.cohort", "two words"), "\"two words\"");
        assert_eq!(fix("spec.cohort", "sonnet-4"), "sonnet-4");
        assert_eq!(fix("items/x.csv", "a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(fix("items/x.csv", "two words"), "two words");
        assert_eq!(fix("items/x.txt", "two words"), "two words");
        assert_eq!(fix("dslc.toml", "data_root"), "data_root");
        assert_eq!(fix("dslc.toml", "a.b"), "\"a.b\"");
    }

    #[test]
    fn join_words() {
        let words: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(join_or(&words), "a, b or c");
        assert_eq!(join_or(&words[..1]), "a");
    }
}
