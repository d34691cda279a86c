//! The old CLI's row options through the binary: `--seed N` shuffles the design rows exactly as
//! Python's `random.Random(N).shuffle` (data from tests/fixtures/seed/generate.py), and
//! `--rows-format jsonl` writes rows.jsonl byte for byte as the reference fixtures show.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn dslc(args: &[&str]) -> Output {
    Command::cargo_bin("dslc").unwrap().current_dir(root()).env("NO_COLOR", "1").args(args).output().unwrap()
}

/// Compiles `spec` with `--emit rows` and the extra flags; returns the one file written.
fn rows(spec: &Path, extra: &[&str], file: &str) -> Vec<u8> {
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().join("out");
    let mut args = vec!["compile", spec.to_str().unwrap(), "--emit", "rows", "--out", out_dir.to_str().unwrap()];
    args.extend(extra);
    let output = dslc(&args);
    assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    let written: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(written, [file], "{args:?} writes exactly {file}");
    std::fs::read(out_dir.join(file)).unwrap()
}

fn blake2b_256(data: &[u8]) -> String {
    Blake2b::<U32>::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn seeded_rows_match_python_for_every_size_seed_and_format() {
    let dir = root().join("tests/fixtures/seed");
    let digests = std::fs::read_to_string(dir.join("expected/digests.txt")).unwrap();
    let mut checked = 0;
    for line in digests.lines() {
        let [size, seed, extension, digest]: [&str; 4] = line.split(' ').collect::<Vec<_>>().try_into().unwrap();
        let spec = dir.join(format!("size{size}.cohort"));
        let (format, file) = if extension == "csv" { ("csv", "rows.csv") } else { ("jsonl", "rows.jsonl") };
        let got = rows(&spec, &["--seed", seed, "--rows-format", format], file);
        let full = dir.join(format!("expected/size{size}.seed{seed}.{extension}"));
        if let Ok(expected) = std::fs::read(&full) {
            assert!(got == expected, "size {size}, seed {seed}, {extension}: differs from {}", full.display());
        }
        assert_eq!(blake2b_256(&got), digest, "size {size}, seed {seed}, {extension}");
        checked += 1;
    }
    assert_eq!(checked, 4 * 5 * 2, "every size, seed and format");
}

#[test]
fn a_negative_seed_shuffles_as_its_absolute_value_as_in_python() {
    let spec = root().join("tests/fixtures/seed/size100.cohort");
    assert_eq!(rows(&spec, &["--seed", "-42"], "rows.csv"), rows(&spec, &["--seed", "42"], "rows.csv"));
}

#[test]
fn without_a_seed_the_rows_keep_product_order_in_either_format() {
    let spec = root().join("tests/fixtures/seed/size2.cohort");
    let csv = String::from_utf8(rows(&spec, &[], "rows.csv")).unwrap();
    assert_eq!(csv, "group,item,note\n1,1,\"né, \"\"x\"\"\"\n2,1,\"né, \"\"x\"\"\"\n");
    let jsonl = String::from_utf8(rows(&spec, &["--rows-format", "jsonl"], "rows.jsonl")).unwrap();
    assert_eq!(
        jsonl,
        "{\"group\": \"1\", \"item\": \"1\", \"note\": \"n\\u00e9, \\\"x\\\"\"}\n\
         {\"group\": \"2\", \"item\": \"1\", \"note\": \"n\\u00e9, \\\"x\\\"\"}\n"
    );
}

#[test]
fn rows_jsonl_matches_the_reference_fixtures_when_present() {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    let Ok(entries) = std::fs::read_dir(&reference) else { return };
    let mut compared = 0;
    for entry in entries {
        let dir = entry.unwrap().path();
        let expected = dir.join("expected/rows.jsonl");
        if !expected.is_file() {
            continue;
        }
        let got = rows(&dir.join("spec.cohort"), &["--rows-format", "jsonl"], "rows.jsonl");
        assert!(got == std::fs::read(&expected).unwrap(), "{}: rows.jsonl differs", dir.display());
        compared += 1;
    }
    assert_eq!(compared, 7, "every reference fixture has rows.jsonl");
}

#[test]
fn row_options_outside_emit_rows_and_bad_seeds_are_usage_errors() {
    let spec = "tests/fixtures/seed/size2.cohort";
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("out");
    let out = out.to_str().unwrap();
    for extra in [&["--seed", "1"][..], &["--rows-format", "jsonl"], &["--emit", "ir", "--seed", "1"]] {
        let mut args = vec!["compile", spec, "--out", out];
        args.extend(extra);
        let output = dslc(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("--seed and --rows-format apply to --emit rows only"));
    }
    assert!(!Path::new(out).exists(), "nothing is written");
    for bad in ["abc", "1.5", ""] {
        let output = dslc(&["compile", spec, "--emit", "rows", "--out", out, "--seed", bad]);
        assert_eq!(output.status.code(), Some(2), "--seed {bad:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("is not an integer"), "--seed {bad:?}");
    }
}
