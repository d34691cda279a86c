//! The generation store (`<gens_root>/<stage>/<gen_id>/metadata.json`): which gen_ids already
//! exist, seeding metadata for new ones without ever overwriting, and the lineage of existing
//! essays for evaluate-only cohorts (LANGUAGE.md §4.7).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use dslc_db::interner::Sym;
use dslc_db::stage::{parse_replicate, Field};
use dslc_db::Design;
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use crate::gen_id::{GenId, Stage};
use crate::plan::{add_evaluation, Draft, Essay, Plan, PlanError};

/// Where a stage's metadata lives.
pub fn metadata_path(root: &Path, stage: Stage, gen_id: &GenId) -> PathBuf {
    root.join(stage.name()).join(gen_id.as_str()).join("metadata.json")
}

/// How many of the plan's gen_ids already have metadata in the store.
pub fn count_existing(plan: &Plan, root: &Path) -> usize {
    plan.members().filter(|row| metadata_path(root, row.stage, &row.gen_id).is_file()).count()
}

/// Writes `metadata.json` for every gen_id that has none; never overwrites. Each file is written
/// to a temporary file in its directory and linked into place, which fails if the file appeared
/// meanwhile, so a concurrent writer's file is never replaced. Returns how many were written.
pub fn seed_metadata(
    plan: &Plan,
    root: &Path,
    cohort_id: &str,
    mode_of: impl Fn(Stage, &str) -> String,
) -> io::Result<usize> {
    let mut written = 0;
    for row in plan.members() {
        let path = metadata_path(root, row.stage, &row.gen_id);
        if path.exists() {
            continue;
        }
        let mut object = serde_json::Map::new();
        object.insert("stage".into(), row.stage.name().into());
        object.insert("gen_id".into(), row.gen_id.as_str().into());
        object.insert("origin_cohort_id".into(), cohort_id.into());
        object.insert("mode".into(), mode_of(row.stage, row.template).into());
        object.insert("template_id".into(), row.template.into());
        if row.stage == Stage::Draft {
            object.insert("combo_id".into(), row.combo.into());
        }
        if let Some(parent) = row.parent {
            object.insert("parent_gen_id".into(), parent.as_str().into());
        }
        object.insert("llm_model_id".into(), row.llm.into());
        object.insert("replicate".into(), row.replicate.into());
        let mut text = serde_json::to_string_pretty(&Value::Object(object)).map_err(io::Error::other)?;
        text.push('\n');
        let dir = path.parent().unwrap_or(root);
        fs::create_dir_all(dir)?;
        let temporary = dir.join(format!(".metadata.json.dslc-tmp-{}", std::process::id()));
        let result = (|| {
            let mut file = fs::File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::hard_link(&temporary, &path)
        })();
        let _ = fs::remove_file(&temporary);
        match result {
            Ok(()) => written += 1,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(written)
}

/// A problem with an essay named by `essay_gen_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineageError {
    /// The essay_gen_id value as written, and which level of the design it is.
    pub gen_id: String,
    pub sym: Sym,
    pub path: PathBuf,
    pub missing: bool,
    pub message: String,
}

struct Metadata {
    values: serde_json::Map<String, Value>,
}

impl Metadata {
    fn text(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| match self.values.get(*k) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        })
    }

    fn replicate(&self) -> u64 {
        match self.values.get("replicate") {
            Some(Value::Number(n)) => n.as_u64().filter(|n| *n >= 1).unwrap_or(1),
            Some(Value::String(s)) => parse_replicate(s).unwrap_or(1),
            _ => 1,
        }
    }
}

fn read_metadata(path: &Path, gen_id: &str, sym: Sym) -> Result<Metadata, LineageError> {
    let error = |missing: bool, message: String| LineageError {
        gen_id: gen_id.to_string(),
        sym,
        path: path.to_path_buf(),
        missing,
        message,
    };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(error(true, "no metadata.json in the store".into()))
        }
        Err(e) => return Err(error(false, format!("cannot read metadata.json: {e}"))),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(values)) => Ok(Metadata { values }),
        Ok(_) => Err(error(false, "metadata.json is not a JSON object".into())),
        Err(e) => Err(error(false, format!("metadata.json is not valid JSON: {e}"))),
    }
}

/// Builds the plan of an evaluate-only design: each distinct `essay_gen_id` is an existing essay
/// whose lineage (its draft, and the draft's combo) is read from the store; rows add evaluations.
pub fn build_evaluate_only(design: &Design, root: &Path) -> Result<Plan, Result<PlanError, Vec<LineageError>>> {
    let stage = &design.stage;
    let column = |field: Field| stage.column(field);
    let (Some(essay_column), Some(template_column), Some(llm_column)) =
        (column(Field::EssayGenId), column(Field::EvaluationTemplate), column(Field::EvaluationLlm))
    else {
        let missing = match &stage.mode {
            dslc_db::stage::Mode::DesignOnly { missing } => missing.clone(),
            _ => vec!["essay_gen_id"],
        };
        return Err(Ok(PlanError::DesignOnly(missing)));
    };
    let replicate_column = column(Field::EvaluationReplicate);
    let mut plan = Plan { rows: design.row_count(), interner: design.interner.clone(), ..Plan::default() };
    // Read each selected essay and its draft once, in first-seen order of the essay column.
    let (factor, leaf) = design.column_sources[essay_column];
    let mut essays: HashMap<Sym, u32> = HashMap::default();
    let mut drafts: HashMap<GenId, u32> = HashMap::default();
    let mut errors = Vec::new();
    let mut selected: Vec<Sym> = Vec::new();
    for row in design.factors[factor].rows() {
        if !selected.contains(&row[leaf]) {
            selected.push(row[leaf]);
        }
    }
    for sym in selected {
        let text = design.interner.get(sym).trim().to_string();
        // Only well-formed essay IDs are looked up, so a value can never name a path outside the store.
        let well_formed = text
            .strip_prefix("e_")
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase()));
        let Some(essay_gen_id) = GenId::parse(&text).filter(|_| well_formed) else {
            errors.push(LineageError {
                gen_id: text.clone(),
                sym,
                path: root.join("essay"),
                missing: true,
                message: "not an essay generation ID (e_ followed by lower-case letters and digits)".into(),
            });
            continue;
        };
        let essay_path = metadata_path(root, Stage::Essay, &essay_gen_id);
        let essay = match read_metadata(&essay_path, &text, sym) {
            Ok(m) => m,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let Some(parent) = essay.text(&["parent_gen_id"]).and_then(|p| GenId::parse(&p)) else {
            errors.push(LineageError {
                gen_id: text,
                sym,
                path: essay_path,
                missing: false,
                message: "metadata.json has no parent_gen_id".into(),
            });
            continue;
        };
        let draft_path = metadata_path(root, Stage::Draft, &parent);
        let draft = match read_metadata(&draft_path, &text, sym) {
            Ok(m) => m,
            Err(mut e) => {
                e.message = format!("its draft {parent}: {}", e.message);
                errors.push(e);
                continue;
            }
        };
        let (Some(essay_template), Some(combo), Some(draft_template)) = (
            essay.text(&["template_id", "essay_template"]),
            draft.text(&["combo_id"]),
            draft.text(&["template_id", "draft_template"]),
        ) else {
            errors.push(LineageError {
                gen_id: text,
                sym,
                path: essay_path,
                missing: false,
                message: "the essay's template_id or its draft's combo_id or template_id is missing".into(),
            });
            continue;
        };
        let draft_llm = draft.text(&["llm_model_id"]).unwrap_or_default();
        let essay_llm = essay.text(&["llm_model_id"]).unwrap_or_else(|| draft_llm.clone());
        let draft_index = *drafts.entry(parent).or_insert_with(|| {
            plan.drafts.push(Draft {
                gen_id: parent,
                combo: plan.interner.intern(&combo),
                template: plan.interner.intern(&draft_template),
                llm: plan.interner.intern(&draft_llm),
                replicate: draft.replicate(),
            });
            (plan.drafts.len() - 1) as u32
        });
        plan.essays.push(Essay {
            gen_id: essay_gen_id,
            draft: draft_index,
            template: plan.interner.intern(&essay_template),
            llm: plan.interner.intern(&essay_llm),
            replicate: essay.replicate(),
        });
        essays.insert(sym, (plan.essays.len() - 1) as u32);
    }
    if !errors.is_empty() {
        return Err(Err(errors));
    }
    let mut interner = plan.interner.clone();
    let norm: Vec<Sym> = (0..interner.len())
        .map(|i| {
            let text = interner.get(Sym(i as u32)).trim().to_lowercase();
            interner.intern(&text)
        })
        .collect();
    let mut evaluations = crate::plan::EvaluationIndex::default();
    let mut failure = None;
    design.for_each_row(|row| {
        let essay = essays[&row[essay_column]];
        let replicate = replicate_column.and_then(|c| parse_replicate(design.interner.get(row[c]))).unwrap_or(1);
        match add_evaluation(
            &mut plan,
            &mut evaluations,
            &norm,
            &interner,
            essay,
            row[template_column],
            row[llm_column],
            replicate,
        ) {
            Ok(_) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    });
    if let Some(e) = failure {
        return Err(Ok(e));
    }
    plan.interner = interner;
    Ok(plan)
}
