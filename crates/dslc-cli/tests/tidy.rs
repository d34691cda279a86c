//! Tidy: the habits of the repository, checked mechanically (see "Tidy rules" in ARCHITECTURE.md).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use dslc_syntax::codes;

/// Files in `crates/*/src` longer than this must say at their top why they are not split.
const MAX_LINES_WITHOUT_REASON: usize = 800;

/// Codes that neither a fixture, a doc-page example nor a test produces: their pages say why.
/// This list may only shrink.
const UNPRODUCED: &[&str] = &[];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every file below `dir` whose name ends with `suffix`, skipping build output.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && name != ".git" {
                    pending.push(path);
                }
            } else if name.to_string_lossy().ends_with(suffix) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The `src` directories of every crate.
fn crate_sources() -> Vec<PathBuf> {
    files(&root().join("crates"), ".rs")
        .into_iter()
        .filter(|path| path.components().any(|c| c.as_os_str() == "src"))
        .collect()
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn every_rust_file_starts_with_a_module_doc_line() {
    let mut sources = files(&root().join("crates"), ".rs");
    sources.extend(files(&root().join("fuzz/fuzz_targets"), ".rs"));
    assert!(sources.len() > 20, "the walk found too few files: {}", sources.len());
    let missing: Vec<String> =
        sources.iter().filter(|path| !read(path).starts_with("//!")).map(|path| shown(path)).collect();
    assert!(
        missing.is_empty(),
        "these files do not start with a `//!` line saying what they hold:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_placeholder_macros_in_crate_sources() {
    // Spelled in pieces so that this file does not match itself if it ever moves into src.
    let banned = [concat!("todo", "!"), concat!("dbg", "!"), concat!("unimplemented", "!")];
    let mut found = Vec::new();
    for path in crate_sources() {
        for (number, line) in read(&path).lines().enumerate() {
            if let Some(word) = banned.iter().find(|word| line.contains(*word)) {
                found.push(format!("{}:{}: {word}", shown(&path), number + 1));
            }
        }
    }
    assert!(found.is_empty(), "placeholder macros in crates/*/src:\n{}", found.join("\n"));
}

/// Whether the `//!` block at the top of `text` gives a reason for the file's length.
fn gives_a_reason_for_its_length(text: &str) -> bool {
    text.lines()
        .take_while(|line| line.starts_with("//!"))
        .any(|line| line.starts_with("//! Why") && line.contains("over 800 lines"))
}

#[test]
fn long_source_files_say_why_at_their_top() {
    let mut unexplained = Vec::new();
    for path in crate_sources() {
        let text = read(&path);
        let lines = text.lines().count();
        if lines > MAX_LINES_WITHOUT_REASON && !gives_a_reason_for_its_length(&text) {
            unexplained.push(format!("{} ({lines} lines)", shown(&path)));
        }
    }
    assert!(
        unexplained.is_empty(),
        "files over {MAX_LINES_WITHOUT_REASON} lines need a `//! Why … over 800 lines: …` line in their top comment:\n{}",
        unexplained.join("\n")
    );
}

#[test]
fn the_length_reason_is_recognised() {
    assert!(gives_a_reason_for_its_length("//! Parser.\n//!\n//! Why one file of over 800 lines: seams.\n"));
    assert!(gives_a_reason_for_its_length("//! Catalogs.\n//! Why over 800 lines: tests.\n"));
    assert!(!gives_a_reason_for_its_length("//! Parser.\n\n// Why over 800 lines: not the top comment.\n"));
}

/// Codes named as `error[…]`, `warning[…]` or `note[…]`, or quoted as `"E0123"`, in `text`.
fn mentioned_codes(text: &str, out: &mut BTreeSet<String>) {
    for code in codes::ALL {
        let id = code.id;
        let forms = [format!("error[{id}]"), format!("warning[{id}]"), format!("note[{id}]"), format!("\"{id}\"")];
        if forms.iter().any(|form| text.contains(form.as_str())) {
            out.insert(id.to_string());
        }
    }
}

/// The `## Example` section of a diagnostic page.
fn example_section(page: &str) -> &str {
    let start = page.find("\n## Example").map_or(page.len(), |at| at + 1);
    let rest = &page[start..];
    let end = rest[1..].find("\n## ").map_or(rest.len(), |at| at + 1);
    &rest[..end]
}

#[test]
fn every_code_has_a_page_and_something_that_produces_it() {
    let pages = root().join("docs/diagnostics");
    let mut produced = BTreeSet::new();
    for fixture in files(&root().join("tests/fixtures"), ".cohort") {
        mentioned_codes(&read(&fixture), &mut produced);
    }
    let in_tests = |path: &PathBuf| path.components().any(|c| c.as_os_str() == "tests");
    // The lists of unproduced codes in this file and in doc_pages.rs name codes without producing them.
    let lists_codes = |path: &PathBuf| path.ends_with("tidy.rs") || path.ends_with("doc_pages.rs");
    for test in files(&root().join("crates"), ".rs").into_iter().filter(|p| in_tests(p) && !lists_codes(p)) {
        mentioned_codes(&read(&test), &mut produced);
    }
    let mut problems = Vec::new();
    for code in codes::ALL {
        let page = pages.join(format!("{}.md", code.id));
        let Ok(text) = std::fs::read_to_string(&page) else {
            problems.push(format!("{}: no page docs/diagnostics/{}.md", code.id, code.id));
            continue;
        };
        // doc_pages.rs runs every example that is not marked, and checks it names its own code.
        let example = example_section(&text);
        if !example.contains("<!-- doc-test: not reproducible") && example.contains(code.id) {
            produced.insert(code.id.to_string());
        }
        let unproduced = !produced.contains(code.id);
        if unproduced != UNPRODUCED.contains(&code.id) {
            problems.push(if unproduced {
                format!("{}: no fixture, doc-page example or test produces it", code.id)
            } else {
                format!("{}: now produced by a test; remove it from UNPRODUCED", code.id)
            });
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
