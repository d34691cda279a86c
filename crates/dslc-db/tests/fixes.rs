//! Machine-applicable fixes: each one, applied to its file, makes its diagnostic go away.

use std::path::{Path, PathBuf};

use dslc_db::{Database, Db, Diagnostic};

/// A project in a temp dir with `files` (path, text); the spec is `spec.cohort`.
fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    let spec = dir.path().join("spec.cohort");
    (dir, spec)
}

fn check(spec: &Path) -> Vec<Diagnostic> {
    let db = Database::default();
    dslc_db::check(&db, db.file(spec)).clone()
}

/// The one diagnostic with `code`.
fn only(diagnostics: &[Diagnostic], code: &str) -> Diagnostic {
    let found: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.code.id == code).collect();
    assert_eq!(found.len(), 1, "expected one {code} in {diagnostics:#?}");
    found[0].clone()
}

/// Applies the fix of the `code` diagnostic and checks that `code` is gone afterwards; returns
/// the fixed file's text.
fn fix_removes(spec: &Path, code: &str) -> String {
    let diagnostic = only(&check(spec), code);
    let fix = diagnostic.fix.unwrap_or_else(|| panic!("{code} has no fix: {:?}", diagnostic.suggestions));
    let mut text = std::fs::read_to_string(&fix.file).unwrap();
    text.replace_range(fix.span.clone(), &fix.replacement);
    std::fs::write(&fix.file, &text).unwrap();
    let after = check(spec);
    assert!(after.iter().all(|d| d.code.id != code), "{code} remains after its fix: {after:#?}");
    text
}

const MODELS: &str = "id,model\nsonnet-4,anthropic/claude-sonnet-4\ngpt-4.1,openai/gpt-4.1\n";

#[test]
fn an_unknown_axis_is_replaced_by_the_one_close_name() {
    let (_dir, spec) = project(&[("spec.cohort", "axis draft_template = [a, b]\nsubset draft_templat = [a]\n")]);
    let fixed = fix_removes(&spec, "E0103");
    assert_eq!(fixed, "axis draft_template = [a, b]\nsubset draft_template = [a]\n");
}

#[test]
fn an_unknown_output_field_is_replaced() {
    let (_dir, spec) =
        project(&[("spec.cohort", "axis draft_llm = [a]\naxis combo_id = [c]\noutput combo_id, draft_lm\n")]);
    let fixed = fix_removes(&spec, "E0107");
    assert!(fixed.ends_with("output combo_id, draft_llm\n"), "{fixed}");
}

#[test]
fn an_unknown_catalog_id_in_the_spec_is_replaced() {
    let (_dir, spec) = project(&[
        ("dslc.toml", "data_root = \"data\"\n"),
        ("data/1_raw/llm_models.csv", MODELS),
        ("spec.cohort", "axis evaluation_llm = [sonnet-4, gpt4.1]\n"),
    ]);
    let fixed = fix_removes(&spec, "E0501");
    assert_eq!(fixed, "axis evaluation_llm = [sonnet-4, gpt-4.1]\n");
}

#[test]
fn an_unknown_catalog_id_in_an_included_csv_is_fixed_in_the_csv() {
    let (dir, spec) = project(&[
        ("dslc.toml", "data_root = \"data\"\n"),
        ("data/1_raw/llm_models.csv", MODELS),
        ("items/models.csv", "evaluation_llm\nsonnet-4\ngpt4.1\n"),
        ("spec.cohort", "axis evaluation_llm = file(\"items/models.csv\")\n"),
    ]);
    let diagnostic = only(&check(&spec), "E0501");
    assert_eq!(diagnostic.fix.as_ref().map(|f| f.file.to_path_buf()), Some(dir.path().join("items/models.csv")));
    fix_removes(&spec, "E0501");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("items/models.csv")).unwrap(),
        "evaluation_llm\nsonnet-4\ngpt-4.1\n"
    );
}

#[test]
fn an_unknown_key_in_dslc_toml_is_fixed_in_dslc_toml() {
    let (dir, spec) =
        project(&[("dslc.toml", "data_rot = \"data\"\n"), ("data/.keep", ""), ("spec.cohort", "axis x = [a]\n")]);
    fix_removes(&spec, "E0511");
    assert_eq!(std::fs::read_to_string(dir.path().join("dslc.toml")).unwrap(), "data_root = \"data\"\n");
}

#[test]
fn several_candidates_give_suggestions_but_no_fix() {
    let (_dir, spec) = project(&[("spec.cohort", "axis model_a = [x]\naxis model_b = [x]\nsubset model_c = [x]\n")]);
    let diagnostic = only(&check(&spec), "E0103");
    assert_eq!(diagnostic.suggestions.len(), 2, "{:?}", diagnostic.suggestions);
    assert_eq!(diagnostic.fix, None);
}

#[test]
fn no_candidate_no_fix() {
    let (_dir, spec) = project(&[("spec.cohort", "axis alpha = [x]\nsubset zzzzzzzz = [x]\n")]);
    let diagnostic = only(&check(&spec), "E0103");
    assert!(diagnostic.suggestions.is_empty());
    assert_eq!(diagnostic.fix, None);
}

#[test]
fn a_subset_value_that_is_not_a_level_is_replaced_by_the_level() {
    let (_dir, spec) =
        project(&[("spec.cohort", "axis draft_template = [alpha, gamma]\nsubset draft_template = [alpha, gamme]\n")]);
    let fixed = fix_removes(&spec, "W0202");
    assert!(fixed.ends_with("subset draft_template = [alpha, gamma]\n"), "{fixed}");
}
