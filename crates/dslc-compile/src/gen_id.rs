//! Deterministic generation IDs (LANGUAGE.md §4.6): BLAKE2b-80 of the `|`-joined, trimmed and
//! lower-cased signature, as lower-case base36 behind a stage prefix.

use std::fmt;

use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;

/// A stage of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Draft,
    Essay,
    Evaluation,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Draft => "draft",
            Stage::Essay => "essay",
            Stage::Evaluation => "evaluation",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Stage::Draft => "d_",
            Stage::Essay => "e_",
            Stage::Evaluation => "v_",
        }
    }
}

/// A generation ID, stored inline: a prefix and at most 16 base36 digits (80 bits). The default
/// is empty, a placeholder until the ID is computed.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GenId {
    len: u8,
    bytes: [u8; 18],
}

impl GenId {
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }

    /// The ID's bytes, without the UTF-8 check of [`GenId::as_str`]: writers of millions of IDs
    /// copy these.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// Parses an ID read from elsewhere (a gens store, a selection file).
    pub fn parse(text: &str) -> Option<GenId> {
        let text = text.trim();
        if text.len() > 18 || !text.is_ascii() || text.is_empty() {
            return None;
        }
        let mut bytes = [0u8; 18];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Some(GenId { len: text.len() as u8, bytes })
    }
}

impl fmt::Display for GenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for GenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GenId({})", self.as_str())
    }
}

/// Appends `text` trimmed and lower-cased; ASCII (nearly every ID) needs no allocation.
fn push_normalised(canonical: &mut Vec<u8>, text: &str) {
    let text = text.trim();
    if text.is_ascii() {
        canonical.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
    } else {
        canonical.extend_from_slice(text.to_lowercase().as_bytes());
    }
}

thread_local! {
    // One buffer per thread: IDs are computed for millions of entries.
    static CANONICAL: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Computes the ID of a signature: text parts (trimmed and lower-cased here) and the replicate.
pub fn gen_id(stage: Stage, parts: &[&str], replicate: u64) -> GenId {
    CANONICAL.with_borrow_mut(|canonical| {
        canonical.clear();
        for part in parts {
            push_normalised(canonical, part);
            canonical.push(b'|');
        }
        push_replicate(canonical, replicate);
        hash_to_id(stage, canonical)
    })
}

/// Computes the ID of a signature whose parts are already trimmed and lower-cased, as the plan
/// keeps them: each distinct value is normalised once, not once per row.
pub fn gen_id_normalised(stage: Stage, parts: &[&[u8]], replicate: u64) -> GenId {
    CANONICAL.with_borrow_mut(|canonical| gen_id_normalised_in(canonical, stage, parts, replicate))
}

/// [`gen_id_normalised`] with the caller's buffer for the canonical text, for loops that hash
/// millions of IDs (the thread-local lookup is 3 % of a compile).
pub fn gen_id_normalised_in(canonical: &mut Vec<u8>, stage: Stage, parts: &[&[u8]], replicate: u64) -> GenId {
    canonical.clear();
    for part in parts {
        canonical.extend_from_slice(part);
        canonical.push(b'|');
    }
    push_replicate(canonical, replicate);
    hash_to_id(stage, canonical)
}

fn push_replicate(canonical: &mut Vec<u8>, replicate: u64) {
    let mut digits = [0u8; 20];
    canonical.extend_from_slice(format_u64(replicate, &mut digits).as_bytes());
}

/// Formats a number into `buffer` without allocating.
pub fn format_u64(mut value: u64, buffer: &mut [u8; 20]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or("0")
}

fn hash_to_id(stage: Stage, canonical: &[u8]) -> GenId {
    let mut hasher = Blake2bVar::new(10).expect("10 bytes is a valid BLAKE2b output size");
    hasher.update(canonical);
    let mut digest = [0u8; 10];
    hasher.finalize_variable(&mut digest).expect("the buffer has the requested size");
    let value = digest.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    let mut bytes = [0u8; 18];
    bytes[..2].copy_from_slice(stage.prefix().as_bytes());
    let len = 2 + base36(value, &mut bytes[2..]);
    GenId { len: len as u8, bytes }
}

/// Writes `value` (below 2^80) in lower-case base36 into `out` and returns the digit count.
///
/// One 128-bit division splits the value at 36^12; both parts then fit in 64 bits, whose
/// divisions are far cheaper than 128-bit ones.
fn base36(value: u128, out: &mut [u8]) -> usize {
    const LOW_DIGITS: usize = 12;
    const SPLIT: u128 = 36u128.pow(LOW_DIGITS as u32);
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let (high, low) = ((value / SPLIT) as u64, (value % SPLIT) as u64);
    let mut reversed = [0u8; 16];
    let mut count = 0;
    let mut push = |mut part: u64, min_digits: usize| {
        let mut written = 0;
        while part > 0 || written < min_digits {
            reversed[count] = DIGITS[(part % 36) as usize];
            part /= 36;
            count += 1;
            written += 1;
        }
    };
    if high > 0 {
        push(low, LOW_DIGITS);
        push(high, 0);
    } else {
        push(low, 1);
    }
    for (slot, digit) in out.iter_mut().zip(reversed[..count].iter().rev()) {
        *slot = *digit;
    }
    count
}

/// draft = (combo, template, llm, replicate).
pub fn draft_id(combo: &str, template: &str, llm: &str, replicate: u64) -> GenId {
    gen_id(Stage::Draft, &[combo, template, llm], replicate)
}

/// essay = (draft gen_id, template, replicate); the essay's llm is not part of it.
pub fn essay_id(draft: &GenId, template: &str, replicate: u64) -> GenId {
    gen_id(Stage::Essay, &[draft.as_str(), template], replicate)
}

/// evaluation = (essay gen_id, template, llm, replicate).
pub fn evaluation_id(essay: &GenId, template: &str, llm: &str, replicate: u64) -> GenId {
    gen_id(Stage::Evaluation, &[essay.as_str(), template, llm], replicate)
}

/// [`evaluation_id`] of an already normalised template and llm (gen_ids are lower-case ASCII).
pub fn evaluation_id_normalised(essay: &GenId, template: &str, llm: &str, replicate: u64) -> GenId {
    gen_id_normalised(Stage::Evaluation, &[essay.as_bytes(), template.as_bytes(), llm.as_bytes()], replicate)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `../shared/reference/gen_id_vectors.csv`: the old system's known answers.
    const VECTORS: &[(&str, &str, &str, &str, u64, &str)] = &[
        ("draft", "combo_v1_a", "creative-synthesis-v10", "gemini_25_pro", 1, "d_530mv6a462mquuj9"),
        ("essay", "d_530mv6a462mquuj9", "essay-theme-v16", "", 1, "e_3150xdxixja26ylg"),
        ("evaluation", "e_3150xdxixja26ylg", "novelty-v2", "Sonnet-4", 1, "v_4z7klodyxmrvu33t"),
        ("draft", "Combo-A1", " Draft-One ", "Model-S", 2, "d_55t65o2qz7ouirho"),
        ("essay", "d_55t65o2qz7ouirho", "essay-theme-v16", "", 2, "e_2dco6obozqp07rex"),
        ("evaluation", "e_2dco6obozqp07rex", "novelty-v2", "Sonnet-4", 1, "v_3wbdofky1z28s7bc"),
        ("draft", "c", "t", "m", 1, "d_36ywpz897ym7pkou"),
        ("essay", "d_36ywpz897ym7pkou", "essay-theme-v16", "", 1, "e_2v8rvvpeicvav684"),
        ("evaluation", "e_2v8rvvpeicvav684", "novelty-v2", "Sonnet-4", 1, "v_24pnr2vuqhdvnfyd"),
        ("draft", "combo-ü", "tpl/x:y", "deepseek/deepseek-r1:free", 10, "d_iku62yh4p7fjmid"),
        ("essay", "d_iku62yh4p7fjmid", "essay-theme-v16", "", 10, "e_1dulq8gdufywki7e"),
        ("evaluation", "e_1dulq8gdufywki7e", "novelty-v2", "Sonnet-4", 1, "v_22c45qmot1m3sr4f"),
        ("draft", "0", "0", "0", 3, "d_cq4vyuxnfdjbuyd"),
        ("essay", "d_cq4vyuxnfdjbuyd", "essay-theme-v16", "", 3, "e_3wd9kn92ygaa4t8w"),
        ("evaluation", "e_3wd9kn92ygaa4t8w", "novelty-v2", "Sonnet-4", 1, "v_3tp4rqc2a2lf5ia0"),
    ];

    #[test]
    fn known_answers() {
        for &(stage, parent_or_combo, template, llm, replicate, expected) in VECTORS {
            let got = match stage {
                "draft" => draft_id(parent_or_combo, template, llm, replicate),
                "essay" => essay_id(&GenId::parse(parent_or_combo).unwrap(), template, replicate),
                _ => evaluation_id(&GenId::parse(parent_or_combo).unwrap(), template, llm, replicate),
            };
            assert_eq!(got.as_str(), expected, "{stage} {parent_or_combo} {template} {llm} {replicate}");
        }
    }

    #[test]
    fn reads_the_shared_vectors_when_present() {
        // The embedded table above must agree with the file CI has beside the checkout.
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference/gen_id_vectors.csv");
        let Ok(text) = std::fs::read_to_string(&path) else { return };
        let lines: Vec<&str> = text.lines().skip(1).filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), VECTORS.len());
        for (line, vector) in lines.iter().zip(VECTORS) {
            assert!(line.ends_with(vector.5), "{line}");
        }
    }

    /// The straightforward 128-bit base36 the split version replaces.
    fn base36_reference(mut value: u128) -> String {
        let mut digits = Vec::new();
        loop {
            digits.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(value % 36) as usize]);
            value /= 36;
            if value == 0 {
                break;
            }
        }
        digits.reverse();
        String::from_utf8(digits).unwrap()
    }

    #[test]
    fn base36_matches_the_reference_at_the_edges_and_at_random() {
        let split = 36u128.pow(12);
        let mut values = vec![0, 1, 35, 36, split - 1, split, split + 1, split * 36 - 1, (1u128 << 80) - 1];
        let mut rng = dslc_syntax::xorshift::XorShift(80);
        for _ in 0..10_000 {
            let bits = rng.below(81) as u32;
            let wide = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
            values.push(if bits == 0 { 0 } else { wide >> (128 - bits) });
        }
        for value in values {
            let mut out = [0u8; 16];
            let count = base36(value, &mut out);
            assert_eq!(std::str::from_utf8(&out[..count]).unwrap(), base36_reference(value), "{value}");
        }
    }

    #[test]
    fn normalised_ids_equal_the_normalising_ones() {
        let essay = GenId::parse("e_3150xdxixja26ylg").unwrap();
        assert_eq!(
            evaluation_id(&essay, " Novelty-V2 ", "Sonnet-4", 3),
            evaluation_id_normalised(&essay, "novelty-v2", "sonnet-4", 3)
        );
        assert_eq!(gen_id(Stage::Draft, &["Ü", "b"], 1), gen_id_normalised(Stage::Draft, &["ü".as_bytes(), b"b"], 1));
    }

    #[test]
    fn parse_round_trips_and_rejects_junk() {
        let id = draft_id("c", "t", "m", 1);
        assert_eq!(GenId::parse(id.as_str()), Some(id));
        assert_eq!(GenId::parse("not a gen id at all, far too long"), None);
        assert_eq!(GenId::parse(""), None);
    }
}
