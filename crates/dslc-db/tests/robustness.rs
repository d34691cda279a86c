//! The whole checker never panics: every fixture spec, mutated at random (deterministically),
//! goes through parse, analysis, catalog checks and counts.

use std::path::{Path, PathBuf};

use dslc_db::{Database, Db};

use dslc_syntax::xorshift::XorShift;

fn specs(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            specs(&path, out);
        } else if path.extension().is_some_and(|e| e == "cohort") && !path.ends_with("too_many_levels.cohort") {
            // The level-limit fixture expands four million levels; mutating it a thousand times
            // would test memory bandwidth, not robustness.
            out.push(path);
        }
    }
}

/// Fragments that exercise the rules: names, values, keywords, brackets, ranges, files.
const PIECES: &[&str] = &[
    "axis ",
    "subset ",
    "tie ",
    "pair ",
    "tuple ",
    "output ",
    "cohort ",
    " = ",
    "[",
    "]",
    "(",
    ")",
    ", ",
    "..",
    "1..3",
    "file(\"items/x.csv\")",
    "draft_llm",
    "essay_llm",
    "combo_id",
    "None",
    "\"q\"",
    "balance left ",
    "\n",
    "# c\n",
    "é",
    "\u{1a}",
    "draft_template",
    "(a, (b, c))",
    "99999999999999999999",
    "-",
    ".",
];

#[test]
fn mutated_fixture_specs_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut all = Vec::new();
    specs(&root, &mut all);
    all.sort();
    assert!(all.len() > 20);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut runs = 0;
    for spec in &all {
        let original = std::fs::read_to_string(spec).unwrap();
        let spec = dslc_db::db::normalize(spec);
        let mut db = Database::default();
        let file = db.file(&spec);
        for _ in 0..40 {
            let mut text = original.clone();
            for _ in 0..1 + rng.below(4) {
                let mut at = rng.below(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.below(3) {
                    0 => text.insert_str(at, PIECES[rng.below(PIECES.len())]),
                    1 => {
                        let mut end = (at + 1 + rng.below(12)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        text.replace_range(at..end, "");
                    }
                    _ => {
                        let mut end = (at + rng.below(8)).min(text.len());
                        while !text.is_char_boundary(end) {
                            end += 1;
                        }
                        let piece = PIECES[rng.below(PIECES.len())];
                        text.replace_range(at..end, piece);
                    }
                }
            }
            db.set_file_text(&spec, text);
            let _ = dslc_db::check(&db, file);
            let _ = dslc_db::counts(&db, file);
            runs += 1;
        }
    }
    assert!(runs > 800);
}
