//! What `diff`, `show` and `verify` share: opening a compiled cohort with errors printed as
//! people read them, and the words for a member's details.

use std::path::Path;

use dslc_compile::gen_id::Stage;
use dslc_compile::membership::{Cohort, Details, ReadError};

pub(crate) const STAGES: [Stage; 3] = [Stage::Draft, Stage::Essay, Stage::Evaluation];

/// Prints a read error as `error: FILE:LINE: message` and its help line, on stderr.
pub(crate) fn print_read_error(error: &ReadError) {
    eprintln!("error: {error}");
    eprintln!("help: {}", error.help);
}

/// Opens a cohort directory or membership file; an error is printed and becomes exit code 2.
pub(crate) fn open(path: &Path) -> Result<Cohort, i32> {
    if !path.exists() {
        eprintln!("error: {}: no such file or directory", path.display());
        eprintln!("help: name an output directory of `dslc compile SPEC --out DIR`, or a membership.csv");
        return Err(2);
    }
    Cohort::open(path).map_err(|e| {
        print_read_error(&e);
        2
    })
}

/// Where a cohort's details come from, for headers: `wide`, `slim + stage_manifest.json`, `slim`.
pub(crate) fn source(cohort: &Cohort) -> String {
    let schema = cohort.schema.map_or("empty", |s| s.name());
    match &cohort.stage_manifest {
        Some(_) => format!("{schema} + stage_manifest.json"),
        None => schema.to_string(),
    }
}

/// The fields that explain an entry, as `template …, model …` for people.
pub(crate) fn describe(stage: Stage, details: Option<&Details>) -> String {
    let Some(d) = details else { return "(no details: slim membership without stage_manifest.json)".into() };
    let mut parts = Vec::new();
    match &d.parent_gen_id {
        Some(parent) => parts.push(format!("parent {parent}")),
        None if stage != Stage::Draft => parts.push("no parent".into()),
        None => {}
    }
    if !d.combo_id.is_empty() {
        parts.push(format!("combo {}", d.combo_id));
    }
    parts.push(format!("template {}", d.template_id));
    parts.push(format!("model {}", d.llm_model_id));
    parts.push(format!("replicate {}", d.replicate));
    parts.join(", ")
}

/// The fields of a tree line, without the parent the tree already shows.
pub(crate) fn describe_short(details: Option<&Details>) -> String {
    let Some(d) = details else { return String::new() };
    let mut parts = Vec::new();
    if !d.combo_id.is_empty() {
        parts.push(d.combo_id.clone());
    }
    parts.extend([d.template_id.clone(), d.llm_model_id.clone(), format!("replicate {}", d.replicate)]);
    parts.join("  ")
}

/// A member's details as JSON fields (`null` when unknown).
pub(crate) fn details_json(details: Option<&Details>) -> serde_json::Value {
    match details {
        Some(d) => serde_json::json!({
            "parent_gen_id": d.parent_gen_id,
            "combo_id": d.combo_id,
            "template_id": d.template_id,
            "llm_model_id": d.llm_model_id,
            "replicate": d.replicate,
        }),
        None => serde_json::Value::Null,
    }
}

/// `1 draft`, `2 drafts`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `1 entry`, `2 entries`.
pub(crate) fn entries(n: usize) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

/// Prints a JSON value with a two-space indent and a final newline.
pub(crate) fn print_json(value: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
}

/// A `--gens-root` given to `show` or `verify` must be a directory; `Err` holds the exit code
/// after saying so.
pub(crate) fn check_store(root: Option<&std::path::Path>) -> Result<(), i32> {
    match root {
        Some(root) if !root.is_dir() => {
            eprintln!("error: --gens-root {}: not a directory", root.display());
            eprintln!("help: name the store `dslc compile --gens-root` uses (<STORE>/<stage>/<gen_id>/metadata.json)");
            Err(2)
        }
        _ => Ok(()),
    }
}
