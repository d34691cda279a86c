//! `random.Random(seed).shuffle(rows)` exactly as CPython does it, for `compile --seed`: the
//! Mersenne Twister (MT19937) seeded from an integer with `init_by_array` over the integer's
//! 32-bit words, and `shuffle` drawing each index with `_randbelow` (rejection sampling over
//! `getrandbits`). The old system shuffled its rows this way, so a seed gives the same order.

/// A seed as Python's `random.seed(int)` reads it: the absolute value, as 32-bit words, least
/// significant first (`[0]` for zero).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seed {
    words: Vec<u32>,
}

impl Seed {
    /// Parses a decimal integer of any size, with an optional sign (Python uses `abs(seed)`).
    pub fn parse(text: &str) -> Result<Seed, String> {
        let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{text}` is not an integer"));
        }
        let mut words: Vec<u32> = vec![0];
        for digit in digits.bytes().map(|b| u64::from(b - b'0')) {
            // words = words * 10 + digit, in base 2^32.
            let mut carry = digit;
            for word in &mut words {
                let value = u64::from(*word) * 10 + carry;
                *word = value as u32;
                carry = value >> 32;
            }
            if carry > 0 {
                words.push(carry as u32);
            }
        }
        while words.len() > 1 && words.last() == Some(&0) {
            words.pop();
        }
        Ok(Seed { words })
    }
}

impl From<u64> for Seed {
    fn from(n: u64) -> Self {
        let words = if n >> 32 == 0 { vec![n as u32] } else { vec![n as u32, (n >> 32) as u32] };
        Seed { words }
    }
}

const N: usize = 624;
const M: usize = 397;

/// CPython's `random.Random`: MT19937 with its seeding and bit-drawing functions.
pub struct PyRandom {
    state: Box<[u32; N]>,
    index: usize,
}

impl PyRandom {
    /// `random.Random(seed)`.
    pub fn new(seed: &Seed) -> Self {
        let mut random = PyRandom { state: Box::new([0; N]), index: N };
        random.init_genrand(19_650_218);
        let mt = &mut random.state;
        let key = &seed.words;
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let previous = mt[i - 1] ^ (mt[i - 1] >> 30);
            mt[i] = (mt[i] ^ previous.wrapping_mul(1_664_525)).wrapping_add(key[j]).wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let previous = mt[i - 1] ^ (mt[i - 1] >> 30);
            mt[i] = (mt[i] ^ previous.wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        // The most significant bit is set, so the state is never all zeros.
        mt[0] = 0x8000_0000;
        random
    }

    fn init_genrand(&mut self, seed: u32) {
        self.state[0] = seed;
        for i in 1..N {
            let previous = self.state[i - 1];
            self.state[i] = 1_812_433_253u32.wrapping_mul(previous ^ (previous >> 30)).wrapping_add(i as u32);
        }
        self.index = N;
    }

    /// `genrand_uint32`: the next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.state[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    fn twist(&mut self) {
        const UPPER: u32 = 0x8000_0000;
        const LOWER: u32 = 0x7fff_ffff;
        const MATRIX_A: u32 = 0x9908_b0df;
        let mt = &mut self.state;
        for k in 0..N {
            let y = (mt[k] & UPPER) | (mt[(k + 1) % N] & LOWER);
            let mag = if y & 1 == 1 { MATRIX_A } else { 0 };
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ mag;
        }
        self.index = 0;
    }

    /// `getrandbits(k)` for `k` ≤ 64: 32-bit words, least significant first, the last one
    /// cut to the bits that remain.
    pub fn getrandbits(&mut self, k: u32) -> u64 {
        debug_assert!(k <= 64);
        if k <= 32 {
            return if k == 0 { 0 } else { u64::from(self.next_u32() >> (32 - k)) };
        }
        let low = u64::from(self.next_u32());
        let high = u64::from(self.next_u32() >> (64 - k));
        low | high << 32
    }

    /// `_randbelow(n)` for `n` > 0: draws `n.bit_length()` bits until they are below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        let k = u64::BITS - n.leading_zeros();
        loop {
            let r = self.getrandbits(k);
            if r < n {
                return r;
            }
        }
    }

    /// `shuffle(x)`: Fisher–Yates from the last index down, as Python's `random.shuffle`.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// The order in which `random.Random(seed).shuffle` leaves `0..n`.
pub fn permutation(n: usize, seed: &Seed) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    PyRandom::new(seed).shuffle(&mut order);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_into_little_endian_words() {
        assert_eq!(Seed::parse("0").unwrap(), Seed { words: vec![0] });
        assert_eq!(Seed::parse("4294967301").unwrap(), Seed { words: vec![5, 1] });
        assert_eq!(Seed::parse("-42").unwrap(), Seed::from(42));
        assert_eq!(Seed::parse("000").unwrap(), Seed::from(0));
        assert_eq!(Seed::parse("18446744073709551616").unwrap(), Seed { words: vec![0, 0, 1] });
        for bad in ["", "-", "1.5", "0x10", "4 2", "seed"] {
            assert!(Seed::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn known_answers_from_cpython() {
        // python3 -c 'import random; r = random.Random(42); print([r.getrandbits(32) for _ in range(3)])'
        let mut r = PyRandom::new(&Seed::from(42));
        assert_eq!([r.next_u32(), r.next_u32(), r.next_u32()], [2746317213, 478163327, 107420369]);
        // python3 -c 'import random; r = random.Random(0); print([r.getrandbits(40) for _ in range(2)])'
        let mut r = PyRandom::new(&Seed::from(0));
        assert_eq!([r.getrandbits(40), r.getrandbits(40)], [424533559245, 978212965548]);
    }

    #[test]
    fn shuffling_nothing_or_one_item_draws_nothing() {
        assert_eq!(permutation(0, &Seed::from(1)), Vec::<usize>::new());
        assert_eq!(permutation(1, &Seed::from(1)), vec![0]);
    }
}
