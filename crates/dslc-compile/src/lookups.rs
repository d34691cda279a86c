//! Project data a compile reads besides the spec: the replication catalog (for manifest.json)
//! and each template's `generator` mode (for seeded metadata.json).

use dslc_db::catalog_check::{catalog_field, catalog_for};
use dslc_db::project::{project_config, CatalogField};
use dslc_db::stage::StageKind;
use dslc_db::{Db, SourceFile};

use crate::gen_id::Stage;
use crate::lower::Replication;

/// The replication catalog as `stage → replicates`, or None when it is not configured or usable.
/// Rows whose `replicates` is not a whole number are left out.
pub fn replication(db: &dyn Db, spec: SourceFile) -> Option<Replication> {
    let config = project_config(db, spec);
    let catalog = catalog_for(db, config, CatalogField::Replication)?;
    let stages = catalog
        .entries
        .iter()
        .filter_map(|entry| {
            let replicates = catalog.field(entry, "replicates")?.parse::<u64>().ok()?;
            Some((entry.id.clone(), replicates))
        })
        .collect();
    Some(Replication { stages })
}

/// The `mode` of seeded metadata: the template catalog's `generator` column (trimmed,
/// lower-cased), `llm` when there is no catalog, no such template or an empty cell.
pub fn template_mode(db: &dyn Db, spec: SourceFile, stage: Stage, template: &str) -> String {
    let kind = match stage {
        Stage::Draft => StageKind::Draft,
        Stage::Essay => StageKind::Essay,
        Stage::Evaluation => StageKind::Evaluation,
    };
    let config = project_config(db, spec);
    catalog_field(kind.template())
        .and_then(|field| catalog_for(db, config, field))
        .and_then(|catalog| catalog.get(template).and_then(|entry| catalog.field(entry, "generator")))
        .map(|mode| mode.trim().to_lowercase())
        .filter(|mode| !mode.is_empty())
        .unwrap_or_else(|| "llm".to_string())
}
