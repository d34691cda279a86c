//! Files behind a trait: what the database may observe of the file system (file contents,
//! whether a directory exists, where symbolic links lead), with the OS implementation and an
//! in-memory one for tests and tools.
//!
//! Queries never touch the disk themselves: every observation becomes a salsa input the first
//! time it is asked for (`Db::file`, `Db::directory`), and `Database::refresh` re-observes
//! them all, so an editor sees a change on disk at its next check.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use crate::db::normalize;

/// What the database reads from the file system.
pub trait FileSystem: Send + Sync {
    /// A file's contents, never failing: problems become the status.
    fn read(&self, path: &Path) -> FileContents;
    /// Whether `path` is a directory (following symbolic links).
    fn is_dir(&self, path: &Path) -> bool;
    /// `path` (normalised) with symbolic links resolved as far as it exists; the components
    /// that do not exist are kept as written.
    fn real_path(&self, path: &Path) -> PathBuf;
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct OsFileSystem;

impl FileSystem for OsFileSystem {
    fn read(&self, path: &Path) -> FileContents {
        FileContents::read(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn real_path(&self, path: &Path) -> PathBuf {
        let path = normalize(path);
        let mut existing = path.as_path();
        let mut missing: Vec<OsString> = Vec::new();
        loop {
            if let Ok(mut resolved) = std::fs::canonicalize(existing) {
                resolved.extend(missing.iter().rev());
                return resolved;
            }
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    missing.push(name.to_os_string());
                    existing = parent;
                }
                _ => return path.clone(),
            }
        }
    }
}

/// A file system held in memory: files by absolute path, and the directories that hold them.
/// It has no symbolic links, so every path is its own real path.
#[derive(Debug, Default)]
pub struct MemoryFileSystem {
    files: RwLock<HashMap<PathBuf, FileContents>>,
    /// Directories made explicitly; the ancestors of every file exist too.
    dirs: RwLock<HashSet<PathBuf>>,
}

impl MemoryFileSystem {
    pub fn new() -> Self {
        MemoryFileSystem::default()
    }

    /// Writes a file (creating its directories), replacing what was there.
    pub fn write(&self, path: impl AsRef<Path>, text: impl Into<String>) {
        self.write_contents(path, FileContents::from_text(text));
    }

    /// Puts any contents at `path`, an unreadable status included.
    pub fn write_contents(&self, path: impl AsRef<Path>, contents: FileContents) {
        let path = normalize(path.as_ref());
        if let Ok(mut files) = self.files.write() {
            files.insert(path, contents);
        }
    }

    /// Makes a directory (and its ancestors) that may hold no file.
    pub fn create_dir(&self, path: impl AsRef<Path>) {
        if let Ok(mut dirs) = self.dirs.write() {
            dirs.insert(normalize(path.as_ref()));
        }
    }

    /// Removes a file; reading it again gives `FileStatus::Missing`.
    pub fn remove(&self, path: impl AsRef<Path>) {
        if let Ok(mut files) = self.files.write() {
            files.remove(&normalize(path.as_ref()));
        }
    }
}

impl FileSystem for MemoryFileSystem {
    fn read(&self, path: &Path) -> FileContents {
        let path = normalize(path);
        let found = self.files.read().ok().and_then(|files| files.get(&path).cloned());
        match found {
            Some(contents) => contents,
            None if self.is_dir(&path) => FileContents {
                status: FileStatus::Unreadable("it is a directory, not a regular file".to_string()),
                text: String::new(),
            },
            None => FileContents::missing(),
        }
    }

    fn is_dir(&self, path: &Path) -> bool {
        let path = normalize(path);
        let made = |dirs: &HashSet<PathBuf>| dirs.iter().any(|d| d.starts_with(&path));
        let holds_file =
            |files: &HashMap<PathBuf, FileContents>| files.keys().any(|f| f != &path && f.starts_with(&path));
        self.dirs.read().is_ok_and(|dirs| made(&dirs)) || self.files.read().is_ok_and(|files| holds_file(&files))
    }

    fn real_path(&self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// Whether a file could be read.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum FileStatus {
    Present,
    Missing,
    Unreadable(String),
}

/// The contents of a file as the checker sees them.
///
/// Invalid UTF-8 bytes are replaced one for one by U+001A so byte offsets stay true; the
/// lexer reports them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileContents {
    pub status: FileStatus,
    pub text: String,
}

impl FileContents {
    pub fn from_text(text: impl Into<String>) -> Self {
        FileContents { status: FileStatus::Present, text: text.into() }
    }

    /// The contents of a file that does not exist.
    pub fn missing() -> Self {
        FileContents { status: FileStatus::Missing, text: String::new() }
    }

    /// Reads a file from disk, never failing: problems become the status.
    ///
    /// Only regular files (symlinks to them included) of at most [`MAX_FILE_BYTES`] are read: a
    /// FIFO would block forever and a device such as `/dev/zero` never ends.
    pub fn read(path: &Path) -> Self {
        let unreadable = |reason: String| FileContents { status: FileStatus::Unreadable(reason), text: String::new() };
        let failed = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => FileContents::missing(),
            _ => unreadable(e.to_string()),
        };
        // The file is opened first and its own handle examined, so nothing can swap a FIFO in
        // between; opening does not block on a FIFO because it is non-blocking.
        let file = match open_nonblocking(path) {
            Ok(file) => file,
            Err(e) => return failed(e),
        };
        let metadata = match file.metadata() {
            Ok(metadata) => metadata,
            Err(e) => return failed(e),
        };
        if !metadata.is_file() {
            return unreadable(format!("it is {}, not a regular file", file_kind(&metadata.file_type())));
        }
        if metadata.len() > MAX_FILE_BYTES {
            return unreadable(too_large(metadata.len()));
        }
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        // The file may grow after the size was checked, so the read itself is bounded too.
        match file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
            Ok(_) if bytes.len() as u64 > MAX_FILE_BYTES => unreadable(too_large(bytes.len() as u64)),
            Ok(_) => FileContents { status: FileStatus::Present, text: decode_lossless(bytes) },
            Err(e) => failed(e),
        }
    }
}

#[cfg(target_os = "linux")]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    /// `O_NONBLOCK` on Linux.
    const O_NONBLOCK: i32 = 0o4000;
    std::fs::OpenOptions::new().read(true).custom_flags(O_NONBLOCK).open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    // Elsewhere a FIFO is refused by its metadata before it is opened.
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

/// The largest file dslc reads (specs, includes, catalogs, `dslc.toml`): 256 MiB.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

fn too_large(bytes: u64) -> String {
    format!("it is {} MiB, over the limit of {} MiB for files dslc reads", bytes >> 20, MAX_FILE_BYTES >> 20)
}

#[cfg(unix)]
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn file_kind(kind: &std::fs::FileType) -> &'static str {
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Decodes UTF-8, replacing each invalid byte by U+001A so that offsets do not shift.
pub fn decode_lossless(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len());
            let mut rest = &bytes[..];
            loop {
                match std::str::from_utf8(rest) {
                    Ok(valid) => {
                        out.push_str(valid);
                        break;
                    }
                    Err(err) => {
                        let (valid, after) = rest.split_at(err.valid_up_to());
                        out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                        let bad = err.error_len().unwrap_or(after.len());
                        out.extend(std::iter::repeat_n('\u{1a}', bad));
                        rest = &after[bad..];
                    }
                }
            }
            out
        }
    }
}
