//! Reproducers of inputs that once crashed, hung or escaped the project, run through the real
//! binary: each must now end with a diagnostic and exit 1 (or 0), never 101, 134 or a hang.

use std::fs;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

/// Runs `dslc` in `dir` with a deadline, so a hang fails the test instead of stalling it.
fn dslc_in(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("dslc")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A project directory with a spec and the given extra files.
fn project(spec: &str, files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("spec.cohort"), spec).unwrap();
    for (path, contents) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, contents).unwrap();
    }
    dir
}

/// The spec's check exits 1 with `code` in the human output, and no panic.
fn assert_reports(dir: &Path, code: &str) -> String {
    let output = dslc_in(dir, &["check", "spec.cohort"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{}", text(&output.stderr));
    assert!(stdout.contains(&format!("[{code}]")), "expected {code} in:\n{stdout}");
    stdout
}

#[test]
fn a_label_ending_inside_a_multibyte_character_renders() {
    let dir = project("axis combo_id = file(\"items/x.csv\")\n", &[("items/x.csv", b"v\n\"\"\xc3\xa9\n")]);
    let stdout = assert_reports(dir.path(), "E0306");
    assert!(stdout.contains("unexpected text after a closing quote"), "{stdout}");
}

#[test]
fn a_tie_named_after_a_tied_axis_is_refused_without_recursing() {
    let dir = project("axis a = [1]\ntie t (a)\ntie a (a)\n", &[]);
    assert_reports(dir.path(), "E0109");
}

#[test]
fn quoted_names_are_syntax_errors() {
    let dir = project("axis \"a\" = [1]\noutput \"a\"\n", &[]);
    assert_reports(dir.path(), "E0012");
}

#[cfg(unix)]
#[test]
fn an_include_that_is_a_fifo_is_refused_without_blocking() {
    let dir = project("axis combo_id = file(\"items/pipe.csv\")\n", &[]);
    fs::create_dir_all(dir.path().join("items")).unwrap();
    let status = std::process::Command::new("mkfifo").arg(dir.path().join("items/pipe.csv")).status().unwrap();
    assert!(status.success());
    let stdout = assert_reports(dir.path(), "E0301");
    assert!(stdout.contains("FIFO"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn an_include_linked_to_a_device_is_refused() {
    let dir = project("axis combo_id = file(\"items/zero.csv\")\n", &[]);
    fs::create_dir_all(dir.path().join("items")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("items/zero.csv")).unwrap();
    // The link leaves the project, which is reported before anything is read.
    assert_reports(dir.path(), "E0302");
}

#[cfg(unix)]
#[test]
fn a_device_inside_the_project_is_not_read() {
    // A device node cannot be made without privileges, so a directory stands in for a non-file.
    let dir = project("axis combo_id = file(\"items/dir.csv\")\n", &[]);
    fs::create_dir_all(dir.path().join("items/dir.csv")).unwrap();
    let stdout = assert_reports(dir.path(), "E0301");
    assert!(stdout.contains("a directory, not a regular file"), "{stdout}");
}

#[test]
fn an_include_over_the_size_limit_is_refused_without_reading_it() {
    let dir = project("axis combo_id = file(\"items/huge.csv\")\n", &[]);
    fs::create_dir_all(dir.path().join("items")).unwrap();
    // A sparse file: its length is over the limit, its blocks are never written.
    let huge = fs::File::create(dir.path().join("items/huge.csv")).unwrap();
    huge.set_len(257 * 1024 * 1024).unwrap();
    let stdout = assert_reports(dir.path(), "E0301");
    assert!(stdout.contains("over the limit of 256 MiB"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_project_that_leads_outside_is_an_escape() {
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "top-secret\n").unwrap();
    let dir = project("axis combo_id = file(\"up/secret.txt\")\n", &[]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("up")).unwrap();
    let stdout = assert_reports(dir.path(), "E0302");
    assert!(stdout.contains("symbolic link"), "{stdout}");
    assert!(!stdout.contains("top-secret"), "the outside file's contents must not be shown");
    let out = dir.path().join("out");
    let output = dslc_in(dir.path(), &["compile", "spec.cohort", "--out", out.to_str().unwrap(), "--emit", "rows"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(!out.exists(), "nothing is written");
}

#[cfg(unix)]
#[test]
fn a_symlink_that_stays_inside_the_project_is_followed() {
    let dir = project("axis combo_id = file(\"link.txt\")\n", &[("items/levels.txt", b"c1\nc2\n")]);
    std::os::unix::fs::symlink("items/levels.txt", dir.path().join("link.txt")).unwrap();
    let output = dslc_in(dir.path(), &["check", "spec.cohort"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn a_row_count_that_overflows_is_not_printed_as_exact() {
    let spec: String = (0..40).map(|i| format!("axis a{i} = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n")).collect();
    let dir = project(&spec, &[]);
    let output = dslc_in(dir.path(), &["check", "spec.cohort"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("more than 10^38 rows (too many to count)"), "{stdout}");
    assert!(!stdout.contains(&u128::MAX.to_string()), "{stdout}");
}

#[test]
fn check_of_a_directory_honours_ignore_files_and_nothing_else() {
    let clean = b"axis combo_id = [c]\n" as &[u8];
    let broken = b"axis combo_id = [c\n" as &[u8];
    let dir = project(
        "axis combo_id = [c]\n",
        &[
            ("data/cohorts/target/spec.cohort", broken),
            ("data/.drafts/spec.cohort", clean),
            ("scratch/spec.cohort", broken),
            (".gitignore", b"scratch/\n"),
            (".git/old.cohort", broken),
        ],
    );
    let output = dslc_in(dir.path(), &["check", "."]);
    let stdout = text(&output.stdout);
    // The cohort under `target/` is checked (and broken); the ignored and `.git` ones are not.
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("checked 3 files: 1 error"), "{stdout}");
    assert!(stdout.contains("data/cohorts/target/spec.cohort: has errors"), "{stdout}");
    assert!(stdout.contains("skipped 1 spec file hidden by ignore files"), "{stdout}");
    assert!(stdout.contains("  scratch/spec.cohort"), "{stdout}");
    assert!(!stdout.contains("old.cohort"), "{stdout}");
}

#[test]
fn a_directory_whose_specs_are_all_ignored_is_a_usage_error() {
    let dir = project("axis combo_id = [c]\n", &[(".gitignore", b"*.cohort\n")]);
    let output = dslc_in(dir.path(), &["check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("is ignored by an ignore file (1 found)"), "{}", text(&output.stderr));
}

#[test]
fn thousands_of_reports_on_one_long_line_render_without_the_line() {
    let spec = format!("axis combo_id = [{}]\n", vec!["x"; 4_000].join(", "));
    let dir = project(&spec, &[]);
    let output = dslc_in(dir.path(), &["check", "spec.cohort"]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert_eq!(stdout.matches("warning[W0110]").count(), 3_999);
    assert!(stdout.contains("  --> spec.cohort:1:21: repeated here"), "{}", &stdout[..2000]);
    assert!(stdout.contains("lines over 1000 bytes are not shown"));
    // Each report is a few lines, not a copy of the 12 KB source line.
    assert!(stdout.len() < 4_000 * 400, "{} bytes", stdout.len());
}

#[test]
fn an_include_over_the_cell_limit_is_refused() {
    let lines = "c\n".repeat(2_000_001);
    let dir = project("axis combo_id = file(\"items/many.txt\")\n", &[("items/many.txt", lines.as_bytes())]);
    let stdout = assert_reports(dir.path(), "E0307");
    assert!(stdout.contains("more than 2000000 cells"), "{}", &stdout[..stdout.len().min(2000)]);
}
