//! Included files: reading a CSV/TXT include as a table, and resolving `file(...)` against
//! the project root (lexically and through symbolic links) with every error as a diagnostic.

use super::*;

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

pub(super) struct DbResolver<'a> {
    pub(super) db: &'a dyn Db,
    pub(super) spec_path: FilePath,
    pub(super) spec_dir: PathBuf,
    pub(super) root: PathBuf,
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
        let file = self.db.file(&joined);
        let real = file.real_path(self.db);
        if !real.starts_with(self.db.directory(&self.root).real_path(self.db)) {
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
