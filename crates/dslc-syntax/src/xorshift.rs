//! A tiny deterministic generator (xorshift64) for the randomised tests of every crate: the same
//! seed always gives the same inputs, so a failure replays exactly.

/// Xorshift64; the state must not be zero.
#[derive(Clone, Debug)]
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_deterministic_and_stays_below_its_bound() {
        let (mut a, mut b) = (XorShift(7), XorShift(7));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
            let (x, y) = (a.below(5), b.below(5));
            assert!(x == y && x < 5);
        }
        assert_eq!(a.below(0), 0);
    }
}
