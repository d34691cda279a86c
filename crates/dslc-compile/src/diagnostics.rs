//! Compile-time diagnostics as library values: too many rows (E0601), design-only specs
//! (E0602), generation-ID collisions in the plan (E0405), unknown or broken essays of
//! evaluate-only cohorts (E0603, E0604), plan entries without their parent (E0605), and, with a
//! generation store, entries the store holds under another signature (E0606), reuse the policy
//! does not allow (E0607) and unreadable metadata of reused entries (E0608).
//!
//! `dslc compile` renders what `plan_spec` returns; the language server publishes
//! `editor_plan_diagnostics`, the part that needs neither a generation store nor the plan.

use std::path::PathBuf;
use std::sync::Arc;

use dslc_db::diagnostic::{Diagnostic, FilePath, Label};
use dslc_db::stage::Mode;
use dslc_db::{Db, Design, ReusePolicy, SourceFile};
use dslc_syntax::codes::{self, Severity};

use crate::origins::{self, Origins, StoreProblem, StoreProblems};
use crate::plan::{self, Plan, PlanError};
use crate::store::{self, LineageError};

/// The `--max-rows` default: products larger than this are refused before they are computed.
pub const DEFAULT_MAX_ROWS: u128 = 50_000_000;

/// What a compile is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanOptions {
    /// Refuse a product of more rows than this (E0601).
    pub max_rows: u128,
    /// The generation store that evaluate-only cohorts read their essays from.
    pub gens_root: Option<PathBuf>,
    /// Whether the outputs need the staged plan (membership, IR) or only the design rows.
    pub form_plan: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { max_rows: DEFAULT_MAX_ROWS, gens_root: None, form_plan: true }
    }
}

/// What planning a spec gave.
#[derive(Debug, Default)]
pub struct Planned {
    /// The diagnostics compile adds to `dslc_db::check`'s, in the order it finds them.
    pub diagnostics: Vec<Diagnostic>,
    /// The plan, when one was asked for and could be built.
    pub plan: Option<Plan>,
    /// The spec is evaluate-only and no generation store was given, so no plan was built.
    pub needs_gens_root: bool,
}

/// Plans a spec as `dslc compile` does, calling `progress` with the rows done every so often.
///
/// Nothing is planned when `check` reports errors (those stop a compile first), nor when the
/// product is over `max_rows`, which is reported instead. A design-only spec gets E0602 when a
/// plan is asked for; an evaluate-only spec without a store sets `needs_gens_root`.
pub fn plan_spec(db: &dyn Db, spec: SourceFile, options: &PlanOptions, progress: impl FnMut(u128)) -> Planned {
    let mut planned = Planned::default();
    if dslc_db::check(db, spec).iter().any(|d| d.severity == Severity::Error) {
        return planned;
    }
    let design = &dslc_db::analyze(db, spec).design;
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    if design.row_count() > options.max_rows {
        planned.diagnostics.push(too_many_rows(design, &spec_path, options.max_rows));
        return planned;
    }
    if !options.form_plan {
        return planned;
    }
    let built = match (&design.stage.mode, &options.gens_root) {
        (Mode::EvaluateOnly, None) => {
            planned.needs_gens_root = true;
            return planned;
        }
        (Mode::EvaluateOnly, Some(root)) => match store::build_evaluate_only(design, root) {
            Ok(plan) => Ok(plan),
            Err(Ok(error)) => Err(error),
            Err(Err(lineage)) => {
                planned.diagnostics.extend(lineage.iter().map(|e| lineage_diagnostic(design, &spec_path, e)));
                return planned;
            }
        },
        _ => plan::build(design, progress),
    };
    match built {
        Ok(plan) => match parent_integrity_diagnostic(design, &spec_path, &plan) {
            None => planned.plan = Some(plan),
            Some(diagnostic) => planned.diagnostics.push(diagnostic),
        },
        Err(error) => planned.diagnostics.push(plan_error_diagnostic(design, &spec_path, &error)),
    }
    planned
}

/// The report of a plan that could not be built: a design-only spec (E0602) or two entries
/// with one generation ID (E0405), labelled at the start of the spec.
pub fn plan_error_diagnostic(design: &Design, spec: &FilePath, error: &PlanError) -> Diagnostic {
    let at_start = |message: &str| Label::new(spec, design.spec_start..design.spec_start, message);
    match error {
        PlanError::DesignOnly(missing) => Diagnostic::new(
            codes::NOT_A_MEMBERSHIP,
            format!(
                "this spec has no column for {}, so it cannot form drafts, essays and evaluations",
                missing.join(", ")
            ),
            at_start("design-only spec"),
        )
        .with_help("add axes for the missing fields, or compile with `--emit rows` to write the design rows"),
        PlanError::Collision(c) => Diagnostic::new(
            codes::GEN_ID_COLLISION,
            format!(
                "two {}s would both get generation ID {}: ({}) and ({})",
                c.stage.name(),
                c.gen_id,
                c.first,
                c.second
            ),
            at_start("in the plan of this spec"),
        )
        .with_help(format!("{}; make the entries differ in a field the signature includes", c.reason)),
    }
}

/// E0605 when an entry of the plan has no parent in it (a bug, or a corrupt store).
pub fn parent_integrity_diagnostic(design: &Design, spec: &FilePath, plan: &Plan) -> Option<Diagnostic> {
    let message = plan.parent_integrity().err()?;
    let label = Label::new(spec, design.spec_start..design.spec_start, "in the plan of this spec");
    Some(
        Diagnostic::new(codes::PARENT_INTEGRITY, message, label)
            .with_help("this is a bug in dslc or a corrupt generation store; please report it"),
    )
}

/// The diagnostics a compile of the spec adds to `check`'s, except E0602: a design-only spec
/// is valid for `--emit rows`, and `check` already warns about it (W0404). Without a
/// `gens_root`, evaluate-only cohorts add nothing (their lineage is in the store).
pub fn plan_diagnostics(db: &dyn Db, spec: SourceFile, options: &PlanOptions) -> Vec<Diagnostic> {
    let design = &dslc_db::analyze(db, spec).design;
    let form_plan = options.form_plan && !matches!(design.stage.mode, Mode::DesignOnly { .. });
    plan_spec(db, spec, &PlanOptions { form_plan, ..options.clone() }, |_| {}).diagnostics
}

/// What the editor shows beyond `check`: `plan_diagnostics` at the default `--max-rows`, without
/// a store and without building the plan. Memoised, so it re-runs only when the spec's analysis
/// (or a file it reads) changes.
///
/// The plan is not built because, for a spec the checker passes, it finds nothing: the
/// checker's E0502 (IDs that differ only in case or spaces) and E0405 (essays that differ only
/// in essay llm) are exact for the collisions the plan could meet, and E0605 guards against
/// bugs. Building it would cost every edit 2–3 µs per row (40–70 ms for the 20,000 rows of
/// `dslc-bench lsp`).
///
/// Its spans are mapped from [`editor_plan_numbered`]'s, so an edit that only moves statements
/// (a comment) re-runs neither that nor the analysis (`dslc_db::spans`).
#[salsa::tracked(returns(ref))]
pub fn editor_plan_diagnostics(db: &dyn Db, spec: SourceFile) -> Vec<Diagnostic> {
    let map = dslc_db::db::span_map(db, spec);
    editor_plan_numbered(db, spec)
        .iter()
        .map(|d| {
            let mut d = d.clone();
            map.diagnostic(&mut d);
            d
        })
        .collect()
}

/// `plan_diagnostics` at the default limit without a plan (only E0601 can arise), over the
/// analysis with statement-numbered spans.
#[salsa::tracked(returns(ref))]
fn editor_plan_numbered(db: &dyn Db, spec: SourceFile) -> Vec<Diagnostic> {
    if *dslc_db::db::has_errors(db, spec) {
        return Vec::new();
    }
    let design = &dslc_db::db::numbered_analysis(db, spec).design;
    if design.row_count() <= DEFAULT_MAX_ROWS {
        return Vec::new();
    }
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    vec![too_many_rows(design, &spec_path, DEFAULT_MAX_ROWS)]
}

fn too_many_rows(design: &Design, spec: &FilePath, max_rows: u128) -> Diagnostic {
    let factors: Vec<String> = design.factors.iter().map(|f| format!("{} ({})", f.name, f.len())).collect();
    // A spec without factors has no rows, so it is never over the limit; the label falls back
    // to the spec's start all the same rather than assume a first factor.
    let label = match design.factors.first() {
        Some(first) => Label::new(&first.decl.file, first.decl.span.clone(), "the product starts here"),
        None => Label::new(spec, design.spec_start..design.spec_start, "the product of this spec"),
    };
    let help = format!("the rows come from {}; narrow an axis with `subset`, or raise --max-rows", factors.join(" × "));
    Diagnostic::new(
        codes::TOO_MANY_ROWS,
        format!("the product has {} rows, more than --max-rows {}", design.row_count(), max_rows),
        label,
    )
    .with_help(help)
}

fn lineage_diagnostic(design: &Design, spec: &FilePath, error: &LineageError) -> Diagnostic {
    // Point at where the essay_gen_id is written.
    let origin = design.occurrences.iter().find(|o| o.value == error.sym).map(|o| o.origin.clone());
    let label = match &origin {
        Some(o) => Label::new(&o.file, o.span.clone(), "this essay"),
        None => Label::new(spec, design.spec_start..design.spec_start, "this spec"),
    };
    let code = if error.missing { codes::UNKNOWN_ESSAY } else { codes::BAD_METADATA };
    Diagnostic::new(code, format!("essay `{}`: {} ({})", error.gen_id, error.message, error.path.display()), label)
        .with_help(if error.missing {
            "check the ID, or point --gens-root at the store that holds the essay"
        } else {
            "fix the metadata.json, which must be a JSON object with parent_gen_id, template_id and llm_model_id"
        })
}

/// The origins of a plan compiled against the store under `root` by cohort `cohort`, or the
/// diagnostics that stop the compile: store entries that disagree with the plan (E0606) or
/// cannot be read (E0608), then reuse that `policy` refuses (E0607). `policy` is
/// `--reuse-from`'s when given, else the spec's `reuse` statement's; without either, any reuse
/// is allowed.
pub fn store_origins(
    design: &Design,
    spec: &FilePath,
    plan: &Plan,
    root: &std::path::Path,
    cohort: &str,
    override_policy: Option<&ReusePolicy>,
) -> Result<Origins, Vec<Diagnostic>> {
    let at_start = || Label::new(spec, design.spec_start..design.spec_start, "in the plan of this spec");
    let origins =
        origins::read_origins(plan, root).map_err(|problems| store_problem_diagnostics(&problems, at_start))?;
    let spec_policy = design.reuse.as_ref();
    let Some(policy) = override_policy.or(spec_policy.map(|r| &r.policy)) else {
        return Ok(origins);
    };
    let (count, first) = origins::refused(plan, &origins, policy, cohort);
    if count == 0 {
        return Ok(origins);
    }
    let listed: Vec<String> = first.iter().map(|(gen_id, origin)| format!("{gen_id} (from {origin})")).collect();
    let more = if count > first.len() { format!(" and {} more", count - first.len()) } else { String::new() };
    let (label, written) = match (override_policy, spec_policy) {
        (None, Some(decl)) => {
            (Label::new(&decl.origin.file, decl.origin.span.clone(), "the policy"), policy.describe())
        }
        _ => (at_start(), reuse_from_flag(policy)),
    };
    let noun = if count == 1 { "generation comes" } else { "generations come" };
    Err(vec![Diagnostic::new(
        codes::REUSE_REFUSED,
        format!(
            "{count} reused {noun} from cohorts that `{written}` does not allow: {}{more} (store {})",
            listed.join(", "),
            root.display()
        ),
        label,
    )
    .with_help("add their cohorts to `reuse from [...]` (or --reuse-from), or compile against a store without them")])
}

/// The policy as `--reuse-from` writes it.
fn reuse_from_flag(policy: &ReusePolicy) -> String {
    match policy {
        ReusePolicy::None => "--reuse-from none".into(),
        ReusePolicy::From(cohorts) => format!("--reuse-from {}", cohorts.join(",")),
    }
}

fn store_problem_diagnostics(problems: &StoreProblems, at_start: impl Fn() -> Label) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = problems
        .shown
        .iter()
        .map(|problem| match problem {
            StoreProblem::Mismatch(m) => Diagnostic::new(
                codes::STORE_SIGNATURE_MISMATCH,
                format!(
                    "{} {}: the plan has {} {}, the store has {} ({})",
                    m.stage.name(),
                    m.gen_id,
                    m.key,
                    serde_json::Value::String(m.planned.clone()),
                    serde_json::Value::String(m.stored.clone()),
                    m.path.display()
                ),
                at_start(),
            )
            .with_help(
                "one gen_id names one generation: check that --gens-root is this project's store, and repair or remove the store's metadata.json",
            ),
            StoreProblem::Unreadable { stage, gen_id, path, reason } => Diagnostic::new(
                codes::STORE_METADATA_UNREADABLE,
                format!("{} {gen_id} is in the store, but its metadata.json cannot be used: {reason} ({})", stage.name(), path.display()),
                at_start(),
            )
            .with_help("a reused generation's metadata.json must be a JSON object naming its origin_cohort_id; repair or restore it"),
        })
        .collect();
    if problems.total > problems.shown.len() {
        let hidden = problems.total - problems.shown.len();
        if let Some(last) = diagnostics.last_mut() {
            last.message.push_str(&format!(" (and {hidden} more problems with the store, not shown)"));
        }
    }
    diagnostics
}
