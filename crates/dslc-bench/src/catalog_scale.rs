//! Did-you-mean at scale: a 1,000,000-ID catalog with 2,000 near and 2,000 far misses, timed
//! against the previous bigram implementation (kept here as `legacy`) in the same run.

use std::time::{Duration, Instant};

use dslc_db::catalog::parse_catalog;
use dslc_db::{Database, Db};

use crate::{median, ms, percentile};

const IDS: usize = 1_000_000;
const NEAR: usize = 2_000;
const FAR: usize = 2_000;
/// Queries per kind timed with the previous implementation, which takes tens of ms each.
const LEGACY_SAMPLE: usize = 100;

/// The resident and peak memory of this process in kB, from /proc.
fn memory_kb() -> (Option<u64>, Option<u64>) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// A misspelt ID one or two edits from catalog ID `i`.
fn near_miss(i: usize) -> String {
    match i % 4 {
        0 => format!("template-{i:06}-v3"),
        1 => format!("templte-{i:06}-v2"),
        2 => format!("template-{i:06}v2"),
        _ => format!("Template-{i:06}-v22"),
    }
}

/// Far misses share many trigrams with the catalog (its digits) but are at least three edits
/// from every ID, so they are costly to rule out.
fn far_miss(i: usize) -> String {
    let n = i * 433 % IDS;
    if i.is_multiple_of(2) {
        format!("tmpl-{n:06}-v2")
    } else {
        format!("tempalte-{n:06}-v3")
    }
}

pub(crate) fn bench_catalog_scale() {
    let mut text = String::with_capacity(IDS * 40);
    text.push_str("template_id,template_name\n");
    for i in 0..IDS {
        text.push_str(&format!("template-{i:06}-v2,Template {i}\n"));
    }
    let near: Vec<String> = (0..NEAR).map(|n| near_miss(n * (IDS / NEAR) + 7)).collect();
    let far: Vec<String> = (0..FAR).map(far_miss).collect();
    println!("catalog scale: {IDS} IDs, {NEAR} near misses, {FAR} far misses");

    let start = Instant::now();
    let catalog = parse_catalog(&text, "template_id").unwrap();
    println!("  load alone: {}", ms(start.elapsed()));
    let (before, _) = memory_kb();
    let start = Instant::now();
    let first = catalog.suggest(&near[0]);
    let build = start.elapsed();
    let (after, _) = memory_kb();
    let rss = match (before, after) {
        (Some(b), Some(a)) => mb(a.saturating_sub(b)),
        _ => "n/a".into(),
    };
    println!(
        "  index build (first suggestion): {}; index heap {:.1} MB (counted), RSS growth {rss}; catalog IDs {:.1} MB",
        ms(build),
        catalog.suggestion_index_bytes() as f64 / 1e6,
        (IDS * "template-000000-v2".len()) as f64 / 1e6
    );
    assert_eq!(first.first().map(String::as_str), Some("template-000007-v2"));

    let time_all = |queries: &[String], f: &dyn Fn(&str) -> Vec<String>| -> (Vec<Duration>, Vec<Vec<String>>) {
        queries
            .iter()
            .map(|q| {
                let start = Instant::now();
                let got = f(q);
                (start.elapsed(), got)
            })
            .unzip()
    };
    let (near_times, near_got) = time_all(&near, &|q| catalog.suggest(q));
    let (far_times, far_got) = time_all(&far, &|q| catalog.suggest(q));
    // The machine is shared, so slow outliers may be noise: DSLC_BENCH_SLOWEST=1 lists them.
    if std::env::var_os("DSLC_BENCH_SLOWEST").is_some() {
        let mut order: Vec<usize> = (0..NEAR).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(near_times[i]));
        for &i in order.iter().take(12) {
            println!("    slow: {} {}", near[i], ms(near_times[i]));
        }
    }
    let kinds = ["`-v3` for `-v2`", "a letter left out", "a dash left out", "upper case and a digit added"];
    for (kind, name) in kinds.iter().enumerate() {
        let times: Vec<Duration> = near_times.iter().skip(kind).step_by(4).copied().collect();
        println!(
            "    near misses with {name}: median {}, p95 {}",
            ms(median(times.clone())),
            ms(percentile(&times, 0.95))
        );
    }
    let total: Duration = near_times.iter().chain(&far_times).sum();
    let found = near_got.iter().zip(0..).filter(|(got, n)| got.first() == Some(&target(*n))).count();
    println!(
        "  new: near miss median {}, p95 {}; far miss median {}, p95 {}; all {} queries {}",
        ms(median(near_times.clone())),
        ms(percentile(&near_times, 0.95)),
        ms(median(far_times.clone())),
        ms(percentile(&far_times, 0.95)),
        NEAR + FAR,
        ms(total)
    );
    println!(
        "  new: first suggestion is the misspelt ID in {found} of {NEAR} near misses; {} far misses got suggestions",
        far_got.iter().filter(|g| !g.is_empty()).count()
    );

    // The previous implementation on a sample, interleaved with the new one on the same queries.
    let legacy = legacy::Index::build(&catalog);
    let mut before_total = Duration::ZERO;
    for (name, queries) in [("near", &near), ("far", &far)] {
        let (mut old_times, mut new_times, mut agree, mut top_agree) = (Vec::new(), Vec::new(), 0, 0);
        let sample: Vec<&String> = queries.iter().step_by(queries.len() / LEGACY_SAMPLE).collect();
        for query in &sample {
            let start = Instant::now();
            let old = legacy.suggest(&catalog, query);
            old_times.push(start.elapsed());
            let start = Instant::now();
            let new = catalog.suggest(query);
            new_times.push(start.elapsed());
            agree += usize::from(old == new);
            top_agree += usize::from(old.first() == new.first());
        }
        before_total += old_times.iter().sum::<Duration>() * queries.len() as u32 / sample.len() as u32;
        let (old_median, new_median) = (median(old_times.clone()), median(new_times.clone()));
        println!(
            "  {name} misses, {} sampled, interleaved: before median {} (p95 {}), after median {} (p95 {}): \
             {:.1}× faster; same three suggestions for {agree}, same first for {top_agree}",
            sample.len(),
            ms(old_median),
            ms(percentile(&old_times, 0.95)),
            ms(new_median),
            ms(percentile(&new_times, 0.95)),
            old_median.as_secs_f64() / new_median.as_secs_f64().max(1e-9)
        );
    }
    println!(
        "  before, extrapolated to all {} queries: {:.1} s (sample mean × count), after {}",
        NEAR + FAR,
        before_total.as_secs_f64(),
        ms(total)
    );
    println!("  legacy bigram index heap {:.1} MB (counted)", legacy.heap_bytes() as f64 / 1e6);
    drop(legacy);

    // Pathological IDs: 10 KB each, in the catalog and in the query.
    let long: Vec<String> = (0..200).map(|i| format!("{i:04}{}", "x".repeat(10_000))).collect();
    let long_catalog = parse_catalog(&format!("id\n{}\n", long.join("\n")), "id").unwrap();
    let queries: Vec<String> = long.iter().take(20).map(|id| format!("{id}y")).collect();
    let (long_times, _) = time_all(&queries, &|q| long_catalog.suggest(q));
    println!(
        "  200 IDs of 10 KB, 20 queries of 10 KB: median {}, max {}",
        ms(median(long_times.clone())),
        ms(long_times.iter().max().copied().unwrap_or_default())
    );

    // The whole `check` of a spec writing every miss, with the catalog read from disk.
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("data/1_raw");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(dir.path().join("dslc.toml"), "data_root = \"data\"\n").unwrap();
    std::fs::write(raw.join("draft_templates.csv"), &text).unwrap();
    let mut spec = String::from("axis draft_template = [\n");
    for id in near.iter().chain(&far) {
        spec.push_str(&format!("    {id},\n"));
    }
    spec.push_str("]\n");
    let spec_path = dir.path().join("spec.cohort");
    std::fs::write(&spec_path, &spec).unwrap();
    let clean_path = dir.path().join("clean.cohort");
    std::fs::write(&clean_path, "axis draft_template = [template-000001-v2]\n").unwrap();
    let check = |path: &std::path::Path| {
        let start = Instant::now();
        let db = Database::default();
        let file = db.file(path);
        let diagnostics = dslc_db::check(&db, file);
        (start.elapsed(), diagnostics.iter().filter(|d| d.code.id == "E0501").count())
    };
    let (mut with_misses, mut clean) = (Vec::new(), Vec::new());
    let mut unknown = 0;
    for _ in 0..3 {
        let (t, n) = check(&spec_path);
        with_misses.push(t);
        unknown = n;
        clean.push(check(&clean_path).0);
    }
    println!(
        "  cold `check` with {unknown} unknown IDs: median of 3 {} (same catalog, one known ID: {})",
        ms(median(with_misses)),
        ms(median(clean))
    );
    let (_, peak) = memory_kb();
    println!("  peak RSS of the benchmark process so far: {}", peak.map(mb).unwrap_or_else(|| "n/a".into()));
    println!("  (timings on a shared, noisy 2-core machine: compare ratios within one run)");
}

/// The catalog ID that near miss `n` was made from.
fn target(n: usize) -> String {
    format!("template-{:06}-v2", n * (IDS / NEAR) + 7)
}

/// The previous did-you-mean (bigram postings, candidates from the rarest lists, each compared
/// with a bounded edit distance), kept to measure the new one against in the same run.
mod legacy {
    use std::hash::{BuildHasherDefault, Hasher};

    use dslc_db::catalog::Catalog;
    use dslc_db::diagnostic::levenshtein_within;

    /// The Fx hash the previous implementation used (rustc-hash), so its timings stay true.
    #[derive(Default)]
    struct Fx(u64);

    impl Hasher for Fx {
        fn write(&mut self, bytes: &[u8]) {
            for chunk in bytes.chunks(8) {
                let mut word = [0u8; 8];
                word[..chunk.len()].copy_from_slice(chunk);
                self.write_u64(u64::from_le_bytes(word));
            }
        }

        fn write_u64(&mut self, value: u64) {
            self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }

        fn finish(&self) -> u64 {
            self.0
        }
    }

    type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fx>>;

    pub(super) struct Index {
        first: HashMap<Box<str>, u32>,
        postings: HashMap<u64, Vec<(u32, u8)>>,
        sizes: Vec<u16>,
        lower: Vec<String>,
        by_lower: HashMap<String, Vec<u32>>,
        repeats: Vec<bool>,
    }

    fn bigram_counts(text: &str) -> Vec<(u64, u8)> {
        let mut counts: Vec<(u64, u8)> = Vec::with_capacity(text.len());
        let mut chars = text.chars();
        let Some(mut previous) = chars.next() else { return counts };
        for current in chars {
            let bigram = (u64::from(u32::from(previous)) << 32) | u64::from(u32::from(current));
            match counts.iter_mut().find(|(b, _)| *b == bigram) {
                Some((_, n)) => *n = n.saturating_add(1),
                None => counts.push((bigram, 1)),
            }
            previous = current;
        }
        counts
    }

    impl Index {
        pub(super) fn build(catalog: &Catalog) -> Index {
            let mut repeats = vec![false; catalog.len()];
            for &(_, r) in &catalog.duplicates {
                repeats[r] = true;
            }
            let lower: Vec<String> = catalog.entries.iter().map(|e| e.id.to_lowercase()).collect();
            let mut by_lower: HashMap<String, Vec<u32>> = HashMap::default();
            let mut first: HashMap<Box<str>, u32> = HashMap::default();
            for (i, entry) in catalog.entries.iter().enumerate() {
                first.entry(entry.id.as_str().into()).or_insert(i as u32);
            }
            let mut postings: HashMap<u64, Vec<(u32, u8)>> = HashMap::default();
            let mut sizes = Vec::new();
            for (i, l) in lower.iter().enumerate() {
                sizes.push(l.chars().count().saturating_sub(1) as u16);
                if repeats[i] {
                    continue;
                }
                if *l != catalog.entries[i].id {
                    by_lower.entry(l.clone()).or_default().push(i as u32);
                }
                for (bigram, count) in bigram_counts(l) {
                    postings.entry(bigram).or_default().push((i as u32, count));
                }
            }
            Index { first, postings, sizes, lower, by_lower, repeats }
        }

        pub(super) fn heap_bytes(&self) -> usize {
            self.postings.capacity() * (8 + 24 + 1)
                + self.postings.values().map(|v| v.capacity() * 8).sum::<usize>()
                + self.sizes.capacity() * 2
        }

        pub(super) fn suggest(&self, catalog: &Catalog, wanted: &str) -> Vec<String> {
            let entries = &catalog.entries;
            let lower = wanted.to_lowercase();
            let mut best: Vec<(usize, usize)> = Vec::new();
            if let Some(i) = self.first.get(lower.as_str()).map(|&i| i as usize).filter(|&i| entries[i].id != wanted) {
                best.push((0, i));
            }
            if let Some(indexes) = self.by_lower.get(&lower) {
                best.extend(indexes.iter().map(|&i| i as usize).filter(|&i| entries[i].id != wanted).map(|i| (0, i)));
            }
            let length = lower.chars().count();
            let mut bound = if length <= 4 { 1 } else { 2 };
            let query = bigram_counts(&lower);
            let query_size = length.saturating_sub(1);
            let needed = query_size.saturating_sub(2 * bound);
            let candidates: Vec<usize> = if needed == 0 {
                (0..entries.len()).collect()
            } else {
                let mut lists: Vec<(&[(u32, u8)], u8)> = query
                    .iter()
                    .map(|(b, n)| (self.postings.get(b).map(Vec::as_slice).unwrap_or_default(), *n))
                    .collect();
                lists.sort_by_key(|(postings, _)| postings.len());
                let mut budget = query_size - needed + 1;
                let mut candidates = Vec::new();
                for (postings, count) in lists {
                    if budget == 0 {
                        break;
                    }
                    budget = budget.saturating_sub(usize::from(count));
                    candidates.extend(
                        postings
                            .iter()
                            .map(|&(entry, _)| entry as usize)
                            .filter(|&i| (self.sizes[i] as usize).abs_diff(query_size) <= bound),
                    );
                }
                candidates.sort_unstable();
                candidates.dedup();
                candidates
            };
            for i in candidates {
                if best.iter().any(|&(_, b)| b == i) || entries[i].id == wanted || self.repeats[i] {
                    continue;
                }
                let Some(distance) = levenshtein_within(&lower, &self.lower[i], bound) else { continue };
                let distance = distance.max(1);
                let id = &entries[i].id;
                let at = best.partition_point(|&(d, b)| (d, &entries[b].id) <= (distance, id));
                best.insert(at, (distance, i));
                best.truncate(3);
                if best.len() == 3 {
                    bound = bound.min(best[2].0);
                }
            }
            best.into_iter().map(|(_, i)| entries[i].id.clone()).collect()
        }
    }
}
