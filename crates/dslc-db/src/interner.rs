//! String interning for level values, so rows are arrays of small integers.

use std::hash::{Hash, Hasher};

use hashbrown::HashTable;

/// An interned string; compare and hash in O(1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sym(pub u32);

/// Owns every distinct value of a design once, in one buffer: a design has tens of thousands
/// of values, and one allocation for all of them keeps building and dropping analyses cheap.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    text: String,
    /// End offset of each string in `text`; string `i` starts where string `i - 1` ends.
    ends: Vec<usize>,
    /// Symbols with 32 bits of their text's hash, so that growing the table never rehashes text.
    table: HashTable<(u32, u32)>,
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.text == other.text
    }
}

impl Eq for Interner {}

fn hash_text(text: &str) -> u32 {
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    (hasher.finish() >> 32) as u32
}

/// Spreads a stored 32-bit hash over 64 bits: the table reads its top bits as well as its low ones.
fn table_hash(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

impl Interner {
    /// Makes room for `additional` more distinct strings.
    pub fn reserve(&mut self, additional: usize) {
        self.ends.reserve(additional);
        self.table.reserve(additional, |&(_, short)| table_hash(short));
    }

    pub fn intern(&mut self, text: &str) -> Sym {
        let short = hash_text(text);
        let (buffer, ends) = (&self.text, &self.ends);
        if let Some(&(sym, _)) =
            self.table.find(table_hash(short), |&(i, other)| other == short && slice(buffer, ends, i) == text)
        {
            return Sym(sym);
        }
        let sym = self.ends.len() as u32;
        self.text.push_str(text);
        self.ends.push(self.text.len());
        self.table.insert_unique(table_hash(short), (sym, short), |&(_, short)| table_hash(short));
        Sym(sym)
    }

    pub fn get(&self, sym: Sym) -> &str {
        slice(&self.text, &self.ends, sym.0)
    }

    pub fn lookup(&self, text: &str) -> Option<Sym> {
        let short = hash_text(text);
        self.table
            .find(table_hash(short), |&(i, other)| other == short && self.get(Sym(i)) == text)
            .map(|&(i, _)| Sym(i))
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

fn slice<'a>(text: &'a str, ends: &[usize], index: u32) -> &'a str {
    let index = index as usize;
    let start = if index == 0 { 0 } else { ends[index - 1] };
    &text[start..ends[index]]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once_and_gives_text_back() {
        let mut interner = Interner::default();
        let a = interner.intern("gpt-4.1");
        let b = interner.intern("");
        let c = interner.intern("combo-ü");
        assert_eq!(interner.intern("gpt-4.1"), a);
        assert_eq!((interner.get(a), interner.get(b), interner.get(c)), ("gpt-4.1", "", "combo-ü"));
        assert_eq!(interner.lookup("combo-ü"), Some(c));
        assert_eq!(interner.lookup("missing"), None);
        assert_eq!(interner.len(), 3);
    }
}
