//! The salsa database: file inputs (read lazily from disk or set by an editor) and the tracked
//! queries parse → includes → analyze → check → counts.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use dslc_syntax::ast::FileRef;
use dslc_syntax::codes;
use dslc_syntax::{ParseCache, ParseResult};
use salsa::Setter;

use crate::diagnostic::{Diagnostic, FilePath, Label};
use crate::project::{CatalogOverride, Settings};
use crate::semantics::{self, Analysis, IncludeResolver, Included};
use crate::stage::{Field, Mode};
use crate::table::{self, Table, TableError};

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

    /// Reads a file from disk, never failing: problems become the status.
    ///
    /// Only regular files (symlinks to them included) of at most [`MAX_FILE_BYTES`] are read: a
    /// FIFO would block forever and a device such as `/dev/zero` never ends.
    pub fn read(path: &Path) -> Self {
        let unreadable = |reason: String| FileContents { status: FileStatus::Unreadable(reason), text: String::new() };
        let failed = |e: std::io::Error| match e.kind() {
            std::io::ErrorKind::NotFound => FileContents { status: FileStatus::Missing, text: String::new() },
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

/// A file known to the database: a spec, an included CSV/TXT, or a project file.
#[salsa::input(debug)]
pub struct SourceFile {
    #[returns(ref)]
    pub path: PathBuf,
    #[returns(ref)]
    pub contents: FileContents,
}

/// What the queries need from the database beyond salsa itself.
#[salsa::db]
pub trait Db: salsa::Database {
    /// The input for `path`, read from disk the first time it is asked for.
    fn file(&self, path: &Path) -> SourceFile;

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
    /// Shared by every clone so that snapshots never create a second input for one path.
    files: Arc<Mutex<HashMap<PathBuf, SourceFile>>>,
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
        Database::with_storage(salsa::Storage::default(), None)
    }
}

impl Database {
    fn with_storage(storage: salsa::Storage<Self>, executed: Option<Arc<Mutex<Vec<String>>>>) -> Self {
        // The settings input needs a database to live in, so it is filled in right after.
        let mut db =
            Database { storage, files: Arc::default(), parse_caches: Arc::default(), settings: None, executed };
        db.settings = Some(Settings::new(&db, None, Vec::new()));
        db
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
        Database::with_storage(storage, Some(executed))
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
                let file = SourceFile::new(self, path.to_path_buf(), contents);
                if let Ok(mut files) = self.files.lock() {
                    files.insert(path.to_path_buf(), file);
                }
                file
            }
        }
    }

    /// Re-reads a file from disk if the database knows it (after a change on disk).
    pub fn reload_from_disk(&mut self, path: &Path) -> Option<SourceFile> {
        let known = self.files.lock().ok().and_then(|files| files.get(path).copied())?;
        let contents = FileContents::read(path);
        if known.contents(self) != &contents {
            known.set_contents(self).to(contents);
        }
        Some(known)
    }

    /// Every path the database has an input for.
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
        // The first read of a file is not tracked; later changes arrive through the setters.
        let contents = FileContents::read(path);
        let mut files = match self.files.lock() {
            Ok(files) => files,
            Err(poisoned) => poisoned.into_inner(),
        };
        *files.entry(path.to_path_buf()).or_insert_with(|| SourceFile::new(self, path.to_path_buf(), contents))
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

/// Parses a spec file.
#[salsa::tracked(returns(ref))]
pub fn parse(db: &dyn Db, file: SourceFile) -> ParseResult {
    db.parse_text(file.path(db), &file.contents(db).text)
}

/// Reads an included file as a table: CSV with a header, or TXT with one value per line.
#[salsa::tracked(returns(ref))]
pub fn include_table(db: &dyn Db, file: SourceFile) -> Result<Arc<Table>, TableError> {
    let text = &file.contents(db).text;
    if is_txt(file.path(db)) {
        table::read_txt(text).map(Arc::new)
    } else {
        table::read_csv(text).map(|mut table| {
            trim_cells(&mut table);
            Arc::new(table)
        })
    }
}

/// Values in included files are compared without surrounding spaces, as the old system did.
fn trim_cells(table: &mut Table) {
    for record in table.header.iter_mut().chain(table.records.iter_mut()) {
        for cell in &mut record.cells {
            let trimmed = cell.text.trim();
            if trimmed.len() != cell.text.len() {
                cell.text = trimmed.to_string();
            }
        }
    }
}

fn is_txt(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"))
}

/// The project root for a spec: the nearest directory above it holding `dslc.toml`, else its own.
#[salsa::tracked(returns(ref))]
pub fn project_root(db: &dyn Db, spec: SourceFile) -> PathBuf {
    let spec_dir = spec.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut dir = Some(spec_dir.as_path());
    while let Some(current) = dir {
        let candidate = db.file(&current.join("dslc.toml"));
        if candidate.contents(db).status == FileStatus::Present {
            return current.to_path_buf();
        }
        dir = current.parent();
    }
    spec_dir
}

/// Analyses a spec: rules, product factors, columns and stage fields.
#[salsa::tracked(returns(ref))]
pub fn analyze(db: &dyn Db, spec: SourceFile) -> Analysis {
    let parsed = parse(db, spec);
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let spec_dir = spec.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
    let resolver = DbResolver { db, spec_path: spec_path.clone(), spec_dir, root: project_root(db, spec).clone() };
    semantics::analyze(&spec_path, &parsed.file, &resolver)
}

/// Locates and reads one `file("…")` of a spec exactly as `analyze` does (same root rule, same
/// diagnostics), for queries that need an include outside the analysis, such as the name table.
pub fn resolve_include(db: &dyn Db, spec: SourceFile, file_ref: &FileRef) -> Result<Arc<Included>, Box<Diagnostic>> {
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let spec_dir = spec.path(db).parent().map(Path::to_path_buf).unwrap_or_default();
    DbResolver { db, spec_path, spec_dir, root: project_root(db, spec).clone() }.resolve(file_ref)
}

/// Every diagnostic for a spec, syntax first, then in source order.
#[salsa::tracked(returns(ref))]
pub fn check(db: &dyn Db, spec: SourceFile) -> Vec<Diagnostic> {
    let parsed = parse(db, spec);
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let mut diagnostics: Vec<Diagnostic> = parsed.errors.iter().map(|e| syntax_diagnostic(&spec_path, e)).collect();
    let had_syntax_errors = !diagnostics.is_empty();
    let text = &spec.contents(db).text;
    let broken_names = names_in_broken_statements(text, &parsed.errors);
    let mut error_starts: Vec<usize> = parsed.errors.iter().map(|e| e.span.start).collect();
    error_starts.sort_unstable();
    // A statement that failed to parse is missing from the tree, so names it declares look
    // unknown; and a construct with a syntax error inside (a list whose elements were dropped)
    // looks empty. Those follow-on reports would only bury the real syntax error; everything
    // else that the statements which did parse say is still reported.
    let is_hidden_by_syntax_error = |d: &Diagnostic| {
        if !had_syntax_errors {
            return false;
        }
        if d.code == codes::DESIGN_ONLY || d.code == codes::UNREAD_AXIS {
            return true;
        }
        if d.primary.file != spec_path {
            return false;
        }
        // Is there a syntax error starting inside the report's span? (Sorted starts keep this
        // logarithmic, however many reports and errors there are.)
        let end = d.primary.span.end.max(d.primary.span.start + 1);
        let first = error_starts.partition_point(|&start| start < d.primary.span.start);
        let covers_syntax_error = error_starts.get(first).is_some_and(|&start| start < end);
        let names_broken = is_follow_on(d.code)
            && text.get(d.primary.span.clone()).is_some_and(|written| broken_names.contains(written));
        covers_syntax_error || names_broken
    };
    let analysis = analyze(db, spec);
    diagnostics.extend(analysis.diagnostics.iter().filter(|d| !is_hidden_by_syntax_error(d)).cloned());
    diagnostics.extend(crate::project::project_config(db, spec).diagnostics.iter().cloned());
    diagnostics.extend(
        crate::catalog_check::catalog_diagnostics(db, spec).iter().filter(|d| !is_hidden_by_syntax_error(d)).cloned(),
    );
    // Problems in source order, the spec's own first; notes (facts, not problems) last.
    // The key borrows the path: cloning the `Arc` per comparison cost two atomic operations.
    fn order_key<'d>(d: &'d Diagnostic, spec: &FilePath) -> (bool, bool, &'d Path, usize) {
        (d.severity == codes::Severity::Note, d.primary.file != *spec, d.primary.file.as_ref(), d.primary.span.start)
    }
    diagnostics.sort_by(|a, b| order_key(a, &spec_path).cmp(&order_key(b, &spec_path)));
    diagnostics.dedup();
    diagnostics
}

fn is_follow_on(code: codes::Code) -> bool {
    [codes::UNKNOWN_AXIS, codes::UNKNOWN_OUTPUT_FIELD].contains(&code)
}

/// Every name-like word written in a statement that has a syntax error. A statement runs from a
/// line that starts with a statement keyword to the next such line.
fn names_in_broken_statements<'t>(text: &'t str, errors: &[dslc_syntax::SyntaxError]) -> HashSet<&'t str> {
    let mut names = HashSet::new();
    if errors.is_empty() {
        return names;
    }
    let mut line_starts = vec![0];
    line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    let line_text = |line: usize| {
        let end = line_starts.get(line + 1).copied().unwrap_or(text.len());
        &text[line_starts[line]..end]
    };
    let starts_statement: Vec<bool> = (0..line_starts.len())
        .map(|line| {
            // A comment that starts with a keyword (`# tie the models`) starts no statement.
            let first = line_text(line).trim_start().split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next();
            first.is_some_and(|word| dslc_syntax::lexer::KEYWORDS.contains(&word))
        })
        .collect();
    let mut broken = vec![false; line_starts.len()];
    for error in errors {
        let line = line_starts.partition_point(|&start| start <= error.span.start).saturating_sub(1);
        if broken[line] {
            continue;
        }
        let mut first = line;
        while first > 0 && !starts_statement[first] {
            first -= 1;
        }
        let mut last = line + 1;
        while last < line_starts.len() && !starts_statement[last] {
            last += 1;
        }
        broken[first..last].iter_mut().for_each(|b| *b = true);
    }
    for (line, _) in broken.iter().enumerate().filter(|(_, b)| **b) {
        names.extend(
            line_text(line).split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()),
        );
    }
    names
}

fn syntax_diagnostic(spec: &FilePath, error: &dslc_syntax::SyntaxError) -> Diagnostic {
    let mut d =
        Diagnostic::new(error.code, error.message.clone(), Label::new(spec, error.span.clone(), error.label.clone()));
    for (span, message) in &error.secondary {
        d = d.with_label(Label::new(spec, span.clone(), message.clone()));
    }
    if let Some(help) = &error.help {
        d = d.with_help(help.clone());
    }
    d
}

/// Design size facts: rows and the number of plan entries per stage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    pub rows: u128,
    pub drafts: Option<u128>,
    pub essays: Option<u128>,
    pub evaluations: Option<u128>,
}

/// `1 row`, `528 rows`; a count that saturated (the product does not fit in 128 bits) says so
/// instead of printing `u128::MAX` as if it were exact.
pub fn describe_count(n: u128, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        u128::MAX => format!("more than 10^38 {noun}s (too many to count)"),
        n => format!("{n} {noun}s"),
    }
}

/// Counts rows and stage entries without forming the product; `None` when the spec has errors.
#[salsa::tracked]
pub fn counts(db: &dyn Db, spec: SourceFile) -> Option<Counts> {
    let diagnostics = check(db, spec);
    if diagnostics.iter().any(|d| d.severity == codes::Severity::Error) {
        return None;
    }
    let design = &analyze(db, spec).design;
    let rows = design.row_count();
    let project = |fields: &[Field]| -> u128 {
        let names: Vec<&str> =
            fields.iter().filter_map(|f| design.stage.column(*f)).map(|c| design.columns[c].as_str()).collect();
        design.distinct_count(&names)
    };
    let draft = [Field::Combo, Field::DraftTemplate, Field::DraftLlm, Field::DraftReplicate];
    let essay = [Field::EssayTemplate, Field::EssayLlm, Field::EssayReplicate];
    let evaluation = [Field::EvaluationTemplate, Field::EvaluationLlm, Field::EvaluationReplicate];
    let counts = match &design.stage.mode {
        Mode::Full => Counts {
            rows,
            drafts: Some(project(&draft)),
            essays: Some(project(&[&draft[..], &essay[..]].concat())),
            evaluations: Some(project(&[&draft[..], &essay[..], &evaluation[..]].concat())),
        },
        Mode::EvaluateOnly => Counts {
            rows,
            drafts: None,
            essays: Some(project(&[Field::EssayGenId])),
            evaluations: Some(project(&[&[Field::EssayGenId][..], &evaluation[..]].concat())),
        },
        Mode::DesignOnly { .. } => Counts { rows, drafts: None, essays: None, evaluations: None },
    };
    Some(counts)
}

struct DbResolver<'a> {
    db: &'a dyn Db,
    spec_path: FilePath,
    spec_dir: PathBuf,
    root: PathBuf,
}

impl IncludeResolver for DbResolver<'_> {
    fn resolve(&self, file_ref: &FileRef) -> Result<Arc<Included>, Box<Diagnostic>> {
        let here = |message: &str| Label::new(&self.spec_path, file_ref.path_span.clone(), message);
        let joined = normalize(&self.spec_dir.join(&file_ref.path));
        if !joined.starts_with(&self.root) {
            return Err(Box::new(
                Diagnostic::new(
                    codes::FILE_ESCAPES_ROOT,
                    format!("`{}` is outside the project root", file_ref.path),
                    here("leaves the project"),
                )
                .with_help(
                    "keep included files inside the project (the directory of dslc.toml, else the spec's directory)",
                ),
            ));
        }
        let extension = joined.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if !matches!(extension.as_deref(), Some("csv") | Some("txt")) {
            return Err(Box::new(
                Diagnostic::new(
                    codes::FILE_BAD_EXTENSION,
                    format!("`{}` is neither a .csv nor a .txt file", file_ref.path),
                    here("unknown extension"),
                )
                .with_help("include a CSV with a header row, or a TXT file with one value per line"),
            ));
        }
        if !crate::root::inside(&self.root, &joined) {
            let real = std::fs::canonicalize(&joined).unwrap_or_else(|_| joined.clone());
            return Err(Box::new(
                Diagnostic::new(
                    codes::FILE_ESCAPES_ROOT,
                    format!(
                        "`{}` is outside the project root: a symbolic link leads to {}",
                        file_ref.path,
                        real.display()
                    ),
                    here("leaves the project through a symbolic link"),
                )
                .with_help("copy the file into the project, or point the link at a file inside the project root"),
            ));
        }
        let file = self.db.file(&joined);
        match &file.contents(self.db).status {
            FileStatus::Present => {}
            FileStatus::Missing => {
                return Err(Box::new(
                    Diagnostic::new(
                        codes::FILE_NOT_FOUND,
                        format!("included file `{}` does not exist", file_ref.path),
                        here("not found"),
                    )
                    .with_help(format!(
                        "looked for {} in the project; paths are relative to the spec's directory",
                        joined.strip_prefix(&self.root).unwrap_or(&joined).display()
                    )),
                ))
            }
            FileStatus::Unreadable(reason) => {
                return Err(Box::new(
                    Diagnostic::new(
                        codes::FILE_NOT_FOUND,
                        format!("included file `{}` cannot be read: {reason}", file_ref.path),
                        here("unreadable"),
                    )
                    .with_help(format!(
                        "dslc reads regular files of at most {} MiB that it has permission to read",
                        MAX_FILE_BYTES >> 20
                    )),
                ))
            }
        }
        let path: FilePath = Arc::from(joined.as_path());
        if let Some(offset) = file.contents(self.db).text.find('\u{1a}') {
            return Err(Box::new(
                Diagnostic::new(
                    codes::INVALID_UTF8,
                    format!("included file `{}` is not valid UTF-8", file_ref.path),
                    Label::new(&path, offset..offset + 1, "invalid byte"),
                )
                .with_label(here("included here"))
                .with_help("save the file as UTF-8"),
            ));
        }
        match include_table(self.db, file) {
            Ok(table) => Ok(Arc::new(Included { path, table: table.clone() })),
            Err(error) if error.over_limit => Err(Box::new(
                Diagnostic::new(
                    codes::FILE_TOO_LARGE,
                    format!("`{}` is too large to include: {}", file_ref.path, error.message),
                    Label::new(&path, error.span.clone(), "over the limit here"),
                )
                .with_label(here("included here"))
                .with_help("split the file, or keep only the levels this cohort uses"),
            )),
            Err(error) => Err(Box::new(
                Diagnostic::new(
                    codes::FILE_MALFORMED,
                    format!("`{}` is not a valid CSV file: {}", file_ref.path, error.message),
                    Label::new(&path, error.span.clone(), error.message.clone()),
                )
                .with_label(here("included here"))
                .with_help("fix the CSV: a header row, then one row per item with the same number of cells"),
            )),
        }
    }
}

/// Resolves `.` and `..` lexically, so that an escaping path is caught even if it does not exist.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}
