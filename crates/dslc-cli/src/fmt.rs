//! `dslc fmt`: rewrites specs in the canonical layout (`dslc_syntax::format`), checks that they
//! are in it (`--check`), shows what would change (`--diff`), or formats stdin for editors (`-`).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dslc_db::diagnostic::{Diagnostic, FilePath, Label};
use dslc_db::{Database, Db, FileStatus};

use crate::check::collect_specs;
use crate::render::{Format, Renderer};
use crate::use_color;

#[derive(clap::Args)]
pub(crate) struct FmtArgs {
    /// Spec files, directories to search for `*.cohort` files, or `-` for stdin to stdout.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Change nothing; exit 1 and list the files that are not formatted.
    #[arg(long)]
    pub check: bool,
    /// Change nothing; print a unified diff of what would change and exit 1 if anything would.
    #[arg(long)]
    pub diff: bool,
    /// How to print syntax errors.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    /// Reformatted (written, or reported by `--check`/`--diff`).
    Changed,
    /// Syntax errors: reported, file left alone.
    Invalid,
}

/// The name stdin goes by in diagnostics.
const STDIN_NAME: &str = "<stdin>";

pub(crate) fn run(args: &FmtArgs) -> i32 {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && args.paths.len() > 1 {
        eprintln!("error: `-` (stdin) cannot be combined with other paths");
        return 2;
    }
    let mut db = Database::default();
    if stdin {
        return run_stdin(args, &mut db);
    }
    let specs = match collect_specs(&args.paths) {
        Ok(set) => set.specs,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let dry_run = args.check || args.diff;
    let color = args.format == Format::Human && use_color(std::io::stderr().is_terminal());
    let mut changed = Vec::new();
    let (mut unchanged, mut invalid) = (0usize, 0usize);
    for path in &specs {
        let file = db.file(path);
        let contents = file.contents(&db);
        match &contents.status {
            FileStatus::Present => {}
            FileStatus::Missing => {
                eprintln!("error: no such file: {}", Renderer::new(&db, false).display_path(path));
                return 2;
            }
            FileStatus::Unreadable(reason) => {
                eprintln!("error: cannot read {}: {reason}", Renderer::new(&db, false).display_path(path));
                return 2;
            }
        }
        let text = contents.text.clone();
        let outcome = match dslc_syntax::format(&text) {
            Err(error) => {
                let renderer = Renderer::new(&db, color);
                if report(&renderer, args.format, path, &error).is_err() {
                    return 2;
                }
                Outcome::Invalid
            }
            Ok(formatted) if formatted == text => Outcome::Unchanged,
            Ok(formatted) => {
                if args.diff {
                    let shown = Renderer::new(&db, false).display_path(path);
                    print!("{}", unified_diff(&text, &formatted, &shown));
                }
                if !dry_run {
                    if let Err(e) = write_atomically(path, &formatted) {
                        eprintln!("error: cannot write {}: {e}", Renderer::new(&db, false).display_path(path));
                        return 2;
                    }
                }
                Outcome::Changed
            }
        };
        match outcome {
            Outcome::Unchanged => unchanged += 1,
            Outcome::Changed => changed.push(path.clone()),
            Outcome::Invalid => invalid += 1,
        }
    }
    summarize(args, &db, &changed, unchanged, invalid);
    i32::from(invalid > 0 || (dry_run && !changed.is_empty()))
}

/// `dslc fmt -`: stdin formatted to stdout; with syntax errors nothing is printed to stdout, so
/// an editor piping the buffer through keeps it as it was.
fn run_stdin(args: &FmtArgs, db: &mut Database) -> i32 {
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut bytes) {
        eprintln!("error: cannot read stdin: {e}");
        return 2;
    }
    let text = dslc_db::files::decode_lossless(bytes);
    let path = PathBuf::from(STDIN_NAME);
    db.set_file_text(&path, text.clone());
    let formatted = match dslc_syntax::format(&text) {
        Ok(formatted) => formatted,
        Err(error) => {
            let color = args.format == Format::Human && use_color(std::io::stderr().is_terminal());
            return if report(&Renderer::new(db, color), args.format, &path, &error).is_err() { 2 } else { 1 };
        }
    };
    let mut stdout = std::io::stdout().lock();
    let written = if args.diff {
        stdout.write_all(unified_diff(&text, &formatted, STDIN_NAME).as_bytes())
    } else if args.check {
        Ok(())
    } else {
        stdout.write_all(formatted.as_bytes())
    };
    if written.and_then(|()| stdout.flush()).is_err() {
        return 2;
    }
    i32::from((args.check || args.diff) && formatted != text)
}

/// Prints the syntax errors that kept a file from being formatted.
fn report(
    renderer: &Renderer<'_>,
    format: Format,
    path: &Path,
    error: &dslc_syntax::FormatError,
) -> std::io::Result<()> {
    let file: FilePath = Arc::from(path);
    let diagnostics: Vec<Diagnostic> = error.errors.iter().map(|e| syntax_diagnostic(&file, e)).collect();
    let mut stderr = std::io::stderr().lock();
    renderer.write(format, &diagnostics, &mut stderr)?;
    if format == Format::Human {
        writeln!(stderr, "error: {} not formatted: {error}", renderer.display_path(path))?;
    }
    Ok(())
}

/// The same conversion `dslc check` makes of a syntax error.
fn syntax_diagnostic(file: &FilePath, error: &dslc_syntax::SyntaxError) -> Diagnostic {
    let mut d =
        Diagnostic::new(error.code, error.message.clone(), Label::new(file, error.span.clone(), error.label.clone()));
    for (span, message) in &error.secondary {
        d = d.with_label(Label::new(file, span.clone(), message.clone()));
    }
    if let Some(help) = &error.help {
        d = d.with_help(help.clone());
    }
    d
}

/// The closing lines: which files would change (`--check`), and the counts, in human mode.
fn summarize(args: &FmtArgs, db: &Database, changed: &[PathBuf], unchanged: usize, invalid: usize) {
    let renderer = Renderer::new(db, false);
    let mut stdout = std::io::stdout().lock();
    if args.check {
        for path in changed {
            let _ = writeln!(stdout, "would reformat {}", renderer.display_path(path));
        }
    }
    if args.format != Format::Human {
        return;
    }
    let verb = if args.check || args.diff { "would be reformatted" } else { "reformatted" };
    let mut parts = vec![format!("{} {verb}", files(changed.len())), format!("{} already formatted", files(unchanged))];
    if invalid > 0 {
        parts.push(format!("{} with syntax errors left as they were", files(invalid)));
    }
    // The summary goes to stderr so that `--diff` output stays a clean patch.
    eprintln!("{}", parts.join(", "));
}

fn files(n: usize) -> String {
    format!("{n} file{}", if n == 1 { "" } else { "s" })
}

/// A unified diff with three lines of context, as `diff -u` and `git diff` print it.
fn unified_diff(old: &str, new: &str, name: &str) -> String {
    // The timeout bounds the diff of a huge file; past it the hunks are coarser, never wrong.
    similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(2))
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name}\t(original)"), &format!("{name}\t(formatted)"))
        .to_string()
}

/// Replaces a file through a temporary file in the same directory and a rename, so that a
/// reader never sees half a spec and a failure leaves the original; permissions are kept.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = dir.join(format!(".{name}.dslc-fmt-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temp, metadata.permissions())?;
        }
        inject_failure()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// `DSLC_INJECT_WRITE_FAILURE=fmt` makes every write fail before the rename, for the tests.
fn inject_failure() -> std::io::Result<()> {
    if std::env::var_os("DSLC_INJECT_WRITE_FAILURE").is_some_and(|v| v == "fmt") {
        return Err(std::io::Error::other("injected write failure"));
    }
    Ok(())
}
