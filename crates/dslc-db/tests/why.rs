//! `why` against brute force: on every spec of the row fixtures, the example project and the
//! old system's reference cohorts, random partial combinations are present exactly when some
//! design row holds them (with the same row count), and an excluded one is blamed on the first
//! statement after which no row of the spec up to it holds it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dslc_db::semantics::{self, IncludeResolver, Included};
use dslc_db::why::{why, Why};
use dslc_db::{Database, Db, Design, Diagnostic, SourceFile};
use dslc_syntax::ast::{FileRef, SpecFile};
use dslc_syntax::xorshift::XorShift;

fn specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("tests/fixtures/rows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cohort"))
        .collect();
    for cohort in ["pilot-2026-01", "evaluator-sweep"] {
        specs.push(root.join("examples/project/data/cohorts").join(cohort).join("spec.cohort"));
    }
    // The old system's fixtures, where CI has them beside the checkout.
    if let Ok(entries) = std::fs::read_dir(root.join("../shared/reference")) {
        specs.extend(entries.map(|e| e.unwrap().path().join("spec.cohort")).filter(|p| p.is_file()));
    }
    specs.sort();
    specs.into_iter().map(|p| dslc_db::db::normalize(&p.canonicalize().unwrap())).collect()
}

/// Every design row as text, columns in `design.columns` order.
fn rows(design: &Design) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    design.for_each_row(|row| {
        all.push(row.iter().map(|&s| design.interner.get(s).to_string()).collect());
        true
    });
    all
}

/// How many rows of `design` hold every pair of `wanted` whose field is one of its columns.
fn brute_force(design: &Design, wanted: &[(String, String)]) -> u128 {
    let known: Vec<(usize, &str)> =
        wanted.iter().filter_map(|(f, v)| design.column_index(f).map(|i| (i, v.as_str()))).collect();
    rows(design).iter().filter(|row| known.iter().all(|&(i, v)| row[i] == v)).count() as u128
}

struct Resolver<'a> {
    db: &'a Database,
    spec: SourceFile,
}

impl IncludeResolver for Resolver<'_> {
    fn resolve(&self, file_ref: &FileRef) -> Result<Arc<Included>, Box<Diagnostic>> {
        dslc_db::db::resolve_include(self.db, self.spec, file_ref)
    }
}

fn prefix_design(db: &Database, spec: SourceFile, count: usize) -> Design {
    let file = &dslc_db::parse(db, spec).file;
    let prefix = SpecFile { statements: file.statements[..count].to_vec() };
    let path: dslc_db::FilePath = Arc::from(spec.path(db).as_path());
    semantics::analyze(&path, &prefix, &Resolver { db, spec }).design
}

#[test]
fn why_agrees_with_the_rows() {
    let mut rng = XorShift(0x5eed_0001);
    let mut checked = (0, 0);
    for path in specs() {
        let db = Database::default();
        let spec = db.file(&path);
        let design = &dslc_db::analyze(&db, spec).design;
        let all_rows = rows(design);
        if all_rows.is_empty() || design.row_count() > 100_000 {
            continue;
        }
        for _ in 0..60 {
            let mut wanted: Vec<(String, String)> = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let column = rng.below(design.columns.len());
                // Mostly values of some row, so most combinations are at least plausible.
                let value = match rng.below(8) {
                    0 => "no-such-value".to_string(),
                    _ => all_rows[rng.below(all_rows.len())][column].clone(),
                };
                let field = design.columns[column].clone();
                if !wanted.iter().any(|(f, _)| *f == field) {
                    wanted.push((field, value));
                }
            }
            let expected = brute_force(design, &wanted);
            match why(&db, spec, &wanted) {
                Why::Present { rows, total } => {
                    assert_eq!((rows, total), (expected, all_rows.len() as u128), "{}: {wanted:?}", path.display());
                    assert!(expected > 0);
                    checked.0 += 1;
                }
                Why::Excluded(d) => {
                    assert_eq!(expected, 0, "{}: {wanted:?} blamed on {}", path.display(), d.message);
                    // The blamed statement is the first after which no row holds the combination.
                    let file = &dslc_db::parse(&db, spec).file;
                    let culprit = file
                        .statements
                        .iter()
                        .position(|s| s.span().start <= d.primary.span.start && d.primary.span.end <= s.span().end)
                        .unwrap_or_else(|| panic!("{}: {} points at no statement", path.display(), d.message));
                    let before = prefix_design(&db, spec, culprit);
                    let known_before = wanted.iter().any(|(f, _)| before.column_index(f).is_some());
                    assert!(
                        !known_before || brute_force(&before, &wanted) > 0,
                        "{}: {wanted:?} is already gone before {}",
                        path.display(),
                        d.message
                    );
                    assert_eq!(brute_force(&prefix_design(&db, spec, culprit + 1), &wanted), 0, "{}", d.message);
                    checked.1 += 1;
                }
            }
        }
    }
    eprintln!("present {}, excluded {}", checked.0, checked.1);
    assert!(checked.0 > 50 && checked.1 > 50, "too few answers of each kind: {checked:?}");
}

#[test]
fn an_unknown_field_is_e0803_with_a_suggestion() {
    let path = specs().into_iter().find(|p| p.ends_with("pilot-2026-01/spec.cohort")).unwrap();
    let db = Database::default();
    let spec = db.file(&path);
    let Why::Excluded(d) = why(&db, spec, &[("essay_tmplate".into(), "x".into())]) else { panic!("present") };
    assert_eq!(d.code.id, "E0803");
    assert_eq!(d.help.as_deref(), Some("did you mean `essay_template` or `essay_replicate`?"));
}
