//! `dslc-bench scaling`: times `check` on adversarial spec shapes at 1×, 2× and 4× size and
//! prints the growth exponent of each, which must stay near 1 (linear) for every shape.

use std::time::{Duration, Instant};

use dslc_db::Database;

/// One adversarial shape: a name and a generator of a spec of about `n` units.
struct Shape {
    name: &'static str,
    base: usize,
    generate: fn(usize) -> String,
}

const SHAPES: &[Shape] = &[
    Shape { name: "distinct axes", base: 10_000, generate: distinct_axes },
    Shape { name: "wide tuple", base: 5_000, generate: wide_tuple },
    Shape { name: "unknown output fields", base: 1_000, generate: unknown_output_fields },
    Shape { name: "unknown axes in rules", base: 1_000, generate: unknown_axes },
    Shape { name: "long names", base: 2_000, generate: long_names },
    Shape { name: "chained ties", base: 20, generate: chained_ties },
    Shape { name: "nested pairs", base: 100, generate: nested_pairs },
    Shape { name: "failing rules, big axis", base: 2_000, generate: failing_rules },
    Shape { name: "wide items header", base: 2_000, generate: wide_header },
    Shape { name: "duplicate levels", base: 20_000, generate: duplicate_levels },
];

/// Rounds per size, interleaved, after one warm-up round that is not counted (it pays for
/// first touches of memory and code); the median is taken, as the machines are shared and noisy.
const ROUNDS: usize = 11;

/// The largest growth exponent accepted: time grows as size^e.
const MAX_EXPONENT: f64 = 1.2;

pub(crate) fn bench_scaling() {
    println!("check scaling (in process, median of {ROUNDS} rounds interleaved after a warm-up round; exponent = log(time ratio) / log(size ratio), 1× to 4×)");
    let mut worst: f64 = 0.0;
    for shape in SHAPES {
        let sizes = [shape.base, shape.base * 2, shape.base * 4];
        let specs: Vec<String> = sizes.iter().map(|&n| (shape.generate)(n)).collect();
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); sizes.len()];
        for round in 0..=ROUNDS {
            for (k, spec) in specs.iter().enumerate() {
                let time = time_check(spec);
                if round > 0 {
                    samples[k].push(time);
                }
            }
        }
        let medians: Vec<f64> = samples.into_iter().map(|s| crate::median(s).as_secs_f64()).collect();
        // Growth against input bytes (some shapes grow faster than their unit count), taken from
        // 1× to 4×, which is steadier than either doubling alone.
        let bytes_ratio = specs[2].len() as f64 / specs[0].len() as f64;
        let exponent = (medians[2] / medians[0].max(1e-9)).ln() / bytes_ratio.ln();
        worst = worst.max(exponent);
        println!(
            "  {:<24} {:>8} B {:>9}  {:>8} B {:>9}  {:>8} B {:>9}  exponent {:.2}{}",
            shape.name,
            specs[0].len(),
            ms(medians[0]),
            specs[1].len(),
            ms(medians[1]),
            specs[2].len(),
            ms(medians[2]),
            exponent,
            if exponent > MAX_EXPONENT { "  ← over the limit" } else { "" }
        );
    }
    println!("  worst exponent {worst:.2} (limit {MAX_EXPONENT})");
}

fn ms(seconds: f64) -> String {
    format!("{:.1} ms", seconds * 1000.0)
}

/// Checks a spec in a fresh database, the cost a cold `dslc check` pays for it.
fn time_check(spec: &str) -> Duration {
    let mut db = Database::default();
    let file = db.set_file_text(std::path::Path::new("/dslc-bench-scaling/spec.cohort"), spec);
    let start = Instant::now();
    let diagnostics = dslc_db::check(&db, file).len();
    let elapsed = start.elapsed();
    std::hint::black_box(diagnostics);
    elapsed
}

fn distinct_axes(n: usize) -> String {
    (0..n).map(|i| format!("axis a{i} = [x]\n")).collect()
}

fn wide_tuple(n: usize) -> String {
    let names: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
    let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
    format!("tuple wide ({}) = [({}), ({})]\n", names.join(", "), values.join(", "), names.join(", "))
}

fn unknown_output_fields(n: usize) -> String {
    let mut spec: String = (0..n).map(|i| format!("axis axis_{i} = [x]\n")).collect();
    let fields: Vec<String> = (0..n).map(|i| format!("field_{i}")).collect();
    spec.push_str(&format!("output {}\n", fields.join(", ")));
    spec
}

fn unknown_axes(n: usize) -> String {
    let mut spec: String = (0..n).map(|i| format!("axis axis_{i} = [x]\n")).collect();
    spec.extend((0..n).map(|i| format!("subset axes_{i} = [x]\n")));
    spec
}

fn long_names(n: usize) -> String {
    // Two long names that differ in one character, and a misspelt reference to them.
    let stem = "n".repeat(n);
    format!("axis {stem}a = [x]\naxis {stem}b = [x]\nsubset {stem}c = [x]\ntie {stem}d ({stem}e, {stem}f)\noutput {stem}g\n")
}

/// `n` chains of 200 ties each (under the nesting limit of 256), each tie taking one more axis.
fn chained_ties(n: usize) -> String {
    let mut spec = String::new();
    for c in 0..n {
        spec.extend((0..=200).map(|i| format!("axis c{c}_a{i} = [x, y]\n")));
        spec.push_str(&format!("tie c{c}_t1 (c{c}_a0, c{c}_a1)\n"));
        spec.extend((2..=200).map(|i| format!("tie c{c}_t{i} (c{c}_t{}, c{c}_a{i})\n", i - 1)));
    }
    spec
}

/// `n` chains of 30 nested pairs (items nest one bracket deeper per pair; brackets nest at most
/// 64 deep).
fn nested_pairs(n: usize) -> String {
    let mut spec = String::new();
    for c in 0..n {
        spec.extend((0..=30).map(|i| format!("axis c{c}_a{i} = [x]\n")));
        let mut left = format!("c{c}_a0");
        let mut level = "x".to_string();
        for i in 1..=30 {
            spec.push_str(&format!("pair c{c}_p{i} ({left}, c{c}_a{i}) = [({level}, x)]\n"));
            left = format!("c{c}_p{i}");
            level = format!("({level}, x)");
        }
    }
    spec
}

/// One axis of 100,000 levels, and `n` rules that fail against it (a subset that keeps
/// nothing, a pair item outside its domain): each must not walk the whole axis.
fn failing_rules(n: usize) -> String {
    let mut spec = String::from("axis big = 1..100000\naxis small = [x]\n");
    for i in 0..n {
        if i % 2 == 0 {
            spec.push_str("subset big = [none]\n");
        } else {
            spec.push_str(&format!("pair p{i} (big, small) = [(0, x)]\n"));
        }
    }
    spec
}

fn wide_header(n: usize) -> String {
    // A tuple over many axes whose items list every axis: a wide header row in spirit.
    let names: Vec<String> = (0..n).map(|i| format!("h{i}")).collect();
    let items: Vec<String> =
        (0..4).map(|k| format!("({})", (0..n).map(|i| format!("v{k}_{i}")).collect::<Vec<_>>().join(", "))).collect();
    format!("tuple wide ({}) = [{}]\n", names.join(", "), items.join(", "))
}

fn duplicate_levels(n: usize) -> String {
    let levels: Vec<String> = (0..n).map(|i| format!("l{}", i % 7)).collect();
    format!("axis combo_id = [{}]\n", levels.join(", "))
}
