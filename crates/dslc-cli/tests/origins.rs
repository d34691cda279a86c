//! True origins and the reuse policy through the real binary: a store seeded by cohort A and
//! compiled by cohort B keeps A as the origin of what it holds (stage_manifest.json, the wide
//! membership, the store itself), marks reuse, counts it per stage, refuses a store entry that
//! disagrees with the plan (E0606) or cannot be read (E0608), and applies `reuse` and
//! `--reuse-from` (E0607).

use std::fs;
use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
use serde_json::Value;

fn dslc_in(cwd: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("dslc").unwrap().current_dir(cwd).env("NO_COLOR", "1").args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A one-draft, one-essay spec with `evaluation_llms` evaluators and extra statements on top.
fn spec(head: &str, evaluation_llms: &str) -> String {
    format!(
        "{head}\naxis combo_id = [combo_v1_a]\naxis draft_template = [creative-synthesis-v10]\n\
         axis draft_llm = [gemini_25_pro]\naxis essay_template = [essay-theme-v16]\naxis essay_llm = [sonnet-4]\n\
         axis evaluation_template = [novelty-v2]\naxis evaluation_llm = [{evaluation_llms}]\n"
    )
}

/// A project whose store `gens` was seeded by cohort `cohort-a` (one draft, essay, evaluation),
/// and a spec `b.cohort` of cohort `cohort-b` that adds a second evaluator.
fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.cohort"), spec("cohort cohort-a", "sonnet-4")).unwrap();
    fs::write(dir.path().join("b.cohort"), spec("cohort cohort-b", "sonnet-4, gpt-4.1")).unwrap();
    let seeded =
        dslc_in(dir.path(), &["compile", "a.cohort", "--out", "out-a", "--gens-root", "gens", "--seed-metadata"]);
    assert_eq!(seeded.status.code(), Some(0), "{}", stderr(&seeded));
    dir
}

const DRAFT: &str = "d_530mv6a462mquuj9";
const ESSAY: &str = "e_3150xdxixja26ylg";

fn metadata(dir: &Path, stage: &str, gen_id: &str) -> std::path::PathBuf {
    dir.join("gens").join(stage).join(gen_id).join("metadata.json")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Each stage_manifest entry as (stage, origin, reused).
fn manifest_origins(out: &Path) -> Vec<(String, String, Option<bool>)> {
    let text = fs::read_to_string(out.join("stage_manifest.json")).unwrap();
    let Value::Object(entries) = serde_json::from_str(&text).unwrap() else { panic!("{text}") };
    let mut found: Vec<(String, String, Option<bool>)> = entries
        .values()
        .map(|e| {
            (
                e["stage"].as_str().unwrap().to_string(),
                e["origin_cohort_id"].as_str().unwrap().to_string(),
                e["reused"].as_bool(),
            )
        })
        .collect();
    found.sort();
    found
}

fn owned(rows: &[(&str, &str, Option<bool>)]) -> Vec<(String, String, Option<bool>)> {
    rows.iter().map(|(s, o, r)| (s.to_string(), o.to_string(), *r)).collect()
}

#[test]
fn reused_generations_keep_the_store_origin_and_new_ones_get_this_cohort() {
    let dir = seeded();
    let before = fs::read_to_string(metadata(dir.path(), "draft", DRAFT)).unwrap();
    let args = ["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens", "--wide", "--seed-metadata"];
    let compiled = dslc_in(dir.path(), &args);
    assert_eq!(compiled.status.code(), Some(0), "{}", stderr(&compiled));
    let err = stderr(&compiled);
    assert!(err.contains("; 3 gen_ids already in the store, 1 new, 1 metadata.json seeded;"), "{err}");
    assert!(err.contains("; drafts 1 reused + 0 new, essays 1 reused + 0 new, evaluations 1 reused + 1 new;"), "{err}");

    let out = dir.path().join("out-b");
    assert_eq!(
        manifest_origins(&out),
        owned(&[
            ("draft", "cohort-a", Some(true)),
            ("essay", "cohort-a", Some(true)),
            ("evaluation", "cohort-a", Some(true)),
            ("evaluation", "cohort-b", Some(false)),
        ])
    );
    let membership = fs::read_to_string(out.join("membership.csv")).unwrap();
    let origins: Vec<&str> = membership.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert_eq!(origins, ["cohort-a", "cohort-a", "cohort-a", "cohort-b"], "{membership}");
    assert!(membership.starts_with(&format!("stage,gen_id,origin_cohort_id,parent_gen_id,combo_id,template_id,llm_model_id,replicate\ndraft,{DRAFT},cohort-a,")));

    // The store is never rewritten: A's files are as A wrote them, B's new one names B.
    assert_eq!(fs::read_to_string(metadata(dir.path(), "draft", DRAFT)).unwrap(), before);
    let new: Vec<Value> = fs::read_dir(dir.path().join("gens/evaluation"))
        .unwrap()
        .map(|e| read_json(&e.unwrap().path().join("metadata.json")))
        .collect();
    let mut new_origins: Vec<&str> = new.iter().map(|m| m["origin_cohort_id"].as_str().unwrap()).collect();
    new_origins.sort();
    assert_eq!(new_origins, ["cohort-a", "cohort-b"]);

    // The slim membership lists this cohort's members, so its cohort_id stays this cohort.
    let slim = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-slim", "--gens-root", "gens"]);
    assert_eq!(slim.status.code(), Some(0), "{}", stderr(&slim));
    let slim = fs::read_to_string(dir.path().join("out-slim/membership.csv")).unwrap();
    assert!(slim.lines().skip(1).all(|l| l.ends_with(",cohort-b")), "{slim}");
}

#[test]
fn without_a_store_there_is_no_reused_key_and_the_bytes_are_unchanged() {
    let dir = seeded();
    let plain = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "plain", "--wide"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let manifest = fs::read_to_string(dir.path().join("plain/stage_manifest.json")).unwrap();
    assert!(!manifest.contains("reused"), "{manifest}");
    assert_eq!(
        manifest_origins(&dir.path().join("plain")),
        owned(&[
            ("draft", "cohort-b", None),
            ("essay", "cohort-b", None),
            ("evaluation", "cohort-b", None),
            ("evaluation", "cohort-b", None),
        ])
    );
    // An empty store changes nothing but the `reused` marks, all false.
    fs::create_dir(dir.path().join("empty")).unwrap();
    let empty = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "with-empty", "--wide", "--gens-root", "empty"]);
    assert_eq!(empty.status.code(), Some(0), "{}", stderr(&empty));
    let with_store = fs::read_to_string(dir.path().join("with-empty/stage_manifest.json")).unwrap();
    assert_eq!(with_store.replace(",\n    \"reused\": false", ""), manifest);
    for file in ["membership.csv", "manifest.json"] {
        assert_eq!(
            fs::read(dir.path().join("with-empty").join(file)).unwrap(),
            fs::read(dir.path().join("plain").join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn the_legacy_cohort_id_key_is_an_origin_and_metadata_without_one_is_reused_as_this_cohort() {
    let dir = seeded();
    let draft = metadata(dir.path(), "draft", DRAFT);
    let mut value = read_json(&draft);
    let object = value.as_object_mut().unwrap();
    // A null origin_cohort_id leaves the legacy key to say it.
    object.insert("origin_cohort_id".into(), Value::Null);
    object.insert("cohort_id".into(), "legacy-a".into());
    fs::write(&draft, value.to_string()).unwrap();
    let essay = metadata(dir.path(), "essay", ESSAY);
    let mut value = read_json(&essay);
    value.as_object_mut().unwrap().remove("origin_cohort_id");
    fs::write(&essay, value.to_string()).unwrap();

    let compiled = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
    assert_eq!(compiled.status.code(), Some(0), "{}", stderr(&compiled));
    assert_eq!(
        manifest_origins(&dir.path().join("out-b")),
        owned(&[
            ("draft", "legacy-a", Some(true)),
            ("essay", "cohort-b", Some(true)),
            ("evaluation", "cohort-a", Some(true)),
            ("evaluation", "cohort-b", Some(false)),
        ])
    );
    // An origin that cannot be told is never allowed by a policy.
    let refused = dslc_in(
        dir.path(),
        &["compile", "b.cohort", "--out", "out-c", "--gens-root", "gens", "--reuse-from", "cohort-a,legacy-a"],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains(&format!("1 reused generation comes from cohorts that `--reuse-from cohort-a,legacy-a` does not allow: {ESSAY} (from unknown)")), "{}", stderr(&refused));
}

#[test]
fn a_store_entry_with_another_signature_is_an_error_naming_both_values_and_the_file() {
    let dir = seeded();
    let essay = metadata(dir.path(), "essay", ESSAY);
    let mut value = read_json(&essay);
    value["llm_model_id"] = "gpt-4.1".into();
    value["parent_gen_id"] = "d_1".into();
    value["replicate"] = 2.into();
    fs::write(&essay, value.to_string()).unwrap();
    let failed = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
    assert_eq!(failed.status.code(), Some(1));
    let err = stderr(&failed);
    let path = Path::new("gens").join("essay").join(ESSAY).join("metadata.json");
    for expected in [
        format!(
            "error[E0606]: essay {ESSAY}: the plan has llm_model_id \"sonnet-4\", the store has \"gpt-4.1\" ({})",
            path.display()
        ),
        format!(
            "error[E0606]: essay {ESSAY}: the plan has parent_gen_id \"{DRAFT}\", the store has \"d_1\" ({})",
            path.display()
        ),
    ] {
        assert!(err.contains(&expected), "{expected}\nin\n{err}");
    }
    assert!(!dir.path().join("out-b").exists(), "nothing is written");

    // Case and surrounding spaces do not make another generation, nor a replicate as a string.
    value["llm_model_id"] = " Sonnet-4 ".into();
    value["parent_gen_id"] = DRAFT.into();
    value["replicate"] = "1".into();
    fs::write(&essay, value.to_string()).unwrap();
    let same = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
}

#[test]
fn unusable_metadata_of_a_reused_generation_is_an_error() {
    let dir = seeded();
    let draft = metadata(dir.path(), "draft", DRAFT);
    for (text, reason) in [
        ("{\"origin_cohort_id\": ", "it is not valid JSON"),
        ("[1, 2]", "it is not a JSON object"),
        ("{\"origin_cohort_id\": 7}", "its origin_cohort_id is 7, not a cohort ID"),
        ("{\"cohort_id\": \" \"}", "its cohort_id is \" \", not a cohort ID"),
    ] {
        fs::write(&draft, text).unwrap();
        let failed = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
        assert_eq!(failed.status.code(), Some(1));
        let err = stderr(&failed);
        assert!(
            err.contains(&format!(
                "error[E0608]: draft {DRAFT} is in the store, but its metadata.json cannot be used: {reason}"
            )),
            "{err}"
        );
    }
    fs::remove_file(&draft).unwrap();
    fs::create_dir(&draft).unwrap();
    let failed = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
    assert!(
        stderr(&failed).contains("error[E0608]") && stderr(&failed).contains("not a regular file"),
        "{}",
        stderr(&failed)
    );
    assert!(!dir.path().join("out-b").exists());
}

#[test]
fn the_reuse_policy_refuses_other_cohorts_and_the_flag_overrides_the_spec() {
    let dir = seeded();
    fs::write(dir.path().join("b.cohort"), spec("cohort cohort-b\nreuse none", "sonnet-4, gpt-4.1")).unwrap();
    let refused = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
    assert_eq!(refused.status.code(), Some(1));
    let err = stderr(&refused);
    let evaluation = read_json(&dir.path().join("out-a/stage_manifest.json"))
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.starts_with("v_"))
        .unwrap()
        .clone();
    let expected = format!(
        "error[E0607]: 3 reused generations come from cohorts that `reuse none` does not allow: {DRAFT} (from cohort-a), {ESSAY} (from cohort-a), {evaluation} (from cohort-a) (store gens)"
    );
    assert!(err.contains(&expected), "{expected}\nin\n{err}");
    // The label is on the spec's statement.
    assert!(err.contains("b.cohort:2:1"), "{err}");
    assert!(!dir.path().join("out-b").exists());

    // `--reuse-from` overrides the spec's policy, either way.
    let allowed = dslc_in(
        dir.path(),
        &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens", "--reuse-from", "x, cohort-a"],
    );
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    fs::write(dir.path().join("b.cohort"), spec("cohort cohort-b\nreuse from [\"cohort-a\"]", "sonnet-4, gpt-4.1"))
        .unwrap();
    let by_spec = dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens"]);
    assert_eq!(by_spec.status.code(), Some(0), "{}", stderr(&by_spec));
    let by_flag =
        dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens", "--reuse-from", "none"]);
    assert_eq!(by_flag.status.code(), Some(1));
    assert!(stderr(&by_flag).contains("cohorts that `--reuse-from none` does not allow"), "{}", stderr(&by_flag));

    // A cohort's own generations are always its own: recompiling A under `reuse none` works.
    fs::write(dir.path().join("a.cohort"), spec("cohort cohort-a\nreuse none", "sonnet-4")).unwrap();
    let again = dslc_in(dir.path(), &["compile", "a.cohort", "--out", "out-a", "--gens-root", "gens"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(stderr(&again).contains("3 gen_ids already in the store, 0 new"), "{}", stderr(&again));
}

#[test]
fn more_than_five_refused_generations_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let evaluators = "m1, m2, m3, m4, m5, m6, m7";
    fs::write(dir.path().join("a.cohort"), spec("cohort cohort-a", evaluators)).unwrap();
    fs::write(dir.path().join("b.cohort"), spec("cohort cohort-b\nreuse from [cohort-c]", evaluators)).unwrap();
    let seeded =
        dslc_in(dir.path(), &["compile", "a.cohort", "--out", "out-a", "--gens-root", "gens", "--seed-metadata"]);
    assert_eq!(seeded.status.code(), Some(0), "{}", stderr(&seeded));
    let refused =
        dslc_in(dir.path(), &["compile", "b.cohort", "--out", "out-b", "--gens-root", "gens", "--format", "json"]);
    assert_eq!(refused.status.code(), Some(1));
    let line = String::from_utf8_lossy(&refused.stderr).lines().find(|l| l.contains("E0607")).unwrap().to_string();
    let message = serde_json::from_str::<Value>(&line).unwrap()["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("9 reused generations come from cohorts that `reuse from [cohort-c]` does not allow: "),
        "{message}"
    );
    assert_eq!(message.matches("(from cohort-a)").count(), 5, "{message}");
    assert!(message.ends_with(" and 4 more (store gens)"), "{message}");
}

#[test]
fn bad_reuse_from_values_are_usage_errors() {
    let dir = seeded();
    for (args, expected) in [
        (vec!["--reuse-from", "a,,b", "--gens-root", "gens"], "error: --reuse-from \"a,,b\": an empty cohort ID"),
        (vec!["--reuse-from", ""], "error: --reuse-from needs --gens-root"),
        (vec!["--reuse-from", "a"], "error: --reuse-from needs --gens-root"),
    ] {
        let mut all = vec!["compile", "b.cohort", "--out", "out-b"];
        all.extend(args);
        let failed = dslc_in(dir.path(), &all);
        assert_eq!(failed.status.code(), Some(2), "{all:?}");
        assert!(stderr(&failed).contains(expected), "{}", stderr(&failed));
    }
}

#[test]
fn an_evaluate_only_cohort_lists_its_essays_and_drafts_with_their_origin() {
    let dir = seeded();
    fs::write(
        dir.path().join("rescore.cohort"),
        format!("cohort rescore\naxis essay_gen_id = [{ESSAY}]\naxis evaluation_template = [rigor-check-v1]\naxis evaluation_llm = [gpt-4.1]\n"),
    )
    .unwrap();
    let compiled = dslc_in(dir.path(), &["compile", "rescore.cohort", "--out", "out-r", "--gens-root", "gens"]);
    assert_eq!(compiled.status.code(), Some(0), "{}", stderr(&compiled));
    assert_eq!(
        manifest_origins(&dir.path().join("out-r")),
        owned(&[
            ("draft", "cohort-a", Some(true)),
            ("essay", "cohort-a", Some(true)),
            ("evaluation", "rescore", Some(false))
        ])
    );
    assert!(
        stderr(&compiled).contains("drafts 1 reused + 0 new, essays 1 reused + 0 new, evaluations 0 reused + 1 new")
    );
}
