//! `dslc-bench compile [--quick] [--baseline PATH] [--rounds N]`: times `dslc compile` against
//! the floor (a program that computes the same BLAKE2b-80 + base36 IDs in nested loops and
//! writes byte-identical files, with fsync) and against a baseline `dslc`, in interleaved rounds.
//!
//! The floor runs as `dslc-bench floor COMBOS THREADS OUT`, a separate process, so that
//! `/usr/bin/time` measures its peak memory the same way as dslc's. Before the compiles, `check`
//! of 10k-, 1M- and 100M-row specs of one text size must take about the same time.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use blake2::digest::{Update, VariableOutput};
use blake2::Blake2bVar;

/// The benchmark spec's axis sizes besides `combo_id`: draft templates, models (tied between
/// draft and essay), essay templates, evaluation templates and evaluation models.
const DRAFT_TEMPLATES: usize = 10;
const MODELS: usize = 5;
const ESSAY_TEMPLATES: usize = 4;
const EVALUATION_TEMPLATES: usize = 10;
const JUDGES: usize = 5;

/// Evaluation rows per combo.
const ROWS_PER_COMBO: usize = DRAFT_TEMPLATES * MODELS * ESSAY_TEMPLATES * EVALUATION_TEMPLATES * JUDGES;

/// The cohort id dslc derives from the spec's `cohort bench` line.
const COHORT: &str = "bench";

/// Output buffer of the floor's writers: large enough that `write(2)` calls are few.
const BUFFER_BYTES: usize = 1 << 20;

/// The spec of the benchmark with `combos` combos: every row is one evaluation.
pub(crate) fn spec(combos: usize) -> String {
    let list = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>().join(", ");
    format!(
        "cohort {COHORT}\naxis combo_id = [{}]\naxis draft_template = [{}]\naxis draft_llm = [{}]\naxis essay_llm = [{}]\n\
         axis essay_template = [{}]\naxis evaluation_template = [{}]\naxis evaluation_llm = [{}]\n\
         tie shared_llm (draft_llm, essay_llm)\n",
        list("combo", combos),
        list("draft-tpl", DRAFT_TEMPLATES),
        list("model", MODELS),
        list("model", MODELS),
        list("essay-tpl", ESSAY_TEMPLATES),
        list("eval-tpl", EVALUATION_TEMPLATES),
        list("judge", JUDGES)
    )
}

/// A generation ID as the contract defines it: BLAKE2b-80 of the canonical text, base36 behind
/// the stage prefix. The canonical text is already trimmed and lower-cased here.
fn gen_id(prefix: &[u8; 2], canonical: &[u8], out: &mut Vec<u8>) {
    let mut hasher = Blake2bVar::new(10).expect("10 bytes is a valid BLAKE2b output size");
    hasher.update(canonical);
    let mut digest = [0u8; 10];
    hasher.finalize_variable(&mut digest).expect("the buffer has the requested size");
    let value = digest.iter().fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    out.extend_from_slice(prefix);
    // One 128-bit division splits the 80-bit value into two parts that 64-bit arithmetic formats.
    const LOW_DIGITS: u32 = 12;
    let split = 36u128.pow(LOW_DIGITS);
    let (high, low) = ((value / split) as u64, (value % split) as u64);
    let mut digits = [b'0'; 16];
    let mut start = digits.len();
    let mut push = |mut part: u64, min_digits: u32| {
        let mut written = 0;
        while part > 0 || written < min_digits {
            start -= 1;
            digits[start] = b"0123456789abcdefghijklmnopqrstuvwxyz"[(part % 36) as usize];
            part /= 36;
            written += 1;
        }
    };
    if high > 0 {
        push(low, LOW_DIGITS);
        push(high, 0);
    } else {
        push(low, 1);
    }
    out.extend_from_slice(&digits[start..]);
}

/// The canonical text `a|b|…|1` of a signature with replicate 1.
fn canonical(parts: &[&[u8]], out: &mut Vec<u8>) {
    out.clear();
    for part in parts {
        out.extend_from_slice(part);
        out.push(b'|');
    }
    out.push(b'1');
}

/// One `stage_manifest.json` entry (without its leading separator).
#[allow(clippy::too_many_arguments)]
fn manifest_entry(
    out: &mut Vec<u8>,
    id: &[u8],
    stage: &str,
    template: &str,
    llm: &str,
    combo: &str,
    parent: Option<&[u8]>,
) {
    out.extend_from_slice(b"\"");
    out.extend_from_slice(id);
    out.extend_from_slice(b"\": {\n    \"stage\": \"");
    out.extend_from_slice(stage.as_bytes());
    out.extend_from_slice(b"\",\n    \"template_id\": \"");
    out.extend_from_slice(template.as_bytes());
    out.extend_from_slice(b"\",\n    \"llm_model_id\": \"");
    out.extend_from_slice(llm.as_bytes());
    out.extend_from_slice(b"\",\n    \"combo_id\": \"");
    out.extend_from_slice(combo.as_bytes());
    out.extend_from_slice(b"\",\n    \"parent_gen_id\": ");
    match parent {
        Some(parent) => {
            out.push(b'"');
            out.extend_from_slice(parent);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\n    \"replicate\": 1,\n    \"origin_cohort_id\": \"");
    out.extend_from_slice(COHORT.as_bytes());
    out.extend_from_slice(b"\"\n  }");
}

/// Both streamed files of the floor, written entry by entry.
struct Sinks {
    membership: BufWriter<File>,
    stage_manifest: BufWriter<File>,
    first: bool,
    entry: Vec<u8>,
}

impl Sinks {
    fn add(
        &mut self,
        id: &[u8],
        stage: &str,
        template: &str,
        llm: &str,
        combo: &str,
        parent: Option<&[u8]>,
    ) -> io::Result<()> {
        self.entry.clear();
        self.entry.extend_from_slice(stage.as_bytes());
        self.entry.push(b',');
        self.entry.extend_from_slice(id);
        self.entry.push(b',');
        self.entry.extend_from_slice(COHORT.as_bytes());
        self.entry.push(b'\n');
        self.membership.write_all(&self.entry)?;
        self.entry.clear();
        self.entry.extend_from_slice(if self.first { b"\n  " } else { b",\n  " });
        self.first = false;
        manifest_entry(&mut self.entry, id, stage, template, llm, combo, parent);
        self.stage_manifest.write_all(&self.entry)
    }
}

/// Writes `path` through `fill` with a large buffer, then fsyncs it.
fn durable(path: &Path, fill: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>) -> io::Result<()> {
    let mut writer = BufWriter::with_capacity(BUFFER_BYTES, File::create(path)?);
    fill(&mut writer)?;
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// A sorted JSON string list at the manifest's indent.
fn json_list(values: impl IntoIterator<Item = String>, indent: &str) -> String {
    let sorted: BTreeSet<String> = values.into_iter().collect();
    let items: Vec<String> = sorted.iter().map(|v| format!("{indent}  \"{v}\"")).collect();
    format!("[\n{}\n{indent}]", items.join(",\n"))
}

/// The floor: the benchmark spec's outputs for `combos` combos, written into `out` by nested
/// loops in the design's row order (the last factor turns fastest), with no planning: drafts and
/// essays are kept, evaluations written as they are computed.
pub(crate) fn floor(combos: usize, threads: usize, out: &Path) -> io::Result<()> {
    std::fs::create_dir_all(out)?;
    let names = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>();
    let (combo, draft_template, model) =
        (names("combo", combos), names("draft-tpl", DRAFT_TEMPLATES), names("model", MODELS));
    let (essay_template, evaluation_template, judge) =
        (names("essay-tpl", ESSAY_TEMPLATES), names("eval-tpl", EVALUATION_TEMPLATES), names("judge", JUDGES));
    let mut text = Vec::with_capacity(128);
    let open = |name: &str| File::create(out.join(name)).map(|f| BufWriter::with_capacity(BUFFER_BYTES, f));
    let mut sinks = Sinks {
        membership: open("membership.csv")?,
        stage_manifest: open("stage_manifest.json")?,
        first: true,
        entry: Vec::new(),
    };
    sinks.membership.write_all(b"stage,gen_id,cohort_id\n")?;
    sinks.stage_manifest.write_all(b"{")?;
    // Drafts and essays are few and kept; evaluations are computed and written as they come.
    let mut drafts = Vec::with_capacity(combos * DRAFT_TEMPLATES * MODELS);
    for c in &combo {
        for t in &draft_template {
            for m in &model {
                canonical(&[c.as_bytes(), t.as_bytes(), m.as_bytes()], &mut text);
                let mut id = Vec::with_capacity(18);
                gen_id(b"d_", &text, &mut id);
                sinks.add(&id, "draft", t, m, c, None)?;
                drafts.push(id);
            }
        }
    }
    // The tie of draft and essay llm is one factor, in draft_llm's place: the model turns
    // slower than the essay template.
    let mut essays = Vec::with_capacity(drafts.len() * ESSAY_TEMPLATES);
    for (c_index, c) in combo.iter().enumerate() {
        for t in 0..DRAFT_TEMPLATES {
            for (m_index, m) in model.iter().enumerate() {
                let draft = &drafts[(c_index * DRAFT_TEMPLATES + t) * MODELS + m_index];
                for et in &essay_template {
                    canonical(&[draft, et.as_bytes()], &mut text);
                    let mut id = Vec::with_capacity(18);
                    gen_id(b"e_", &text, &mut id);
                    sinks.add(&id, "essay", et, m, c, Some(draft))?;
                    essays.push(id);
                }
            }
        }
    }
    // Evaluations are hashed a batch of essays at a time, the batch split across `threads`
    // threads, then written in order: memory stays bounded by the batch. Each ID is kept as its
    // length and at most 18 bytes.
    let per_essay = EVALUATION_TEMPLATES * JUDGES;
    let hash_essays = |essays: &[Vec<u8>], ids: &mut [[u8; 19]]| {
        let (mut text, mut id) = (Vec::with_capacity(128), Vec::with_capacity(18));
        for (offset, essay) in essays.iter().enumerate() {
            for (k, slot) in ids[offset * per_essay..(offset + 1) * per_essay].iter_mut().enumerate() {
                let (vt, j) = (&evaluation_template[k / JUDGES], &judge[k % JUDGES]);
                canonical(&[essay, vt.as_bytes(), j.as_bytes()], &mut text);
                id.clear();
                gen_id(b"v_", &text, &mut id);
                slot[0] = id.len() as u8;
                slot[1..=id.len()].copy_from_slice(&id);
            }
        }
    };
    const BATCH_ESSAYS: usize = 4096;
    let mut ids = vec![[0u8; 19]; BATCH_ESSAYS * per_essay];
    for (batch_index, batch) in essays.chunks(BATCH_ESSAYS).enumerate() {
        let first = batch_index * BATCH_ESSAYS;
        let ids = &mut ids[..batch.len() * per_essay];
        if threads <= 1 {
            hash_essays(batch, ids);
        } else {
            let share = batch.len().div_ceil(threads);
            std::thread::scope(|scope| {
                for (part, part_ids) in batch.chunks(share).zip(ids.chunks_mut(share * per_essay)) {
                    scope.spawn(|| hash_essays(part, part_ids));
                }
            });
        }
        for (offset, essay) in batch.iter().enumerate() {
            let c = &combo[(first + offset) / (DRAFT_TEMPLATES * MODELS * ESSAY_TEMPLATES)];
            for k in 0..per_essay {
                let slot = &ids[offset * per_essay + k];
                let (vt, j) = (&evaluation_template[k / JUDGES], &judge[k % JUDGES]);
                sinks.add(&slot[1..=slot[0] as usize], "evaluation", vt, j, c, Some(essay))?;
            }
        }
    }
    sinks.stage_manifest.write_all(b"\n}\n")?;
    sinks.membership.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    sinks.stage_manifest.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    let rows = combos * ROWS_PER_COMBO;
    durable(&out.join("manifest.json"), |w| {
        writeln!(w, "{{\n  \"cohort_id\": \"{COHORT}\",\n  \"combos\": {},", json_list(combo.iter().cloned(), "  "))?;
        writeln!(w, "  \"templates\": {{\n    \"draft\": {},", json_list(draft_template, "    "))?;
        writeln!(w, "    \"essay\": {},", json_list(essay_template, "    "))?;
        writeln!(w, "    \"evaluation\": {}\n  }},", json_list(evaluation_template, "    "))?;
        writeln!(w, "  \"llms\": {{\n    \"generation\": {},", json_list(model, "    "))?;
        writeln!(w, "    \"evaluation\": {}\n  }},", json_list(judge, "    "))?;
        writeln!(w, "  \"replication\": null,\n  \"counts\": {{\n    \"rows\": {rows},")?;
        writeln!(
            w,
            "    \"drafts\": {},\n    \"essays\": {},\n    \"evaluations\": {rows}\n  }}\n}}",
            drafts.len(),
            essays.len()
        )
    })
}

/// `dslc-bench floor COMBOS THREADS OUT`.
pub(crate) fn floor_main(args: &[String]) {
    let number = |i: usize| args.get(i).and_then(|c| c.parse().ok());
    let (Some(combos), Some(threads), Some(out)) = (number(0), number(1), args.get(2)) else {
        eprintln!("usage: dslc-bench floor COMBOS THREADS OUT");
        std::process::exit(2);
    };
    if let Err(e) = floor(combos, threads, Path::new(out)) {
        eprintln!("floor: {e}");
        std::process::exit(1);
    }
}

/// Wall time, CPU time (user + system) and peak resident memory of one run. CPU time moves less
/// than wall time when other processes share the cores.
#[derive(Clone, Copy, Debug)]
struct Sample {
    seconds: f64,
    cpu_seconds: f64,
    peak_mb: f64,
}

/// Runs `program args` under `/usr/bin/time` and returns its wall time and peak memory.
fn measure(program: &Path, args: &[&str]) -> Sample {
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S %M"])
        .arg(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run /usr/bin/time {}: {e}", program.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{} {args:?} failed: {stderr}", program.display());
    let last = stderr.lines().last().unwrap_or_default();
    let fields: Vec<f64> = last.split_whitespace().filter_map(|f| f.parse().ok()).collect();
    match fields[..] {
        [seconds, user, system, kb] => Sample { seconds, cpu_seconds: user + system, peak_mb: kb / 1024.0 },
        _ => panic!("unexpected /usr/bin/time output: {last}"),
    }
}

/// Whether two files have the same bytes, read in large chunks.
fn same_bytes(a: &Path, b: &Path) -> io::Result<bool> {
    if std::fs::metadata(a)?.len() != std::fs::metadata(b)?.len() {
        return Ok(false);
    }
    let (mut a, mut b) = (File::open(a)?, File::open(b)?);
    let (mut left, mut right) = (vec![0u8; BUFFER_BYTES], vec![0u8; BUFFER_BYTES]);
    loop {
        let n = a.read(&mut left)?;
        if n == 0 {
            return Ok(true);
        }
        b.read_exact(&mut right[..n])?;
        if left[..n] != right[..n] {
            return Ok(false);
        }
    }
}

fn median_of(samples: &[Sample], field: impl Fn(&Sample) -> f64) -> f64 {
    let mut values: Vec<f64> = samples.iter().map(field).collect();
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Disk one output set of the benchmark spec takes per row (287 MB at 1M rows, measured).
const BYTES_PER_ROW: u64 = 290;

/// Checks specs of 10k, 1M and 100M rows with about the same levels, padded (with a comment) to
/// the same text size, cold and in process, and asserts that the time follows the text, not the rows: the check counts rows
/// and stage entries per factor, without the product.
fn bench_check_by_rows() {
    let list = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>().join(", ");
    // (combos, draft templates, tied models, essay templates, evaluation templates, judges):
    // about 1,030 listed levels each, so the specs differ in rows, not in what is parsed.
    let shapes =
        [(1000usize, 10usize, 1usize, 1usize, 1usize, 1usize), (1000, 10, 5, 4, 5, 1), (1000, 10, 5, 4, 10, 50)];
    let specs: Vec<(u128, String)> = shapes
        .iter()
        .map(|&(combos, drafts, models, essays, templates, judges)| {
            let text = format!(
                "cohort bench\naxis combo_id = [{}]\naxis draft_template = [{}]\naxis draft_llm = [{}]\n\
                 axis essay_llm = [{}]\naxis essay_template = [{}]\naxis evaluation_template = [{}]\n\
                 axis evaluation_llm = [{}]\ntie shared_llm (draft_llm, essay_llm)\n",
                list("combo", combos),
                list("draft-tpl", drafts),
                list("model", models),
                list("model", models),
                list("essay-tpl", essays),
                list("eval-tpl", templates),
                list("judge", judges)
            );
            (combos as u128 * (drafts * models * essays * templates * judges) as u128, text)
        })
        .collect();
    let size = specs.iter().map(|(_, text)| text.len()).max().unwrap_or(0) + 2;
    let dir = tempfile::tempdir().unwrap();
    let mut medians = Vec::new();
    for (index, (rows, text)) in specs.iter().enumerate() {
        let mut padded = text.clone();
        padded.push('#');
        padded.push_str(&"x".repeat(size - text.len() - 2));
        padded.push('\n');
        let path = dir.path().join(format!("rows{index}.cohort"));
        std::fs::write(&path, &padded).unwrap();
        let mut samples = Vec::new();
        for _ in 0..10 {
            let start = std::time::Instant::now();
            let db = dslc_db::Database::default();
            let file = dslc_db::Db::file(&db, &path);
            let _ = dslc_db::check(&db, file);
            let counts = dslc_db::counts(&db, file).expect("the spec checks cleanly");
            samples.push(start.elapsed());
            assert_eq!(counts.rows, *rows);
        }
        samples.sort();
        let median = samples[samples.len() / 2];
        println!("check of a {size}-byte spec with {rows} rows (median of 10): {:.2} ms", median.as_secs_f64() * 1e3);
        medians.push(median);
    }
    let (first, last) = (medians[0].as_secs_f64(), medians[medians.len() - 1].as_secs_f64());
    println!("    100M rows ÷ 10k rows: {:.2}× the check time for 10,000× the rows", last / first);
    // Generous for a loaded machine; a check that walked the rows would be thousands of times slower.
    assert!(last < first * 3.0 + 0.002, "check time grows with rows: {first:.4} s → {last:.4} s");
}

/// `dslc-bench compile`: see the module comment.
pub(crate) fn bench_compile(args: &[String]) {
    let quick = args.iter().any(|a| a == "--quick");
    let option = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let rounds: usize = option("--rounds").and_then(|r| r.parse().ok()).unwrap_or(5);
    let exe = std::env::current_exe().unwrap();
    let binary = exe.with_file_name("dslc");
    if !binary.exists() {
        println!("(skipping compile benchmark: build it with `cargo build --release -p dslc-cli`)");
        return;
    }
    if !Path::new("/usr/bin/time").exists() {
        println!("(skipping compile benchmark: it needs /usr/bin/time for peak memory)");
        return;
    }
    let baseline = option("--baseline").map(PathBuf::from);
    let load = || {
        let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    };
    println!("compile vs floor: {rounds} interleaved rounds; load average {} before", load());
    bench_check_by_rows();
    let sizes: &[usize] = if quick { &[100] } else { &[100, 1000] };
    for &combos in sizes {
        let rows = combos * ROWS_PER_COMBO;
        // dslc's reference outputs, and one program's outputs at a time.
        println!(
            "{rows} rows: needs about {:.1} GB free in the temporary directory",
            (2 * rows as u64 * BYTES_PER_ROW) as f64 / 1e9
        );
        let dir = tempfile::tempdir().unwrap();
        let spec_path = dir.path().join("spec.cohort");
        std::fs::write(&spec_path, spec(combos)).unwrap();
        let spec_arg = spec_path.to_str().unwrap();
        let (floor_out, dslc_out, baseline_out) =
            (dir.path().join("floor"), dir.path().join("dslc"), dir.path().join("base"));
        let combos_arg = combos.to_string();
        let out_arg = |out: &Path| out.to_str().unwrap().to_string();
        // dslc lowers on this many threads at these sizes (`lower::threads_for`): the floor runs
        // on one thread and on as many as dslc.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(16));
        let mut runs: Vec<(String, &Path, Vec<String>)> = vec![(
            "floor, 1 thread".into(),
            &exe,
            vec!["floor".into(), combos_arg.clone(), "1".into(), out_arg(&floor_out)],
        )];
        if threads > 1 {
            let args = vec!["floor".into(), combos_arg.clone(), threads.to_string(), out_arg(&floor_out)];
            runs.push((format!("floor, {threads} threads"), &exe, args));
        }
        let dslc_index = runs.len();
        runs.push((
            "dslc".into(),
            &binary,
            vec!["compile".into(), spec_arg.into(), "--out".into(), out_arg(&dslc_out)],
        ));
        // The same compile lowered on one thread, for the scaling with cores.
        let env = Path::new("/usr/bin/env");
        let one_thread_index = (threads > 1 && env.exists()).then(|| {
            let mut args: Vec<String> = vec!["DSLC_THREADS=1".into(), binary.to_str().unwrap().into()];
            args.extend(["compile".into(), spec_arg.into(), "--out".into(), out_arg(&dslc_out)]);
            runs.push(("dslc, 1 thread".into(), env, args));
            runs.len() - 1
        });
        let baseline_index = baseline.as_ref().map(|baseline| {
            let args = vec!["compile".into(), spec_arg.into(), "--out".into(), out_arg(&baseline_out)];
            runs.push(("baseline".into(), baseline, args));
            runs.len() - 1
        });
        // dslc's outputs, written once before the timed rounds: every floor's files must equal them.
        let reference = dir.path().join("reference");
        let reference_args = ["compile", spec_arg, "--out", reference.to_str().unwrap()];
        let status = Command::new(&binary).args(reference_args).stderr(std::process::Stdio::null()).status().unwrap();
        assert!(status.success(), "dslc compile of the benchmark spec failed");
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); runs.len()];
        for round in 0..rounds {
            // Each round starts with a different program, and every program starts right after
            // the outputs before it were deleted: on a virtual machine, writing into memory that
            // was just freed is several times cheaper than into memory untouched for a while, so
            // a program that ran after others' gigabytes would pay for their place in the round.
            for offset in 0..runs.len() {
                let which = (round + offset) % runs.len();
                let (label, program, program_args) = &runs[which];
                let program_args: Vec<&str> = program_args.iter().map(String::as_str).collect();
                samples[which].push(measure(program, &program_args));
                // Every program's last argument is its output directory.
                let out = Path::new(program_args.last().unwrap());
                if round == 0 {
                    for name in ["membership.csv", "manifest.json", "stage_manifest.json"] {
                        let same = same_bytes(&out.join(name), &reference.join(name)).unwrap();
                        assert!(same, "{name} of the {label} differs from dslc's at {rows} rows");
                    }
                }
                let _ = std::fs::remove_dir_all(out);
            }
        }
        let _ = std::fs::remove_dir_all(&reference);
        let seconds = |i: usize| median_of(&samples[i], |s| s.seconds);
        let cpu = |i: usize| median_of(&samples[i], |s| s.cpu_seconds);
        let peak = |i: usize| median_of(&samples[i], |s| s.peak_mb);
        let gen_ids = rows + combos * DRAFT_TEMPLATES * MODELS * (1 + ESSAY_TEMPLATES);
        println!("{rows} rows ({gen_ids} gen_ids), medians: wall time, CPU time (user + system), peak memory");
        let ratios = |i: usize, to: usize| {
            format!(
                "{:.2}× wall, {:.2}× CPU, {:.2}× memory",
                seconds(i) / seconds(to),
                cpu(i) / cpu(to),
                peak(i) / peak(to)
            )
        };
        // The floor on dslc's number of threads (listed first) is the one the targets compare with.
        for (i, (label, _, _)) in runs.iter().enumerate() {
            println!("    {label:18} {:6.2} s  {:6.2} s CPU  {:5.0} MB", seconds(i), cpu(i), peak(i));
            if i >= dslc_index {
                for floor in (0..dslc_index).rev() {
                    println!("        = {} × ({})", runs[floor].0, ratios(i, floor));
                }
            }
        }
        if let Some(one) = one_thread_index {
            println!("    dslc = dslc on 1 thread × ({})", ratios(dslc_index, one));
        }
        if let Some(baseline) = baseline_index {
            println!("    dslc = baseline × ({})", ratios(dslc_index, baseline));
        }
        println!("    load average {} after", load());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_ids_match_the_old_systems_vectors() {
        // From ../shared/reference/gen_id_vectors.csv (already lower-cased and trimmed).
        for (canonical_text, expected) in [
            ("c|t|m|1", "d_36ywpz897ym7pkou"),
            ("0|0|0|3", "d_cq4vyuxnfdjbuyd"),
            ("combo_v1_a|creative-synthesis-v10|gemini_25_pro|1", "d_530mv6a462mquuj9"),
        ] {
            let mut id = Vec::new();
            gen_id(b"d_", canonical_text.as_bytes(), &mut id);
            assert_eq!(String::from_utf8(id).unwrap(), expected);
        }
    }

    #[test]
    fn threads_do_not_change_the_floor_files() {
        let dir = tempfile::tempdir().unwrap();
        let (one, three) = (dir.path().join("one"), dir.path().join("three"));
        floor(2, 1, &one).unwrap();
        floor(2, 3, &three).unwrap();
        for name in ["membership.csv", "manifest.json", "stage_manifest.json"] {
            assert!(same_bytes(&one.join(name), &three.join(name)).unwrap(), "{name}");
        }
        let membership = std::fs::read_to_string(one.join("membership.csv")).unwrap();
        // Header, 100 drafts, 400 essays and 20,000 evaluations.
        assert_eq!(membership.lines().count(), 1 + 100 + 400 + 2 * ROWS_PER_COMBO);
    }
}
