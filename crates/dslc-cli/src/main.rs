//! The `dslc` binary: command-line parsing and the check, compile, fmt, migrate, diff, show,
//! verify, why, explain, completions and man commands.

// glibc's allocator made check time grow faster than the input on large specs (the scaling
// bench); mimalloc keeps it linear and is faster on every benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process, as `MIMALLOC_ALLOW_THP=0` would. mimalloc
/// asks for them on its arenas, and each 2 MB page counts whole in the resident memory however
/// little of it is used: a 1M-row compile peaked at 60 MB with them and 23 MB without, at the
/// same speed (docs/performance.md).
fn without_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only changes this process's paging.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

mod check;
mod cohorts;
mod color;
mod compile;
mod diff;
mod explain;
mod fmt;
mod generate;
mod migrate;
mod render;
mod show;
mod verify;
mod why;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use render::Format;

/// The toolchain for cohort spec files.
#[derive(Parser)]
// The version carries the commit and date of a build from git (build.rs).
#[command(name = "dslc", version = env!("DSLC_VERSION"), about, propagate_version = true)]
struct Cli {
    /// When to colour diagnostics.
    ///
    /// auto colours a terminal unless NO_COLOR is set or TERM is dumb; CLICOLOR_FORCE forces
    /// colour, even when redirected (docs/cli.md).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value = "auto")]
    color: color::ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check spec files for errors without writing anything.
    Check(check::CheckArgs),
    /// Compile a spec into its outputs.
    Compile(compile::CompileArgs),
    /// Rewrite specs in the canonical layout, keeping comments (docs/formatting.md).
    Fmt(fmt::FmtArgs),
    /// Translate YAML bundles (config.yaml, spec.json) of the old system into .cohort specs.
    Migrate(migrate::MigrateArgs),
    /// Compare two compiled cohorts: gen_ids added, removed and kept per stage.
    ///
    /// Exit 0 when equal, 1 when different, 2 on error (like diff).
    Diff(diff::DiffArgs),
    /// Print a compiled cohort's members with templates, models, combos and parents.
    Show(show::ShowArgs),
    /// Check a compiled cohort's parents, its stage manifest and, with a store, its metadata.
    Verify(verify::VerifyArgs),
    /// Tell whether a combination of values is in a spec's rows, and if not, what removes it.
    ///
    /// Exit 0 if present, 1 if excluded, 2 on error.
    Why(why::WhyArgs),
    /// Print the documentation page of a diagnostic code.
    Explain {
        /// A code such as E0103 (case does not matter).
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title instead.
        #[arg(long)]
        list: bool,
    },
    /// Run the language server (LSP over stdin/stdout) for editors.
    Lsp,
    /// Print a shell completion script.
    ///
    /// For example `dslc completions bash > ~/.local/share/bash-completion/completions/dslc`;
    /// docs/install.md says where each shell looks.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page dslc(1), or write one page per command into a directory.
    Man {
        /// Write dslc.1, dslc-check.1, … into this existing directory instead of printing dslc.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// Options shared by commands that report diagnostics.
#[derive(clap::Args, Clone)]
pub struct ReportArgs {
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Treat warnings as errors for the exit code.
    #[arg(long)]
    pub deny_warnings: bool,
}

fn main() -> ExitCode {
    without_transparent_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version requests are successes; every other parse failure is a usage error.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    color::set_choice(cli.color);
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Migrate(args) => migrate::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Show(args) => show::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Why(args) => why::run(&args),
        Command::Explain { list: true, .. } => explain::list(),
        Command::Explain { code, .. } => explain::run(code.as_deref().unwrap_or_default()),
        Command::Lsp => match dslc_lsp::run() {
            Ok(clean) => i32::from(!clean),
            Err(e) => {
                eprintln!("dslc lsp: {e}");
                1
            }
        },
        Command::Completions { shell } => generate::completions(Cli::command(), shell),
        Command::Man { dir } => generate::man(Cli::command(), dir.as_deref()),
    };
    ExitCode::from(code as u8)
}

/// Where catalogs come from, overriding dslc.toml.
#[derive(clap::Args, Clone, Default)]
pub struct CatalogArgs {
    /// Read catalogs from this data root (overrides dslc.toml's data_root).
    #[arg(long, value_name = "DIR")]
    pub data_root: Option<PathBuf>,
    /// One catalog from a CSV column, e.g. draft_llm=models.csv:id (repeatable).
    #[arg(long, value_name = "FIELD=PATH[:COLUMN]")]
    pub catalog: Vec<String>,
}

impl CatalogArgs {
    /// Validates the flags and applies them to the database; errors are usage errors (exit 2).
    pub fn apply(&self, db: &mut dslc_db::Database) -> Result<(), String> {
        let data_root = match &self.data_root {
            Some(dir) if !dir.is_dir() => return Err(format!("--data-root {}: not a directory", dir.display())),
            Some(dir) => Some(absolute(dir)),
            None => None,
        };
        let mut catalogs = Vec::new();
        for spec in &self.catalog {
            catalogs.push(parse_catalog_flag(spec)?);
        }
        db.set_overrides(data_root, catalogs);
        Ok(())
    }
}

/// Parses `FIELD=PATH[:COLUMN]`; a `:` followed by a path separator belongs to the path.
fn parse_catalog_flag(spec: &str) -> Result<dslc_db::project::CatalogOverride, String> {
    use dslc_db::project::{CatalogField, CatalogOverride};
    let (key, rest) = spec.split_once('=').ok_or_else(|| format!("--catalog {spec}: expected FIELD=PATH[:COLUMN]"))?;
    let field = CatalogField::from_key(key).ok_or_else(|| {
        let keys: Vec<&str> = CatalogField::ALL.iter().map(|f| f.key()).collect();
        format!("--catalog {spec}: unknown field `{key}`; fields are {}", keys.join(", "))
    })?;
    let (path, column) = match rest.rsplit_once(':') {
        Some((path, column)) if !column.is_empty() && !column.contains(['/', '\\']) => (path, Some(column.to_string())),
        _ => (rest, None),
    };
    if path.is_empty() {
        return Err(format!("--catalog {spec}: the path is empty"));
    }
    let path = std::path::Path::new(path);
    if !path.is_file() {
        return Err(format!("--catalog {spec}: no such file: {}", path.display()));
    }
    Ok(CatalogOverride { field, path: absolute(path), column })
}

/// The input of the spec a command reads (`written` as the user gave it, for messages); a missing
/// or unreadable spec is said on stderr and becomes exit code 2.
pub(crate) fn read_spec(db: &dslc_db::Database, written: &std::path::Path) -> Result<dslc_db::SourceFile, i32> {
    use dslc_db::{Db, FileStatus};
    let spec = db.file(&absolute(written));
    match &spec.contents(db).status {
        FileStatus::Present => Ok(spec),
        FileStatus::Missing => {
            eprintln!("error: no such file: {}", written.display());
            Err(2)
        }
        FileStatus::Unreadable(reason) => {
            eprintln!("error: cannot read {}: {reason}", written.display());
            Err(2)
        }
    }
}

/// Makes a path absolute against the working directory, resolving `.` and `..` lexically.
pub fn absolute(path: &std::path::Path) -> PathBuf {
    let joined =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    dslc_db::db::normalize(&joined)
}

/// Whether to colour output written to a stream: `--color`, then the environment
/// (`color::decide`).
pub fn use_color(is_terminal: bool) -> bool {
    color::enabled(is_terminal)
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn transparent_huge_pages_are_turned_off() {
        super::without_transparent_huge_pages();
        // SAFETY: PR_GET_THP_DISABLE takes no pointer and reports the flag as its result.
        let disabled = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) };
        assert_eq!(disabled, 1);
    }
}
