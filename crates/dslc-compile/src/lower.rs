//! Lowering of the staged plan to files: `membership.csv` (slim or wide), `manifest.json`,
//! `stage_manifest.json` and `ir.json`. JSON is streamed by hand (two-space indent, keys in the
//! contract's order, trailing newline) so that large plans are never held as a JSON tree.

use std::collections::BTreeSet;
use std::io::{self, Write};

use dslc_db::interner::Sym;

use crate::gen_id::{GenId, Stage};
use crate::origins::{Origin, Origins};
use crate::plan::{Evaluation, Plan};
use crate::rows::write_record;

/// The replication counts of the replication catalog, by stage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replication {
    pub stages: Vec<(String, u64)>,
}

/// Output is gathered into chunks of this size before each `write_all`, so the many small pieces
/// of an entry cost one dynamic call per chunk rather than one per piece.
const CHUNK_BYTES: usize = 64 * 1024;

/// Bytes of one output file, handed to the writer a chunk at a time.
struct Chunked<'w, W: Write + ?Sized> {
    out: &'w mut W,
    chunk: Vec<u8>,
}

impl<'w, W: Write + ?Sized> Chunked<'w, W> {
    fn new(out: &'w mut W) -> Self {
        Chunked { out, chunk: Vec::with_capacity(CHUNK_BYTES + 1024) }
    }

    /// Ends an entry: writes the chunk once it is full.
    fn end_entry(&mut self) -> io::Result<()> {
        if self.chunk.len() >= CHUNK_BYTES {
            self.out.write_all(&self.chunk)?;
            self.chunk.clear();
        }
        Ok(())
    }

    /// Writes what the chunk holds now.
    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.chunk)?;
        self.chunk.clear();
        Ok(())
    }

    fn finish(self) -> io::Result<()> {
        self.out.write_all(&self.chunk)
    }
}

/// Every symbol's text in one encoding (a JSON literal, a CSV field), encoded once per symbol
/// instead of once per row.
struct Encoded {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Encoded {
    fn new(plan: &Plan, encode: impl Fn(&str, &mut Vec<u8>)) -> Encoded {
        let count = plan.interner.len();
        let mut encoded = Encoded { bytes: Vec::new(), ends: Vec::with_capacity(count) };
        for index in 0..count {
            encode(plan.value(Sym(index as u32)), &mut encoded.bytes);
            encoded.ends.push(encoded.bytes.len());
        }
        encoded
    }

    fn get(&self, sym: Sym) -> &[u8] {
        let index = sym.0 as usize;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.bytes[start..self.ends[index]]
    }
}

fn json_literal(text: &str, out: &mut Vec<u8>) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(string(text).as_bytes());
    }
}

fn csv_field(text: &str, out: &mut Vec<u8>) {
    // `write_field` writes into a Vec without failing.
    let _ = crate::rows::write_field(out, text);
}

/// One plan entry, with the symbols of its values, as both streamed files list it.
struct Entry {
    stage: Stage,
    gen_id: GenId,
    parent: Option<GenId>,
    combo: Sym,
    template: Sym,
    llm: Sym,
    replicate: u64,
}

/// Calls `visit` on every draft and essay entry, in membership order.
fn for_each_draft_and_essay(plan: &Plan, mut visit: impl FnMut(&Entry) -> io::Result<()>) -> io::Result<()> {
    for d in &plan.drafts {
        let (combo, template, llm, replicate) = (d.combo, d.template, d.llm, d.replicate);
        visit(&Entry { stage: Stage::Draft, gen_id: d.gen_id, parent: None, combo, template, llm, replicate })?;
    }
    for e in &plan.essays {
        let draft = &plan.drafts[e.draft as usize];
        let (template, llm, replicate) = (e.template, e.llm, e.replicate);
        let parent = Some(draft.gen_id);
        visit(&Entry { stage: Stage::Essay, gen_id: e.gen_id, parent, combo: draft.combo, template, llm, replicate })?;
    }
    Ok(())
}

/// The entry of an evaluation.
fn evaluation_entry(plan: &Plan, v: &Evaluation) -> Entry {
    let essay = &plan.essays[v.essay as usize];
    let combo = plan.drafts[essay.draft as usize].combo;
    let (template, llm, replicate) = (v.template, v.llm, v.replicate);
    Entry { stage: Stage::Evaluation, gen_id: v.gen_id, parent: Some(essay.gen_id), combo, template, llm, replicate }
}

/// Calls `visit` on every entry in membership order: drafts, essays, evaluations.
fn for_each_entry(plan: &Plan, mut visit: impl FnMut(&Entry) -> io::Result<()>) -> io::Result<()> {
    for_each_draft_and_essay(plan, &mut visit)?;
    for v in plan.evaluations() {
        visit(&evaluation_entry(plan, &v))?;
    }
    Ok(())
}

/// Each entry's origin cohort, encoded once per distinct cohort: this cohort for new entries
/// (and for every entry when no store was read), else the store's.
struct OriginFields<'o> {
    this: Vec<u8>,
    stored: Vec<Vec<u8>>,
    origins: Option<&'o Origins>,
}

impl<'o> OriginFields<'o> {
    fn new(cohort_id: &str, origins: Option<&'o Origins>, encode: impl Fn(&str, &mut Vec<u8>)) -> Self {
        let encoded = |text: &str| {
            let mut bytes = Vec::new();
            encode(text, &mut bytes);
            bytes
        };
        let stored = origins.map(|o| o.cohorts().iter().map(|c| encoded(c)).collect()).unwrap_or_default();
        OriginFields { this: encoded(cohort_id), stored, origins }
    }

    /// The encoded origin of entry `index`, and whether it is reused (`None` without a store).
    fn get(&self, index: usize) -> (&[u8], Option<bool>) {
        match self.origins.map(|o| o.get(index)) {
            None => (&self.this, None),
            Some(Origin::New) => (&self.this, Some(false)),
            Some(Origin::ReusedUnknown) => (&self.this, Some(true)),
            Some(Origin::Reused(cohort)) => (&self.stored[cohort as usize], Some(true)),
        }
    }
}

/// How `membership.csv` lists an entry: the slim schema, or the wide one with its fields.
struct MembershipFormat<'o> {
    cohorts: OriginFields<'o>,
    /// Every symbol as a CSV field, for the wide schema.
    fields: Option<Encoded>,
}

impl<'o> MembershipFormat<'o> {
    fn new(plan: &Plan, cohort_id: &str, wide: bool, origins: Option<&'o Origins>) -> Self {
        MembershipFormat {
            cohorts: OriginFields::new(cohort_id, if wide { origins } else { None }, csv_field),
            fields: wide.then(|| Encoded::new(plan, csv_field)),
        }
    }

    fn header<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        if self.fields.is_some() {
            write_record(
                out,
                [
                    "stage",
                    "gen_id",
                    "origin_cohort_id",
                    "parent_gen_id",
                    "combo_id",
                    "template_id",
                    "llm_model_id",
                    "replicate",
                ],
            )
        } else {
            write_record(out, ["stage", "gen_id", "cohort_id"])
        }
    }

    /// Appends the line of entry number `index` (in membership order) to `chunk`.
    fn entry(&self, chunk: &mut Vec<u8>, entry: &Entry, index: usize) {
        // Stage names and gen_ids are plain ASCII and never need quoting.
        chunk.extend_from_slice(entry.stage.name().as_bytes());
        chunk.push(b',');
        chunk.extend_from_slice(entry.gen_id.as_bytes());
        chunk.push(b',');
        chunk.extend_from_slice(self.cohorts.get(index).0);
        if let Some(fields) = &self.fields {
            chunk.push(b',');
            if let Some(parent) = entry.parent {
                chunk.extend_from_slice(parent.as_bytes());
            }
            for sym in [entry.combo, entry.template, entry.llm] {
                chunk.push(b',');
                chunk.extend_from_slice(fields.get(sym));
            }
            chunk.push(b',');
            let mut digits = [0u8; 20];
            chunk.extend_from_slice(crate::gen_id::format_u64(entry.replicate, &mut digits).as_bytes());
        }
        chunk.push(b'\n');
    }
}

/// Writes `membership.csv`: `stage,gen_id,cohort_id`, or the legacy wide schema. The slim
/// schema lists this cohort's members, so its `cohort_id` is always `cohort_id`; the wide
/// schema's `origin_cohort_id` is each entry's true origin when `origins` were read from a store.
pub fn write_membership<W: Write + ?Sized>(
    plan: &Plan,
    cohort_id: &str,
    wide: bool,
    origins: Option<&Origins>,
    out: &mut W,
) -> io::Result<()> {
    let format = MembershipFormat::new(plan, cohort_id, wide, origins);
    format.header(out)?;
    let mut out = Chunked::new(out);
    let mut index = 0;
    for_each_entry(plan, |entry| {
        format.entry(&mut out.chunk, entry, index);
        index += 1;
        out.end_entry()
    })?;
    out.finish()
}

/// A JSON string literal.
fn string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// The distinct values of `symbols`, sorted, as a JSON list at `indent`. Symbols are deduplicated
/// before any text is compared, so millions of evaluations cost a pass, not a sort.
fn string_list(plan: &Plan, symbols: impl IntoIterator<Item = Sym>, indent: &str) -> String {
    let mut seen = vec![false; plan.interner.len()];
    let mut distinct = Vec::new();
    for sym in symbols {
        if !std::mem::replace(&mut seen[sym.0 as usize], true) {
            distinct.push(sym);
        }
    }
    let sorted: BTreeSet<&str> = distinct.into_iter().map(|sym| plan.value(sym)).collect();
    if sorted.is_empty() {
        return "[]".to_string();
    }
    let items: Vec<String> = sorted.iter().map(|v| format!("{indent}  {}", string(v))).collect();
    format!("[\n{}\n{indent}]", items.join(",\n"))
}

/// Writes `manifest.json`.
pub fn write_manifest<W: Write + ?Sized>(
    plan: &Plan,
    cohort_id: &str,
    replication: Option<&Replication>,
    out: &mut W,
) -> io::Result<()> {
    let drafts = || plan.drafts.iter();
    let combos = string_list(plan, drafts().map(|d| d.combo), "  ");
    let draft_templates = string_list(plan, drafts().map(|d| d.template), "    ");
    let essay_templates = string_list(plan, plan.essays.iter().map(|e| e.template), "    ");
    let evaluation_templates = string_list(plan, plan.evaluations.templates(), "    ");
    let generation = string_list(plan, drafts().map(|d| d.llm), "    ");
    let evaluation_llms = string_list(plan, plan.evaluations.llms(), "    ");
    let replication = match replication {
        None => "null".to_string(),
        Some(r) if r.stages.is_empty() => "{}".to_string(),
        Some(r) => {
            let items: Vec<String> = r.stages.iter().map(|(stage, n)| format!("    {}: {n}", string(stage))).collect();
            format!("{{\n{}\n  }}", items.join(",\n"))
        }
    };
    let rows = u64::try_from(plan.rows).unwrap_or(u64::MAX);
    writeln!(out, "{{")?;
    writeln!(out, "  \"cohort_id\": {},", string(cohort_id))?;
    writeln!(out, "  \"combos\": {combos},")?;
    writeln!(out, "  \"templates\": {{")?;
    writeln!(out, "    \"draft\": {draft_templates},")?;
    writeln!(out, "    \"essay\": {essay_templates},")?;
    writeln!(out, "    \"evaluation\": {evaluation_templates}")?;
    writeln!(out, "  }},")?;
    writeln!(out, "  \"llms\": {{")?;
    writeln!(out, "    \"generation\": {generation},")?;
    writeln!(out, "    \"evaluation\": {evaluation_llms}")?;
    writeln!(out, "  }},")?;
    writeln!(out, "  \"replication\": {replication},")?;
    writeln!(out, "  \"counts\": {{")?;
    writeln!(out, "    \"rows\": {rows},")?;
    writeln!(out, "    \"drafts\": {},", plan.drafts.len())?;
    writeln!(out, "    \"essays\": {},", plan.essays.len())?;
    writeln!(out, "    \"evaluations\": {}", plan.evaluations.len())?;
    writeln!(out, "  }}")?;
    writeln!(out, "}}")
}

/// How `stage_manifest.json` lists an entry.
struct StageManifestFormat<'o> {
    /// Every symbol as a JSON string literal.
    literals: Encoded,
    cohorts: OriginFields<'o>,
}

impl<'o> StageManifestFormat<'o> {
    fn new(plan: &Plan, cohort_id: &str, origins: Option<&'o Origins>) -> Self {
        StageManifestFormat {
            literals: Encoded::new(plan, json_literal),
            cohorts: OriginFields::new(cohort_id, origins, json_literal),
        }
    }

    /// Appends the object of entry number `index` (in membership order) to `chunk`, with the
    /// comma that separates it from the one before.
    fn entry(&self, chunk: &mut Vec<u8>, entry: &Entry, index: usize) {
        let literals = &self.literals;
        // Gen_ids and stage names are plain ASCII: they are quoted without an escape scan.
        chunk.extend_from_slice(if index == 0 { b"\n  \"" } else { b",\n  \"" });
        chunk.extend_from_slice(entry.gen_id.as_bytes());
        chunk.extend_from_slice(b"\": {\n    \"stage\": \"");
        chunk.extend_from_slice(entry.stage.name().as_bytes());
        chunk.extend_from_slice(b"\",\n    \"template_id\": ");
        chunk.extend_from_slice(literals.get(entry.template));
        chunk.extend_from_slice(b",\n    \"llm_model_id\": ");
        chunk.extend_from_slice(literals.get(entry.llm));
        chunk.extend_from_slice(b",\n    \"combo_id\": ");
        chunk.extend_from_slice(literals.get(entry.combo));
        chunk.extend_from_slice(b",\n    \"parent_gen_id\": ");
        match entry.parent {
            Some(parent) => {
                chunk.push(b'"');
                chunk.extend_from_slice(parent.as_bytes());
                chunk.push(b'"');
            }
            None => chunk.extend_from_slice(b"null"),
        }
        chunk.extend_from_slice(b",\n    \"replicate\": ");
        let mut digits = [0u8; 20];
        chunk.extend_from_slice(crate::gen_id::format_u64(entry.replicate, &mut digits).as_bytes());
        chunk.extend_from_slice(b",\n    \"origin_cohort_id\": ");
        let (origin, reused) = self.cohorts.get(index);
        chunk.extend_from_slice(origin);
        match reused {
            None => {}
            Some(true) => chunk.extend_from_slice(b",\n    \"reused\": true"),
            Some(false) => chunk.extend_from_slice(b",\n    \"reused\": false"),
        }
        chunk.extend_from_slice(b"\n  }");
    }

    /// The bytes after the last entry, given how many entries there were.
    fn end(entries: usize) -> &'static [u8] {
        if entries == 0 {
            b"}\n"
        } else {
            b"\n}\n"
        }
    }
}

/// Writes `stage_manifest.json`: one object per gen_id, in membership order. With `origins`
/// (a compile against a store) each entry has its true `origin_cohort_id` and a `reused` key;
/// without, every entry's origin is `cohort_id` and there is no `reused` key, as the old
/// system wrote it.
pub fn write_stage_manifest<W: Write + ?Sized>(
    plan: &Plan,
    cohort_id: &str,
    origins: Option<&Origins>,
    out: &mut W,
) -> io::Result<()> {
    let format = StageManifestFormat::new(plan, cohort_id, origins);
    let mut index = 0;
    let mut out = Chunked::new(out);
    out.chunk.push(b'{');
    for_each_entry(plan, |entry| {
        format.entry(&mut out.chunk, entry, index);
        index += 1;
        out.end_entry()
    })?;
    out.chunk.extend_from_slice(StageManifestFormat::end(index));
    out.finish()
}

/// Below this many evaluations, lowering on one thread is quicker than starting more.
const PARALLEL_FROM_EVALUATIONS: usize = 200_000;

/// Lowering scales with cores up to the point where writing (on one thread) dominates.
const MAX_LOWERING_THREADS: usize = 16;

/// How many worker threads [`write_membership_and_stage_manifest`] should use for `plan` on
/// this machine: the environment variable `DSLC_THREADS` (a positive number) sets it, as for
/// measuring how the compile scales with cores; else one per core, up to 16, for large plans.
pub fn threads_for(plan: &Plan) -> usize {
    if let Some(threads) = std::env::var("DSLC_THREADS").ok().and_then(|v| v.trim().parse::<usize>().ok()) {
        return threads.clamp(1, 256);
    }
    if plan.evaluations.len() < PARALLEL_FROM_EVALUATIONS {
        return 1;
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_LOWERING_THREADS))
}

/// Evaluations formatted per job of the combined writer: large enough that handing a job over
/// costs nothing next to it, small enough that the buffers in flight stay a few megabytes.
const EVALUATIONS_PER_JOB: usize = 4_096;

/// Writes `membership.csv` and `stage_manifest.json` in one pass, byte for byte as
/// [`write_membership`] and [`write_stage_manifest`] do. Evaluations (streamed ones are hashed
/// as they are read) are generated and formatted in jobs of consecutive entries on `threads`
/// worker threads while this thread writes the finished jobs in order; with `threads` ≤ 1, or
/// when a thread cannot be started, everything happens on this thread.
#[allow(clippy::too_many_arguments)]
pub fn write_membership_and_stage_manifest<M: Write + ?Sized, S: Write + ?Sized>(
    plan: &Plan,
    cohort_id: &str,
    wide: bool,
    origins: Option<&Origins>,
    membership: &mut M,
    stage_manifest: &mut S,
    threads: usize,
) -> io::Result<()> {
    write_both_in_jobs(plan, cohort_id, wide, origins, (membership, stage_manifest), threads, EVALUATIONS_PER_JOB)
}

/// [`write_membership_and_stage_manifest`] with jobs of `per_job` evaluations, so that tests can
/// split small plans into many jobs.
#[doc(hidden)]
pub fn write_both_in_jobs<M: Write + ?Sized, S: Write + ?Sized>(
    plan: &Plan,
    cohort_id: &str,
    wide: bool,
    origins: Option<&Origins>,
    (membership, stage_manifest): (&mut M, &mut S),
    threads: usize,
    per_job: usize,
) -> io::Result<()> {
    let per_job = per_job.max(1);
    let formats =
        (MembershipFormat::new(plan, cohort_id, wide, origins), StageManifestFormat::new(plan, cohort_id, origins));
    formats.0.header(membership)?;
    let mut members = Chunked::new(membership);
    let mut manifest = Chunked::new(stage_manifest);
    manifest.chunk.push(b'{');
    let mut index = 0;
    for_each_draft_and_essay(plan, |entry| {
        formats.0.entry(&mut members.chunk, entry, index);
        formats.1.entry(&mut manifest.chunk, entry, index);
        index += 1;
        members.end_entry()?;
        manifest.end_entry()
    })?;
    members.flush()?;
    manifest.flush()?;
    let first = index;
    let total = plan.evaluations.len();
    let jobs = total.div_ceil(per_job);
    // Formats job `job` into the two buffers (cleared first).
    let format_job = |job: usize, buffers: &mut (Vec<u8>, Vec<u8>)| {
        buffers.0.clear();
        buffers.1.clear();
        let start = job * per_job;
        let end = (start + per_job).min(total);
        for (offset, v) in plan.evaluations_in(start..end).enumerate() {
            let entry = evaluation_entry(plan, &v);
            formats.0.entry(&mut buffers.0, &entry, first + start + offset);
            formats.1.entry(&mut buffers.1, &entry, first + start + offset);
        }
    };
    let mut buffers = (Vec::new(), Vec::new());
    let mut write_job = |buffers: &(Vec<u8>, Vec<u8>)| -> io::Result<()> {
        members.out.write_all(&buffers.0)?;
        manifest.out.write_all(&buffers.1)
    };
    let mut written = 0;
    if threads > 1 && jobs > 1 {
        written = write_jobs_in_parallel(jobs, threads, &format_job, &mut write_job)?;
    }
    // Serially: everything, or what the parallel writer left (no thread could be started).
    for job in written..jobs {
        format_job(job, &mut buffers);
        write_job(&buffers)?;
    }
    manifest.chunk.extend_from_slice(StageManifestFormat::end(first + total));
    members.finish()?;
    manifest.finish()
}

/// One job's bytes of `membership.csv` and of `stage_manifest.json`.
type JobBuffers = (Vec<u8>, Vec<u8>);

/// Runs `format_job` for jobs `0..jobs` on up to `threads` worker threads (worker `w` takes jobs
/// `w`, `w + threads`, …) and `write_job` on this thread in job order. Returns how many jobs were
/// written: all of them, or 0 when no worker could be started. Buffers travel back to their
/// worker, so a run allocates a few, not one per job.
fn write_jobs_in_parallel(
    jobs: usize,
    threads: usize,
    format_job: &(dyn Fn(usize, &mut JobBuffers) + Sync),
    write_job: &mut dyn FnMut(&JobBuffers) -> io::Result<()>,
) -> io::Result<usize> {
    use std::sync::mpsc::{channel, sync_channel};
    type Buffers = JobBuffers;
    const BUFFERS_PER_WORKER: usize = 2;
    let threads = threads.min(jobs);
    std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(threads);
        for worker in 0..threads {
            // Each worker owns two pairs of buffers, so it can format one job while the writer
            // writes its last; a buffer comes back once written, and its pages are reused.
            let (done_tx, done_rx) = sync_channel::<Buffers>(BUFFERS_PER_WORKER);
            let (spare_tx, spare_rx) = channel::<Buffers>();
            for _ in 0..BUFFERS_PER_WORKER {
                let _ = spare_tx.send(Buffers::default());
            }
            let work = move || {
                for job in (worker..jobs).step_by(threads) {
                    let Ok(mut buffers) = spare_rx.recv() else { return };
                    format_job(job, &mut buffers);
                    if done_tx.send(buffers).is_err() {
                        // The writer stopped (a write failed): nothing more is wanted.
                        return;
                    }
                }
            };
            match std::thread::Builder::new().spawn_scoped(scope, work) {
                Ok(_) => workers.push((done_rx, spare_tx)),
                // With fewer workers the job order would have gaps: the workers already started
                // stop when their channel closes, and the caller writes everything itself.
                Err(_) => return Ok(0),
            }
        }
        for job in 0..jobs {
            let (done_rx, spare_tx) = &workers[job % threads];
            let buffers = done_rx.recv().map_err(|_| io::Error::other("a lowering thread stopped early"))?;
            write_job(&buffers)?;
            let _ = spare_tx.send(buffers);
        }
        Ok(jobs)
    })
}

/// Writes `ir.json`: the staged plan with each entry's parent, for inspection and tools.
pub fn write_ir<W: Write + ?Sized>(plan: &Plan, cohort_id: &str, out: &mut W) -> io::Result<()> {
    writeln!(out, "{{")?;
    writeln!(out, "  \"cohort_id\": {},", string(cohort_id))?;
    writeln!(out, "  \"counts\": {{")?;
    writeln!(out, "    \"rows\": {},", u64::try_from(plan.rows).unwrap_or(u64::MAX))?;
    writeln!(out, "    \"drafts\": {},", plan.drafts.len())?;
    writeln!(out, "    \"essays\": {},", plan.essays.len())?;
    writeln!(out, "    \"evaluations\": {}", plan.evaluations.len())?;
    writeln!(out, "  }},")?;
    let stages = [("drafts", Stage::Draft), ("essays", Stage::Essay), ("evaluations", Stage::Evaluation)];
    for (i, (name, stage)) in stages.into_iter().enumerate() {
        write!(out, "  \"{name}\": [")?;
        let mut empty = true;
        for (j, row) in plan.members().filter(|r| r.stage == stage).enumerate() {
            empty = false;
            write!(out, "{}\n    {{\"gen_id\": {}", if j == 0 { "" } else { "," }, string(row.gen_id.as_str()))?;
            if let Some(parent) = row.parent {
                write!(out, ", \"parent_gen_id\": {}", string(parent.as_str()))?;
            }
            write!(
                out,
                ", \"combo_id\": {}, \"template_id\": {}, \"llm_model_id\": {}, \"replicate\": {}}}",
                string(row.combo),
                string(row.template),
                string(row.llm),
                row.replicate
            )?;
        }
        let close = if empty { "]" } else { "\n  ]" };
        writeln!(out, "{close}{}", if i < 2 { "," } else { "" })?;
    }
    writeln!(out, "}}")
}
