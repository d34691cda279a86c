//! `dslc check`: every diagnostic for every spec, a summary, and the exit code CI relies on.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use dslc_db::{Database, Db, FileStatus};
use dslc_syntax::codes::Severity;

use crate::render::{Format, Renderer};
use crate::{absolute, use_color, CatalogArgs, ReportArgs};

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Spec files, or directories to search for `*.cohort` files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub catalogs: CatalogArgs,
}

/// Expands directories into the `*.cohort` files below them, sorted; files are kept as given.
pub fn collect_specs(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut specs = Vec::new();
    for path in paths {
        let absolute = absolute(path);
        if absolute.is_dir() {
            let before = specs.len();
            walk(&absolute, &mut specs).map_err(|e| format!("cannot read directory {}: {e}", path.display()))?;
            if specs.len() == before {
                return Err(format!("no `.cohort` files found under {}", path.display()));
            }
        } else if absolute.exists() {
            specs.push(absolute);
        } else {
            return Err(format!("no such file or directory: {}", path.display()));
        }
    }
    Ok(specs)
}

fn walk(dir: &Path, specs: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.') || n == "target");
        if hidden {
            continue;
        }
        if path.is_dir() {
            walk(&path, specs)?;
        } else if path.extension().is_some_and(|e| e == "cohort") {
            specs.push(path);
        }
    }
    Ok(())
}

pub fn run(args: &CheckArgs) -> i32 {
    let specs = match collect_specs(&args.paths) {
        Ok(specs) => specs,
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
    }
    let failed = errors > 0 || (args.report.deny_warnings && warnings > 0);
    i32::from(failed)
}

/// `528 rows (24 drafts, 24 essays, 528 evaluations)`, or just rows for design-only specs.
pub fn describe_counts(counts: &dslc_db::Counts) -> String {
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
