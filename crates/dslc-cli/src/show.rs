//! `dslc show`: a compiled cohort's members with their templates, models, combos and parents
//! (from the wide columns, stage_manifest.json or the store), as a table, CSV, JSON or a tree.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use dslc_compile::gen_id::Stage;
use dslc_compile::membership::{read_store_details, Cohort, Details, Member};
use serde_json::json;

use crate::cohorts::{self, print_read_error};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ShowFormat {
    /// Aligned columns for people.
    Table,
    /// RFC 4180 CSV: the wide membership's columns (the slim ones when nothing explains the rows).
    Csv,
    /// A JSON array of objects.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum StageName {
    Draft,
    Essay,
    Evaluation,
}

impl StageName {
    pub(crate) fn stage(self) -> Stage {
        match self {
            StageName::Draft => Stage::Draft,
            StageName::Essay => Stage::Essay,
            StageName::Evaluation => Stage::Evaluation,
        }
    }
}

#[derive(clap::Args)]
pub(crate) struct ShowArgs {
    /// An output directory of `dslc compile`, or a membership.csv (wide or slim).
    pub cohort: PathBuf,
    /// Only this stage's members (with --tree: the trees start at this stage).
    #[arg(long, value_enum)]
    pub stage: Option<StageName>,
    /// How to print the members.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ShowFormat,
    /// Read templates, models, combos and parents from this store's metadata.json files.
    #[arg(long, value_name = "STORE")]
    pub gens_root: Option<PathBuf>,
    /// Show draft → essay → evaluation lineage as a tree.
    #[arg(long, conflicts_with = "format")]
    pub tree: bool,
}

/// The wide membership's columns, so `show --format csv` of a cohort is its wide membership.
const COLUMNS: [&str; 8] = dslc_compile::membership::WIDE_COLUMNS;

/// Every member's details: the store's (with `--gens-root`), else the membership's own or its
/// stage manifest's; an essay's or evaluation's combo comes from its draft when the source
/// has none.
pub(crate) fn joined_details(
    cohort: &Cohort,
    gens_root: Option<&std::path::Path>,
) -> Result<Vec<Option<Details>>, dslc_compile::membership::ReadError> {
    let mut all = Vec::with_capacity(cohort.members.len());
    for member in &cohort.members {
        let from_store = match gens_root {
            Some(root) => read_store_details(root, member.stage, &member.gen_id)?,
            None => None,
        };
        all.push(from_store.or_else(|| cohort.details(member).cloned()));
    }
    let index: HashMap<&str, usize> = cohort.members.iter().enumerate().map(|(i, m)| (m.gen_id.as_str(), i)).collect();
    // Drafts come before their essays and essays before their evaluations, so one pass in stage
    // order fills combos down the lineage.
    for stage in [Stage::Essay, Stage::Evaluation] {
        for i in (0..cohort.members.len()).filter(|&i| cohort.members[i].stage == stage) {
            let inherited = match &all[i] {
                Some(d) if d.combo_id.is_empty() => d
                    .parent_gen_id
                    .as_deref()
                    .and_then(|p| index.get(p))
                    .and_then(|&p| all[p].as_ref())
                    .map(|parent| parent.combo_id.clone()),
                _ => None,
            };
            if let (Some(combo), Some(d)) = (inherited, all[i].as_mut()) {
                d.combo_id = combo;
            }
        }
    }
    Ok(all)
}

fn cells(member: &Member, details: Option<&Details>) -> [String; 8] {
    let d = details.cloned().unwrap_or_default();
    [
        member.stage.name().to_string(),
        member.gen_id.clone(),
        member.cohort_id.clone(),
        d.parent_gen_id.unwrap_or_default(),
        d.combo_id,
        d.template_id,
        d.llm_model_id,
        d.replicate,
    ]
}

/// A CSV field, quoted only when it must be (RFC 4180), as `compile` writes them.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

fn table(rows: &[[String; 8]], width: usize) -> String {
    let mut header = COLUMNS.map(String::from);
    if width < COLUMNS.len() {
        header[..3].clone_from_slice(&dslc_compile::membership::SLIM_COLUMNS.map(String::from));
    }
    let mut widths = [0usize; 8];
    for row in std::iter::once(&header).chain(rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(rows) {
        let line: Vec<String> = row[..width].iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

/// Lineage trees: each root (a member of the root stage, or one whose parent is not in the
/// cohort) with its descendants, children in file order.
fn tree(cohort: &Cohort, details: &[Option<Details>], root_stage: Option<Stage>) -> String {
    let index: HashMap<&str, usize> = cohort.members.iter().enumerate().map(|(i, m)| (m.gen_id.as_str(), i)).collect();
    let parent_of = |i: usize| details[i].as_ref().and_then(|d| d.parent_gen_id.as_deref());
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); cohort.members.len()];
    let mut roots = Vec::new();
    for (i, member) in cohort.members.iter().enumerate() {
        match parent_of(i).and_then(|p| index.get(p)) {
            Some(&p) if root_stage != Some(member.stage) => children[p].push(i),
            _ => roots.push(i),
        }
    }
    let stage_rank = |s: Stage| s as u8;
    if let Some(stage) = root_stage {
        roots.retain(|&i| stage_rank(cohort.members[i].stage) >= stage_rank(stage));
    }
    let label = |i: usize| {
        let m = &cohort.members[i];
        let mut text = format!("{} {}  {}", m.stage.name(), m.gen_id, cohorts::describe_short(details[i].as_ref()));
        if let Some(parent) = parent_of(i).filter(|p| !index.contains_key(p)) {
            let _ = write!(text, "  (parent {parent} is not in this cohort)");
        }
        text
    };
    let mut out = String::new();
    for &root in &roots {
        let _ = writeln!(out, "{}", label(root));
        // An explicit stack: (member, prefix of its line, prefix of its children's lines).
        let mut stack: Vec<(usize, String)> = Vec::new();
        let push_children = |stack: &mut Vec<(usize, String)>, node: usize, indent: &str| {
            for (k, &child) in children[node].iter().enumerate().rev() {
                let last = k + 1 == children[node].len();
                stack.push((child, format!("{indent}{}", if last { "└── " } else { "├── " })));
            }
        };
        push_children(&mut stack, root, "");
        while let Some((node, prefix)) = stack.pop() {
            let _ = writeln!(out, "{prefix}{}", label(node));
            let indent = prefix.replace("├── ", "│   ").replace("└── ", "    ");
            push_children(&mut stack, node, &indent);
        }
    }
    out
}

pub(crate) fn run(args: &ShowArgs) -> i32 {
    let cohort = match cohorts::open(&args.cohort) {
        Ok(cohort) => cohort,
        Err(code) => return code,
    };
    if let Err(code) = cohorts::check_store(args.gens_root.as_deref()) {
        return code;
    }
    let details = match joined_details(&cohort, args.gens_root.as_deref()) {
        Ok(details) => details,
        Err(e) => {
            print_read_error(&e);
            return 2;
        }
    };
    let known = details.iter().any(Option::is_some);
    if args.tree {
        if !known && !cohort.members.is_empty() {
            eprintln!(
                "error: {}: a slim membership without stage_manifest.json records no parents",
                cohort.membership_path.display()
            );
            eprintln!("help: keep stage_manifest.json beside it, pass --gens-root STORE, or compile with --wide");
            return 2;
        }
        print!("{}", tree(&cohort, &details, args.stage.map(StageName::stage)));
        return 0;
    }
    let wanted = |m: &Member| args.stage.is_none_or(|s| s.stage() == m.stage);
    let rows: Vec<[String; 8]> =
        cohort.members.iter().zip(&details).filter(|(m, _)| wanted(m)).map(|(m, d)| cells(m, d.as_ref())).collect();
    // Without any details only the slim columns mean something.
    let width = if known { COLUMNS.len() } else { 3 };
    match args.format {
        ShowFormat::Table => print!("{}", table(&rows, width)),
        ShowFormat::Csv => {
            let mut out = String::new();
            let header = if known { COLUMNS.join(",") } else { dslc_compile::membership::SLIM_COLUMNS.join(",") };
            let _ = writeln!(out, "{header}");
            for row in &rows {
                let line: Vec<String> = row[..width].iter().map(|c| csv_field(c)).collect();
                let _ = writeln!(out, "{}", line.join(","));
            }
            print!("{out}");
        }
        ShowFormat::Json => {
            let objects: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    let mut object = serde_json::Map::new();
                    let names = if known { &COLUMNS[..] } else { &dslc_compile::membership::SLIM_COLUMNS[..] };
                    for (name, cell) in names.iter().zip(row) {
                        let value = match *name {
                            "parent_gen_id" if cell.is_empty() => serde_json::Value::Null,
                            _ => json!(cell),
                        };
                        object.insert(name.to_string(), value);
                    }
                    serde_json::Value::Object(object)
                })
                .collect();
            cohorts::print_json(&serde_json::Value::Array(objects));
        }
    }
    0
}
