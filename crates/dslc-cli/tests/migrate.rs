//! `dslc migrate` through the real binary: every bundle under `tests/fixtures/migrate/`, the old
//! system's reference bundles in `../shared/reference`, and the command's file handling.
//!
//! A fixture is a directory holding a bundle (`config.yaml` unless its `args` file names the
//! command line) and what migrating it gives:
//! - `expected.cohort`: the spec printed on stdout (absent: migration fails and prints nothing);
//! - `expected.diagnostics`: one `CODE FILE:LINE:COLUMN` line per diagnostic, in order;
//! - `rows.csv`: the rows the old system compiled from the bundle (made once with its Python
//!   code, see `tests/fixtures/migrate/README.md`), which the migrated spec must compile to.
//!
//! `UPDATE_EXPECT=1` rewrites `expected.cohort` and `expected.diagnostics`; review the diff.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/migrate")
}

/// The old system's reference bundles, beside the checkout as CI has them.
fn shared_reference() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    path.is_dir().then_some(path)
}

fn dslc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dslc")).args(args).current_dir(dir).output().expect("dslc runs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// `CODE FILE:LINE:COLUMN` of every JSON diagnostic line in `text`.
fn diagnostics(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|d| {
            format!("{} {}:{}:{}", d["code"].as_str().unwrap(), d["file"].as_str().unwrap(), d["line"], d["column"])
        })
        .collect()
}

/// Compares `got` with the file `name` of the fixture, or rewrites it under `UPDATE_EXPECT`.
fn expect_file(case: &Path, name: &str, got: &str, failures: &mut Vec<String>) {
    let path = case.join(name);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        if got.is_empty() {
            let _ = std::fs::remove_file(&path);
        } else {
            std::fs::write(&path, got).unwrap();
        }
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != got {
        failures.push(format!("{}: {name} differs\n--- want\n{want}--- got\n{got}", case.display()));
    }
}

/// Every `*.cohort` file below `dir`.
fn cohort_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(cohort_files(&path));
        } else if path.extension().is_some_and(|e| e == "cohort") {
            found.push(path);
        }
    }
    found
}

/// Compiles `spec` (in `dir`) to rows and returns rows.csv, or the failure.
fn compile_rows(dir: &Path, spec: &str) -> Result<String, String> {
    let output = dslc(dir, &["compile", spec, "--emit", "rows", "--out", "rows-out"]);
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    Ok(std::fs::read_to_string(dir.join("rows-out/rows.csv")).unwrap())
}

#[test]
fn every_fixture_migrates_to_its_expected_spec_diagnostics_and_rows() {
    let mut failures = Vec::new();
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(fixtures()).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 20, "the fixtures are missing");
    for case in &cases {
        // The copy keeps the case's name, which is the bundle's cohort id.
        let temporary = tempfile::tempdir().unwrap();
        let dir = &temporary.path().join(case.file_name().unwrap());
        copy_dir(case, dir);
        let args_text = std::fs::read_to_string(case.join("args")).unwrap_or_else(|_| "migrate config.yaml".into());
        let mut args: Vec<&str> = args_text.split_whitespace().collect();
        args.extend(["--format", "json"]);
        let output = dslc(dir, &args);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let mut reported = diagnostics(&stderr).join("\n");
        if !reported.is_empty() {
            reported.push('\n');
        }
        expect_file(case, "expected.diagnostics", &reported, &mut failures);
        expect_file(case, "expected.cohort", &stdout, &mut failures);
        let succeeded = case.join("expected.cohort").exists() || !stdout.is_empty();
        let want_code = if succeeded { 0 } else { 1 };
        if output.status.code() != Some(want_code) {
            failures.push(format!("{}: exit {:?}, want {want_code}: {stderr}", case.display(), output.status.code()));
        }
        if !succeeded {
            if !cohort_files(dir).is_empty() {
                failures.push(format!("{}: a failed migration left a .cohort file", case.display()));
            }
            continue;
        }
        // The layout reads back without a single syntax diagnostic.
        let parsed = dslc_syntax::parse(&stdout);
        if !parsed.errors.is_empty() {
            failures.push(format!("{}: the migrated spec does not parse: {:?}", case.display(), parsed.errors));
        }
        // Written to a file, it checks without errors and compiles to the old system's rows.
        let mut write: Vec<&str> = args_text.split_whitespace().collect();
        write.extend(["-o", "migrated.cohort"]);
        let written = dslc(dir, &write);
        if !written.status.success() {
            failures.push(format!(
                "{}: migrate -o failed: {}",
                case.display(),
                String::from_utf8_lossy(&written.stderr)
            ));
            continue;
        }
        let check = dslc(dir, &["check", "migrated.cohort", "--format", "json"]);
        if check.status.code() != Some(0) {
            failures.push(format!(
                "{}: check of the migrated spec: {}",
                case.display(),
                String::from_utf8_lossy(&check.stdout)
            ));
        }
        if let Ok(want) = std::fs::read_to_string(case.join("rows.csv")) {
            match compile_rows(dir, "migrated.cohort") {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!("{}: rows differ\n--- want\n{want}--- got\n{got}", case.display())),
                Err(error) => failures.push(format!("{}: compile failed: {error}", case.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n\n"));
}

#[test]
fn every_reference_bundle_migrates_to_the_old_systems_rows() {
    let Some(reference) = shared_reference() else {
        eprintln!("../shared/reference is missing; skipped");
        return;
    };
    let mut checked = 0;
    let mut bundles: Vec<PathBuf> = std::fs::read_dir(&reference).unwrap().flatten().map(|e| e.path()).collect();
    bundles.sort();
    for bundle in bundles.iter().filter(|b| b.join("config.yaml").is_file()) {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join(bundle.file_name().unwrap());
        copy_dir(bundle, &copy);
        let output = dslc(&copy, &["migrate", "config.yaml", "-o", "migrated.cohort"]);
        assert!(output.status.success(), "{}: {}", bundle.display(), String::from_utf8_lossy(&output.stderr));
        let want = std::fs::read_to_string(bundle.join("expected/rows.csv")).unwrap();
        assert_eq!(compile_rows(&copy, "migrated.cohort").unwrap(), want, "{}", bundle.display());
        checked += 1;
    }
    assert_eq!(checked, 7, "the reference has seven bundles");
}

/// A directory with one small bundle in `NAME/config.yaml`.
fn bundle(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.yaml"), "# Two drafts.\naxes:\n  draft_template: [frame-v1, frame-v2]\n").unwrap();
    dir.join("config.yaml")
}

#[test]
fn an_existing_output_is_kept_without_force_and_replaced_with_it() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "a");
    std::fs::write(dir.path().join("out.cohort"), "# mine\n").unwrap();
    let refused = dslc(dir.path(), &["migrate", "a/config.yaml", "-o", "out.cohort"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("out.cohort exists; not overwritten") && stderr.contains("help: pass --force"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("out.cohort")).unwrap(), "# mine\n");
    let forced = dslc(dir.path(), &["migrate", "a/config.yaml", "-o", "out.cohort", "--force"]);
    assert!(forced.status.success());
    let text = std::fs::read_to_string(dir.path().join("out.cohort")).unwrap();
    assert_eq!(text, "# Two drafts.\ncohort a\n\naxis draft_template = [frame-v1, frame-v2]\n");
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn several_inputs_write_beside_each_bundle_with_a_summary_line_each() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "one");
    let spec_dir = dir.path().join("data/cohorts/two/spec");
    std::fs::create_dir_all(&spec_dir).unwrap();
    std::fs::write(spec_dir.join("config.yaml"), "axes:\n  draft_llm: [model-alpha]\n").unwrap();
    // The second already has a spec: it is kept, the others are still written.
    bundle(dir.path(), "three");
    std::fs::write(dir.path().join("three/spec.cohort"), "# kept\n").unwrap();
    let output = dslc(dir.path(), &["migrate", "one/config.yaml", "data/cohorts/two/spec", "three"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("migrated one/config.yaml -> one/spec.cohort (2 statements, 0 warnings)"), "{stderr}");
    assert!(
        stderr.contains(
            "migrated data/cohorts/two/spec/config.yaml -> data/cohorts/two/spec.cohort (2 statements, 0 warnings)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("three/spec.cohort exists; not overwritten"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("data/cohorts/two/spec.cohort")).unwrap(),
        "cohort two\n\naxis draft_llm = [model-alpha]\n"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("three/spec.cohort")).unwrap(), "# kept\n");
}

#[test]
fn an_output_directory_gets_one_spec_per_cohort_with_paths_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let spec_dir = dir.path().join("old/data/cohorts/pilot/spec");
    std::fs::create_dir_all(spec_dir.join("items")).unwrap();
    std::fs::write(spec_dir.join("config.yaml"), "axes:\n  draft_template: '@file:items/drafts.csv'\n").unwrap();
    std::fs::write(spec_dir.join("items/drafts.csv"), "draft_template\nframe-v1\n").unwrap();
    bundle(dir.path(), "other");
    let output = dslc(dir.path(), &["migrate", "old/data/cohorts/pilot/spec", "other", "-o", "new"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("new/pilot/spec.cohort")).unwrap(),
        "cohort pilot\n\naxis draft_template = file(\"../../old/data/cohorts/pilot/spec/items/drafts.csv\")\n"
    );
    assert!(dir.path().join("new/other/spec.cohort").is_file());
    // One input and an existing directory: the same layout.
    let single = dslc(dir.path(), &["migrate", "other/config.yaml", "-o", "new", "--force"]);
    assert!(single.status.success());
    assert!(String::from_utf8_lossy(&single.stderr).contains("-> new/other/spec.cohort"));
}

#[test]
fn usage_problems_exit_2_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "a");
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    let missing = dslc(dir.path(), &["migrate", "nope.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such file or directory: nope.yaml"));
    let not_a_bundle = dslc(dir.path(), &["migrate", "empty"]);
    assert_eq!(not_a_bundle.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_a_bundle.stderr).contains("holds none of config.yaml, config.yml, spec.json"));
    // Two inputs that would share one target.
    let clash = dslc(dir.path(), &["migrate", "a/config.yaml", "a", "-o", "out"]);
    assert_eq!(clash.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&clash.stderr).contains("would both be written to"));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_bundle_with_errors_writes_nothing_and_warnings_can_be_denied() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bad")).unwrap();
    std::fs::write(dir.path().join("bad/config.yaml"), "axes:\n  draft_llm: []\n").unwrap();
    let output = dslc(dir.path(), &["migrate", "bad", "-o", "bad.cohort"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!dir.path().join("bad.cohort").exists());
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("failed bad/config.yaml: 1 error, 0 warnings; nothing written"));
    std::fs::create_dir_all(dir.path().join("warn")).unwrap();
    std::fs::write(dir.path().join("warn/config.yaml"), "axes:\n  flag: [yes]\n").unwrap();
    let denied = dslc(dir.path(), &["migrate", "warn", "--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(denied.stdout.is_empty());
}

#[test]
fn a_yaml_syntax_error_reads_well() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.yaml"), "axes:\n  draft_llm: [model-alpha\n  essay_llm: [x]\n").unwrap();
    let output = dslc(dir.path(), &["--color", "never", "migrate", "config.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}

#[test]
fn the_guides_before_and_after_example_is_what_migrate_prints() {
    let guide = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/migrate.md")).unwrap();
    let block = |fence: &str| guide.split(fence).nth(1).and_then(|rest| rest.split("```").next()).unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("data/cohorts/pilot/spec");
    std::fs::create_dir_all(spec.join("items")).unwrap();
    std::fs::write(spec.join("config.yaml"), block("```yaml\n")).unwrap();
    std::fs::write(spec.join("items/combos.txt"), "combo_v1_a\n").unwrap();
    std::fs::write(spec.join("items/evaluation_templates.csv"), "evaluation_template\nnovelty-v2\n").unwrap();
    let output = dslc(dir.path(), &["migrate", "data/cohorts/pilot/spec"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), block("```cohort\n"));
}

#[test]
fn hostile_bundles_are_reported_not_crashed_on() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, bytes: &[u8]| {
        let bundle = dir.path().join(name);
        std::fs::create_dir_all(&bundle).unwrap();
        std::fs::write(bundle.join("config.yaml"), bytes).unwrap();
        let started = std::time::Instant::now();
        let output = dslc(dir.path(), &["migrate", name, "--format", "json"]);
        assert!(started.elapsed().as_secs() < 20, "{name} took too long");
        (output.status.code(), diagnostics(&String::from_utf8_lossy(&output.stderr)))
    };
    let (code, found) = run("utf8", b"axes:\n  draft_llm: [model-\xff]\n");
    assert_eq!((code, found), (Some(1), vec!["E0701 utf8/config.yaml:2:21".to_string()]));
    // Aliases of aliases: ten million nodes if expanded.
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..8 {
        let previous = format!("*a{}", level - 1);
        laughs.push_str(&format!("a{level}: &a{level} [{}]\n", [previous.as_str(); 10].join(", ")));
    }
    let (code, found) = run("laughs", laughs.as_bytes());
    assert_eq!(code, Some(1));
    assert!(found.iter().all(|d| d.starts_with("E0701")) && !found.is_empty(), "{found:?}");
    let (code, found) = run("deep", format!("axes: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)).as_bytes());
    assert_eq!((code, found.len()), (Some(1), 1), "{found:?}");
    // An include that is a directory is unreadable, not a crash.
    std::fs::create_dir_all(dir.path().join("dir/items.csv")).unwrap();
    let (code, found) = run("dir", b"axes:\n  draft_llm: '@file:items.csv'\n");
    assert_eq!((code, found), (Some(1), vec!["E0705 dir/config.yaml:2:14".to_string()]));
}

#[test]
fn migrated_specs_are_already_in_the_formatters_layout() {
    let mut checked = 0;
    for case in std::fs::read_dir(fixtures()).unwrap().flatten().map(|e| e.path()) {
        let Ok(spec) = std::fs::read_to_string(case.join("expected.cohort")) else { continue };
        assert_eq!(dslc_syntax::format::format(&spec).as_ref(), Ok(&spec), "{}", case.display());
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} fixtures have a spec");
}
