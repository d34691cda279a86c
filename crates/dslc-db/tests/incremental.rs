//! Salsa incrementality: after an edit, only the queries that depend on the edited file re-run.

use std::path::{Path, PathBuf};

use dslc_db::diagnostic::Severity;
use dslc_db::{Database, Db};

const SPEC: &str = "axis combo_id = [c]\n\
axis draft_template = file(\"items/drafts.csv\")\n\
axis draft_llm = file(\"items/models.txt\")\n\
axis essay_template = [e]\n\
axis essay_llm = [m]\n\
axis evaluation_template = [v]\n\
axis evaluation_llm = [m]\n";

fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("items")).unwrap();
    std::fs::write(dir.path().join("spec.cohort"), SPEC).unwrap();
    std::fs::write(dir.path().join("items/drafts.csv"), "draft_template\nd1\nd2\n").unwrap();
    std::fs::write(dir.path().join("items/models.txt"), "m\n").unwrap();
    let spec = dir.path().join("spec.cohort");
    (dir, spec)
}

fn rows(db: &Database, spec: &Path) -> u128 {
    let file = db.file(spec);
    let problems: Vec<_> = dslc_db::check(db, file).iter().filter(|d| d.severity != Severity::Note).collect();
    assert!(problems.is_empty(), "{problems:?}");
    dslc_db::counts(db, file).expect("clean spec has counts").rows
}

#[test]
fn editing_an_included_csv_reruns_only_what_reads_it() {
    let (dir, spec) = project();
    let mut db = Database::with_query_log();
    assert_eq!(rows(&db, &spec), 2);
    db.take_executed();

    db.set_file_text(&dir.path().join("items/drafts.csv"), "draft_template\nd1\nd2\nd3\n");
    assert_eq!(rows(&db, &spec), 3);
    // The spec is not parsed again and the other include is not re-read.
    assert_eq!(db.take_executed(), ["catalog_diagnostics", "check", "counts", "include_table", "numbered_analysis"]);
}

#[test]
fn editing_the_spec_reparses_but_does_not_reread_includes() {
    let (_dir, spec) = project();
    let mut db = Database::with_query_log();
    rows(&db, &spec);
    db.take_executed();

    db.set_file_text(&spec, format!("{SPEC}axis draft_replicate = 1..2\n"));
    assert_eq!(rows(&db, &spec), 4);
    assert_eq!(
        db.take_executed(),
        ["catalog_diagnostics", "check", "counts", "numbered_analysis", "numbered_tree", "parse", "span_map"]
    );
}

#[test]
fn a_comment_edit_reruns_no_analysis() {
    let (_dir, spec) = project();
    let mut db = Database::with_query_log();
    rows(&db, &spec);
    let file = db.file(&spec);
    let before = dslc_db::check(&db, file).clone();
    db.take_executed();

    // A comment above every statement moves them all. The numbered tree is equal, so the
    // analysis, the catalog checks and the counts are reused; only the spans are mapped anew.
    db.set_file_text(&spec, format!("# a note\n\n{SPEC}"));
    assert_eq!(rows(&db, &spec), 2);
    assert_eq!(db.take_executed(), ["check", "has_errors", "numbered_tree", "parse", "span_map"]);
    let shift = "# a note\n\n".len();
    let after = dslc_db::check(&db, file);
    assert_eq!(after.len(), before.len());
    for (b, a) in before.iter().zip(after) {
        assert_eq!(a.primary.span, b.primary.span.start + shift..b.primary.span.end + shift, "{a:?}");
    }
    // Tools asking for the analysis get byte spans of the edited text.
    let text = format!("# a note\n\n{SPEC}");
    let analysis = dslc_db::analyze(&db, file);
    let decl = &analysis.design.factors[0].decl;
    assert_eq!(&text[decl.span.clone()], analysis.design.factors[0].name);
}

#[test]
fn an_edit_inside_one_statement_reruns_the_analysis() {
    let (_dir, spec) = project();
    let mut db = Database::with_query_log();
    rows(&db, &spec);
    db.take_executed();
    db.set_file_text(&spec, SPEC.replace("[e]", "[e,  e2]"));
    assert_eq!(rows(&db, &spec), 4);
    assert!(db.take_executed().contains(&"numbered_analysis".to_string()));
}

#[test]
fn a_file_that_appears_is_picked_up_after_reload() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.cohort");
    std::fs::write(&spec, "axis combo_id = file(\"combos.txt\")\n").unwrap();
    let mut db = Database::default();
    let file = db.file(&spec);
    let codes: Vec<&str> = dslc_db::check(&db, file).iter().map(|d| d.code.id).collect();
    assert_eq!(codes, ["E0301"]);

    std::fs::write(dir.path().join("combos.txt"), "c1\n").unwrap();
    db.reload_from_disk(&dir.path().join("combos.txt"));
    let codes: Vec<&str> =
        dslc_db::check(&db, file).iter().filter(|d| d.severity != Severity::Note).map(|d| d.code.id).collect();
    assert_eq!(codes, ["W0404"], "only the design-only warning remains");
}

#[test]
fn editing_a_catalog_reruns_only_the_catalog_checks() {
    let (dir, spec) = project();
    std::fs::write(dir.path().join("dslc.toml"), "data_root = \"data\"\n").unwrap();
    std::fs::create_dir_all(dir.path().join("data/1_raw")).unwrap();
    let models = dir.path().join("data/1_raw/llm_models.csv");
    std::fs::write(&models, "id,display_name\nm,Model M\n").unwrap();
    let mut db = Database::with_query_log();
    let file = db.file(&spec);
    assert!(dslc_db::check(&db, file).iter().all(|d| d.code.id != "E0501"));
    db.take_executed();

    db.set_file_text(&models, "id,display_name\nother,Other\n");
    let unknown: Vec<_> = dslc_db::check(&db, file).iter().filter(|d| d.code.id == "E0501").collect();
    assert_eq!(unknown.len(), 3, "m is now unknown wherever it is written: {unknown:?}");
    // The spec is neither parsed nor analysed again: only the catalog and its checks re-run.
    assert_eq!(db.take_executed(), ["catalog_diagnostics", "check", "load_catalog"]);
}
