//! The IDE API on inline fixtures, in the style of rust-analyzer's `ide` tests: a fixture is a
//! spec (with `$0` at the cursor) and optional extra files, each after a `--- path` line; the
//! expected answer is written next to it.

use std::path::{Path, PathBuf};

use dslc_db::{Database, Db, SourceFile};
use dslc_ide::{CompletionKind, SourceChange};

/// A fixture written into a fresh project directory (with a `dslc.toml`, so it is the root).
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    db: Database,
    spec: SourceFile,
    offset: usize,
}

/// Splits `text` into the spec (first, `spec.cohort`) and `--- path` sections, writes them, and
/// finds the `$0` cursor in the spec.
fn fixture(text: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("dslc.toml"), "").unwrap();
    let mut sections: Vec<(String, String)> = vec![("spec.cohort".into(), String::new())];
    for line in text.lines() {
        match line.strip_prefix("--- ") {
            Some(path) => sections.push((path.trim().to_string(), String::new())),
            None => {
                let body = &mut sections.last_mut().unwrap().1;
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    let spec_text = &sections[0].1;
    let offset = spec_text.find("$0").unwrap_or(0);
    for (i, (path, body)) in sections.iter().enumerate() {
        let body = if i == 0 { body.replacen("$0", "", 1) } else { body.clone() };
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    let db = Database::default();
    let spec = db.file(&root.join("spec.cohort"));
    Fixture { _dir: dir, root, db, spec, offset }
}

impl Fixture {
    fn text(&self, path: &Path) -> String {
        self.db.file(path).contents(&self.db).text.clone()
    }

    /// The text under a span of `path`.
    fn at(&self, path: &Path, span: &std::ops::Range<usize>) -> String {
        self.text(path)[span.clone()].to_string()
    }

    fn labels(&self) -> Vec<String> {
        dslc_ide::completions(&self.db, self.spec, self.offset).items.into_iter().map(|c| c.label).collect()
    }

    fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root).unwrap().display().to_string()
    }
}

/// Applies a change to the files on disk, last edit first so earlier spans stay valid.
fn apply(change: &SourceChange) {
    for (path, edits) in &change.edits {
        let mut text = std::fs::read_to_string(path).unwrap();
        for edit in edits.iter().rev() {
            text.replace_range(edit.span.clone(), &edit.new_text);
        }
        std::fs::write(path, text).unwrap();
    }
}

/// The error and warning codes `check` reports for a spec, read fresh from disk.
fn problems(spec: &Path) -> Vec<String> {
    let db = Database::default();
    dslc_db::check(&db, db.file(spec))
        .iter()
        .filter(|d| d.severity != dslc_syntax::codes::Severity::Note)
        .map(|d| format!("{} {}", d.code.id, d.message))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Completion

#[test]
fn subset_offers_the_current_levels_of_its_axis() {
    let f = fixture(
        "cohort c\naxis style = [plain, bold, italic, caps]\nsubset style = [plain, bold, italic]\n\
         subset style = [$0",
    );
    assert_eq!(f.labels(), ["plain", "bold", "italic"]);
}

#[test]
fn subset_of_a_file_axis_offers_the_file_levels() {
    let f = fixture("cohort c\naxis style = file(\"styles.txt\")\nsubset style = [b$0\n--- styles.txt\nplain\nbold\n");
    let found = dslc_ide::completions(&f.db, f.spec, f.offset);
    assert_eq!(found.items.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(), ["plain", "bold"]);
    // The word under the cursor is replaced.
    assert_eq!(f.at(&f.root.join("spec.cohort"), &found.items[0].replace), "b");
}

#[test]
fn balance_is_offered_after_a_pairs_axes() {
    let f = fixture("cohort c\naxis a = [x]\naxis b = [y]\npair p (a, b) $0");
    assert_eq!(f.labels(), ["balance"]);
    let f = fixture("cohort c\naxis a = [x]\naxis b = [y]\npair p (a, b) balance $0");
    assert_eq!(f.labels(), ["left", "right", "both"]);
}

#[test]
fn rule_axis_lists_offer_declared_names() {
    let f = fixture("cohort c\naxis a = [x]\naxis b = [y]\ntie t (a, b)\noutput $0");
    let found = dslc_ide::completions(&f.db, f.spec, f.offset);
    let got: Vec<(&str, CompletionKind)> = found.items.iter().map(|c| (c.label.as_str(), c.kind)).collect();
    assert_eq!(got, [("a", CompletionKind::Axis), ("b", CompletionKind::Axis), ("t", CompletionKind::Rule)]);
}

// ---------------------------------------------------------------------------------------------
// Hover, definition, references

#[test]
fn hover_on_a_rule_says_how_many_combinations_it_removes() {
    let f = fixture("cohort c\naxis a = [x1, x2]\naxis b = [y1, y2, y3]\npair p$0 (a, b) = [(x1, y1), (x2, y3)]\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert!(hover.markdown.ends_with("this pair removes 4 of 6 combinations"), "{}", hover.markdown);
    assert_eq!(f.at(&f.root.join("spec.cohort"), &hover.span), "p");
    let f = fixture("cohort c\naxis a = [x, y, z]\naxis b = [y, z, w]\ntie t$0 (a, b)\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert!(hover.markdown.ends_with("this tie removes 7 of 9 combinations"), "{}", hover.markdown);
    // A rule that keeps everything removes nothing.
    let f = fixture("cohort c\naxis a = [x]\naxis b = [y]\ntuple t$0 (a, b) = [(x, y)]\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert!(hover.markdown.ends_with("this tuple removes 0 of 1 combinations"), "{}", hover.markdown);
}

#[test]
fn hover_on_a_use_describes_the_axis() {
    let f = fixture("cohort c\naxis style = [plain, bold]\nsubset sty$0le = [plain]\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert!(hover.markdown.starts_with("**axis** `style` — 2 levels"), "{}", hover.markdown);
    assert_eq!(f.at(&f.root.join("spec.cohort"), &hover.span), "style");
}

#[test]
fn definition_of_a_use_is_the_declaration() {
    let f = fixture("cohort c\naxis a = [x]\naxis b = [y]\ntie t (a, b$0)\n");
    let found = dslc_ide::definition(&f.db, f.spec, f.offset).unwrap();
    let text = f.text(&found.path);
    assert_eq!(&text[found.span.clone()], "b");
    assert!(text[..found.span.start].ends_with("axis "), "points at the axis statement");
}

#[test]
fn definition_never_leaves_the_project_root() {
    let f = fixture("cohort c\naxis a = file(\"../out$0side.txt\")\n");
    assert_eq!(dslc_ide::definition(&f.db, f.spec, f.offset), None);
    let f = fixture("cohort c\naxis a = file(\"le$0vels.txt\")\n--- levels.txt\nx\n");
    assert_eq!(f.relative(&dslc_ide::definition(&f.db, f.spec, f.offset).unwrap().path), "levels.txt");
}

#[test]
fn references_include_csv_header_cells() {
    let f = fixture(
        "cohort c\ntuple t (tone, length) = file(\"items.csv\")\noutput to$0ne, length\n\
         --- items.csv\ntone,length\nwarm,short\n",
    );
    let found: Vec<(String, String)> = dslc_ide::references(&f.db, f.spec, f.offset)
        .iter()
        .map(|r| (f.relative(&r.path), f.at(&r.path, &r.span)))
        .collect();
    assert_eq!(
        found,
        [
            ("spec.cohort".into(), "tone".into()),
            ("spec.cohort".into(), "tone".into()),
            ("items.csv".into(), "tone".into())
        ]
    );
}

#[test]
fn a_pair_items_header_names_the_axes_of_a_tuple_side() {
    let f = fixture(
        "cohort c\naxis x = [a]\ntuple t (u$0, v) = [(b, c)]\npair p (x, t) = file(\"p.csv\")\n\
         --- p.csv\nx,u,v\na,b,c\n",
    );
    let found: Vec<(String, String)> = dslc_ide::references(&f.db, f.spec, f.offset)
        .iter()
        .map(|r| (f.relative(&r.path), f.at(&r.path, &r.span)))
        .collect();
    assert_eq!(found, [("spec.cohort".into(), "u".into()), ("p.csv".into(), "u".into())]);
}

// ---------------------------------------------------------------------------------------------
// Rename

#[test]
fn rename_changes_the_spec_and_the_csv_header_in_one_change() {
    let f = fixture(
        "cohort c\ntuple t (tone, length) = file(\"items.csv\")\noutput to$0ne, length\n\
         --- items.csv\ntone,length\nwarm,short\n",
    );
    let spec_path = f.root.join("spec.cohort");
    let before = problems(&spec_path);
    let span = dslc_ide::prepare_rename(&f.db, f.spec, f.offset).unwrap().unwrap();
    assert_eq!(f.at(&spec_path, &span), "tone");
    let change = dslc_ide::rename(&f.db, f.spec, f.offset, "voice").unwrap().unwrap();
    let files: Vec<String> = change.edits.iter().map(|(p, e)| format!("{} ×{}", f.relative(p), e.len())).collect();
    assert_eq!(files, ["spec.cohort ×2", "items.csv ×1"]);
    apply(&change);
    assert_eq!(std::fs::read_to_string(f.root.join("items.csv")).unwrap(), "voice,length\nwarm,short\n");
    assert!(std::fs::read_to_string(&spec_path).unwrap().contains("tuple t (voice, length)"));
    assert_eq!(problems(&spec_path), before);
}

#[test]
fn renaming_a_stage_field_is_refused() {
    let f = fixture("cohort c\naxis draft_tem$0plate = [a]\n");
    let refusal = dslc_ide::prepare_rename(&f.db, f.spec, f.offset).unwrap_err();
    assert!(refusal.starts_with("renaming a stage field changes what the spec means"), "{refusal}");
    assert!(dslc_ide::rename(&f.db, f.spec, f.offset, "style").is_err());
}

#[test]
fn rename_refuses_stage_field_targets_taken_names_and_bad_names() {
    let f = fixture("cohort c\naxis st$0yle = [a]\naxis tone = [b]\n");
    let rename = |new: &str| dslc_ide::rename(&f.db, f.spec, f.offset, new).unwrap_err();
    assert!(rename("essay_llm").contains("stage field"), "{}", rename("essay_llm"));
    assert_eq!(rename("tone"), "`tone` is already declared as an axis in this spec");
    assert_eq!(rename("two words"), "`two words` is not a valid name");
    assert_eq!(rename("axis"), "`axis` is not a valid name");
}

#[test]
fn nothing_to_rename_on_a_keyword() {
    let f = fixture("coh$0ort c\naxis a = [x]\n");
    assert_eq!(dslc_ide::prepare_rename(&f.db, f.spec, f.offset), Ok(None));
}

// ---------------------------------------------------------------------------------------------
// Symbols, hints, folding

#[test]
fn workspace_symbols_filter_by_query() {
    let f = fixture("cohort c\naxis alpha = [x]\naxis beta = [y]\ntie alphabet (alpha, beta)\n");
    let names: Vec<String> =
        dslc_ide::workspace_symbols(&f.db, &[f.spec], "ALPHA").into_iter().map(|(_, s)| s.name).collect();
    assert_eq!(names, ["alpha", "alphabet"]);
}

#[test]
fn inlay_hints_only_in_the_range() {
    let f = fixture("cohort c\naxis a = [x, y]\naxis b = [z]\n$0");
    let all: Vec<String> = dslc_ide::inlay_hints(&f.db, f.spec, 0..f.offset).into_iter().map(|h| h.label).collect();
    assert!(all.contains(&"2 levels".to_string()) && all.contains(&"1 levels".to_string()), "{all:?}");
    let second_line_end = "cohort c\naxis a = [x, y]".len();
    let first: Vec<String> =
        dslc_ide::inlay_hints(&f.db, f.spec, 9..second_line_end).into_iter().map(|h| h.label).collect();
    assert_eq!(first, ["2 levels"]);
}

#[test]
fn folding_covers_multiline_statements_and_comment_runs() {
    let f = fixture("# one\n# two\ncohort c\naxis a = [\n  x,\n  y,\n]\naxis b = [z]\n");
    let spec_path = f.root.join("spec.cohort");
    let folds: Vec<String> =
        dslc_ide::folding_ranges(&f.db, f.spec).iter().map(|fold| f.at(&spec_path, &fold.span)).collect();
    assert_eq!(folds, ["# one\n# two", "axis a = [\n  x,\n  y,\n]"]);
}

#[test]
fn quick_fix_replaces_a_misspelt_name() {
    let f = fixture("cohort c\naxis style = [a]\nsubset styel$0 = [a]\n");
    let fixes = dslc_ide::quick_fixes(&f.db, f.spec, f.offset..f.offset);
    let titles: Vec<&str> = fixes.iter().map(|fix| fix.title.as_str()).collect();
    assert_eq!(titles, ["Replace with `style`"]);
    assert!(fixes[0].preferred);
}

#[test]
fn quick_fix_corrects_a_misspelt_keyword() {
    let f = fixture("cohort c\ntupel$0 t (style, size) = [(plain, 1)]\n");
    let spec_path = f.root.join("spec.cohort");
    assert!(problems(&spec_path).iter().any(|p| p.starts_with("E0010")));
    let fixes = dslc_ide::quick_fixes(&f.db, f.spec, f.offset..f.offset);
    let titles: Vec<&str> = fixes.iter().map(|fix| fix.title.as_str()).collect();
    assert_eq!(titles, ["Replace with `tuple`"]);
    assert_eq!(fixes[0].diagnostics[0].code.id, "E0010");
    apply(&fixes[0].change);
    assert_eq!(std::fs::read_to_string(&spec_path).unwrap(), "cohort c\ntuple t (style, size) = [(plain, 1)]\n");
    assert!(!problems(&spec_path).iter().any(|p| p.starts_with('E')), "{:?}", problems(&spec_path));
}

#[test]
fn no_keyword_fix_for_a_word_that_is_no_keyword_typo() {
    let f = fixture("cohort c\nfrobnicate$0 t (a, b)\n");
    assert!(dslc_ide::quick_fixes(&f.db, f.spec, f.offset..f.offset).is_empty());
}

#[test]
fn quick_fix_renames_a_stage_field_alias_everywhere() {
    let f = fixture("cohort c\naxis draft_model$0 = file(\"models.csv\")\n--- models.csv\ndraft_model\nm1\n");
    let spec_path = f.root.join("spec.cohort");
    assert!(problems(&spec_path).iter().any(|p| p.starts_with("W0402")));
    let fixes = dslc_ide::quick_fixes(&f.db, f.spec, f.offset..f.offset);
    let titles: Vec<&str> = fixes.iter().map(|fix| fix.title.as_str()).collect();
    assert_eq!(titles, ["Rename `draft_model` to the stage field `draft_llm`"]);
    assert!(fixes[0].preferred);
    let files: Vec<String> = fixes[0].change.edits.iter().map(|(path, _)| f.relative(path)).collect();
    assert_eq!(files, ["spec.cohort", "models.csv"]);
    apply(&fixes[0].change);
    assert_eq!(std::fs::read_to_string(&spec_path).unwrap(), "cohort c\naxis draft_llm = file(\"models.csv\")\n");
    assert_eq!(std::fs::read_to_string(f.root.join("models.csv")).unwrap(), "draft_llm\nm1\n");
    assert!(!problems(&spec_path).iter().any(|p| p.starts_with("W0402")), "{:?}", problems(&spec_path));
}

#[test]
fn no_alias_fix_outside_the_requested_range() {
    let f = fixture("cohort c\naxis draft_model = [m1]\naxis x$0 = [a]\n");
    assert!(dslc_ide::quick_fixes(&f.db, f.spec, f.offset..f.offset).is_empty());
}

#[test]
fn project_specs_lists_the_specs_under_the_root_but_not_hidden_or_build_directories() {
    let f = fixture(
        "cohort c\n--- sub/other.cohort\ncohort o\naxis loom = [x]\n--- .hidden/h.cohort\ncohort h\n\
         --- target/t.cohort\ncohort t\n--- node_modules/n.cohort\ncohort n\n--- notes.txt\nx\n",
    );
    let specs: Vec<String> = dslc_ide::project_specs(&f.db, &[f.spec]).iter().map(|p| f.relative(p)).collect();
    assert_eq!(specs, ["spec.cohort", "sub/other.cohort"]);
    let other: Vec<SourceFile> = dslc_ide::project_specs(&f.db, &[f.spec]).iter().map(|p| f.db.file(p)).collect();
    let found: Vec<String> = dslc_ide::workspace_symbols(&f.db, &other, "loo")
        .into_iter()
        .map(|(path, s)| format!("{} {}", f.relative(&path), s.name))
        .collect();
    assert_eq!(found, ["sub/other.cohort loom"]);
}

// ---------------------------------------------------------------------------------------------
// The example project

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn specs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            specs_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "cohort") {
            out.push(path);
        }
    }
    out.sort();
}

/// Every name of every spec in examples/project, renamed in a fresh copy: either the rename is
/// refused because the name is a stage field, or afterwards every spec checks as before (clean).
#[test]
fn renaming_any_name_in_the_example_project_keeps_it_clean() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/project");
    let mut originals = Vec::new();
    specs_under(&example, &mut originals);
    assert!(!originals.is_empty());
    let (mut renamed, mut refused) = (0, 0);
    for original in &originals {
        let names: Vec<String> = {
            let db = Database::default();
            dslc_db::names::name_table(&db, db.file(original)).symbols.iter().map(|s| s.name.clone()).collect()
        };
        for name in names {
            let dir = tempfile::tempdir().unwrap();
            let copy = dir.path().canonicalize().unwrap().join("project");
            copy_dir(&example, &copy);
            let mut specs = Vec::new();
            specs_under(&copy, &mut specs);
            let spec = copy.join(original.strip_prefix(&example).unwrap());
            let before: Vec<Vec<String>> = specs.iter().map(|s| problems(s)).collect();
            assert!(before.iter().all(Vec::is_empty), "the example project checks clean: {before:?}");
            let db = Database::default();
            let file = db.file(&spec);
            let offset = dslc_db::names::name_table(&db, file).get(&name).unwrap().definition().span.start;
            match dslc_ide::rename(&db, file, offset, &format!("renamed_{name}")) {
                Err(reason) => {
                    assert!(
                        reason.starts_with("renaming a stage field changes what the spec means"),
                        "{name}: {reason}"
                    );
                    refused += 1;
                }
                Ok(change) => {
                    let change = change.unwrap();
                    apply(&change);
                    let after: Vec<Vec<String>> = specs.iter().map(|s| problems(s)).collect();
                    assert_eq!(after, before, "after renaming `{name}` in {}", spec.display());
                    let fresh = Database::default();
                    let table = dslc_db::names::name_table(&fresh, fresh.file(&spec));
                    assert!(table.get(&name).is_none() && table.get(&format!("renamed_{name}")).is_some());
                    renamed += 1;
                }
            }
        }
    }
    assert!(renamed >= 5 && refused >= 10, "renamed {renamed}, refused {refused}");
}

// ---------------------------------------------------------------------------------------------
// The reuse statement

#[test]
fn reuse_is_a_keyword_and_is_followed_by_from_or_none() {
    let f = fixture("cohort c\n$0");
    assert!(f.labels().contains(&"reuse".to_string()), "{:?}", f.labels());
    let f = fixture("cohort c\nreuse $0");
    assert_eq!(f.labels(), ["from", "none"]);
    let f = fixture("cohort c\nreuse from [$0");
    assert!(f.labels().is_empty(), "{:?}", f.labels());
}

#[test]
fn hover_on_reuse_explains_it_and_its_cohorts() {
    let f = fixture("cohort c\nre$0use from [pilot-2026-01, \"cohort b\"]\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert!(hover.markdown.starts_with("**reuse** — which earlier cohorts' generations"), "{}", hover.markdown);
    assert!(hover.markdown.ends_with("allows: `pilot-2026-01`, `cohort b`"), "{}", hover.markdown);
    assert_eq!(f.at(&f.root.join("spec.cohort"), &hover.span), "reuse");
    let f = fixture("cohort c\nreuse from [pilot-2026-01, \"coh$0ort b\"]\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert_eq!(hover.markdown, "`cohort b`: an earlier cohort whose generations this cohort may reuse");
    assert_eq!(f.at(&f.root.join("spec.cohort"), &hover.span), "\"cohort b\"");
    let f = fixture("cohort c\nreuse no$0ne\n");
    let hover = dslc_ide::hover(&f.db, f.spec, f.offset).unwrap();
    assert!(hover.markdown.ends_with("allows: no earlier cohort"), "{}", hover.markdown);
    assert_eq!(f.at(&f.root.join("spec.cohort"), &hover.span), "none");
}

#[test]
fn reuse_is_a_document_symbol_and_its_words_are_keyword_tokens() {
    let f = fixture("cohort c\naxis a = [from]\nreuse from [none, b]\n");
    let symbols = dslc_ide::document_symbols(&f.db, f.spec);
    let reuse = symbols.iter().find(|s| s.kind == dslc_ide::SymbolKind::Policy).unwrap();
    assert_eq!((reuse.name.as_str(), reuse.detail.as_deref()), ("reuse", Some("from none, b")));
    let spec = f.root.join("spec.cohort");
    assert_eq!(f.at(&spec, &reuse.selection), "reuse");
    assert_eq!(f.at(&spec, &reuse.span), "reuse from [none, b]");
    let tokens: Vec<(String, dslc_ide::TokenKind)> = dslc_ide::semantic_tokens(&f.db, f.spec)
        .into_iter()
        .filter(|t| t.span.start >= "cohort c\naxis a = [".len())
        .map(|t| (f.at(&spec, &t.span), t.kind))
        .collect();
    use dslc_ide::TokenKind::{Keyword, Value};
    let expected = [("from", Value), ("reuse", Keyword), ("from", Keyword), ("none", Value), ("b", Value)];
    let expected: Vec<(String, dslc_ide::TokenKind)> = expected.iter().map(|(t, k)| (t.to_string(), *k)).collect();
    assert_eq!(tokens, expected);
}
