//! The did-you-mean index over a catalog's IDs: trigram postings read rarest first, capped,
//! then a banded edit distance over the most promising candidates.

use super::*;

/// The longest query, in characters, that gets fuzzy suggestions; longer IDs are not typos of
/// catalog names, and capping the length bounds the work of each comparison.
pub const MAX_COMPARED: usize = 128;

/// The longest ID indexed for suggestions: nothing longer is within two edits of a query.
pub(super) const MAX_INDEXED: usize = MAX_COMPARED + 2;

/// Postings read per query at most: lists are read rarest first, so only very common trigrams
/// (in tens of thousands of IDs) are skipped, and only in very large catalogs.
pub(super) const POSTINGS_CAP: usize = 40_000;

/// Candidates compared by edit distance per query at most, the most promising first.
pub(super) const VERIFY_CAP: usize = 500;

thread_local! {
    /// Per-entry trigram counters for [`SuggestIndex::candidates`], all zero between calls, so
    /// a query does not clear a counter for every ID of a large catalog.
    static COUNTS: std::cell::RefCell<Vec<u16>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The padding character around an ID, outside Unicode so it never occurs in one.
pub(super) const PAD: u64 = 0x1F_FFFF;

/// Appends the trigrams of `text`, padded with two [`PAD`]s at each end, in order: a string of
/// `n` characters has `n + 2` of them, so even a one-character ID has some.
pub(super) fn trigrams(text: &str, out: &mut Vec<u64>) {
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
pub(super) struct SuggestIndex {
    /// Trigram → its list's number.
    pub(super) slots: HashMap<u64, u32>,
    /// The number of postings of each list.
    pub(super) sizes: Vec<u32>,
    /// List `s` is `postings[offsets[s]..offsets[s + 1]]`. Lists longer than [`POSTINGS_CAP`]
    /// are never read, so they are not stored (an empty range): in a large catalog, those of
    /// the text most IDs share are most of the postings.
    pub(super) offsets: Vec<u32>,
    pub(super) postings: Vec<u32>,
    /// Character length of each entry's ID (saturated); 0 for entries not indexed.
    pub(super) lengths: Vec<u8>,
    /// The lower-cased IDs that differ from the ID itself.
    pub(super) lowered: HashMap<u32, Box<str>>,
    /// Indexed entries of at most two characters: the only candidates of a one-character query,
    /// for which the trigram count cannot exclude anything.
    pub(super) short: Vec<u32>,
}

/// The candidates of one query, most shared trigrams first, then in catalog order.
pub(super) struct Candidates {
    /// (trigrams shared in the lists read, entry index).
    pub(super) list: Vec<(u16, u32)>,
    /// How many of the query's trigrams (with repeats) were looked up.
    pub(super) scanned: usize,
}

impl SuggestIndex {
    pub(super) fn build(catalog: &Catalog) -> SuggestIndex {
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

    pub(super) fn heap_bytes(&self) -> usize {
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
    pub(super) fn lowered<'a>(&'a self, catalog: &'a Catalog, i: usize) -> &'a str {
        self.lowered.get(&(i as u32)).map(|s| &**s).unwrap_or(&catalog.entries[i].id)
    }

    /// The length of a trigram's list and its postings (empty if not stored).
    pub(super) fn list(&self, gram: u64) -> (usize, &[u32]) {
        let Some(&slot) = self.slots.get(&gram) else { return (0, &[]) };
        let slot = slot as usize;
        let (start, end) = (self.offsets[slot] as usize, self.offsets[slot + 1] as usize);
        (self.sizes[slot] as usize, self.postings.get(start..end).unwrap_or_default())
    }

    /// The entries that may be within `bound` edits of `lower` (of `length` characters): at most
    /// [`VERIFY_CAP`], those sharing the most trigrams.
    pub(super) fn candidates(&self, lower: &str, length: usize, bound: usize) -> Candidates {
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
pub(super) struct Query {
    pub(super) bytes: Vec<u8>,
    pub(super) chars: Vec<char>,
    pub(super) ascii: bool,
}

impl Query {
    pub(super) fn new(lower: &str) -> Query {
        Query { bytes: lower.as_bytes().to_vec(), chars: lower.chars().collect(), ascii: lower.is_ascii() }
    }

    /// The edit distance to `other` if it is at most `bound`.
    pub(super) fn distance_within(&self, other: &str, bound: usize) -> Option<usize> {
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
pub(super) fn banded<T: PartialEq>(a: &[T], b: &[T], bound: usize) -> Option<usize> {
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

/// How far a suggestion may be from what was written: typos are one or two edits; a larger
/// bound mostly adds noise (and work over large catalogs).
pub(super) fn suggestion_bound(length: usize) -> usize {
    if length <= 4 {
        1
    } else {
        2
    }
}
