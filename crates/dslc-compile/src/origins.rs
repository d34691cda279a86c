//! True origins: which of the plan's gen_ids the generation store already holds, the cohort
//! that first produced each of them (its `origin_cohort_id`, or the legacy `cohort_id`), a check
//! that the store's entry is the generation the plan means, and the reuse policy.
//!
//! The origin of a generation is never rewritten: a later cohort that reuses it lists it with
//! the store's origin, marked reused, in `stage_manifest.json` and the wide membership.

use std::path::{Path, PathBuf};

use dslc_db::files::{FileContents, FileStatus};
use dslc_db::stage::parse_replicate;
use dslc_db::ReusePolicy;
use serde_json::Value;

use crate::gen_id::{GenId, Stage};
use crate::plan::{MemberRow, Plan};
use crate::store::metadata_path;

/// Where one plan entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Not in the store: this cohort produces it.
    New,
    /// In the store, first produced by `Origins::cohort(index)`.
    Reused(u32),
    /// In the store, but its metadata names no origin (older metadata): labelled with this
    /// cohort, as before origins were kept, and marked reused.
    ReusedUnknown,
}

/// The origin of every plan entry, in membership order (drafts, essays, evaluations).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins {
    entries: Vec<Origin>,
    /// The distinct origin cohorts, in first-seen order.
    cohorts: Vec<String>,
}

/// Per-stage counts of reused and new gen_ids, in stage order (draft, essay, evaluation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StageCounts {
    pub reused: [usize; 3],
    pub new: [usize; 3],
}

impl StageCounts {
    pub fn reused_total(&self) -> usize {
        self.reused.iter().sum()
    }

    pub fn new_total(&self) -> usize {
        self.new.iter().sum()
    }
}

impl Origins {
    /// The origin of entry `index` in membership order.
    pub fn get(&self, index: usize) -> Origin {
        self.entries.get(index).copied().unwrap_or(Origin::New)
    }

    /// The cohort of `Origin::Reused(index)`.
    pub fn cohort(&self, index: u32) -> &str {
        &self.cohorts[index as usize]
    }

    /// The distinct origin cohorts read from the store.
    pub fn cohorts(&self) -> &[String] {
        &self.cohorts
    }

    /// How many gen_ids of each stage are reused and new.
    pub fn counts(&self, plan: &Plan) -> StageCounts {
        let mut counts = StageCounts::default();
        for (index, row) in plan.members().enumerate() {
            let stage = stage_index(row.stage);
            match self.get(index) {
                Origin::New => counts.new[stage] += 1,
                Origin::Reused(_) | Origin::ReusedUnknown => counts.reused[stage] += 1,
            }
        }
        counts
    }
}

fn stage_index(stage: Stage) -> usize {
    match stage {
        Stage::Draft => 0,
        Stage::Essay => 1,
        Stage::Evaluation => 2,
    }
}

/// A store entry that is not the generation the plan means under its gen_id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub stage: Stage,
    pub gen_id: GenId,
    /// The metadata key that disagrees, the plan's value and the store's.
    pub key: &'static str,
    pub planned: String,
    pub stored: String,
    pub path: PathBuf,
}

/// What reading the store's entries for the plan found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreProblem {
    Mismatch(Mismatch),
    /// A metadata.json that exists but cannot be used: not a regular file, too large, not a
    /// JSON object, or an origin that is not a string.
    Unreadable {
        stage: Stage,
        gen_id: GenId,
        path: PathBuf,
        reason: String,
    },
}

/// At most this many problems are kept; the rest are only counted, so a store that disagrees
/// with a plan of millions of entries gives a short report.
pub const MAX_PROBLEMS: usize = 20;

/// The problems found (at most [`MAX_PROBLEMS`]) and how many there were in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreProblems {
    pub shown: Vec<StoreProblem>,
    pub total: usize,
}

/// Reads the origin of every plan entry from the store under `root`. Every gen_id of the plan
/// was computed by dslc (or validated by `store::parse_gen_id`), so each path stays inside the
/// store; files are read as included files are, regular files only and within their size limit.
pub fn read_origins(plan: &Plan, root: &Path) -> Result<Origins, StoreProblems> {
    let mut origins = Origins {
        entries: Vec::with_capacity(plan.drafts.len() + plan.essays.len() + plan.evaluations.len()),
        cohorts: Vec::new(),
    };
    let mut cohort_index: rustc_hash::FxHashMap<String, u32> = Default::default();
    let mut problems = StoreProblems::default();
    let mut report = |problem: StoreProblem| {
        problems.total += 1;
        if problems.shown.len() < MAX_PROBLEMS {
            problems.shown.push(problem);
        }
    };
    for row in plan.members() {
        let path = metadata_path(root, row.stage, &row.gen_id);
        let contents = FileContents::read(&path);
        let unreadable = |reason: String| StoreProblem::Unreadable {
            stage: row.stage,
            gen_id: row.gen_id,
            path: path.clone(),
            reason,
        };
        let text = match contents.status {
            FileStatus::Missing => {
                origins.entries.push(Origin::New);
                continue;
            }
            FileStatus::Unreadable(reason) => {
                report(unreadable(reason));
                origins.entries.push(Origin::ReusedUnknown);
                continue;
            }
            FileStatus::Present => contents.text,
        };
        let values = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(values)) => values,
            Ok(_) => {
                report(unreadable("it is not a JSON object".into()));
                origins.entries.push(Origin::ReusedUnknown);
                continue;
            }
            Err(e) => {
                report(unreadable(format!("it is not valid JSON: {e}")));
                origins.entries.push(Origin::ReusedUnknown);
                continue;
            }
        };
        for mismatch in signature_mismatches(&row, &values, &path) {
            report(StoreProblem::Mismatch(mismatch));
        }
        // The legacy `cohort_id` means the same as `origin_cohort_id`, which wins when both are set.
        let recorded = ["origin_cohort_id", "cohort_id"]
            .iter()
            .find_map(|key| values.get(*key).filter(|v| !v.is_null()).map(|value| (*key, value)));
        let origin = match recorded {
            None => Origin::ReusedUnknown,
            Some((_, Value::String(cohort))) if !cohort.trim().is_empty() => {
                let cohort = cohort.trim();
                let index = match cohort_index.get(cohort) {
                    Some(&index) => index,
                    None => {
                        let index = origins.cohorts.len() as u32;
                        cohort_index.insert(cohort.to_string(), index);
                        origins.cohorts.push(cohort.to_string());
                        index
                    }
                };
                Origin::Reused(index)
            }
            Some((key, other)) => {
                report(unreadable(format!("its {key} is {other}, not a cohort ID")));
                Origin::ReusedUnknown
            }
        };
        origins.entries.push(origin);
    }
    if problems.total > 0 {
        return Err(problems);
    }
    Ok(origins)
}

/// The keys of a store entry's signature that disagree with the plan's entry. Values are
/// compared as generation IDs hash them (trimmed, lower-cased; replicates as numbers); a key the
/// metadata lacks is not compared, since older metadata may not have it.
fn signature_mismatches(row: &MemberRow<'_>, values: &serde_json::Map<String, Value>, path: &Path) -> Vec<Mismatch> {
    let legacy_template = match row.stage {
        Stage::Draft => "draft_template",
        Stage::Essay => "essay_template",
        Stage::Evaluation => "evaluation_template",
    };
    let parent = row.parent.map(|p| p.to_string());
    let mut expected: Vec<(&'static str, &str)> = vec![("gen_id", row.gen_id.as_str()), ("stage", row.stage.name())];
    let template_key = if values.contains_key("template_id") { "template_id" } else { legacy_template };
    expected.push((template_key, row.template));
    expected.push(("llm_model_id", row.llm));
    match &parent {
        Some(parent) => expected.push(("parent_gen_id", parent)),
        None => expected.push(("combo_id", row.combo)),
    }
    let normal = |text: &str| text.trim().to_lowercase();
    let mut mismatches = Vec::new();
    for (key, planned) in expected {
        let stored = match values.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(text)) => text.clone(),
            Some(other) => other.to_string(),
        };
        if normal(&stored) != normal(planned) {
            mismatches.push(Mismatch {
                stage: row.stage,
                gen_id: row.gen_id,
                key,
                planned: planned.to_string(),
                stored,
                path: path.to_path_buf(),
            });
        }
    }
    // A replicate the metadata writes as a number or a numeric string of at least 1, as
    // `store::build_evaluate_only` reads it; others are not compared.
    let stored_replicate = match values.get("replicate") {
        Some(Value::Number(n)) => n.as_u64().filter(|n| *n >= 1),
        Some(Value::String(text)) => parse_replicate(text),
        _ => None,
    };
    if let Some(stored) = stored_replicate.filter(|r| *r != row.replicate) {
        mismatches.push(Mismatch {
            stage: row.stage,
            gen_id: row.gen_id,
            key: "replicate",
            planned: row.replicate.to_string(),
            stored: stored.to_string(),
            path: path.to_path_buf(),
        });
    }
    mismatches
}

/// The reused entries whose origin `policy` does not allow for cohort `this`: how many, and
/// the first five with their origins (`unknown` for metadata that names none).
pub fn refused(plan: &Plan, origins: &Origins, policy: &ReusePolicy, this: &str) -> (usize, Vec<(GenId, String)>) {
    let mut count = 0;
    let mut first = Vec::new();
    for (index, row) in plan.members().enumerate() {
        let origin = match origins.get(index) {
            Origin::New => continue,
            Origin::Reused(cohort) => origins.cohort(cohort),
            // An origin that cannot be told cannot be allowed by a list of cohorts.
            Origin::ReusedUnknown => "unknown",
        };
        let allowed = origins.get(index) != Origin::ReusedUnknown && policy.allows(origin, this);
        if !allowed {
            count += 1;
            if first.len() < 5 {
                first.push((row.gen_id, origin.to_string()));
            }
        }
    }
    (count, first)
}
