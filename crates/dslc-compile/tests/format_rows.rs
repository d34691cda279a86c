//! Formatting never changes meaning: every spec of the repository (and of ../shared/reference,
//! when present) gives byte-identical design rows before and after `dslc_syntax::format`.

use std::path::{Path, PathBuf};

use dslc_db::diagnostic::Severity;
use dslc_db::{Database, Db};

fn specs_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            specs_under(&path, found);
        } else if path.extension().is_some_and(|e| e == "cohort") {
            found.push(dslc_db::db::normalize(&path));
        }
    }
}

/// The rows of the spec at `path` as the database now holds it, or `None` when it has errors.
fn rows(db: &Database, path: &Path) -> Option<Vec<u8>> {
    let file = db.file(path);
    if dslc_db::check(db, file).iter().any(|d| d.severity == Severity::Error) {
        return None;
    }
    let mut out = Vec::new();
    dslc_compile::rows::write_rows(&dslc_db::analyze(db, file).design, &mut out).unwrap();
    Some(out)
}

/// Formats every spec under `dirs` in place (in the database only) and compares the rows;
/// returns how many specs had rows to compare.
fn compare(dirs: &[PathBuf]) -> usize {
    let mut specs = Vec::new();
    for dir in dirs {
        specs_under(dir, &mut specs);
    }
    specs.sort();
    let mut compared = 0;
    for path in specs {
        let mut db = Database::default();
        let text = db.file(&path).contents(&db).text.clone();
        let before = rows(&db, &path);
        let Ok(formatted) = dslc_syntax::format(&text) else { continue };
        db.set_file_text(&path, formatted.clone());
        let after = rows(&db, &path);
        assert_eq!(before.is_some(), after.is_some(), "{}: formatting changed whether it has errors", path.display());
        if let (Some(before), Some(after)) = (before, after) {
            assert!(before == after, "{}: rows changed after formatting to:\n{formatted}", path.display());
            compared += 1;
        }
    }
    compared
}

#[test]
fn formatting_keeps_the_rows_of_every_repository_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let compared = compare(&[root.join("examples"), root.join("tests")]);
    assert!(compared >= 15, "only {compared} specs had rows");
}

#[test]
fn formatting_keeps_the_rows_of_the_reference_specs_when_present() {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    if !reference.is_dir() {
        return;
    }
    assert_eq!(compare(&[reference]), 7, "every reference spec has rows");
}
