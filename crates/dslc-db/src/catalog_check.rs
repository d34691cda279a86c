//! Catalog-aware checks: every written ID of a catalogued field must exist in its catalog, and
//! IDs of one field must not differ only in case (generation IDs lower-case them).

use std::path::Path;
use std::sync::Arc;

use dslc_syntax::codes;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::catalog::{load_catalog, Catalog, CatalogError};
use crate::db::{Db, SourceFile};
use crate::diagnostic::{join_or, Diagnostic, FilePath, Label};
use crate::interner::Sym;
use crate::project::{project_config, CatalogField, CatalogOrigin, CatalogSource, ProjectConfig};
use crate::semantics::{Design, Origin};
use crate::stage::Field;

/// The catalog that lists a stage field's IDs, if any.
pub fn catalog_field(field: Field) -> Option<CatalogField> {
    match field {
        Field::Combo => Some(CatalogField::Combo),
        Field::DraftTemplate => Some(CatalogField::DraftTemplate),
        Field::EssayTemplate => Some(CatalogField::EssayTemplate),
        Field::EvaluationTemplate => Some(CatalogField::EvaluationTemplate),
        Field::DraftLlm => Some(CatalogField::DraftLlm),
        Field::EssayLlm => Some(CatalogField::EssayLlm),
        Field::EvaluationLlm => Some(CatalogField::EvaluationLlm),
        _ => None,
    }
}

/// The design column feeding each catalogued field.
pub fn catalogued_columns(design: &Design) -> Vec<(String, CatalogField)> {
    design
        .stage
        .columns
        .iter()
        .filter_map(|(field, column)| catalog_field(*field).map(|c| (design.columns[*column].clone(), c)))
        .collect()
}

/// Loads the catalog configured for `field`, if it is configured and usable.
pub fn catalog_for(db: &dyn Db, config: &ProjectConfig, field: CatalogField) -> Option<Arc<Catalog>> {
    let source = config.catalog(field)?;
    load_catalog(db, db.file(&source.path), source.column.clone()).as_ref().ok().cloned()
}

/// Catalog diagnostics of a spec; re-runs when the spec's analysis, the project file or one of
/// the catalogs it reads changes. Spec spans are numbered (`crate::spans`); `check` maps them.
#[salsa::tracked(returns(ref))]
pub fn catalog_diagnostics(db: &dyn Db, spec: SourceFile) -> Vec<Diagnostic> {
    let design = &crate::db::numbered_analysis(db, spec).design;
    let config = project_config(db, spec);
    let spec_path: FilePath = Arc::from(spec.path(db).as_path());
    let mut out = Vec::new();
    case_collisions(design, &mut out);
    let columns = catalogued_columns(design);
    if columns.is_empty() {
        return out;
    }
    let start = design.spec_start;
    let at_start = |message: &str| Label::new(&spec_path, start..start, message);
    if config.catalogs.is_empty() {
        out.push(
            Diagnostic::new(
                codes::NO_CATALOG,
                "no catalogs configured: template, model and combo IDs are not checked",
                at_start("IDs not checked"),
            )
            .with_help("set `data_root` in dslc.toml, or pass --data-root or --catalog"),
        );
        return out;
    }
    // Load each catalog the spec needs once; report unusable files once per path.
    let mut loaded: HashMap<CatalogField, Arc<Catalog>> = HashMap::default();
    let mut missing_defaults: Vec<(&Path, Vec<&'static str>)> = Vec::new();
    let mut unconfigured: Vec<&'static str> = Vec::new();
    let mut reported_paths: HashSet<&Path> = HashSet::default();
    for (_, field) in &columns {
        let Some(source) = config.catalog(*field) else {
            unconfigured.push(field.key());
            continue;
        };
        match load_catalog(db, db.file(&source.path), source.column.clone()) {
            Ok(catalog) => {
                // combo_mappings.csv has one row per concept of a combo, so repeats are its norm.
                if *field != CatalogField::Combo && reported_paths.insert(&source.path) {
                    duplicates(source, catalog, &config.root, &mut out);
                }
                loaded.insert(*field, catalog.clone());
            }
            Err(CatalogError::Missing) if source.origin == CatalogOrigin::Default => {
                match missing_defaults.iter_mut().find(|(p, _)| *p == source.path.as_path()) {
                    Some((_, fields)) => fields.push(field.key()),
                    None => missing_defaults.push((&source.path, vec![field.key()])),
                }
            }
            Err(error) => {
                if reported_paths.insert(&source.path) {
                    out.push(unusable(source, error, &config.root, &spec_path, start));
                }
            }
        }
    }
    for (path, fields) in missing_defaults {
        out.push(
            Diagnostic::new(
                codes::NO_CATALOG,
                format!(
                    "no catalog for {}: {} not found, IDs not checked",
                    fields.join(", "),
                    shown(path, &config.root)
                ),
                at_start("IDs not checked"),
            )
            .with_help("add the catalog file under the data root, or point dslc.toml's [catalogs.FIELD] at it"),
        );
    }
    if !unconfigured.is_empty() {
        out.push(
            Diagnostic::new(
                codes::NO_CATALOG,
                format!("no catalog for {}: IDs not checked", unconfigured.join(", ")),
                at_start("IDs not checked"),
            )
            .with_help("configure one with --catalog FIELD=PATH or in dslc.toml"),
        );
    }
    unknown_ids(design, config, &loaded, &mut out);
    out
}

fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

fn duplicates(source: &CatalogSource, catalog: &Catalog, root: &Path, out: &mut Vec<Diagnostic>) {
    let file: FilePath = Arc::from(source.path.as_path());
    for &(first, repeat) in &catalog.duplicates {
        let id = &catalog.entries[repeat].id;
        out.push(
            Diagnostic::new(
                codes::DUPLICATE_CATALOG_ID,
                format!("`{id}` is listed twice in {}", shown(&source.path, root)),
                Label::new(&file, catalog.entries[repeat].span.clone(), "listed again"),
            )
            .with_label(Label::new(&file, catalog.entries[first].span.clone(), "first listed here"))
            .with_help("remove the repeated row; the first one is used for hover and metadata"),
        );
    }
}

fn unusable(source: &CatalogSource, error: &CatalogError, root: &Path, spec: &FilePath, start: usize) -> Diagnostic {
    let file: FilePath = Arc::from(source.path.as_path());
    let name = shown(&source.path, root);
    let configured = match &source.origin {
        CatalogOrigin::Manifest(label) => Some(label.clone()),
        _ => None,
    };
    let fallback =
        || configured.clone().unwrap_or_else(|| Label::new(spec, start..start, "catalog needed by this spec"));
    let (message, primary, help) = match error {
        CatalogError::Missing => (
            format!("catalog {name} for {} does not exist", source.field.key()),
            fallback(),
            "create the file or fix the configured path".to_string(),
        ),
        CatalogError::Unreadable(reason) => {
            (format!("catalog {name} cannot be read: {reason}"), fallback(), "check the file's permissions".to_string())
        }
        CatalogError::NoColumn { header, header_span } => (
            format!("catalog {name} has no column `{}`", source.column),
            Label::new(&file, header_span.clone(), format!("columns: {}", header.join(", "))),
            format!("name the ID column `{}`, or configure the column to read", source.column),
        ),
        CatalogError::Malformed { message, span } => (
            format!("catalog {name} is not a valid CSV file: {message}"),
            Label::new(&file, span.clone(), "here"),
            "fix the CSV: a header row, then one row per ID".to_string(),
        ),
    };
    let mut d = Diagnostic::new(codes::CATALOG_UNUSABLE, message, primary).with_help(help);
    if let (Some(label), CatalogError::NoColumn { .. } | CatalogError::Malformed { .. }) = (configured, error) {
        d = d.with_label(label);
    }
    d
}

/// How many distinct unknown IDs of one spec get did-you-mean suggestions. Each costs up to a
/// fraction of a millisecond against a catalog of millions of IDs, so this keeps `check` of a
/// spec with very many misspelt IDs near-linear; the reports themselves are all kept.
pub const SUGGESTION_LIMIT: usize = 5_000;

/// Did-you-mean for one spec: each (catalog, value) is looked up once, up to
/// [`SUGGESTION_LIMIT`] of them.
#[derive(Default)]
struct Suggester<'a> {
    cache: HashMap<(*const Catalog, &'a str), Vec<String>>,
    /// Whether a report already said that suggestions stopped.
    told: bool,
}

impl<'a> Suggester<'a> {
    /// The suggestions for one unknown ID, or `None` once the limit is reached.
    fn suggest(&mut self, catalog: &Catalog, value: &'a str) -> Option<Vec<String>> {
        let key = (catalog as *const Catalog, value);
        if let Some(cached) = self.cache.get(&key) {
            return Some(cached.clone());
        }
        if self.cache.len() >= SUGGESTION_LIMIT {
            return None;
        }
        let suggestions = catalog.suggest(value);
        self.cache.insert(key, suggestions.clone());
        Some(suggestions)
    }
}

/// Reports every written value of a catalogued field that its catalog does not list, once per
/// place it is written (lists, subsets, items, included cells, values that reach a field
/// through a tie).
fn unknown_ids(
    design: &Design,
    config: &ProjectConfig,
    loaded: &HashMap<CatalogField, Arc<Catalog>>,
    out: &mut Vec<Diagnostic>,
) {
    let column_field: HashMap<&str, CatalogField> = design
        .stage
        .columns
        .iter()
        .filter_map(|(f, c)| catalog_field(*f).map(|cf| (design.columns[*c].as_str(), cf)))
        .collect();
    let mut outermost_of: HashMap<&str, &str> = HashMap::default();
    let mut fields_of_axis: HashMap<&str, Vec<CatalogField>> = HashMap::default();
    let mut reported: HashSet<(&Origin, CatalogField)> = HashSet::default();
    let mut suggester = Suggester::default();
    // Occurrences come axis by axis, so one axis's fields are looked up once per run of them.
    let mut current: (&str, Vec<CatalogField>) = ("", Vec::new());
    for occurrence in &design.occurrences {
        let axis: &str = &occurrence.axis;
        if !std::ptr::eq(current.0, axis) && current.0 != axis {
            let fields = fields_of_axis
                .entry(axis)
                .or_insert_with(|| fields_reached(design, &column_field, axis, &mut outermost_of));
            current = (axis, fields.clone());
        }
        let fields = &current.1;
        let value = design.interner.get(occurrence.value);
        // `None` written for essay_llm marks a copy-mode essay; a tie cannot carry it into
        // another field, since the other axis's levels do not include it.
        if value == "None"
            && design
                .columns_of(&occurrence.axis)
                .iter()
                .any(|c| column_field.get(c.as_str()) == Some(&CatalogField::EssayLlm))
        {
            continue;
        }
        // Fields sharing one catalog (the three model fields) report a value only once.
        let mut seen_catalogs: Vec<*const Catalog> = Vec::new();
        for field in fields.iter() {
            let Some(catalog) = loaded.get(field) else { continue };
            if catalog.contains(value) || (*field == CatalogField::EssayLlm && value == "None") {
                continue;
            }
            if seen_catalogs.contains(&Arc::as_ptr(catalog)) || !reported.insert((&occurrence.origin, *field)) {
                continue;
            }
            seen_catalogs.push(Arc::as_ptr(catalog));
            out.push(unknown_id(value, *field, catalog, config, &occurrence.origin, &mut suggester));
        }
    }
}

fn unknown_id<'a>(
    value: &'a str,
    field: CatalogField,
    catalog: &Catalog,
    config: &ProjectConfig,
    origin: &Origin,
    suggester: &mut Suggester<'a>,
) -> Diagnostic {
    let source = config.catalog(field);
    let where_ =
        source.map(|s| format!("{} (column `{}`)", shown(&s.path, &config.root), s.column)).unwrap_or_default();
    let computed = suggester.suggest(catalog, value);
    let limited = computed.is_none() && !std::mem::replace(&mut suggester.told, true);
    let suggestions = computed.unwrap_or_default();
    let help = if limited {
        format!(
            "add it to the {} catalog {where_}, or fix the spelling (did-you-mean stops after \
             {SUGGESTION_LIMIT} unknown IDs in one spec; fix these first)",
            field.noun()
        )
    } else if suggestions.is_empty() {
        format!("add it to the {} catalog {where_}, or fix the spelling", field.noun())
    } else {
        let quoted: Vec<String> = suggestions.iter().map(|s| format!("`{s}`")).collect();
        format!("did you mean {}? The {} catalog is {where_}", join_or(&quoted), field.noun())
    };
    // The help is set first, so `with_suggestions` adds only the suggestions and, for one, the fix.
    Diagnostic::new(
        codes::UNKNOWN_CATALOG_ID,
        format!("`{value}` is not in the {} catalog for `{}`", field.noun(), field.key()),
        Label::new(&origin.file, origin.span.clone(), format!("unknown {} ID", field.noun())),
    )
    .with_help(help)
    .with_suggestions(suggestions)
}

/// IDs of one field that differ only in case would get the same generation ID.
fn case_collisions(design: &Design, out: &mut Vec<Diagnostic>) {
    // One column can feed several fields (a tie feeds draft_llm and essay_llm): report a place once.
    let mut reported_at: HashSet<&Origin> = HashSet::default();
    for (field, column) in &design.stage.columns {
        if field.is_replicate() {
            continue;
        }
        let (factor_index, leaf) = design.column_sources[*column];
        let factor = &design.factors[factor_index];
        let mut by_key: HashMap<std::borrow::Cow<str>, (Sym, &Origin)> =
            HashMap::with_capacity_and_hasher(factor.len(), Default::default());
        let mut reported: HashSet<Sym> = HashSet::default();
        for (row, origin) in factor.rows().zip(&factor.origins) {
            let sym = row[leaf];
            let text = design.interner.get(sym);
            // Most IDs are already trimmed and lower-case: only the others need a new string.
            let trimmed = text.trim();
            let key: std::borrow::Cow<str> = if trimmed.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
                std::borrow::Cow::Owned(trimmed.to_lowercase())
            } else {
                std::borrow::Cow::Borrowed(trimmed)
            };
            match by_key.get(&key) {
                None => {
                    by_key.insert(key, (sym, origin));
                }
                Some(&(first, first_origin)) if first != sym && reported.insert(sym) && reported_at.insert(origin) => {
                    out.push(
                        Diagnostic::new(
                            codes::IDS_DIFFER_IN_CASE,
                            format!(
                                "`{}` and `{}` differ only in case or surrounding spaces; generation IDs trim and lower-case them, so their {} would collide",
                                design.interner.get(first),
                                text,
                                design.columns[*column]
                            ),
                            Label::new(&origin.file, origin.span.clone(), "differs only in case"),
                        )
                        .with_label(Label::new(&first_origin.file, first_origin.span.clone(), "from this one"))
                        .with_help("use one spelling for the ID everywhere"),
                    );
                }
                Some(_) => {}
            }
        }
    }
}

/// The catalogued fields a value written for `axis` reaches. A value written for a tied axis
/// also reaches every column of the tie; a tie's columns hold those of the ties it took, so the
/// outermost tie's are enough.
fn fields_reached<'d>(
    design: &'d Design,
    column_field: &HashMap<&str, CatalogField>,
    axis: &'d str,
    outermost_of: &mut HashMap<&'d str, &'d str>,
) -> Vec<CatalogField> {
    let mut fields = Vec::new();
    let outermost = outermost_tie(design, axis, outermost_of);
    for name in [axis, outermost] {
        for column in design.columns_of(name) {
            if let Some(field) = column_field.get(column.as_str()) {
                if !fields.contains(field) {
                    fields.push(*field);
                }
            }
        }
    }
    fields
}

/// The outermost tie that took `axis` (through ties of ties), or `axis` itself; remembered per
/// name, so a chain of thousands of ties is walked once, not once per axis in it.
fn outermost_tie<'d>(design: &'d Design, axis: &'d str, memo: &mut HashMap<&'d str, &'d str>) -> &'d str {
    let mut path = Vec::new();
    let mut name = axis;
    let top = loop {
        if let Some(&known) = memo.get(name) {
            break known;
        }
        match design.tie_of.get(name) {
            // The length guard stops at a cycle, which analysis never builds.
            Some(tie) if path.len() <= design.tie_of.len() => {
                path.push(name);
                name = tie.as_str();
            }
            _ => break name,
        }
    };
    for step in path {
        memo.insert(step, top);
    }
    top
}
