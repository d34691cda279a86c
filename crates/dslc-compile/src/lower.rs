//! Lowering of the staged plan to files: `membership.csv` (slim or wide), `manifest.json`,
//! `stage_manifest.json` and `ir.json`. JSON is streamed by hand (two-space indent, keys in the
//! contract's order, trailing newline) so that large plans are never held as a JSON tree.

use std::collections::BTreeSet;
use std::io::{self, Write};

use crate::plan::Plan;
use crate::rows::write_record;

/// The replication counts of the replication catalog, by stage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replication {
    pub stages: Vec<(String, u64)>,
}

/// Writes `membership.csv`: `stage,gen_id,cohort_id`, or the legacy wide schema.
pub fn write_membership<W: Write + ?Sized>(plan: &Plan, cohort_id: &str, wide: bool, out: &mut W) -> io::Result<()> {
    if wide {
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
        )?;
    } else {
        write_record(out, ["stage", "gen_id", "cohort_id"])?;
    }
    for row in plan.members() {
        if wide {
            let parent = row.parent.map(|p| p.to_string()).unwrap_or_default();
            let mut digits = [0u8; 20];
            let replicate = crate::gen_id::format_u64(row.replicate, &mut digits);
            write_record(
                out,
                [
                    row.stage.name(),
                    row.gen_id.as_str(),
                    cohort_id,
                    &parent,
                    row.combo,
                    row.template,
                    row.llm,
                    replicate,
                ],
            )?;
        } else {
            write_record(out, [row.stage.name(), row.gen_id.as_str(), cohort_id])?;
        }
    }
    Ok(())
}

/// A JSON string literal.
fn string(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

/// Writes a JSON string literal; text without characters to escape (nearly all IDs) is written
/// as it is.
fn write_string<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.write_all(b"\"")?;
        out.write_all(text.as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(string(text).as_bytes())
    }
}

fn string_list<'a>(values: impl IntoIterator<Item = &'a str>, indent: &str) -> String {
    let sorted: BTreeSet<&str> = values.into_iter().collect();
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
    let combos = string_list(drafts().map(|d| plan.value(d.combo)), "  ");
    let draft_templates = string_list(drafts().map(|d| plan.value(d.template)), "    ");
    let essay_templates = string_list(plan.essays.iter().map(|e| plan.value(e.template)), "    ");
    let evaluation_templates = string_list(plan.evaluations.iter().map(|v| plan.value(v.template)), "    ");
    let generation = string_list(drafts().map(|d| plan.value(d.llm)), "    ");
    let evaluation_llms = string_list(plan.evaluations.iter().map(|v| plan.value(v.llm)), "    ");
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

/// Writes `stage_manifest.json`: one object per gen_id, in membership order.
pub fn write_stage_manifest<W: Write + ?Sized>(plan: &Plan, cohort_id: &str, out: &mut W) -> io::Result<()> {
    let mut first = true;
    let mut digits = [0u8; 20];
    out.write_all(b"{")?;
    for row in plan.members() {
        out.write_all(if first { b"\n  " } else { b",\n  " })?;
        first = false;
        write_string(out, row.gen_id.as_str())?;
        out.write_all(b": {\n    \"stage\": ")?;
        write_string(out, row.stage.name())?;
        out.write_all(b",\n    \"template_id\": ")?;
        write_string(out, row.template)?;
        out.write_all(b",\n    \"llm_model_id\": ")?;
        write_string(out, row.llm)?;
        out.write_all(b",\n    \"combo_id\": ")?;
        write_string(out, row.combo)?;
        out.write_all(b",\n    \"parent_gen_id\": ")?;
        match row.parent {
            Some(parent) => write_string(out, parent.as_str())?,
            None => out.write_all(b"null")?,
        }
        out.write_all(b",\n    \"replicate\": ")?;
        out.write_all(crate::gen_id::format_u64(row.replicate, &mut digits).as_bytes())?;
        out.write_all(b",\n    \"origin_cohort_id\": ")?;
        write_string(out, cohort_id)?;
        out.write_all(b"\n  }")?;
    }
    out.write_all(if first { b"}\n" } else { b"\n}\n" })
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
    use crate::gen_id::Stage;
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
