//! Tests of catalogs: reading, duplicates, and the suggestion index against a brute-force search.

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
