//! `@file:` includes: where they point, whether they can be read, and what they hold (CSV and
//! TXT files stay `file(…)` after their columns are checked; YAML and JSON files are inlined).

use std::ops::Range;
use std::path::{Path, PathBuf};

use dslc_db::diagnostic::FilePath;
use dslc_db::{Db, FileStatus};
use dslc_syntax::codes;

use super::{flavor_of, Source, Spanned, Translator};
use crate::migrate::emit::{Items, Levels};
use crate::migrate::relative_path;
use crate::migrate::scalar::{Kind, Value};
use crate::migrate::yaml::{Document, Node};

impl Translator<'_> {
    /// The `@file:` path of a scalar node, resolved against the config's directory.
    pub(super) fn include_path(&self, node: &Node) -> (String, PathBuf) {
        let written = node.scalar().map(|s| s.text.trim_start_matches("@file:").to_string()).unwrap_or_default();
        let target = crate::absolute(&self.base_dir.join(&written));
        (written, target)
    }

    pub(super) fn extension(path: &Path) -> String {
        path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
    }

    /// Checks that an included file exists; reports E0705 at the `@file:` value otherwise.
    pub(super) fn exists(&mut self, source: &Source, node: &Node, target: &Path) -> bool {
        let problem = match &self.db.file(target).contents(self.db).status {
            FileStatus::Present => return true,
            FileStatus::Missing => "does not exist".to_string(),
            FileStatus::Unreadable(reason) => format!("cannot be read: {reason}"),
        };
        let (written, _) = self.include_path(node);
        self.report(
            codes::MIGRATE_INCLUDE_MISSING,
            &source.file,
            node.span.clone(),
            format!("the included file `{written}` {problem}"),
            "fix the `@file:` path; it is relative to the directory of the file that names it",
        );
        false
    }

    pub(super) fn unsupported_include(&mut self, source: &Source, node: &Node, written: &str, what: &str) {
        self.report(
            codes::MIGRATE_INCLUDE_TYPE,
            &source.file,
            node.span.clone(),
            format!("`@file:{written}` cannot be translated: {what}"),
            "include a .csv or .txt file (kept as `file(…)`) or a .yaml/.json file (inlined)",
        );
    }

    /// Reads an included YAML or JSON file.
    pub(super) fn included_document(
        &mut self,
        source: &Source,
        node: &Node,
        target: &Path,
    ) -> Option<(Source, Document)> {
        let file: FilePath = target.into();
        let flavor = flavor_of(target);
        let document = self.read(&file, flavor, Some((&source.file, node.span.clone())))?;
        Some((Source { file, flavor }, document))
    }

    pub(super) fn include_levels(&mut self, source: &Source, node: &Node) -> Option<(Levels, Option<Vec<Spanned>>)> {
        let (written, target) = self.include_path(node);
        let extension = Self::extension(&target);
        if !matches!(extension.as_str(), "csv" | "txt" | "yaml" | "yml" | "json") {
            self.unsupported_include(source, node, &written, &format!("the old system read no `.{extension}` files"));
            return None;
        }
        if !self.exists(source, node, &target) {
            return None;
        }
        match extension.as_str() {
            "csv" => {
                let header = self.csv_header(&target);
                if header.len() > 1 {
                    self.report(
                        codes::MIGRATE_INCLUDE_COLUMNS,
                        &source.file,
                        node.span.clone(),
                        format!(
                            "`@file:{written}` has {} columns ({}): the old system read tuples from it, a .cohort level file has one column",
                            header.len(),
                            header.join(", ")
                        ),
                        "bind these columns with a tuple rule (`rules.tuples`) that names them as its axes, and migrate again",
                    );
                    return None;
                }
                let values = self.file_values(&target, false, &node.span);
                Some((Levels::File(relative_path(&self.out_dir, &target)), values))
            }
            "txt" => {
                let values = self.file_values(&target, true, &node.span);
                Some((Levels::File(relative_path(&self.out_dir, &target)), values))
            }
            _ => {
                let (included, document) = self.included_document(source, node, &target)?;
                // Spans of an included file's values would point into that file: use the `@file:`.
                let (levels, values) = self.levels(&included, &document.root, &format!("@file:{written}"))?;
                let values = values.map(|values| values.into_iter().map(|(v, _)| (v, node.span.clone())).collect());
                Some((levels, values))
            }
        }
    }

    /// The values of a level file, all strings to the old reader: the first column of a CSV
    /// after its header, or the lines of a TXT file, trimmed, empty ones skipped.
    pub(super) fn file_values(&self, target: &Path, txt: bool, span: &Range<usize>) -> Option<Vec<Spanned>> {
        let text = &self.db.file(target).contents(self.db).text;
        let table = if txt { dslc_db::table::read_txt(text) } else { dslc_db::table::read_csv(text) }.ok()?;
        let values = table
            .records
            .iter()
            .filter_map(|record| record.cells.first().map(|cell| cell.text.trim().to_string()))
            .filter(|text| !text.is_empty())
            .map(|text| (Value { kind: Kind::Str, text }, span.clone()))
            .collect();
        Some(values)
    }

    /// The trimmed, non-empty header names of a CSV file, as the old reader took them.
    pub(super) fn csv_header(&self, target: &Path) -> Vec<String> {
        let text = &self.db.file(target).contents(self.db).text;
        match dslc_db::table::read_csv(text) {
            Ok(table) => table
                .header
                .map(|header| {
                    header.cells.into_iter().map(|c| c.text.trim().to_string()).filter(|t| !t.is_empty()).collect()
                })
                .unwrap_or_default(),
            // A malformed file is left to `dslc check`, which points at the bad cell.
            Err(_) => Vec::new(),
        }
    }

    pub(super) fn include_items(
        &mut self,
        source: &Source,
        node: &Node,
        key: &str,
        columns: &[String],
        nested: &[bool],
    ) -> Option<Items> {
        let (written, target) = self.include_path(node);
        let extension = Self::extension(&target);
        match extension.as_str() {
            "csv" | "yaml" | "yml" | "json" => {}
            "txt" => {
                self.unsupported_include(
                    source,
                    node,
                    &written,
                    "a .txt file gives levels, and items need several columns",
                );
                return None;
            }
            _ => {
                self.unsupported_include(
                    source,
                    node,
                    &written,
                    &format!("the old system read no `.{extension}` files"),
                );
                return None;
            }
        }
        if !self.exists(source, node, &target) {
            return None;
        }
        if extension != "csv" {
            let (included, document) = self.included_document(source, node, &target)?;
            return self.items(&included, &document.root, &format!("@file:{written}"), columns, nested);
        }
        let header = self.csv_header(&target);
        // The old reader matched columns to the rule's axes by position; `.cohort` matches them by
        // name, so the two agree only when the header names the axes in the rule's order.
        if nested.iter().any(|n| *n) || header != columns {
            let (why, help) = if nested.iter().any(|n| *n) {
                (
                    "a side of this rule is a tuple or pair, which the old system could not read from a CSV"
                        .to_string(),
                    "list the items in the YAML, with a nested list for that side: [a, [b, c]]".to_string(),
                )
            } else {
                (
                    format!(
                        "its header is `{}`; the old system matched columns to ({}) by position, a .cohort spec matches them by name",
                        header.join(","),
                        columns.join(", ")
                    ),
                    format!(
                        "make the header `{}` with the columns in that order, or list the items in the YAML",
                        columns.join(",")
                    ),
                )
            };
            self.report(
                codes::MIGRATE_INCLUDE_COLUMNS,
                &source.file,
                node.span.clone(),
                format!("the columns of `@file:{written}` (in `{key}`) cannot be translated: {why}"),
                help,
            );
            return None;
        }
        Some(Items::File(relative_path(&self.out_dir, &target)))
    }
}
