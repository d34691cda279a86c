//! The guarantees of `dslc compile` about `--out` and the generation store, through the real
//! binary: a commit killed at any rename is recovered, locks keep two runs apart, nothing but
//! a regular file is replaced, leftovers are removed, a new store is created when seeding, and
//! gen_ids read from the store never name a path outside it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// The pilot spec, as an absolute path, so runs can start in a temporary directory.
fn pilot() -> String {
    root().join("examples/project/data/cohorts/pilot-2026-01/spec.cohort").to_string_lossy().into_owned()
}

/// A spec with errors: compiling it writes nothing, but it still opens (and recovers) `--out`.
fn broken_spec() -> String {
    root().join("tests/fixtures/check/unknown_axis.cohort").to_string_lossy().into_owned()
}

/// Runs `dslc` in `cwd` (a temporary directory, so that nothing a killed run leaves can land in
/// the repository) with extra environment variables.
fn dslc_in(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::cargo_bin("dslc").unwrap();
    command.current_dir(cwd).env("NO_COLOR", "1").env_remove("DSLC_INJECT_KILL_AT_RENAME").args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

const MEMBERSHIP: [&str; 3] = ["membership.csv", "manifest.json", "stage_manifest.json"];
const JOURNAL: &str = ".dslc-commit-in-progress";

/// Which compile wrote each membership file: its cohort id, or `None` when the file is missing.
fn cohorts(out: &Path) -> Vec<Option<&'static str>> {
    MEMBERSHIP
        .iter()
        .map(|name| {
            let text = fs::read_to_string(out.join(name)).ok()?;
            let found: Vec<&'static str> =
                ["cohort-old", "cohort-new", "cohort-third"].into_iter().filter(|c| text.contains(c)).collect();
            assert_eq!(found.len(), 1, "{name} holds exactly one cohort id: {found:?}");
            Some(found[0])
        })
        .collect()
}

fn compile(cwd: &Path, out: &Path, cohort: &str, env: &[(&str, &str)]) -> Output {
    dslc_in(cwd, &["compile", &pilot(), "--cohort-id", cohort, "--out", out.to_str().unwrap()], env)
}

#[cfg(unix)]
fn killed(output: &Output) -> bool {
    use std::os::unix::process::ExitStatusExt;
    output.status.signal() == Some(6)
}

/// Kills `dslc compile` at each rename (and the journal's removal) of its commit, with and
/// without an older set in `--out`, and checks what a reader finds and what the next run makes
/// of it.
#[cfg(unix)]
#[test]
fn a_compile_killed_at_any_rename_leaves_old_new_or_marked_and_the_next_run_finishes_it() {
    for with_old_set in [true, false] {
        let mut points = 0;
        for n in 1.. {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("out");
            let old = if with_old_set {
                assert_eq!(compile(dir.path(), &out, "cohort-old", &[]).status.code(), Some(0));
                Some("cohort-old")
            } else {
                None
            };
            let run = compile(dir.path(), &out, "cohort-new", &[("DSLC_INJECT_KILL_AT_RENAME", &n.to_string())]);
            if run.status.code() == Some(0) {
                break;
            }
            assert!(killed(&run), "kill point {n}: {:?} {}", run.status, stderr(&run));
            points += 1;

            // What a reader finds: the journal marks an incomplete set; without it, the set is
            // entirely the old one or entirely the new one.
            let marked = out.join(JOURNAL).exists();
            let found = cohorts(&out);
            if !marked {
                assert!(
                    found == [old; 3] || found == [Some("cohort-new"); 3],
                    "kill point {n}: unmarked mixed set {found:?}"
                );
            }
            // Before the journal is in place nothing has changed; after it, everything new waits.
            assert_eq!(marked, n > 1, "kill point {n}");

            // The next run, even one whose spec does not compile, finishes the commit.
            let recovery = dslc_in(dir.path(), &["compile", &broken_spec(), "--out", "out"], &[]);
            assert_eq!(recovery.status.code(), Some(1), "{}", stderr(&recovery));
            assert_eq!(stderr(&recovery).contains("note: finished the interrupted commit"), marked);
            assert!(stderr(&recovery).contains("note: removed 1 staging directory"), "{}", stderr(&recovery));
            let expected = if n == 1 { [old; 3] } else { [Some("cohort-new"); 3] };
            assert_eq!(cohorts(&out), expected, "kill point {n}, after recovery");
            let mut listing = names(&out);
            listing.retain(|name| !MEMBERSHIP.contains(&name.as_str()));
            assert!(listing.is_empty(), "kill point {n}: journal or temporary left in --out: {listing:?}");
            assert_eq!(names(dir.path()), ["out"], "kill point {n}: staging directory or lock left beside --out");

            // And a full compile afterwards is complete and consistent.
            assert_eq!(compile(dir.path(), &out, "cohort-third", &[]).status.code(), Some(0));
            assert_eq!(cohorts(&out), [Some("cohort-third"); 3]);
            assert_eq!(names(dir.path()), ["out"]);
        }
        // The journal's rename, one rename per file, and the journal's removal.
        assert_eq!(points, 5, "with_old_set {with_old_set}");
    }
}

/// A run killed while it recovers is recovered by the next one.
#[cfg(unix)]
#[test]
fn a_recovery_killed_midway_is_finished_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(compile(dir.path(), &out, "cohort-old", &[]).status.code(), Some(0));
    // Killed after the journal and the first file are in place.
    assert!(killed(&compile(dir.path(), &out, "cohort-new", &[("DSLC_INJECT_KILL_AT_RENAME", "3")])));
    assert_eq!(cohorts(&out), [Some("cohort-new"), Some("cohort-old"), Some("cohort-old")]);
    // The recovering run is killed before its second rename, with one more file moved (files are
    // committed in the order membership.csv, stage_manifest.json, manifest.json).
    let recovery =
        dslc_in(dir.path(), &["compile", &broken_spec(), "--out", "out"], &[("DSLC_INJECT_KILL_AT_RENAME", "2")]);
    assert!(killed(&recovery), "{}", stderr(&recovery));
    assert!(out.join(JOURNAL).exists());
    assert_eq!(cohorts(&out), [Some("cohort-new"), Some("cohort-old"), Some("cohort-new")]);
    let again = dslc_in(dir.path(), &["compile", &broken_spec(), "--out", "out"], &[]);
    assert!(stderr(&again).contains("note: finished the interrupted commit"), "{}", stderr(&again));
    assert_eq!(cohorts(&out), [Some("cohort-new"); 3]);
    assert_eq!(names(dir.path()), ["out"]);
}

/// Holds the lock file at `path` as another dslc would, with this process's id in it.
/// A lock held by another process, as a running dslc would hold it: the lock file locked and
/// naming the holder's process id. It is not held by this test process, because children that
/// other tests fork at the same moment would inherit it until they exec, so releasing it here
/// could leave it held a moment longer and make the next compile fail.
struct HeldLock(std::process::Child);

impl HeldLock {
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn hold_lock(path: &Path) -> HeldLock {
    use std::io::BufRead;
    const HOLD: &str = "import fcntl, os, sys\n\
        f = open(sys.argv[1], 'a+')\n\
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n\
        f.truncate(0); f.write(f'{os.getpid()}\\n'); f.flush()\n\
        print('locked', flush=True)\n\
        sys.stdin.read()\n";
    let mut child = std::process::Command::new("python3")
        .args(["-c", HOLD])
        .arg(path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 holds the lock");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "locked", "the helper could not take the lock");
    HeldLock(child)
}

#[test]
fn a_compile_into_a_locked_out_fails_with_exit_2_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(compile(dir.path(), &out, "cohort-old", &[]).status.code(), Some(0));
    let lock = hold_lock(&dir.path().join(".out.dslc-lock"));
    let refused = compile(dir.path(), &out, "cohort-new", &[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert!(
        err.contains(&format!(
            "error: cannot write outputs to {}: another dslc (process {}) holds the lock",
            out.display(),
            lock.pid()
        )) && err.contains(".out.dslc-lock; wait for it to finish, then run again"),
        "{err}"
    );
    assert_eq!(cohorts(&out), [Some("cohort-old"); 3]);
    assert_eq!(names(dir.path()), [".out.dslc-lock", "out"], "no staging directory");
    // Once the other run is gone, its lock file is reused and removed.
    drop(lock);
    assert_eq!(compile(dir.path(), &out, "cohort-new", &[]).status.code(), Some(0));
    assert_eq!(cohorts(&out), [Some("cohort-new"); 3]);
    assert_eq!(names(dir.path()), ["out"]);
}

#[test]
fn two_compiles_at_once_never_leave_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    for _ in 0..3 {
        let spawn = |cohort: &str| {
            std::process::Command::new(assert_cmd::cargo::cargo_bin("dslc"))
                .current_dir(dir.path())
                .args(["compile", &pilot(), "--cohort-id", cohort, "--out", "out"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = (spawn("cohort-old"), spawn("cohort-new"));
        let outputs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
        for output in &outputs {
            let code = output.status.code();
            assert!(
                code == Some(0) || (code == Some(2) && stderr(output).contains("holds the lock")),
                "{}",
                stderr(output)
            );
        }
        assert!(outputs.iter().any(|o| o.status.code() == Some(0)));
        let found = cohorts(&out);
        assert!(found == [Some("cohort-old"); 3] || found == [Some("cohort-new"); 3], "{found:?}");
        assert_eq!(names(dir.path()), ["out"]);
    }
}

#[test]
fn seeding_waits_for_another_seeder_of_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("gens");
    fs::create_dir(&store).unwrap();
    let lock = hold_lock(&store.join(".dslc-seed.lock"));
    let log = dir.path().join("stderr.txt");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("dslc"))
        .current_dir(dir.path())
        .args(["compile", &pilot(), "--out", "out", "--gens-root", "gens", "--seed-metadata"])
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let waiting = format!("waiting for another dslc (process {}) to finish seeding gens…", lock.pid());
    let started = std::time::Instant::now();
    while !fs::read_to_string(&log).unwrap().contains(&waiting) {
        assert!(child.try_wait().unwrap().is_none(), "{}", fs::read_to_string(&log).unwrap());
        assert!(started.elapsed().as_secs() < 120, "dslc never said it waits");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(child.try_wait().unwrap().is_none(), "dslc waits while the store is locked");
    assert!(!store.join("draft").exists(), "nothing seeded while another seeder holds the lock");
    drop(lock);
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let err = fs::read_to_string(&log).unwrap();
    assert!(err.contains("0 gen_ids already in the store, 176 new, 176 metadata.json seeded;"), "{err}");
    assert_eq!(names(&store), ["draft", "essay", "evaluation"], "the lock file is removed");
}

#[test]
fn only_regular_files_in_out_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(compile(dir.path(), &out, "cohort-old", &[]).status.code(), Some(0));
    fs::remove_file(out.join("membership.csv")).unwrap();
    fs::create_dir(out.join("membership.csv")).unwrap();
    fs::write(out.join("membership.csv").join("notes.txt"), "mine").unwrap();
    let refused = compile(dir.path(), &out, "cohort-new", &[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert!(
        err.contains("membership.csv is a directory, which dslc does not replace; nothing was changed: move it away or choose another --out"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(out.join("membership.csv").join("notes.txt")).unwrap(), "mine");
    assert!(fs::read_to_string(out.join("manifest.json")).unwrap().contains("cohort-old"), "nothing changed");
    assert_eq!(names(dir.path()), ["out"]);
    assert_eq!(names(&out), ["manifest.json", "membership.csv", "stage_manifest.json"]);

    #[cfg(unix)]
    {
        fs::remove_dir_all(out.join("membership.csv")).unwrap();
        fs::write(dir.path().join("theirs.json"), "theirs").unwrap();
        fs::remove_file(out.join("manifest.json")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("theirs.json"), out.join("manifest.json")).unwrap();
        let refused = compile(dir.path(), &out, "cohort-new", &[]);
        assert_eq!(refused.status.code(), Some(2));
        assert!(
            stderr(&refused).contains("manifest.json is a symbolic link, which dslc does not replace"),
            "{}",
            stderr(&refused)
        );
        assert_eq!(fs::read_to_string(dir.path().join("theirs.json")).unwrap(), "theirs");
        assert!(!out.join("membership.csv").exists(), "nothing was placed");
    }
}

#[test]
fn staging_directories_of_killed_runs_are_removed_and_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(dir.path().join(".out.dslc-tmp-999999-0")).unwrap();
    fs::write(dir.path().join(".out.dslc-tmp-999999-0").join("membership.csv"), "stale").unwrap();
    fs::create_dir_all(dir.path().join(".out.dslc-tmp-4-1").join(".previous")).unwrap();
    fs::create_dir_all(dir.path().join(".other.dslc-tmp-1-0")).unwrap();
    let output = compile(dir.path(), &out, "cohort-new", &[]);
    assert_eq!(output.status.code(), Some(0));
    let note =
        format!("note: removed 2 staging directories beside {} left by dslc runs that were stopped", out.display());
    assert!(stderr(&output).contains(&note), "{}", stderr(&output));
    assert_eq!(names(dir.path()), [".other.dslc-tmp-1-0", "out"]);
}

#[test]
fn seeding_creates_a_new_store_but_reading_needs_an_existing_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("new").join("gens");
    let s = store.to_str().unwrap();
    let read_only = dslc_in(dir.path(), &["compile", &pilot(), "--out", "out", "--gens-root", s], &[]);
    assert_eq!(read_only.status.code(), Some(2));
    assert!(
        stderr(&read_only).contains(&format!(
            "error: --gens-root {s}: no such directory; check the path, or add --seed-metadata to create a new store"
        )),
        "{}",
        stderr(&read_only)
    );
    assert!(!dir.path().join("new").exists() && !dir.path().join("out").exists());

    let seeded = dslc_in(dir.path(), &["compile", &pilot(), "--out", "out", "--gens-root", s, "--seed-metadata"], &[]);
    assert_eq!(seeded.status.code(), Some(0), "{}", stderr(&seeded));
    assert!(
        stderr(&seeded).contains(&format!(
            "0 gen_ids already in the store, 176 new, 176 metadata.json seeded into the new store {s};"
        )),
        "{}",
        stderr(&seeded)
    );
    assert_eq!(names(&store), ["draft", "essay", "evaluation"]);

    // A killed seeder's temporary file is removed by the next seeding run.
    let draft = fs::read_dir(store.join("draft")).unwrap().next().unwrap().unwrap().path();
    fs::write(draft.join(".metadata.json.dslc-tmp-999999"), "half").unwrap();
    let again = dslc_in(dir.path(), &["compile", &pilot(), "--out", "out", "--gens-root", s, "--seed-metadata"], &[]);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        stderr(&again).contains("176 gen_ids already in the store, 0 new, 0 metadata.json seeded;"),
        "{}",
        stderr(&again)
    );
    assert_eq!(names(&draft), ["metadata.json"]);

    fs::write(dir.path().join("file"), "").unwrap();
    let not_dir =
        dslc_in(dir.path(), &["compile", &pilot(), "--out", "out", "--gens-root", "file", "--seed-metadata"], &[]);
    assert_eq!(not_dir.status.code(), Some(2));
    assert!(stderr(&not_dir).contains("error: --gens-root file: not a directory"), "{}", stderr(&not_dir));
}

fn write_json(path: &Path, value: serde_json::Value) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

#[test]
fn gen_ids_read_from_the_store_cannot_name_paths_outside_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("gens");
    write_json(
        &store.join("essay/e_essay1/metadata.json"),
        serde_json::json!({"parent_gen_id": "../../evil", "template_id": "essay-theme-v16", "llm_model_id": "sonnet-4"}),
    );
    // Where `gens/draft/../../evil/metadata.json` would lead.
    write_json(
        &dir.path().join("evil/metadata.json"),
        serde_json::json!({"combo_id": "stolen-secret", "template_id": "stolen-template"}),
    );
    fs::write(dir.path().join("selected.txt"), "e_essay1\n").unwrap();
    fs::write(
        dir.path().join("rescore.cohort"),
        "cohort rescore\naxis essay_gen_id = file(\"selected.txt\")\naxis evaluation_template = [novelty-v2]\naxis evaluation_llm = [gpt-4.1]\n",
    )
    .unwrap();
    let args = ["compile", "rescore.cohort", "--out", "out", "--gens-root", "gens"];
    let escaped = dslc_in(dir.path(), &args, &[]);
    assert_eq!(escaped.status.code(), Some(1));
    let err = stderr(&escaped);
    assert!(
        err.contains("error[E0604]")
            && err.contains("metadata.json has parent_gen_id \"../../evil\", which is not a draft generation ID (d_ followed by 1 to 16 lower-case letters and digits)")
            && err.contains(&format!("gens{}essay{}e_essay1{}metadata.json", '/', '/', '/')),
        "{err}"
    );
    assert!(!err.contains("stolen"), "{err}");
    assert!(!dir.path().join("out").exists());

    // An essay_gen_id that is too long for a gen_id is not looked up either.
    fs::write(dir.path().join("selected.txt"), "e_essay1essay1essay1\n").unwrap();
    let too_long = dslc_in(dir.path(), &args, &[]);
    assert_eq!(too_long.status.code(), Some(1));
    assert!(
        stderr(&too_long).contains("error[E0603]") && stderr(&too_long).contains("not an essay generation ID"),
        "{}",
        stderr(&too_long)
    );
}

#[test]
fn an_unfinishable_commit_and_a_file_as_out_are_usage_errors_that_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    assert_eq!(compile(dir.path(), &out, "cohort-old", &[]).status.code(), Some(0));
    // A journal whose staging directory someone removed cannot be finished.
    fs::write(out.join(JOURNAL), r#"{"staging": ".out.dslc-tmp-999999-0", "files": ["membership.csv"]}"#).unwrap();
    let refused = compile(dir.path(), &out, "cohort-new", &[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = stderr(&refused);
    assert!(
        err.contains(&format!("error: cannot write outputs to {}: {}", out.display(), out.join(JOURNAL).display()))
            && err.contains("records an unfinished commit but its staging directory")
            && err.contains("is gone; the files in")
            && err.contains("may come from two runs: delete them and .dslc-commit-in-progress, then compile again"),
        "{err}"
    );
    assert_eq!(cohorts(&out), [Some("cohort-old"); 3]);
    assert!(out.join(JOURNAL).exists(), "the mark stays until someone looks");
    fs::remove_file(out.join(JOURNAL)).unwrap();

    // A file where `--out` should be.
    let file = dir.path().join("file");
    fs::write(&file, "mine").unwrap();
    let refused = compile(dir.path(), &file, "cohort-new", &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused)
            .contains(&format!("error: cannot write outputs to {}: it exists and is not a directory", file.display())),
        "{}",
        stderr(&refused)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(names(dir.path()), ["file", "out"]);
}

#[test]
fn an_out_whose_parent_is_missing_is_created_and_locked_when_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new").join("deeper").join("out");
    // A spec that does not compile creates nothing at all.
    let failed = dslc_in(dir.path(), &["compile", &broken_spec(), "--out", out.to_str().unwrap()], &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(names(dir.path()).is_empty());
    assert_eq!(compile(dir.path(), &out, "cohort-new", &[]).status.code(), Some(0));
    assert_eq!(cohorts(&out), [Some("cohort-new"); 3]);
    assert_eq!(names(out.parent().unwrap()), ["out"], "no lock file or staging directory left");
}
