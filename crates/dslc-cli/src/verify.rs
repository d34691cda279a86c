//! `dslc verify`: a compiled cohort's parent integrity, that each gen_id is the hash of its
//! recorded fields, its membership against stage_manifest.json, and with a store which of its
//! gen_ids have metadata.json.

use std::path::PathBuf;

use dslc_compile::gen_id::Stage;
use dslc_compile::membership::{read_store_details, store_metadata_path, Cohort, Details, Member};
use serde_json::json;

use crate::cohorts::{self, entries, print_read_error};

/// At most this many offending rows are shown per problem.
const SAMPLE: usize = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum VerifyFormat {
    /// Lines for people.
    Human,
    /// One JSON object.
    Json,
}

#[derive(clap::Args)]
pub(crate) struct VerifyArgs {
    /// An output directory of `dslc compile`, or a membership.csv (wide or slim).
    pub cohort: PathBuf,
    /// Also check which gen_ids have metadata.json in this store, and that it agrees.
    #[arg(long, value_name = "STORE")]
    pub gens_root: Option<PathBuf>,
    /// How to print the result.
    #[arg(long, value_enum, default_value = "human")]
    pub format: VerifyFormat,
}

/// One kind of problem, its count and the first offending rows.
struct Problem {
    what: &'static str,
    count: usize,
    sample: Vec<(u64, String)>,
}

#[derive(Default)]
struct Findings {
    problems: Vec<Problem>,
    /// Checks that could not run, and why.
    skipped: Vec<String>,
}

impl Findings {
    fn report(&mut self, what: &'static str, line: u64, text: String) {
        let index = match self.problems.iter().position(|p| p.what == what) {
            Some(i) => i,
            None => {
                self.problems.push(Problem { what, count: 0, sample: Vec::new() });
                self.problems.len() - 1
            }
        };
        let problem = &mut self.problems[index];
        problem.count += 1;
        if problem.sample.len() < SAMPLE {
            problem.sample.push((line, text));
        }
    }
}

fn parent_stage(stage: Stage) -> Option<Stage> {
    match stage {
        Stage::Draft => None,
        Stage::Essay => Some(Stage::Draft),
        Stage::Evaluation => Some(Stage::Essay),
    }
}

/// Every essay's parent a draft of the cohort, every evaluation's an essay of it, drafts none.
fn check_parents(cohort: &Cohort, details: &[Option<&Details>], findings: &mut Findings) {
    for (member, d) in cohort.members.iter().zip(details) {
        let Some(d) = d else { continue };
        let parent = d.parent_gen_id.as_deref();
        match (parent_stage(member.stage), parent) {
            (None, None) => {}
            (None, Some(p)) => {
                findings.report("drafts with a parent", member.line, format!("{} has parent {p}", member.gen_id))
            }
            (Some(_), None) => {
                let what = if member.stage == Stage::Essay {
                    "essays without a parent"
                } else {
                    "evaluations without a parent"
                };
                findings.report(what, member.line, member.gen_id.clone());
            }
            (Some(expected), Some(p)) => {
                let found = cohort.get(p);
                if found.is_none_or(|f| f.stage != expected) {
                    let what = if member.stage == Stage::Essay {
                        "essays whose parent is not a draft of this cohort"
                    } else {
                        "evaluations whose parent is not an essay of this cohort"
                    };
                    let why = match found {
                        Some(f) => format!("{} has parent {p}, a {}", member.gen_id, f.stage.name()),
                        None => format!("{} has parent {p}, which is not in the membership", member.gen_id),
                    };
                    findings.report(what, member.line, why);
                }
            }
        }
    }
}

/// Every gen_id is the hash of the fields recorded for it (outputs.md, generation IDs), so a
/// hand-edited row or a row from another signature is caught.
fn check_ids(cohort: &Cohort, details: &[Option<&Details>], findings: &mut Findings) {
    use dslc_compile::gen_id::{draft_id, essay_id, evaluation_id, GenId};
    const WHAT: &str = "gen_ids that are not the hash of their recorded fields";
    for (member, d) in cohort.members.iter().zip(details) {
        let Some(d) = d else { continue };
        let Ok(replicate) = d.replicate.trim().parse::<u64>() else {
            findings.report(
                WHAT,
                member.line,
                format!("{}: replicate `{}` is not an integer", member.gen_id, d.replicate),
            );
            continue;
        };
        let parent = d.parent_gen_id.as_deref().and_then(GenId::parse);
        let expected = match (member.stage, parent) {
            (Stage::Draft, _) => draft_id(&d.combo_id, &d.template_id, &d.llm_model_id, replicate),
            (Stage::Essay, Some(parent)) => essay_id(&parent, &d.template_id, replicate),
            (Stage::Evaluation, Some(parent)) => evaluation_id(&parent, &d.template_id, &d.llm_model_id, replicate),
            // A missing parent is reported by the parent check.
            (_, None) => continue,
        };
        if expected.as_str() != member.gen_id {
            findings.report(WHAT, member.line, format!("{}: its fields give {}", member.gen_id, expected.as_str()));
        }
    }
}

/// The membership and stage_manifest.json list the same gen_ids, stages and parents.
fn check_manifest(cohort: &Cohort, findings: &mut Findings) {
    let Some(manifest) = &cohort.stage_manifest else {
        findings
            .skipped
            .push("membership against stage_manifest.json: there is no stage_manifest.json beside it".into());
        return;
    };
    for member in &cohort.members {
        let Some(entry) = manifest.get(&member.gen_id) else {
            findings.report("gen_ids missing from stage_manifest.json", member.line, member.gen_id.clone());
            continue;
        };
        if entry.stage != member.stage {
            let text =
                format!("{} is a {} here and a {} there", member.gen_id, member.stage.name(), entry.stage.name());
            findings.report("gen_ids whose stage differs in stage_manifest.json", member.line, text);
        }
        if let Some(wide) = &member.wide {
            if wide.parent_gen_id != entry.details.parent_gen_id {
                let text = format!(
                    "{} has parent {} here and {} there",
                    member.gen_id,
                    wide.parent_gen_id.as_deref().unwrap_or("(none)"),
                    entry.details.parent_gen_id.as_deref().unwrap_or("(none)")
                );
                findings.report("gen_ids whose parent differs in stage_manifest.json", member.line, text);
            }
        }
    }
    for entry in &manifest.entries {
        if cohort.get(&entry.gen_id).is_none() {
            findings.report("stage_manifest.json entries missing from the membership", 0, entry.gen_id.clone());
        }
    }
}

/// Which gen_ids have metadata.json in the store, and whether it agrees on the parent.
fn check_store(
    cohort: &Cohort,
    details: &[Option<&Details>],
    root: &std::path::Path,
    findings: &mut Findings,
) -> Result<usize, dslc_compile::membership::ReadError> {
    let mut present = 0;
    for (member, d) in cohort.members.iter().zip(details) {
        match read_store_details(root, member.stage, &member.gen_id)? {
            None => {
                let path = store_metadata_path(root, member.stage, &member.gen_id).unwrap_or_default();
                findings.report("gen_ids without metadata.json in the store", member.line, path.display().to_string());
            }
            Some(stored) => {
                present += 1;
                if let Some(d) = d.filter(|d| d.parent_gen_id != stored.parent_gen_id) {
                    let text = format!(
                        "{} has parent {} here and {} in the store",
                        member.gen_id,
                        d.parent_gen_id.as_deref().unwrap_or("(none)"),
                        stored.parent_gen_id.as_deref().unwrap_or("(none)")
                    );
                    findings.report("gen_ids whose store metadata has another parent", member.line, text);
                }
            }
        }
    }
    Ok(present)
}

fn stage_counts(cohort: &Cohort) -> String {
    let count = |s: Stage| cohort.members.iter().filter(|m: &&Member| m.stage == s).count();
    format!(
        "{}, {}, {}",
        cohorts::count(count(Stage::Draft), "draft"),
        cohorts::count(count(Stage::Essay), "essay"),
        cohorts::count(count(Stage::Evaluation), "evaluation")
    )
}

pub(crate) fn run(args: &VerifyArgs) -> i32 {
    let cohort = match cohorts::open(&args.cohort) {
        Ok(cohort) => cohort,
        Err(code) => return code,
    };
    if let Err(code) = cohorts::check_store(args.gens_root.as_deref()) {
        return code;
    }
    let mut findings = Findings::default();
    let details: Vec<Option<&Details>> = cohort.members.iter().map(|m| cohort.details(m)).collect();
    if details.iter().all(Option::is_none) && !cohort.members.is_empty() {
        findings.skipped.push(
            "parent integrity: a slim membership without stage_manifest.json records no parents (compile with --wide, or keep stage_manifest.json)".into(),
        );
    }
    check_parents(&cohort, &details, &mut findings);
    check_ids(&cohort, &details, &mut findings);
    check_manifest(&cohort, &mut findings);
    let mut store_line = None;
    if let Some(root) = &args.gens_root {
        match check_store(&cohort, &details, root, &mut findings) {
            Ok(present) => store_line = Some((root.display().to_string(), present)),
            Err(e) => {
                print_read_error(&e);
                return 2;
            }
        }
    }
    let total: usize = findings.problems.iter().map(|p| p.count).sum();
    let path = cohort.membership_path.display().to_string();
    match args.format {
        VerifyFormat::Human => {
            println!(
                "{path}: {} ({}; {})",
                cohorts::source(&cohort),
                entries(cohort.members.len()),
                stage_counts(&cohort)
            );
            if let Some((root, present)) = &store_line {
                println!("store {root}: {present} of {} gen_ids have metadata.json", cohort.members.len());
            }
            for skipped in &findings.skipped {
                println!("not checked: {skipped}");
            }
            for problem in &findings.problems {
                println!("problem ({}): {}", problem.count, problem.what);
                for (line, text) in &problem.sample {
                    match line {
                        0 => println!("  {text}"),
                        _ => println!("  line {line}: {text}"),
                    }
                }
                if problem.count > problem.sample.len() {
                    println!("  … and {} more", problem.count - problem.sample.len());
                }
            }
            match total {
                0 => println!("verified: no problems"),
                _ => println!(
                    "failed: {} in {}",
                    cohorts::count(total, "offending row"),
                    cohorts::count(findings.problems.len(), "problem")
                ),
            }
        }
        VerifyFormat::Json => {
            let problems: Vec<_> = findings
                .problems
                .iter()
                .map(|p| {
                    let sample: Vec<_> = p
                        .sample
                        .iter()
                        .map(|(line, text)| json!({"line": if *line == 0 { None } else { Some(line) }, "text": text}))
                        .collect();
                    json!({"problem": p.what, "count": p.count, "sample": sample})
                })
                .collect();
            cohorts::print_json(&json!({
                "membership": path,
                "entries": cohort.members.len(),
                "store": store_line.as_ref().map(|(root, present)| json!({"path": root, "with_metadata": present})),
                "not_checked": findings.skipped,
                "problems": problems,
                "ok": total == 0,
            }));
        }
    }
    i32::from(total > 0)
}
