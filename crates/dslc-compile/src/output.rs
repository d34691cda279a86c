//! Atomic output: files are written into a temporary directory beside `--out` and renamed into
//! place only after every one of them is complete, so a failure leaves earlier outputs untouched.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A set of output files being prepared for one `--out` directory.
pub struct OutputSet {
    out_dir: PathBuf,
    staging: PathBuf,
    files: Vec<String>,
    committed: bool,
}

impl OutputSet {
    /// Creates a fresh staging directory beside `out_dir`; `out_dir` itself is created only when
    /// the outputs are committed, so a failed run leaves no empty directory behind.
    pub fn new(out_dir: &Path) -> io::Result<Self> {
        let parent = out_dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let base = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let mut attempt = 0u32;
        loop {
            let staging = parent.join(format!(".{base}.dslc-tmp-{}-{attempt}", std::process::id()));
            match fs::create_dir(&staging) {
                Ok(()) => {
                    return Ok(OutputSet {
                        out_dir: out_dir.to_path_buf(),
                        staging,
                        files: Vec::new(),
                        committed: false,
                    })
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes one file into the staging directory through `fill`.
    ///
    /// For tests of the all-or-nothing guarantee, the environment variable
    /// `DSLC_INJECT_WRITE_FAILURE` naming an output file makes writing that file fail midway.
    pub fn write(&mut self, name: &str, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
        let path = self.staging.join(name);
        if std::env::var_os("DSLC_INJECT_WRITE_FAILURE").is_some_and(|v| v == name) {
            fs::write(&path, b"half-written")?;
            return Err(io::Error::other(format!("injected failure while writing {name}")));
        }
        let mut writer = BufWriter::new(fs::File::create(&path)?);
        fill(&mut writer)?;
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        self.files.push(name.to_string());
        Ok(())
    }

    /// Moves every staged file into `--out`, replacing older ones, and removes the staging
    /// directory. Older files are first moved aside into the staging directory; if any step
    /// fails, everything already moved is put back, so `--out` holds all new files or none.
    pub fn commit(mut self) -> io::Result<Vec<PathBuf>> {
        fs::create_dir_all(&self.out_dir)?;
        let aside = self.staging.join(".previous");
        fs::create_dir_all(&aside)?;
        let mut moved_aside: Vec<&String> = Vec::new();
        let mut placed: Vec<&String> = Vec::new();
        let mut result = Ok(());
        for name in &self.files {
            let target = self.out_dir.join(name);
            if target.exists() {
                if let Err(e) = fs::rename(&target, aside.join(name)) {
                    result = Err(e);
                    break;
                }
                moved_aside.push(name);
            }
            if let Err(e) = fs::rename(self.staging.join(name), &target) {
                result = Err(e);
                break;
            }
            placed.push(name);
        }
        if let Err(e) = result {
            for name in placed {
                let _ = fs::remove_file(self.out_dir.join(name));
            }
            for name in moved_aside {
                let _ = fs::rename(aside.join(name), self.out_dir.join(name));
            }
            return Err(e);
        }
        self.committed = true;
        fs::remove_dir_all(&self.staging)?;
        Ok(self.files.iter().map(|name| self.out_dir.join(name)).collect())
    }
}

impl Drop for OutputSet {
    fn drop(&mut self) {
        // Whatever happened, no staging directory is left behind.
        if !self.committed || self.staging.exists() {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_moves_files_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut set = OutputSet::new(&out).unwrap();
        set.write("a.txt", |w| w.write_all(b"new")).unwrap();
        let written = set.commit().unwrap();
        assert_eq!(written, vec![out.join("a.txt")]);
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "only `out` remains");
    }

    #[test]
    fn a_failing_rename_puts_everything_back() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(out.join("b.txt")).unwrap();
        fs::write(out.join("b.txt").join("keep"), "").unwrap();
        fs::write(out.join("a.txt"), "old").unwrap();
        let mut set = OutputSet::new(&out).unwrap();
        set.write("a.txt", |w| w.write_all(b"new a")).unwrap();
        // A directory stands where `b.txt` should go, so moving it aside works but the new file
        // cannot take its place on every platform; make the failure certain by removing the
        // staged file first.
        set.write("b.txt", |w| w.write_all(b"new b")).unwrap();
        fs::remove_file(set.staging.join("b.txt")).unwrap();
        assert!(set.commit().is_err());
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old");
        assert!(out.join("b.txt").join("keep").exists(), "the directory is back in place");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "staging directory removed");
    }

    #[test]
    fn failure_keeps_previous_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.txt"), "old").unwrap();
        {
            let mut set = OutputSet::new(&out).unwrap();
            set.write("a.txt", |w| w.write_all(b"half")).unwrap();
            let failed = set.write("b.txt", |_| Err(io::Error::other("injected failure")));
            assert!(failed.is_err());
        }
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "old");
        assert!(!out.join("b.txt").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1, "staging directory removed");
    }
}
