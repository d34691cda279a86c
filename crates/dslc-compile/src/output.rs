//! Atomic, crash-safe output into `--out` (docs/outputs.md, "Atomic writes").
//!
//! A run locks `--out` ([`OutDir::open`]), writes every file into a staging directory beside
//! it, and only then commits: a commit record (the journal, [`JOURNAL`]) listing the files is
//! made durable inside `--out` before the first rename and removed after the last. While the
//! journal exists every new file is complete, either still in the staging directory or already
//! in `--out`, so a run killed at any point is finished (rolled forward) by the next run that
//! opens the directory, and readers can tell an incomplete set by the journal's presence.

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use serde_json::Value;

use crate::lock::LockFile;

/// The commit record inside `--out`: while it exists, the output set is incomplete.
pub const JOURNAL: &str = ".dslc-commit-in-progress";

/// The journal being written, before it is renamed into place.
const JOURNAL_TEMPORARY: &str = ".dslc-commit-in-progress.tmp";

/// Buffer of each output file's writer: at 8 KiB (the default) a 300 MB file takes 40,000
/// `write(2)` calls and a fifth of the compile; at 1 MiB the kernel time halves.
const WRITE_BUFFER_BYTES: usize = 1 << 20;

/// Where the older files are kept during a commit, to put them back if a rename fails.
const PREVIOUS: &str = ".previous";

/// An output directory locked by this process, with any commit a killed run left unfinished
/// completed and the staging directories of killed runs removed.
#[derive(Debug)]
pub struct OutDir {
    /// The directory as the user named it, for messages and the returned paths.
    given: PathBuf,
    /// The directory's parent, with symbolic links resolved, so that every name for one
    /// directory shares one lock and one set of staging directories.
    parent: PathBuf,
    name: OsString,
    path: PathBuf,
    recovered: Option<usize>,
    removed_leftovers: usize,
    _lock: LockFile,
}

impl OutDir {
    /// Locks `out`, creating its parent if missing (`out` itself is created only by a commit).
    /// Fails with `io::ErrorKind::WouldBlock` when another dslc holds the lock.
    pub fn open(out: &Path) -> io::Result<OutDir> {
        Self::open_inner(out, true)?.ok_or_else(|| io::Error::other("its parent directory cannot be created"))
    }

    /// Like [`OutDir::open`], but returns `None`, creating nothing, when the parent of `out`
    /// does not exist (then there is nothing to lock or recover yet).
    pub fn open_if_parent_exists(out: &Path) -> io::Result<Option<OutDir>> {
        Self::open_inner(out, false)
    }

    fn open_inner(out: &Path, create_parent: bool) -> io::Result<Option<OutDir>> {
        let Some((parent, name)) = resolve(out, create_parent)? else {
            return Ok(None);
        };
        let lock = LockFile::acquire(&parent.join(dotted(&name, ".dslc-lock")), None)?;
        let mut dir = OutDir {
            given: out.to_path_buf(),
            path: parent.join(&name),
            parent,
            name,
            recovered: None,
            removed_leftovers: 0,
            _lock: lock,
        };
        dir.recovered = dir.recover()?;
        dir.removed_leftovers = dir.remove_leftovers()?;
        Ok(Some(dir))
    }

    /// How many files the interrupted commit had that this run finished, if it found one.
    pub fn recovered(&self) -> Option<usize> {
        self.recovered
    }

    /// How many staging directories of killed runs this run removed.
    pub fn removed_leftovers(&self) -> usize {
        self.removed_leftovers
    }

    /// The prefix of every staging directory of this output directory.
    fn staging_prefix(&self) -> OsString {
        dotted(&self.name, ".dslc-tmp-")
    }

    /// Finishes a commit that a killed run left: moves every file the journal lists that is
    /// still in the staging directory into place, then removes the journal.
    fn recover(&self) -> io::Result<Option<usize>> {
        remove_if_present(&self.path.join(JOURNAL_TEMPORARY))?;
        let journal_path = self.path.join(JOURNAL);
        let text = match fs::read_to_string(&journal_path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory => {
                return Ok(None)
            }
            Err(e) => {
                return Err(with_context(e, &format!("cannot read the commit record {}", journal_path.display())))
            }
        };
        let unusable = |why: &str| {
            io::Error::other(format!(
                "{} records an unfinished commit but {why}; the files in {} may come from two runs: \
                 delete them and {JOURNAL}, then compile again",
                journal_path.display(),
                self.given.display()
            ))
        };
        let (staging_name, files) = parse_journal(&text, &self.staging_prefix())
            .ok_or_else(|| unusable("it is not a commit record dslc wrote"))?;
        let staging = self.parent.join(&staging_name);
        if !staging.is_dir() {
            return Err(unusable(&format!("its staging directory {} is gone", staging.display())));
        }
        for name in &files {
            let from = staging.join(name);
            match fs::symlink_metadata(&from) {
                Ok(meta) if meta.is_file() => {
                    kill_point();
                    fs::rename(&from, self.path.join(name)).map_err(|e| {
                        with_context(e, &format!("cannot finish the interrupted commit of {}", self.given.display()))
                    })?;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound && self.path.join(name).is_file() => {}
                _ => return Err(unusable(&format!("its file {name} is neither staged nor in place"))),
            }
        }
        sync_dir(&self.path)?;
        kill_point();
        fs::remove_file(&journal_path)?;
        sync_dir(&self.path)?;
        Ok(Some(files.len()))
    }

    /// Removes the staging directories of earlier runs. Every run holds the lock while its
    /// staging directory exists, so while this run holds it, any other one is a leftover.
    fn remove_leftovers(&self) -> io::Result<usize> {
        let prefix = self.staging_prefix();
        let mut removed = 0;
        for entry in fs::read_dir(&self.parent)? {
            let entry = entry?;
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && entry.file_name().as_encoded_bytes().starts_with(prefix.as_encoded_bytes()) {
                fs::remove_dir_all(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// The canonical parent and the name of `out`; `None` when the parent is missing and may not
/// be created.
fn resolve(out: &Path, create_parent: bool) -> io::Result<Option<(PathBuf, OsString)>> {
    let split = |path: &Path| -> io::Result<(PathBuf, OsString)> {
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => Ok((parent.to_path_buf(), name.to_os_string())),
            _ => Err(io::Error::other("the output directory needs a parent directory and a name")),
        }
    };
    match fs::metadata(out) {
        Ok(meta) if meta.is_dir() => return split(&fs::canonicalize(out)?).map(Some),
        Ok(_) => return Err(io::Error::other("it exists and is not a directory")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let (parent, name) = split(out).or_else(|_| split(&std::path::absolute(out)?))?;
    let parent = if parent.as_os_str().is_empty() { PathBuf::from(".") } else { parent };
    if !parent.exists() {
        if !create_parent {
            return Ok(None);
        }
        fs::create_dir_all(&parent)?;
    }
    Ok(Some((fs::canonicalize(&parent)?, name)))
}

/// `.<name><suffix>`.
fn dotted(name: &OsStr, suffix: &str) -> OsString {
    let mut text = OsString::from(".");
    text.push(name);
    text.push(suffix);
    text
}

/// The journal's staging directory and files, if it is well formed and names nothing outside
/// the staging directory and `--out`.
fn parse_journal(text: &str, staging_prefix: &OsStr) -> Option<(String, Vec<String>)> {
    let value: Value = serde_json::from_str(text).ok()?;
    let staging = value.get("staging")?.as_str()?.to_string();
    let files: Vec<String> =
        value.get("files")?.as_array()?.iter().map(|f| f.as_str().map(str::to_string)).collect::<Option<_>>()?;
    let plain = |name: &str| {
        !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\']) && !name.starts_with(".dslc")
    };
    let staged_here = staging.as_bytes().starts_with(staging_prefix.as_encoded_bytes());
    (plain(&staging) && staged_here && files.iter().all(|f| plain(f) && f != PREVIOUS)).then_some((staging, files))
}

/// A set of output files being prepared for one locked `--out` directory.
pub struct OutputSet<'a> {
    dir: &'a OutDir,
    staging: PathBuf,
    files: Vec<String>,
    /// Set once the staging directory must stay: it was emptied by a successful commit, or a
    /// failed commit could not be undone and the next run needs it to finish the commit.
    keep_staging: bool,
}

impl<'a> OutputSet<'a> {
    /// Creates a fresh staging directory beside the output directory.
    pub fn new(dir: &'a OutDir) -> io::Result<Self> {
        let mut attempt = 0u32;
        loop {
            let mut name = dir.staging_prefix();
            name.push(format!("{}-{attempt}", std::process::id()));
            let staging = dir.parent.join(name);
            match fs::create_dir(&staging) {
                Ok(()) => return Ok(OutputSet { dir, staging, files: Vec::new(), keep_staging: false }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes one file into the staging directory through `fill`, and flushes it to disk.
    ///
    /// For tests of the all-or-nothing guarantee, the environment variable
    /// `DSLC_INJECT_WRITE_FAILURE` naming an output file makes writing that file fail midway.
    pub fn write(&mut self, name: &str, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let mut writer = self.create(name)?;
        fill(&mut writer)?;
        self.finish(name, writer)
    }

    /// Writes two files at once through `fill` (for writers that produce both in one pass), and
    /// flushes both to disk; the files are committed in the order named.
    pub fn write_pair(
        &mut self,
        names: (&str, &str),
        fill: impl FnOnce(&mut dyn Write, &mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut first = self.create(names.0)?;
        let mut second = self.create(names.1)?;
        fill(&mut first, &mut second)?;
        self.finish(names.0, first)?;
        self.finish(names.1, second)
    }

    /// Creates the staged file `name`, or fails as `DSLC_INJECT_WRITE_FAILURE` asks.
    fn create(&self, name: &str) -> io::Result<BufWriter<fs::File>> {
        let path = self.staging.join(name);
        if std::env::var_os("DSLC_INJECT_WRITE_FAILURE").is_some_and(|v| v == name) {
            fs::write(&path, b"half-written")?;
            return Err(io::Error::other(format!("injected failure while writing {name}")));
        }
        Ok(BufWriter::with_capacity(WRITE_BUFFER_BYTES, fs::File::create(&path)?))
    }

    /// Flushes a staged file to disk and records it for the commit.
    fn finish(&mut self, name: &str, writer: BufWriter<fs::File>) -> io::Result<()> {
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        self.files.push(name.to_string());
        Ok(())
    }

    /// Moves every staged file into `--out`, replacing older files, and returns their paths.
    ///
    /// Nothing in `--out` changes unless every target is a regular file or absent. The journal
    /// is made durable before the first rename and removed after the last; if a rename fails,
    /// the new files are taken back and the older ones restored, so `--out` ends with all new
    /// files or none, and a run killed midway leaves the journal for the next run to finish.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        let out = self.dir.path.clone();
        for name in &self.files {
            refuse_non_file(&out.join(name))?;
        }
        let created = !out.exists();
        if created {
            fs::create_dir(&out)?;
        }
        let result = self.commit_into(&out);
        if result.is_err() && created && !self.keep_staging {
            // A failed first commit leaves no empty directory behind.
            let _ = fs::remove_dir(&out);
        }
        result
    }

    fn commit_into(&mut self, out: &Path) -> io::Result<Vec<PathBuf>> {
        // Keep the older files for an undo; the new ones replace them by an atomic rename, so
        // a reader never finds a name missing.
        let previous = self.staging.join(PREVIOUS);
        fs::create_dir(&previous)?;
        let mut had_previous = Vec::with_capacity(self.files.len());
        for name in &self.files {
            let target = out.join(name);
            let exists = fs::symlink_metadata(&target).is_ok();
            if exists {
                let kept = previous.join(name);
                fs::hard_link(&target, &kept).or_else(|_| fs::copy(&target, &kept).map(|_| ()))?;
            }
            had_previous.push(exists);
        }
        // The staged files, the staging directory and `--out` itself are durable before the
        // journal refers to them.
        sync_dir(&self.staging)?;
        sync_dir(&self.dir.parent)?;
        self.write_journal(out)?;
        for (placed, name) in self.files.iter().enumerate() {
            kill_point();
            if let Err(error) = fs::rename(self.staging.join(name), out.join(name)) {
                return Err(self.undo(out, placed, &had_previous, error));
            }
        }
        sync_dir(out)?;
        kill_point();
        fs::remove_file(out.join(JOURNAL))?;
        sync_dir(out)?;
        // The commit is complete; an empty staging directory that cannot be removed now is
        // removed by the next run.
        self.keep_staging = true;
        let _ = fs::remove_dir_all(&self.staging);
        Ok(self.files.iter().map(|name| self.dir.given.join(name)).collect())
    }

    /// Writes the journal to a temporary file, flushes it and renames it into place.
    fn write_journal(&self, out: &Path) -> io::Result<()> {
        let staging_name = self.staging.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let record = serde_json::json!({ "staging": staging_name, "files": self.files });
        let mut text = serde_json::to_string_pretty(&record).map_err(io::Error::other)?;
        text.push('\n');
        let temporary = out.join(JOURNAL_TEMPORARY);
        let written = (|| {
            let mut file = fs::File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            kill_point();
            fs::rename(&temporary, out.join(JOURNAL))
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written?;
        sync_dir(out)
    }

    /// Undoes the first `placed` renames after `error`: each new file goes back to the staging
    /// directory before its older file returns, so the journal stays true at every step.
    fn undo(&mut self, out: &Path, placed: usize, had_previous: &[bool], error: io::Error) -> io::Error {
        let previous = self.staging.join(PREVIOUS);
        let undone = (|| {
            for (name, had) in self.files[..placed].iter().zip(had_previous).rev() {
                fs::rename(out.join(name), self.staging.join(name))?;
                if *had {
                    fs::rename(previous.join(name), out.join(name))?;
                }
            }
            sync_dir(out)?;
            fs::remove_file(out.join(JOURNAL))?;
            sync_dir(out)
        })();
        match undone {
            Ok(()) => error,
            Err(second) => {
                self.keep_staging = true;
                io::Error::new(
                    error.kind(),
                    format!(
                        "{error}; putting the older files back failed too ({second}), so {} is marked \
                         incomplete by {JOURNAL}: the next `dslc compile` into it finishes the commit",
                        self.dir.given.display()
                    ),
                )
            }
        }
    }
}

impl Drop for OutputSet<'_> {
    fn drop(&mut self) {
        // A failed or abandoned set leaves no staging directory behind.
        if !self.keep_staging {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Refuses to replace anything but a regular file: a directory or a link of that name is not
/// an output dslc wrote, and replacing it would destroy it.
fn refuse_non_file(target: &Path) -> io::Result<()> {
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    };
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} is {what}, which dslc does not replace; nothing was changed: move it away or choose another --out",
            target.display()
        ),
    ))
}

/// Removes a file, if there is one.
fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound && e.kind() != io::ErrorKind::NotADirectory => Err(e),
        _ => Ok(()),
    }
}

fn with_context(error: io::Error, context: &str) -> io::Error {
    io::Error::new(error.kind(), format!("{context}: {error}"))
}

/// Flushes a directory's entries to disk, so renames and new names in it survive a crash.
fn sync_dir(path: &Path) -> io::Result<()> {
    if cfg!(unix) {
        fs::File::open(path)?.sync_all()?;
    }
    Ok(())
}

/// For the crash tests: `DSLC_INJECT_KILL_AT_RENAME=N` aborts the process right before the
/// N-th rename or removal of a commit or recovery (counted from 1 in each process), as a
/// SIGKILL would, without running any destructor.
fn kill_point() {
    static AT: OnceLock<Option<usize>> = OnceLock::new();
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let at = *AT.get_or_init(|| std::env::var("DSLC_INJECT_KILL_AT_RENAME").ok().and_then(|v| v.parse().ok()));
    if let Some(at) = at {
        if COUNT.fetch_add(1, Ordering::SeqCst) + 1 == at {
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    fn commit(out: &Path, files: &[(&str, &str)]) -> io::Result<Vec<PathBuf>> {
        let dir = OutDir::open(out)?;
        let mut set = OutputSet::new(&dir)?;
        for (name, text) in files {
            set.write(name, |w| w.write_all(text.as_bytes()))?;
        }
        set.commit()
    }

    #[test]
    fn commit_moves_files_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let written = commit(&out, &[("a.txt", "new")]).unwrap();
        assert_eq!(written, vec![out.join("a.txt")]);
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert_eq!(names(dir.path()), ["out"], "no staging directory and no lock file remain");
        assert_eq!(names(&out), ["a.txt"], "no journal remains");
    }

    #[test]
    fn a_failing_rename_puts_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.txt"), "old a").unwrap();
        fs::write(out.join("c.txt"), "old c").unwrap();
        let locked = OutDir::open(&out).unwrap();
        let mut set = OutputSet::new(&locked).unwrap();
        set.write("a.txt", |w| w.write_all(b"new a")).unwrap();
        set.write("b.txt", |w| w.write_all(b"new b")).unwrap();
        set.write("c.txt", |w| w.write_all(b"new c")).unwrap();
        // Removing a staged file makes its rename fail after `a.txt` is already in place.
        fs::remove_file(set.staging.join("b.txt")).unwrap();
        assert!(set.commit().is_err());
        drop(locked);
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old a");
        assert_eq!(fs::read_to_string(out.join("c.txt")).unwrap(), "old c");
        assert_eq!(names(&out), ["a.txt", "c.txt"], "no new file and no journal remain");
        assert_eq!(names(dir.path()), ["out"], "staging directory removed");
    }

    #[test]
    fn a_failed_first_commit_leaves_no_directory() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let locked = OutDir::open(&out).unwrap();
        let mut set = OutputSet::new(&locked).unwrap();
        set.write("a.txt", |w| w.write_all(b"new a")).unwrap();
        fs::remove_file(set.staging.join("a.txt")).unwrap();
        assert!(set.commit().is_err());
        drop(locked);
        assert!(names(dir.path()).is_empty(), "{:?}", names(dir.path()));
    }

    #[test]
    fn failure_keeps_previous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.txt"), "old").unwrap();
        {
            let locked = OutDir::open(&out).unwrap();
            let mut set = OutputSet::new(&locked).unwrap();
            set.write("a.txt", |w| w.write_all(b"half")).unwrap();
            let failed = set.write("b.txt", |_| Err(io::Error::other("injected failure")));
            assert!(failed.is_err());
        }
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old");
        assert!(!out.join("b.txt").exists());
        assert_eq!(names(dir.path()), ["out"], "staging directory removed");
    }

    #[test]
    fn only_regular_files_are_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("b.txt")).unwrap();
        fs::write(out.join("b.txt").join("keep"), "kept").unwrap();
        fs::write(out.join("a.txt"), "old").unwrap();
        let error = commit(&out, &[("a.txt", "new"), ("b.txt", "new")]).unwrap_err();
        assert!(error.to_string().contains("b.txt is a directory, which dslc does not replace"), "{error}");
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old", "nothing changed");
        assert_eq!(fs::read_to_string(out.join("b.txt").join("keep")).unwrap(), "kept");
        assert_eq!(names(dir.path()), ["out"]);
        #[cfg(unix)]
        {
            fs::write(dir.path().join("elsewhere"), "theirs").unwrap();
            std::os::unix::fs::symlink(dir.path().join("elsewhere"), out.join("c.txt")).unwrap();
            let error = commit(&out, &[("c.txt", "new")]).unwrap_err();
            assert!(error.to_string().contains("c.txt is a symbolic link"), "{error}");
            assert_eq!(fs::read_to_string(dir.path().join("elsewhere")).unwrap(), "theirs");
        }
    }

    #[test]
    fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let first = OutDir::open(&out).unwrap();
        let second = OutDir::open(&out).unwrap_err();
        assert_eq!(second.kind(), io::ErrorKind::WouldBlock);
        assert!(second.to_string().contains(".out.dslc-lock"), "{second}");
        // Another name for the same directory shares its lock.
        fs::create_dir(&out).unwrap();
        let alias = dir.path().join("alias");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&out, &alias).unwrap();
            assert_eq!(OutDir::open(&alias).unwrap_err().kind(), io::ErrorKind::WouldBlock);
        }
        drop(first);
        assert!(OutDir::open(&out).is_ok());
    }

    #[test]
    fn leftover_staging_directories_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        for leftover in [".out.dslc-tmp-999999-0", ".out.dslc-tmp-1-3/.previous"] {
            fs::create_dir_all(dir.path().join(leftover)).unwrap();
        }
        fs::write(dir.path().join(".out.dslc-tmp-999999-0").join("a.txt"), "stale").unwrap();
        fs::create_dir_all(dir.path().join(".other.dslc-tmp-1-0")).unwrap();
        let locked = OutDir::open(&out).unwrap();
        assert_eq!(locked.removed_leftovers(), 2);
        drop(locked);
        assert_eq!(names(dir.path()), [".other.dslc-tmp-1-0"]);
    }

    #[test]
    fn recovery_rolls_forward_and_refuses_unusable_journals() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        let staging = dir.path().join(".out.dslc-tmp-999999-0");
        fs::create_dir_all(&staging).unwrap();
        // As a run killed after placing `a.txt` leaves it: `b.txt` is still staged.
        fs::write(out.join("a.txt"), "new a").unwrap();
        fs::write(out.join("b.txt"), "old b").unwrap();
        fs::write(staging.join("b.txt"), "new b").unwrap();
        let journal = r#"{"staging": ".out.dslc-tmp-999999-0", "files": ["a.txt", "b.txt"]}"#;
        fs::write(out.join(JOURNAL), journal).unwrap();
        fs::write(out.join(JOURNAL_TEMPORARY), "{").unwrap();
        let locked = OutDir::open(&out).unwrap();
        assert_eq!(locked.recovered(), Some(2));
        drop(locked);
        assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "new b");
        assert_eq!(names(&out), ["a.txt", "b.txt"]);
        assert_eq!(names(dir.path()), ["out"]);

        // A journal whose staging directory is gone cannot be finished: say so, change nothing.
        fs::write(out.join(JOURNAL), journal).unwrap();
        let error = OutDir::open(&out).unwrap_err();
        assert!(error.to_string().contains("is gone") && error.to_string().contains("delete them"), "{error}");
        assert!(out.join(JOURNAL).exists());
        // Names that would leave the staging directory or `--out` are not followed.
        fs::create_dir_all(&staging).unwrap();
        for bad in [
            r#"{"staging": ".out.dslc-tmp-999999-0", "files": ["../x"]}"#,
            r#"{"staging": "../elsewhere", "files": ["a.txt"]}"#,
            r#"{"staging": ".other.dslc-tmp-1-0", "files": ["a.txt"]}"#,
            "not json",
        ] {
            fs::write(out.join(JOURNAL), bad).unwrap();
            let error = OutDir::open(&out).unwrap_err();
            assert!(error.to_string().contains("not a commit record dslc wrote"), "{bad}: {error}");
        }
    }
}
