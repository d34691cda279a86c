//! Fuzz target: small specs (and at most one items file, `items/a.csv`) built by the reference
//! generator from fuzz-chosen decisions, so most of them are valid; dslc's rows must equal the
//! naive reference evaluation's.
//!
//! Invariants are those of the check target (`common::check_project`), which compares the rows
//! with `reference::evaluate` whenever dslc accepts the spec.

#![no_main]

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

mod common;

use common::reference::{self, Choices};

/// Decisions read from the fuzz input; once it runs out every choice is 0.
struct Fuzzed<'a>(Unstructured<'a>);

impl Choices for Fuzzed<'_> {
    fn below(&mut self, n: usize) -> usize {
        self.0.choose_index(n).unwrap_or(0)
    }
}

fuzz_target!(|data: &[u8]| {
    let (spec, a_csv) = reference::generate_project(&mut Fuzzed(Unstructured::new(data)));
    common::check_project(&common::Project { spec, a_csv, ..common::Project::default() });
});
