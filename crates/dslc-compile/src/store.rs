//! The generation store (`<gens_root>/<stage>/<gen_id>/metadata.json`): which gen_ids already
//! exist, seeding metadata for new ones without ever overwriting, and the lineage of existing
//! essays for evaluate-only cohorts (LANGUAGE.md §4.7).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use dslc_db::interner::Sym;
use dslc_db::stage::{parse_replicate, Field, StageKind};
use dslc_db::Design;
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use crate::gen_id::{GenId, Stage};
use crate::lock::LockFile;
use crate::plan::{add_evaluation, Draft, Essay, Plan, PlanError};

/// The lock file inside the store, held while seeding.
pub const SEED_LOCK: &str = ".dslc-seed.lock";

/// The prefix of the temporary files seeding writes next to a `metadata.json`.
const TEMPORARY_PREFIX: &str = ".metadata.json.dslc-tmp-";

/// Where a stage's metadata lives.
pub fn metadata_path(root: &Path, stage: Stage, gen_id: &GenId) -> PathBuf {
    root.join(stage.name()).join(gen_id.as_str()).join("metadata.json")
}

/// Parses a gen_id of `stage` read from the store or a spec: the stage's prefix (`d_`, `e_`,
/// `v_`), then 1 to 16 lower-case base36 digits whose value fits in 80 bits, as `gen_id`
/// writes them. Only such a value is ever used as a path in the store, so no value can name a
/// file outside it.
pub fn parse_gen_id(stage: Stage, text: &str) -> Option<GenId> {
    let prefix = match stage {
        Stage::Draft => "d_",
        Stage::Essay => "e_",
        Stage::Evaluation => "v_",
    };
    let digits = text.trim().strip_prefix(prefix)?;
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut value: u128 = 0;
    for b in digits.bytes() {
        let digit = match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'z' => b - b'a' + 10,
            _ => return None,
        };
        // 16 digits stay below 36^16 < 2^83, so this cannot overflow.
        value = value * 36 + u128::from(digit);
    }
    (value < 1 << 80).then(|| GenId::parse(text)).flatten()
}

/// What a well-formed gen_id of `stage` looks like, for messages.
pub fn gen_id_shape(stage: Stage) -> String {
    let prefix = match stage {
        Stage::Draft => "d_",
        Stage::Essay => "e_",
        Stage::Evaluation => "v_",
    };
    format!("{prefix} followed by 1 to 16 lower-case letters and digits")
}

/// Locks the store for seeding, creating it when it does not exist yet; returns the lock and
/// whether the store was created. When another dslc is seeding it, calls `on_wait` once with
/// that process's id (if known) and waits: seeding is short and never overwrites, so waiting
/// is always safe.
pub fn lock_for_seeding(root: &Path, on_wait: &dyn Fn(Option<u32>)) -> io::Result<(LockFile, bool)> {
    let created = match fs::metadata(root) {
        Ok(meta) if meta.is_dir() => false,
        Ok(_) => return Err(io::Error::other("it exists and is not a directory")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(root)?;
            true
        }
        Err(e) => return Err(e),
    };
    let lock = LockFile::acquire(&root.join(SEED_LOCK), Some(on_wait))?;
    Ok((lock, created))
}

/// Removes the temporary files that killed seeding runs left in `dir`. Only call this while
/// holding the seeding lock: a live seeder's temporary file must not disappear.
fn remove_stale_temporaries(dir: &Path) -> io::Result<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_name().as_encoded_bytes().starts_with(TEMPORARY_PREFIX.as_bytes()) {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Writes `metadata.json` for every gen_id that has none; never overwrites. Each file is written
/// to a temporary file in its directory and linked into place, which fails if the file appeared
/// meanwhile, so a concurrent writer's file is never replaced. Temporary files of killed runs
/// in the directories passed are removed. The caller holds the lock of [`lock_for_seeding`].
/// Returns how many files were written.
pub fn seed_metadata(
    plan: &Plan,
    root: &Path,
    _lock: &LockFile,
    cohort_id: &str,
    mode_of: impl Fn(Stage, &str) -> String,
) -> io::Result<usize> {
    let mut written = 0;
    for row in plan.members() {
        let path = metadata_path(root, row.stage, &row.gen_id);
        let dir = path.parent().unwrap_or(root);
        remove_stale_temporaries(dir)?;
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
        fs::create_dir_all(dir)?;
        let temporary = dir.join(format!("{TEMPORARY_PREFIX}{}", std::process::id()));
        let result = (|| -> io::Result<()> {
            let mut file = fs::File::create(&temporary)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::hard_link(&temporary, &path)?;
            // The new name survives a crash only once its directory is flushed.
            if cfg!(unix) {
                fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
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
    // Read as included files are: regular files only, within their size limit.
    let contents = dslc_db::FileContents::read(path);
    let text = match contents.status {
        dslc_db::FileStatus::Present => contents.text,
        dslc_db::FileStatus::Missing => return Err(error(true, "no metadata.json in the store".into())),
        dslc_db::FileStatus::Unreadable(reason) => {
            return Err(error(false, format!("cannot read metadata.json: {reason}")))
        }
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
    let (Some(essay_column), Ok(evaluation)) =
        (stage.column(Field::EssayGenId), stage.stage_columns(StageKind::Evaluation))
    else {
        let missing = match &stage.mode {
            dslc_db::stage::Mode::DesignOnly { missing } => missing.clone(),
            _ => vec!["essay_gen_id"],
        };
        return Err(Ok(PlanError::DesignOnly(missing)));
    };
    let (template_column, llm_column, replicate_column) = (evaluation.template, evaluation.llm, evaluation.replicate);
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
        let Some(essay_gen_id) = parse_gen_id(Stage::Essay, &text) else {
            errors.push(LineageError {
                gen_id: text.clone(),
                sym,
                path: root.join("essay"),
                missing: true,
                message: format!("not an essay generation ID ({})", gen_id_shape(Stage::Essay)),
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
        let Some(parent_text) = essay.text(&["parent_gen_id"]) else {
            errors.push(LineageError {
                gen_id: text,
                sym,
                path: essay_path,
                missing: false,
                message: "metadata.json has no parent_gen_id".into(),
            });
            continue;
        };
        // The parent names a path in the store, so it must be a draft gen_id and nothing else.
        let Some(parent) = parse_gen_id(Stage::Draft, &parent_text) else {
            errors.push(LineageError {
                gen_id: text,
                sym,
                path: essay_path,
                missing: false,
                message: format!(
                    "metadata.json has parent_gen_id {}, which is not a draft generation ID ({})",
                    Value::String(parent_text),
                    gen_id_shape(Stage::Draft)
                ),
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
    let mut stored = Vec::new();
    let mut failure = None;
    design.for_each_row(|row| {
        let essay = essays[&row[essay_column]];
        let replicate = replicate_column.and_then(|c| parse_replicate(design.interner.get(row[c]))).unwrap_or(1);
        match add_evaluation(
            &plan.essays,
            &mut stored,
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
    plan.evaluations = crate::evaluations::Evaluations::Stored(stored);
    plan.interner = interner;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gen_ids_from_the_store_are_validated_for_their_stage() {
        let id = crate::gen_id::gen_id(Stage::Draft, &["combo_v1_a", "creative-synthesis-v10", "gemini_25_pro"], 1);
        assert_eq!(parse_gen_id(Stage::Draft, id.as_str()), Some(id));
        assert_eq!(parse_gen_id(Stage::Draft, " d_1 ").map(|g| g.to_string()), Some("d_1".into()));
        // The largest 80-bit value has 16 digits; one more is out of range.
        assert!(parse_gen_id(Stage::Essay, "e_5gv2rma270x9hhj4").is_none(), "2^80 itself");
        assert!(parse_gen_id(Stage::Essay, "e_5gv2rma270x9hhj3").is_some(), "2^80 - 1");
        for bad in ["../../evil", "d_../../x", "d_", "d_ABC", "d_a/b", "d_12345678901234567", "e_abc", "d_ab c"] {
            assert!(parse_gen_id(Stage::Draft, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn seeding_creates_the_store_and_removes_stale_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new").join("gens");
        let (lock, created) = lock_for_seeding(&root, &|_| {}).unwrap();
        assert!(created && root.is_dir());
        let mut plan = Plan::default();
        let gen_id = crate::gen_id::gen_id(Stage::Draft, &["c", "t", "l"], 1);
        plan.drafts.push(Draft {
            gen_id,
            combo: plan.interner.intern("c"),
            template: plan.interner.intern("t"),
            llm: plan.interner.intern("l"),
            replicate: 1,
        });
        let draft_dir = root.join("draft").join(gen_id.as_str());
        fs::create_dir_all(&draft_dir).unwrap();
        fs::write(draft_dir.join(".metadata.json.dslc-tmp-999999"), "half").unwrap();
        assert_eq!(seed_metadata(&plan, &root, &lock, "c1", |_, _| "llm".into()).unwrap(), 1);
        let mut names: Vec<_> = fs::read_dir(&draft_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, ["metadata.json"]);
        drop(lock);
        let (_lock, created) = lock_for_seeding(&root, &|_| {}).unwrap();
        assert!(!created);
        fs::write(dir.path().join("file"), "").unwrap();
        assert!(lock_for_seeding(&dir.path().join("file"), &|_| {}).is_err());
    }
}
