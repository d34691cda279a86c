//! What a packaged `dslc` offers besides its commands, through the real binary: `--version` with
//! the build's commit, shell completions, man pages, and `--color` with the environment
//! variables cargo honours.

#[path = "../build/git_version.rs"]
mod git_version;

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output};

use assert_cmd::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The binary, run from the workspace root with no colour-related variables inherited.
fn dslc() -> Command {
    let mut command = Command::cargo_bin("dslc").unwrap();
    command.current_dir(workspace());
    for name in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "CI", "TERM"] {
        command.env_remove(name);
    }
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Runs git in the workspace; `None` when git is missing or this is not a checkout.
fn git(args: &[&str]) -> Option<String> {
    let output = StdCommand::new("git").arg("-C").arg(workspace()).args(args).output().ok()?;
    output.status.success().then(|| text(&output.stdout).trim().to_string())
}

fn has_program(name: &str) -> bool {
    StdCommand::new("sh").args(["-c", &format!("command -v {name}")]).output().is_ok_and(|o| o.status.success())
}

const PLAIN_VERSION: &str = env!("CARGO_PKG_VERSION");

#[test]
fn version_names_the_commit_and_its_date_in_a_checkout() {
    let output = dslc().arg("--version").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let version = text(&output.stdout);
    let is_checkout = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| Path::new(&top) == workspace());
    if !is_checkout {
        assert_eq!(version, format!("dslc {PLAIN_VERSION}\n"));
        return;
    }
    let rest = version.strip_prefix(&format!("dslc {PLAIN_VERSION} (")).unwrap_or_else(|| panic!("{version:?}"));
    let (hash, date) =
        rest.strip_suffix(")\n").and_then(|r| r.split_once(' ')).unwrap_or_else(|| panic!("{version:?}"));
    let head = git(&["rev-parse", "HEAD"]).unwrap();
    assert!(hash.len() >= 9 && head.starts_with(hash), "{hash} is not HEAD {head}");
    assert_eq!(Some(date.to_string()), git(&["show", "-s", "--format=%cs", "HEAD"]));
}

#[test]
fn every_command_reports_the_same_version() {
    let top = dslc().arg("--version").output().unwrap();
    let check = dslc().args(["check", "--version"]).output().unwrap();
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(text(&check.stdout).replacen("dslc-check", "dslc", 1), text(&top.stdout));
}

#[test]
fn the_version_is_plain_outside_a_checkout_of_the_workspace() {
    let not_a_repository = tempfile::tempdir().unwrap();
    assert_eq!(git_version::commit("git".as_ref(), not_a_repository.path()), None);
    assert_eq!(git_version::commit("dslc-test-no-such-git".as_ref(), &workspace()), None);
    // A crate directory inside the checkout stands for a packaged crate unpacked under target/.
    assert_eq!(git_version::commit("git".as_ref(), &workspace().join("crates/dslc-cli")), None);
    assert_eq!(git_version::version_text("1.2.3", None), "1.2.3");
}

#[test]
fn the_commit_of_a_checkout_watches_files_that_exist() {
    let Some(commit) = git_version::commit("git".as_ref(), &workspace()) else {
        assert!(git(&["rev-parse", "HEAD"]).is_none(), "git works here, so the commit should be found");
        return;
    };
    assert!(git(&["rev-parse", "HEAD"]).unwrap().starts_with(&commit.hash));
    assert!(commit.watched.iter().any(|path| path.ends_with("HEAD")), "{:?}", commit.watched);
    assert!(commit.watched.iter().all(|path| path.is_file()), "{:?}", commit.watched);
    let shown = git_version::version_text("1.2.3", Some(&commit));
    assert_eq!(shown, format!("1.2.3 ({} {})", commit.hash, commit.date));
}

#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = dslc().args(["completions", shell]).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{shell}: {}", text(&output.stderr));
        let script = text(&output.stdout);
        for word in ["compile", "explain", "deny-warnings", "gens-root", "color"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let unknown = dslc().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
}

/// What bash completes for the words typed so far, using the generated script.
fn bash_completes(script: &Path, words: &[&str]) -> Vec<String> {
    let program = r#"source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _dslc dslc "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; printf '%s\n' "${COMPREPLY[@]}""#;
    let output = StdCommand::new("bash").args(["-c", program, "bash"]).arg(script).args(words).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    text(&output.stdout).lines().map(str::to_string).collect()
}

#[test]
fn bash_completes_commands_and_flags_with_the_generated_script() {
    if !has_program("bash") {
        eprintln!("bash is not installed; only the other completion test ran");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("dslc.bash");
    let output = dslc().args(["completions", "bash"]).output().unwrap();
    std::fs::write(&script, &output.stdout).unwrap();
    let mut commands = bash_completes(&script, &["dslc", "comp"]);
    commands.sort();
    assert_eq!(commands, ["compile", "completions"]);
    assert_eq!(bash_completes(&script, &["dslc", "check", "--deny"]), ["--deny-warnings"]);
    let mut formats = bash_completes(&script, &["dslc", "check", "--format", ""]);
    formats.sort();
    assert_eq!(formats, ["github", "human", "json"]);
}

#[test]
fn the_man_page_describes_every_command() {
    let output = dslc().arg("man").output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let page = text(&output.stdout);
    assert!(page.contains(".TH dslc 1"), "{page}");
    for command in ["check", "compile", "explain", "lsp", "completions", "man"] {
        assert!(page.contains(&format!("dslc\\-{command}(1)")), "the page does not list {command}");
    }
    // `man --dir` writes no page for `help`, so the page must not point to one.
    assert!(!page.contains("dslc\\-help(1)"), "{page}");
    if has_program("groff") {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dslc.1");
        std::fs::write(&file, &output.stdout).unwrap();
        let rendered = StdCommand::new("groff").args(["-man", "-Tascii", "-P-cbou"]).arg(&file).output().unwrap();
        assert!(rendered.status.success(), "{}", text(&rendered.stderr));
        let rendered = text(&rendered.stdout);
        assert!(rendered.contains("check, compile, format and migrate cohort specs"), "{rendered}");
        assert!(rendered.contains("--color"), "{rendered}");
    }
}

#[test]
fn man_dir_writes_one_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let output = dslc().args(["man", "--dir"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let mut pages: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    pages.sort();
    let expected = [
        "dslc-check.1",
        "dslc-compile.1",
        "dslc-completions.1",
        "dslc-diff.1",
        "dslc-explain.1",
        "dslc-fmt.1",
        "dslc-lsp.1",
        "dslc-man.1",
        "dslc-migrate.1",
        "dslc-show.1",
        "dslc-verify.1",
        "dslc-why.1",
        "dslc.1",
    ];
    assert_eq!(pages, expected);
    let check = std::fs::read_to_string(dir.path().join("dslc-check.1")).unwrap();
    assert!(check.contains("deny\\-warnings"), "{check}");

    let missing = dslc().args(["man", "--dir"]).arg(dir.path().join("nope")).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("not a directory"), "{}", text(&missing.stderr));
}

const BROKEN: &str = "tests/fixtures/check/outside_domain.cohort";
const PILOT: &str = "examples/project/data/cohorts/pilot-2026-01/spec.cohort";
const ESCAPE: &str = "\u{1b}[";

/// `dslc check` of a spec with errors, with extra arguments and environment; its stdout.
fn check_output(args: &[&str], env: &[(&str, &str)]) -> String {
    let output = dslc().args(args).arg("check").arg(BROKEN).envs(env.iter().copied()).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    text(&output.stdout)
}

#[test]
fn redirected_output_is_plain_by_default() {
    let plain = check_output(&[], &[("TERM", "xterm")]);
    assert!(plain.contains("error[") && !plain.contains(ESCAPE), "{plain}");
}

#[test]
fn color_always_colours_a_pipe_and_beats_no_color() {
    assert!(check_output(&["--color", "always"], &[]).contains(ESCAPE));
    assert!(check_output(&["--color=always"], &[("NO_COLOR", "1"), ("TERM", "dumb")]).contains(ESCAPE));
}

#[test]
fn color_never_beats_clicolor_force() {
    let plain = check_output(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]);
    assert!(plain.contains("error[") && !plain.contains(ESCAPE), "{plain}");
}

#[test]
fn clicolor_force_colours_a_pipe_unless_no_color_is_set() {
    assert!(check_output(&[], &[("CLICOLOR_FORCE", "1")]).contains(ESCAPE));
    assert!(!check_output(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains(ESCAPE));
}

#[test]
fn the_color_flag_is_global_and_reaches_compile_on_stderr() {
    let out = tempfile::tempdir().unwrap();
    let output = dslc()
        .args(["compile", PILOT, "--max-rows", "1", "--out"])
        .arg(out.path())
        .args(["--color", "always"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains(ESCAPE), "{}", text(&output.stderr));
}

#[test]
fn machine_formats_are_never_coloured() {
    for format in ["json", "github"] {
        let output = dslc().args(["--color", "always", "check", "--format", format, BROKEN]).output().unwrap();
        assert!(!text(&output.stdout).contains(ESCAPE), "{format}: {}", text(&output.stdout));
    }
}

#[test]
fn an_unknown_color_value_is_a_usage_error() {
    let output = dslc().args(["--color", "sometimes", "check", BROKEN]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("sometimes"), "{}", text(&output.stderr));
}

/// `dslc check` of the broken spec on a real terminal (a pseudo-terminal from util-linux's
/// `script`), with TERM set as given; `None` when `script` is not installed.
fn check_on_a_terminal(term: &str, extra_env: &[(&str, &str)]) -> Option<String> {
    if !has_program("script") {
        return None;
    }
    let command = format!("{} check {BROKEN}", env!("CARGO_BIN_EXE_dslc"));
    let mut script = StdCommand::new("script");
    script.args(["-qec", &command, "/dev/null"]).current_dir(workspace());
    for name in ["NO_COLOR", "CLICOLOR_FORCE", "CLICOLOR", "CI"] {
        script.env_remove(name);
    }
    let output: Output = script.env("TERM", term).envs(extra_env.iter().copied()).output().unwrap();
    Some(text(&output.stdout))
}

#[test]
fn a_terminal_is_coloured_unless_term_is_dumb_or_no_color_is_set() {
    let Some(xterm) = check_on_a_terminal("xterm", &[]) else {
        eprintln!("util-linux `script` is not installed; the terminal cases were not run");
        return;
    };
    assert!(xterm.contains("error[") && xterm.contains(ESCAPE), "{xterm}");
    let dumb = check_on_a_terminal("dumb", &[]).unwrap();
    assert!(dumb.contains("error[") && !dumb.contains(ESCAPE), "{dumb}");
    let no_color = check_on_a_terminal("xterm", &[("NO_COLOR", "1")]).unwrap();
    assert!(no_color.contains("error[") && !no_color.contains(ESCAPE), "{no_color}");
}

/// Runs `dslc ARGS` in `dir` on a pseudo-terminal (util-linux `script`) and returns what it showed.
fn dslc_on_a_terminal(dir: &std::path::Path, args: &str) -> String {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_dslc"));
    let output = StdCommand::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("CI")
        .output()
        .unwrap();
    text(&output.stdout)
}

#[test]
fn progress_on_a_terminal_covers_writing_the_outputs() {
    if !has_program("script") {
        eprintln!("util-linux `script` is not installed; the terminal case was not run");
        return;
    }
    // A million rows: the size from which progress is shown.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("spec.cohort"), "cohort big\naxis a = 1..100\naxis b = 1..100\naxis c = 1..100\n")
        .unwrap();
    let shown = dslc_on_a_terminal(dir.path(), "compile spec.cohort --emit rows --out out");
    // The line ends at the size of what was written.
    let size = std::fs::metadata(dir.path().join("out/rows.csv")).unwrap().len();
    let megabytes = format!("{:.1} MB", size as f64 / 1e6);
    assert!(shown.contains(&format!("writing rows.csv: {megabytes}")), "{shown}");
    assert!(shown.contains(&format!("committing {megabytes} of outputs…")), "{shown}");
    assert!(shown.contains("compiled big: 1000000 rows"), "{shown}");

    // Not on a terminal: no progress at all.
    let piped = StdCommand::new(env!("CARGO_BIN_EXE_dslc"))
        .args(["compile", "spec.cohort", "--emit", "rows", "--out", "out2"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!text(&piped.stderr).contains("writing"), "{}", text(&piped.stderr));

    // A membership: the two large files are written together, then manifest.json; the line ends
    // at the size of all three.
    let spec = "cohort big\naxis combo_id = 1..100\naxis draft_template = 1..10\naxis draft_llm = [m]\n\
                axis essay_llm = [m]\naxis essay_template = 1..10\naxis evaluation_template = 1..10\n\
                axis evaluation_llm = 1..10\n";
    std::fs::write(dir.path().join("plan.cohort"), spec).unwrap();
    let shown = dslc_on_a_terminal(dir.path(), "compile plan.cohort --out plan");
    let size: u64 = ["membership.csv", "stage_manifest.json", "manifest.json"]
        .iter()
        .map(|name| std::fs::metadata(dir.path().join("plan").join(name)).unwrap().len())
        .sum();
    let megabytes = format!("{:.1} MB", size as f64 / 1e6);
    assert!(shown.contains("writing membership.csv and stage_manifest.json: "), "{shown}");
    assert!(shown.contains(&format!("writing manifest.json: {megabytes}")), "{shown}");
    assert!(shown.contains(&format!("committing {megabytes} of outputs…")), "{shown}");
    assert!(shown.contains("compiled big: 1000000 rows → 1000 drafts, 10000 essays, 1000000 evaluations"), "{shown}");
}
