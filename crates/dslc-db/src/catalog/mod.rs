//! Catalogs: CSV files listing the IDs that exist, indexed for lookup, did-you-mean, hover and
//! completion. One index serves the checker, the compiler and the language server.
//!
//! The suggestion index is in `suggest`, the tests in `tests`.

use std::sync::Arc;

use dslc_syntax::Span;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use hashbrown::HashTable;
use rustc_hash::FxHashMap as HashMap;

use crate::db::{Db, FileStatus, SourceFile};

mod suggest;
#[cfg(test)]
mod tests;

pub use suggest::MAX_COMPARED;
use suggest::*;

/// One catalog row: the ID and where it is. The row's other columns (name, description, …) are
/// read on demand with [`Catalog::fields`], since only hover, completion and metadata need them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    pub id: String,
    /// The span of the row in the catalog file.
    pub span: Span,
    /// 1-based line of the row.
    pub line: usize,
}

/// A loaded catalog: entries in file order and indexes over them.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub column: String,
    /// The header's column names, trimmed.
    pub header: Vec<String>,
    /// The file's text, for reading a row's other columns on demand.
    text: Arc<str>,
    pub entries: Vec<CatalogEntry>,
    /// Indexes of each ID's first entry, hashed by ID, so keys are not stored twice.
    by_id: HashTable<u32>,
    /// Lower-cased ID → entries, only for IDs with upper-case letters (others are their own key).
    by_lower: HashMap<String, Vec<u32>>,
    /// (first, repeat) entry indexes of IDs listed more than once.
    pub duplicates: Vec<(usize, usize)>,
    /// Built on the first suggestion request: most checks never need it.
    suggestions: OnceLock<SuggestIndex>,
}

/// The catalog's content decides equality; the indexes are derived from it.
impl PartialEq for Catalog {
    fn eq(&self, other: &Self) -> bool {
        self.column == other.column
            && self.header == other.header
            && self.text == other.text
            && self.entries == other.entries
    }
}

impl Eq for Catalog {}

fn hash_id(id: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    id.hash(&mut hasher);
    hasher.finish()
}

impl Catalog {
    fn find(&self, id: &str) -> Option<usize> {
        self.by_id.find(hash_id(id), |&i| self.entries[i as usize].id == id).map(|&i| i as usize)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.find(id).map(|i| &self.entries[i])
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The other columns of an entry's row, by header name, in header order (trimmed).
    pub fn fields(&self, entry: &CatalogEntry) -> Vec<(String, String)> {
        let line = self.text.get(entry.span.clone()).unwrap_or("");
        let cells = split_row(line);
        self.header
            .iter()
            .enumerate()
            .filter(|(_, name)| **name != self.column)
            .map(|(i, name)| (name.clone(), cells.get(i).map(|c| c.trim()).unwrap_or("").to_string()))
            .collect()
    }

    /// The value of another column of an entry's row, if present and not empty.
    pub fn field(&self, entry: &CatalogEntry, name: &str) -> Option<String> {
        self.fields(entry).into_iter().find(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn suggest_index(&self) -> &SuggestIndex {
        self.suggestions.get_or_init(|| SuggestIndex::build(self))
    }

    /// The approximate heap size of the suggestion index in bytes, building it if needed (for
    /// benchmarks).
    pub fn suggestion_index_bytes(&self) -> usize {
        self.suggest_index().heap_bytes()
    }

    /// Up to three IDs close to `wanted`: case-insensitive matches first, then the closest by
    /// edit distance (ties by ID), within one edit for IDs of up to four characters and two
    /// edits otherwise.
    ///
    /// Candidates come from a trigram index (see [`SuggestIndex`]); the work per call is capped,
    /// so on very large catalogs with very common trigrams the fuzzy part is best-effort.
    pub fn suggest(&self, wanted: &str) -> Vec<String> {
        let lower = wanted.to_lowercase();
        // (distance, entry index), sorted, at most three.
        let mut best: Vec<(usize, usize)> = Vec::new();
        if let Some(i) = self.find(&lower).filter(|&i| self.entries[i].id != wanted) {
            best.push((0, i));
        }
        if let Some(indexes) = self.by_lower.get(&lower) {
            best.extend(indexes.iter().map(|&i| i as usize).filter(|&i| self.entries[i].id != wanted).map(|i| (0, i)));
        }
        let length = lower.chars().count();
        // Beyond this length an ID is not a typo of a catalog name, and comparing costs more.
        if length <= MAX_COMPARED && !self.entries.is_empty() {
            let index = self.suggest_index();
            let query = Query::new(&lower);
            let mut bound = suggestion_bound(length);
            let candidates = index.candidates(&lower, length, bound);
            for &(count, i) in &candidates.list {
                // Sorted by shared trigrams: once a tighter bound needs more than this one has,
                // no later candidate can be close enough.
                if (count as usize) + 3 * bound < candidates.scanned {
                    break;
                }
                let i = i as usize;
                let Some(distance) = query.distance_within(index.lowered(self, i), bound) else { continue };
                if best.iter().any(|&(_, b)| b == i) || self.entries[i].id == wanted {
                    continue;
                }
                let distance = distance.max(1);
                let id = &self.entries[i].id;
                let at = best.partition_point(|&(d, b)| (d, &self.entries[b].id) <= (distance, id));
                best.insert(at, (distance, i));
                best.truncate(3);
                if best.len() == 3 {
                    bound = bound.min(best[2].0);
                }
            }
        }
        best.into_iter().map(|(_, i)| self.entries[i].id.clone()).collect()
    }

    /// Builds the indexes over `entries`.
    fn from_entries(column: String, header: Vec<String>, text: Arc<str>, entries: Vec<CatalogEntry>) -> Catalog {
        let mut catalog = Catalog { column, header, text, ..Catalog::default() };
        catalog.by_id.reserve(entries.len(), |&i| hash_id(&entries[i as usize].id));
        for (i, entry) in entries.iter().enumerate() {
            let hash = hash_id(&entry.id);
            match catalog.by_id.find(hash, |&j| entries[j as usize].id == entry.id) {
                Some(&first) => catalog.duplicates.push((first as usize, i)),
                None => {
                    catalog.by_id.insert_unique(hash, i as u32, |&j| hash_id(&entries[j as usize].id));
                    if entry.id.chars().any(char::is_uppercase) {
                        catalog.by_lower.entry(entry.id.to_lowercase()).or_default().push(i as u32);
                    }
                }
            }
        }
        catalog.entries = entries;
        catalog
    }
}

/// Splits one CSV row into its cells (quotes and `""` escapes handled). Rows are read one at a
/// time for hover and completion, where building a full CSV reader per row costs too much.
fn split_row(line: &str) -> Vec<String> {
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            (c, _) => cell.push(c),
        }
    }
    cells.push(cell);
    cells
}

/// Why a catalog could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogError {
    Missing,
    Unreadable(String),
    /// The header has no such column; the columns it has.
    NoColumn {
        header: Vec<String>,
        header_span: Span,
    },
    /// The CSV itself is broken.
    Malformed {
        message: String,
        span: Span,
    },
}

/// Loads a catalog CSV and indexes the IDs in `column`. Headers, quoting, a BOM, CRLF and blank
/// lines are handled by the csv crate; IDs and other cells are trimmed, empty IDs skipped.
#[salsa::tracked(returns(ref))]
pub fn load_catalog(db: &dyn Db, file: SourceFile, column: String) -> Result<Arc<Catalog>, CatalogError> {
    let contents = file.contents(db);
    match &contents.status {
        FileStatus::Present => {}
        FileStatus::Missing => return Err(CatalogError::Missing),
        FileStatus::Unreadable(reason) => return Err(CatalogError::Unreadable(reason.clone())),
    }
    parse_catalog(&contents.text, &column).map(Arc::new)
}

/// Parses catalog text; separated from the query so it can be tested and benchmarked directly.
pub fn parse_catalog(full_text: &str, column: &str) -> Result<Catalog, CatalogError> {
    // The BOM is removed here so that the csv crate's byte positions are offsets into `text`;
    // spans are shifted back by its length at the end.
    let bom = if full_text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let text = &full_text[bom..];
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().to_string()).collect(),
        Err(e) => return Err(malformed(text, &e)),
    };
    let header_span = bom..bom + text.find(['\r', '\n']).unwrap_or(text.len());
    let Some(id_column) = header.iter().position(|h| h == column) else {
        return Err(CatalogError::NoColumn { header, header_span });
    };
    let mut entries = Vec::new();
    let mut record = csv::StringRecord::new();
    // Lines are counted here from byte offsets; one pass over the text in total.
    let (mut line, mut counted_to) = (1usize, 0usize);
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(malformed(text, &e)),
        }
        // The reader's position before a record can sit on the line breaks of blank lines it
        // skips, so the record starts after them.
        let mut record_start = start.min(text.len());
        while matches!(text.as_bytes().get(record_start), Some(b'\r' | b'\n')) {
            record_start += 1;
        }
        line += text.as_bytes()[counted_to..record_start].iter().filter(|&&b| b == b'\n').count();
        counted_to = record_start;
        let end = text[record_start..].find(['\r', '\n']).map(|i| record_start + i).unwrap_or(text.len());
        let Some(id) = record.get(id_column).map(str::trim).filter(|id| !id.is_empty()) else { continue };
        entries.push(CatalogEntry { id: id.to_string(), span: bom + record_start..bom + end, line });
    }
    Ok(Catalog::from_entries(column.to_string(), header, Arc::from(full_text), entries))
}

fn malformed(text: &str, error: &csv::Error) -> CatalogError {
    let offset = error.position().map(|p| p.byte() as usize).unwrap_or(0).min(text.len());
    let end = text[offset..].find('\n').map(|i| offset + i).unwrap_or(text.len());
    CatalogError::Malformed { message: error.to_string(), span: offset..end }
}
