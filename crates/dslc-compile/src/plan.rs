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

use crate::evaluations::{EvaluationIter, EvaluationStream, Evaluations, LevelColumn};
use crate::gen_id::{draft_id, essay_id, evaluation_id, GenId, Stage};

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// Stored, or generated from the design's factors when read: see [`Plan::evaluations`].
    pub evaluations: Evaluations,
    /// Design rows the plan was built from.
    pub rows: u128,
}

impl Plan {
    pub fn value(&self, sym: Sym) -> &str {
        self.interner.get(sym)
    }

    /// Every evaluation, in plan order, with its ID (computed as it is read when streamed).
    pub fn evaluations(&self) -> EvaluationIter<'_> {
        self.evaluations_in(0..self.evaluations.len())
    }

    /// Evaluations `range` (by position in plan order), for writers that split the work.
    pub fn evaluations_in(&self, range: std::ops::Range<usize>) -> EvaluationIter<'_> {
        crate::evaluations::evaluations_in(&self.evaluations, &self.essays, &self.interner, range)
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

impl Columns {
    /// Every stage column.
    fn all(&self) -> impl Iterator<Item = usize> + '_ {
        let required = [
            self.combo,
            self.draft_template,
            self.draft_llm,
            self.essay_template,
            self.essay_llm,
            self.evaluation_template,
            self.evaluation_llm,
        ];
        let replicates = [self.draft_replicate, self.essay_replicate, self.evaluation_replicate];
        required.into_iter().chain(replicates.into_iter().flatten())
    }
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
    build_plan(design, progress, true)
}

/// [`build`] that visits every row and looks every evaluation up in the evaluation index, storing
/// them, even where the design proves them distinct: the reference the tests compare the
/// streamed plan with.
pub fn build_with_evaluation_index(design: &Design, progress: impl FnMut(u128)) -> Result<Plan, PlanError> {
    build_plan(design, progress, false)
}

/// Which factors feed a stage column: the others (design axes no stage field reads) only repeat
/// the rows, and with them every evaluation.
fn stage_factors(design: &Design, columns: &Columns) -> Vec<bool> {
    let mut feeds = vec![false; design.factors.len()];
    for column in columns.all() {
        feeds[design.column_sources[column].0] = true;
    }
    feeds
}

/// The number of combinations of the stage factors' levels (saturating).
fn stage_rows(design: &Design, stage_factors: &[bool]) -> u128 {
    let levels = design.factors.iter().zip(stage_factors).filter(|(_, &feeds)| feeds);
    levels.fold(1u128, |acc, (f, _)| acc.saturating_mul(f.len() as u128))
}

/// Whether every combination of the stage factors' levels is a distinct evaluation, so that the
/// evaluation index (the largest table of the plan) can be skipped. True when those combinations
/// differ in some stage column (distinct counts over the factors, without the product) and the
/// keys cannot merge distinct values: normalising the text columns' values and parsing the
/// replicate columns' values is one-to-one. Then two combinations with one evaluation key would
/// have equal stage columns, which the counts rule out. Rows that differ only in the other
/// factors repeat an evaluation; its first row is the one where those factors are at level 0.
fn rows_are_distinct_evaluations(
    design: &Design,
    columns: &Columns,
    stage_rows: u128,
    norm: &[Sym],
    replicates: &[Option<u64>],
) -> bool {
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
    if design.distinct_count(&names) != stage_rows {
        return false;
    }
    let mut raw_of_normalised: HashMap<Sym, Sym> = HashMap::default();
    for value in text.iter().flat_map(|&c| column_levels(design, c)) {
        if *raw_of_normalised.entry(norm[value.0 as usize]).or_insert(value) != value {
            return false;
        }
    }
    for column in replicate.into_iter().flatten() {
        let mut raw_of_number: HashMap<u64, Sym> = HashMap::default();
        for value in column_levels(design, column) {
            let Some(number) = replicates[value.0 as usize] else { return false };
            if *raw_of_number.entry(number).or_insert(value) != value {
                return false;
            }
        }
    }
    true
}

/// The value of design column `column` at every level of the factor that fills it.
fn column_levels(design: &Design, column: usize) -> impl Iterator<Item = Sym> + '_ {
    let (factor, leaf) = design.column_sources[column];
    let factor = &design.factors[factor];
    (0..factor.len()).map(move |i| factor.row(i)[leaf])
}

/// The draft and essay columns' values of one row.
struct EssayValues {
    combo: Sym,
    draft_template: Sym,
    draft_llm: Sym,
    draft_replicate: u64,
    essay_template: Sym,
    essay_llm: Sym,
    essay_replicate: u64,
}

/// Drafts and essays found so far, by normalised key, with what collision reports need.
struct Grouping<'d> {
    design: &'d Design,
    /// The design's interner, extended with normalised forms and collision descriptions.
    interner: Interner,
    norm: Vec<Sym>,
    /// Each distinct value parsed as a replicate once, not once per row.
    replicates: Vec<Option<u64>>,
    drafts: HashMap<(Sym, Sym, Sym, u64), u32>,
    essays: HashMap<(u32, Sym, u64), u32>,
}

impl<'d> Grouping<'d> {
    fn new(design: &'d Design) -> Self {
        let mut interner = design.interner.clone();
        let norm = normaliser(&mut interner);
        let replicates =
            (0..design.interner.len()).map(|i| parse_replicate(design.interner.get(Sym(i as u32)))).collect();
        Grouping { design, interner, norm, replicates, drafts: HashMap::default(), essays: HashMap::default() }
    }

    /// The replicate in `column` (1 without one) of the row whose values `value` gives.
    fn replicate(&self, value: &impl Fn(usize) -> Sym, column: Option<usize>) -> u64 {
        column.and_then(|c| self.replicates[value(c).0 as usize]).unwrap_or(1)
    }

    fn essay_values(&self, columns: &Columns, value: impl Fn(usize) -> Sym) -> EssayValues {
        EssayValues {
            combo: value(columns.combo),
            draft_template: value(columns.draft_template),
            draft_llm: value(columns.draft_llm),
            draft_replicate: self.replicate(&value, columns.draft_replicate),
            essay_template: value(columns.essay_template),
            essay_llm: value(columns.essay_llm),
            essay_replicate: self.replicate(&value, columns.essay_replicate),
        }
    }

    /// Finds or adds the draft and the essay of one row; returns the essay's index.
    fn place(&mut self, plan: &mut Plan, values: &EssayValues) -> Result<u32, PlanError> {
        let norm = &self.norm;
        let (combo, template, llm, rep) =
            (values.combo, values.draft_template, values.draft_llm, values.draft_replicate);
        let key = (norm[combo.0 as usize], norm[template.0 as usize], norm[llm.0 as usize], rep);
        let draft = match self.drafts.get(&key) {
            Some(&index) => {
                let existing = &plan.drafts[index as usize];
                if (existing.combo, existing.template, existing.llm) != (combo, template, llm) {
                    return Err(collision(
                        &self.design.interner,
                        Stage::Draft,
                        existing.gen_id,
                        &[
                            ("combo_id", existing.combo),
                            ("template_id", existing.template),
                            ("llm_model_id", existing.llm),
                        ],
                        &[("combo_id", combo), ("template_id", template), ("llm_model_id", llm)],
                        "their IDs differ only in letter case, and the signature lower-cases them",
                    ));
                }
                index
            }
            None => {
                let text = |sym: Sym| self.design.interner.get(sym);
                let gen_id = draft_id(text(combo), text(template), text(llm), rep);
                plan.drafts.push(Draft { gen_id, combo, template, llm, replicate: rep });
                let index = (plan.drafts.len() - 1) as u32;
                self.drafts.insert(key, index);
                index
            }
        };
        let (template, llm, rep) = (values.essay_template, values.essay_llm, values.essay_replicate);
        let key = (draft, norm[template.0 as usize], rep);
        match self.essays.get(&key) {
            Some(&index) => {
                let existing = &plan.essays[index as usize];
                if (existing.template, existing.llm) != (template, llm) {
                    let reason = if existing.llm != llm && norm[existing.llm.0 as usize] != norm[llm.0 as usize] {
                        "they differ only in essay llm, which the essay signature (draft, template, replicate) does not include"
                    } else {
                        "their IDs differ only in letter case, and the signature lower-cases them"
                    };
                    let (existing_template, existing_llm, gen_id) = (existing.template, existing.llm, existing.gen_id);
                    let draft_sym = self.interner.intern(plan.drafts[draft as usize].gen_id.as_str());
                    return Err(collision(
                        &self.interner,
                        Stage::Essay,
                        gen_id,
                        &[("draft", draft_sym), ("template_id", existing_template), ("llm_model_id", existing_llm)],
                        &[("draft", draft_sym), ("template_id", template), ("llm_model_id", llm)],
                        reason,
                    ));
                }
                Ok(index)
            }
            None => {
                let gen_id = essay_id(&plan.drafts[draft as usize].gen_id, self.design.interner.get(template), rep);
                plan.essays.push(Essay { gen_id, draft, template, llm, replicate: rep });
                let index = (plan.essays.len() - 1) as u32;
                self.essays.insert(key, index);
                Ok(index)
            }
        }
    }
}

fn build_plan(design: &Design, progress: impl FnMut(u128), may_stream: bool) -> Result<Plan, PlanError> {
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
    let grouping = Grouping::new(design);
    let stage_factors = stage_factors(design, &columns);
    let stage_rows = stage_rows(design, &stage_factors);
    let streams = may_stream
        && design.row_count() > 0
        && usize::try_from(stage_rows).is_ok()
        && rows_are_distinct_evaluations(design, &columns, stage_rows, &grouping.norm, &grouping.replicates);
    if streams {
        build_streamed(design, &columns, &stage_factors, grouping, progress)
    } else {
        build_indexed(design, &columns, grouping, progress)
    }
}

/// Visits every row, finding each row's evaluation in the evaluation index and storing it.
fn build_indexed(
    design: &Design,
    columns: &Columns,
    mut grouping: Grouping<'_>,
    mut progress: impl FnMut(u128),
) -> Result<Plan, PlanError> {
    let mut plan = Plan { rows: design.row_count(), ..Plan::default() };
    let mut evaluations = EvaluationIndex::default();
    let mut stored = Vec::new();
    let mut failure: Option<PlanError> = None;
    let mut done: u128 = 0;
    design.for_each_row(|row| {
        done += 1;
        if done.is_multiple_of(65_536) {
            progress(done);
        }
        let value = |column: usize| row[column];
        let values = grouping.essay_values(columns, value);
        let essay = match grouping.place(&mut plan, &values) {
            Ok(essay) => essay,
            Err(e) => {
                failure = Some(e);
                return false;
            }
        };
        let (template, llm) = (row[columns.evaluation_template], row[columns.evaluation_llm]);
        let rep = grouping.replicate(&value, columns.evaluation_replicate);
        let norm = &grouping.norm;
        if let Err(e) = add_evaluation(
            &plan.essays,
            &mut stored,
            &mut evaluations,
            norm,
            &design.interner,
            essay,
            template,
            llm,
            rep,
        ) {
            failure = Some(e);
            return false;
        }
        true
    });
    progress(done);
    if let Some(error) = failure {
        return Err(error);
    }
    plan.evaluations = Evaluations::Stored(stored);
    plan.interner = grouping.interner;
    Ok(plan)
}

/// Builds the plan of a design whose rows are distinct evaluations without visiting its rows:
/// drafts and essays depend only on the levels of the factors that feed their columns (the
/// *essay factors*), so only those factors' combinations are visited, in lexicographic order,
/// which is the order in which the rows first show them. The evaluations are the rows
/// themselves, generated when the plan is written ([`EvaluationStream`]).
fn build_streamed(
    design: &Design,
    columns: &Columns,
    stage_factors: &[bool],
    mut grouping: Grouping<'_>,
    mut progress: impl FnMut(u128),
) -> Result<Plan, PlanError> {
    let rows = design.row_count();
    let mut plan = Plan { rows, ..Plan::default() };
    let essay_columns = [
        Some(columns.combo),
        Some(columns.draft_template),
        Some(columns.draft_llm),
        columns.draft_replicate,
        Some(columns.essay_template),
        Some(columns.essay_llm),
        columns.essay_replicate,
    ];
    let mut essay_factors: Vec<usize> = essay_columns.iter().flatten().map(|&c| design.column_sources[c].0).collect();
    essay_factors.sort_unstable();
    essay_factors.dedup();
    // The essay factors' product divides the row count, which fits a usize.
    let combinations: usize = essay_factors.iter().map(|&f| design.factors[f].len()).product();
    let rows_per_combination = rows / combinations as u128;
    let mut essay_strides = vec![0usize; design.factors.len()];
    let mut stride = 1;
    for &factor in essay_factors.iter().rev() {
        essay_strides[factor] = stride;
        stride *= design.factors[factor].len();
    }
    let mut counters = vec![0usize; design.factors.len()];
    let mut essay_of = Vec::with_capacity(combinations);
    for done in 1..=combinations {
        let value = |column: usize| {
            let (factor, leaf) = design.column_sources[column];
            design.factors[factor].row(counters[factor])[leaf]
        };
        let values = grouping.essay_values(columns, value);
        essay_of.push(grouping.place(&mut plan, &values)?);
        if done.is_multiple_of(65_536) {
            progress(done as u128 * rows_per_combination);
        }
        for &factor in essay_factors.iter().rev() {
            counters[factor] += 1;
            if counters[factor] < design.factors[factor].len() {
                break;
            }
            counters[factor] = 0;
        }
    }
    progress(rows);
    let level_column = |column: usize| LevelColumn {
        factor: design.column_sources[column].0,
        values: column_levels(design, column).collect::<Vec<Sym>>(),
    };
    let replicate = columns.evaluation_replicate.map(|column| LevelColumn {
        factor: design.column_sources[column].0,
        values: column_levels(design, column).map(|v| grouping.replicates[v.0 as usize].unwrap_or(1)).collect(),
    });
    // A factor that feeds no stage column stays at level 0: its other levels repeat evaluations.
    let radices: Vec<usize> =
        design.factors.iter().zip(stage_factors).map(|(f, &feeds)| if feeds { f.len() } else { 1 }).collect();
    let len = radices.iter().product();
    plan.evaluations = Evaluations::Streamed(EvaluationStream {
        radices,
        essay_strides,
        essay_of,
        template: level_column(columns.evaluation_template),
        llm: level_column(columns.evaluation_llm),
        replicate,
        normalised: grouping.norm,
        len,
    });
    plan.interner = grouping.interner;
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

/// Adds (or finds) the evaluation of `essay` with these values to `stored`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_evaluation(
    essays: &[Essay],
    stored: &mut Vec<Evaluation>,
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
    let found = evaluations.table.find(hash, |&i| key_of(&stored[i as usize]) == key).copied();
    if let Some(index) = found {
        let existing = &stored[index as usize];
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
    let gen_id = evaluation_id(&essays[essay as usize].gen_id, interner.get(template), interner.get(llm), rep);
    stored.push(Evaluation { gen_id, essay, template, llm, replicate: rep });
    let index = (stored.len() - 1) as u32;
    let evaluations_so_far = &*stored;
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
        let evaluations = self.evaluations().map(|v| {
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
        match &self.evaluations {
            Evaluations::Stored(list) => {
                for evaluation in list {
                    if evaluation.essay as usize >= self.essays.len() {
                        missing_essays += 1;
                        if problems.len() < 5 {
                            problems.push(format!("evaluation {} has no essay in the plan", evaluation.gen_id));
                        }
                    }
                }
            }
            // Streamed evaluations refer to essays through the essay table, checked entry by
            // entry rather than row by row (the rows of one entry share its essay).
            Evaluations::Streamed(stream) => {
                for (entry, &essay) in stream.essay_of.iter().enumerate() {
                    if essay as usize >= self.essays.len() {
                        missing_essays += 1;
                        if problems.len() < 5 {
                            problems
                                .push(format!("evaluations of essay-table entry {entry} have no essay in the plan"));
                        }
                    }
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
        plan.evaluations.stored_mut().unwrap().push(Evaluation {
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
