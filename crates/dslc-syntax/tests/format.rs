//! The formatter on whole files: the fixtures in tests/fixtures/format, every spec in the
//! repository and in ../shared/reference, and mutated inputs: it is idempotent, keeps every
//! statement and comment, and leaves a spec with syntax errors alone.

use std::path::{Path, PathBuf};

use dslc_syntax::format::meaning;
use dslc_syntax::xorshift::XorShift;
use dslc_syntax::{format, parse};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `*.<extension>` file under `dir`, sorted.
fn files_under(dir: &Path, extension: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == extension) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The comments of a spec as the formatter prints them, sorted: a comment outside any list
/// moves above its statement, so only the set is kept, not the order.
fn comments(text: &str) -> Vec<String> {
    let mut comments: Vec<String> = parse(text).comments.iter().map(|c| c.text.trim_end().to_string()).collect();
    comments.sort();
    comments
}

/// Checks every promise `format` makes about `text`; returns the formatted text, if any.
fn check_promises(text: &str, origin: &str) -> Option<String> {
    let parsed = parse(text);
    let formatted = match format(text) {
        Ok(formatted) => formatted,
        Err(error) => {
            assert_eq!(error.errors, parsed.errors, "{origin}: the error is not the syntax errors");
            assert!(!error.errors.is_empty(), "{origin}: refused without an error");
            return None;
        }
    };
    assert!(parsed.errors.is_empty(), "{origin}: formatted despite syntax errors");
    let again = parse(&formatted);
    assert!(again.errors.is_empty(), "{origin}: the output has errors {:?}:\n{formatted}", again.errors);
    assert_eq!(meaning(&again.file), meaning(&parsed.file), "{origin}: the statements changed:\n{formatted}");
    assert_eq!(comments(&formatted), comments(text), "{origin}: the comments changed:\n{formatted}");
    assert_eq!(format(&formatted).as_ref(), Ok(&formatted), "{origin}: not idempotent");
    Some(formatted)
}

#[test]
fn fixtures_format_to_their_expected_layout() {
    let dir = repo().join("tests/fixtures/format");
    let inputs = files_under(&dir, "input");
    assert!(inputs.len() >= 3, "fixture corpus present");
    let update = std::env::var_os("UPDATE_FORMAT_FIXTURES").is_some();
    let mut stale = Vec::new();
    for input in inputs {
        let text = std::fs::read_to_string(&input).unwrap();
        let formatted = check_promises(&text, &input.display().to_string()).expect("fixture inputs are valid");
        let expected_path = input.with_extension("cohort");
        if update {
            std::fs::write(&expected_path, &formatted).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if formatted != expected {
            stale.push(format!("{}:\n{formatted}", expected_path.display()));
        }
        // The expected layout is canonical: formatting it changes nothing.
        assert_eq!(format(&expected).as_ref(), Ok(&expected), "{} is not canonical", expected_path.display());
    }
    assert!(stale.is_empty(), "formatted differently (UPDATE_FORMAT_FIXTURES=1 rewrites):\n{}", stale.join("\n"));
}

/// Every spec of the repository, the deliberately broken fixtures included.
fn repository_specs() -> Vec<(PathBuf, String)> {
    let mut specs = Vec::new();
    for dir in ["examples", "tests"] {
        for path in files_under(&repo().join(dir), "cohort") {
            let text = std::fs::read_to_string(&path).unwrap();
            specs.push((path, text));
        }
    }
    specs
}

#[test]
fn every_spec_in_the_repository_keeps_its_meaning_and_formats_idempotently() {
    let specs = repository_specs();
    assert!(specs.len() >= 40, "found only {} specs", specs.len());
    let formatted = specs.iter().filter(|(path, text)| check_promises(text, &path.display().to_string()).is_some());
    assert!(formatted.count() >= 30, "most repository specs are valid");
}

#[test]
fn the_reference_specs_keep_their_meaning_when_present() {
    let dir = repo().join("../shared/reference");
    for path in files_under(&dir, "cohort") {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(check_promises(&text, &path.display().to_string()).is_some(), "{} is valid", path.display());
    }
}

/// Re-spaces a valid spec at random token boundaries, quotes some values and adds comments, which
/// must all format to the same layout as the original (comments aside).
fn mutate(text: &str, rng: &mut XorShift) -> String {
    let lexed = dslc_syntax::lexer::lex(text);
    let mut out = String::new();
    let mut last = 0;
    let mut comment = 0;
    for (token, span) in &lexed.tokens {
        // Keep what lay between the tokens when it held a comment; otherwise pick new spacing.
        let between = &text[last..span.start];
        if between.contains('#') || rng.below(4) == 0 {
            out.push_str(between);
        } else {
            out.push_str(rng.pick(&["", " ", "\n", "  \n\n\n  ", "\t"]));
        }
        if rng.below(12) == 0 && !between.contains('#') {
            comment += 1;
            out.push_str(&format!(" # mutation {comment}\n"));
        }
        match token {
            // A word that is not a name is a value, and quoting it changes nothing.
            dslc_syntax::lexer::Token::Word(w) if !dslc_syntax::is_name(w) && rng.below(2) == 0 => {
                out.push_str(&format!("\"{w}\""))
            }
            _ => out.push_str(&text[span.clone()]),
        }
        last = span.end;
    }
    out.push_str(&text[last..]);
    out
}

#[test]
fn mutated_specs_format_like_their_originals() {
    let mut rng = XorShift(0x5eed_f0e7);
    let mut compared = 0;
    for (path, text) in repository_specs() {
        let Ok(original) = format(&text) else { continue };
        let strip = |t: &str| meaning(&parse(t).file);
        for round in 0..20 {
            let mutated = mutate(&text, &mut rng);
            let origin = format!("{} (mutation {round}):\n{mutated}", path.display());
            // Quoting a word can make it an invalid name, and a line break can move a keyword to a
            // line start; such mutations are syntax errors, which must be refused and reported.
            let Some(formatted) = check_promises(&mutated, &origin) else { continue };
            assert_eq!(strip(&formatted), strip(&original), "{origin}");
            compared += 1;
        }
    }
    assert!(compared > 200, "only {compared} mutations stayed valid");
}

#[test]
fn random_edits_never_panic_and_keep_every_promise() {
    let mut rng = XorShift(0xf0_4d47);
    let pieces = ["[", "]", "(", ")", ",", "=", "..", "\"", "#", "\n", " ", "axis", "x", "1", "\\", "é"];
    for (path, text) in repository_specs() {
        for round in 0..20 {
            let mut mutated = text.clone();
            for _ in 0..=rng.below(3) {
                let mut at = rng.below(mutated.len() + 1);
                while !mutated.is_char_boundary(at) {
                    at -= 1;
                }
                if rng.below(2) == 0 {
                    mutated.insert_str(at, rng.pick(&pieces));
                } else {
                    let mut end = (at + rng.below(8)).min(mutated.len());
                    while !mutated.is_char_boundary(end) {
                        end -= 1;
                    }
                    mutated.replace_range(at..end, "");
                }
            }
            check_promises(&mutated, &format!("{} (edit {round}):\n{mutated}", path.display()));
        }
    }
}

#[test]
fn the_examples_of_docs_formatting_md_are_what_format_gives() {
    let page = std::fs::read_to_string(repo().join("docs/formatting.md")).unwrap();
    let blocks: Vec<&str> = page.split("```").skip(1).step_by(2).collect();
    let mut pairs = 0;
    for pair in blocks.windows(2) {
        let (Some(before), Some(after)) = (pair[0].strip_prefix("\n# Before\n"), pair[1].strip_prefix("\n# After\n"))
        else {
            continue;
        };
        assert_eq!(format(before).unwrap(), after, "docs/formatting.md: the example after\n{before}");
        pairs += 1;
    }
    assert!(pairs >= 2, "found {pairs} before/after examples");
}
