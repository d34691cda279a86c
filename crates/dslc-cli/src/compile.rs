//! `dslc compile`: checks a spec, builds its staged plan, and writes its outputs atomically into
//! `--out`; optionally reports and seeds the generation store.

use std::cell::Cell;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use dslc_compile::diagnostics::{plan_spec, store_origins, PlanOptions};
use dslc_compile::gen_id::Stage;
use dslc_compile::lookups;
use dslc_compile::lower;
use dslc_compile::output::{OutDir, OutputSet};
use dslc_compile::store;
use dslc_db::diagnostic::Diagnostic;
use dslc_db::stage::Mode;
use dslc_db::{Database, Design, ReusePolicy};
use dslc_syntax::codes::Severity;

use crate::render::{Format, Renderer};
use crate::{absolute, use_color, CatalogArgs, ReportArgs};

/// The file format of `--emit rows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RowsFormat {
    /// rows.csv.
    Csv,
    /// rows.jsonl: one JSON object per row, as the old CLI's `--format jsonl`.
    Jsonl,
}

impl From<RowsFormat> for dslc_compile::rows::RowFormat {
    fn from(format: RowsFormat) -> Self {
        match format {
            RowsFormat::Csv => dslc_compile::rows::RowFormat::Csv,
            RowsFormat::Jsonl => dslc_compile::rows::RowFormat::Jsonl,
        }
    }
}

/// What `compile` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Emit {
    /// membership.csv, manifest.json and stage_manifest.json.
    Membership,
    /// rows.csv: the design rows in output order.
    Rows,
    /// ir.json: the staged plan.
    Ir,
}

#[derive(clap::Args)]
pub(crate) struct CompileArgs {
    /// The spec file to compile.
    pub spec: PathBuf,
    /// The output directory; created if missing.
    #[arg(long)]
    pub out: PathBuf,
    /// Which outputs to write.
    #[arg(long, value_enum, default_value = "membership")]
    pub emit: Emit,
    /// With --emit rows: write rows.csv (default) or rows.jsonl.
    #[arg(long, value_enum, value_name = "FORMAT", default_value = "csv")]
    pub rows_format: RowsFormat,
    /// With --emit rows: shuffle the rows as the old system's random.Random(N).shuffle did.
    #[arg(long, value_name = "N", allow_hyphen_values = true, value_parser = dslc_compile::shuffle::Seed::parse)]
    pub seed: Option<dslc_compile::shuffle::Seed>,
    /// Write membership.csv in the legacy wide schema.
    #[arg(long)]
    pub wide: bool,
    /// The cohort id (default: the spec's `cohort` statement, else its directory's name).
    #[arg(long, value_name = "ID")]
    pub cohort_id: Option<String>,
    /// The generation store: resolves essay_gen_id parents and counts existing gen_ids.
    #[arg(long, value_name = "DIR")]
    pub gens_root: Option<PathBuf>,
    /// With --gens-root: write metadata.json for every gen_id that has none (never overwrites).
    #[arg(long)]
    pub seed_metadata: bool,
    /// Print how the new membership differs from the one already in --out (then write it).
    #[arg(long)]
    pub diff: bool,
    /// With --gens-root: reuse generations only of these cohorts (comma-separated), or `none`;
    /// overrides the spec's `reuse` statement.
    #[arg(long, value_name = "COHORTS")]
    pub reuse_from: Option<String>,
    /// Refuse a spec whose product has more rows than this, before computing it.
    #[arg(long, default_value_t = dslc_compile::diagnostics::DEFAULT_MAX_ROWS)]
    pub max_rows: u128,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub catalogs: CatalogArgs,
}

/// The cohort id: `--cohort-id`, else the `cohort` statement, else the spec's directory name
/// (a directory named `spec` is skipped: `data/cohorts/X/spec/…` gives `X`).
pub(crate) fn cohort_id(explicit: Option<&str>, design: &Design, spec: &Path) -> String {
    if let Some(id) = explicit.or(design.cohort_id.as_deref()) {
        return id.to_string();
    }
    let mut dir = spec.parent();
    if dir.and_then(|d| d.file_name()).is_some_and(|n| n == "spec") {
        dir = dir.and_then(Path::parent);
    }
    dir.and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "cohort".into())
}

/// Parses `--reuse-from`: `none`, or cohort IDs separated by commas.
fn reuse_policy(text: &str) -> Result<ReusePolicy, String> {
    if text.trim() == "none" {
        return Ok(ReusePolicy::None);
    }
    let cohorts: Vec<String> = text.split(',').map(|c| c.trim().to_string()).collect();
    if cohorts.iter().any(String::is_empty) {
        return Err(format!(
            "--reuse-from {text:?}: an empty cohort ID; write cohort IDs separated by commas (`--reuse-from a,b`), or `none`"
        ));
    }
    Ok(ReusePolicy::From(cohorts))
}

pub(crate) fn run(args: &CompileArgs) -> i32 {
    if args.emit != Emit::Rows && (args.seed.is_some() || args.rows_format != RowsFormat::Csv) {
        eprintln!("error: --seed and --rows-format apply to --emit rows only");
        return 2;
    }
    if args.seed_metadata && args.gens_root.is_none() {
        eprintln!("error: --seed-metadata needs --gens-root");
        return 2;
    }
    if args.diff && args.emit != Emit::Membership {
        eprintln!("error: --diff compares memberships, so it needs --emit membership (the default)");
        return 2;
    }
    if args.reuse_from.is_some() && args.gens_root.is_none() {
        eprintln!("error: --reuse-from needs --gens-root: reuse is of generations in a store");
        return 2;
    }
    let reuse_override = match args.reuse_from.as_deref().map(reuse_policy).transpose() {
        Ok(policy) => policy,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    if let Some(root) = &args.gens_root {
        // Seeding a store that does not exist yet creates it; only reading needs one.
        let missing = !root.exists();
        if missing && !args.seed_metadata {
            eprintln!(
                "error: --gens-root {}: no such directory; check the path, or add --seed-metadata to create a new store",
                root.display()
            );
            return 2;
        }
        if !missing && !root.is_dir() {
            eprintln!("error: --gens-root {}: not a directory", root.display());
            return 2;
        }
    }
    let human = args.report.format == Format::Human;
    // Lock `--out` for the whole run, so a second compile into it fails at once, and finish what
    // a killed run left there, even if this spec turns out not to compile.
    let out_dir = match OutDir::open_if_parent_exists(&args.out) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: cannot write outputs to {}: {e}", args.out.display());
            return 2;
        }
    };
    if let (Some(dir), true) = (&out_dir, human) {
        report_recovery(dir, &args.out);
    }
    let spec_path = absolute(&args.spec);
    let mut db = Database::default();
    if let Err(message) = args.catalogs.apply(&mut db) {
        eprintln!("error: {message}");
        return 2;
    }
    let renderer = Renderer::new(&db, human && use_color(std::io::stderr().is_terminal()));
    let spec = match crate::read_spec(&db, &args.spec) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let mut diagnostics = dslc_db::check(&db, spec).clone();
    let design = &dslc_db::analyze(&db, spec).design;
    let options = PlanOptions { max_rows: args.max_rows, gens_root: args.gens_root.clone(), form_plan: false };
    // The --max-rows check comes before warnings are weighed and the plan only after them, so
    // `--deny-warnings` stops a compile before any plan is built.
    diagnostics.extend(plan_spec(&db, spec, &options, |_| {}).diagnostics);
    let has_errors = |ds: &[Diagnostic]| ds.iter().any(|d| d.severity == Severity::Error);
    let fail = |diagnostics: &[Diagnostic]| -> i32 {
        if renderer.write(args.report.format, diagnostics, &mut std::io::stderr()).is_err() {
            return 2;
        }
        if human {
            eprintln!("error: {} not compiled because of the problems above", renderer.display_path(&spec_path));
            let _ = renderer.write_explain_pointer(&mut std::io::stderr());
        }
        1
    };
    let warnings = diagnostics.iter().any(|d| d.severity == Severity::Warning);
    if has_errors(&diagnostics) || (args.report.deny_warnings && warnings) {
        return fail(&diagnostics);
    }
    let cohort = cohort_id(args.cohort_id.as_deref(), design, &spec_path);

    // One progress line for the rows planned, then one for the bytes written (both only on a
    // terminal, for large products): writing a large cohort takes as long as planning it.
    let shows_progress = human && design.stage.mode != Mode::EvaluateOnly;
    let mut bar = Progress::new(design.row_count(), shows_progress);
    let plan = if args.emit == Emit::Rows {
        None
    } else {
        let planned = plan_spec(&db, spec, &PlanOptions { form_plan: true, ..options }, |done| bar.update(done));
        bar.finish();
        if planned.needs_gens_root {
            eprintln!("error: this spec evaluates existing essays (essay_gen_id): pass --gens-root");
            return 2;
        }
        diagnostics.extend(planned.diagnostics);
        match planned.plan {
            Some(plan) => Some(plan),
            None => return fail(&diagnostics),
        }
    };
    // Against a store, each gen_id it holds keeps its true origin, and the reuse policy applies.
    let origins = match (&plan, &args.gens_root) {
        (Some(plan), Some(root)) => {
            let spec_file: dslc_db::FilePath = std::sync::Arc::from(spec_path.as_path());
            match store_origins(design, &spec_file, plan, root, &cohort, reuse_override.as_ref()) {
                Ok(origins) => Some(origins),
                Err(problems) => {
                    diagnostics.extend(problems);
                    return fail(&diagnostics);
                }
            }
        }
        _ => None,
    };
    if renderer.write(args.report.format, &diagnostics, &mut std::io::stderr()).is_err() {
        return 2;
    }
    if let (true, Some(plan)) = (args.diff, &plan) {
        if let Err(e) = print_diff(plan, &cohort, &args.out, (args.wide, origins.as_ref()), args.report.format) {
            eprintln!("error: cannot compare with {}: {e}", args.out.display());
            return 2;
        }
    }
    let replication = lookups::replication(&db, spec);
    // Without a parent directory there was nothing to lock; it is created and locked now.
    let out_dir = match out_dir.map_or_else(|| OutDir::open(&args.out), Ok) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("error: cannot write outputs to {}: {e}", args.out.display());
            return 2;
        }
    };
    let writing = bar.writing();
    let written = OutputSet::new(&out_dir).and_then(|mut set| {
        let mut write = |name: &str, fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>| {
            set.write(name, |w| writing.file(name, w, fill))
        };
        match (&plan, args.emit) {
            (None, _) => {
                let format = dslc_compile::rows::RowFormat::from(args.rows_format);
                write(format.file_name(), &mut |w| {
                    dslc_compile::rows::write_rows_as(design, format, args.seed.as_ref(), w).map(|_| ())
                })?
            }
            (Some(plan), Emit::Ir) => write("ir.json", &mut |w| lower::write_ir(plan, &cohort, w))?,
            (Some(plan), _) => {
                // Both large files in one pass: streamed evaluations are generated once.
                let names = ("membership.csv", "stage_manifest.json");
                set.write_pair(names, |membership, stage_manifest| {
                    writing.pair(names, membership, stage_manifest, &mut |m, s| {
                        let threads = lower::threads_for(plan);
                        lower::write_membership_and_stage_manifest(
                            plan,
                            &cohort,
                            args.wide,
                            origins.as_ref(),
                            m,
                            s,
                            threads,
                        )
                    })
                })?;
                set.write("manifest.json", |w| {
                    writing.file("manifest.json", w, &mut |w| {
                        lower::write_manifest(plan, &cohort, replication.as_ref(), w)
                    })
                })?;
            }
        }
        writing.committing();
        set.commit()
    });
    writing.finish();
    let paths = match written {
        Ok(paths) => paths,
        Err(e) => {
            eprintln!("error: cannot write outputs to {}: {e}", args.out.display());
            return 2;
        }
    };
    let mut store_note = String::new();
    if let (Some(plan), Some(root), Some(origins)) = (&plan, &args.gens_root, &origins) {
        let seeding = if args.seed_metadata {
            let tell = |holder: Option<u32>| {
                if human {
                    let who = holder.map(|pid| format!(" (process {pid})")).unwrap_or_default();
                    eprintln!("waiting for another dslc{who} to finish seeding {}…", root.display());
                }
            };
            match store::lock_for_seeding(root, &tell) {
                Ok(lock) => Some(lock),
                Err(e) => {
                    eprintln!(
                        "error: cannot seed metadata in {}: {e}; the outputs in {} are written",
                        root.display(),
                        args.out.display()
                    );
                    return 2;
                }
            }
        } else {
            None
        };
        let counts = origins.counts(plan);
        store_note = format!("; {} gen_ids already in the store, {} new", counts.reused_total(), counts.new_total());
        if let Some((lock, created)) = &seeding {
            let modes = |stage: Stage, template: &str| lookups::template_mode(&db, spec, stage, template);
            match store::seed_metadata(plan, root, lock, &cohort, modes) {
                Ok(n) => store_note.push_str(&format!(", {n} metadata.json seeded")),
                Err(e) => {
                    eprintln!(
                        "error: cannot seed metadata in {}: {e}; the outputs in {} are written, and files seeded before the failure stay",
                        root.display(),
                        args.out.display()
                    );
                    return 2;
                }
            }
            if *created {
                store_note.push_str(&format!(" into the new store {}", root.display()));
            }
        }
        let by_stage: Vec<String> = ["drafts", "essays", "evaluations"]
            .iter()
            .enumerate()
            .map(|(i, stage)| format!("{stage} {} reused + {} new", counts.reused[i], counts.new[i]))
            .collect();
        store_note.push_str(&format!("; {}", by_stage.join(", ")));
    }
    if human {
        // Listed in the documented order, whatever order the commit renamed them in.
        let rank = |p: &PathBuf| {
            let order = ["membership.csv", "manifest.json", "stage_manifest.json"];
            order.iter().position(|name| p.file_name().is_some_and(|n| n == *name)).unwrap_or(order.len())
        };
        let mut paths = paths;
        paths.sort_by_key(rank);
        let shown: Vec<String> = paths.iter().map(|p| renderer.display_path(&absolute(p))).collect();
        let counts = match &plan {
            Some(plan) => format!(
                "{} → {}, {}, {}",
                count(plan.rows, "row"),
                count(plan.drafts.len() as u128, "draft"),
                count(plan.essays.len() as u128, "essay"),
                count(plan.evaluations.len() as u128, "evaluation")
            ),
            None => count(design.row_count(), "row"),
        };
        eprintln!("compiled {cohort}: {counts}{store_note}; wrote {}", shown.join(", "));
    }
    0
}

/// `--diff`: prints on stdout how the plan's membership differs from the one in `out` (none
/// there compares as empty; an unreadable one is reported and not compared).
fn print_diff(
    plan: &dslc_compile::plan::Plan,
    cohort: &str,
    out: &Path,
    (wide, origins): (bool, Option<&dslc_compile::origins::Origins>),
    format: Format,
) -> std::io::Result<()> {
    use dslc_compile::membership::{parse_membership, parse_stage_manifest, Cohort};
    let old = if out.join("membership.csv").exists() {
        match Cohort::open(out) {
            Ok(old) => old,
            Err(e) => {
                eprintln!("warning: not compared with the membership in {}: {e}", out.display());
                eprintln!("help: {}", e.help);
                return Ok(());
            }
        }
    } else {
        Cohort::default()
    };
    // The new side is exactly what is about to be written; its stage manifest explains it.
    let mut membership = Vec::new();
    lower::write_membership(plan, cohort, wide, origins, &mut membership)?;
    let mut manifest = Vec::new();
    lower::write_stage_manifest(plan, cohort, origins, &mut manifest)?;
    let invalid = |e: dslc_compile::membership::ReadError| std::io::Error::other(e.to_string());
    let new_path = out.join("membership.csv");
    let mut new = parse_membership(&new_path, &String::from_utf8_lossy(&membership)).map_err(invalid)?;
    new.stage_manifest = Some(parse_stage_manifest(&new_path, &String::from_utf8_lossy(&manifest)).map_err(invalid)?);
    let diff = crate::diff::compare(&old, &new);
    let (old_name, new_name) = (format!("{} on disk", out.display()), format!("{} from this compile", out.display()));
    match format {
        Format::Json => crate::cohorts::print_json(&crate::diff::to_json(&diff, &old_name, &new_name)),
        _ => print!("{}", crate::diff::human(&diff, &old_name, &new_name)),
    }
    Ok(())
}

/// Tells what opening `--out` repaired: an interrupted commit finished, leftovers removed.
fn report_recovery(dir: &OutDir, out: &Path) {
    if let Some(files) = dir.recovered() {
        eprintln!(
            "note: finished the interrupted commit of {} ({}) left by a dslc run that was stopped",
            out.display(),
            count(files as u128, "file")
        );
    }
    match dir.removed_leftovers() {
        0 => {}
        1 => {
            eprintln!("note: removed 1 staging directory beside {} left by a dslc run that was stopped", out.display())
        }
        n => eprintln!(
            "note: removed {n} staging directories beside {} left by dslc runs that were stopped",
            out.display()
        ),
    }
}

/// `1 row`, `2 rows`.
fn count(n: u128, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// A progress line on stderr for large products, only when stderr is a terminal.
struct Progress {
    total: u128,
    enabled: bool,
    last_percent: u128,
}

impl Progress {
    fn new(total: u128, human: bool) -> Self {
        Progress { total, enabled: human && total >= 1_000_000 && std::io::stderr().is_terminal(), last_percent: 0 }
    }

    fn update(&mut self, done: u128) {
        if !self.enabled || self.total == 0 {
            return;
        }
        let percent = done * 100 / self.total;
        if percent != self.last_percent {
            self.last_percent = percent;
            let width = 40u128;
            let filled = (percent * width / 100) as usize;
            eprint!("\r[{}{}] {percent:>3}% {done}/{} rows", "=".repeat(filled), " ".repeat(40 - filled), self.total);
        }
    }

    fn finish(&self) {
        if self.enabled && self.last_percent > 0 {
            eprintln!();
        }
    }

    /// The progress of writing the outputs, shown when planning's was.
    fn writing(&self) -> WriteProgress {
        WriteProgress { enabled: self.enabled, total: Cell::new(0), shown: Cell::new(0), started: Cell::new(false) }
    }
}

/// Bytes written so far across the output files, on one line that each file updates.
struct WriteProgress {
    enabled: bool,
    total: Cell<u64>,
    /// `total` when the line was last drawn.
    shown: Cell<u64>,
    started: Cell<bool>,
}

impl WriteProgress {
    /// Redraw after about this many new bytes: often enough to move, rarely enough to cost nothing.
    const STEP: u64 = 8 << 20;

    /// Runs `fill` on `w`, counting what it writes when the line is shown.
    fn file(
        &self,
        name: &str,
        w: &mut dyn std::io::Write,
        fill: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if !self.enabled {
            return fill(w);
        }
        self.started.set(true);
        self.draw(name);
        fill(&mut Counting { inner: w, progress: self, name })?;
        self.draw(name);
        Ok(())
    }

    /// [`WriteProgress::file`] for two files written together.
    fn pair(
        &self,
        names: (&str, &str),
        first: &mut dyn std::io::Write,
        second: &mut dyn std::io::Write,
        fill: &mut dyn FnMut(&mut dyn std::io::Write, &mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        if !self.enabled {
            return fill(first, second);
        }
        let name = format!("{} and {}", names.0, names.1);
        self.started.set(true);
        self.draw(&name);
        let mut first = Counting { inner: first, progress: self, name: &name };
        let mut second = Counting { inner: second, progress: self, name: &name };
        fill(&mut first, &mut second)?;
        self.draw(&name);
        Ok(())
    }

    fn draw(&self, name: &str) {
        self.shown.set(self.total.get());
        eprint!("\r\x1b[2Kwriting {name}: {:.1} MB", self.total.get() as f64 / 1e6);
    }

    /// Shown while the files are synced and renamed into place.
    fn committing(&self) {
        if self.enabled && self.started.get() {
            eprint!("\r\x1b[2Kcommitting {:.1} MB of outputs…", self.total.get() as f64 / 1e6);
        }
    }

    fn finish(&self) {
        if self.enabled && self.started.get() {
            eprintln!();
        }
    }
}

/// A writer that adds what passes through it to a [`WriteProgress`].
struct Counting<'a, 'p> {
    inner: &'a mut dyn std::io::Write,
    progress: &'p WriteProgress,
    name: &'a str,
}

impl std::io::Write for Counting<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        let progress = self.progress;
        progress.total.set(progress.total.get() + n as u64);
        if progress.total.get() - progress.shown.get() >= WriteProgress::STEP {
            progress.draw(self.name);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
