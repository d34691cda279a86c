//! Keeps the list of codes in `docs/diagnostics/README.md` generated from the registry
//! (`dslc_syntax::codes`): the test fails when they differ, and `UPDATE_DOCS=1` rewrites it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dslc_syntax::codes::{self, Severity};

const START: &str = "<!-- codes:start: generated from crates/dslc-syntax/src/codes.rs by \
                     `UPDATE_DOCS=1 cargo test -p dslc-cli --test docs_codes`; do not edit -->";
const END: &str = "<!-- codes:end -->";

fn readme() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diagnostics/README.md")
}

/// The list as the registry gives it: one section per area, one table row per code.
fn generated_list() -> String {
    let mut out = String::new();
    for (digits, title) in codes::AREAS {
        let in_area: Vec<_> = codes::ALL.iter().filter(|code| codes::area(**code) == *digits).collect();
        if in_area.is_empty() {
            continue;
        }
        // The heading names each letter the area uses, errors first: `E04xx/W04xx`.
        let letters: Vec<String> = ['E', 'W', 'N']
            .into_iter()
            .filter(|letter| in_area.iter().any(|code| code.id.starts_with(*letter)))
            .map(|letter| format!("{letter}{digits}xx"))
            .collect();
        let _ = writeln!(out, "\n## {} — {title}\n", letters.join("/"));
        out.push_str("| Code | Severity | Title | Page |\n|---|---|---|---|\n");
        for code in in_area {
            let severity = match code.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let _ = writeln!(out, "| {id} | {severity} | {} | [{id}.md]({id}.md) |", code.title, id = code.id);
        }
    }
    out.push('\n');
    out
}

/// `text` with what lies between the markers replaced by `list`, or `None` without the markers.
fn with_list(text: &str, list: &str) -> Option<String> {
    let start = text.find(START)? + START.len();
    let end = start + text[start..].find(END)?;
    Some(format!("{}{list}{}", &text[..start], &text[end..]))
}

#[test]
fn the_codes_list_in_the_docs_is_generated_from_the_registry() {
    let path = readme();
    let text = std::fs::read_to_string(&path).expect("docs/diagnostics/README.md is readable");
    let wanted = with_list(&text, &generated_list())
        .unwrap_or_else(|| panic!("docs/diagnostics/README.md lacks the markers\n{START}\n{END}"));
    if wanted == text {
        return;
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, wanted).expect("docs/diagnostics/README.md is writable");
        return;
    }
    panic!(
        "docs/diagnostics/README.md's list of codes differs from the registry; \
         run `UPDATE_DOCS=1 cargo test -p dslc-cli --test docs_codes` and review the diff"
    );
}

#[test]
fn the_list_names_every_code_once_with_its_page() {
    let list = generated_list();
    for code in codes::ALL {
        let row = format!("| {} |", code.id);
        assert_eq!(list.matches(&row).count(), 1, "{} is not listed exactly once", code.id);
        assert!(list.contains(&format!("[{id}.md]({id}.md)", id = code.id)));
    }
}

#[test]
fn replacing_keeps_the_text_around_the_markers() {
    let text = format!("before\n{START}\nold\n{END}\nafter\n");
    assert_eq!(with_list(&text, "\nnew\n").unwrap(), format!("before\n{START}\nnew\n{END}\nafter\n"));
    assert_eq!(with_list("no markers", "x"), None);
}
