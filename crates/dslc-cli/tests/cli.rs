//! The `dslc` binary end to end: every output format, exit code and error path of check,
//! compile and explain, run from the workspace root so paths print as people see them.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn root() -> PathBuf {
    dslc_root()
}

fn dslc_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn dslc(args: &[&str]) -> Output {
    Command::cargo_bin("dslc").unwrap().current_dir(root()).env("NO_COLOR", "1").args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

const EXAMPLE: &str = "examples/project";
const PILOT: &str = "examples/project/data/cohorts/pilot-2026-01/spec.cohort";

#[test]
fn check_clean_project_exits_0_with_counts() {
    let output = dslc(&["check", EXAMPLE]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn check_reports_errors_with_exit_1() {
    let output =
        dslc(&["check", "tests/fixtures/check/outside_domain.cohort", "tests/fixtures/check/consumed_axis.cohort"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn check_points_into_included_csv_files() {
    let output = dslc(&["check", "tests/fixtures/check/includes/spec.cohort"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn check_json_is_one_object_per_line() {
    let output = dslc(&["check", "--format", "json", "tests/fixtures/check/unknown_axis.cohort"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let objects: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let severities: Vec<&str> = objects.iter().map(|o| o["severity"].as_str().unwrap()).collect();
    assert_eq!(severities, ["error", "error", "note"], "two unknown axes and the no-catalog note");
    let first = &objects[0];
    for key in ["file", "code", "severity", "message", "line", "column", "end_line", "end_column", "labels", "help"] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["code"], "E0103");
    assert_eq!(first["line"], 3);
    assert_eq!(first["column"], 8);
    assert_eq!(first["end_column"], 21);
    assert_eq!(first["help"], "did you mean `draft_template`?");
    insta::assert_snapshot!(text);
}

#[test]
fn check_github_annotations() {
    let output = dslc(&["check", "--format", "github", "tests/fixtures/check/aliases.cohort"]);
    assert_eq!(output.status.code(), Some(0), "warnings alone pass");
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let spec = "tests/fixtures/check/aliases.cohort";
    assert_eq!(dslc(&["check", spec]).status.code(), Some(0));
    assert_eq!(dslc(&["check", "--deny-warnings", spec]).status.code(), Some(1));
}

#[test]
fn check_usage_and_io_problems_exit_2() {
    let missing = dslc(&["check", "no/such/spec.cohort"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("no such file or directory: no/such/spec.cohort"));

    let empty_dir = tempfile::tempdir().unwrap();
    let none = dslc(&["check", empty_dir.path().to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("no `.cohort` files found"));

    assert_eq!(dslc(&["check"]).status.code(), Some(2));
    assert_eq!(dslc(&["check", "--format", "xml", PILOT]).status.code(), Some(2));
    assert_eq!(dslc(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(dslc(&["--help"]).status.code(), Some(0));
}

#[test]
fn check_reports_syntax_errors_all_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("broken.cohort");
    std::fs::write(&spec, "axis combo_id = [c]\naxis draft_template [a, b]\naxis draft_llm = [m]\ntuple t (x, y) = [(a, b]\naxis essay_llm = [m]\n").unwrap();
    let output = dslc(&["check", "--format", "json", spec.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = stdout(&output).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let syntax: Vec<(i64, &str)> = lines
        .iter()
        .filter(|d| d["code"].as_str().unwrap().starts_with("E00"))
        .map(|d| (d["line"].as_i64().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert!(syntax.iter().any(|(line, _)| *line == 2), "missing `=` on line 2 reported: {syntax:?}");
    assert!(syntax.iter().any(|(line, _)| *line == 4), "unclosed tuple on line 4 reported: {syntax:?}");
}

#[test]
fn compile_rows_writes_rows_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = dslc(&["compile", PILOT, "--emit", "rows", "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let rows = std::fs::read_to_string(out.join("rows.csv")).unwrap();
    assert_eq!(rows.lines().count(), 129, "header and 128 rows");
    assert!(rows.starts_with("combo_id,draft_template,draft_llm,draft_replicate,essay_template,essay_llm,essay_replicate,evaluation_template,evaluation_llm,shared_llm\n"));
    assert_eq!(rows.lines().nth(1), Some("combo_v1_a,creative-synthesis-v2,gemini_25_pro,1,essay-theme-v16,gemini_25_pro,1,novelty-v2,sonnet-4,gemini_25_pro"));
    assert!(stderr(&output).contains("compiled pilot-2026-01: 128 rows; wrote"), "{}", stderr(&output));
    let entries: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert_eq!(entries, ["out"], "no staging directory left behind");
}

#[test]
fn compile_with_errors_writes_nothing_and_keeps_old_outputs() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("rows.csv"), "previous\n").unwrap();
    let output = dslc(&[
        "compile",
        "tests/fixtures/check/unknown_axis.cohort",
        "--emit",
        "rows",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("error[E0103]"));
    assert_eq!(std::fs::read_to_string(out.path().join("rows.csv")).unwrap(), "previous\n");
}

#[test]
fn compile_refuses_products_over_max_rows() {
    let out = tempfile::tempdir().unwrap();
    let output =
        dslc(&["compile", PILOT, "--emit", "rows", "--max-rows", "100", "--out", out.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("error[E0601]") && err.contains("128 rows"), "{err}");
    assert!(
        err.contains("combo_id (2) × draft_essay (4) × shared_llm (2) × draft_replicate (2) × evaluation_bundle (4)"),
        "{err}"
    );
    assert!(!out.path().join("rows.csv").exists());
}

#[test]
fn compile_io_and_usage_problems_exit_2() {
    let out = tempfile::tempdir().unwrap();
    let out_path = out.path().to_str().unwrap();
    assert_eq!(dslc(&["compile", "missing.cohort", "--emit", "rows", "--out", out_path]).status.code(), Some(2));
    assert_eq!(dslc(&["compile", PILOT, "--emit", "rows"]).status.code(), Some(2), "--out is required");
    // A file where the output directory should be cannot be created.
    let blocker = out.path().join("blocker");
    std::fs::write(&blocker, "").unwrap();
    let blocked = dslc(&["compile", PILOT, "--emit", "rows", "--out", blocker.join("sub").to_str().unwrap()]);
    assert_eq!(blocked.status.code(), Some(2));
    assert!(stderr(&blocked).contains("cannot write outputs"));
}

#[test]
fn explain_prints_pages_and_refuses_unknown_codes() {
    let page = dslc(&["explain", "e0103"]);
    assert_eq!(page.status.code(), Some(0));
    assert!(stdout(&page).starts_with("# E0103"));

    let unknown = dslc(&["explain", "E0199"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("not a dslc diagnostic code"));

    let list = dslc(&["explain", "--list"]);
    assert_eq!(list.status.code(), Some(0));
    assert!(stdout(&list).contains("E0103  error    unknown axis"));
}

const CATALOG_SPEC: &str = "tests/fixtures/check/catalog_project/cohorts/main/spec.cohort";

#[test]
fn check_suggests_catalog_ids_wherever_they_are_written() {
    let output = dslc(&["check", CATALOG_SPEC]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn catalog_flags_override_the_project() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("spec.cohort");
    std::fs::write(&spec, "axis combo_id = [c]\naxis draft_llm = [sonet-4]\n").unwrap();
    let models = dir.path().join("models.csv");
    std::fs::write(&models, "model_id,provider\nsonnet-4,anthropic\n").unwrap();
    let flag = format!("draft_llm={}:model_id", models.display());
    let output = dslc(&["check", "--format", "json", "--catalog", &flag, spec.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let first: serde_json::Value = serde_json::from_str(text.lines().find(|l| l.contains("E0501")).unwrap()).unwrap();
    assert_eq!(first["help"].as_str().unwrap().split('?').next().unwrap(), "did you mean `sonnet-4`");
    assert!(text.contains("\"severity\":\"note\""), "the combo field has no catalog: {text}");

    // --data-root supplies every default catalog; here the model catalog lacks its `id` column.
    let data = dir.path().join("data/1_raw");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("llm_models.csv"), "model,provider\nsonnet-4,anthropic\n").unwrap();
    let root = dir.path().join("data");
    let output = dslc(&["check", "--format", "json", "--data-root", root.to_str().unwrap(), spec.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("has no column `id`"), "{}", stdout(&output));
}

#[test]
fn bad_catalog_flags_are_usage_errors() {
    for flags in [
        vec!["--catalog", "draft_llm"],
        vec!["--catalog", "draft_lm=examples/project/data/1_raw/llm_models.csv"],
        vec!["--catalog", "draft_llm=no/such.csv"],
        vec!["--data-root", "no/such/dir"],
    ] {
        let mut args = vec!["check"];
        args.extend(flags.iter().copied());
        args.push(PILOT);
        let output = dslc(&args);
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {}", stderr(&output));
        assert!(stderr(&output).starts_with("error: --"), "{flags:?}: {}", stderr(&output));
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn compile_membership_writes_the_three_files() {
    let out = tempfile::tempdir().unwrap();
    let output = dslc(&["compile", PILOT, "--out", out.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let membership = read(&out.path().join("membership.csv"));
    assert!(membership.starts_with("stage,gen_id,cohort_id\ndraft,d_"));
    assert_eq!(membership.lines().count(), 1 + 16 + 32 + 128);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out.path().join("manifest.json"))).unwrap();
    assert_eq!(manifest["cohort_id"], "pilot-2026-01");
    assert_eq!(manifest["replication"]["evaluation"], 3, "from the example's replication catalog");
    assert_eq!(manifest["counts"]["evaluations"], 128);
    let stage_manifest: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("stage_manifest.json"))).unwrap();
    assert_eq!(stage_manifest.as_object().unwrap().len(), 16 + 32 + 128);
    assert!(!out.path().join("rows.csv").exists());
    assert!(stderr(&output).contains("compiled pilot-2026-01: 128 rows → 16 drafts, 32 essays, 128 evaluations"));
    // The files are named in the documented order, not in the order they were committed.
    let dir = out.path().display();
    let wrote = format!("wrote {dir}/membership.csv, {dir}/manifest.json, {dir}/stage_manifest.json\n");
    assert!(stderr(&output).ends_with(&wrote), "{}", stderr(&output));

    // The same inputs give byte-identical outputs.
    let again = tempfile::tempdir().unwrap();
    dslc(&["compile", PILOT, "--out", again.path().to_str().unwrap()]);
    for name in ["membership.csv", "manifest.json", "stage_manifest.json"] {
        assert_eq!(read(&out.path().join(name)), read(&again.path().join(name)), "{name}");
    }
}

#[test]
fn compile_wide_ir_and_cohort_id() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let output = dslc(&["compile", PILOT, "--wide", "--cohort-id", "renamed", "--out", o]);
    assert_eq!(output.status.code(), Some(0));
    let membership = read(&out.path().join("membership.csv"));
    assert!(membership
        .starts_with("stage,gen_id,origin_cohort_id,parent_gen_id,combo_id,template_id,llm_model_id,replicate\n"));
    assert!(membership.lines().nth(1).unwrap().contains(",renamed,,combo_v1_a,"));

    let ir_out = tempfile::tempdir().unwrap();
    let output = dslc(&["compile", PILOT, "--emit", "ir", "--out", ir_out.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    let ir: serde_json::Value = serde_json::from_str(&read(&ir_out.path().join("ir.json"))).unwrap();
    assert_eq!(ir["essays"].as_array().unwrap().len(), 32);
    assert!(ir["essays"][0]["parent_gen_id"].as_str().unwrap().starts_with("d_"));
}

#[test]
fn cohort_id_defaults_to_the_directory_skipping_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec_dir = dir.path().join("my-cohort/spec");
    std::fs::create_dir_all(&spec_dir).unwrap();
    let spec = spec_dir.join("spec.cohort");
    std::fs::write(&spec, "axis combo_id = [c]\naxis draft_template = [t]\naxis draft_llm = [m]\naxis essay_template = [e]\naxis essay_llm = [m]\naxis evaluation_template = [v]\naxis evaluation_llm = [m]\n").unwrap();
    let out = dir.path().join("out");
    let output = dslc(&["compile", spec.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(read(&out.join("membership.csv")).contains(",my-cohort\n"));
}

#[test]
fn compile_refuses_design_only_specs_and_collisions() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("out");
    let design_only = dslc(&["compile", "tests/fixtures/check/design_only.cohort", "--out", o.to_str().unwrap()]);
    assert_eq!(design_only.status.code(), Some(1));
    assert!(
        stderr(&design_only).contains("error[E0602]")
            && stderr(&design_only).contains("combo_id, draft_llm, essay_llm")
    );
    assert!(!o.exists(), "nothing written");
    // Rows still work for a design-only spec.
    let rows =
        dslc(&["compile", "tests/fixtures/check/design_only.cohort", "--emit", "rows", "--out", o.to_str().unwrap()]);
    assert_eq!(rows.status.code(), Some(0));

    let collision =
        dslc(&["compile", "tests/fixtures/compile/essay_llm_collision.cohort", "--out", o.to_str().unwrap()]);
    assert_eq!(collision.status.code(), Some(1));
    assert!(stderr(&collision).contains("error[E0405]"), "{}", stderr(&collision));
}

#[test]
fn gens_root_counts_reuse_and_seeding_never_overwrites() {
    let store = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (s, o) = (store.path().to_str().unwrap(), out.path().to_str().unwrap());
    let first = dslc(&["compile", PILOT, "--out", o, "--gens-root", s, "--seed-metadata"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("0 gen_ids already in the store, 176 new, 176 metadata.json seeded"),
        "{}",
        stderr(&first)
    );
    let membership = read(&out.path().join("membership.csv"));
    let draft_id = membership.lines().nth(1).unwrap().split(',').nth(1).unwrap().to_string();
    let draft_meta = store.path().join("draft").join(&draft_id).join("metadata.json");
    let meta: serde_json::Value = serde_json::from_str(&read(&draft_meta)).unwrap();
    let keys: Vec<&String> = meta.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["stage", "gen_id", "origin_cohort_id", "mode", "template_id", "combo_id", "llm_model_id", "replicate"]
    );
    assert_eq!(meta["mode"], "llm");
    // A file someone else wrote is never replaced.
    std::fs::write(&draft_meta, "{\"hand\": \"written\"}\n").unwrap();
    let second = dslc(&["compile", PILOT, "--out", o, "--gens-root", s, "--seed-metadata"]);
    assert_eq!(second.status.code(), Some(0));
    assert!(
        stderr(&second).contains("176 gen_ids already in the store, 0 new, 0 metadata.json seeded"),
        "{}",
        stderr(&second)
    );
    assert_eq!(read(&draft_meta), "{\"hand\": \"written\"}\n");

    assert_eq!(dslc(&["compile", PILOT, "--out", o, "--seed-metadata"]).status.code(), Some(2), "needs --gens-root");
    assert_eq!(dslc(&["compile", PILOT, "--out", o, "--gens-root", "no/such/store"]).status.code(), Some(2));
}

fn write_json(path: &Path, value: serde_json::Value) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

#[test]
fn evaluate_only_cohorts_read_lineage_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("gens");
    write_json(
        &store.join("draft/d_draft1/metadata.json"),
        serde_json::json!({"stage": "draft", "combo_id": "combo_a", "template_id": "creative-synthesis-v2", "llm_model_id": "sonnet-4", "replicate": 1}),
    );
    write_json(
        &store.join("essay/e_essay1/metadata.json"),
        serde_json::json!({"stage": "essay", "parent_gen_id": "d_draft1", "template_id": "essay-theme-v16", "llm_model_id": "sonnet-4", "replicate": 2}),
    );
    std::fs::write(dir.path().join("selected.txt"), "e_essay1\n").unwrap();
    let spec = dir.path().join("rescore.cohort");
    std::fs::write(&spec, "cohort rescore\naxis essay_gen_id = file(\"selected.txt\")\naxis evaluation_template = [novelty-v2, rigor-check-v1]\naxis evaluation_llm = [gpt-4.1]\n").unwrap();
    let out = dir.path().join("out");
    let (spec_s, out_s, store_s) = (spec.to_str().unwrap(), out.to_str().unwrap(), store.to_str().unwrap());
    let output = dslc(&["compile", spec_s, "--wide", "--out", out_s, "--gens-root", store_s]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let membership = read(&out.join("membership.csv"));
    let lines: Vec<&str> = membership.lines().collect();
    assert_eq!(lines.len(), 1 + 1 + 1 + 2);
    assert_eq!(lines[1], "draft,d_draft1,rescore,,combo_a,creative-synthesis-v2,sonnet-4,1");
    assert_eq!(lines[2], "essay,e_essay1,rescore,d_draft1,combo_a,essay-theme-v16,sonnet-4,2");
    assert!(
        lines[3].starts_with("evaluation,v_") && lines[3].contains(",rescore,e_essay1,combo_a,novelty-v2,gpt-4.1,1")
    );

    // Without a store the lineage cannot be read: a usage error.
    assert_eq!(dslc(&["compile", spec_s, "--out", out_s]).status.code(), Some(2));
    // An essay that is not in the store, and one whose metadata is broken.
    std::fs::write(dir.path().join("selected.txt"), "e_essay1\ne_missing\n").unwrap();
    let missing = dslc(&["compile", spec_s, "--out", out_s, "--gens-root", store_s]);
    assert_eq!(missing.status.code(), Some(1));
    let err = stderr(&missing);
    assert!(err.contains("error[E0603]") && err.contains("e_missing") && err.contains("metadata.json"), "{err}");
    std::fs::write(dir.path().join("selected.txt"), "e_essay1\n").unwrap();
    std::fs::write(store.join("essay/e_essay1/metadata.json"), "{not json").unwrap();
    let broken = dslc(&["compile", spec_s, "--out", out_s, "--gens-root", store_s]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(stderr(&broken).contains("error[E0604]"), "{}", stderr(&broken));
    assert_eq!(read(&out.join("membership.csv")), membership, "failed runs keep the previous outputs");
}

#[test]
fn a_failed_write_keeps_previous_outputs_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    assert_eq!(dslc(&["compile", PILOT, "--out", o]).status.code(), Some(0));
    let before = read(&out.join("membership.csv"));
    // The last file fails midway, after the first two are complete in the staging directory.
    let output = Command::cargo_bin("dslc")
        .unwrap()
        .current_dir(root())
        .env("DSLC_INJECT_WRITE_FAILURE", "stage_manifest.json")
        .args(["compile", PILOT, "--cohort-id", "other", "--out", o])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("injected failure"));
    assert_eq!(read(&out.join("membership.csv")), before, "membership.csv untouched");
    assert!(!read(&out.join("stage_manifest.json")).contains("half-written"));
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "out")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn compile_json_format_keeps_stderr_machine_readable() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().join("out");
    let output =
        dslc(&["compile", "tests/fixtures/check/design_only.cohort", "--format", "json", "--out", o.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    for line in stderr(&output).lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(value["code"].is_string());
    }
    assert!(stderr(&output).contains("\"code\":\"E0602\""));
}
