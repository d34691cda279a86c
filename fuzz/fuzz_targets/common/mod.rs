//! Helpers shared by the fuzz targets: decoding input bytes as dslc reads files, and span checks.

#![allow(dead_code)]

use std::ops::Range;

/// Decodes bytes exactly as dslc decodes a file it reads (invalid bytes become U+001A).
pub fn decode(bytes: &[u8]) -> String {
    dslc_db::db::decode_lossless(bytes.to_vec())
}

/// Asserts that `span` is a non-reversed range inside `text` whose ends are char boundaries.
pub fn assert_span(text: &str, span: &Range<usize>, what: &str) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{what} span {span:?} is outside the text (len {}): {text:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what} span {span:?} is not on char boundaries: {text:?}"
    );
}

/// Splits `data` at NUL bytes into at most `n` parts; missing parts are `None`.
pub fn split_parts(data: &[u8], n: usize) -> Vec<Option<&[u8]>> {
    let mut parts: Vec<Option<&[u8]>> = data.splitn(n, |&b| b == 0).map(Some).collect();
    parts.resize(n, None);
    parts
}

/// The naive reference evaluator, shared with `cargo test` (crates/dslc-db/tests/reference_rows.rs).
#[path = "../../../crates/dslc-db/tests/reference/mod.rs"]
pub mod reference;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dslc_db::diagnostic::Severity;
use dslc_db::semantics::Design;
use dslc_db::stage::{Field, Mode};
use dslc_db::{analyze, check, counts, Database, Db, Diagnostic, FileContents, FileStatus, SourceFile};

/// Where the in-memory project lives. Nothing exists there on disk, so any other path the
/// checker asks for reads as missing.
pub const ROOT: &str = "/dslc-fuzz";

/// The `DSLC_FUZZ_LEVEL_CAP` environment variable: specs whose ranges write more levels are
/// skipped, for the throughput of long campaigns (docs/fuzzing.md).
fn level_cap() -> Option<u128> {
    static CAP: std::sync::OnceLock<Option<u128>> = std::sync::OnceLock::new();
    *CAP.get_or_init(|| std::env::var("DSLC_FUZZ_LEVEL_CAP").ok().and_then(|v| v.parse().ok()))
}

/// Designs up to this many rows are streamed and compared with the counts and the reference.
pub const ROW_CAP: usize = 10_000;

/// The files of one in-memory project.
#[derive(Clone, Debug, Default)]
pub struct Project {
    pub spec: String,
    /// `items/a.csv` and `items/b.txt`, relative to the spec's directory.
    pub a_csv: Option<String>,
    pub b_txt: Option<String>,
    /// A catalog CSV: `catalog.csv` when there is a `dslc.toml` to name it, else every default
    /// catalog under the data root `data/` (set as if by `--data-root`).
    pub catalog: Option<String>,
    pub toml: Option<String>,
}

fn path(relative: &str) -> PathBuf {
    Path::new(ROOT).join(relative)
}

/// Puts the project's files into `db` and returns the spec. Absent files are set as missing,
/// so that a database that held other texts before ends up exactly like a fresh one.
pub fn load(db: &mut Database, p: &Project) -> SourceFile {
    let defaults = p.toml.is_none() && p.catalog.is_some();
    let catalog_csv = if p.toml.is_some() { p.catalog.clone() } else { None };
    let default_catalog = if defaults { p.catalog.clone() } else { None };
    let mut files = vec![
        ("items/a.csv".to_string(), p.a_csv.clone()),
        ("items/b.txt".to_string(), p.b_txt.clone()),
        ("dslc.toml".to_string(), p.toml.clone()),
        ("catalog.csv".to_string(), catalog_csv),
    ];
    for relative in [
        "combo_mappings.csv",
        "1_raw/draft_templates.csv",
        "1_raw/essay_templates.csv",
        "1_raw/evaluation_templates.csv",
        "1_raw/llm_models.csv",
    ] {
        files.push((format!("data/{relative}"), default_catalog.clone()));
    }
    for (relative, text) in files {
        let contents = match text {
            Some(text) => FileContents::from_text(text),
            None => FileContents { status: FileStatus::Missing, text: String::new() },
        };
        db.set_file_contents(&path(&relative), contents);
    }
    // Without a dslc.toml, the catalog is found as if by `--data-root data`.
    db.set_overrides(defaults.then(|| path("data")), Vec::new());
    db.set_file_text(&path("spec.cohort"), p.spec.clone())
}

/// How many levels the spec's ranges write in all.
fn range_levels(spec: &str) -> u128 {
    use dslc_syntax::ast::{Levels, Statement};
    let mut total = 0u128;
    for s in dslc_syntax::parse(spec).file.statements {
        if let Statement::Axis(dslc_syntax::ast::AxisStmt { levels: Levels::Range(r), .. })
        | Statement::Subset(dslc_syntax::ast::SubsetStmt { levels: Levels::Range(r), .. }) = s
        {
            total += (r.end as i128 - r.start as i128).max(0) as u128 + 1;
        }
    }
    total
}

/// Checks every invariant of the checker on one project; see docs/fuzzing.md.
pub fn check_project(p: &Project) {
    let levels = range_levels(&p.spec);
    // Ranges of many levels are allowed but are linear work that dominates the time under
    // instrumentation, so long campaigns may skip them (`DSLC_FUZZ_LEVEL_CAP`); replays and CI
    // check every input, and the level budget is also covered by crates/dslc-db/tests/limits.rs.
    if level_cap().is_some_and(|cap| levels > cap) {
        return;
    }
    // The repeat checks gain nothing from size (salsa's reuse does not depend on it).
    let repeat = levels <= 5_000;
    let mut db = Database::default();
    let spec = load(&mut db, p);
    let diagnostics = check(&db, spec).clone();
    let count = *counts(&db, spec);

    // Every label lies inside the file it names, on char boundaries.
    for d in &diagnostics {
        for label in std::iter::once(&d.primary).chain(&d.secondary) {
            let text = &db.file(&label.file).contents(&db).text;
            assert_span(text, &label.span, &format!("{} label in {}", d.code.id, label.file.display()));
        }
    }

    if repeat {
        check_repeatable(p, &diagnostics, count);
    }

    let has_errors = diagnostics.iter().any(|d| d.severity == Severity::Error);
    assert_eq!(count.is_none(), has_errors, "counts must be None exactly when there are errors");
    let Some(count) = count else { return };
    let design = &analyze(&db, spec).design;
    check_design(design, count, p);
}

/// A fresh database, and one edited from other texts, give the same answers as the first.
fn check_repeatable(p: &Project, diagnostics: &[Diagnostic], count: Option<dslc_db::Counts>) {
    let mut fresh = Database::default();
    let fresh_spec = load(&mut fresh, p);
    assert_eq!(diagnostics, &check(&fresh, fresh_spec)[..], "check is not deterministic");
    assert_eq!(count, *counts(&fresh, fresh_spec), "counts are not deterministic");

    // A database that saw other texts first and was then edited gives the same answers too.
    let mut edited = Database::default();
    let before = Project {
        spec: p.spec.lines().skip(1).collect::<Vec<_>>().join("\n"),
        a_csv: p.b_txt.clone(),
        b_txt: p.a_csv.clone(),
        catalog: p.catalog.as_ref().map(|c| c.lines().take(2).collect::<Vec<_>>().join("\n")),
        toml: p.toml.clone(),
    };
    let edited_spec = load(&mut edited, &before);
    let _ = (check(&edited, edited_spec).len(), counts(&edited, edited_spec));
    let edited_spec = load(&mut edited, p);
    assert_eq!(diagnostics, &check(&edited, edited_spec)[..], "check after edits differs from a fresh check");
    assert_eq!(count, *counts(&edited, edited_spec), "counts after edits differ from fresh counts");
}

/// The plan `dslc compile` builds (streamed when the design proves its evaluations distinct)
/// equals the one built by visiting every row through the evaluation index, and the one-pass
/// parallel writer writes what the serial single-file writers write.
fn check_plan(design: &Design) {
    use dslc_compile::{lower, plan};
    let built = plan::build(design, |_| {});
    let indexed = plan::build_with_evaluation_index(design, |_| {});
    let (built, indexed) = match (built, indexed) {
        (Ok(built), Ok(indexed)) => (built, indexed),
        (built, indexed) => {
            assert_eq!(built.err(), indexed.err(), "plan::build and the indexed plan fail differently");
            return;
        }
    };
    assert_eq!(built.drafts, indexed.drafts, "streamed and indexed plans have other drafts");
    assert_eq!(built.essays, indexed.essays, "streamed and indexed plans have other essays");
    let evaluations = |plan: &plan::Plan| plan.evaluations().collect::<Vec<_>>();
    assert_eq!(evaluations(&built), evaluations(&indexed), "streamed and indexed plans have other evaluations");
    let single = |plan: &plan::Plan| {
        let (mut membership, mut stage_manifest) = (Vec::new(), Vec::new());
        lower::write_membership(plan, "fuzz", true, None, &mut membership).unwrap();
        lower::write_stage_manifest(plan, "fuzz", None, &mut stage_manifest).unwrap();
        (membership, stage_manifest)
    };
    let (mut membership, mut stage_manifest) = (Vec::new(), Vec::new());
    lower::write_both_in_jobs(&built, "fuzz", true, None, (&mut membership, &mut stage_manifest), 2, 7).unwrap();
    assert!((membership, stage_manifest) == single(&indexed), "the parallel writer differs from the serial writers");
}

/// Streams a small design and compares it with the counts and the reference evaluation.
fn check_design(design: &Design, count: dslc_db::Counts, p: &Project) {
    let unique: HashSet<&String> = design.columns.iter().collect();
    assert_eq!(unique.len(), design.columns.len(), "repeated column in {:?}", design.columns);
    if count.rows > ROW_CAP as u128 {
        return;
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    design.for_each_row(|row| {
        assert_eq!(row.len(), design.columns.len(), "row width differs from the columns");
        rows.push(row.iter().map(|s| design.interner.get(*s).to_string()).collect());
        rows.len() <= ROW_CAP
    });
    assert_eq!(count.rows, rows.len() as u128, "counts().rows differs from the streamed rows");

    // Distinct stage entries counted without the product equal those in the streamed rows.
    let distinct = |fields: &[Field]| -> u128 {
        let picked: Vec<usize> = fields.iter().filter_map(|f| design.stage.column(*f)).collect();
        rows.iter().map(|r| picked.iter().map(|&i| r[i].as_str()).collect::<Vec<_>>()).collect::<HashSet<_>>().len()
            as u128
    };
    let draft = [Field::Combo, Field::DraftTemplate, Field::DraftLlm, Field::DraftReplicate];
    let essay = [&draft[..], &[Field::EssayTemplate, Field::EssayLlm, Field::EssayReplicate]].concat();
    let evaluation =
        [&essay[..], &[Field::EvaluationTemplate, Field::EvaluationLlm, Field::EvaluationReplicate]].concat();
    match &design.stage.mode {
        Mode::Full => {
            assert_eq!(count.drafts, Some(distinct(&draft)), "draft count differs from the rows");
            assert_eq!(count.essays, Some(distinct(&essay)), "essay count differs from the rows");
            assert_eq!(count.evaluations, Some(distinct(&evaluation)), "evaluation count differs from the rows");
            check_plan(design);
        }
        Mode::EvaluateOnly => {
            let gen = [Field::EssayGenId];
            let evaluations = [&gen[..], &evaluation[draft.len() + 3..]].concat();
            assert_eq!(count.essays, Some(distinct(&gen)), "essay count differs from the rows");
            assert_eq!(count.evaluations, Some(distinct(&evaluations)), "evaluation count differs from the rows");
        }
        Mode::DesignOnly { .. } => {}
    }

    // The reference evaluation covers small specs whose includes are the two in-memory files
    // under the paths the seeds use; it is naive, and quadratic on thousands of entries.
    if p.spec.len() > 4096 {
        return;
    }
    let files = |written: &str| match written {
        "items/a.csv" => p.a_csv.as_deref().and_then(|t| reference::read_included(written, t)),
        "items/b.txt" => p.b_txt.as_deref().and_then(|t| reference::read_included(written, t)),
        _ => None,
    };
    let parsed = dslc_syntax::parse(&p.spec);
    if let Ok(expected) = reference::evaluate_with(&parsed.file, ROW_CAP, &files) {
        let columns = if rows.is_empty() { Vec::new() } else { design.columns.clone() };
        let actual = reference::Rows { columns, rows };
        assert_eq!(actual, expected, "dslc rows differ from the reference for:\n{}", p.spec);
    }
}
