//! Design rows of small specs in `tests/fixtures/rows`, snapshotted as the `rows.csv` users read.

use std::path::Path;

use dslc_db::{Database, Db};

#[test]
fn rows_fixtures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/rows");
    let mut specs: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    specs.retain(|p| p.extension().is_some_and(|e| e == "cohort"));
    specs.sort();
    assert!(specs.len() >= 4, "fixture corpus present");
    for spec_path in specs {
        let spec_path = dslc_db::db::normalize(&spec_path);
        let db = Database::default();
        let file = db.file(&spec_path);
        let errors: Vec<_> = dslc_db::check(&db, file)
            .iter()
            .filter(|d| d.severity == dslc_db::diagnostic::Severity::Error)
            .cloned()
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", spec_path.display());
        let mut out = Vec::new();
        dslc_compile::rows::write_rows(&dslc_db::analyze(&db, file).design, &mut out).unwrap();
        let name = spec_path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, String::from_utf8(out).unwrap());
    }
}
