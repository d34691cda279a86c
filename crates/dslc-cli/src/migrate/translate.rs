//! Translates a YAML bundle's tree into `.cohort` statements, with the diagnostics of every key
//! that cannot be translated or whose meaning the new language changes.
//!
//! The rules follow the old loader (`axes`, `rules.subsets/ties/pairs/tuples` or the legacy list
//! of `{subset|tie|pair|tuple: …}`, `output.field_order`, `@file:` includes) and its compiler,
//! whose behaviour decides which differences get a warning (docs/migrate.md lists them).

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};

use dslc_db::diagnostic::{did_you_mean, Diagnostic, FilePath, Label};
use dslc_db::{Database, Db, FileStatus};
use dslc_syntax::codes::{self, Code};

use super::comments;
use super::emit::{Element, Items, Levels, Statement, StatementKind};
use super::scalar::{self, Flavor, Kind, Untranslatable, Value};
use super::yaml::{self, Document, Node, NodeKind};

/// What a migration produced: the statements (meaningful only without errors), the comments
/// placed on them, and every diagnostic.
pub(crate) struct Translation {
    pub statements: Vec<Statement>,
    pub trailing_comments: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The rule kinds a name can stand for, to tell which old behaviours a rule runs into.
#[derive(Default)]
struct Symbols {
    declared: HashSet<String>,
    /// Tied axis → the tie's name.
    tied_to: HashMap<String, String>,
    ties: HashMap<String, Vec<String>>,
    pairs: HashSet<String>,
    tuples: HashSet<String>,
    /// The current levels of the axes and ties whose levels are known, with their YAML types,
    /// for the rules that compared them by type (subsets and ties).
    domains: HashMap<String, Vec<Value>>,
}

/// A value and where it was written.
type Spanned = (Value, Range<usize>);

/// A parsed YAML or JSON file with the path its diagnostics name.
struct Source {
    file: FilePath,
    flavor: Flavor,
}

struct Translator<'a> {
    db: &'a Database,
    /// The directory `@file:` paths are relative to: the config file's.
    base_dir: PathBuf,
    /// The directory the spec is written to: `file(…)` paths are relative to it.
    out_dir: PathBuf,
    diagnostics: Vec<Diagnostic>,
    /// Statements with the line range (0-based, in the config file) they came from.
    statements: Vec<(Statement, Option<Range<usize>>)>,
    symbols: Symbols,
}

/// Reads and translates `config`; `out_dir` is where the spec will be written.
pub(crate) fn translate(db: &Database, config: &Path, cohort_id: Option<&str>, out_dir: &Path) -> Translation {
    let mut translator = Translator {
        db,
        base_dir: config.parent().map(Path::to_path_buf).unwrap_or_default(),
        out_dir: out_dir.to_path_buf(),
        diagnostics: Vec::new(),
        statements: Vec::new(),
        symbols: Symbols::default(),
    };
    let file: FilePath = config.into();
    let flavor = flavor_of(config);
    let Some(document) = translator.read(&file, flavor, None) else {
        return translator.finish(Vec::new(), "", None);
    };
    let source = Source { file: file.clone(), flavor };
    if let Some(id) = cohort_id {
        translator.push(StatementKind::Cohort { id: id.to_string() }, None);
    }
    translator.spec(&source, &document);
    let text = &db.file(config).contents(db).text;
    translator.finish(document.comments.clone(), text, Some(&document))
}

/// JSON for `.json`, YAML for anything else (the old loader's rule for `@file:` too).
fn flavor_of(path: &Path) -> Flavor {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Flavor::Json,
        _ => Flavor::Yaml,
    }
}

/// An item read from the YAML: its elements, a text that identifies it, the types of its
/// values, and where it is.
struct ParsedItem {
    elements: Vec<Element>,
    text: String,
    /// The values' Python equality keys, with the nesting: equal keys were one item to the old
    /// system.
    key: String,
    span: Range<usize>,
}

/// Whether `text` is a `.cohort` name: `[A-Za-z_][A-Za-z0-9_]*` and not a keyword.
fn is_name(text: &str) -> bool {
    dslc_syntax::is_name(text) && !dslc_syntax::lexer::KEYWORDS.contains(&text)
}

impl<'a> Translator<'a> {
    fn report(&mut self, code: Code, file: &FilePath, span: Range<usize>, message: String, help: impl Into<String>) {
        let label = Label::new(file, span, code.title);
        self.diagnostics.push(Diagnostic::new(code, message, label).with_help(help));
    }

    /// Points the last diagnostic also at the `@file:` value that included its file.
    fn included_here(&mut self, included_at: Option<(&FilePath, Range<usize>)>) {
        let Some((file, span)) = included_at else { return };
        if let Some(last) = self.diagnostics.pop() {
            self.diagnostics.push(last.with_label(Label::new(file, span, "included here")));
        }
    }

    fn push(&mut self, kind: StatementKind, lines: Option<Range<usize>>) {
        self.statements.push((Statement { kind, comments: Vec::new(), end_of_line: None }, lines));
    }

    /// Reads and parses a file; `included_at` is the `@file:` value that named it.
    fn read(
        &mut self,
        file: &FilePath,
        flavor: Flavor,
        included_at: Option<(&FilePath, Range<usize>)>,
    ) -> Option<Document> {
        let contents = self.db.file(file).contents(self.db);
        let problem = match &contents.status {
            FileStatus::Present => None,
            FileStatus::Missing => Some("no such file".to_string()),
            FileStatus::Unreadable(reason) => Some(reason.clone()),
        };
        if let Some(problem) = problem {
            match included_at {
                Some((at_file, span)) => self.report(
                    codes::MIGRATE_INCLUDE_MISSING,
                    at_file,
                    span,
                    format!("cannot read the included file {}: {problem}", file.display()),
                    "fix the `@file:` path; it is relative to the directory of the file that names it",
                ),
                // The command line checked the input exists; a read failure here is still reported.
                None => self.report(
                    codes::MIGRATE_INCLUDE_MISSING,
                    file,
                    0..0,
                    format!("cannot read {}: {problem}", file.display()),
                    "check the path and the file's permissions",
                ),
            }
            return None;
        }
        let text = &contents.text;
        if text.contains('\u{1a}') {
            let at = text.find('\u{1a}').unwrap_or(0);
            self.report(
                codes::MIGRATE_SYNTAX,
                file,
                at..at + 1,
                "the file is not valid UTF-8".to_string(),
                "save the file as UTF-8",
            );
            return None;
        }
        // JSON's own reader finds what YAML would accept but `json.loads` refused.
        if flavor == Flavor::Json {
            if let Err(error) = serde_json::from_str::<serde_json::Value>(text) {
                let at = offset_of(text, error.line(), error.column());
                self.report(
                    codes::MIGRATE_SYNTAX,
                    file,
                    at..(at + 1).min(text.len()).max(at),
                    format!("invalid JSON: {error}"),
                    "fix the JSON syntax at this line and column",
                );
                self.included_here(included_at);
                return None;
            }
        }
        match yaml::read(text) {
            Ok(document) => {
                for duplicate in &document.duplicates {
                    let label = Label::new(file, duplicate.repeated.clone(), "given again here");
                    self.diagnostics.push(
                        Diagnostic::new(
                            codes::MIGRATE_DUPLICATE_KEY,
                            format!("the key `{}` is given twice: the old system kept the last value", duplicate.key),
                            label,
                        )
                        .with_label(Label::new(file, duplicate.first.clone(), "first given here"))
                        .with_help("the migrated spec uses the last value, as the old system did; remove one of them"),
                    );
                }
                Some(document)
            }
            Err(error) => {
                let (line, column) = line_column(text, error.span.start);
                self.report(
                    codes::MIGRATE_SYNTAX,
                    file,
                    error.span,
                    format!("YAML syntax error at line {line}, column {column}: {}", error.message),
                    "fix the YAML syntax at this line and column",
                );
                self.included_here(included_at);
                None
            }
        }
    }

    /// The top level: `axes`, `rules`, `output`, in the order the file gives them.
    fn spec(&mut self, source: &Source, document: &Document) {
        let Some(entries) = self.mapping(source, &document.root, "the spec") else { return };
        // Axis names first: a rule may stand before `axes:` in the file.
        for (key, value) in entries {
            if key.scalar().is_some_and(|k| k.text == "axes") {
                if let NodeKind::Mapping(axes) = &value.kind {
                    let names = axes.iter().filter_map(|(k, _)| k.scalar()).map(|k| k.text.clone());
                    self.symbols.declared.extend(names);
                }
            }
        }
        for (key, value) in entries {
            let Some(name) = self.key(source, key) else { continue };
            match name.as_str() {
                "axes" => self.axes(source, value),
                "rules" => self.rules(source, value),
                "output" => self.output(source, key, value),
                _ => self.unknown_key(source, key, &name, &["axes", "rules", "output"], "the top level"),
            }
        }
    }

    fn unknown_key(&mut self, source: &Source, key: &Node, name: &str, known: &[&str], place: &str) {
        let suggestions = did_you_mean(name, known.iter().copied());
        let label = Label::new(&source.file, key.span.clone(), "unknown key");
        let listed: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        let diagnostic = Diagnostic::new(codes::MIGRATE_UNKNOWN_KEY, format!("unknown key `{name}` in {place}"), label)
            .with_suggestions(suggestions)
            .or_help(format!("the keys here are {}", listed.join(", ")));
        self.diagnostics.push(diagnostic);
    }

    /// A mapping's entries, or an E0703 naming what was expected.
    fn mapping<'n>(&mut self, source: &Source, node: &'n Node, what: &str) -> Option<&'n [(Node, Node)]> {
        match &node.kind {
            NodeKind::Mapping(entries) => Some(entries),
            _ => {
                self.report(
                    codes::MIGRATE_WRONG_SHAPE,
                    &source.file,
                    node.span.clone(),
                    format!("{what} must be a mapping, not {}", node.describe()),
                    "write it as `key: value` lines",
                );
                None
            }
        }
    }

    /// A key's text (keys are scalars).
    fn key(&mut self, source: &Source, key: &Node) -> Option<String> {
        match key.scalar() {
            Some(scalar) => Some(scalar.text.clone()),
            None => {
                self.report(
                    codes::MIGRATE_WRONG_SHAPE,
                    &source.file,
                    key.span.clone(),
                    format!("a key must be a plain word, not {}", key.describe()),
                    "write the key as a name",
                );
                None
            }
        }
    }

    /// A name for an axis or rule, checked to be a `.cohort` name.
    fn name(&mut self, source: &Source, node: &Node, what: &str) -> Option<String> {
        let Some(scalar) = node.scalar() else {
            self.report(
                codes::MIGRATE_WRONG_SHAPE,
                &source.file,
                node.span.clone(),
                format!("{what} must be a name, not {}", node.describe()),
                "write a single name",
            );
            return None;
        };
        if is_name(&scalar.text) {
            return Some(scalar.text.clone());
        }
        self.report(
            codes::MIGRATE_BAD_NAME,
            &source.file,
            node.span.clone(),
            format!("`{}` cannot be used as the {what} in a .cohort spec", scalar.text),
            "names are letters, digits and `_`, not starting with a digit, and not a keyword \
             (cohort, axis, subset, tie, pair, tuple, output); rename it in the YAML and in every rule that uses it",
        );
        None
    }

    /// The line range (0-based) of a key and its value in the config.
    fn lines(&self, source: &Source, key: &Node, value: &Node) -> Range<usize> {
        let text = &self.db.file(&source.file).contents(self.db).text;
        yaml::line_of(text, key.span.start)..yaml::line_of(text, value.span.end.max(key.span.end))
    }

    fn axes(&mut self, source: &Source, node: &Node) {
        let Some(entries) = self.mapping(source, node, "`axes`") else { return };
        for (key, value) in entries {
            let Some(name) = self.name(source, key, "axis name") else { continue };
            // `axis: null` marks an axis a tuple provides (docs of the old DSL); it is not declared.
            if value.scalar().is_some_and(|s| {
                s.style == saphyr_parser::ScalarStyle::Plain && matches!(s.text.as_str(), "" | "~" | "null")
            }) {
                self.symbols.declared.remove(&name);
                continue;
            }
            let Some((levels, values)) = self.levels(source, value, &format!("axes.{name}")) else { continue };
            if matches!(&levels, Levels::List(values) if values.is_empty()) {
                self.report(
                    codes::MIGRATE_EMPTY_AXIS,
                    &source.file,
                    value.span.clone(),
                    format!(
                        "the axis `{name}` has no levels: the old system gave 0 rows, a .cohort axis needs a level"
                    ),
                    "give the axis its levels, or remove it (and the spec) if the cohort is meant to be empty",
                );
                continue;
            }
            if let Some(values) = values {
                let mut seen = HashSet::new();
                let domain = values.into_iter().map(|(v, _)| v).filter(|v| seen.insert(v.equality_key())).collect();
                self.symbols.domains.insert(name.clone(), domain);
            }
            let lines = self.lines(source, key, value);
            self.push(StatementKind::Axis { name, levels }, Some(lines));
        }
    }

    /// Levels: a list of scalars, or an `@file:` include; with the values when they can be read.
    fn levels(&mut self, source: &Source, node: &Node, key: &str) -> Option<(Levels, Option<Vec<Spanned>>)> {
        match &node.kind {
            NodeKind::Scalar(scalar) if scalar.text.starts_with("@file:") => self.include_levels(source, node),
            NodeKind::Sequence(items) => {
                let values: Vec<Option<(Value, Range<usize>)>> = items
                    .iter()
                    .map(|item| self.value(source, item, key).map(|value| (value, item.span.clone())))
                    .collect();
                // A level that was reported makes the list unusable, not empty.
                let values: Option<Vec<(Value, Range<usize>)>> = values.into_iter().collect();
                let values = values?;
                // The old levels: repeats by Python equality dropped, `1` and `'1'` both kept.
                let mut equal = HashSet::new();
                let old: Vec<Spanned> =
                    values.iter().filter(|(v, _)| equal.insert(v.equality_key())).cloned().collect();
                let kept = self.distinct(source, values, key);
                Some((Levels::List(kept.into_iter().map(|(v, _)| v.text).collect()), Some(old)))
            }
            _ => {
                self.report(
                    codes::MIGRATE_WRONG_SHAPE,
                    &source.file,
                    node.span.clone(),
                    format!("`{key}` must be a list or an '@file:' string, not {}", node.describe()),
                    "write the levels as a list, e.g. [a, b], or '@file:items/levels.csv'",
                );
                None
            }
        }
    }

    /// A scalar level or item value, as the old rows showed it.
    fn value(&mut self, source: &Source, node: &Node, key: &str) -> Option<Value> {
        let Some(written) = node.scalar() else {
            self.report(
                codes::MIGRATE_BAD_VALUE,
                &source.file,
                node.span.clone(),
                format!("a value of `{key}` is {}, where a single value belongs", node.describe()),
                "write one value here; nested lists are only for the tuple side of a pair",
            );
            return None;
        };
        let resolved = scalar::resolve(&written.text, written.style, written.tag.as_deref(), source.flavor);
        let value = match resolved {
            Ok(value) => value,
            Err(problem) => {
                let why = match problem {
                    Untranslatable::Null => "null, which the old system wrote as an empty cell".to_string(),
                    Untranslatable::Unsupported(why) => why,
                };
                self.report(
                    codes::MIGRATE_BAD_VALUE,
                    &source.file,
                    node.span.clone(),
                    format!("a value of `{key}` cannot be translated: {why}"),
                    "quote the value in the YAML ('…') to make it a string",
                );
                return None;
            }
        };
        if value.text.chars().any(|c| c.is_control() && c != '\t' && c != '\n') {
            self.report(
                codes::MIGRATE_BAD_VALUE,
                &source.file,
                node.span.clone(),
                format!("a value of `{key}` holds a control character, which a .cohort string cannot"),
                "remove the control character from the value",
            );
            return None;
        }
        if value.kind != Kind::Str && value.text != written.text {
            let label = Label::new(&source.file, node.span.clone(), format!("read as {}", value.kind.describe()));
            self.diagnostics.push(
                Diagnostic::new(
                    codes::MIGRATE_YAML_TYPE,
                    format!(
                        "`{}` is {} in YAML 1.1, which the old system read as `{}`; so does the migrated spec",
                        written.text,
                        value.kind.describe(),
                        value.text
                    ),
                    label,
                )
                .with_help(format!("if `{}` was meant, quote it in the YAML and migrate again", written.text)),
            );
        }
        Some(value)
    }

    /// Drops repeated values (first wins), as the old system did; two values the old system
    /// told apart only by type become one level, with a warning.
    fn distinct(&mut self, source: &Source, values: Vec<Spanned>, key: &str) -> Vec<Spanned> {
        let mut equal: HashSet<String> = HashSet::new();
        let mut seen: HashMap<String, (Kind, Range<usize>)> = HashMap::new();
        let mut out = Vec::new();
        for (value, span) in values {
            // A value equal in Python to an earlier one (`1` after `true`) was dropped silently.
            if !equal.insert(value.equality_key()) {
                continue;
            }
            match seen.get(&value.text) {
                Some((kind, first)) => {
                    let label = Label::new(&source.file, span.clone(), value.kind.describe());
                    self.diagnostics.push(
                        Diagnostic::new(
                            codes::MIGRATE_TYPES_MERGED,
                            format!(
                                "`{key}` has `{}` as {} and as {}: two levels in the old system, one in the migrated spec, which so has fewer rows",
                                value.text,
                                kind.describe(),
                                value.kind.describe()
                            ),
                            label,
                        )
                        .with_label(Label::new(&source.file, first.clone(), kind.describe()))
                        .with_help("a .cohort value is text; give the two levels different texts if both are meant"),
                    );
                }
                None => {
                    seen.insert(value.text.clone(), (value.kind, span.clone()));
                    out.push((value, span));
                }
            }
        }
        out
    }

    /// Items of a pair or tuple: a list of lists or an include. `columns` are the rule's axes as
    /// written; `nested` says which of them take a nested tuple.
    fn items(&mut self, source: &Source, node: &Node, key: &str, columns: &[String], nested: &[bool]) -> Option<Items> {
        match &node.kind {
            NodeKind::Scalar(scalar) if scalar.text.starts_with("@file:") => {
                self.include_items(source, node, key, columns, nested)
            }
            NodeKind::Sequence(entries) => {
                let mut items: Vec<ParsedItem> = Vec::new();
                for entry in entries {
                    let NodeKind::Sequence(parts) = &entry.kind else {
                        self.report(
                            codes::MIGRATE_WRONG_SHAPE,
                            &source.file,
                            entry.span.clone(),
                            format!("an item of `{key}` must be a list, not {}", entry.describe()),
                            format!("write each item as a list of {} values: [a, b]", columns.len()),
                        );
                        continue;
                    };
                    let mut keys = Vec::new();
                    let Some(elements) = self.elements(source, parts, key, &mut keys) else { continue };
                    let text = format!("{elements:?}");
                    items.push(ParsedItem { elements, text, key: keys.join("\u{1f}"), span: entry.span.clone() });
                }
                Some(Items::List(self.distinct_items(source, items, key)))
            }
            _ => {
                self.report(
                    codes::MIGRATE_WRONG_SHAPE,
                    &source.file,
                    node.span.clone(),
                    format!("`{key}` must be a list of items or an '@file:' string, not {}", node.describe()),
                    "write the items as a list of lists, e.g. [[a, b], [c, d]], or '@file:items/pairs.csv'",
                );
                None
            }
        }
    }

    fn elements(&mut self, source: &Source, parts: &[Node], key: &str, keys: &mut Vec<String>) -> Option<Vec<Element>> {
        let mut elements = Vec::new();
        for part in parts {
            match &part.kind {
                NodeKind::Sequence(inner) => {
                    keys.push("(".into());
                    elements.push(Element::Tuple(self.elements(source, inner, key, keys)?));
                    keys.push(")".into());
                }
                _ => {
                    let value = self.value(source, part, key)?;
                    keys.push(value.equality_key());
                    elements.push(Element::Value(value.text));
                }
            }
        }
        Some(elements)
    }

    /// Items without repeats (first wins); items the old system told apart only by the types of
    /// their values become one, with a warning.
    fn distinct_items(&mut self, source: &Source, items: Vec<ParsedItem>, key: &str) -> Vec<Vec<Element>> {
        let mut equal: HashSet<String> = HashSet::new();
        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut out = Vec::new();
        for ParsedItem { elements, text, key: equality, span } in items {
            if !equal.insert(equality) {
                continue;
            }
            match seen.get(&text) {
                Some(first) => {
                    let label = Label::new(&source.file, span, "the same text with other types");
                    self.diagnostics.push(
                        Diagnostic::new(
                            codes::MIGRATE_TYPES_MERGED,
                            format!("two items of `{key}` differ only in the YAML types of their values: two items in the old system, one in the migrated spec"),
                            label,
                        )
                        .with_label(Label::new(&source.file, first.clone(), "first item"))
                        .with_help("a .cohort value is text; remove one item, or give them different texts"),
                    );
                }
                None => {
                    seen.insert(text, span);
                    out.push(elements);
                }
            }
        }
        out
    }

    fn finish(mut self, comments_found: Vec<yaml::Comment>, text: &str, document: Option<&Document>) -> Translation {
        let first_key_line = document.and_then(|d| match &d.root.kind {
            NodeKind::Mapping(entries) => entries.first().map(|(k, _)| yaml::line_of(text, k.span.start)),
            _ => None,
        });
        let trailing = comments::place(&mut self.statements, comments_found, first_key_line);
        Translation {
            statements: self.statements.into_iter().map(|(statement, _)| statement).collect(),
            trailing_comments: trailing,
            diagnostics: self.diagnostics,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
    (yaml::line_of(text, offset) + 1, text[line_start..offset].chars().count() + 1)
}

/// The byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

mod includes;
mod rules;
