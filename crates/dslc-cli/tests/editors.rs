//! The editor files outside the Rust workspace stay in step with the language and the project
//! file: every statement keyword is in each grammar, syntax file and the snippets, and the
//! `dslc.toml` schema names exactly the keys `dslc-db` reads.

use std::path::{Path, PathBuf};

use dslc_db::project::CatalogField;
use dslc_syntax::lexer::KEYWORDS;
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().expect("an object").keys().cloned().collect();
    keys.sort();
    keys
}

#[test]
fn every_statement_keyword_is_in_every_editor_grammar() {
    let files = [
        "editors/vscode/syntaxes/cohort.tmLanguage.json",
        "editors/nvim/syntax/cohort.vim",
        "grammar/tree-sitter-cohort/grammar.js",
        "grammar/tree-sitter-cohort/queries/highlights.scm",
    ];
    for path in files {
        let text = read(path);
        for keyword in KEYWORDS {
            assert!(text.contains(keyword), "{path} does not know the keyword `{keyword}`");
        }
    }
}

#[test]
fn every_statement_has_a_snippet() {
    let snippets = json("editors/vscode/snippets/cohort.json");
    let bodies: Vec<String> = snippets
        .as_object()
        .unwrap()
        .values()
        .map(|s| s["body"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect::<Vec<_>>().join("\n"))
        .collect();
    for keyword in KEYWORDS {
        assert!(bodies.iter().any(|b| b.starts_with(&format!("{keyword} "))), "no snippet starts with `{keyword}`");
    }
}

#[test]
fn the_dslc_toml_schema_names_the_keys_dslc_reads() {
    let schema = json("editors/vscode/schemas/dslc.toml.schema.json");
    assert_eq!(keys(&schema["properties"]), ["catalogs", "data_root"]);
    assert_eq!(schema["additionalProperties"], Value::Bool(false));
    let catalogs = &schema["properties"]["catalogs"];
    let mut fields: Vec<String> = CatalogField::ALL.iter().map(|f| f.key().to_string()).collect();
    fields.sort();
    assert_eq!(keys(&catalogs["properties"]), fields);
    for field in CatalogField::ALL {
        let table = &catalogs["properties"][field.key()];
        assert_eq!(keys(&table["properties"]), ["column", "path"], "{}", field.key());
        assert_eq!(table["required"], serde_json::json!(["path"]), "{}", field.key());
        assert_eq!(table["properties"]["column"]["default"], field.default_source().1, "{}", field.key());
    }
}

#[test]
fn the_extension_contributes_files_that_exist() {
    let manifest = json("editors/vscode/package.json");
    let contributes = &manifest["contributes"];
    let paths = [
        contributes["languages"][0]["configuration"].as_str().unwrap(),
        contributes["grammars"][0]["path"].as_str().unwrap(),
        contributes["snippets"][0]["path"].as_str().unwrap(),
        contributes["tomlValidation"][0]["url"].as_str().unwrap(),
    ];
    for path in paths {
        assert!(root().join("editors/vscode").join(path).is_file(), "package.json names {path}, which is missing");
    }
    assert_eq!(contributes["languages"][0]["extensions"], serde_json::json!([".cohort"]));
    let configuration = json("editors/vscode/language-configuration.json");
    assert_eq!(configuration["comments"]["lineComment"], "#");
}
