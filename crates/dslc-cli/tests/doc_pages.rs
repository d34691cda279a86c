//! Runs the example of every page in `docs/diagnostics/` through the real binary and checks that
//! it reports exactly the codes the page names.
//!
//! The conventions (documented in `docs/diagnostics/README.md`), all inside the page's
//! `## Example` section:
//! - the first ```` ```cohort ```` block is the spec, written to `spec.cohort` unless its info
//!   string says `file=PATH`;
//! - any other block whose info string has `file=PATH` (```` ```csv file=items/x.csv ````,
//!   ```` ```toml file=dslc.toml ````) is written to that path in the project directory;
//! - a ```` ```sh ```` block is the run script: lines starting with `dslc ` run the binary with
//!   `--format json` appended, other lines run in `sh`; without one, `dslc check SPEC`;
//! - the expected codes are every `error[…]`, `warning[…]` and `note[…]` in the section; notes
//!   are compared only when the page names one, since most specs without catalogs get N0505;
//! - `<!-- doc-test: not reproducible … -->` marks a page whose code no example can produce.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Codes whose pages say no example can produce them. This list may only shrink.
const NOT_REPRODUCIBLE: &[&str] = &["E0605"];

/// The marker a page puts in its example section instead of a runnable example.
const NOT_REPRODUCIBLE_MARKER: &str = "<!-- doc-test: not reproducible";

fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics")
}

/// A fenced block: its info string and its text.
struct Block {
    info: String,
    text: String,
}

impl Block {
    fn language(&self) -> &str {
        self.info.split_whitespace().next().unwrap_or("")
    }

    fn file(&self) -> Option<&str> {
        self.info.split_whitespace().find_map(|word| word.strip_prefix("file="))
    }
}

/// A page's `## Example` section: its text and its fenced blocks.
struct Example {
    text: String,
    blocks: Vec<Block>,
}

fn example_section(page: &str) -> Option<Example> {
    let mut lines = page.lines().skip_while(|line| line.trim_end() != "## Example");
    lines.next()?;
    let section: Vec<&str> = lines.take_while(|line| !line.starts_with("## ")).collect();
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for line in &section {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) => open = Some(Block { info: info.trim().to_string(), text: String::new() }),
            (Some(_), Some(_)) => blocks.extend(open.take()),
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    Some(Example { text: section.join("\n"), blocks })
}

/// Every code named as `error[…]`, `warning[…]` or `note[…]` in `text`.
fn named_codes(text: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for severity in ["error[", "warning[", "note["] {
        for (at, _) in text.match_indices(severity) {
            let rest = &text[at + severity.len()..];
            if let Some(code) = rest.get(..5).filter(|code| rest[5..].starts_with(']') && is_code(code)) {
                codes.insert(code.to_string());
            }
        }
    }
    codes
}

fn is_code(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some('E' | 'W' | 'N')) && chars.all(|c| c.is_ascii_digit())
}

/// Writes the example's files into `dir` and runs its script; returns the codes reported.
fn run_example(example: &Example, dir: &Path) -> Result<BTreeSet<String>, String> {
    let mut spec: Option<&str> = None;
    for block in &example.blocks {
        let path = match block.file() {
            Some(path) => path,
            None if block.language() == "cohort" && spec.is_none() => "spec.cohort",
            None => continue,
        };
        if block.language() == "cohort" && spec.is_none() {
            spec = Some(path);
        }
        // A page writes only inside its project directory.
        if Path::new(path).components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
            return Err(format!("`file={path}` must be a relative path without `..`"));
        }
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&target, &block.text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    let script = example.blocks.iter().find(|block| block.language() == "sh").map(|block| block.text.as_str());
    let mut codes = BTreeSet::new();
    let mut ran_dslc = false;
    let default_script = format!("dslc check {}", spec.unwrap_or("spec.cohort"));
    for line in script.unwrap_or(&default_script).lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let output = match line.strip_prefix("dslc ") {
            Some(arguments) => {
                ran_dslc = true;
                Command::new(env!("CARGO_BIN_EXE_dslc"))
                    .args(arguments.split_whitespace())
                    .args(["--format", "json"])
                    .current_dir(dir)
                    .output()
            }
            None => Command::new("sh").args(["-c", line]).current_dir(dir).output(),
        }
        .map_err(|e| format!("cannot run `{line}`: {e}"))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !line.starts_with("dslc ") {
            if !output.status.success() {
                return Err(format!("`{line}` failed: {stderr}"));
            }
            continue;
        }
        // Exit code 2 is a usage or I/O problem: the example itself is broken.
        if output.status.code() == Some(2) {
            return Err(format!("`{line}` exited with 2: {stderr}"));
        }
        for text in stdout.lines().chain(stderr.lines()) {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                if let Some(code) = value.get("code").and_then(|c| c.as_str()) {
                    codes.insert(code.to_string());
                }
            }
        }
    }
    if !ran_dslc {
        return Err("the sh block runs no `dslc` command".to_string());
    }
    Ok(codes)
}

/// The pages of every code, as (code, page text).
fn pages() -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = std::fs::read_dir(pages_dir())
        .expect("docs/diagnostics exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .filter_map(|path| {
            let code = path.file_stem()?.to_str()?.to_string();
            is_code(&code).then(|| (code, std::fs::read_to_string(&path).expect("page is readable")))
        })
        .collect();
    pages.sort();
    pages
}

#[test]
fn every_page_example_reports_exactly_the_codes_it_names() {
    let mut failures = Vec::new();
    let mut marked = Vec::new();
    for (code, page) in pages() {
        let Some(example) = example_section(&page) else {
            failures.push(format!("{code}: the page has no `## Example` section"));
            continue;
        };
        if example.text.contains(NOT_REPRODUCIBLE_MARKER) {
            marked.push(code);
            continue;
        }
        let expected = named_codes(&example.text);
        if !expected.contains(&code) {
            failures.push(format!("{code}: the example does not name {code} (as `error[{code}]` or alike)"));
            continue;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let mut reported = match run_example(&example, dir.path()) {
            Ok(reported) => reported,
            Err(problem) => {
                failures.push(format!("{code}: {problem}"));
                continue;
            }
        };
        if !expected.iter().any(|c| c.starts_with('N')) {
            reported.retain(|c| !c.starts_with('N'));
        }
        if reported != expected {
            failures.push(format!("{code}: the page names {expected:?}, the example reports {reported:?}"));
        }
    }
    assert_eq!(
        marked, NOT_REPRODUCIBLE,
        "pages marked not reproducible differ from NOT_REPRODUCIBLE (the list may only shrink)"
    );
    assert!(failures.is_empty(), "{} page(s) fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn conventions_are_recognised() {
    let page = "# X\n\n## Example\n\n```cohort\naxis a = [x]\n# ^ warning[W0110]: dup\n```\n\n\
                ```csv file=items/x.csv\na\nx\n```\n\nerror[E0304]: prose\n\n## How to fix\n\nerror[E0101]\n";
    let example = example_section(page).unwrap();
    assert_eq!(named_codes(&example.text), BTreeSet::from(["E0304".to_string(), "W0110".to_string()]));
    assert_eq!(example.blocks.len(), 2);
    assert_eq!(example.blocks[1].file(), Some("items/x.csv"));
    assert_eq!(example.blocks[1].text, "a\nx\n");
    assert!(named_codes("error[E01] warning[X0101] note[N0505x]").is_empty());
}
