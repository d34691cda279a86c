//! The fast lowering against a plain reference: random specs (mixed case, spaces, quotes, commas,
//! non-ASCII, replicates) must give byte-identical `membership.csv`, `manifest.json` and
//! `stage_manifest.json`, and the plan built without the evaluation index (when the design
//! proves evaluations distinct) must equal the one built with it. With a store holding some of
//! the entries, the wide membership and the stage manifest give each its true origin.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use dslc_compile::evaluations::Evaluations;
use dslc_compile::lower;
use dslc_compile::plan::{self, Plan};
use dslc_db::{Database, Db};
use dslc_syntax::codes::Severity;
use dslc_syntax::xorshift::XorShift;

/// A JSON string literal, as serde_json writes it.
fn json(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// A CSV field, quoted only when it must be.
fn csv(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Each entry's origin and reused mark as read from a store: `None` without one.
type StoreOrigins = Option<Vec<(String, bool)>>;

fn reference_membership(plan: &Plan, cohort: &str, wide: bool, origins: &StoreOrigins) -> String {
    let mut out = String::new();
    if wide {
        out.push_str("stage,gen_id,origin_cohort_id,parent_gen_id,combo_id,template_id,llm_model_id,replicate\n");
    } else {
        out.push_str("stage,gen_id,cohort_id\n");
    }
    for (index, row) in plan.members().enumerate() {
        let fields: Vec<String> = if wide {
            let parent = row.parent.map(|p| p.to_string()).unwrap_or_default();
            let origin = origins.as_ref().map_or(cohort, |o| o[index].0.as_str());
            [row.stage.name(), row.gen_id.as_str(), origin, &parent, row.combo, row.template, row.llm]
                .iter()
                .map(|f| csv(f))
                .chain([row.replicate.to_string()])
                .collect()
        } else {
            [row.stage.name(), row.gen_id.as_str(), cohort].iter().map(|f| csv(f)).collect()
        };
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

fn reference_stage_manifest(plan: &Plan, cohort: &str, origins: &StoreOrigins) -> String {
    let entries: Vec<String> = plan
        .members()
        .enumerate()
        .map(|(index, row)| {
            let parent = row.parent.map(|p| json(p.as_str())).unwrap_or_else(|| "null".into());
            let (origin, reused) = match origins {
                None => (cohort, String::new()),
                Some(o) => (o[index].0.as_str(), format!(",\n    \"reused\": {}", o[index].1)),
            };
            format!(
                "  {}: {{\n    \"stage\": {},\n    \"template_id\": {},\n    \"llm_model_id\": {},\n    \"combo_id\": {},\n    \"parent_gen_id\": {parent},\n    \"replicate\": {},\n    \"origin_cohort_id\": {}{reused}\n  }}",
                json(row.gen_id.as_str()),
                json(row.stage.name()),
                json(row.template),
                json(row.llm),
                json(row.combo),
                row.replicate,
                json(origin)
            )
        })
        .collect();
    if entries.is_empty() {
        "{}\n".into()
    } else {
        format!("{{\n{}\n}}\n", entries.join(",\n"))
    }
}

fn list<'a>(values: impl Iterator<Item = &'a str>, indent: &str) -> String {
    let sorted: BTreeSet<&str> = values.collect();
    if sorted.is_empty() {
        return "[]".into();
    }
    let items: Vec<String> = sorted.iter().map(|v| format!("{indent}  {}", json(v))).collect();
    format!("[\n{}\n{indent}]", items.join(",\n"))
}

fn reference_manifest(plan: &Plan, cohort: &str) -> String {
    let d = || plan.drafts.iter();
    let evaluations: Vec<_> = plan.evaluations().collect();
    let v = || evaluations.iter();
    format!(
        "{{\n  \"cohort_id\": {},\n  \"combos\": {},\n  \"templates\": {{\n    \"draft\": {},\n    \"essay\": {},\n    \"evaluation\": {}\n  }},\n  \"llms\": {{\n    \"generation\": {},\n    \"evaluation\": {}\n  }},\n  \"replication\": null,\n  \"counts\": {{\n    \"rows\": {},\n    \"drafts\": {},\n    \"essays\": {},\n    \"evaluations\": {}\n  }}\n}}\n",
        json(cohort),
        list(d().map(|x| plan.value(x.combo)), "  "),
        list(d().map(|x| plan.value(x.template)), "    "),
        list(plan.essays.iter().map(|x| plan.value(x.template)), "    "),
        list(v().map(|x| plan.value(x.template)), "    "),
        list(d().map(|x| plan.value(x.llm)), "    "),
        list(v().map(|x| plan.value(x.llm)), "    "),
        plan.rows,
        plan.drafts.len(),
        plan.essays.len(),
        plan.evaluations.len()
    )
}

fn render(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Values that exercise every escape and normalisation: case, spaces, quotes, commas, Unicode.
const VALUES: &[&str] = &[
    "plain",
    "Plain",
    "other-v2",
    "\"with space\"",
    "\" padded \"",
    "\"a,b\"",
    "\"say \\\"hi\\\"\"",
    "\"back\\\\slash\"",
    "\"tab\\there\"",
    "\"line\\nbreak\"",
    "\"ünïcode\"",
    "\"ÜNÏCODE\"",
    "deepseek-r1",
];

fn levels(rng: &mut XorShift, max: usize) -> String {
    let count = 1 + rng.below(max);
    let mut chosen: Vec<&str> = Vec::new();
    while chosen.len() < count {
        let value = rng.pick(VALUES);
        if !chosen.contains(&value) {
            chosen.push(value);
        }
    }
    format!("[{}]", chosen.join(", "))
}

fn random_spec(rng: &mut XorShift) -> String {
    let mut spec = String::from("cohort mixed\n");
    for field in ["combo_id", "draft_template", "draft_llm", "essay_template", "evaluation_template", "evaluation_llm"]
    {
        spec.push_str(&format!("axis {field} = {}\n", levels(rng, 3)));
    }
    spec.push_str("axis essay_llm = [m]\n");
    for field in ["draft_replicate", "essay_replicate", "evaluation_replicate"] {
        if rng.below(2) == 0 {
            spec.push_str(&format!("axis {field} = 1..{}\n", 1 + rng.below(3)));
        }
    }
    if rng.below(3) == 0 {
        // An extra design dimension: rows are no longer distinct evaluations.
        spec.push_str("axis draft_template_replicate_note = [x, y]\n");
    }
    spec
}

#[test]
fn fast_lowering_matches_the_reference_on_random_specs() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = XorShift(0x5eed_f100);
    let (mut compiled, mut streamed) = (0, 0);
    for case in 0..300 {
        let text = random_spec(&mut rng);
        let path = dslc_db::db::normalize(&dir.path().join(format!("case{case}.cohort")));
        std::fs::File::create(&path).unwrap().write_all(text.as_bytes()).unwrap();
        let db = Database::default();
        let spec = db.file(Path::new(&path));
        let design = &dslc_db::analyze(&db, spec).design;
        let fast = plan::build(design, |_| {});
        let indexed = plan::build_with_evaluation_index(design, |_| {});
        assert_eq!(fast.as_ref().err(), indexed.as_ref().err(), "{text}");
        let Ok(plan) = fast else { continue };
        let indexed = indexed.unwrap();
        assert_eq!(plan.drafts, indexed.drafts, "{text}");
        assert_eq!(plan.essays, indexed.essays, "{text}");
        assert_eq!(evaluations(&plan), evaluations(&indexed), "{text}");
        assert!(matches!(indexed.evaluations, Evaluations::Stored(_)));
        streamed += usize::from(matches!(plan.evaluations, Evaluations::Streamed(_)));
        compiled += 1;
        let cohort = "Mixed, \"cohort\"";
        for wide in [false, true] {
            let fast = render(|w| lower::write_membership(&plan, cohort, wide, None, w));
            assert_eq!(fast, reference_membership(&plan, cohort, wide, &None), "{text}");
        }
        let manifest = render(|w| lower::write_stage_manifest(&plan, cohort, None, w));
        assert_eq!(manifest, reference_stage_manifest(&plan, cohort, &None));
        assert_eq!(render(|w| lower::write_manifest(&plan, cohort, None, w)), reference_manifest(&indexed, cohort));
        // The one-pass writer, in jobs of 5 evaluations on 1 and 3 threads, writes the same.
        for (wide, threads) in [(false, 1), (true, 3)] {
            let (membership, stage_manifest) = both(&plan, cohort, wide, None, threads, 5);
            assert_eq!(membership, reference_membership(&plan, cohort, wide, &None), "{text}");
            assert_eq!(stage_manifest, manifest, "{text}");
        }
        // A store holding about a third of the entries, from two earlier cohorts (one of them
        // written in the legacy `cohort_id` key); the rest are new. Every tenth case, as
        // writing a store costs more than lowering.
        if case % 10 != 0 {
            continue;
        }
        let store = dir.path().join(format!("gens{case}"));
        let mut expected = Vec::new();
        for row in plan.members() {
            if rng.below(3) != 0 {
                expected.push((cohort.to_string(), false));
                continue;
            }
            let (key, origin) =
                if rng.below(2) == 0 { ("origin_cohort_id", "pilot, \"één\"") } else { ("cohort_id", "legacy") };
            let path = dslc_compile::store::metadata_path(&store, row.stage, &row.gen_id);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, serde_json::json!({ key: origin, "template_id": row.template }).to_string()).unwrap();
            expected.push((origin.to_string(), true));
        }
        let origins = dslc_compile::origins::read_origins(&plan, &store).unwrap();
        let with_store = Some(expected);
        for wide in [false, true] {
            let fast = render(|w| lower::write_membership(&plan, cohort, wide, Some(&origins), w));
            assert_eq!(fast, reference_membership(&plan, cohort, wide, if wide { &with_store } else { &None }));
        }
        let manifest = render(|w| lower::write_stage_manifest(&plan, cohort, Some(&origins), w));
        assert_eq!(manifest, reference_stage_manifest(&plan, cohort, &with_store), "{text}");
        let (membership, stage_manifest) = both(&plan, cohort, true, Some(&origins), 2, 3);
        assert_eq!(membership, reference_membership(&plan, cohort, true, &with_store), "{text}");
        assert_eq!(stage_manifest, manifest, "{text}");
    }
    // Case-equal values collide; most random specs must still compile for the test to mean much,
    // and both kinds of plan must be among them.
    assert!(compiled > 100, "only {compiled} of 300 random specs compiled");
    assert!(streamed > 50 && streamed + 20 < compiled, "{streamed} of {compiled} plans streamed");
}

fn evaluations(plan: &Plan) -> Vec<dslc_compile::plan::Evaluation> {
    plan.evaluations().collect()
}

/// `membership.csv` and `stage_manifest.json` from the one-pass writer.
fn both(
    plan: &Plan,
    cohort: &str,
    wide: bool,
    origins: Option<&dslc_compile::origins::Origins>,
    threads: usize,
    per_job: usize,
) -> (String, String) {
    let (mut membership, mut stage_manifest) = (Vec::new(), Vec::new());
    lower::write_both_in_jobs(plan, cohort, wide, origins, (&mut membership, &mut stage_manifest), threads, per_job)
        .unwrap();
    (String::from_utf8(membership).unwrap(), String::from_utf8(stage_manifest).unwrap())
}

fn design_of(dir: &Path, name: &str, text: &str) -> (Database, dslc_db::SourceFile) {
    let path = dslc_db::db::normalize(&dir.join(name));
    std::fs::write(&path, text).unwrap();
    let db = Database::default();
    let spec = db.file(&path);
    (db, spec)
}

/// Specs whose stage columns share factors across stages, or whose evaluation axes turn slower
/// than the essay axes: the streamed plan must still give the rows' evaluations in row order.
#[test]
fn streamed_plans_follow_the_rows_whatever_the_factor_layout() {
    let dir = tempfile::tempdir().unwrap();
    let specs = [
        // Evaluation axes declared first: they are the outer factors.
        "cohort outer\naxis evaluation_llm = [j1, j2]\naxis evaluation_template = [v1, v2, v3]\naxis combo_id = [c1, c2]\n\
         axis draft_template = [d1, d2]\naxis draft_llm = [m1, m2]\naxis essay_template = [e1]\naxis essay_llm = [m1, m2]\n\
         tie shared (draft_llm, essay_llm)\n",
        // One tuple binds an essay column and an evaluation column.
        "cohort mixed\naxis combo_id = [c1, c2, c3]\naxis draft_template = [d1]\naxis draft_llm = [m1]\naxis essay_llm = [m1]\n\
         axis evaluation_llm = [j1, j2]\n\
         tuple bound (essay_template, evaluation_template) = [(e1, v2), (e2, v1), (e2, v2)]\n",
        // Design axes that no stage field reads, outermost and in between: rows repeat
        // evaluations, and the plan lists each once, at its first row.
        "cohort extra\naxis note = [x, y, z]\naxis combo_id = [c1, c2]\naxis draft_template = [d1, d2]\n\
         axis batch = 1..2\naxis draft_llm = [m1]\naxis essay_llm = [m1]\naxis essay_template = [e1, e2]\n\
         axis evaluation_template = [v1, v2]\naxis evaluation_llm = [j1]\naxis tail = [p, q]\n",
        // Replicates in between, and an evaluation replicate outermost.
        "cohort reps\naxis evaluation_replicate = 1..2\naxis combo_id = [c1, c2]\naxis draft_replicate = 1..2\n\
         axis draft_template = [d1]\naxis draft_llm = [m1]\naxis essay_llm = [m1]\naxis essay_template = [e1, e2]\n\
         axis evaluation_template = [v1]\naxis essay_replicate = 1..3\naxis evaluation_llm = [j1, j2]\n",
    ];
    for (i, text) in specs.iter().enumerate() {
        let (db, spec) = design_of(dir.path(), &format!("layout{i}.cohort"), text);
        let design = &dslc_db::analyze(&db, spec).design;
        let problems = dslc_db::check(&db, spec);
        assert!(problems.iter().all(|d| d.severity != Severity::Error), "{text}: {problems:?}");
        let plan = plan::build(design, |_| {}).unwrap();
        let indexed = plan::build_with_evaluation_index(design, |_| {}).unwrap();
        assert!(matches!(plan.evaluations, Evaluations::Streamed(_)), "{text}");
        assert_eq!(plan.drafts, indexed.drafts, "{text}");
        assert_eq!(plan.essays, indexed.essays, "{text}");
        assert_eq!(evaluations(&plan), evaluations(&indexed), "{text}");
        // Any range starts where the whole sequence has it.
        let all = evaluations(&plan);
        for start in 0..all.len() {
            let tail: Vec<_> = plan.evaluations_in(start..all.len()).collect();
            assert_eq!(tail, all[start..], "{text}: from {start}");
        }
    }
}

#[test]
fn parallel_lowering_gives_the_serial_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let list = |prefix: &str, n: usize| (0..n).map(|i| format!("{prefix}-{i}")).collect::<Vec<_>>().join(", ");
    // 6 × 4 × 3 × 2 × 2 × 7 × 5 × 3 = 30,240 rows, each a distinct evaluation.
    let text = format!(
        "cohort par\naxis combo_id = [{}]\naxis draft_template = [{}]\naxis draft_llm = [{}]\naxis essay_llm = [m]\n\
         axis essay_template = [{}]\naxis essay_replicate = 1..2\naxis evaluation_template = [{}]\n\
         axis evaluation_llm = [{}, \"Judge Ü\"]\naxis evaluation_replicate = 1..3\n",
        list("Combo", 6),
        list("tpl", 4),
        list("model", 3),
        list("essay", 2),
        list("eval", 7),
        list("judge", 4)
    );
    let (db, spec) = design_of(dir.path(), "par.cohort", &text);
    let design = &dslc_db::analyze(&db, spec).design;
    let streamed = plan::build(design, |_| {}).unwrap();
    assert!(matches!(streamed.evaluations, Evaluations::Streamed(_)));
    assert_eq!(streamed.evaluations.len(), 30_240);
    let indexed = plan::build_with_evaluation_index(design, |_| {}).unwrap();
    assert_eq!(evaluations(&streamed), evaluations(&indexed));
    // The serial single-file writers over the stored plan are the reference.
    let membership = render(|w| lower::write_membership(&indexed, "par", true, None, w));
    let stage_manifest = render(|w| lower::write_stage_manifest(&indexed, "par", None, w));
    for plan in [&streamed, &indexed] {
        for (threads, per_job) in [(1, 16_384), (2, 16_384), (2, 1_000), (3, 777), (7, 4_096)] {
            let (m, s) = both(plan, "par", true, None, threads, per_job);
            assert!(m == membership, "membership.csv, {threads} threads, jobs of {per_job}");
            assert!(s == stage_manifest, "stage_manifest.json, {threads} threads, jobs of {per_job}");
        }
    }
}

/// A writer that fails once it has taken `left` bytes, as a full disk would.
struct FailingAfter {
    left: usize,
}

impl Write for FailingAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.left {
            return Err(std::io::Error::other("disk full"));
        }
        self.left -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A write that fails midway stops the parallel writer with that error: the workers stop too,
/// and nothing hangs, whichever file fails and however many threads there are.
#[test]
fn a_failed_write_stops_the_parallel_writer_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let text =
        "cohort fail\naxis combo_id = 1..20\naxis draft_template = 1..5\naxis draft_llm = [m]\naxis essay_llm = [m]\n\
                axis essay_template = 1..4\naxis evaluation_template = 1..10\naxis evaluation_llm = 1..10\n";
    let (db, spec) = design_of(dir.path(), "fail.cohort", text);
    let plan = plan::build(&dslc_db::analyze(&db, spec).design, |_| {}).unwrap();
    assert_eq!(plan.evaluations.len(), 40_000);
    for threads in [1, 2, 5] {
        for fail_membership in [true, false] {
            let (mut membership, mut stage_manifest) = (FailingAfter { left: 1 << 30 }, FailingAfter { left: 1 << 30 });
            let failing = if fail_membership { &mut membership } else { &mut stage_manifest };
            failing.left = 200_000;
            let result = lower::write_both_in_jobs(
                &plan,
                "fail",
                false,
                None,
                (&mut membership, &mut stage_manifest),
                threads,
                500,
            );
            let error = result.expect_err("the write must fail");
            assert_eq!(error.to_string(), "disk full", "{threads} threads");
        }
    }
}
