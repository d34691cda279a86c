//! `dslc diff`, `show`, `verify`, `why` and `compile --diff` through the real binary: on the
//! example project compiled into a temporary directory, on the old system's wide memberships
//! in ../shared/reference, and on every error path (missing files, malformed CSV, wrong
//! columns, unknown stages, duplicate gen_ids, a bad stage manifest).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

const PILOT: &str = "examples/project/data/cohorts/pilot-2026-01/spec.cohort";
const SWEEP: &str = "examples/project/data/cohorts/evaluator-sweep/spec.cohort";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The old system's fixtures, beside the checkout as CI has them (as gen_id.rs finds them).
/// Missing is a failure on CI and a skip elsewhere.
fn reference() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    if path.is_dir() {
        return Some(path);
    }
    assert!(std::env::var_os("CI").is_none(), "CI needs ../shared/reference beside the checkout");
    eprintln!("skipped: no {}", path.display());
    None
}

fn dslc_in(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("dslc").unwrap().current_dir(dir).env("NO_COLOR", "1").args(args).output().unwrap()
}

fn dslc(args: &[&str]) -> Output {
    dslc_in(&workspace(), args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Compiles `spec` into `out` (extra flags after), asserting success.
fn compile(spec: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["compile", spec, "--out", path(out)];
    args.extend_from_slice(extra);
    let output = dslc(&args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

/// The pilot compiled slim into `slim/` and wide into `wide/`.
fn pilot() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (slim, wide) = (dir.path().join("slim"), dir.path().join("wide"));
    compile(PILOT, &slim, &[]);
    compile(PILOT, &wide, &["--wide"]);
    (dir, slim, wide)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    file
}

// ---------------------------------------------------------------------------------------------
// diff

#[test]
fn diff_of_a_slim_and_a_wide_compile_of_one_spec_is_equal() {
    let (_dir, slim, wide) = pilot();
    let output = dslc(&["diff", path(&slim), path(&wide)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("draft: 0 added, 0 removed, 16 kept\n"), "{text}");
    assert!(text.contains("evaluation: 0 added, 0 removed, 128 kept\n"), "{text}");
    assert!(text.ends_with("the cohorts are equal\n"), "{text}");
    // A membership file alone, without its stage manifest, compares the same.
    let output = dslc(&["diff", path(&slim.join("membership.csv")), path(&wide.join("membership.csv"))]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn diff_of_two_cohorts_lists_what_each_stage_adds_and_removes() {
    let (dir, slim, _wide) = pilot();
    let sweep = dir.path().join("sweep");
    compile(SWEEP, &sweep, &[]);
    let output = dslc_in(dir.path(), &["diff", "slim", "sweep"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output).lines().filter(|l| !l.starts_with("  ")).collect::<Vec<_>>().join("\n"));
    let text = stdout(&output);
    assert!(
        text.contains("  + d_3wnqb5skhbhb4nt3  combo combo_v2_a, template creative-synthesis-v2, model gemini_25_pro, replicate 1\n"),
        "{text}"
    );
    assert!(text.contains("  - e_1nkrkdy4a2tpv55u  parent d_1c5hh522tl7kq40h, combo combo_v1_a, template essay-theme-v16, model gemini_25_pro, replicate 1\n"), "{text}");
    let json = dslc(&["diff", path(&slim), path(&sweep), "--format", "json"]);
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(value["equal"], false);
    assert_eq!(value["stages"]["draft"]["added"].as_array().unwrap().len(), 2);
    assert_eq!(value["stages"]["draft"]["removed"].as_array().unwrap().len(), 16);
    assert_eq!(value["stages"]["evaluation"]["added"][0]["details"]["template_id"], "novelty-v2");
    assert!(value["stages"]["essay"]["kept"].as_array().unwrap().is_empty());
}

#[test]
fn diff_reports_changed_fields_of_kept_gen_ids() {
    let (dir, _slim, wide) = pilot();
    let other = dir.path().join("renamed");
    compile(PILOT, &other, &["--wide", "--cohort-id", "pilot-b"]);
    let output = dslc(&["diff", path(&wide), path(&other), "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let changed = value["stages"]["draft"]["changed"].as_array().unwrap();
    assert_eq!(changed.len(), 16);
    assert_eq!(changed[0]["fields"]["cohort_id"], serde_json::json!({"old": "pilot-2026-01", "new": "pilot-b"}));
}

#[test]
fn diff_reads_the_old_systems_wide_memberships() {
    let Some(reference) = reference() else { return };
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["cohort_cartesian", "creative_alignment_tuple"] {
        let out = dir.path().join(fixture);
        let spec = reference.join(fixture).join("spec.cohort");
        compile(path(&spec), &out, &["--cohort-id", fixture]);
        let expected = reference.join(fixture).join("expected/membership.csv");
        // dslc's slim output with its stage manifest equals the old system's wide membership.
        let output = dslc(&["diff", path(&expected), path(&out)]);
        assert_eq!(output.status.code(), Some(0), "{fixture}: {}", stdout(&output));
    }
    let a = reference.join("cohort_cartesian/expected/membership.csv");
    let b = reference.join("creative_alignment_tuple/expected/membership.csv");
    let output = dslc(&["diff", path(&a), path(&b)]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("draft: 24 added, 2 removed, 0 kept\n"), "{}", stdout(&output));
}

#[test]
fn diff_errors_name_the_file_the_line_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.csv", "stage,gen_id,cohort_id\ndraft,d_1,c\n");
    let cases: &[(&str, &str, &str)] = &[
        ("malformed.csv", "stage,gen_id,cohort_id\ndraft,d_1\n", "malformed.csv:2: malformed CSV: the row has 2 fields, the header 3"),
        ("columns.csv", "stage,id,cohort_id\n", "columns.csv:1: unknown column `id` in a slim membership"),
        ("missing.csv", "stage,gen_id,origin_cohort_id\n", "missing.csv:1: missing column(s) `parent_gen_id`, `combo_id`, `template_id`, `llm_model_id`, `replicate` of a wide membership"),
        ("stage.csv", "stage,gen_id,cohort_id\nsketch,d_1,c\n", "stage.csv:2: unknown stage `sketch`"),
        ("dup.csv", "stage,gen_id,cohort_id\ndraft,d_1,c\ndraft,d_1,c\n", "dup.csv:3: duplicate gen_id `d_1`, first on line 2"),
        ("empty.csv", "", "empty.csv: the file is empty"),
    ];
    for (name, text, message) in cases {
        let bad = write(dir.path(), name, text);
        let output = dslc(&["diff", path(&good), path(&bad)]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        let err = stderr(&output);
        assert!(err.contains(message), "{name}: {err}");
        assert!(err.lines().any(|l| l.starts_with("help: ")), "{name}: {err}");
        assert!(stdout(&output).is_empty());
    }
    let output = dslc(&["diff", path(&good), path(&dir.path().join("nowhere"))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nowhere: no such file or directory"), "{}", stderr(&output));
    let empty_dir = dir.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let output = dslc(&["diff", path(&empty_dir), path(&good)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("this directory has no membership.csv"), "{}", stderr(&output));
}

#[test]
fn a_bad_stage_manifest_or_an_unfinished_commit_is_an_error() {
    let (_dir, slim, wide) = pilot();
    std::fs::write(slim.join("stage_manifest.json"), "{\n  \"d_1\": {\"stage\": \"draft\"}\n}\n").unwrap();
    let output = dslc(&["diff", path(&wide), path(&slim)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("stage_manifest.json:2: entry `d_1`: no `template_id` string"),
        "{}",
        stderr(&output)
    );
    std::fs::write(wide.join(".dslc-commit-in-progress"), "{}").unwrap();
    let output = dslc(&["show", path(&wide)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("records an unfinished commit"), "{}", stderr(&output));
}

#[test]
fn a_fifo_or_a_directory_named_membership_csv_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    std::fs::create_dir(&fifo).unwrap();
    let made = std::process::Command::new("mkfifo").arg(fifo.join("membership.csv")).status().unwrap();
    assert!(made.success());
    let output = dslc(&["show", path(&fifo)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("a FIFO (named pipe), not a regular file"), "{}", stderr(&output));
    let nested = dir.path().join("nested");
    std::fs::create_dir_all(nested.join("membership.csv")).unwrap();
    let output = dslc(&["verify", path(&nested.join("membership.csv"))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("this directory has no membership.csv"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------
// compile --diff

#[test]
fn compile_diff_prints_what_changes_and_still_writes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Into an empty --out everything is added.
    let output = dslc(&["compile", PILOT, "--out", path(&out), "--diff"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("draft: 16 added, 0 removed, 0 kept\n"), "{}", stdout(&output));
    assert!(out.join("membership.csv").is_file());
    let output = dslc(&["compile", PILOT, "--out", path(&out), "--diff"]);
    assert!(stdout(&output).ends_with("the cohorts are equal\n"), "{}", stdout(&output));
    let output = dslc(&["compile", SWEEP, "--out", path(&out), "--diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["stages"]["draft"]["removed"].as_array().unwrap().len(), 16);
    assert!(std::fs::read_to_string(out.join("membership.csv")).unwrap().contains("evaluator-sweep"));
    // An unreadable old membership is not compared, and the compile goes on.
    std::fs::write(out.join("membership.csv"), "stage,gen_id\n").unwrap();
    let output = dslc(&["compile", PILOT, "--out", path(&out), "--diff"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("warning: not compared with the membership in"), "{}", stderr(&output));
    assert!(std::fs::read_to_string(out.join("membership.csv")).unwrap().starts_with("stage,gen_id,cohort_id\n"));
    let output = dslc(&["compile", PILOT, "--out", path(&out), "--diff", "--emit", "rows"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--diff compares memberships"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------
// show

#[test]
fn show_joins_the_stage_manifest_into_the_wide_schema() {
    let (_dir, slim, wide) = pilot();
    let wide_text = std::fs::read_to_string(wide.join("membership.csv")).unwrap();
    let output = dslc(&["show", path(&slim), "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), wide_text);
    let output = dslc(&["show", path(&wide), "--stage", "essay"]);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 33, "{text}");
    assert!(text.starts_with("stage  gen_id              origin_cohort_id  parent_gen_id       combo_id    template_id      llm_model_id   replicate\nessay  e_1nkrkdy4a2tpv55u  pilot-2026-01     d_1c5hh522tl7kq40h  combo_v1_a  essay-theme-v16  gemini_25_pro  1\n"), "{text}");
    let output = dslc(&["show", path(&slim.join("membership.csv")), "--format", "json", "--stage", "draft"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 16);
    assert_eq!(value[0]["parent_gen_id"], serde_json::Value::Null);
    assert_eq!(value[0]["combo_id"], "combo_v1_a");
    // Without a stage manifest a slim membership has only its own three columns.
    std::fs::remove_file(slim.join("stage_manifest.json")).unwrap();
    let output = dslc(&["show", path(&slim), "--format", "csv"]);
    assert_eq!(stdout(&output), std::fs::read_to_string(slim.join("membership.csv")).unwrap());
    let output = dslc(&["show", path(&slim), "--tree"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("records no parents"), "{}", stderr(&output));
}

#[test]
fn show_reads_details_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let (out, store) = (dir.path().join("out"), dir.path().join("gens"));
    compile(PILOT, &out, &["--gens-root", path(&store), "--seed-metadata"]);
    let wide = dir.path().join("wide");
    compile(PILOT, &wide, &["--wide"]);
    std::fs::remove_file(out.join("stage_manifest.json")).unwrap();
    let output = dslc(&["show", path(&out), "--gens-root", path(&store), "--format", "csv"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The store's essays and evaluations carry no combo; it comes from their drafts.
    assert_eq!(stdout(&output), std::fs::read_to_string(wide.join("membership.csv")).unwrap());
    let output = dslc(&["show", path(&out), "--gens-root", path(&dir.path().join("nowhere"))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--gens-root"), "{}", stderr(&output));
    std::fs::write(store.join("draft/d_1c5hh522tl7kq40h/metadata.json"), "[").unwrap();
    let output = dslc(&["show", path(&out), "--gens-root", path(&store)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("d_1c5hh522tl7kq40h/metadata.json:1: malformed JSON"), "{}", stderr(&output));
}

#[test]
fn show_tree_draws_the_lineage() {
    let (dir, _slim, _wide) = pilot();
    let output = dslc_in(dir.path(), &["show", "wide", "--tree"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let head: Vec<&str> = text.lines().take(7).collect();
    insta::assert_snapshot!(head.join("\n"));
    assert_eq!(text.lines().count(), 176);
    let output = dslc_in(dir.path(), &["show", "wide", "--tree", "--stage", "essay"]);
    let text = stdout(&output);
    assert_eq!(text.lines().filter(|l| l.starts_with("essay ")).count(), 32, "{text}");
    assert_eq!(text.lines().count(), 160);
}

#[test]
fn show_prints_the_reference_memberships_as_they_are() {
    let Some(reference) = reference() else { return };
    for fixture in ["cohort_cartesian", "creative_alignment_tuple"] {
        let file = reference.join(fixture).join("expected/membership.csv");
        let output = dslc(&["show", path(&file), "--format", "csv"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert_eq!(stdout(&output), std::fs::read_to_string(&file).unwrap(), "{fixture}");
    }
}

// ---------------------------------------------------------------------------------------------
// verify

#[test]
fn verify_passes_on_compiled_and_reference_cohorts() {
    let (_dir, slim, wide) = pilot();
    for cohort in [&slim, &wide] {
        let output = dslc(&["verify", path(cohort)]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        assert!(stdout(&output).ends_with("verified: no problems\n"), "{}", stdout(&output));
    }
    let Some(reference) = reference() else { return };
    for fixture in ["cohort_cartesian", "creative_alignment_tuple"] {
        let output = dslc(&["verify", path(&reference.join(fixture).join("expected/membership.csv"))]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        assert!(stdout(&output).contains("not checked: membership against stage_manifest.json"));
    }
}

#[test]
fn verify_counts_broken_parents_and_manifest_mismatches_with_samples() {
    let (dir, _slim, wide) = pilot();
    // Drop the first two essays: their eight evaluations lose their parent, and the manifest
    // has two more entries than the membership.
    let text = std::fs::read_to_string(wide.join("membership.csv")).unwrap();
    let dropped = |l: &&str| l.starts_with("essay,e_1nkrkdy4a2tpv55u,") || l.starts_with("essay,e_29rnhy4crepaqy8z,");
    let kept: Vec<&str> = text.lines().filter(|l| !dropped(l)).collect();
    // An evaluation pointing at a draft, and a draft with a parent.
    let mut lines: Vec<String> = kept.iter().map(|l| l.to_string()).collect();
    lines[1] = lines[1].replace(",pilot-2026-01,,", ",pilot-2026-01,d_155tqx6cbnyz7see,");
    let last = lines.len() - 1;
    let mut fields: Vec<&str> = lines[last].split(',').collect();
    fields[3] = "d_1c5hh522tl7kq40h";
    lines[last] = fields.join(",");
    std::fs::write(wide.join("membership.csv"), lines.join("\n") + "\n").unwrap();
    let output = dslc_in(dir.path(), &["verify", "wide"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
    let output = dslc_in(dir.path(), &["verify", "wide", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(value["ok"], false);
    let problems = value["problems"].as_array().unwrap();
    assert!(problems.iter().all(|p| p["sample"].as_array().unwrap().len() <= 5));
}

#[test]
fn verify_recomputes_every_gen_id_from_its_fields() {
    let (dir, _slim, wide) = pilot();
    let text = std::fs::read_to_string(wide.join("membership.csv")).unwrap();
    // A hand-edited template: the row's gen_id no longer hashes from its fields.
    let edited =
        text.replacen(",creative-synthesis-v2,gemini_25_pro,1\n", ",creative-synthesis-v3,gemini_25_pro,1\n", 1);
    assert_ne!(edited, text);
    std::fs::write(wide.join("membership.csv"), edited).unwrap();
    let output = dslc_in(dir.path(), &["verify", "wide/membership.csv"]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("problem (1): gen_ids that are not the hash of their recorded fields\n  line 2: d_1c5hh522tl7kq40h: its fields give d_"),
        "{out}"
    );
}

#[test]
fn verify_with_a_store_tells_which_gen_ids_have_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let (out, store) = (dir.path().join("out"), dir.path().join("gens"));
    compile(PILOT, &out, &["--gens-root", path(&store), "--seed-metadata"]);
    let output = dslc(&["verify", path(&out), "--gens-root", path(&store)]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains(": 176 of 176 gen_ids have metadata.json\n"), "{}", stdout(&output));
    for gen_id in ["v_mussk0if65pgu2p", "v_37i2k1wtmtdewn4d"] {
        std::fs::remove_dir_all(store.join("evaluation").join(gen_id)).unwrap();
    }
    let output = dslc(&["verify", path(&out), "--gens-root", path(&store)]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains(": 174 of 176 gen_ids have metadata.json\n"), "{text}");
    assert!(text.contains("problem (2): gen_ids without metadata.json in the store\n"), "{text}");
    assert!(text.contains("v_mussk0if65pgu2p/metadata.json"), "{text}");
    let output = dslc(&["verify", path(&out), "--gens-root", path(&dir.path().join("nowhere"))]);
    assert_eq!(output.status.code(), Some(2));
    let output = dslc(&["verify", path(&dir.path().join("nowhere"))]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("help: "), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------
// why

#[test]
fn why_answers_present_and_excluded_combinations() {
    let output = dslc(&["why", PILOT, "draft_llm=sonnet-4", "essay_llm=sonnet-4"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "present: draft_llm=sonnet-4, essay_llm=sonnet-4 is in 64 of 128 rows\n");
    // The tie keeps only equal models, so a mixed pair is removed by it.
    let output = dslc(&["why", PILOT, "draft_llm=sonnet-4", "essay_llm=gemini_25_pro"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
    let output =
        dslc(&["why", PILOT, "draft_template=gwern_original", "essay_template=essay-theme-v16", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(value["code"], "E0801");
    assert_eq!(value["line"], 24);
    assert_eq!(value["help"], "with draft_template=gwern_original, `essay_template` can be `essay-theme-v17`");
    let output = dslc(&["why", PILOT, "draft_template=application-implementation-v2"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output)
            .contains("error[E0801]: subset of `draft_template` removes draft_template=application-implementation-v2"),
        "{}",
        stdout(&output)
    );
    let output = dslc(&["why", PILOT, "draft_llm=gpt-5", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!((value["code"].as_str(), value["line"].as_u64()), (Some("E0802"), Some(6)));
    // A tuple's derived axis has only the tuple's values: another was never a level.
    let output = dslc(&["why", PILOT, "essay_template=essay-theme-v99", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!((value["code"].as_str(), value["line"].as_u64()), (Some("E0802"), Some(18)));
    assert_eq!(
        value["labels"][0]["message"],
        "`essay_template` derived here by tuple `essay_plan` without `essay-theme-v99`"
    );
    let output = dslc(&["why", PILOT, "draft_lm=sonnet-4", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(value["code"], "E0803");
    assert_eq!(value["help"], "did you mean `draft_llm`?");
    let output = dslc(&["why", PILOT, "essay_replicate=2", "--format", "json"]);
    assert_eq!(stdout(&output).trim(), r#"{"present":true,"combination":["essay_replicate=2"],"rows":32,"total":128}"#);
}

#[test]
fn why_counts_agree_with_the_old_systems_rows() {
    let Some(reference) = reference() else { return };
    let fixture = reference.join("creative_alignment_tuple");
    let rows = std::fs::read_to_string(fixture.join("expected/rows.csv")).unwrap();
    let mut lines = rows.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (llm, combo) = (column("draft_llm"), column("combo_id"));
    let expected = lines
        .filter(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            cells[llm] == "gemini_25_pro" && cells[combo] == "combo_v1_c"
        })
        .count();
    let spec = fixture.join("spec.cohort");
    let output = dslc(&["why", path(&spec), "draft_llm=gemini_25_pro", "combo_id=combo_v1_c", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!(value["rows"], expected);
    assert_eq!(value["total"], rows.lines().count() - 1);
    let output = dslc(&[
        "why",
        path(&spec),
        "draft_template=creative-synthesis-v10",
        "essay_template=parsed-from-links-v1",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
    assert_eq!((value["code"].as_str(), value["line"].as_u64()), (Some("E0801"), Some(7)));
}

#[test]
fn why_never_forms_a_huge_product() {
    let dir = tempfile::tempdir().unwrap();
    // 10^12 rows: only the levels are looked at.
    let spec = write(
        dir.path(),
        "big.cohort",
        "axis a = 1..10000\naxis b = 1..10000\naxis c = 1..10000\naxis d = [x, y]\naxis e = 1..5000\n\
         pair p (d, e) = [(x, 1), (y, 2)]\nsubset c = 1..9999\n",
    );
    let started = std::time::Instant::now();
    let output = dslc(&["why", path(&spec), "c=10000", "a=5"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("subset of `c` removes c=10000"), "{}", stdout(&output));
    let output = dslc(&["why", path(&spec), "d=x", "e=2"]);
    assert!(stdout(&output).contains("pair `p` removes d=x, e=2"), "{}", stdout(&output));
    let output = dslc(&["why", path(&spec), "a=7", "d=y"]);
    assert_eq!(stdout(&output), "present: a=7, d=y is in 99990000 of 1999800000000 rows\n");
    assert!(started.elapsed().as_secs() < 60, "took {:?}", started.elapsed());
}

#[test]
fn why_refuses_bad_arguments_and_broken_specs() {
    let dir = tempfile::tempdir().unwrap();
    let output = dslc(&["why", PILOT, "draft_llm"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("error: `draft_llm` is not FIELD=VALUE"), "{}", stderr(&output));
    assert!(stderr(&output).contains("help: "));
    let output = dslc(&["why", PILOT, "draft_llm=sonnet-4", "draft_llm=gpt-4.1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("error: `draft_llm` is given twice"), "{}", stderr(&output));
    let output = dslc(&["why", path(&dir.path().join("none.cohort")), "a=b"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no such file"), "{}", stderr(&output));
    let broken = write(dir.path(), "broken.cohort", "axis a = [x]\nsubset b = [y]\n");
    let output = dslc(&["why", path(&broken), "a=x"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("error[E0103]") && err.contains("has errors, so its rows are not known"), "{err}");
    let output = dslc(&["why", PILOT]);
    assert_eq!(output.status.code(), Some(2));
}
