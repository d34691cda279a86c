//! The checker's budgets (docs/limits.md) through `check` on in-memory specs: did-you-mean stops
//! when its comparisons are spent, and files count against the level limit.

use std::path::Path;

use dslc_db::semantics::{MAX_SPEC_LEVELS, SUGGESTION_BUDGET};
use dslc_db::Database;

fn check(files: &[(&str, String)], spec: &str) -> Vec<dslc_db::Diagnostic> {
    let mut db = Database::default();
    for (path, text) in files {
        db.set_file_text(&Path::new("/dslc-limits").join(path), text.clone());
    }
    let spec = db.set_file_text(Path::new("/dslc-limits/spec.cohort"), spec);
    dslc_db::check(&db, spec).clone()
}

#[test]
fn did_you_mean_stops_once_its_comparisons_are_spent() {
    // Every unknown name is compared with every axis: 1,000 × 1,000 is four times the budget.
    let axes = 1_000;
    assert!(axes * axes > 2 * SUGGESTION_BUDGET);
    let mut spec: String = (0..axes).map(|i| format!("axis axis_{i} = [x]\n")).collect();
    spec.extend((0..axes).map(|i| format!("subset axis_{i}x = [x]\n")));
    let unknown: Vec<_> = check(&[], &spec).into_iter().filter(|d| d.code.id == "E0103").collect();
    assert_eq!(unknown.len(), axes);
    let suggested = unknown.iter().take_while(|d| !d.suggestions.is_empty()).count();
    assert!(suggested > 0 && suggested < axes, "{suggested} of {axes} reports got suggestions");
    assert!(unknown[suggested..].iter().all(|d| d.suggestions.is_empty()), "suggestions resumed");
    assert_eq!(unknown[0].suggestions[0], "axis_0");
}

#[test]
fn included_files_count_against_the_level_limit() {
    // One file of a million levels, included five times: each inclusion counts.
    let levels: String = (0..1_000_000).map(|i| format!("c{i}\n")).collect();
    let spec: String = (0..5).map(|i| format!("axis a{i} = file(\"items/levels.txt\")\n")).collect();
    let diagnostics = check(&[("items/levels.txt", levels)], &spec);
    let over: Vec<_> = diagnostics.iter().filter(|d| d.code.id == "E0215").collect();
    assert_eq!(over.len(), 1, "reported once");
    assert!(over[0].message.contains(&format!("over the limit of {MAX_SPEC_LEVELS}")), "{}", over[0].message);
}

#[test]
fn tuples_over_one_items_file_count_against_the_level_limit() {
    let rows: String = (0..600_000).map(|i| format!("{i},{i}\n")).collect();
    let spec: String = (0..4).map(|i| format!("tuple t{i} (x, y) = file(\"items/pairs.csv\")\n")).collect();
    let diagnostics = check(&[("items/pairs.csv", format!("x,y\n{rows}"))], &spec);
    assert!(
        diagnostics.iter().any(|d| d.code.id == "E0215"),
        "{:?}",
        diagnostics.iter().map(|d| d.code.id).collect::<Vec<_>>()
    );
}
