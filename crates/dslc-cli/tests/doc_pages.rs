//! Runs the example of every page in `docs/diagnostics/` through the real binary and checks that
//! it reports exactly the codes the page names, where its annotations say.
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
//! - annotations that give a place (`# ^^^ error[…]`, `# <-- warning[…]`, `# @FILE:LINE …`,
//!   as in `tests/fixtures/check`) must match a reported primary label;
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

/// Where a reported diagnostic's primary label is: file relative to the project directory,
/// 1-based line and columns (in characters), as `--format json` gives them.
#[derive(Debug)]
struct Reported {
    code: String,
    file: String,
    line: u64,
    column: u64,
    end_line: u64,
    end_column: u64,
}

impl Reported {
    fn from_json(value: &serde_json::Value) -> Option<Reported> {
        let number = |key: &str| value.get(key).and_then(|n| n.as_u64());
        Some(Reported {
            code: value.get("code")?.as_str()?.to_string(),
            file: value.get("file")?.as_str()?.to_string(),
            line: number("line")?,
            column: number("column")?,
            end_line: number("end_line")?,
            end_column: number("end_column")?,
        })
    }
}

/// What the example ran: the spec's path and every diagnostic reported.
struct Run {
    spec: String,
    /// Whether a setup line of the script rewrote the spec, so its block is only illustrative.
    spec_generated: bool,
    reported: Vec<Reported>,
}

/// Writes the example's files into `dir` and runs its script.
fn run_example(example: &Example, dir: &Path) -> Result<Run, String> {
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
    let spec = spec.unwrap_or("spec.cohort").to_string();
    let mut run = Run { spec_generated: false, reported: Vec::new(), spec: spec.clone() };
    let mut ran_dslc = false;
    let default_script = format!("dslc check {spec}");
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
            run.spec_generated |= line.contains(&format!("> {spec}"));
            continue;
        }
        // Exit code 2 is a usage or I/O problem: the example itself is broken.
        if output.status.code() == Some(2) {
            return Err(format!("`{line}` exited with 2: {stderr}"));
        }
        for text in stdout.lines().chain(stderr.lines()) {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                run.reported.extend(Reported::from_json(&value));
            }
        }
    }
    if !ran_dslc {
        return Err("the sh block runs no `dslc` command".to_string());
    }
    Ok(run)
}

/// An annotation of the spec block, in the fixture syntax of `tests/fixtures/check`: the file
/// (relative to the project directory), the 1-based line, and for carets the columns.
#[derive(Debug)]
struct Annotation {
    code: String,
    file: String,
    line: u64,
    columns: Option<(u64, u64)>,
}

/// The located annotations of a spec: `# ^^^ error[…]` under a line, `# <-- warning[…]` for
/// the start of the line above, `# @FILE:LINE error[…]` for a line of another file. Lines
/// continuing a message, and codes named in prose, carry no place and are not returned.
fn annotations(spec: &str, text: &str) -> Vec<Annotation> {
    let mut found = Vec::new();
    let mut target_line = 1u64;
    for (index, line) in text.lines().enumerate() {
        let Some(body) = line.trim_start().strip_prefix('#') else {
            target_line = index as u64 + 1;
            continue;
        };
        let body = body.trim_start();
        let Some(code) = named_codes(body).into_iter().next() else { continue };
        if body.starts_with('^') {
            let start = line.find('^').unwrap_or(0);
            let carets = line[start..].chars().take_while(|c| *c == '^').count();
            let column = line[..start].chars().count() as u64 + 1;
            found.push(Annotation {
                code,
                file: spec.to_string(),
                line: target_line,
                columns: Some((column, column + carets as u64)),
            });
        } else if body.starts_with("<--") {
            found.push(Annotation { code, file: spec.to_string(), line: target_line, columns: Some((1, 0)) });
        } else if let Some(after) = body.strip_prefix('@') {
            let location = after.split_whitespace().next().unwrap_or("");
            let Some((relative, number)) = location.rsplit_once(':') else { continue };
            let Ok(number) = number.parse() else { continue };
            let mut file: Vec<&str> = spec.split('/').collect();
            file.pop();
            for part in relative.split('/') {
                match part {
                    ".." => {
                        file.pop();
                    }
                    "." => {}
                    part => file.push(part),
                }
            }
            found.push(Annotation { code, file: file.join("/"), line: number, columns: None });
        }
    }
    found
}

/// Whether a reported diagnostic is where `annotation` says: the same code, file and line, the
/// caret columns when given (the end only when the span ends on that line; `<--` checks the start).
fn matches(annotation: &Annotation, reported: &Reported) -> bool {
    let columns_agree = match annotation.columns {
        None => true,
        Some((start, end)) => {
            reported.column == start && (end == 0 || reported.end_line != reported.line || reported.end_column == end)
        }
    };
    reported.code == annotation.code
        && reported.file == annotation.file
        && reported.line == annotation.line
        && columns_agree
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
        let run = match run_example(&example, dir.path()) {
            Ok(run) => run,
            Err(problem) => {
                failures.push(format!("{code}: {problem}"));
                continue;
            }
        };
        if !run.spec_generated {
            let spec_block = example.blocks.iter().find(|block| block.language() == "cohort");
            for annotation in annotations(&run.spec, spec_block.map_or("", |block| block.text.as_str())) {
                if !run.reported.iter().any(|reported| matches(&annotation, reported)) {
                    failures
                        .push(format!("{code}: nothing reported where {annotation:?} says; got {:?}", run.reported));
                }
            }
        }
        let mut reported: BTreeSet<String> = run.reported.iter().map(|r| r.code.clone()).collect();
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

#[test]
fn annotations_give_places_like_the_fixtures() {
    let spec = "axis a = [x, x]\n#             ^ warning[W0110]: dup\n#   continued: no place\n\
                # <-- note[N0505]\n# @../items/x.csv:3 error[E0305]\n# (and warning[W0404] in prose)\n";
    let found = annotations("cohorts/spec.cohort", spec);
    // Code, file, line and caret columns of each annotation.
    type Place<'a> = (&'a str, &'a str, u64, Option<(u64, u64)>);
    let places: Vec<Place> = found.iter().map(|a| (a.code.as_str(), a.file.as_str(), a.line, a.columns)).collect();
    assert_eq!(
        places,
        [
            ("W0110", "cohorts/spec.cohort", 1, Some((15, 16))),
            ("N0505", "cohorts/spec.cohort", 1, Some((1, 0))),
            ("E0305", "items/x.csv", 3, None),
        ]
    );
    let at = |column, end_column| Reported {
        code: "W0110".into(),
        file: "cohorts/spec.cohort".into(),
        line: 1,
        column,
        end_line: 1,
        end_column,
    };
    assert!(matches(&found[0], &at(15, 16)));
    assert!(!matches(&found[0], &at(14, 16)));
    assert!(!matches(&found[0], &at(15, 17)));
}
