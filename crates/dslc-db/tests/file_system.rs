//! The database reads only through its `FileSystem`: a project held in memory checks like one
//! on disk, directory existence is an input, and `refresh` picks up changes and nothing else.

use std::path::Path;
use std::sync::Arc;

use dslc_db::diagnostic::Severity;
use dslc_db::{Database, Db, MemoryFileSystem};

const ROOT: &str = "/in-memory/project";

fn project() -> Arc<MemoryFileSystem> {
    let fs = Arc::new(MemoryFileSystem::new());
    fs.write(format!("{ROOT}/dslc.toml"), "data_root = \"data\"\n");
    fs.create_dir(format!("{ROOT}/data"));
    fs.write(
        format!("{ROOT}/spec.cohort"),
        "axis draft_template = file(\"items/drafts.csv\")\nsubset draft_template = [d1]\n",
    );
    fs.write(format!("{ROOT}/items/drafts.csv"), "draft_template\nd1\nd2\n");
    fs
}

fn codes(db: &Database) -> Vec<&'static str> {
    let spec = db.file(&Path::new(ROOT).join("spec.cohort"));
    dslc_db::check(db, spec).iter().filter(|d| d.severity != Severity::Note).map(|d| d.code.id).collect()
}

#[test]
fn a_project_in_memory_is_checked_without_touching_the_disk() {
    let fs = project();
    let db = Database::default().with_file_system(fs);
    // Design-only (no stage fields) is a warning; no file or project problem.
    assert!(codes(&db).iter().all(|c| c.starts_with('W')), "{:?}", codes(&db));
    assert!(!Path::new(ROOT).exists(), "the test must not depend on the disk");
}

#[test]
fn a_changed_include_shows_after_refresh_and_only_then() {
    let fs = project();
    let mut db = Database::with_query_log().with_file_system(fs.clone());
    let before = codes(&db);
    assert!(!before.contains(&"E0201"), "{before:?}");

    fs.write(format!("{ROOT}/items/drafts.csv"), "draft_template\nd2\n");
    assert_eq!(codes(&db), before, "an unrefreshed database keeps what it observed");
    db.take_executed();
    assert_eq!(db.refresh(), [Path::new(ROOT).join("items/drafts.csv")]);
    assert!(codes(&db).contains(&"E0201"), "d1 is no longer a level: {:?}", codes(&db));
    assert!(db.take_executed().contains(&"include_table".to_string()));
}

#[test]
fn a_refresh_that_finds_no_change_reruns_nothing() {
    let mut db = Database::with_query_log().with_file_system(project());
    codes(&db);
    db.take_executed();
    assert!(db.refresh().is_empty());
    codes(&db);
    assert_eq!(db.take_executed(), Vec::<String>::new());
}

#[test]
fn a_data_root_that_disappears_is_reported_after_refresh() {
    let fs = Arc::new(MemoryFileSystem::new());
    fs.write(format!("{ROOT}/dslc.toml"), "data_root = \"data\"\n");
    fs.write(format!("{ROOT}/data/combo_mappings.csv"), "combo_id\nc1\n");
    fs.write(format!("{ROOT}/spec.cohort"), "axis combo_id = [c1]\n");
    let mut db = Database::default().with_file_system(fs.clone());
    assert!(!codes(&db).contains(&"E0512"), "{:?}", codes(&db));

    fs.remove(format!("{ROOT}/data/combo_mappings.csv"));
    let changed = db.refresh();
    assert!(changed.contains(&Path::new(ROOT).join("data")), "the directory input changed: {changed:?}");
    assert!(codes(&db).contains(&"E0512"), "data_root is no longer a directory: {:?}", codes(&db));
}
