//! `dslc diff OLD NEW`: which gen_ids two compiled cohorts add, remove and keep, per stage, with
//! the fields that explain each; also what `dslc compile --diff` prints.

use std::path::PathBuf;

use dslc_compile::gen_id::Stage;
use dslc_compile::membership::{Cohort, Details};
use serde_json::json;

use crate::cohorts::{self, describe, details_json, STAGES};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DiffFormat {
    /// Lines for people: `+` added, `-` removed, `~` changed.
    Human,
    /// One JSON object.
    Json,
}

#[derive(clap::Args)]
pub(crate) struct DiffArgs {
    /// The older cohort: an output directory of `dslc compile`, or a membership.csv (wide or slim).
    pub old: PathBuf,
    /// The newer cohort, likewise.
    pub new: PathBuf,
    /// How to print the differences.
    #[arg(long, value_enum, default_value = "human")]
    pub format: DiffFormat,
}

/// A kept gen_id whose recorded fields differ.
pub(crate) struct Change {
    pub gen_id: String,
    /// (field, old, new).
    pub fields: Vec<(&'static str, String, String)>,
}

/// One stage's differences.
#[derive(Default)]
pub(crate) struct StageDiff {
    pub added: Vec<usize>,
    pub removed: Vec<usize>,
    pub kept: Vec<usize>,
    pub changed: Vec<Change>,
}

/// The differences of two cohorts; member indices point into `old` or `new`.
pub(crate) struct CohortDiff<'a> {
    pub old: &'a Cohort,
    pub new: &'a Cohort,
    pub stages: Vec<(Stage, StageDiff)>,
}

impl CohortDiff<'_> {
    /// Equal: the same gen_ids in each stage, with the same recorded fields (order is not compared).
    pub(crate) fn is_equal(&self) -> bool {
        self.stages.iter().all(|(_, d)| d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty())
    }
}

fn field_changes(old: Option<&Details>, new: Option<&Details>) -> Vec<(&'static str, String, String)> {
    let (Some(old), Some(new)) = (old, new) else { return Vec::new() };
    let parent = |d: &Details| d.parent_gen_id.clone().unwrap_or_default();
    let pairs = [
        ("parent_gen_id", parent(old), parent(new)),
        ("combo_id", old.combo_id.clone(), new.combo_id.clone()),
        ("template_id", old.template_id.clone(), new.template_id.clone()),
        ("llm_model_id", old.llm_model_id.clone(), new.llm_model_id.clone()),
        ("replicate", old.replicate.clone(), new.replicate.clone()),
    ];
    pairs.into_iter().filter(|(_, a, b)| a != b).collect()
}

/// Compares two cohorts stage by stage, in each file's order.
pub(crate) fn compare<'a>(old: &'a Cohort, new: &'a Cohort) -> CohortDiff<'a> {
    let mut stages = Vec::new();
    for stage in STAGES {
        let mut diff = StageDiff::default();
        for (i, member) in new.members.iter().enumerate().filter(|(_, m)| m.stage == stage) {
            match old.get(&member.gen_id) {
                None => diff.added.push(i),
                Some(before) => {
                    diff.kept.push(i);
                    let mut fields = field_changes(old.details(before), new.details(member));
                    if before.cohort_id != member.cohort_id {
                        fields.insert(0, ("cohort_id", before.cohort_id.clone(), member.cohort_id.clone()));
                    }
                    if !fields.is_empty() {
                        diff.changed.push(Change { gen_id: member.gen_id.clone(), fields });
                    }
                }
            }
        }
        for (i, member) in old.members.iter().enumerate().filter(|(_, m)| m.stage == stage) {
            if new.get(&member.gen_id).is_none() {
                diff.removed.push(i);
            }
        }
        stages.push((stage, diff));
    }
    CohortDiff { old, new, stages }
}

/// The diff for people, as lines (`old_name` and `new_name` label the two sides).
pub(crate) fn human(diff: &CohortDiff, old_name: &str, new_name: &str) -> String {
    let mut out = String::new();
    let side = |c: &Cohort| format!("{}, {}", cohorts::source(c), cohorts::entries(c.members.len()));
    out.push_str(&format!("--- {old_name} ({})\n+++ {new_name} ({})\n", side(diff.old), side(diff.new)));
    for (stage, d) in &diff.stages {
        let changed = if d.changed.is_empty() { String::new() } else { format!(" ({} changed)", d.changed.len()) };
        out.push_str(&format!(
            "{}: {} added, {} removed, {} kept{changed}\n",
            stage.name(),
            d.added.len(),
            d.removed.len(),
            d.kept.len()
        ));
        for &i in &d.added {
            let m = &diff.new.members[i];
            out.push_str(&format!("  + {}  {}\n", m.gen_id, describe(*stage, diff.new.details(m))));
        }
        for &i in &d.removed {
            let m = &diff.old.members[i];
            out.push_str(&format!("  - {}  {}\n", m.gen_id, describe(*stage, diff.old.details(m))));
        }
        for change in &d.changed {
            let fields: Vec<String> =
                change.fields.iter().map(|(f, a, b)| format!("{f} {} → {}", shown(a), shown(b))).collect();
            out.push_str(&format!("  ~ {}  {}\n", change.gen_id, fields.join(", ")));
        }
    }
    out.push_str(if diff.is_equal() { "the cohorts are equal\n" } else { "the cohorts differ\n" });
    out
}

fn shown(value: &str) -> &str {
    if value.is_empty() {
        "(empty)"
    } else {
        value
    }
}

/// The diff as one JSON object.
pub(crate) fn to_json(diff: &CohortDiff, old_name: &str, new_name: &str) -> serde_json::Value {
    let entry = |cohort: &Cohort, i: usize| {
        let m = &cohort.members[i];
        json!({"gen_id": m.gen_id, "details": details_json(cohort.details(m))})
    };
    let mut stages = serde_json::Map::new();
    for (stage, d) in &diff.stages {
        let changed: Vec<_> = d
            .changed
            .iter()
            .map(|c| {
                let fields: serde_json::Map<String, serde_json::Value> =
                    c.fields.iter().map(|(f, a, b)| (f.to_string(), json!({"old": a, "new": b}))).collect();
                json!({"gen_id": c.gen_id, "fields": fields})
            })
            .collect();
        stages.insert(
            stage.name().into(),
            json!({
                "added": d.added.iter().map(|&i| entry(diff.new, i)).collect::<Vec<_>>(),
                "removed": d.removed.iter().map(|&i| entry(diff.old, i)).collect::<Vec<_>>(),
                "kept": d.kept.iter().map(|&i| diff.new.members[i].gen_id.as_str()).collect::<Vec<_>>(),
                "changed": changed,
            }),
        );
    }
    json!({"old": old_name, "new": new_name, "equal": diff.is_equal(), "stages": stages})
}

pub(crate) fn run(args: &DiffArgs) -> i32 {
    let (old, new) = match (cohorts::open(&args.old), cohorts::open(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let diff = compare(&old, &new);
    let (old_name, new_name) = (args.old.display().to_string(), args.new.display().to_string());
    match args.format {
        DiffFormat::Human => print!("{}", human(&diff, &old_name, &new_name)),
        DiffFormat::Json => cohorts::print_json(&to_json(&diff, &old_name, &new_name)),
    }
    i32::from(!diff.is_equal())
}
