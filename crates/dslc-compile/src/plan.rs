//! The staged plan (the stage IR): drafts, essays and evaluations grouped from the design rows in
//! first-seen order (LANGUAGE.md §4.5), each with its generation ID and parent.
//!
//! Rows are streamed from the design and never stored: memory grows with the number of distinct
//! plan entries. Entries are keyed by their *normalised* signature (trimmed, lower-cased values),
//! so two rows whose raw values differ but whose generation IDs would be equal are caught as a
//! collision instead of being merged silently.

use dslc_db::interner::{Interner, Sym};
use dslc_db::stage::{parse_replicate, Field, Mode, StageKind};
use dslc_db::Design;
use rustc_hash::FxHashMap as HashMap;

use crate::gen_id::{draft_id, essay_id, evaluation_id, gen_id_normalised_in, GenId, Stage};

/// A draft: (combo, template, llm, replicate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub gen_id: GenId,
    pub combo: Sym,
    pub template: Sym,
    pub llm: Sym,
    pub replicate: u64,
}

/// An essay of a draft: (draft, template, llm, replicate); the llm is not part of its ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Essay {
    pub gen_id: GenId,
    pub draft: u32,
    pub template: Sym,
    pub llm: Sym,
    pub replicate: u64,
}

/// An evaluation of an essay: (essay, template, llm, replicate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub gen_id: GenId,
    pub essay: u32,
    pub template: Sym,
    pub llm: Sym,
    pub replicate: u64,
}

/// The staged plan. Values are symbols of `interner` (the design's, extended with values read
/// from a generation store for evaluate-only cohorts).
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub interner: Interner,
    pub drafts: Vec<Draft>,
    pub essays: Vec<Essay>,
    pub evaluations: Vec<Evaluation>,
    /// Design rows the plan was built from.
    pub rows: u128,
}

impl Plan {
    pub fn value(&self, sym: Sym) -> &str {
        self.interner.get(sym)
    }
}

/// Two distinct plan entries that would get one generation ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collision {
    pub stage: Stage,
    pub gen_id: GenId,
    /// The two entries, described as `field=value` lists.
    pub first: String,
    pub second: String,
    pub reason: String,
}

/// Why a plan could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// The spec lacks these stage fields (a design-only spec).
    DesignOnly(Vec<&'static str>),
    Collision(Box<Collision>),
}

/// Column indexes of the stage fields in the design's rows.
struct Columns {
    combo: usize,
    draft_template: usize,
    draft_llm: usize,
    draft_replicate: Option<usize>,
    essay_template: usize,
    essay_llm: usize,
    essay_replicate: Option<usize>,
    evaluation_template: usize,
    evaluation_llm: usize,
    evaluation_replicate: Option<usize>,
}

/// Maps each symbol to the symbol of its normalised (trimmed, lower-cased) text, interning the
/// normalised forms, so keys compare as the generation ID signature does.
fn normaliser(interner: &mut Interner) -> Vec<Sym> {
    let count = interner.len();
    let mut map = Vec::with_capacity(count);
    for index in 0..count {
        let text = interner.get(Sym(index as u32)).trim().to_lowercase();
        map.push(interner.intern(&text));
    }
    map
}

/// Builds the plan of a full (draft → essay → evaluation) design, calling `progress` with the
/// number of rows done every so often.
pub fn build(design: &Design, progress: impl FnMut(u128)) -> Result<Plan, PlanError> {
    let threads = if design.row_count() < PARALLEL_FROM_ROWS {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_HASHING_THREADS))
    };
    build_plan(design, progress, true, threads)
}

/// Below this many rows, hashing evaluations on one thread is quicker than starting more.
const PARALLEL_FROM_ROWS: u128 = 200_000;

/// Hashing scales with cores; more threads than this gain little because writing the files
/// (serial) dominates by then.
const MAX_HASHING_THREADS: usize = 16;

/// [`build`] that looks every evaluation up in the evaluation index even where the design
/// proves them distinct, on one thread: the reference the tests compare the faster path with.
pub fn build_with_evaluation_index(design: &Design, progress: impl FnMut(u128)) -> Result<Plan, PlanError> {
    build_plan(design, progress, false, 1)
}

/// [`build`] with evaluation IDs hashed on `threads` threads whatever the size, for the tests
/// that compare parallel and serial plans.
pub fn build_with_threads(design: &Design, threads: usize) -> Result<Plan, PlanError> {
    build_plan(design, |_| {}, true, threads)
}

/// Fills in the generation IDs of evaluations pushed without one, splitting them across
/// `threads` threads: each ID depends only on its essay's ID and its own values.
fn hash_evaluations(plan: &mut Plan, interner: &Interner, norm: &[Sym], threads: usize) {
    let essays = &plan.essays;
    let hash = |evaluations: &mut [Evaluation]| {
        let mut canonical = Vec::with_capacity(64);
        for v in evaluations {
            let essay = essays[v.essay as usize].gen_id;
            let (template, llm) = (interner.get(norm[v.template.0 as usize]), interner.get(norm[v.llm.0 as usize]));
            let parts = [essay.as_bytes(), template.as_bytes(), llm.as_bytes()];
            v.gen_id = gen_id_normalised_in(&mut canonical, Stage::Evaluation, &parts, v.replicate);
        }
    };
    let evaluations = &mut plan.evaluations[..];
    if threads <= 1 || evaluations.len() < threads {
        return hash(evaluations);
    }
    let chunk = evaluations.len().div_ceil(threads);
    // Every chunk is offered a thread (no short circuit), then the refusals are counted.
    let refused = std::thread::scope(|scope| {
        evaluations
            .chunks_mut(chunk)
            .map(|part| std::thread::Builder::new().spawn_scoped(scope, || hash(part)).is_ok())
            .filter(|&started| !started)
            .count()
    });
    // A thread the system refused to start leaves its chunk unhashed: hash everything here
    // (slower, same IDs).
    if refused > 0 {
        hash(&mut plan.evaluations);
    }
}

/// Whether every design row is a distinct evaluation, so that the evaluation index (the largest
/// table of the plan) can be skipped. True when the rows differ in some stage column (distinct
/// counts over the factors, without the product) and the keys cannot merge distinct values:
/// normalising the text columns' values and parsing the replicate columns' values is one-to-one.
/// Then two rows with one evaluation key would have equal stage columns, which the counts rule out.
fn rows_are_distinct_evaluations(design: &Design, columns: &Columns, norm: &[Sym], replicates: &[Option<u64>]) -> bool {
    let text = [
        columns.combo,
        columns.draft_template,
        columns.draft_llm,
        columns.essay_template,
        columns.essay_llm,
        columns.evaluation_template,
        columns.evaluation_llm,
    ];
    let replicate = [columns.draft_replicate, columns.essay_replicate, columns.evaluation_replicate];
    let names: Vec<&str> = text.iter().chain(replicate.iter().flatten()).map(|&c| design.columns[c].as_str()).collect();
    if design.distinct_count(&names) != design.row_count() {
        return false;
    }
    let values_of = |column: usize| {
        let (factor, leaf) = design.column_sources[column];
        let factor = &design.factors[factor];
        (0..factor.len()).map(move |i| factor.row(i)[leaf])
    };
    let mut raw_of_normalised: HashMap<Sym, Sym> = HashMap::default();
    for value in text.iter().flat_map(|&c| values_of(c)) {
        if *raw_of_normalised.entry(norm[value.0 as usize]).or_insert(value) != value {
            return false;
        }
    }
    for column in replicate.into_iter().flatten() {
        let mut raw_of_number: HashMap<u64, Sym> = HashMap::default();
        for value in values_of(column) {
            let Some(number) = replicates[value.0 as usize] else { return false };
            if *raw_of_number.entry(number).or_insert(value) != value {
                return false;
            }
        }
    }
    true
}

fn build_plan(
    design: &Design,
    mut progress: impl FnMut(u128),
    may_skip_index: bool,
    threads: usize,
) -> Result<Plan, PlanError> {
    let stage = &design.stage;
    if let Mode::DesignOnly { missing } = &stage.mode {
        return Err(PlanError::DesignOnly(missing.clone()));
    }
    // Which columns make each stage's entries is defined once, in `dslc_db::stage::StageKind`.
    let of_stage = |kind: StageKind| stage.stage_columns(kind).map_err(|f| PlanError::DesignOnly(vec![f.canonical()]));
    let (draft, essay, evaluation) =
        (of_stage(StageKind::Draft)?, of_stage(StageKind::Essay)?, of_stage(StageKind::Evaluation)?);
    let columns = Columns {
        combo: stage.column(Field::Combo).ok_or(PlanError::DesignOnly(vec![Field::Combo.canonical()]))?,
        draft_template: draft.template,
        draft_llm: draft.llm,
        draft_replicate: draft.replicate,
        essay_template: essay.template,
        essay_llm: essay.llm,
        essay_replicate: essay.replicate,
        evaluation_template: evaluation.template,
        evaluation_llm: evaluation.llm,
        evaluation_replicate: evaluation.replicate,
    };
    let mut interner = design.interner.clone();
    let norm = normaliser(&mut interner);
    let mut plan = Plan { rows: design.row_count(), ..Plan::default() };
    // Keys use normalised symbols; values hold the entry index.
    let mut drafts: HashMap<(Sym, Sym, Sym, u64), u32> = HashMap::default();
    let mut essays: HashMap<(u32, Sym, u64), u32> = HashMap::default();
    let mut evaluations = EvaluationIndex::default();
    // Each distinct value is parsed once, not once per row.
    let replicates: Vec<Option<u64>> =
        (0..design.interner.len()).map(|i| parse_replicate(design.interner.get(Sym(i as u32)))).collect();
    let replicate =
        |row: &[Sym], column: Option<usize>| -> u64 { column.and_then(|c| replicates[row[c].0 as usize]).unwrap_or(1) };
    let distinct_evaluations = may_skip_index && rows_are_distinct_evaluations(design, &columns, &norm, &replicates);
    if distinct_evaluations {
        plan.evaluations.reserve_exact(usize::try_from(plan.rows).unwrap_or(0));
    }
    let mut failure: Option<PlanError> = None;
    let mut done: u128 = 0;
    design.for_each_row(|row| {
        done += 1;
        if done.is_multiple_of(65_536) {
            progress(done);
        }
        let (combo, template, llm) = (row[columns.combo], row[columns.draft_template], row[columns.draft_llm]);
        let rep = replicate(row, columns.draft_replicate);
        let key = (norm[combo.0 as usize], norm[template.0 as usize], norm[llm.0 as usize], rep);
        let draft = match drafts.get(&key) {
            Some(&index) => {
                let existing = &plan.drafts[index as usize];
                if (existing.combo, existing.template, existing.llm) != (combo, template, llm) {
                    failure = Some(collision(
                        &design.interner,
                        Stage::Draft,
                        existing.gen_id,
                        &[("combo_id", existing.combo), ("template_id", existing.template), ("llm_model_id", existing.llm)],
                        &[("combo_id", combo), ("template_id", template), ("llm_model_id", llm)],
                        "their IDs differ only in letter case, and the signature lower-cases them",
                    ));
                    return false;
                }
                index
            }
            None => {
                let gen_id =
                    draft_id(design.interner.get(combo), design.interner.get(template), design.interner.get(llm), rep);
                plan.drafts.push(Draft { gen_id, combo, template, llm, replicate: rep });
                let index = (plan.drafts.len() - 1) as u32;
                drafts.insert(key, index);
                index
            }
        };
        let (template, llm) = (row[columns.essay_template], row[columns.essay_llm]);
        let rep = replicate(row, columns.essay_replicate);
        let key = (draft, norm[template.0 as usize], rep);
        let essay = match essays.get(&key) {
            Some(&index) => {
                let existing = &plan.essays[index as usize];
                if (existing.template, existing.llm) != (template, llm) {
                    let reason = if existing.llm != llm && norm[existing.llm.0 as usize] != norm[llm.0 as usize] {
                        "they differ only in essay llm, which the essay signature (draft, template, replicate) does not include"
                    } else {
                        "their IDs differ only in letter case, and the signature lower-cases them"
                    };
                    let draft_sym = interner.intern(plan.drafts[draft as usize].gen_id.as_str());
                    failure = Some(collision(
                        &interner,
                        Stage::Essay,
                        existing.gen_id,
                        &[("draft", draft_sym), ("template_id", existing.template), ("llm_model_id", existing.llm)],
                        &[("draft", draft_sym), ("template_id", template), ("llm_model_id", llm)],
                        reason,
                    ));
                    return false;
                }
                index
            }
            None => {
                let gen_id = essay_id(&plan.drafts[draft as usize].gen_id, design.interner.get(template), rep);
                plan.essays.push(Essay { gen_id, draft, template, llm, replicate: rep });
                let index = (plan.essays.len() - 1) as u32;
                essays.insert(key, index);
                index
            }
        };
        let (template, llm) = (row[columns.evaluation_template], row[columns.evaluation_llm]);
        let rep = replicate(row, columns.evaluation_replicate);
        if distinct_evaluations {
            // Hashed after the stream, possibly in parallel (`hash_evaluations`).
            plan.evaluations.push(Evaluation { gen_id: GenId::default(), essay, template, llm, replicate: rep });
            return true;
        }
        if let Err(e) = add_evaluation(&mut plan, &mut evaluations, &norm, &design.interner, essay, template, llm, rep) {
            failure = Some(e);
            return false;
        }
        true
    });
    progress(done);
    if let Some(error) = failure {
        return Err(error);
    }
    if distinct_evaluations {
        hash_evaluations(&mut plan, &interner, &norm, threads);
    }
    plan.interner = interner;
    Ok(plan)
}

/// Evaluations by normalised key. There can be as many evaluations as design rows, so the index
/// stores only entry numbers and hashes the key from the entry itself.
#[derive(Default)]
pub(crate) struct EvaluationIndex {
    table: hashbrown::HashTable<u32>,
}

fn evaluation_hash(key: (u32, Sym, Sym, u64)) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Adds (or finds) the evaluation of `essay` with these values.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_evaluation(
    plan: &mut Plan,
    evaluations: &mut EvaluationIndex,
    norm: &[Sym],
    interner: &Interner,
    essay: u32,
    template: Sym,
    llm: Sym,
    rep: u64,
) -> Result<u32, PlanError> {
    let key = (essay, norm[template.0 as usize], norm[llm.0 as usize], rep);
    let key_of = |v: &Evaluation| (v.essay, norm[v.template.0 as usize], norm[v.llm.0 as usize], v.replicate);
    let hash = evaluation_hash(key);
    let found = evaluations.table.find(hash, |&i| key_of(&plan.evaluations[i as usize]) == key).copied();
    if let Some(index) = found {
        let existing = &plan.evaluations[index as usize];
        if (existing.template, existing.llm) != (template, llm) {
            return Err(collision(
                interner,
                Stage::Evaluation,
                existing.gen_id,
                &[("template_id", existing.template), ("llm_model_id", existing.llm)],
                &[("template_id", template), ("llm_model_id", llm)],
                "their IDs differ only in letter case, and the signature lower-cases them",
            ));
        }
        return Ok(index);
    }
    let gen_id = evaluation_id(&plan.essays[essay as usize].gen_id, interner.get(template), interner.get(llm), rep);
    plan.evaluations.push(Evaluation { gen_id, essay, template, llm, replicate: rep });
    let index = (plan.evaluations.len() - 1) as u32;
    let evaluations_so_far = &plan.evaluations;
    evaluations.table.insert_unique(hash, index, |&i| evaluation_hash(key_of(&evaluations_so_far[i as usize])));
    Ok(index)
}

fn collision(
    interner: &Interner,
    stage: Stage,
    gen_id: GenId,
    first: &[(&str, Sym)],
    second: &[(&str, Sym)],
    reason: &str,
) -> PlanError {
    let describe = |parts: &[(&str, Sym)]| {
        parts.iter().map(|(name, sym)| format!("{name}={}", interner.get(*sym))).collect::<Vec<_>>().join(", ")
    };
    PlanError::Collision(Box::new(Collision {
        stage,
        gen_id,
        first: describe(first),
        second: describe(second),
        reason: reason.to_string(),
    }))
}

/// One membership row, as the wide schema lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow<'a> {
    pub stage: Stage,
    pub gen_id: GenId,
    pub parent: Option<GenId>,
    pub combo: &'a str,
    pub template: &'a str,
    pub llm: &'a str,
    pub replicate: u64,
}

impl Plan {
    /// Membership rows: drafts, then essays, then evaluations, each in plan order.
    pub fn members(&self) -> impl Iterator<Item = MemberRow<'_>> {
        let drafts = self.drafts.iter().map(|d| MemberRow {
            stage: Stage::Draft,
            gen_id: d.gen_id,
            parent: None,
            combo: self.value(d.combo),
            template: self.value(d.template),
            llm: self.value(d.llm),
            replicate: d.replicate,
        });
        let essays = self.essays.iter().map(|e| {
            let draft = &self.drafts[e.draft as usize];
            MemberRow {
                stage: Stage::Essay,
                gen_id: e.gen_id,
                parent: Some(draft.gen_id),
                combo: self.value(draft.combo),
                template: self.value(e.template),
                llm: self.value(e.llm),
                replicate: e.replicate,
            }
        });
        let evaluations = self.evaluations.iter().map(|v| {
            let essay = &self.essays[v.essay as usize];
            let draft = &self.drafts[essay.draft as usize];
            MemberRow {
                stage: Stage::Evaluation,
                gen_id: v.gen_id,
                parent: Some(essay.gen_id),
                combo: self.value(draft.combo),
                template: self.value(v.template),
                llm: self.value(v.llm),
                replicate: v.replicate,
            }
        });
        drafts.chain(essays).chain(evaluations)
    }

    /// Checks that every essay's parent is a draft of the plan and every evaluation's parent an
    /// essay of the plan; returns counts and the first few offending rows otherwise.
    pub fn parent_integrity(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let mut missing_drafts = 0;
        let mut missing_essays = 0;
        for essay in &self.essays {
            if essay.draft as usize >= self.drafts.len() {
                missing_drafts += 1;
                if problems.len() < 5 {
                    problems.push(format!("essay {} has no draft in the plan", essay.gen_id));
                }
            }
        }
        for evaluation in &self.evaluations {
            if evaluation.essay as usize >= self.essays.len() {
                missing_essays += 1;
                if problems.len() < 5 {
                    problems.push(format!("evaluation {} has no essay in the plan", evaluation.gen_id));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{missing_drafts} essay(s) without their draft and {missing_essays} evaluation(s) without their essay; first: {}",
                problems.join("; ")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gen_id::draft_id;

    #[test]
    fn parent_integrity_reports_counts_and_offending_rows() {
        let mut plan = Plan::default();
        let sym = plan.interner.intern("x");
        let gen_id = draft_id("x", "x", "x", 1);
        plan.drafts.push(Draft { gen_id, combo: sym, template: sym, llm: sym, replicate: 1 });
        plan.essays.push(Essay {
            gen_id: crate::gen_id::essay_id(&gen_id, "e", 1),
            draft: 0,
            template: sym,
            llm: sym,
            replicate: 1,
        });
        assert!(plan.parent_integrity().is_ok());
        plan.essays.push(Essay {
            gen_id: crate::gen_id::essay_id(&gen_id, "f", 1),
            draft: 7,
            template: sym,
            llm: sym,
            replicate: 1,
        });
        let essay = plan.essays[0].gen_id;
        plan.evaluations.push(Evaluation {
            gen_id: crate::gen_id::evaluation_id(&essay, "v", "m", 1),
            essay: 9,
            template: sym,
            llm: sym,
            replicate: 1,
        });
        let message = plan.parent_integrity().unwrap_err();
        assert!(
            message.starts_with("1 essay(s) without their draft and 1 evaluation(s) without their essay"),
            "{message}"
        );
        assert!(message.contains("has no draft in the plan") && message.contains("has no essay in the plan"));
    }
}
