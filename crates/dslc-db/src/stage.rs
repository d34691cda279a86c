//! Stage fields: which design column feeds each field of drafts, essays and evaluations (§4.4).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::interner::Sym;

use dslc_syntax::codes;

use crate::diagnostic::{Diagnostic, Label};
use crate::semantics::{Design, Origin};

/// A field the staged plan reads from design rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Combo,
    DraftTemplate,
    DraftLlm,
    DraftReplicate,
    EssayTemplate,
    EssayLlm,
    EssayReplicate,
    EvaluationTemplate,
    EvaluationLlm,
    EvaluationReplicate,
    EssayGenId,
}

impl Field {
    pub const ALL: [Field; 11] = [
        Field::Combo,
        Field::DraftTemplate,
        Field::DraftLlm,
        Field::DraftReplicate,
        Field::EssayTemplate,
        Field::EssayLlm,
        Field::EssayReplicate,
        Field::EvaluationTemplate,
        Field::EvaluationLlm,
        Field::EvaluationReplicate,
        Field::EssayGenId,
    ];

    /// Column names that feed this field, canonical first; the first one present wins.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Field::Combo => &["combo_id", "combo"],
            Field::DraftTemplate => &["draft_template"],
            Field::DraftLlm => &["draft_llm", "draft_model", "generation_llm"],
            Field::DraftReplicate => &["draft_replicate", "draft_template_replicate", "draft_rep"],
            Field::EssayTemplate => &["essay_template"],
            Field::EssayLlm => &["essay_llm"],
            Field::EssayReplicate => &["essay_replicate", "essay_template_replicate", "essay_rep"],
            Field::EvaluationTemplate => &["evaluation_template"],
            Field::EvaluationLlm => &["evaluation_llm"],
            Field::EvaluationReplicate => {
                &["evaluation_replicate", "evaluation_template_replicate", "evaluation_llm_replicate", "evaluation_rep"]
            }
            Field::EssayGenId => &["essay_gen_id"],
        }
    }

    pub fn canonical(self) -> &'static str {
        self.names()[0]
    }

    pub fn is_replicate(self) -> bool {
        matches!(self, Field::DraftReplicate | Field::EssayReplicate | Field::EvaluationReplicate)
    }

    /// Whether `name` is a stage field name or alias.
    pub fn is_known_name(name: &str) -> bool {
        Field::ALL.iter().any(|f| f.names().contains(&name))
    }
}

/// The stages of a plan, in lineage order: each essay has a draft, each evaluation an essay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StageKind {
    Draft,
    Essay,
    Evaluation,
}

impl StageKind {
    pub const ALL: [StageKind; 3] = [StageKind::Draft, StageKind::Essay, StageKind::Evaluation];

    /// The field naming this stage's template.
    pub fn template(self) -> Field {
        match self {
            StageKind::Draft => Field::DraftTemplate,
            StageKind::Essay => Field::EssayTemplate,
            StageKind::Evaluation => Field::EvaluationTemplate,
        }
    }

    /// The field naming this stage's model.
    pub fn llm(self) -> Field {
        match self {
            StageKind::Draft => Field::DraftLlm,
            StageKind::Essay => Field::EssayLlm,
            StageKind::Evaluation => Field::EvaluationLlm,
        }
    }

    /// The field numbering this stage's replicates (optional in a spec; 1 when absent).
    pub fn replicate(self) -> Field {
        match self {
            StageKind::Draft => Field::DraftReplicate,
            StageKind::Essay => Field::EssayReplicate,
            StageKind::Evaluation => Field::EvaluationReplicate,
        }
    }

    /// The fields that tell one entry of this stage from another with the same parent: the
    /// signature of a draft is (combo, template, llm, replicate), of an essay (template, llm,
    /// replicate) under its draft, of an evaluation (template, llm, replicate) under its essay.
    pub fn entry_fields(self) -> &'static [Field] {
        match self {
            StageKind::Draft => &[Field::Combo, Field::DraftTemplate, Field::DraftLlm, Field::DraftReplicate],
            StageKind::Essay => &[Field::EssayTemplate, Field::EssayLlm, Field::EssayReplicate],
            StageKind::Evaluation => &[Field::EvaluationTemplate, Field::EvaluationLlm, Field::EvaluationReplicate],
        }
    }

    /// The entry fields that enter the generation ID: all of them, except the essay llm, which
    /// the essay ID leaves out (so two essays differing only there would collide, E0405).
    pub fn id_fields(self) -> &'static [Field] {
        match self {
            StageKind::Essay => &[Field::EssayTemplate, Field::EssayReplicate],
            other => other.entry_fields(),
        }
    }

    /// The fields a full spec must have for this stage: its template and llm, and for drafts
    /// the combo.
    pub fn required_fields(self) -> &'static [Field] {
        match self {
            StageKind::Draft => &[Field::Combo, Field::DraftTemplate, Field::DraftLlm],
            StageKind::Essay => &[Field::EssayTemplate, Field::EssayLlm],
            StageKind::Evaluation => &[Field::EvaluationTemplate, Field::EvaluationLlm],
        }
    }

    /// The entry fields of this stage and of its ancestors, draft first: what makes one entry
    /// distinct in the whole plan of a full spec.
    pub fn lineage_fields(self) -> Vec<Field> {
        StageKind::ALL.into_iter().filter(|s| *s <= self).flat_map(|s| s.entry_fields().iter().copied()).collect()
    }
}

/// The fields an evaluate-only spec must have: its essays come from the store, by ID.
pub const EVALUATE_ONLY_REQUIRED: [Field; 3] = [Field::EssayGenId, Field::EvaluationTemplate, Field::EvaluationLlm];

/// The design columns that feed one stage, by index into `Design::columns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StageColumns {
    pub template: usize,
    pub llm: usize,
    pub replicate: Option<usize>,
}

/// What the design can be compiled into.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Drafts, essays and evaluations.
    #[default]
    Full,
    /// Evaluations of existing essays named by `essay_gen_id` (§4.7).
    EvaluateOnly,
    /// Rows only: these canonical fields are missing.
    DesignOnly { missing: Vec<&'static str> },
}

/// The column feeding each stage field, by index into `Design::columns`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageFields {
    pub columns: Vec<(Field, usize)>,
    pub mode: Mode,
}

impl StageFields {
    pub fn column(&self, field: Field) -> Option<usize> {
        self.columns.iter().find(|(f, _)| *f == field).map(|(_, c)| *c)
    }

    /// The columns of one stage, or the first of its template and llm that has no column.
    pub fn stage_columns(&self, stage: StageKind) -> Result<StageColumns, Field> {
        let required = |field: Field| self.column(field).ok_or(field);
        Ok(StageColumns {
            template: required(stage.template())?,
            llm: required(stage.llm())?,
            replicate: self.column(stage.replicate()),
        })
    }
}

/// Where a column's name is declared, for labels.
fn column_origin(design: &Design, column: &str) -> Option<Origin> {
    if let Some(axis) = design.axes.iter().find(|a| a.name == column) {
        return Some(axis.decl.clone());
    }
    design.factors.iter().find(|f| f.columns.iter().any(|c| c == column)).map(|f| f.decl.clone())
}

/// Maps stage fields to columns and reports aliases, bad replicates, unread axes and missing fields.
/// Warnings about the design as a whole are skipped when it already has errors.
pub fn resolve(design: &Design, diagnostics: &mut Vec<Diagnostic>, has_errors: bool) -> StageFields {
    let mut fields = StageFields::default();
    for field in Field::ALL {
        let Some((name, column)) = field.names().iter().find_map(|n| design.column_index(n).map(|c| (*n, c))) else {
            continue;
        };
        fields.columns.push((field, column));
        if name != field.canonical() {
            if let Some(origin) = column_origin(design, name) {
                let d = Diagnostic::new(
                    codes::ALIAS_FIELD,
                    format!("`{}` is an alias of the stage field `{}`", name, field.canonical()),
                    Label::new(&origin.file, origin.span.clone(), "alias"),
                )
                .with_help(format!(
                    "rename the axis to `{}`; aliases still work but are deprecated",
                    field.canonical()
                ));
                diagnostics.push(d);
            }
        }
        if field.is_replicate() {
            check_replicates(design, column, diagnostics);
        }
    }
    let evaluate_only = fields.column(Field::EssayGenId).is_some();
    // An evaluate-only cohort takes its essays (and their drafts) from the store, so only the
    // essay gen_id and the evaluation fields form its plan; other stage fields are not read.
    let read_in_mode = |field: Field| {
        !evaluate_only
            || matches!(
                field,
                Field::EssayGenId | Field::EvaluationTemplate | Field::EvaluationLlm | Field::EvaluationReplicate
            )
    };
    let read: HashSet<&str> =
        fields.columns.iter().filter(|(f, _)| read_in_mode(*f)).map(|(_, c)| design.columns[*c].as_str()).collect();
    let ignored_stage_column: HashSet<&str> =
        fields.columns.iter().filter(|(f, _)| !read_in_mode(*f)).map(|(_, c)| design.columns[*c].as_str()).collect();
    let required: Vec<Field> = if evaluate_only {
        EVALUATE_ONLY_REQUIRED.to_vec()
    } else {
        StageKind::ALL.into_iter().flat_map(|s| s.required_fields().iter().copied()).collect()
    };
    let missing: Vec<&'static str> =
        required.iter().filter(|f| fields.column(**f).is_none()).map(|f| f.canonical()).collect();
    fields.mode = if !missing.is_empty() {
        Mode::DesignOnly { missing: missing.clone() }
    } else if evaluate_only {
        Mode::EvaluateOnly
    } else {
        Mode::Full
    };
    if has_errors {
        return fields;
    }
    if fields.mode == Mode::Full {
        essay_llm_collisions(design, &fields, diagnostics);
    }
    for factor in &design.factors {
        if factor.len() > 1 && !factor.columns.iter().any(|c| read.contains(c.as_str())) {
            let message = if factor.columns.iter().any(|c| ignored_stage_column.contains(c.as_str())) {
                format!(
                    "an evaluate-only cohort does not read `{}` (its essays come from the store), but its {} levels multiply the rows",
                    factor.name,
                    factor.len()
                )
            } else {
                format!("no stage field reads `{}`, but its {} levels multiply the rows", factor.name, factor.len())
            };
            let d = Diagnostic::new(
                codes::UNREAD_AXIS,
                message,
                Label::new(&factor.decl.file, factor.decl.span.clone(), "read by no stage field"),
            )
            .with_help("rows that differ only here produce the same drafts, essays and evaluations; remove it or rename it to a stage field");
            diagnostics.push(d);
        }
    }
    if !missing.is_empty() && !design.factors.is_empty() {
        // The whole spec is concerned, so the report points at its first statement.
        let file = design.factors[0].decl.file.clone();
        let start = design.spec_start;
        let d = Diagnostic::new(
            codes::DESIGN_ONLY,
            format!("design-only spec: no column for {}", missing.join(", ")),
            Label::new(&file, start..start, "rows can be listed, but no drafts, essays or evaluations formed"),
        )
        .with_help(
            "add axes (or tuple columns) for the missing fields to compile membership; `--emit rows` works as is",
        );
        diagnostics.push(d);
    }
    fields
}

fn check_replicates(design: &Design, column: usize, diagnostics: &mut Vec<Diagnostic>) {
    let (factor_index, leaf) = design.column_sources[column];
    let factor = &design.factors[factor_index];
    let mut seen = HashSet::default();
    let mut by_number: HashMap<u64, (Sym, &crate::semantics::Origin)> = HashMap::default();
    for (row, origin) in factor.rows().zip(&factor.origins) {
        let sym = row[leaf];
        if !seen.insert(sym) {
            continue;
        }
        let text = design.interner.get(sym);
        if let Some(number) = parse_replicate(text) {
            // Generation IDs use the number, so `1` and `01` would name the same generation.
            match by_number.get(&number) {
                Some(&(first, first_origin)) => diagnostics.push(
                    Diagnostic::new(
                        codes::IDS_DIFFER_IN_CASE,
                        format!(
                            "replicates `{}` and `{}` of `{}` are the same number, so their generation IDs would collide",
                            design.interner.get(first),
                            text,
                            design.columns[column]
                        ),
                        Label::new(&origin.file, origin.span.clone(), "same number"),
                    )
                    .with_label(Label::new(&first_origin.file, first_origin.span.clone(), "as this one"))
                    .with_help("write each replicate number once, without leading zeros or spaces"),
                ),
                None => {
                    by_number.insert(number, (sym, origin));
                }
            }
        }
        if parse_replicate(text).is_none() {
            let d = Diagnostic::new(
                codes::BAD_REPLICATE,
                format!("replicate `{}` of `{}` is not an integer of at least 1", text, design.columns[column]),
                Label::new(&origin.file, origin.span.clone(), "not a replicate number"),
            )
            .with_help("replicates count from 1, e.g. `1..3`");
            diagnostics.push(d);
        }
    }
}

/// Parses a replicate number: an integer of at least 1, surrounding spaces allowed.
pub fn parse_replicate(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok().filter(|n| *n >= 1)
}

/// Essays are identified by (draft, template, replicate): two essays that differ only in their
/// llm would get one generation ID. Detected from distinct counts, without forming the product.
fn essay_llm_collisions(design: &Design, fields: &StageFields, diagnostics: &mut Vec<Diagnostic>) {
    let name = |field: Field| fields.column(field).map(|c| design.columns[c].as_str());
    let essay_id_fields = StageKind::Draft.entry_fields().iter().chain(StageKind::Essay.id_fields());
    let signature: Vec<&str> = essay_id_fields.copied().filter_map(name).collect();
    let Some(essay_llm) = name(StageKind::Essay.llm()) else { return };
    let mut with_llm = signature.clone();
    with_llm.push(essay_llm);
    if design.distinct_count(&signature) == design.distinct_count(&with_llm) {
        return;
    }
    // Other factors are independent, so a pair inside the essay llm's own factor shows the clash.
    let Some(column) = design.column_index(essay_llm) else { return };
    let (factor_index, leaf) = design.column_sources[column];
    let factor = &design.factors[factor_index];
    let shared: Vec<usize> =
        factor.columns.iter().enumerate().filter(|(_, c)| signature.contains(&c.as_str())).map(|(i, _)| i).collect();
    let mut seen: HashMap<Vec<Sym>, usize> = HashMap::default();
    for (index, row) in factor.rows().enumerate() {
        let key: Vec<Sym> = shared.iter().map(|&i| row[i]).collect();
        if let Some(&first) = seen.get(&key) {
            if factor.row(first)[leaf] == row[leaf] {
                continue;
            }
            let (a, b) = (design.interner.get(factor.row(first)[leaf]), design.interner.get(row[leaf]));
            let d = Diagnostic::new(
                codes::GEN_ID_COLLISION,
                format!(
                    "essays with essay llm `{a}` and `{b}` would share generation IDs: they have the same draft, essay template and replicate"
                ),
                Label::new(&factor.origins[index].file, factor.origins[index].span.clone(), format!("essay llm `{b}`")),
            )
            .with_label(Label::new(&factor.origins[first].file, factor.origins[first].span.clone(), format!("essay llm `{a}`")))
            .with_help("the essay signature is (draft, template, replicate); tie essay_llm to draft_llm, pair each essay llm with its own essay template, or use essay replicates");
            diagnostics.push(d);
            return;
        }
        seen.insert(key, index);
    }
}
