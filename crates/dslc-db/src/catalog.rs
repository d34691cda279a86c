//! Catalogs: CSV files listing the IDs that exist, indexed for lookup, did-you-mean, hover and
//! completion. One index serves the checker, the compiler and the language server.
//!
//! Why over 800 lines: about half is the tests of the suggestion index, which compare it with
//! a brute-force search and need its private pieces.

use std::sync::Arc;

use dslc_syntax::Span;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use hashbrown::HashTable;
use rustc_hash::FxHashMap as HashMap;

use crate::db::{Db, FileStatus, SourceFile};

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

/// The longest query, in characters, that gets fuzzy suggestions; longer IDs are not typos of
/// catalog names, and capping the length bounds the work of each comparison.
pub const MAX_COMPARED: usize = 128;

/// The longest ID indexed for suggestions: nothing longer is within two edits of a query.
const MAX_INDEXED: usize = MAX_COMPARED + 2;

/// Postings read per query at most: lists are read rarest first, so only very common trigrams
/// (in tens of thousands of IDs) are skipped, and only in very large catalogs.
const POSTINGS_CAP: usize = 40_000;

/// Candidates compared by edit distance per query at most, the most promising first.
const VERIFY_CAP: usize = 500;

thread_local! {
    /// Per-entry trigram counters for [`SuggestIndex::candidates`], all zero between calls, so
    /// a query does not clear a counter for every ID of a large catalog.
    static COUNTS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The padding character around an ID, outside Unicode so it never occurs in one.
const PAD: u64 = 0x1F_FFFF;

/// Appends the trigrams of `text`, padded with two [`PAD`]s at each end, in order: a string of
/// `n` characters has `n + 2` of them, so even a one-character ID has some.
fn trigrams(text: &str, out: &mut Vec<u64>) {
    let (mut a, mut b) = (PAD, PAD);
    for c in text.chars().map(|c| u64::from(u32::from(c))).chain([PAD, PAD]) {
        out.push((a << 42) | (b << 21) | c);
        (a, b) = (b, c);
    }
}

/// A trigram inverted index over the lower-cased IDs, for did-you-mean.
///
/// An ID within `k` edits of a query of `n` trigrams shares at least `n - 3k` of them (one edit
/// changes at most three), so candidates are counted from the posting lists, rarest first, and
/// only those that can still reach that count are compared, by a banded edit distance.
/// Postings are one flat array (entry indexes, one per occurrence, ascending), so memory is at
/// most about four bytes per character of the catalog's IDs.
#[derive(Clone, Debug, Default)]
struct SuggestIndex {
    /// Trigram → its list's number.
    slots: HashMap<u64, u32>,
    /// The number of postings of each list.
    sizes: Vec<u32>,
    /// List `s` is `postings[offsets[s]..offsets[s + 1]]`. Lists longer than [`POSTINGS_CAP`]
    /// are never read, so they are not stored (an empty range): in a large catalog, those of
    /// the text most IDs share are most of the postings.
    offsets: Vec<u32>,
    postings: Vec<u32>,
    /// Character length of each entry's ID (saturated); 0 for entries not indexed.
    lengths: Vec<u8>,
    /// The lower-cased IDs that differ from the ID itself.
    lowered: HashMap<u32, Box<str>>,
    /// Indexed entries of at most two characters: the only candidates of a one-character query,
    /// for which the trigram count cannot exclude anything.
    short: Vec<u32>,
}

/// The candidates of one query, most shared trigrams first, then in catalog order.
struct Candidates {
    /// (trigrams shared in the lists read, entry index).
    list: Vec<(u16, u32)>,
    /// How many of the query's trigrams (with repeats) were looked up.
    scanned: usize,
}

impl SuggestIndex {
    fn build(catalog: &Catalog) -> SuggestIndex {
        let entries = &catalog.entries;
        let mut index = SuggestIndex { lengths: vec![0; entries.len()], ..SuggestIndex::default() };
        // Repeated IDs are left out (the first row of an ID is the one suggested), and so are
        // IDs too long to be suggested.
        let mut skip = vec![false; entries.len()];
        for &(_, r) in &catalog.duplicates {
            skip[r] = true;
        }
        // Two passes (count, then fill) keep the build's memory to the final arrays.
        let mut sizes: Vec<u32> = Vec::new();
        let mut grams = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            if skip[i] {
                continue;
            }
            let length = entry.id.chars().count();
            if length > MAX_INDEXED {
                skip[i] = true;
                continue;
            }
            if length <= 2 {
                index.short.push(i as u32);
            }
            grams.clear();
            if entry.id.chars().any(char::is_uppercase) {
                let lower = entry.id.to_lowercase();
                trigrams(&lower, &mut grams);
                // Lower-casing can change the length (rarely); the index keeps the lowered one.
                index.lengths[i] = lower.chars().count().min(usize::from(u8::MAX)) as u8;
                index.lowered.insert(i as u32, lower.into_boxed_str());
            } else {
                trigrams(&entry.id, &mut grams);
                index.lengths[i] = length as u8;
            }
            for &gram in &grams {
                let next = index.slots.len() as u32;
                let slot = *index.slots.entry(gram).or_insert(next) as usize;
                if slot == sizes.len() {
                    sizes.push(0);
                }
                sizes[slot] = sizes[slot].saturating_add(1);
            }
        }
        index.offsets = Vec::with_capacity(sizes.len() + 1);
        let mut total = 0u32;
        index.offsets.push(0);
        for &size in &sizes {
            if size as usize <= POSTINGS_CAP {
                total = total.saturating_add(size);
            }
            index.offsets.push(total);
        }
        index.sizes = sizes.clone();
        // `sizes` becomes each list's fill position.
        let slots = sizes.len();
        sizes.copy_from_slice(&index.offsets[..slots]);
        index.postings = vec![0; total as usize];
        for (i, entry) in entries.iter().enumerate() {
            if skip[i] {
                continue;
            }
            grams.clear();
            trigrams(index.lowered.get(&(i as u32)).map(|s| &**s).unwrap_or(&entry.id), &mut grams);
            for gram in &grams {
                if let Some(&slot) = index.slots.get(gram) {
                    let at = &mut sizes[slot as usize];
                    if *at < index.offsets[slot as usize + 1] {
                        if let Some(posting) = index.postings.get_mut(*at as usize) {
                            *posting = i as u32;
                        }
                        *at += 1;
                    }
                }
            }
        }
        index.slots.shrink_to_fit();
        index
    }

    fn heap_bytes(&self) -> usize {
        let lowered: usize = self.lowered.values().map(|s| s.len()).sum();
        self.slots.capacity() * (8 + 4 + 1)
            + self.offsets.capacity() * 4
            + self.sizes.capacity() * 4
            + self.postings.capacity() * 4
            + self.lengths.capacity()
            + self.lowered.capacity() * (4 + 16 + 1)
            + lowered
            + self.short.capacity() * 4
    }

    /// The lower-cased ID of entry `i`.
    fn lowered<'a>(&'a self, catalog: &'a Catalog, i: usize) -> &'a str {
        self.lowered.get(&(i as u32)).map(|s| &**s).unwrap_or(&catalog.entries[i].id)
    }

    /// The length of a trigram's list and its postings (empty if not stored).
    fn list(&self, gram: u64) -> (usize, &[u32]) {
        let Some(&slot) = self.slots.get(&gram) else { return (0, &[]) };
        let slot = slot as usize;
        let (start, end) = (self.offsets[slot] as usize, self.offsets[slot + 1] as usize);
        (self.sizes[slot] as usize, self.postings.get(start..end).unwrap_or_default())
    }

    /// The entries that may be within `bound` edits of `lower` (of `length` characters): at most
    /// [`VERIFY_CAP`], those sharing the most trigrams.
    fn candidates(&self, lower: &str, length: usize, bound: usize) -> Candidates {
        let near = |i: u32| usize::from(self.lengths[i as usize]).abs_diff(length) <= bound;
        let mut query = Vec::with_capacity(length + 2);
        trigrams(lower, &mut query);
        let needed = query.len().saturating_sub(3 * bound);
        if needed == 0 {
            // A one-character query: only IDs of at most two characters are within one edit.
            let list = self.short.iter().copied().filter(|&i| near(i)).take(VERIFY_CAP).map(|i| (0, i)).collect();
            return Candidates { list, scanned: 0 };
        }
        query.sort_unstable();
        // (list length, postings, how often the trigram occurs in the query), rarest first.
        let mut lists: Vec<(usize, &[u32], usize)> = Vec::new();
        for run in query.chunk_by(|a, b| a == b) {
            let (size, postings) = self.list(run[0]);
            lists.push((size, postings, run.len()));
        }
        lists.sort_by_key(|&(size, _, _)| size);
        // No ID holds the trigrams of the empty lists, so with too few others left no ID can
        // share `needed` of them: a quick answer for most IDs far from the whole catalog.
        let present: usize = lists.iter().filter(|(size, _, _)| *size > 0).map(|(_, _, times)| times).sum();
        if present < needed {
            return Candidates { list: Vec::new(), scanned: 0 };
        }
        COUNTS.with_borrow_mut(|counts| {
            // One counter per entry, kept between queries; only the touched ones are read back,
            // and they are reset before returning.
            if counts.len() < self.lengths.len() {
                counts.resize(self.lengths.len(), 0);
            }
            let mut touched: Vec<u32> = Vec::new();
            let (mut read, mut scanned) = (0usize, 0usize);
            for (size, postings, times) in lists {
                // Empty lists cost nothing and count as read: no ID shares that trigram. The
                // first list over the cap ends the scan, so unstored lists are never read.
                if read + size > POSTINGS_CAP && size > 0 {
                    break;
                }
                read += size;
                scanned += times;
                // An entry holding the trigram `r` times shares min(r, times) of the query's.
                for run in postings.chunk_by(|a, b| a == b) {
                    let entry = run[0];
                    if !near(entry) {
                        continue;
                    }
                    let count = &mut counts[entry as usize];
                    if *count == 0 {
                        touched.push(entry);
                    }
                    *count = count.saturating_add(run.len().min(times) as u16);
                }
            }
            // An ID within `bound` edits misses at most `3 * bound` of the trigrams looked up.
            let floor = scanned.saturating_sub(3 * bound).max(1);
            let mut list: Vec<(u16, u32)> = Vec::with_capacity(touched.len());
            for i in touched {
                let count = std::mem::take(&mut counts[i as usize]);
                if usize::from(count) >= floor {
                    list.push((count, i));
                }
            }
            let order = |a: &(u16, u32), b: &(u16, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
            // Only the VERIFY_CAP sharing the most are kept.
            if list.len() > VERIFY_CAP {
                list.select_nth_unstable_by(VERIFY_CAP, order);
                list.truncate(VERIFY_CAP);
            }
            // The closest IDs tend to share the most, so the bound tightens early; within one
            // count, catalog order reads memory forwards.
            list.sort_unstable_by(order);
            Candidates { list, scanned }
        })
    }
}

/// A query prepared for many banded edit-distance comparisons.
struct Query {
    bytes: Vec<u8>,
    chars: Vec<char>,
    ascii: bool,
}

impl Query {
    fn new(lower: &str) -> Query {
        Query { bytes: lower.as_bytes().to_vec(), chars: lower.chars().collect(), ascii: lower.is_ascii() }
    }

    /// The edit distance to `other` if it is at most `bound`.
    fn distance_within(&self, other: &str, bound: usize) -> Option<usize> {
        if self.ascii && other.is_ascii() {
            banded(&self.bytes, other.as_bytes(), bound)
        } else {
            let other: Vec<char> = other.chars().collect();
            banded(&self.chars, &other, bound)
        }
    }
}

/// Levenshtein distance of `a` and `b` if it is at most `bound`, computing only the cells
/// within `bound` of the diagonal (O(length × bound)) and stopping once a row exceeds it.
fn banded<T: PartialEq>(a: &[T], b: &[T], bound: usize) -> Option<usize> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (m, n) = (a.len(), b.len());
    if m.abs_diff(n) > bound {
        return None;
    }
    if m == 0 || n == 0 {
        return Some(m.max(n));
    }
    // Cells are capped at `bound + 1`, which stands for "too far"; bytes keep the rows small,
    // so bounds beyond 250 are treated as 250 (suggestions use at most 2).
    let bound = bound.min(250);
    let far = (bound + 1) as u8;
    // Two rows; on the stack for every length the index holds.
    let mut stack = [far; 2 * (MAX_INDEXED + 1)];
    let mut heap = Vec::new();
    let cells: &mut [u8] = if n <= MAX_INDEXED {
        &mut stack[..2 * (n + 1)]
    } else {
        heap.resize(2 * (n + 1), far);
        &mut heap
    };
    let (mut previous, mut current) = cells.split_at_mut(n + 1);
    for (j, cell) in previous.iter_mut().enumerate() {
        *cell = j.min(usize::from(far)) as u8;
    }
    for i in 1..=m {
        let low = if i > bound { i - bound } else { 1 };
        let high = (i + bound).min(n);
        current[low - 1] = if low == 1 { i.min(usize::from(far)) as u8 } else { far };
        let mut row_min = current[low - 1];
        for j in low..=high {
            let substitute = previous[j - 1] + u8::from(a[i - 1] != b[j - 1]);
            let value = substitute.min(previous[j] + 1).min(current[j - 1] + 1).min(far);
            current[j] = value;
            row_min = row_min.min(value);
        }
        // The next row reads this cell just past the band; it must stand for "too far".
        if high < n {
            current[high + 1] = far;
        }
        if usize::from(row_min) > bound {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = usize::from(previous[n]);
    (distance <= bound).then_some(distance)
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

/// How far a suggestion may be from what was written: typos are one or two edits; a larger
/// bound mostly adds noise (and work over large catalogs).
fn suggestion_bound(length: usize) -> usize {
    if length <= 4 {
        1
    } else {
        2
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bom_crlf_quotes_and_blank_lines() {
        let text = "\u{feff}id,display_name\r\n\r\nsonnet-4,\"Claude, Sonnet 4\"\r\n gpt-4.1 ,GPT\r\n";
        let catalog = parse_catalog(text, "id").unwrap();
        let ids: Vec<&str> = catalog.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["sonnet-4", "gpt-4.1"]);
        let sonnet = catalog.get("sonnet-4").unwrap();
        assert_eq!(catalog.field(sonnet, "display_name").as_deref(), Some("Claude, Sonnet 4"));
        assert_eq!(catalog.fields(sonnet), [("display_name".to_string(), "Claude, Sonnet 4".to_string())]);
        assert_eq!(catalog.entries[0].line, 3);
        assert!(text[catalog.entries[1].span.clone()].contains("gpt-4.1"));
    }

    #[test]
    fn reports_missing_column_and_duplicates() {
        let err = parse_catalog("model,provider\nx,y\n", "id").unwrap_err();
        assert!(matches!(err, CatalogError::NoColumn { ref header, .. } if header == &["model", "provider"]));
        let catalog = parse_catalog("id\na\nb\na\n", "id").unwrap();
        assert_eq!(catalog.duplicates, vec![(0, 2)]);
        assert_eq!(catalog.len(), 3);
    }

    #[test]
    fn suggests_case_insensitive_then_close_ids() {
        let catalog = parse_catalog("id\nsonnet-4\nSonnet-4-beta\ngpt-4.1\ngemini_25_pro\n", "id").unwrap();
        assert_eq!(catalog.suggest("Sonnet-4"), ["sonnet-4"]);
        assert_eq!(catalog.suggest("sonet-4"), ["sonnet-4"]);
        assert_eq!(catalog.suggest("sonnet-4-bet"), ["Sonnet-4-beta"]);
        assert_eq!(catalog.suggest("gpt-4.2"), ["gpt-4.1"]);
        assert!(catalog.suggest("completely-different").is_empty());
    }

    /// The shared deterministic generator, with the IDs and typos these tests need.
    struct Rng(dslc_syntax::xorshift::XorShift);

    impl Rng {
        fn new(seed: u64) -> Self {
            Rng(dslc_syntax::xorshift::XorShift(seed))
        }

        fn below(&mut self, n: usize) -> usize {
            self.0.below(n)
        }

        /// A string of up to `max` characters over a small alphabet, so that near IDs are common.
        fn word(&mut self, max: usize) -> String {
            const ALPHABET: [char; 8] = ['a', 'b', 'c', '-', '1', '2', 'É', 'é'];
            let length = self.below(max + 1);
            (0..length).map(|_| ALPHABET[self.below(ALPHABET.len())]).collect()
        }

        /// `word` with up to three random edits.
        fn typo(&mut self, word: &str) -> String {
            let mut chars: Vec<char> = word.chars().collect();
            for _ in 0..self.below(4) {
                let at = self.below(chars.len() + 1);
                match self.below(3) {
                    0 => chars.insert(at, 'b'),
                    1 if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ if at < chars.len() => chars[at] = '2',
                    _ => {}
                }
            }
            chars.into_iter().collect()
        }
    }

    /// The full edit distance by the textbook table, as the reference for `banded`.
    use crate::diagnostic::reference_levenshtein as levenshtein;

    /// What `suggest` promises, computed by comparing `wanted` with every ID: case-insensitive
    /// matches first, then IDs within the bound, closest first and by ID.
    fn exhaustive(catalog: &Catalog, wanted: &str) -> Vec<String> {
        let lower = wanted.to_lowercase();
        let mut case: Vec<usize> = Vec::new();
        let mut near: Vec<(usize, &str)> = Vec::new();
        let bound = suggestion_bound(lower.chars().count());
        let repeats: Vec<usize> = catalog.duplicates.iter().map(|&(_, r)| r).collect();
        for (i, entry) in catalog.entries.iter().enumerate() {
            if entry.id == wanted || repeats.contains(&i) {
                continue;
            }
            let distance = levenshtein(&lower, &entry.id.to_lowercase());
            if distance == 0 {
                case.push(i);
            } else if distance <= bound && lower.chars().count() <= MAX_COMPARED {
                near.push((distance, &entry.id));
            }
        }
        near.sort();
        // The exact lower-case ID comes before other case variants, as in `suggest`.
        case.sort_by_key(|&i| (catalog.entries[i].id != lower, i));
        let mut out: Vec<String> = case.into_iter().map(|i| catalog.entries[i].id.clone()).collect();
        out.extend(near.into_iter().map(|(_, id)| id.to_string()));
        out.truncate(3);
        out
    }

    #[test]
    fn banded_distance_agrees_with_the_full_one() {
        let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let a: Vec<char> = rng.word(9).chars().collect();
            let b: Vec<char> = rng.typo(&a.iter().collect::<String>()).chars().collect();
            let full = levenshtein(&a.iter().collect::<String>(), &b.iter().collect::<String>());
            for bound in 0..4 {
                let expected = (full <= bound).then_some(full);
                assert_eq!(banded(&a, &b, bound), expected, "{a:?} / {b:?} within {bound}");
            }
        }
    }

    #[test]
    fn suggestions_equal_an_exhaustive_search() {
        let mut rng = Rng::new(0x2545_f491_4f6c_dd1d);
        let (mut queries, mut answered) = (0, 0);
        for round in 0..60 {
            let mut ids: Vec<String> = (0..40 + round * 5).map(|_| rng.word(10)).collect();
            // Some IDs differ only in case, and one is listed twice.
            ids.push("AbC-1".to_string());
            ids.push("abc-1".to_string());
            ids.push(ids[0].clone());
            let text =
                std::iter::once("id".to_string()).chain(ids.iter().map(|id| format!("\"{id}\""))).collect::<Vec<_>>();
            let catalog = parse_catalog(&(text.join("\n") + "\n"), "id").unwrap();
            for _ in 0..40 {
                let base = catalog.entries[rng.below(catalog.len())].id.clone();
                let wanted = if rng.below(4) == 0 { rng.word(10) } else { rng.typo(&base) };
                let expected = exhaustive(&catalog, &wanted);
                assert_eq!(catalog.suggest(&wanted), expected, "suggestions for {wanted:?}");
                queries += 1;
                answered += usize::from(!expected.is_empty());
            }
            assert_eq!(catalog.suggest("abc-1"), exhaustive(&catalog, "abc-1"));
        }
        // Most queries must have suggestions, or the comparison proves little.
        assert!(answered * 2 > queries, "{answered} of {queries} queries had suggestions");
    }

    #[test]
    fn suggests_for_one_and_two_character_ids() {
        let catalog = parse_catalog("id\na\nbc\nxyz\nq\n", "id").unwrap();
        assert_eq!(catalog.suggest("b"), ["a", "bc", "q"]);
        assert_eq!(catalog.suggest("c"), ["a", "bc", "q"]);
        assert_eq!(catalog.suggest("xy"), ["xyz"]);
        assert_eq!(catalog.suggest(""), ["a", "q"]);
    }

    #[test]
    fn very_long_ids_are_not_compared() {
        let long = "x".repeat(10_000);
        let text = format!("id\n{long}\n{long}y\nABC\nsonnet-4\n");
        let catalog = parse_catalog(&text, "id").unwrap();
        // A long query gets only its case-insensitive match, and no edit distance is computed.
        assert!(catalog.suggest(&format!("{long}z")).is_empty());
        assert_eq!(catalog.suggest(&"X".repeat(10_000)), [long.as_str()]);
        assert_eq!(catalog.suggest("abc"), ["ABC"]);
        assert_eq!(catalog.suggest("sonet-4"), ["sonnet-4"]);
        // The banded distance costs length × bound, so long inputs stay cheap even so.
        let other = format!("{}y{}", "x".repeat(5_000), "x".repeat(4_999));
        assert_eq!(banded(long.as_bytes(), other.as_bytes(), 2), Some(1));
        assert_eq!(banded(long.as_bytes(), "y".repeat(10_000).as_bytes(), 2), None);
    }

    #[test]
    fn capped_lookups_still_find_the_misspelt_id() {
        // Every ID shares `tpl-` and `-v2`, so those lists exceed the postings cap and are
        // skipped, and the closest IDs must come from the digits alone.
        let ids: Vec<String> = (0..60_000).map(|i| format!("tpl-{i:05}-v2")).collect();
        let catalog = parse_catalog(&format!("id\n{}\n", ids.join("\n")), "id").unwrap();
        assert!(catalog.suggest_index().list(trigrams_of("-v2")[2]).0 > POSTINGS_CAP);
        for i in (7..60_000).step_by(1_999) {
            assert_eq!(catalog.suggest(&format!("tpl-{i:05}-v3")).first(), Some(&ids[i]));
            assert_eq!(catalog.suggest(&format!("tpl{i:05}-v2")).first(), Some(&ids[i]));
            assert_eq!(catalog.suggest(&format!("TPL-{i:05}-v2x")).first(), Some(&ids[i]));
        }
        assert!(catalog.suggest("tmpl-zzzzz-v2").is_empty());
    }

    fn trigrams_of(text: &str) -> Vec<u64> {
        let mut out = Vec::new();
        trigrams(text, &mut out);
        out
    }
}
