//! The commit and date that `dslc --version` shows, read from git by build.rs when the crate is
//! built in its own checkout; shared with the tests, which check the fallbacks.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The commit a build comes from.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Commit {
    /// The abbreviated hash, at least 9 digits, as `git log --abbrev=9 --format=%h` prints it.
    pub hash: String,
    /// The committer date, `YYYY-MM-DD`.
    pub date: String,
    /// Files that change when HEAD moves (HEAD, the branch's ref, packed refs): build.rs asks
    /// cargo to rerun when one of them changes, so the version follows new commits.
    pub watched: Vec<PathBuf>,
}

/// The commit of `workspace` when it is the top of a git work tree and `git` runs; `None` when
/// git is missing or fails, or when `workspace` is not a work tree's top. The last case covers a
/// crate unpacked inside some other checkout (`cargo package` builds under `target/`), whose
/// enclosing repository's commit would be a lie.
pub(crate) fn commit(git: &OsStr, workspace: &Path) -> Option<Commit> {
    let run = |args: &[&str]| -> Option<String> {
        // Git finds the repository from `workspace` alone: a GIT_DIR set by a hook or a wrapper
        // would make any directory look like the top of a work tree.
        let output = Command::new(git)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .arg("-C")
            .arg(workspace)
            .args(args)
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        Some(String::from_utf8(output.stdout).ok()?.trim().to_string())
    };
    let top = PathBuf::from(run(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != workspace.canonicalize().ok()? {
        return None;
    }
    // `--no-show-signature` keeps a user's `log.showSignature` from adding lines.
    let line = run(&["log", "-1", "--no-show-signature", "--abbrev=9", "--date=short", "--format=%h %cd"])?;
    let (hash, date) = line.split_once(' ')?;
    if hash.is_empty() || date.is_empty() {
        return None;
    }
    // `--git-path` finds each file in a linked worktree too (HEAD per worktree, refs shared).
    let mut names = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = run(&["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    let watched = names
        .iter()
        .filter_map(|name| run(&["rev-parse", "--git-path", name]))
        .map(|path| workspace.join(path))
        // A missing file would make cargo rerun build.rs on every build.
        .filter(|path| path.is_file())
        .collect();
    Some(Commit { hash: hash.to_string(), date: date.to_string(), watched })
}

/// The text after `dslc ` in `dslc --version`: `0.1.0 (1a2b3c4d5 2026-12-01)` from a checkout,
/// the plain package version otherwise.
pub(crate) fn version_text(package_version: &str, commit: Option<&Commit>) -> String {
    match commit {
        Some(commit) => format!("{package_version} ({} {})", commit.hash, commit.date),
        None => package_version.to_string(),
    }
}
