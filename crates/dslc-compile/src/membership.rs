//! Reads compiled cohorts back: `membership.csv` in the slim or the wide (old system's) schema,
//! detected by its header, and `stage_manifest.json` beside it; and the store's metadata.json.
//!
//! Every problem is a [`ReadError`] naming the file, the line where there is one, and what to do.
//! Reads are bounded by `MAX_FILE_BYTES`, like every other file dslc reads.

use std::fmt;
use std::path::{Path, PathBuf};

use dslc_db::files::{FileContents, FileStatus, MAX_FILE_BYTES};
use rustc_hash::FxHashMap as HashMap;
use serde_json::Value;

use crate::gen_id::Stage;
use crate::store::{gen_id_shape, metadata_path, parse_gen_id};

/// The slim header `dslc compile` writes by default.
pub const SLIM_COLUMNS: [&str; 3] = ["stage", "gen_id", "cohort_id"];

/// The wide header of the old system (and of `dslc compile --wide`).
pub const WIDE_COLUMNS: [&str; 8] =
    ["stage", "gen_id", "origin_cohort_id", "parent_gen_id", "combo_id", "template_id", "llm_model_id", "replicate"];

/// The journal that marks an unfinished commit (`output.rs`): its directory must not be read.
const COMMIT_JOURNAL: &str = ".dslc-commit-in-progress";

/// A problem reading a compiled cohort: where, what, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    pub path: PathBuf,
    /// 1-based, when the problem is on one line.
    pub line: Option<u64>,
    pub message: String,
    pub help: String,
}

impl ReadError {
    fn new(path: &Path, line: Option<u64>, message: impl Into<String>, help: impl Into<String>) -> Self {
        ReadError { path: path.to_path_buf(), line, message: message.into(), help: help.into() }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Which header a membership has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Schema {
    Slim,
    Wide,
}

impl Schema {
    pub fn name(self) -> &'static str {
        match self {
            Schema::Slim => "slim",
            Schema::Wide => "wide",
        }
    }
}

/// What explains an entry: its template, model, combo, parent and replicate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub template_id: String,
    pub llm_model_id: String,
    pub combo_id: String,
    /// `None` for drafts.
    pub parent_gen_id: Option<String>,
    pub replicate: String,
}

/// One row of a membership.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub stage: Stage,
    pub gen_id: String,
    pub cohort_id: String,
    /// The 1-based line of the row.
    pub line: u64,
    /// The wide schema's own columns; `None` in a slim membership.
    pub wide: Option<Details>,
}

/// One entry of `stage_manifest.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestEntry {
    pub gen_id: String,
    pub stage: Stage,
    pub details: Details,
    pub origin_cohort_id: String,
}

/// `stage_manifest.json`, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageManifest {
    pub path: PathBuf,
    pub entries: Vec<ManifestEntry>,
    index: HashMap<String, usize>,
}

impl StageManifest {
    pub fn get(&self, gen_id: &str) -> Option<&ManifestEntry> {
        self.index.get(gen_id).map(|&i| &self.entries[i])
    }
}

/// A compiled cohort read back: its membership and, when present, its stage manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cohort {
    pub membership_path: PathBuf,
    pub schema: Option<Schema>,
    pub members: Vec<Member>,
    pub stage_manifest: Option<StageManifest>,
    index: HashMap<String, usize>,
}

impl Cohort {
    /// Reads a compiled output directory, or a `membership.csv` file, with the
    /// `stage_manifest.json` beside it when there is one.
    pub fn open(path: &Path) -> Result<Cohort, ReadError> {
        let (membership_path, dir) = if path.is_dir() {
            if path.join(COMMIT_JOURNAL).exists() {
                return Err(ReadError::new(
                    path,
                    None,
                    format!("{COMMIT_JOURNAL} records an unfinished commit, so its files may come from two runs"),
                    format!(
                        "run `dslc compile SPEC --out {}` to finish the commit, then read it again",
                        path.display()
                    ),
                ));
            }
            let membership = path.join("membership.csv");
            if !membership.exists() {
                return Err(ReadError::new(
                    path,
                    None,
                    "this directory has no membership.csv",
                    format!("name a directory `dslc compile SPEC --out DIR` wrote, or write one: `dslc compile SPEC --out {}`", path.display()),
                ));
            }
            (membership, path.to_path_buf())
        } else {
            (path.to_path_buf(), path.parent().map(Path::to_path_buf).unwrap_or_default())
        };
        let mut cohort = read_membership(&membership_path)?;
        let manifest_path = dir.join("stage_manifest.json");
        if manifest_path.exists() {
            cohort.stage_manifest = Some(read_stage_manifest(&manifest_path)?);
        }
        Ok(cohort)
    }

    pub fn get(&self, gen_id: &str) -> Option<&Member> {
        self.index.get(gen_id).map(|&i| &self.members[i])
    }

    /// What explains a member: the wide row's own columns, else its stage manifest entry.
    pub fn details<'a>(&'a self, member: &'a Member) -> Option<&'a Details> {
        member.wide.as_ref().or_else(|| self.stage_manifest.as_ref()?.get(&member.gen_id).map(|e| &e.details))
    }

    /// The members of one stage, in file order.
    pub fn of_stage(&self, stage: Stage) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(move |m| m.stage == stage)
    }
}

/// Reads a bounded file as text; a missing or unreadable file is an error with a help line.
fn read_text(path: &Path, what: &str) -> Result<String, ReadError> {
    let contents = FileContents::read(path);
    match contents.status {
        FileStatus::Present => {}
        FileStatus::Missing => {
            return Err(ReadError::new(path, None, "no such file", format!("check the path of the {what}")))
        }
        FileStatus::Unreadable(reason) => {
            let help = format!("name a regular file of at most {} MiB", MAX_FILE_BYTES >> 20);
            return Err(ReadError::new(path, None, format!("cannot read it: {reason}"), help));
        }
    }
    // Invalid UTF-8 was replaced by U+001A one byte for one, so its line can be told.
    if let Some(at) = contents.text.find('\u{1a}') {
        let line = contents.text[..at].matches('\n').count() as u64 + 1;
        return Err(ReadError::new(path, Some(line), "not valid UTF-8", format!("save the {what} as UTF-8")));
    }
    Ok(contents.text)
}

fn parse_stage(text: &str) -> Option<Stage> {
    match text {
        "draft" => Some(Stage::Draft),
        "essay" => Some(Stage::Essay),
        "evaluation" => Some(Stage::Evaluation),
        _ => None,
    }
}

/// Reads `membership.csv` alone, slim or wide by its header (columns in any order).
pub fn read_membership(path: &Path) -> Result<Cohort, ReadError> {
    parse_membership(path, &read_text(path, "membership")?)
}

/// Parses a membership's text; `path` only names it in errors (`compile --diff` parses what it
/// is about to write).
pub fn parse_membership(path: &Path, text: &str) -> Result<Cohort, ReadError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut cohort = Cohort { membership_path: path.to_path_buf(), ..Cohort::default() };
    let mut record = csv::StringRecord::new();
    let malformed = |e: csv::Error| {
        let line = e.position().map(|p| p.line());
        ReadError::new(path, line, format!("malformed CSV: {e}"), "write the file as RFC 4180 CSV, or compile it again")
    };
    if !reader.read_record(&mut record).map_err(malformed)? {
        return Err(ReadError::new(
            path,
            None,
            "the file is empty",
            format!("a membership starts with the header `{}`", SLIM_COLUMNS.join(",")),
        ));
    }
    let header: Vec<String> = record.iter().map(str::to_string).collect();
    let (schema, columns) = detect_schema(path, &header)?;
    cohort.schema = Some(schema);
    while reader.read_record(&mut record).map_err(malformed)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != header.len() {
            return Err(ReadError::new(
                path,
                Some(line),
                format!("malformed CSV: the row has {} fields, the header {}", record.len(), header.len()),
                "every row needs one field per header column; quote fields that contain commas",
            ));
        }
        let cell = |name: &str| record.get(columns[name]).unwrap_or_default();
        let stage_text = cell("stage");
        let Some(stage) = parse_stage(stage_text) else {
            return Err(ReadError::new(
                path,
                Some(line),
                format!("unknown stage `{stage_text}`"),
                "the stage is one of draft, essay, evaluation",
            ));
        };
        let gen_id = cell("gen_id");
        if parse_gen_id(stage, gen_id).is_none() || gen_id.trim() != gen_id {
            return Err(ReadError::new(
                path,
                Some(line),
                format!("`{gen_id}` is not a {} generation ID", stage.name()),
                format!("a {} gen_id is {}", stage.name(), gen_id_shape(stage)),
            ));
        }
        if let Some(&first) = cohort.index.get(gen_id) {
            return Err(ReadError::new(
                path,
                Some(line),
                format!("duplicate gen_id `{gen_id}`, first on line {}", cohort.members[first].line),
                "a membership lists each gen_id once: compile it again",
            ));
        }
        let wide = (schema == Schema::Wide).then(|| {
            let parent = cell("parent_gen_id");
            Details {
                template_id: cell("template_id").to_string(),
                llm_model_id: cell("llm_model_id").to_string(),
                combo_id: cell("combo_id").to_string(),
                parent_gen_id: (!parent.is_empty()).then(|| parent.to_string()),
                replicate: cell("replicate").to_string(),
            }
        });
        let cohort_id = cell(if schema == Schema::Wide { "origin_cohort_id" } else { "cohort_id" }).to_string();
        cohort.index.insert(gen_id.to_string(), cohort.members.len());
        cohort.members.push(Member { stage, gen_id: gen_id.to_string(), cohort_id, line, wide });
    }
    Ok(cohort)
}

/// Tells slim from wide by the header's column names, and maps each name to its position.
fn detect_schema(path: &Path, header: &[String]) -> Result<(Schema, HashMap<&'static str, usize>), ReadError> {
    let help = format!(
        "a membership's header is `{}` (slim) or `{}` (wide), in any order",
        SLIM_COLUMNS.join(","),
        WIDE_COLUMNS.join(",")
    );
    let wrong = |message: String| ReadError::new(path, Some(1), message, help.clone());
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(wrong(format!("the column `{name}` appears twice")));
        }
    }
    let has = |name: &str| header.iter().any(|h| h == name);
    let schema =
        if has("origin_cohort_id") || WIDE_COLUMNS[3..].iter().any(|c| has(c)) { Schema::Wide } else { Schema::Slim };
    let expected: &[&'static str] = if schema == Schema::Wide { &WIDE_COLUMNS } else { &SLIM_COLUMNS };
    if let Some(unknown) = header.iter().find(|h| !expected.contains(&h.as_str())) {
        return Err(wrong(format!("unknown column `{unknown}` in a {} membership", schema.name())));
    }
    let missing: Vec<&str> = expected.iter().copied().filter(|c| !has(c)).collect();
    if !missing.is_empty() {
        return Err(wrong(format!("missing column(s) {} of a {} membership", quoted(&missing), schema.name())));
    }
    let columns = expected.iter().map(|&c| (c, header.iter().position(|h| h == c).unwrap_or_default())).collect();
    Ok((schema, columns))
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

/// The 1-based line on which `"key"` first appears in a JSON text, to point at an entry.
fn line_of_key(text: &str, key: &str) -> Option<u64> {
    let at = text.find(&format!("\"{key}\""))?;
    Some(text[..at].matches('\n').count() as u64 + 1)
}

/// A JSON value as the text a CSV cell would hold: strings as they are, numbers as written.
fn scalar_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads `stage_manifest.json`: one object keyed by gen_id (outputs.md).
pub fn read_stage_manifest(path: &Path) -> Result<StageManifest, ReadError> {
    parse_stage_manifest(path, &read_text(path, "stage manifest")?)
}

const REGENERATE: &str = "compile the cohort again to rewrite stage_manifest.json";

/// Parses a stage manifest's text; `path` only names it in errors. Entries are converted as they
/// are read, so no tree of the whole file is ever held, and a repeated gen_id is caught (a JSON
/// object would keep only its last value).
pub fn parse_stage_manifest(path: &Path, text: &str) -> Result<StageManifest, ReadError> {
    let mut manifest = StageManifest { path: path.to_path_buf(), ..StageManifest::default() };
    let mut failure = None;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let visitor = ManifestVisitor { path, text, manifest: &mut manifest, failure: &mut failure };
    let parsed = serde::Deserializer::deserialize_map(&mut deserializer, visitor).and_then(|()| deserializer.end());
    if let Some(failure) = failure {
        return Err(failure);
    }
    parsed.map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ReadError::new(path, Some(1), "the stage manifest is not a JSON object keyed by gen_id", REGENERATE)
        }
        _ => ReadError::new(path, Some(e.line() as u64), format!("malformed JSON: {e}"), REGENERATE),
    })?;
    Ok(manifest)
}

/// Fills a [`StageManifest`] entry by entry; a problem is left in `failure` (with the entry's
/// line, looked up only then) and stops the parse.
struct ManifestVisitor<'a> {
    path: &'a Path,
    text: &'a str,
    manifest: &'a mut StageManifest,
    failure: &'a mut Option<ReadError>,
}

impl<'de> serde::de::Visitor<'de> for ManifestVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object keyed by gen_id")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(gen_id) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            let entry = if self.manifest.index.contains_key(&gen_id) {
                Err("the gen_id appears twice".to_string())
            } else {
                manifest_entry(&gen_id, value)
            };
            match entry {
                Ok(entry) => {
                    self.manifest.index.insert(gen_id, self.manifest.entries.len());
                    self.manifest.entries.push(entry);
                }
                Err(message) => {
                    let line = line_of_key(self.text, &gen_id);
                    *self.failure =
                        Some(ReadError::new(self.path, line, format!("entry `{gen_id}`: {message}"), REGENERATE));
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
        }
        Ok(())
    }
}

fn manifest_entry(gen_id: &str, value: Value) -> Result<ManifestEntry, String> {
    let Value::Object(fields) = value else { return Err("not a JSON object".into()) };
    let text_of = |key: &str| scalar_text(fields.get(key)).ok_or_else(|| format!("no `{key}` string"));
    let stage_text = text_of("stage")?;
    let stage = parse_stage(&stage_text)
        .ok_or_else(|| format!("unknown stage `{stage_text}`; the stage is one of draft, essay, evaluation"))?;
    if parse_gen_id(stage, gen_id).is_none() {
        return Err(format!("not a {} generation ID ({})", stage.name(), gen_id_shape(stage)));
    }
    let parent_gen_id = match fields.get("parent_gen_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("`parent_gen_id` is neither a string nor null".into()),
    };
    let details = Details {
        template_id: text_of("template_id")?,
        llm_model_id: text_of("llm_model_id")?,
        combo_id: text_of("combo_id")?,
        parent_gen_id,
        replicate: text_of("replicate")?,
    };
    Ok(ManifestEntry { gen_id: gen_id.to_string(), stage, details, origin_cohort_id: text_of("origin_cohort_id")? })
}

/// Where a member's `metadata.json` lives in the store, if its gen_id can name a path there.
pub fn store_metadata_path(root: &Path, stage: Stage, gen_id: &str) -> Option<PathBuf> {
    parse_gen_id(stage, gen_id).map(|id| metadata_path(root, stage, &id))
}

/// Reads a member's `metadata.json` from the store: `Ok(None)` when it has none. A draft's
/// metadata has its `combo_id`; an essay's or evaluation's combo is its draft's, so it is empty
/// here.
pub fn read_store_details(root: &Path, stage: Stage, gen_id: &str) -> Result<Option<Details>, ReadError> {
    let Some(path) = store_metadata_path(root, stage, gen_id) else { return Ok(None) };
    if !path.exists() {
        return Ok(None);
    }
    let text = read_text(&path, "metadata.json")?;
    let help = "the store's metadata.json is a JSON object that `dslc compile --seed-metadata` writes";
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| ReadError::new(&path, Some(e.line() as u64), format!("malformed JSON: {e}"), help))?;
    let Value::Object(fields) = value else {
        return Err(ReadError::new(&path, Some(1), "metadata.json is not a JSON object", help));
    };
    let get = |keys: &[&str]| keys.iter().find_map(|k| scalar_text(fields.get(*k))).unwrap_or_default();
    let template_key = format!("{}_template", stage.name());
    Ok(Some(Details {
        template_id: get(&["template_id", &template_key]),
        llm_model_id: get(&["llm_model_id"]),
        combo_id: get(&["combo_id"]),
        parent_gen_id: scalar_text(fields.get("parent_gen_id")),
        replicate: scalar_text(fields.get("replicate")).unwrap_or_else(|| "1".into()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_slim_and_wide_by_header() {
        let dir = tempfile::tempdir().unwrap();
        let slim = write(dir.path(), "slim.csv", "stage,gen_id,cohort_id\ndraft,d_1,c\nessay,e_2,c\n");
        let cohort = read_membership(&slim).unwrap();
        assert_eq!(cohort.schema, Some(Schema::Slim));
        assert_eq!(cohort.members.len(), 2);
        assert_eq!(cohort.members[1].line, 3);
        assert!(cohort.members[1].wide.is_none());
        // Columns are read by name, so a reordered wide header is still wide.
        let wide = write(
            dir.path(),
            "wide.csv",
            "gen_id,stage,origin_cohort_id,parent_gen_id,combo_id,template_id,llm_model_id,replicate\n\
             d_1,draft,c,,k,t,m,1\ne_2,essay,c,d_1,k,u,m,2\n",
        );
        let cohort = read_membership(&wide).unwrap();
        assert_eq!(cohort.schema, Some(Schema::Wide));
        // CRLF line ends and quoted fields are RFC 4180 too.
        let quoted = write(dir.path(), "crlf.csv", "stage,gen_id,cohort_id\r\ndraft,d_1,\"a,\"\"b\"\"\"\r\n");
        assert_eq!(read_membership(&quoted).unwrap().members[0].cohort_id, "a,\"b\"");
        let essay = cohort.get("e_2").unwrap();
        assert_eq!(essay.wide.as_ref().unwrap().parent_gen_id.as_deref(), Some("d_1"));
        assert_eq!(cohort.details(essay).unwrap().template_id, "u");
    }

    #[test]
    fn every_problem_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("stage,gen_id\n", Some(1), "missing column(s) `cohort_id`"),
            ("stage,gen_id,cohort_id,extra\n", Some(1), "unknown column `extra`"),
            ("stage,gen_id,gen_id\n", Some(1), "appears twice"),
            ("stage,gen_id,cohort_id\ndraft,d_1\n", Some(2), "the row has 2 fields"),
            ("stage,gen_id,cohort_id\nsketch,d_1,c\n", Some(2), "unknown stage `sketch`"),
            ("stage,gen_id,cohort_id\ndraft,e_1,c\n", Some(2), "not a draft generation ID"),
            ("stage,gen_id,cohort_id\ndraft,d_1,c\ndraft,d_1,c\n", Some(3), "duplicate gen_id `d_1`, first on line 2"),
            ("", None, "the file is empty"),
        ];
        for (text, line, message) in cases {
            let path = write(dir.path(), "m.csv", text);
            let error = read_membership(&path).unwrap_err();
            assert_eq!(error.line, line, "{text:?}: {error}");
            assert!(error.message.contains(message), "{text:?}: {error}");
            assert!(!error.help.is_empty());
        }
        let bytes = dir.path().join("bad.csv");
        std::fs::write(&bytes, b"stage,gen_id,cohort_id\ndraft,d_1,\xff\n").unwrap();
        assert_eq!(read_membership(&bytes).unwrap_err().line, Some(2));
    }

    #[test]
    fn a_directory_needs_a_membership_and_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Cohort::open(dir.path()).unwrap_err().message.contains("no membership.csv"));
        write(dir.path(), "membership.csv", "stage,gen_id,cohort_id\ndraft,d_1,c\n");
        write(
            dir.path(),
            "stage_manifest.json",
            r#"{"d_1": {"stage": "draft", "template_id": "t", "llm_model_id": "m", "combo_id": "k", "parent_gen_id": null, "replicate": 1, "origin_cohort_id": "c"}}"#,
        );
        let cohort = Cohort::open(dir.path()).unwrap();
        assert_eq!(cohort.details(&cohort.members[0]).unwrap().replicate, "1");
        write(dir.path(), COMMIT_JOURNAL, "{}");
        assert!(Cohort::open(dir.path()).unwrap_err().message.contains("unfinished commit"));
    }

    #[test]
    fn a_large_stage_manifest_reads_in_linear_time() {
        // Looking up each entry's line as it was read made this quadratic (minutes at 50,000).
        let mut text = String::from("{\n");
        for i in 0..50_000u32 {
            let comma = if i + 1 < 50_000 { "," } else { "" };
            text.push_str(&format!(
                "  \"d_{i:x}\": {{\"stage\": \"draft\", \"template_id\": \"t\", \"llm_model_id\": \"m\", \"combo_id\": \"k\", \"parent_gen_id\": null, \"replicate\": 1, \"origin_cohort_id\": \"c\"}}{comma}\n"
            ));
        }
        text.push_str("}\n");
        let started = std::time::Instant::now();
        let manifest = parse_stage_manifest(Path::new("stage_manifest.json"), &text).unwrap();
        assert_eq!(manifest.entries.len(), 50_000);
        assert!(started.elapsed().as_secs() < 30, "took {:?}", started.elapsed());
    }

    #[test]
    fn stage_manifest_problems() {
        let dir = tempfile::tempdir().unwrap();
        let cases = [
            ("[1]", "not a JSON object keyed by gen_id"),
            ("{\"d_1\": 3}", "entry `d_1`: not a JSON object"),
            ("{\"d_1\": {\"stage\": \"draft\"}}", "no `template_id` string"),
            ("{\n\"d_1\": {\"stage\": \"sketch\"}}", "unknown stage `sketch`"),
            ("{", "malformed JSON"),
            (
                "{\"d_1\": {\"stage\": \"draft\", \"template_id\": \"t\", \"llm_model_id\": \"m\", \"combo_id\": \"k\", \"replicate\": 1, \"origin_cohort_id\": \"c\"},\n \"d_1\": {}}",
                "entry `d_1`: the gen_id appears twice",
            ),
        ];
        for (text, message) in cases {
            let path = write(dir.path(), "stage_manifest.json", text);
            let error = read_stage_manifest(&path).unwrap_err();
            assert!(error.message.contains(message), "{text:?}: {error}");
        }
        let path = write(dir.path(), "stage_manifest.json", "{\n\"d_1\": {\"stage\": \"sketch\"}}");
        assert_eq!(read_stage_manifest(&path).unwrap_err().line, Some(2));
    }
}
