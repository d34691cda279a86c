//! The `dslc` binary: command-line parsing and the check, compile and explain commands.

mod check;
mod compile;
mod explain;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use render::Format;

/// The toolchain for cohort spec files.
#[derive(Parser)]
#[command(name = "dslc", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check spec files for errors without writing anything.
    Check(check::CheckArgs),
    /// Compile a spec into its outputs.
    Compile(compile::CompileArgs),
    /// Print the documentation page of a diagnostic code.
    Explain {
        /// A code such as E0103 (case does not matter).
        #[arg(required_unless_present = "list")]
        code: Option<String>,
        /// List every code with its title instead.
        #[arg(long)]
        list: bool,
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
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version requests are successes; every other parse failure is a usage error.
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Explain { list: true, .. } => explain::list(),
        Command::Explain { code, .. } => explain::run(code.as_deref().unwrap_or_default()),
    };
    ExitCode::from(code as u8)
}

/// Makes a path absolute against the working directory, resolving `.` and `..` lexically.
pub fn absolute(path: &std::path::Path) -> PathBuf {
    let joined =
        if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().unwrap_or_default().join(path) };
    dslc_db::db::normalize(&joined)
}

/// Whether to colour output written to a stream.
pub fn use_color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
