//! Did-you-mean in `check`: suggestions for the first unknown IDs of a spec, a single word
//! when they stop, and 10 KB IDs.

use dslc_db::catalog_check::SUGGESTION_LIMIT;
use dslc_db::{Database, Db};

/// The `i`th catalog ID: eight pseudo-random letters, so that IDs share few trigrams and each
/// lookup stays cheap even in a debug build.
fn id(i: usize) -> String {
    let mut state = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (0..8)
        .map(|_| {
            state ^= state >> 29;
            state = state.wrapping_mul(0xbf58_476d_1ce4_e5b9);
            char::from(b'a' + (state >> 59) as u8 % 26)
        })
        .collect()
}

/// A project whose draft template catalog lists `count` IDs, and a spec that writes each of them
/// misspelt by one added letter.
fn project(count: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("data/1_raw");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(dir.path().join("dslc.toml"), "data_root = \"data\"\n").unwrap();
    let catalog: String = (0..count).map(|i| format!("{}\n", id(i))).collect();
    std::fs::write(raw.join("draft_templates.csv"), format!("template_id\n{catalog}")).unwrap();
    let levels: Vec<String> = (0..count).map(|i| format!("{}q", id(i))).collect();
    let path = dir.path().join("spec.cohort");
    std::fs::write(&path, format!("axis draft_template = [{}]\n", levels.join(", "))).unwrap();
    (dir, path)
}

fn says_limit(d: &&dslc_db::Diagnostic) -> bool {
    d.help.as_deref().is_some_and(|h| h.contains(&format!("stops after {SUGGESTION_LIMIT} unknown IDs")))
}

#[test]
fn suggestions_stop_after_the_limit_and_say_so_once() {
    let (_dir, spec) = project(SUGGESTION_LIMIT + 3);
    let db = Database::default();
    let diagnostics = dslc_db::check(&db, db.file(&spec));
    let unknown: Vec<_> = diagnostics.iter().filter(|d| d.code.id == "E0501").collect();
    assert_eq!(unknown.len(), SUGGESTION_LIMIT + 3, "every unknown ID is still reported");
    let suggested: Vec<bool> = unknown.iter().map(|d| !d.suggestions.is_empty()).collect();
    assert!(suggested[..SUGGESTION_LIMIT].iter().all(|&s| s), "the first IDs get suggestions");
    assert!(suggested[SUGGESTION_LIMIT..].iter().all(|&s| !s), "later ones do not");
    assert_eq!(unknown[7].suggestions.first(), Some(&id(7)));
    let told: Vec<usize> = unknown.iter().enumerate().filter(|(_, d)| says_limit(d)).map(|(i, _)| i).collect();
    assert_eq!(told, [SUGGESTION_LIMIT], "the limit is stated once, where it starts");
}

#[test]
fn a_spec_under_the_limit_gets_every_suggestion() {
    let (_dir, spec) = project(50);
    let db = Database::default();
    let diagnostics = dslc_db::check(&db, db.file(&spec));
    let unknown: Vec<_> = diagnostics.iter().filter(|d| d.code.id == "E0501").collect();
    assert_eq!(unknown.len(), 50);
    for (i, d) in unknown.iter().enumerate() {
        assert_eq!(d.suggestions.first(), Some(&id(i)), "{}", d.message);
    }
    assert!(!unknown.iter().any(says_limit));
}

#[test]
fn ten_kilobyte_ids_are_reported_without_fuzzy_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("data/1_raw");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(dir.path().join("dslc.toml"), "data_root = \"data\"\n").unwrap();
    let long = "t".repeat(10_000);
    std::fs::write(raw.join("draft_templates.csv"), format!("template_id\n{long}\n{long}u\nshort\n")).unwrap();
    let spec = dir.path().join("spec.cohort");
    std::fs::write(&spec, format!("axis draft_template = [{long}v, {}, shrt]\n", long.to_uppercase())).unwrap();
    let db = Database::default();
    let diagnostics = dslc_db::check(&db, db.file(&spec));
    let unknown: Vec<_> = diagnostics.iter().filter(|d| d.code.id == "E0501").collect();
    assert_eq!(unknown.len(), 3);
    // One edit from a catalog ID, but too long to be a typo: no edit distance is computed.
    assert!(unknown[0].suggestions.is_empty());
    // A case-insensitive match is still found, whatever the length.
    assert_eq!(unknown[1].suggestions, [long.as_str()]);
    assert_eq!(unknown[2].suggestions, ["short"]);
}
