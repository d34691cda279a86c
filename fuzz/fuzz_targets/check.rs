//! Fuzz target: the checker on an in-memory project (spec, two includes, a catalog, dslc.toml).
//!
//! Input: the files separated by NUL bytes, in the order spec, `items/a.csv`, `items/b.txt`,
//! catalog CSV, `dslc.toml`; missing parts are absent files. Invariants (`common::check_project`):
//! no panic; every diagnostic label lies inside the file it names, on char boundaries; `check`
//! and `counts` are deterministic and equal after edits; a small accepted design streams
//! `counts().rows` rows with the counted distinct stage entries, and equals the reference.

#![no_main]

use libfuzzer_sys::fuzz_target;

mod common;

fuzz_target!(|data: &[u8]| {
    let parts = common::split_parts(data, 5);
    let text = |i: usize| parts[i].map(common::decode);
    let project = common::Project {
        spec: text(0).unwrap_or_default(),
        a_csv: text(1),
        b_txt: text(2),
        catalog: text(3),
        toml: text(4),
    };
    common::check_project(&project);
});
