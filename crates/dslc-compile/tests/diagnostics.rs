//! Compile-time diagnostics as library values, on in-memory specs: too many rows (E0601),
//! design-only (E0602), plan collisions (E0405), lineage (E0603, E0604), parent integrity
//! (E0605), origins and the reuse policy against a store (E0607), what the editor gets, and the
//! replication and generator-mode lookups.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dslc_compile::diagnostics::{
    editor_plan_diagnostics, parent_integrity_diagnostic, plan_diagnostics, plan_error_diagnostic, plan_spec,
    PlanOptions, DEFAULT_MAX_ROWS,
};
use dslc_compile::gen_id::Stage;
use dslc_compile::lookups::{replication, template_mode};
use dslc_compile::plan::{self, Plan};
use dslc_db::{Database, Diagnostic, FilePath, SourceFile};

/// A directory no test writes to, so every file comes from `set_file_text`.
fn in_memory(name: &str) -> PathBuf {
    Path::new("/dslc-in-memory-test").join(name)
}

const FULL: &str = "axis combo_id = [c]\naxis draft_template = [t]\naxis draft_llm = [m]\naxis essay_template = [e]\naxis essay_llm = [m]\naxis evaluation_template = [v]\naxis evaluation_llm = [m]\n";

fn spec(db: &mut Database, text: &str) -> SourceFile {
    db.set_file_text(&in_memory("spec.cohort"), text)
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&str> {
    diagnostics.iter().map(|d| d.code.id).collect()
}

fn text_at<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
    &text[d.primary.span.clone()]
}

#[test]
fn a_clean_full_spec_plans_without_diagnostics() {
    let mut db = Database::default();
    let file = spec(&mut db, FULL);
    let planned = plan_spec(&db, file, &PlanOptions::default(), |_| {});
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    let plan = planned.plan.expect("a plan");
    assert_eq!((plan.drafts.len(), plan.essays.len(), plan.evaluations.len()), (1, 1, 1));
    assert!(editor_plan_diagnostics(&db, file).is_empty());
}

#[test]
fn too_many_rows_points_at_the_first_factor_and_names_every_factor() {
    let mut db = Database::default();
    let text = format!("{FULL}axis extra_a = [1, 2, 3]\naxis extra_b = [x, y]\n")
        .replace("[m]\naxis essay_t", "[m, n]\naxis essay_t");
    let file = spec(&mut db, &text);
    let options = PlanOptions { max_rows: 5, ..PlanOptions::default() };
    let planned = plan_spec(&db, file, &options, |_| {});
    assert_eq!(codes(&planned.diagnostics), ["E0601"]);
    assert!(planned.plan.is_none());
    let d = &planned.diagnostics[0];
    assert_eq!(d.message, "the product has 12 rows, more than --max-rows 5");
    assert_eq!(text_at(&text, d), "combo_id");
    let help = d.help.as_deref().unwrap();
    assert!(help.contains("draft_llm (2)") && help.contains("extra_a (3)") && help.contains(" × "), "{help}");
    // At the limit itself the spec passes.
    let at_limit = PlanOptions { max_rows: 12, ..PlanOptions::default() };
    assert!(plan_diagnostics(&db, file, &at_limit).is_empty());
}

#[test]
fn too_many_rows_is_reported_without_forming_the_product() {
    // 10^9 rows: building the plan would take minutes, the limit is checked from factor sizes.
    let mut db = Database::default();
    let digits = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
    let mut text = FULL.to_string();
    for axis in 0..9 {
        text.push_str(&format!("axis big_{axis} = {digits}\n"));
    }
    let file = spec(&mut db, &text);
    let editor = editor_plan_diagnostics(&db, file);
    assert_eq!(codes(editor), ["E0601"]);
    assert!(editor[0].message.contains(&format!("more than --max-rows {DEFAULT_MAX_ROWS}")));
}

#[test]
fn a_spec_without_axes_has_no_rows_to_limit() {
    let mut db = Database::default();
    let file = spec(&mut db, "cohort empty\n");
    let options = PlanOptions { max_rows: 0, form_plan: false, ..PlanOptions::default() };
    assert!(plan_spec(&db, file, &options, |_| {}).diagnostics.is_empty());
    assert_eq!(dslc_db::analyze(&db, file).design.row_count(), 0);
}

#[test]
fn nothing_is_planned_when_the_check_has_errors() {
    let mut db = Database::default();
    let file = spec(&mut db, &format!("{FULL}subset nowhere = [x]\n"));
    let options = PlanOptions { max_rows: 0, ..PlanOptions::default() };
    let planned = plan_spec(&db, file, &options, |_| {});
    assert!(planned.diagnostics.is_empty() && planned.plan.is_none());
    assert!(dslc_db::check(&db, file).iter().any(|d| d.severity == dslc_syntax::codes::Severity::Error));
}

#[test]
fn design_only_is_an_error_for_a_plan_and_only_the_checkers_warning_otherwise() {
    let mut db = Database::default();
    let text = "axis draft_template = [t]\naxis essay_template = [e]\naxis evaluation_template = [v]\naxis evaluation_llm = [m]\n";
    let file = spec(&mut db, text);
    let planned = plan_spec(&db, file, &PlanOptions::default(), |_| {});
    assert_eq!(codes(&planned.diagnostics), ["E0602"]);
    assert!(planned.diagnostics[0].message.contains("combo_id, draft_llm, essay_llm"));
    // `--emit rows` needs no plan, and the editor leaves the report to W0404.
    let rows_only = PlanOptions { form_plan: false, ..PlanOptions::default() };
    assert!(plan_spec(&db, file, &rows_only, |_| {}).diagnostics.is_empty());
    assert!(editor_plan_diagnostics(&db, file).is_empty());
    assert!(codes(dslc_db::check(&db, file)).contains(&"W0404"));
}

#[test]
fn a_plan_collision_names_the_stage_the_id_and_both_entries() {
    // The checker reports case collisions first (E0502), so the plan's own check is reached
    // through the plan builder directly.
    let mut db = Database::default();
    let text = FULL.replace("combo_id = [c]", "combo_id = [combo_a, Combo_A]");
    let file = spec(&mut db, &text);
    let design = &dslc_db::analyze(&db, file).design;
    let error = plan::build(design, |_| {}).unwrap_err();
    let path: FilePath = Arc::from(in_memory("spec.cohort").as_path());
    let d = plan_error_diagnostic(design, &path, &error);
    assert_eq!(d.code.id, "E0405");
    assert!(d.message.starts_with("two drafts would both get generation ID d_"), "{}", d.message);
    assert!(d.message.contains("(combo_id=combo_a, ") && d.message.contains("(combo_id=Combo_A, "), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("letter case"));
    assert_eq!(d.primary.span, 0..0);
}

#[test]
fn the_checker_finds_every_collision_the_plan_would_meet() {
    // Why the editor need not build the plan: each collision the plan builder reports is an
    // error of the checker first, and a spec with errors is not planned.
    let mut db = Database::default();
    for (variant, code) in [
        (FULL.replace("essay_llm = [m]", "essay_llm = [m, n]"), "E0405"),
        (FULL.replace("combo_id = [c]", "combo_id = [combo_a, Combo_A]"), "E0502"),
        (FULL.replace("evaluation_llm = [m]", "evaluation_llm = [m, \" m\"]"), "E0502"),
    ] {
        let file = spec(&mut db, &variant);
        let design = &dslc_db::analyze(&db, file).design;
        assert!(matches!(plan::build(design, |_| {}), Err(plan::PlanError::Collision(_))), "{variant}");
        assert!(codes(dslc_db::check(&db, file)).contains(&code), "{variant}");
        assert!(plan_spec(&db, file, &PlanOptions::default(), |_| {}).diagnostics.is_empty());
    }
}

#[test]
fn a_plan_entry_without_its_parent_is_e0605() {
    let mut db = Database::default();
    let file = spec(&mut db, FULL);
    let design = &dslc_db::analyze(&db, file).design;
    let path: FilePath = Arc::from(in_memory("spec.cohort").as_path());
    let mut plan: Plan = plan::build(design, |_| {}).unwrap();
    assert!(parent_integrity_diagnostic(design, &path, &plan).is_none());
    plan.essays[0].draft = 7;
    let d = parent_integrity_diagnostic(design, &path, &plan).expect("E0605");
    assert_eq!(d.code.id, "E0605");
    assert!(d.message.starts_with("1 essay(s) without their draft"), "{}", d.message);
}

const EVALUATE_ONLY: &str =
    "axis essay_gen_id = [e_missing1, e_broken1]\naxis evaluation_template = [v]\naxis evaluation_llm = [m]\n";

#[test]
fn evaluate_only_needs_a_store_and_the_editor_shows_nothing_without_one() {
    let mut db = Database::default();
    let file = spec(&mut db, EVALUATE_ONLY);
    let planned = plan_spec(&db, file, &PlanOptions::default(), |_| {});
    assert!(planned.needs_gens_root && planned.plan.is_none() && planned.diagnostics.is_empty());
    assert!(editor_plan_diagnostics(&db, file).is_empty());
}

#[test]
fn evaluate_only_lineage_problems_point_at_each_essay() {
    let store = tempfile::tempdir().unwrap();
    let broken = store.path().join("essay/e_broken1");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(broken.join("metadata.json"), "[1, 2]").unwrap();
    let mut db = Database::default();
    let file = spec(&mut db, EVALUATE_ONLY);
    let options = PlanOptions { gens_root: Some(store.path().to_path_buf()), ..PlanOptions::default() };
    let diagnostics = plan_diagnostics(&db, file, &options);
    assert_eq!(codes(&diagnostics), ["E0603", "E0604"]);
    assert_eq!(text_at(EVALUATE_ONLY, &diagnostics[0]), "e_missing1");
    assert!(diagnostics[0].message.contains("no metadata.json in the store"), "{}", diagnostics[0].message);
    assert_eq!(text_at(EVALUATE_ONLY, &diagnostics[1]), "e_broken1");
    assert!(diagnostics[1].message.contains("not a JSON object"), "{}", diagnostics[1].message);
}

#[test]
fn editor_diagnostics_follow_edits() {
    let mut db = Database::default();
    let big = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
    let mut text = FULL.to_string();
    for axis in 0..8 {
        text.push_str(&format!("axis big_{axis} = {big}\n"));
    }
    let file = spec(&mut db, &text);
    assert_eq!(codes(editor_plan_diagnostics(&db, file)), ["E0601"]);
    // 10^7 rows is under the default limit.
    let smaller = text.replace("axis big_7 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n", "");
    let file = spec(&mut db, &smaller);
    assert!(editor_plan_diagnostics(&db, file).is_empty());
}

/// A project on disk (its data root must be a directory) with a replication catalog and a
/// draft template catalog; the spec is held in memory.
fn project_with_catalogs(db: &mut Database, dir: &Path) -> SourceFile {
    let raw = dir.join("data/1_raw");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(dir.join("dslc.toml"), "data_root = \"data\"\n").unwrap();
    std::fs::write(raw.join("replication_config.csv"), "stage,replicates\ndraft,2\nessay,x\nevaluation,3\n").unwrap();
    std::fs::write(raw.join("draft_templates.csv"), "template_id,generator\nt,  Copy \nblank,\n").unwrap();
    db.set_file_text(&dir.join("spec.cohort"), FULL)
}

#[test]
fn replication_reads_whole_numbers_of_the_catalog() {
    let mut db = Database::default();
    let bare = spec(&mut db, FULL);
    assert!(replication(&db, bare).is_none(), "no catalog configured");
    let dir = tempfile::tempdir().unwrap();
    let file = project_with_catalogs(&mut db, dir.path());
    let replication = replication(&db, file).expect("a replication catalog");
    assert_eq!(replication.stages, [("draft".to_string(), 2), ("evaluation".to_string(), 3)]);
}

#[test]
fn template_mode_is_the_generator_column_or_llm() {
    let mut db = Database::default();
    let dir = tempfile::tempdir().unwrap();
    let file = project_with_catalogs(&mut db, dir.path());
    assert_eq!(template_mode(&db, file, Stage::Draft, "t"), "copy");
    assert_eq!(template_mode(&db, file, Stage::Draft, "blank"), "llm");
    assert_eq!(template_mode(&db, file, Stage::Draft, "unknown"), "llm");
    assert_eq!(template_mode(&db, file, Stage::Essay, "t"), "llm", "no essay template catalog");
}

#[test]
fn the_editor_query_reruns_only_when_its_spec_changes() {
    let mut db = Database::with_query_log();
    let file = spec(&mut db, FULL);
    let other = db.set_file_text(&in_memory("other.cohort"), FULL);
    editor_plan_diagnostics(&db, file);
    editor_plan_diagnostics(&db, other);
    db.take_executed();
    // Asking again, or after an edit of another spec, reuses the memoised result.
    db.set_file_text(&in_memory("other.cohort"), FULL.replace("[v]", "[w]"));
    editor_plan_diagnostics(&db, file);
    assert!(!db.take_executed().contains(&"editor_plan_diagnostics".to_string()));
    // An edit of the spec itself re-plans it.
    let file = spec(&mut db, &FULL.replace("[v]", "[v, w]"));
    assert!(editor_plan_diagnostics(&db, file).is_empty());
    assert!(db.take_executed().contains(&"editor_plan_diagnostics".to_string()));
}

/// Writes `metadata.json` for every entry of `plan` into a store, with `origin` as its origin.
fn seed_store(plan: &Plan, root: &Path, origin: &str) {
    for row in plan.members() {
        let path = dslc_compile::store::metadata_path(root, row.stage, &row.gen_id);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let metadata =
            serde_json::json!({"origin_cohort_id": origin, "template_id": row.template, "llm_model_id": row.llm});
        std::fs::write(path, metadata.to_string()).unwrap();
    }
}

#[test]
fn store_origins_enforce_the_spec_policy_unless_overridden() {
    use dslc_compile::diagnostics::store_origins;
    use dslc_db::ReusePolicy;
    let mut db = Database::default();
    let text = format!("cohort b\nreuse from [a]\n{FULL}");
    let file = spec(&mut db, &text);
    let plan = plan_spec(&db, file, &PlanOptions::default(), |_| {}).plan.unwrap();
    let design = &dslc_db::analyze(&db, file).design;
    let store = tempfile::tempdir().unwrap();
    let path: FilePath = Arc::from(in_memory("spec.cohort").as_path());
    seed_store(&plan, store.path(), "a");
    let origins = store_origins(design, &path, &plan, store.path(), "b", None).unwrap();
    assert_eq!(origins.counts(&plan).reused, [1, 1, 1]);
    assert_eq!(origins.cohorts(), ["a"]);

    seed_store(&plan, store.path(), "other");
    let refused = store_origins(design, &path, &plan, store.path(), "b", None).unwrap_err();
    assert_eq!(codes(&refused), ["E0607"]);
    assert_eq!(text_at(&text, &refused[0]), "reuse from [a]");
    let allowed = ReusePolicy::From(vec!["other".into()]);
    assert!(store_origins(design, &path, &plan, store.path(), "b", Some(&allowed)).is_ok());
    // The cohort's own generations are always allowed.
    assert!(store_origins(design, &path, &plan, store.path(), "other", Some(&ReusePolicy::None)).is_ok());
}
