//! The staged plan and its lowering for small fixture specs: outputs people and tools read are
//! snapshotted; collisions are refused with both entries named.

use std::path::{Path, PathBuf};

use dslc_compile::lower;
use dslc_compile::plan::{self, PlanError};
use dslc_db::{Database, Db};

fn fixture(name: &str) -> PathBuf {
    dslc_db::db::normalize(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/compile").join(name))
}

fn render(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    write(&mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn small_cohort_outputs() {
    let db = Database::default();
    let design = &dslc_db::analyze(&db, db.file(&fixture("small.cohort"))).design;
    let plan = plan::build(design, |_| {}).unwrap();
    assert_eq!((plan.drafts.len(), plan.essays.len(), plan.evaluations.len()), (4, 4, 16));
    plan.parent_integrity().unwrap();
    let replication = lower::Replication { stages: vec![("draft".into(), 1), ("essay".into(), 2)] };
    insta::assert_snapshot!("membership", render(|w| lower::write_membership(&plan, "small-2026", false, None, w)));
    insta::assert_snapshot!("membership_wide", render(|w| lower::write_membership(&plan, "small-2026", true, None, w)));
    insta::assert_snapshot!("manifest", render(|w| lower::write_manifest(&plan, "small-2026", Some(&replication), w)));
    insta::assert_snapshot!("stage_manifest", render(|w| lower::write_stage_manifest(&plan, "small-2026", None, w)));
    insta::assert_snapshot!("ir", render(|w| lower::write_ir(&plan, "small-2026", w)));
    // Every JSON output parses.
    for text in [
        render(|w| lower::write_manifest(&plan, "small-2026", None, w)),
        render(|w| lower::write_stage_manifest(&plan, "small-2026", None, w)),
        render(|w| lower::write_ir(&plan, "small-2026", w)),
    ] {
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
        assert!(text.ends_with("}\n"));
    }
}

#[test]
fn ids_differing_only_in_case_collide() {
    let db = Database::default();
    let design = &dslc_db::analyze(&db, db.file(&fixture("case_collision.cohort"))).design;
    let Err(PlanError::Collision(c)) = plan::build(design, |_| {}) else { panic!("expected a collision") };
    assert_eq!(c.stage, dslc_compile::gen_id::Stage::Draft);
    assert!(c.first.contains("combo_id=combo_a") && c.second.contains("combo_id=Combo_A"), "{c:?}");
    assert!(c.reason.contains("letter case"));
}

#[test]
fn essays_differing_only_in_llm_collide() {
    let db = Database::default();
    let design = &dslc_db::analyze(&db, db.file(&fixture("essay_llm_collision.cohort"))).design;
    let Err(PlanError::Collision(c)) = plan::build(design, |_| {}) else { panic!("expected a collision") };
    assert_eq!(c.stage, dslc_compile::gen_id::Stage::Essay);
    assert!(c.first.contains("llm_model_id=m") && c.second.contains("llm_model_id=n"), "{c:?}");
    assert!(c.reason.contains("essay llm"));
    // The checker finds the same problem without forming the plan.
    let codes: Vec<&str> =
        dslc_db::check(&db, db.file(&fixture("essay_llm_collision.cohort"))).iter().map(|d| d.code.id).collect();
    assert!(codes.contains(&"E0405"), "{codes:?}");
}

#[test]
fn design_only_specs_name_the_missing_fields() {
    let db = Database::default();
    let spec = fixture("../check/design_only.cohort");
    let design = &dslc_db::analyze(&db, db.file(&spec)).design;
    let Err(PlanError::DesignOnly(missing)) = plan::build(design, |_| {}) else { panic!("expected design-only") };
    assert_eq!(missing, ["combo_id", "draft_llm", "essay_llm"]);
}
