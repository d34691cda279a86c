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
    ends: Vec<u32>,
    /// Symbols, hashed by their text.
    table: HashTable<u32>,
}

impl PartialEq for Interner {
    fn eq(&self, other: &Self) -> bool {
        self.ends == other.ends && self.text == other.text
    }
}

impl Eq for Interner {}

fn hash_text(text: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

impl Interner {
    /// Makes room for `additional` more distinct strings.
    pub fn reserve(&mut self, additional: usize) {
        self.ends.reserve(additional);
        let (text, ends) = (&self.text, &self.ends);
        self.table.reserve(additional, |&i| hash_text(slice(text, ends, i)));
    }

    pub fn intern(&mut self, text: &str) -> Sym {
        let hash = hash_text(text);
        let (buffer, ends) = (&self.text, &self.ends);
        if let Some(&sym) = self.table.find(hash, |&i| slice(buffer, ends, i) == text) {
            return Sym(sym);
        }
        let sym = self.ends.len() as u32;
        self.text.push_str(text);
        self.ends.push(self.text.len() as u32);
        let (buffer, ends) = (&self.text, &self.ends);
        self.table.insert_unique(hash, sym, |&i| hash_text(slice(buffer, ends, i)));
        Sym(sym)
    }

    pub fn get(&self, sym: Sym) -> &str {
        slice(&self.text, &self.ends, sym.0)
    }

    pub fn lookup(&self, text: &str) -> Option<Sym> {
        self.table.find(hash_text(text), |&i| self.get(Sym(i)) == text).map(|&i| Sym(i))
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

fn slice<'a>(text: &'a str, ends: &[u32], index: u32) -> &'a str {
    let index = index as usize;
    let start = if index == 0 { 0 } else { ends[index - 1] as usize };
    &text[start..ends[index] as usize]
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
