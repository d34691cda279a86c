//! The closing `dslc explain` pointer of human output, and the `fix` field of JSON output,
//! through the real binary.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;

const POINTER: &str = "For more information about";

fn dslc(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("dslc").unwrap().current_dir(dir).env("NO_COLOR", "1").args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn spec_dir(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spec.cohort"), spec).unwrap();
    dir
}

#[test]
fn one_error_code_ends_the_output_with_one_pointer() {
    let dir = spec_dir("axis a = [x]\nsubset b = [x]\nsubset c = [x]\n");
    let output = dslc(dir.path(), &["check", "spec.cohort"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert_eq!(stdout.matches("error[E0103]").count(), 2, "{stdout}");
    assert_eq!(stdout.matches(POINTER).count(), 1, "{stdout}");
    assert!(stdout.ends_with("\nFor more information about this error, try `dslc explain E0103`.\n"), "{stdout}");
}

#[test]
fn several_error_codes_are_listed_in_order_and_the_first_is_suggested() {
    let dir = spec_dir("axis a = [x]\naxis a = [y]\nsubset b = [x]\n");
    let stdout = text(&dslc(dir.path(), &["check", "spec.cohort"]).stdout);
    assert!(
        stdout.ends_with(
            "\nSome errors have detailed explanations: E0101, E0103.\n\
             For more information about an error, try `dslc explain E0101`.\n"
        ),
        "{stdout}"
    );
}

#[test]
fn warnings_alone_get_no_pointer() {
    let dir = spec_dir("axis draft_replicate = [1, 2, 1]\n");
    let output = dslc(dir.path(), &["check", "spec.cohort"]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("warning[W0110]"), "{stdout}");
    assert!(!stdout.contains(POINTER), "{stdout}");
}

#[test]
fn a_failed_compile_ends_stderr_with_the_pointer() {
    let dir = spec_dir("axis a = [x]\nsubset b = [x]\n");
    let output = dslc(dir.path(), &["compile", "spec.cohort", "--out", "out", "--emit", "rows"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.ends_with("For more information about this error, try `dslc explain E0103`.\n"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn json_output_has_no_pointer_and_carries_the_fix() {
    let spec = "axis draft_template = [a, b]\nsubset draft_templat = [a]\n";
    let dir = spec_dir(spec);
    let output = dslc(dir.path(), &["check", "--format", "json", "spec.cohort"]);
    let stdout = text(&output.stdout);
    assert!(!stdout.contains(POINTER), "{stdout}");
    let unknown: serde_json::Value = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|d| d["code"] == "E0103")
        .expect("an E0103 line");
    let fix = &unknown["fix"];
    assert_eq!(fix["file"], "spec.cohort");
    assert_eq!(fix["replacement"], "draft_template");
    assert_eq!((fix["line"].as_u64(), fix["column"].as_u64()), (Some(2), Some(8)));
    let (start, end) = (fix["start"].as_u64().unwrap() as usize, fix["end"].as_u64().unwrap() as usize);
    assert_eq!(&spec[start..end], "draft_templat", "the span is in bytes");
    let mut fixed = spec.to_string();
    fixed.replace_range(start..end, fix["replacement"].as_str().unwrap());
    std::fs::write(dir.path().join("spec.cohort"), &fixed).unwrap();
    let after = text(&dslc(dir.path(), &["check", "--format", "json", "spec.cohort"]).stdout);
    assert!(!after.contains("E0103"), "{after}");
}

#[test]
fn diagnostics_without_a_fix_say_null() {
    let dir = spec_dir("axis alpha = [x]\nsubset zzzzzzzz = [x]\n");
    let stdout = text(&dslc(dir.path(), &["check", "--format", "json", "spec.cohort"]).stdout);
    let first: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["code"], "E0103");
    assert!(first["fix"].is_null(), "{first}");
}

#[test]
fn a_misspelt_keyword_carries_the_keyword_as_its_fix() {
    let spec = "axis a = [x]\ntupel t (p, q) = [(x, y)]\n";
    let dir = spec_dir(spec);
    let stdout = text(&dslc(dir.path(), &["check", "--format", "json", "spec.cohort"]).stdout);
    let typo: serde_json::Value = stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .find(|d| d["code"] == "E0010")
        .expect("an E0010 line");
    assert_eq!(typo["help"], "did you mean `tuple`?");
    let fix = &typo["fix"];
    assert_eq!(fix["replacement"], "tuple");
    let (start, end) = (fix["start"].as_u64().unwrap() as usize, fix["end"].as_u64().unwrap() as usize);
    assert_eq!(&spec[start..end], "tupel");
    let fixed = spec.replacen("tupel", "tuple", 1);
    std::fs::write(dir.path().join("spec.cohort"), &fixed).unwrap();
    let after = text(&dslc(dir.path(), &["check", "--format", "json", "spec.cohort"]).stdout);
    assert!(!after.contains("\"E00"), "{after}");
}
