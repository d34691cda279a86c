//! The salsa database: file and directory inputs (observed through a `FileSystem`, or set by
//! an editor) and the `Database`. The tracked queries are in `queries` (parse → analyze →
//! check → counts) and `includes` (include tables and the project-root rule).

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use dslc_syntax::ast::FileRef;
use dslc_syntax::codes;
use dslc_syntax::{ParseCache, ParseResult};
use salsa::Setter;

use crate::diagnostic::{Diagnostic, FilePath, Label};
pub use crate::files::{
    decode_lossless, FileContents, FileStatus, FileSystem, MemoryFileSystem, OsFileSystem, MAX_FILE_BYTES,
};
use crate::project::{CatalogOverride, Settings};
use crate::semantics::{self, Analysis, IncludeResolver, Included};
use crate::spans::{self, SpanMap};
use crate::stage::{Field, Mode, StageKind};
use crate::table::{self, Table, TableError};
use dslc_syntax::ast::SpecFile;
use dslc_syntax::line_index::LineIndex;

mod includes;
mod queries;

use includes::DbResolver;
pub use includes::{include_table, normalize};
pub use queries::*;

/// A file known to the database: a spec, an included CSV/TXT, or a project file.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub contents: FileContents,
    /// The path with symbolic links resolved, for the project-root rule (E0302).
    #[returns(ref)]
    pub real_path: PathBuf,
}

/// A directory the queries asked about: whether it exists, and where links lead.
#[salsa::input(debug)]
pub struct Directory {
    #[returns(ref)]
    pub path: PathBuf,
    pub exists: bool,
    #[returns(ref)]
    pub real_path: PathBuf,
}

/// What the queries need from the database beyond salsa itself.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The input for `path`, read from the file system the first time it is asked for.
    fn file(&self, path: &Path) -> SourceFile;

    /// The input for the directory `path`, observed the first time it is asked for.
    fn directory(&self, path: &Path) -> Directory;

    /// Command-line settings (`--data-root`, `--catalog`).
    fn settings(&self) -> Settings;

    /// Parses a file's text, reusing the statements of its previous parse that did not change.
    fn parse_text(&self, path: &Path, text: &str) -> ParseResult;
}

/// The concrete database used by the CLI, the LSP server and tests.
#[salsa::db]
#[derive(Clone)]
pub struct Database {
    storage: salsa::Storage<Self>,
    /// Where files are read from: the OS, or memory in tests and tools.
    fs: Arc<dyn FileSystem>,
    /// Shared by every clone so that snapshots never create a second input for one path.
    files: Arc<Mutex<HashMap<PathBuf, SourceFile>>>,
    directories: Arc<Mutex<HashMap<PathBuf, Directory>>>,
    /// One statement-level parse cache per file. Its results equal a fresh parse, so it sits
    /// outside salsa's tracking; it only makes re-parsing after a small edit cheap.
    parse_caches: Arc<Mutex<HashMap<PathBuf, ParseCache>>>,
    /// Always `Some` once constructed: the input needs the database to exist first.
    settings: Option<Settings>,
    /// Names of queries that executed, when logging is on (for incrementality tests).
    executed: Option<Arc<Mutex<Vec<String>>>>,
}

impl Default for Database {
    fn default() -> Self {
        Database::with_storage(salsa::Storage::default(), Arc::new(OsFileSystem), None)
    }
}

impl Database {
    fn with_storage(
        storage: salsa::Storage<Self>,
        fs: Arc<dyn FileSystem>,
        executed: Option<Arc<Mutex<Vec<String>>>>,
    ) -> Self {
        // The settings input needs a database to live in, so it is filled in right after.
        let mut db = Database {
            storage,
            fs,
            files: Arc::default(),
            directories: Arc::default(),
            parse_caches: Arc::default(),
            settings: None,
            executed,
        };
        db.settings = Some(Settings::new(&db, None, Vec::new()));
        db
    }

    /// This database reading through `fs` instead of the OS (e.g. a [`MemoryFileSystem`]):
    /// `Database::default().with_file_system(fs)`. Call it before the first query, since inputs
    /// already observed came from the old file system.
    pub fn with_file_system(self, fs: Arc<dyn FileSystem>) -> Self {
        Database { fs, ..self }
    }

    /// Applies `--data-root` and `--catalog` (absolute paths).
    pub fn set_overrides(&mut self, data_root: Option<PathBuf>, catalogs: Vec<CatalogOverride>) {
        let settings = self.settings();
        if settings.data_root(self) != &data_root {
            settings.set_data_root(self).to(data_root);
        }
        if settings.catalogs(self) != &catalogs {
            settings.set_catalogs(self).to(catalogs);
        }
    }

    /// A database that records which queries execute; see [`Database::take_executed`].
    pub fn with_query_log() -> Self {
        let executed: Arc<Mutex<Vec<String>>> = Arc::default();
        let log = executed.clone();
        let storage = salsa::Storage::new(Some(Box::new(move |event: salsa::Event| {
            if let salsa::EventKind::WillExecute { database_key } = event.kind {
                if let Ok(mut log) = log.lock() {
                    log.push(format!("{database_key:?}"));
                }
            }
        })));
        Database::with_storage(storage, Arc::new(OsFileSystem), Some(executed))
    }

    /// The query names executed since the last call, sorted (e.g. `["analyze", "parse"]`).
    pub fn take_executed(&self) -> Vec<String> {
        let Some(log) = &self.executed else { return Vec::new() };
        let mut names: Vec<String> = match log.lock() {
            Ok(mut log) => std::mem::take(&mut *log),
            Err(_) => Vec::new(),
        }
        .into_iter()
        .map(|s| s.split('(').next().unwrap_or_default().to_string())
        .collect();
        names.sort();
        names
    }

    /// Sets a file's text as an editor holds it (or as re-read after a change on disk).
    pub fn set_file_text(&mut self, path: &Path, text: impl Into<String>) -> SourceFile {
        self.set_file_contents(path, FileContents::from_text(text))
    }

    /// Replaces a file's contents, creating the input if needed.
    pub fn set_file_contents(&mut self, path: &Path, contents: FileContents) -> SourceFile {
        let existing = self.files.lock().ok().and_then(|files| files.get(path).copied());
        match existing {
            Some(file) => {
                if file.contents(self) != &contents {
                    file.set_contents(self).to(contents);
                }
                file
            }
            None => {
                let real = self.fs.real_path(path);
                let file = SourceFile::new(self, path.to_path_buf(), contents, real);
                if let Ok(mut files) = self.files.lock() {
                    files.insert(path.to_path_buf(), file);
                }
                file
            }
        }
    }

    /// Re-reads a file from the file system if the database knows it (after a change on disk).
    pub fn reload_from_disk(&mut self, path: &Path) -> Option<SourceFile> {
        let known = self.files.lock().ok().and_then(|files| files.get(path).copied())?;
        self.observe_file(known);
        Some(known)
    }

    /// Observes every file and directory the database knows again, updates the inputs that
    /// changed and returns their paths, sorted. An editor calls it on save and on a
    /// watched-file event, so that a change on disk shows in the next diagnostics; inputs that
    /// did not change keep every query that read them valid.
    pub fn refresh(&mut self) -> Vec<PathBuf> {
        let files: Vec<SourceFile> = self.files.lock().map(|f| f.values().copied().collect()).unwrap_or_default();
        let directories: Vec<Directory> =
            self.directories.lock().map(|d| d.values().copied().collect()).unwrap_or_default();
        let mut changed = Vec::new();
        for file in files {
            if self.observe_file(file) {
                changed.push(file.path(self).clone());
            }
        }
        for directory in directories {
            let path = directory.path(self).clone();
            let (exists, real) = (self.fs.is_dir(&path), self.fs.real_path(&path));
            if *directory.exists(self) != exists || directory.real_path(self) != &real {
                directory.set_exists(self).to(exists);
                directory.set_real_path(self).to(real);
                changed.push(path);
            }
        }
        changed.sort();
        changed
    }

    /// Reads one file again; true if its contents or real path changed.
    fn observe_file(&mut self, file: SourceFile) -> bool {
        let path = file.path(self).clone();
        let (contents, real) = (self.fs.read(&path), self.fs.real_path(&path));
        let mut changed = false;
        if file.contents(self) != &contents {
            file.set_contents(self).to(contents);
            changed = true;
        }
        if file.real_path(self) != &real {
            file.set_real_path(self).to(real);
            changed = true;
        }
        changed
    }

    /// Every path the database has a file input for.
    pub fn known_paths(&self) -> Vec<PathBuf> {
        self.files.lock().map(|files| files.keys().cloned().collect()).unwrap_or_default()
    }
}

#[salsa::db]
impl salsa::Database for Database {}

#[salsa::db]
impl Db for Database {
    fn file(&self, path: &Path) -> SourceFile {
        if let Some(file) = self.files.lock().ok().and_then(|files| files.get(path).copied()) {
            return file;
        }
        // The first read of a file is not tracked; later changes arrive through the setters
        // and `refresh`.
        let (contents, real) = (self.fs.read(path), self.fs.real_path(path));
        let mut files = match self.files.lock() {
            Ok(files) => files,
            Err(poisoned) => poisoned.into_inner(),
        };
        *files.entry(path.to_path_buf()).or_insert_with(|| SourceFile::new(self, path.to_path_buf(), contents, real))
    }

    fn directory(&self, path: &Path) -> Directory {
        if let Some(directory) = self.directories.lock().ok().and_then(|d| d.get(path).copied()) {
            return directory;
        }
        let (exists, real) = (self.fs.is_dir(path), self.fs.real_path(path));
        let mut directories = match self.directories.lock() {
            Ok(directories) => directories,
            Err(poisoned) => poisoned.into_inner(),
        };
        *directories.entry(path.to_path_buf()).or_insert_with(|| Directory::new(self, path.to_path_buf(), exists, real))
    }

    fn parse_text(&self, path: &Path, text: &str) -> ParseResult {
        match self.parse_caches.lock() {
            Ok(mut caches) => caches.entry(path.to_path_buf()).or_default().parse(text),
            Err(_) => dslc_syntax::parse(text),
        }
    }

    fn settings(&self) -> Settings {
        self.settings.expect("Database constructors create the settings input")
    }
}
