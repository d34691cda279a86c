//! `dslc completions SHELL` and `dslc man`: shell completion scripts and man pages, generated
//! from the command-line definition so they never drift from it.

use std::io::{self, Write};
use std::path::Path;

use clap_complete::Shell;

/// Prints the completion script for `shell` to stdout.
pub(crate) fn completions(mut command: clap::Command, shell: Shell) -> i32 {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "dslc", &mut script);
    print(&script)
}

/// Prints the man page dslc(1) to stdout, or with `dir` writes it and one page per command
/// (`dslc-check.1`, …) into that directory.
pub(crate) fn man(command: clap::Command, dir: Option<&Path>) -> i32 {
    let Some(dir) = dir else {
        // As `generate_to` does for the pages it writes: `dslc help` has no page of its own.
        let command = command.disable_help_subcommand(true);
        let mut page = Vec::new();
        if let Err(e) = clap_mangen::Man::new(command).render(&mut page) {
            eprintln!("error: cannot render the man page: {e}");
            return 2;
        }
        return print(&page);
    };
    if !dir.is_dir() {
        eprintln!("error: --dir {}: not a directory", dir.display());
        return 2;
    }
    match clap_mangen::generate_to(command, dir) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot write man pages to {}: {e}", dir.display());
            2
        }
    }
}

/// Writes generated text to stdout; a closed pipe (`dslc man | head`) is not an error.
fn print(text: &[u8]) -> i32 {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            2
        }
    }
}
