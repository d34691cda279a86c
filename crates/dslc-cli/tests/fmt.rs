//! `dslc fmt` through the binary: in place, `--check`, `--diff`, stdin, directories, syntax
//! errors, failed writes, and the repository's canonical specs.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn dslc_in(dir: &Path, args: &[&str], stdin: &str) -> Output {
    Command::cargo_bin("dslc")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DSLC_INJECT_WRITE_FAILURE")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

const MESSY: &str = "axis  b=[x,\"y\"]\naxis long_name = 1 .. 2\n\n\n\ntie t(b,long_name) # why\n";
const TIDY: &str = "axis b         = [x, y]\naxis long_name = 1..2\n\ntie t (b, long_name)  # why\n";

/// A temporary directory holding `spec.cohort` with the given text.
fn project(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spec.cohort"), spec).unwrap();
    dir
}

#[test]
fn fmt_rewrites_a_file_in_place_and_a_second_run_changes_nothing() {
    let dir = project(MESSY);
    let output = dslc_in(dir.path(), &["fmt", "spec.cohort"], "");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(std::fs::read_to_string(dir.path().join("spec.cohort")).unwrap(), TIDY);
    assert_eq!(text(&output.stderr), "1 file reformatted, 0 files already formatted\n");
    let again = dslc_in(dir.path(), &["fmt", "spec.cohort"], "");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(text(&again.stderr), "0 files reformatted, 1 file already formatted\n");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, ["spec.cohort"], "no temporary file is left behind");
}

#[test]
fn check_changes_nothing_and_exits_1_naming_the_files_that_would_change() {
    let dir = project(MESSY);
    std::fs::create_dir(dir.path().join("tidy")).unwrap();
    std::fs::write(dir.path().join("tidy/ok.cohort"), TIDY).unwrap();
    let output = dslc_in(dir.path(), &["fmt", "--check", "."], "");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "would reformat spec.cohort\n");
    assert_eq!(text(&output.stderr), "1 file would be reformatted, 1 file already formatted\n");
    assert_eq!(std::fs::read_to_string(dir.path().join("spec.cohort")).unwrap(), MESSY);
    let clean = dslc_in(dir.path(), &["fmt", "--check", "tidy"], "");
    assert_eq!(clean.status.code(), Some(0));
    assert_eq!(text(&clean.stdout), "");
}

#[test]
fn diff_prints_a_unified_diff_and_changes_nothing() {
    let dir = project(MESSY);
    let output = dslc_in(dir.path(), &["fmt", "--diff", "spec.cohort"], "");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.path().join("spec.cohort")).unwrap(), MESSY);
    insta::assert_snapshot!(text(&output.stdout));
}

#[test]
fn a_dash_formats_stdin_to_stdout() {
    let output = dslc_in(&root(), &["fmt", "-"], MESSY);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), TIDY);
    assert_eq!(text(&output.stderr), "");
    let check = dslc_in(&root(), &["fmt", "--check", "-"], MESSY);
    assert_eq!((check.status.code(), text(&check.stdout)), (Some(1), String::new()));
    let canonical = dslc_in(&root(), &["fmt", "--check", "-"], TIDY);
    assert_eq!(canonical.status.code(), Some(0));
}

#[test]
fn stdin_with_syntax_errors_prints_nothing_to_stdout_and_the_errors_to_stderr() {
    let output = dslc_in(&root(), &["fmt", "-"], "axis a = [x\n");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("error[E0011]") && stderr.contains("<stdin>:1:10"), "{stderr}");
    assert!(stderr.contains("error: <stdin> not formatted: 1 syntax error (the file is left as it is)"), "{stderr}");
}

#[test]
fn a_file_with_syntax_errors_is_left_alone_and_the_others_are_formatted() {
    let dir = project(MESSY);
    let broken = "axis a = [x\naxis  b = [y]\n";
    std::fs::write(dir.path().join("broken.cohort"), broken).unwrap();
    let output = dslc_in(dir.path(), &["fmt", "--format", "json", "."], "");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.path().join("broken.cohort")).unwrap(), broken);
    assert_eq!(std::fs::read_to_string(dir.path().join("spec.cohort")).unwrap(), TIDY);
    let line: serde_json::Value = serde_json::from_str(text(&output.stderr).lines().next().unwrap()).unwrap();
    assert_eq!((line["code"].as_str(), line["line"].as_u64()), (Some("E0011"), Some(1)));
}

#[test]
fn a_failed_write_leaves_the_original_and_no_temporary_file() {
    let dir = project(MESSY);
    let output = Command::cargo_bin("dslc")
        .unwrap()
        .current_dir(dir.path())
        .env("DSLC_INJECT_WRITE_FAILURE", "fmt")
        .args(["fmt", "spec.cohort"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("error: cannot write spec.cohort: injected write failure"));
    assert_eq!(std::fs::read_to_string(dir.path().join("spec.cohort")).unwrap(), MESSY);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn formatting_keeps_the_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(MESSY);
    let spec = dir.path().join("spec.cohort");
    std::fs::set_permissions(&spec, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(dslc_in(dir.path(), &["fmt", "spec.cohort"], "").status.code(), Some(0));
    assert_eq!(std::fs::metadata(&spec).unwrap().permissions().mode() & 0o777, 0o640);
}

#[test]
fn usage_problems_exit_2() {
    let dir = project(MESSY);
    let mixed = dslc_in(dir.path(), &["fmt", "-", "spec.cohort"], "");
    assert_eq!(mixed.status.code(), Some(2));
    assert!(text(&mixed.stderr).contains("`-` (stdin) cannot be combined with other paths"));
    let missing = dslc_in(dir.path(), &["fmt", "nowhere.cohort"], "");
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no such file or directory: nowhere.cohort"));
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let empty = dslc_in(dir.path(), &["fmt", "empty"], "");
    assert_eq!(empty.status.code(), Some(2));
    let device = dslc_in(dir.path(), &["fmt", "/dev/null"], "");
    assert_eq!(device.status.code(), Some(2));
    assert!(
        text(&device.stderr).contains("error: cannot read /dev/null: it is a device, not a regular file"),
        "{}",
        text(&device.stderr)
    );
    let no_args = dslc_in(dir.path(), &["fmt"], "");
    assert_eq!(no_args.status.code(), Some(2));
}

#[test]
fn the_repository_canonical_specs_are_formatted() {
    // The set CI checks (docs/formatting.md): fixtures of checks and compile errors are not in
    // it, since their annotations and snapshots point at columns.
    let output = dslc_in(
        &root(),
        &["fmt", "--check", "examples", "tests/fixtures/format", "tests/fixtures/rows", "tests/fixtures/seed"],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}{}", text(&output.stdout), text(&output.stderr));
}
