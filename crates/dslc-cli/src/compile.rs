//! `dslc compile`: checks a spec, then writes its outputs atomically into `--out`.

use std::io::IsTerminal;
use std::path::PathBuf;

use dslc_compile::output::OutputSet;
use dslc_db::diagnostic::{Diagnostic, Label};
use dslc_db::{Database, Db, FileStatus};
use dslc_syntax::codes::{self, Severity};

use crate::render::{Format, Renderer};
use crate::{absolute, use_color, CatalogArgs, ReportArgs};

/// What `compile` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// membership.csv, manifest.json and stage_manifest.json.
    Membership,
    /// rows.csv: the design rows in output order.
    Rows,
    /// ir.json: the staged plan.
    Ir,
}

#[derive(clap::Args)]
pub struct CompileArgs {
    /// The spec file to compile.
    pub spec: PathBuf,
    /// The output directory; created if missing.
    #[arg(long)]
    pub out: PathBuf,
    /// Which outputs to write.
    #[arg(long, value_enum, default_value = "membership")]
    pub emit: Emit,
    /// Refuse a spec whose product has more rows than this, before computing it.
    #[arg(long, default_value_t = 50_000_000)]
    pub max_rows: u128,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub catalogs: CatalogArgs,
}

pub fn run(args: &CompileArgs) -> i32 {
    if args.emit != Emit::Rows {
        eprintln!("error: `--emit membership` and `--emit ir` are not available in this version of dslc yet");
        eprintln!("help: use `--emit rows` to write the design rows");
        return 2;
    }
    let spec_path = absolute(&args.spec);
    let mut db = Database::default();
    if let Err(message) = args.catalogs.apply(&mut db) {
        eprintln!("error: {message}");
        return 2;
    }
    let renderer =
        Renderer::new(&db, args.report.format == Format::Human && use_color(std::io::stderr().is_terminal()));
    let spec = db.file(&spec_path);
    match &spec.contents(&db).status {
        FileStatus::Present => {}
        FileStatus::Missing => {
            eprintln!("error: no such file: {}", args.spec.display());
            return 2;
        }
        FileStatus::Unreadable(reason) => {
            eprintln!("error: cannot read {}: {reason}", args.spec.display());
            return 2;
        }
    }
    let mut diagnostics = dslc_db::check(&db, spec).clone();
    let design = &dslc_db::analyze(&db, spec).design;
    let has_errors = |ds: &[Diagnostic]| ds.iter().any(|d| d.severity == Severity::Error);
    if !has_errors(&diagnostics) && design.row_count() > args.max_rows {
        diagnostics.push(too_many_rows(design, args.max_rows));
    }
    let mut stderr = std::io::stderr();
    if renderer.write(args.report.format, &diagnostics, &mut stderr).is_err() {
        return 2;
    }
    let warnings = diagnostics.iter().any(|d| d.severity == Severity::Warning);
    if has_errors(&diagnostics) || (args.report.deny_warnings && warnings) {
        if args.report.format == Format::Human {
            eprintln!("error: {} not compiled because of the problems above", renderer.display_path(&spec_path));
        }
        return 1;
    }
    let written = OutputSet::new(&args.out).and_then(|mut set| {
        let mut count = 0;
        set.write("rows.csv", |w| {
            count = dslc_compile::rows::write_rows(design, w)?;
            Ok(())
        })?;
        set.commit().map(|paths| (paths, count))
    });
    match written {
        Ok((paths, count)) => {
            // Machine formats keep stderr to diagnostics only.
            if args.report.format == Format::Human {
                for path in paths {
                    eprintln!("wrote {} ({count} rows)", renderer.display_path(&absolute(&path)));
                }
            }
            0
        }
        Err(e) => {
            eprintln!("error: cannot write outputs to {}: {e}", args.out.display());
            2
        }
    }
}

fn too_many_rows(design: &dslc_db::Design, max_rows: u128) -> Diagnostic {
    let factors: Vec<String> = design.factors.iter().map(|f| format!("{} ({})", f.name, f.len())).collect();
    let first = &design.factors[0];
    Diagnostic::new(
        codes::TOO_MANY_ROWS,
        format!("the product has {} rows, more than --max-rows {}", design.row_count(), max_rows),
        Label::new(&first.decl.file, first.decl.span.clone(), "the product starts here"),
    )
    .with_help(format!("the rows come from {}; narrow an axis with `subset`, or raise --max-rows", factors.join(" × ")))
}
