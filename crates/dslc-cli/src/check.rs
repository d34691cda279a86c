//! `dslc check`: every diagnostic for every spec, a summary, and the exit code CI relies on.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use dslc_db::{Database, Db, FileStatus};
use dslc_syntax::codes::Severity;

use crate::render::{Format, Renderer};
use crate::{absolute, use_color, CatalogArgs, ReportArgs};

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Spec files, or directories to search for `*.cohort` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub catalogs: CatalogArgs,
}

/// The specs to check, and the spec files under the given directories that ignore files hid.
#[derive(Debug, Default)]
pub(crate) struct SpecSet {
    pub specs: Vec<PathBuf>,
    pub ignored: Vec<PathBuf>,
}

/// Expands directories into the `*.cohort` files below them, sorted; files are kept as given.
///
/// Directories are walked as ripgrep and ruff walk them: `.gitignore`, `.ignore` and
/// `.git/info/exclude` are honoured and `.git` is skipped, but nothing else is skipped by name, so
/// a cohort in a directory called `target` or `.drafts` is checked unless an ignore file says so.
/// The spec files that ignore rules hid are returned too, so the summary can say what was left out.
pub(crate) fn collect_specs(paths: &[PathBuf]) -> Result<SpecSet, String> {
    let mut set = SpecSet::default();
    for path in paths {
        let absolute = absolute(path);
        if absolute.is_dir() {
            let walk_error = |e: ignore::Error| format!("cannot read directory {}: {e}", path.display());
            let kept = cohort_files(&absolute, true).map_err(walk_error)?;
            let all = cohort_files(&absolute, false).map_err(walk_error)?;
            if kept.is_empty() {
                return Err(if all.is_empty() {
                    format!("no `.cohort` files found under {}", path.display())
                } else {
                    format!(
                        "every `.cohort` file under {} is ignored by an ignore file ({} found); name them to check them anyway",
                        path.display(),
                        all.len()
                    )
                });
            }
            set.ignored.extend(all.into_iter().filter(|p| kept.binary_search(p).is_err()));
            set.specs.extend(kept);
        } else if absolute.exists() {
            set.specs.push(absolute);
        } else {
            return Err(format!("no such file or directory: {}", path.display()));
        }
    }
    // A spec named on the command line is checked, so it was not skipped.
    let checked: std::collections::HashSet<&PathBuf> = set.specs.iter().collect();
    let ignored = set.ignored.iter().filter(|path| !checked.contains(path)).cloned().collect();
    set.ignored = ignored;
    Ok(set)
}

/// The `*.cohort` files below `dir`, sorted; with `honour_ignores`, minus those ignore files hide.
fn cohort_files(dir: &Path, honour_ignores: bool) -> Result<Vec<PathBuf>, ignore::Error> {
    let mut walker = ignore::WalkBuilder::new(dir);
    walker
        .standard_filters(false)
        .git_ignore(honour_ignores)
        .git_exclude(honour_ignores)
        .ignore(honour_ignores)
        .parents(honour_ignores)
        .require_git(false)
        // Linked directories are walked as the old walker did; the walker stops at link loops.
        .follow_links(true)
        .filter_entry(|entry| entry.file_name() != ".git");
    let mut files = Vec::new();
    for entry in walker.build() {
        let entry = entry?;
        let is_file = entry.file_type().is_some_and(|t| t.is_file());
        if is_file && entry.path().extension().is_some_and(|e| e == "cohort") {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

pub(crate) fn run(args: &CheckArgs) -> i32 {
    let SpecSet { specs, ignored } = match collect_specs(&args.paths) {
        Ok(set) => set,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    let mut db = Database::default();
    if let Err(message) = args.catalogs.apply(&mut db) {
        eprintln!("error: {message}");
        return 2;
    }
    let color = args.report.format == Format::Human && use_color(std::io::stdout().is_terminal());
    let renderer = Renderer::new(&db, color);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut errors, mut warnings) = (0usize, 0usize);
    let mut summaries = Vec::new();
    let mut shown_elsewhere = std::collections::HashSet::new();
    for spec_path in &specs {
        let spec = db.file(spec_path);
        match &spec.contents(&db).status {
            FileStatus::Present => {}
            FileStatus::Missing => {
                eprintln!("error: no such file: {}", renderer.display_path(spec_path));
                return 2;
            }
            FileStatus::Unreadable(reason) => {
                eprintln!("error: cannot read {}: {reason}", renderer.display_path(spec_path));
                return 2;
            }
        }
        // Problems in shared files (dslc.toml, catalogs, shared includes) are shown once per run.
        let diagnostics: Vec<dslc_db::Diagnostic> = dslc_db::check(&db, spec)
            .iter()
            .filter(|d| *d.primary.file == **spec_path || shown_elsewhere.insert((*d).clone()))
            .cloned()
            .collect();
        errors += diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        warnings += diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
        if renderer.write(args.report.format, &diagnostics, &mut out).is_err() {
            return 2;
        }
        let name = renderer.display_path(spec_path);
        summaries.push(match dslc_db::counts(&db, spec) {
            Some(counts) => format!("  {name}: {}", describe_counts(counts)),
            None => format!("  {name}: has errors"),
        });
    }
    if args.report.format == Format::Human {
        let _ = writeln!(
            out,
            "checked {} file{}: {} error{}, {} warning{}",
            specs.len(),
            plural(specs.len()),
            errors,
            plural(errors),
            warnings,
            plural(warnings)
        );
        for line in summaries {
            let _ = writeln!(out, "{line}");
        }
        if !ignored.is_empty() {
            let _ = writeln!(
                out,
                "skipped {} spec file{} hidden by ignore files (name {} to check {}):",
                ignored.len(),
                plural(ignored.len()),
                if ignored.len() == 1 { "it" } else { "them" },
                if ignored.len() == 1 { "it" } else { "them" }
            );
            for path in &ignored {
                let _ = writeln!(out, "  {}", renderer.display_path(path));
            }
        }
        let _ = renderer.write_explain_pointer(&mut out);
    }
    let failed = errors > 0 || (args.report.deny_warnings && warnings > 0);
    i32::from(failed)
}

/// `528 rows (24 drafts, 24 essays, 528 evaluations)`, or just rows for design-only specs.
pub(crate) fn describe_counts(counts: &dslc_db::Counts) -> String {
    use dslc_db::describe_count;
    let parts: Vec<String> = [(counts.drafts, "draft"), (counts.essays, "essay"), (counts.evaluations, "evaluation")]
        .into_iter()
        .filter_map(|(n, noun)| n.map(|n| describe_count(n, noun)))
        .collect();
    let rows = describe_count(counts.rows, "row");
    if parts.is_empty() {
        format!("{rows} (design only)")
    } else {
        format!("{rows} ({})", parts.join(", "))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
