//! `dslc migrate`: translates the old system's YAML bundles (`config.yaml`, `spec.json`, or a
//! bundle directory) into `.cohort` specs, printed or written atomically without overwriting.
//!
//! `yaml` reads the files, `scalar` gives each value the text the old rows showed, `translate`
//! maps keys to statements and reports what it cannot translate, `comments` places the YAML
//! comments, and `emit` lays the statements out.

mod comments;
mod emit;
mod scalar;
mod translate;
mod yaml;

use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};

use dslc_db::Database;
use dslc_syntax::codes::Severity;

use crate::render::{Format, Renderer};
use crate::{absolute, use_color, ReportArgs};

#[derive(clap::Args)]
pub(crate) struct MigrateArgs {
    /// config.yaml or spec.json files, or bundle directories holding one (data/cohorts/ID/spec/).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Write here: OUT.cohort for one input, or a directory, which gets
    /// DIR/<cohort id>/spec.cohort per bundle. Without it one input is printed to stdout, and
    /// several are written to spec.cohort beside each bundle.
    #[arg(short = 'o', long = "output", value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Replace output files that exist.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The file names a bundle directory may hold, in the order they are looked for.
const BUNDLE_FILES: &[&str] = &["config.yaml", "config.yml", "spec.json"];

/// One input: its config file, its cohort id, and where its spec goes.
struct Job {
    input: PathBuf,
    config: PathBuf,
    cohort_id: Option<String>,
    /// `None`: standard output.
    target: Option<PathBuf>,
    /// The directory `file(…)` paths are relative to.
    out_dir: PathBuf,
}

/// The directory a bundle's spec goes to by default: beside `spec/` for
/// `data/cohorts/ID/spec/config.yaml` (the conventional `data/cohorts/ID/spec.cohort`), else
/// beside the config file.
fn home_of(config: &Path) -> PathBuf {
    let parent = config.parent().unwrap_or(Path::new("/"));
    if parent.file_name().is_some_and(|name| name == "spec") {
        parent.parent().unwrap_or(parent).to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

/// The cohort id the old system used: the name of the bundle's cohort directory.
fn cohort_id_of(config: &Path) -> Option<String> {
    home_of(config).file_name().and_then(|name| name.to_str()).map(str::to_string)
}

/// The config file of an input: the file itself, or the first bundle file of a directory.
fn config_of(input: &Path) -> Result<PathBuf, String> {
    let path = absolute(input);
    if path.is_dir() {
        return BUNDLE_FILES.iter().map(|name| path.join(name)).find(|candidate| candidate.is_file()).ok_or_else(
            || format!("{} holds none of {}: it is not a bundle directory", input.display(), BUNDLE_FILES.join(", ")),
        );
    }
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("no such file or directory: {}", input.display()))
    }
}

/// Works out every input's config and target, refusing two inputs with one target.
fn plan(args: &MigrateArgs) -> Result<Vec<Job>, String> {
    let many = args.inputs.len() > 1;
    let into_directory = args.output.as_ref().is_some_and(|out| {
        many || out.is_dir() || out.as_os_str().to_string_lossy().ends_with(std::path::MAIN_SEPARATOR)
    });
    let mut jobs: Vec<Job> = Vec::new();
    for input in &args.inputs {
        let config = config_of(input)?;
        let cohort_id = cohort_id_of(&config);
        let target = match &args.output {
            None if !many => None,
            None => Some(home_of(&config).join("spec.cohort")),
            Some(out) if into_directory => {
                let id = cohort_id.clone().unwrap_or_else(|| "cohort".to_string());
                Some(absolute(out).join(id).join("spec.cohort"))
            }
            Some(out) => Some(absolute(out)),
        };
        let out_dir = match &target {
            Some(target) => target.parent().map(Path::to_path_buf).unwrap_or_default(),
            None => home_of(&config),
        };
        if let Some(target) = &target {
            if let Some(other) = jobs.iter().find(|job| job.target.as_ref() == Some(target)) {
                return Err(format!(
                    "{} and {} would both be written to {}; give each bundle its own directory",
                    other.input.display(),
                    input.display(),
                    target.display()
                ));
            }
        }
        jobs.push(Job { input: input.clone(), config, cohort_id, target, out_dir });
    }
    Ok(jobs)
}

pub(crate) fn run(args: &MigrateArgs) -> i32 {
    let jobs = match plan(args) {
        Ok(jobs) => jobs,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let db = Database::default();
    let color = args.report.format == Format::Human && use_color(std::io::stderr().is_terminal());
    let renderer = Renderer::new(&db, color);
    let mut exit = 0;
    for job in &jobs {
        let translation = translate::translate(&db, &job.config, job.cohort_id.as_deref(), &job.out_dir);
        let stderr = std::io::stderr();
        let mut err = stderr.lock();
        let _ = renderer.write(args.report.format, &translation.diagnostics, &mut err);
        let errors = translation.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let warnings = translation.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
        let input = renderer.display_path(&job.config);
        if errors > 0 || (args.report.deny_warnings && warnings > 0) {
            let _ = writeln!(
                err,
                "failed {input}: {}, {}; nothing written",
                plural(errors, "error"),
                plural(warnings, "warning")
            );
            exit = exit.max(1);
            continue;
        }
        // `emit` writes the statements; the formatter gives them the one canonical layout, so a
        // migrated spec is already what `dslc fmt` makes of it. A spec that does not parse is a
        // bug in `emit`.
        let emitted = emit::spec_text(&translation.statements, &translation.trailing_comments);
        let text = match dslc_syntax::format::format(&emitted) {
            Ok(text) => text,
            Err(error) => {
                let first = error.errors.first().map_or(String::new(), |e| e.message.clone());
                let _ =
                    writeln!(err, "error: internal error: the migrated spec does not parse ({first}); nothing written");
                exit = exit.max(1);
                continue;
            }
        };
        let statements = translation.statements.len();
        match &job.target {
            None => {
                let stdout = std::io::stdout();
                let mut out = stdout.lock();
                if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
                    exit = exit.max(2);
                }
            }
            Some(target) => match write_new(target, &text, args.force) {
                Ok(()) => {
                    let shown = renderer.display_path(target);
                    let _ = writeln!(
                        err,
                        "migrated {input} -> {shown} ({statements} statements, {})",
                        plural(warnings, "warning")
                    );
                }
                Err(WriteError::Exists) => {
                    let shown = renderer.display_path(target);
                    let _ = writeln!(err, "error: {shown} exists; not overwritten ({input})");
                    let _ = writeln!(err, "  = help: pass --force to replace it, or -o to write elsewhere");
                    exit = exit.max(2);
                }
                Err(WriteError::Io(message)) => {
                    let _ = writeln!(err, "error: cannot write {}: {message}", renderer.display_path(target));
                    exit = exit.max(2);
                }
            },
        }
    }
    exit
}

/// `1 warning`, `2 errors`.
fn plural(count: usize, word: &str) -> String {
    format!("{count} {word}{}", if count == 1 { "" } else { "s" })
}

enum WriteError {
    Exists,
    Io(String),
}

/// Writes `text` to `target` through a temporary file in the same directory: renamed over the
/// target with `force`, else hard-linked to it, which fails if the target exists (so a file that
/// appears meanwhile is not overwritten either). A reader never sees a partial file.
fn write_new(target: &Path, text: &str, force: bool) -> Result<(), WriteError> {
    let io = |e: std::io::Error| WriteError::Io(e.to_string());
    if !force && std::fs::symlink_metadata(target).is_ok() {
        return Err(WriteError::Exists);
    }
    let dir = target.parent().ok_or_else(|| WriteError::Io("no parent directory".into()))?;
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = dir.join(format!(".{name}.dslc-migrate-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&temporary).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)?;
        drop(file);
        if force {
            return std::fs::rename(&temporary, target).map_err(io);
        }
        match std::fs::hard_link(&temporary, target) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(WriteError::Exists),
            // A file system without hard links: the check above is the only guard left.
            Err(_) if std::fs::symlink_metadata(target).is_err() => std::fs::rename(&temporary, target).map_err(io),
            Err(e) => Err(io(e)),
        }
    })();
    let _ = std::fs::remove_file(&temporary);
    result
}

/// The path from directory `from` to `to`, with `/` separators (both absolute and normalised).
pub(crate) fn relative_path(from: &Path, to: &Path) -> String {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to_parts).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(to_parts[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(relative_path(Path::new("/a/b"), Path::new("/a/b/items/x.csv")), "items/x.csv");
        assert_eq!(relative_path(Path::new("/a/out/c"), Path::new("/a/b/x.csv")), "../../b/x.csv");
    }

    #[test]
    fn bundles_in_a_spec_directory_go_beside_it() {
        let config = Path::new("/p/data/cohorts/pilot/spec/config.yaml");
        assert_eq!(home_of(config), Path::new("/p/data/cohorts/pilot"));
        assert_eq!(cohort_id_of(config).as_deref(), Some("pilot"));
        assert_eq!(home_of(Path::new("/r/baseline/config.yaml")), Path::new("/r/baseline"));
    }
}
