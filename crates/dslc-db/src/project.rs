//! The project: `dslc.toml` (data root and catalog overrides), command-line overrides, and the
//! resulting list of catalog sources for a spec.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use dslc_syntax::codes;
use dslc_syntax::Span;
use toml::de::{DeTable, DeValue};

use crate::db::{normalize, project_root, Db, FileStatus, SourceFile};
use crate::diagnostic::{did_you_mean, Diagnostic, FilePath, Label};

/// A field whose IDs a catalog lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CatalogField {
    Combo,
    DraftTemplate,
    EssayTemplate,
    EvaluationTemplate,
    DraftLlm,
    EssayLlm,
    EvaluationLlm,
    /// The replication configuration, read for the manifest only.
    Replication,
}

impl CatalogField {
    pub const ALL: [CatalogField; 8] = [
        CatalogField::Combo,
        CatalogField::DraftTemplate,
        CatalogField::EssayTemplate,
        CatalogField::EvaluationTemplate,
        CatalogField::DraftLlm,
        CatalogField::EssayLlm,
        CatalogField::EvaluationLlm,
        CatalogField::Replication,
    ];

    /// The key used in `dslc.toml` and `--catalog`.
    pub fn key(self) -> &'static str {
        match self {
            CatalogField::Combo => "combo_id",
            CatalogField::DraftTemplate => "draft_template",
            CatalogField::EssayTemplate => "essay_template",
            CatalogField::EvaluationTemplate => "evaluation_template",
            CatalogField::DraftLlm => "draft_llm",
            CatalogField::EssayLlm => "essay_llm",
            CatalogField::EvaluationLlm => "evaluation_llm",
            CatalogField::Replication => "replication",
        }
    }

    pub fn from_key(key: &str) -> Option<CatalogField> {
        CatalogField::ALL.into_iter().find(|f| f.key() == key)
    }

    /// The default file, relative to the data root, and its ID column (LANGUAGE.md §6).
    pub fn default_source(self) -> (&'static str, &'static str) {
        match self {
            CatalogField::Combo => ("combo_mappings.csv", "combo_id"),
            CatalogField::DraftTemplate => ("1_raw/draft_templates.csv", "template_id"),
            CatalogField::EssayTemplate => ("1_raw/essay_templates.csv", "template_id"),
            CatalogField::EvaluationTemplate => ("1_raw/evaluation_templates.csv", "template_id"),
            CatalogField::DraftLlm | CatalogField::EssayLlm | CatalogField::EvaluationLlm => {
                ("1_raw/llm_models.csv", "id")
            }
            CatalogField::Replication => ("1_raw/replication_config.csv", "stage"),
        }
    }

    /// What the IDs are, for messages: "template", "model", "combo".
    pub fn noun(self) -> &'static str {
        match self {
            CatalogField::Combo => "combo",
            CatalogField::DraftTemplate | CatalogField::EssayTemplate | CatalogField::EvaluationTemplate => "template",
            CatalogField::DraftLlm | CatalogField::EssayLlm | CatalogField::EvaluationLlm => "model",
            CatalogField::Replication => "replication",
        }
    }
}

/// Where a catalog source was configured.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CatalogOrigin {
    /// Implied by the data root: a missing file is only a note.
    Default,
    /// `[catalogs.<field>]` in dslc.toml, at this span.
    Manifest(Label),
    /// `--catalog` on the command line.
    CommandLine,
}

/// One configured catalog: the CSV file and the column holding the IDs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CatalogSource {
    pub field: CatalogField,
    pub path: PathBuf,
    pub column: String,
    pub origin: CatalogOrigin,
}

/// A `--catalog FIELD=PATH[:COLUMN]` override; the path is absolute.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CatalogOverride {
    pub field: CatalogField,
    pub path: PathBuf,
    pub column: Option<String>,
}

/// Settings that come from the command line rather than files (`--data-root`, `--catalog`).
#[salsa::input(debug)]
pub struct Settings {
    #[returns(ref)]
    pub data_root: Option<PathBuf>,
    #[returns(ref)]
    pub catalogs: Vec<CatalogOverride>,
}

/// The project a spec belongs to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The project root: the directory of dslc.toml, else the spec's directory.
    pub root: PathBuf,
    /// The dslc.toml file, when there is one.
    pub manifest: Option<PathBuf>,
    pub data_root: Option<PathBuf>,
    /// Configured catalogs, one per field at most, in field order.
    pub catalogs: Vec<CatalogSource>,
    /// Problems in dslc.toml.
    pub diagnostics: Vec<Diagnostic>,
}

impl ProjectConfig {
    pub fn catalog(&self, field: CatalogField) -> Option<&CatalogSource> {
        self.catalogs.iter().find(|c| c.field == field)
    }
}

/// Reads the project configuration of a spec: dslc.toml, then command-line overrides.
#[salsa::tracked(returns(ref))]
pub fn project_config(db: &dyn Db, spec: SourceFile) -> ProjectConfig {
    let root = project_root(db, spec).clone();
    let manifest_path = root.join("dslc.toml");
    let manifest_file = db.file(&manifest_path);
    let mut config = ProjectConfig { root: root.clone(), ..ProjectConfig::default() };
    let mut manifest_catalogs = Vec::new();
    if manifest_file.contents(db).status == FileStatus::Present {
        config.manifest = Some(manifest_path.clone());
        let parsed = parse_manifest(db, &manifest_path, &manifest_file.contents(db).text, &root);
        config.data_root = parsed.data_root;
        config.diagnostics = parsed.diagnostics;
        manifest_catalogs = parsed.catalogs;
    }
    let settings = db.settings();
    if let Some(data_root) = settings.data_root(db) {
        config.data_root = Some(data_root.clone());
    }
    let mut catalogs: Vec<CatalogSource> = Vec::new();
    if let Some(data_root) = &config.data_root {
        for field in CatalogField::ALL {
            let (path, column) = field.default_source();
            catalogs.push(CatalogSource {
                field,
                path: data_root.join(path),
                column: column.to_string(),
                origin: CatalogOrigin::Default,
            });
        }
    }
    let mut set = |source: CatalogSource| match catalogs.iter_mut().find(|c| c.field == source.field) {
        Some(existing) => *existing = source,
        None => catalogs.push(source),
    };
    for source in manifest_catalogs {
        set(source);
    }
    for o in settings.catalogs(db) {
        let column = o.column.clone().unwrap_or_else(|| o.field.default_source().1.to_string());
        set(CatalogSource { field: o.field, path: o.path.clone(), column, origin: CatalogOrigin::CommandLine });
    }
    catalogs.sort_by_key(|c| c.field);
    config.catalogs = catalogs;
    config
}

struct ParsedManifest {
    data_root: Option<PathBuf>,
    catalogs: Vec<CatalogSource>,
    diagnostics: Vec<Diagnostic>,
}

/// Parses dslc.toml; every problem is a diagnostic with a span in the file.
fn parse_manifest(db: &dyn Db, path: &Path, text: &str, root: &Path) -> ParsedManifest {
    let file: FilePath = Arc::from(path);
    let mut out = ParsedManifest { data_root: None, catalogs: Vec::new(), diagnostics: Vec::new() };
    let table = match DeTable::parse(text) {
        Ok(table) => table,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            out.diagnostics.push(
                Diagnostic::new(
                    codes::PROJECT_SYNTAX,
                    format!("dslc.toml is not valid TOML: {}", e.message()),
                    Label::new(&file, span, "here"),
                )
                .with_help("fix the TOML syntax; see docs/project.md for the keys dslc.toml takes"),
            );
            return out;
        }
    };
    let bad_value = |span: Span, message: String, help: &str| {
        Diagnostic::new(codes::PROJECT_BAD_VALUE, message, Label::new(&file, span, "this value"))
            .with_help(help.to_string())
    };
    for (key, value) in table.get_ref().iter() {
        match key.get_ref().as_ref() {
            "data_root" => match value.get_ref() {
                DeValue::String(s) => {
                    let data_root = normalize(&root.join(s.as_ref()));
                    if *db.directory(&data_root).exists(db) {
                        out.data_root = Some(data_root);
                    } else {
                        out.diagnostics.push(bad_value(
                            value.span(),
                            format!("data_root `{}` is not a directory", s.as_ref()),
                            "data_root is relative to dslc.toml's directory; create the directory or fix the path",
                        ));
                    }
                }
                other => out.diagnostics.push(bad_value(
                    value.span(),
                    format!("data_root must be a string, not {}", type_name(other)),
                    "write it as a quoted path, e.g. data_root = \"data\"",
                )),
            },
            "catalogs" => match value.get_ref() {
                DeValue::Table(catalogs) => {
                    for (field_key, field_value) in catalogs.iter() {
                        let name = field_key.get_ref().as_ref();
                        let Some(field) = CatalogField::from_key(name) else {
                            let keys: Vec<&str> = CatalogField::ALL.iter().map(|f| f.key()).collect();
                            out.diagnostics.push(
                                Diagnostic::new(
                                    codes::PROJECT_UNKNOWN_KEY,
                                    format!("`catalogs.{name}` is not a catalogued field"),
                                    Label::new(&file, field_key.span(), "unknown field"),
                                )
                                .with_suggestions(did_you_mean(name, keys.iter().copied()))
                                .or_help(format!("catalogued fields are {}", keys.join(", "))),
                            );
                            continue;
                        };
                        match field_value.get_ref() {
                            DeValue::Table(entry) => {
                                if let Some(source) =
                                    catalog_entry(&file, root, field, entry, field_key.span(), &mut out.diagnostics)
                                {
                                    out.catalogs.push(source);
                                }
                            }
                            other => out.diagnostics.push(bad_value(
                                field_value.span(),
                                format!("`catalogs.{name}` must be a table, not {}", type_name(other)),
                                "write [catalogs.FIELD] with `path` and optionally `column`",
                            )),
                        }
                    }
                }
                other => out.diagnostics.push(bad_value(
                    value.span(),
                    format!("`catalogs` must be a table, not {}", type_name(other)),
                    "write one [catalogs.FIELD] table per catalog",
                )),
            },
            unknown => out.diagnostics.push(
                Diagnostic::new(
                    codes::PROJECT_UNKNOWN_KEY,
                    format!("unknown key `{unknown}` in dslc.toml"),
                    Label::new(&file, key.span(), "unknown key"),
                )
                .with_suggestions(did_you_mean(unknown, ["data_root", "catalogs"]))
                .or_help("dslc.toml takes `data_root` and `[catalogs.FIELD]` tables"),
            ),
        }
    }
    out
}

fn catalog_entry(
    file: &FilePath,
    root: &Path,
    field: CatalogField,
    entry: &DeTable,
    header_span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<CatalogSource> {
    let mut path = None;
    let mut column = None;
    let mut path_span = header_span.clone();
    for (key, value) in entry.iter() {
        let name = key.get_ref().as_ref();
        match (name, value.get_ref()) {
            ("path", DeValue::String(s)) => {
                path = Some(normalize(&root.join(s.as_ref())));
                path_span = value.span();
            }
            ("column", DeValue::String(s)) => column = Some(s.as_ref().to_string()),
            ("path" | "column", other) => diagnostics.push(
                Diagnostic::new(
                    codes::PROJECT_BAD_VALUE,
                    format!("`{name}` must be a string, not {}", type_name(other)),
                    Label::new(file, value.span(), "this value"),
                )
                .with_help(format!("write it quoted, e.g. {name} = \"...\"")),
            ),
            (unknown, _) => diagnostics.push(
                Diagnostic::new(
                    codes::PROJECT_UNKNOWN_KEY,
                    format!("unknown key `{unknown}` in [catalogs.{}]", field.key()),
                    Label::new(file, key.span(), "unknown key"),
                )
                .with_suggestions(did_you_mean(unknown, ["path", "column"]))
                .or_help("a catalog table takes `path` and `column`"),
            ),
        }
    }
    let Some(path) = path else {
        diagnostics.push(
            Diagnostic::new(
                codes::PROJECT_BAD_VALUE,
                format!("[catalogs.{}] has no `path`", field.key()),
                Label::new(file, header_span, "path missing"),
            )
            .with_help("add path = \"relative/to/dslc.toml.csv\""),
        );
        return None;
    };
    let column = column.unwrap_or_else(|| field.default_source().1.to_string());
    Some(CatalogSource {
        field,
        path,
        column,
        origin: CatalogOrigin::Manifest(Label::new(file, path_span, "configured here")),
    })
}

fn type_name(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
