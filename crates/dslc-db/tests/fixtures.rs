//! Data-driven checker tests: every spec under `tests/fixtures/check` carries its expected
//! diagnostics as inline annotations, and one helper compares them with what `check` reports.
//!
//! Annotation forms, each on a comment line below the line it describes:
//! - `#    ^^^^ error[E0103]` — a diagnostic starting at the first caret's column and ending
//!   after the last caret (end unchecked when the span runs past the line);
//! - `# <-- warning[W0110]` — a diagnostic starting at column 0 of the line above;
//! - `# @items/bad.csv:3 error[E0305]` — a diagnostic whose primary span is on line 3 of that
//!   file, relative to the spec's directory.
//!
//! An optional `: text` after the code must appear in the message. Every error and warning must
//! be annotated and every annotation matched; a spec without annotations must check clean.
//! Notes (such as "no catalogs configured") are compared only in fixtures that annotate a note.

use std::path::{Path, PathBuf};

use dslc_db::{Database, Db, Diagnostic};
use dslc_syntax::line_index::LineIndex;

#[derive(Debug)]
struct Expected {
    file: PathBuf,
    line: usize,
    start_column: Option<usize>,
    end_column: Option<usize>,
    severity: String,
    code: String,
    message: Option<String>,
    source_line: usize,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/check")
}

/// Every `*.cohort` file below the fixtures directory.
fn fixture_specs() -> Vec<PathBuf> {
    fn walk(dir: &Path, specs: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("fixture directory is readable") {
            let path = entry.expect("readable entry").path();
            if path.is_dir() {
                walk(&path, specs);
            } else if path.extension().is_some_and(|e| e == "cohort") {
                specs.push(path);
            }
        }
    }
    let mut specs = Vec::new();
    walk(&fixtures_dir(), &mut specs);
    specs.sort();
    specs
}

fn parse_annotations(spec: &Path, text: &str) -> Vec<Expected> {
    let mut expected = Vec::new();
    let mut target_line = 0usize;
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let Some(rest) = trimmed.strip_prefix('#') else {
            target_line = number;
            continue;
        };
        let body = rest.trim_start();
        let (file, line_no, start, end, tail) = if let Some(after) = body.strip_prefix("<--") {
            (spec.to_path_buf(), target_line, Some(0), None, after)
        } else if body.starts_with('^') {
            let caret_start = line.find('^').unwrap_or(0);
            let caret_len = line[caret_start..].chars().take_while(|c| *c == '^').count();
            (
                spec.to_path_buf(),
                target_line,
                Some(caret_start),
                Some(caret_start + caret_len),
                &line[caret_start + caret_len..],
            )
        } else if let Some(after) = body.strip_prefix('@') {
            let (location, tail) = after.split_once(' ').unwrap_or((after, ""));
            let (relative, line_text) = location.rsplit_once(':').expect("`@file:line` annotation");
            let file = dslc_db::db::normalize(&spec.parent().expect("spec has a directory").join(relative));
            (file, line_text.parse::<usize>().expect("line number") - 1, None, None, tail)
        } else {
            // An ordinary comment: it does not change which line annotations refer to.
            continue;
        };
        let tail = tail.trim();
        let (head, message) = match tail.split_once(": ") {
            Some((head, message)) => (head, Some(message.trim().to_string())),
            None => (tail, None),
        };
        let (severity, code) = head
            .strip_suffix(']')
            .and_then(|h| h.split_once('['))
            .unwrap_or_else(|| panic!("{}:{}: malformed annotation `{line}`", spec.display(), number + 1));
        expected.push(Expected {
            file,
            line: line_no,
            start_column: start,
            end_column: end,
            severity: severity.to_string(),
            code: code.to_string(),
            message,
            source_line: number + 1,
        });
    }
    expected
}

fn matches(db: &Database, expected: &Expected, d: &Diagnostic) -> bool {
    if d.code.id != expected.code || d.severity.as_str() != expected.severity || *d.primary.file != *expected.file {
        return false;
    }
    let text = &db.file(&d.primary.file).contents(db).text;
    let index = LineIndex::new(text);
    let start_line = index.line(d.primary.span.start);
    let end_line = index.line(d.primary.span.end);
    let line_start = index.line_start(start_line).unwrap_or(0);
    let start_column = d.primary.span.start - line_start;
    if start_line != expected.line || expected.start_column.is_some_and(|c| c != start_column) {
        return false;
    }
    if let Some(end) = expected.end_column {
        if end_line == start_line && d.primary.span.end - line_start != end {
            return false;
        }
    }
    expected.message.as_ref().is_none_or(|m| d.message.contains(m.as_str()))
}

fn describe(db: &Database, d: &Diagnostic) -> String {
    let text = &db.file(&d.primary.file).contents(db).text;
    let index = LineIndex::new(text);
    let line = index.line(d.primary.span.start);
    let column = d.primary.span.start - index.line_start(line).unwrap_or(0);
    format!(
        "{}[{}] at {}:{}:{} (bytes {:?}): {}",
        d.severity.as_str(),
        d.code.id,
        d.primary.file.file_name().unwrap_or_default().to_string_lossy(),
        line + 1,
        column,
        d.primary.span,
        d.message
    )
}

#[test]
fn check_fixtures() {
    let specs = fixture_specs();
    assert!(specs.len() >= 10, "expected the fixture corpus, found {} specs", specs.len());
    let mut failures = Vec::new();
    for spec_path in &specs {
        let spec_path = dslc_db::db::normalize(spec_path);
        let db = Database::default();
        let spec = db.file(&spec_path);
        let text = spec.contents(&db).text.clone();
        let expected = parse_annotations(&spec_path, &text);
        let checks_notes = expected.iter().any(|e| e.severity == "note");
        let diagnostics: Vec<&Diagnostic> = dslc_db::check(&db, spec)
            .iter()
            .filter(|d| checks_notes || d.severity != dslc_db::diagnostic::Severity::Note)
            .collect();
        let mut used = vec![false; diagnostics.len()];
        let mut problems = Vec::new();
        for e in &expected {
            match diagnostics.iter().enumerate().find(|(i, d)| !used[*i] && matches(&db, e, d)) {
                Some((i, _)) => used[i] = true,
                None => problems.push(format!("  missing (annotation on line {}): {:?}", e.source_line, e)),
            }
        }
        for (d, used) in diagnostics.iter().zip(&used) {
            if !used {
                problems.push(format!("  unexpected: {}", describe(&db, d)));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{}:\n{}", spec_path.display(), problems.join("\n")));
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) failed:\n{}", failures.len(), failures.join("\n"));
}
