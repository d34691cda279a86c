//! Exclusive locks on a lock file, so that two dslc runs never write one `--out` directory or
//! seed one generation store at the same time.
//!
//! The lock is the operating system's advisory file lock (`File::lock`), which is released when
//! its holder exits, however it exits. The holder removes the lock file when it is done; a run
//! that locked a file which was removed meanwhile notices it and locks the new file instead.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// An exclusive lock, held until it is dropped.
#[derive(Debug)]
pub struct LockFile {
    file: File,
    path: PathBuf,
}

impl LockFile {
    /// Takes the lock at `path`, creating the file if needed. When another process holds it,
    /// fails with `io::ErrorKind::WouldBlock` if `on_wait` is `None`; otherwise calls `on_wait`
    /// once (to tell the user) and waits for the lock.
    pub fn acquire(path: &Path, on_wait: Option<&dyn Fn(Option<u32>)>) -> io::Result<LockFile> {
        let mut told = false;
        loop {
            let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(path)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => match on_wait {
                    Some(tell) => {
                        if !told {
                            tell(holder(path));
                            told = true;
                        }
                        file.lock()?;
                    }
                    None => return Err(io::Error::new(io::ErrorKind::WouldBlock, held_message(path))),
                },
                Err(TryLockError::Error(e)) => return Err(e),
            }
            // The previous holder may have removed the file after we opened it; a lock on a
            // removed file protects nothing, so start again with the file now at `path`.
            if !names_file(path, &file)? {
                continue;
            }
            // The holder's process id, only to say who holds the lock.
            file.set_len(0)?;
            file.rewind()?;
            writeln!(file, "{}", std::process::id())?;
            return Ok(LockFile { file, path: path.to_path_buf() });
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Removing the file before the lock is released is safe (see `acquire`) and leaves no
        // trace. Elsewhere than on Unix the file's identity cannot be checked, so it stays.
        if cfg!(unix) {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

/// The process id written into a held lock file, if it can be read.
pub fn holder(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn held_message(path: &Path) -> String {
    let who = match holder(path) {
        Some(pid) => format!("another dslc (process {pid})"),
        None => "another dslc".to_string(),
    };
    format!("{who} holds the lock {}; wait for it to finish, then run again", path.display())
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn names_file(path: &Path, file: &File) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let open = file.metadata()?;
    match fs::metadata(path) {
        Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn names_file(_path: &Path, _file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let first = LockFile::acquire(&path, None).unwrap();
        // A second open file description conflicts even within one process.
        let second = LockFile::acquire(&path, None).unwrap_err();
        assert_eq!(second.kind(), io::ErrorKind::WouldBlock);
        assert!(second.to_string().contains(&format!("process {}", std::process::id())), "{second}");
        drop(first);
        assert!(!path.exists(), "the holder removes its lock file");
        let third = LockFile::acquire(&path, None).unwrap();
        assert_eq!(third.path(), path);
    }

    #[test]
    fn a_stale_lock_file_is_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        fs::write(&path, "12345\n").unwrap();
        let lock = LockFile::acquire(&path, None).unwrap();
        assert_eq!(holder(&path), Some(std::process::id()));
        drop(lock);
    }

    #[test]
    fn waiting_tells_once_and_gets_the_lock_when_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".lock");
        let first = LockFile::acquire(&path, None).unwrap();
        let told = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let waiter = scope.spawn(|| {
                let tell = |_: Option<u32>| {
                    told.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                };
                LockFile::acquire(&path, Some(&tell)).map(|_| ())
            });
            while told.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            drop(first);
            waiter.join().unwrap().unwrap();
        });
        assert_eq!(told.into_inner(), 1);
    }
}
