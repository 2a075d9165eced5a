//! `giamngheo units import`: the successor mapping it reads and the summary of a dry run.

use anyhow::{Context, Result};
use giamngheo_app::unit_retire::UnitImportPlan;
use std::path::Path;

/// The (old, new) pairs of a successor mapping file.
pub fn read_successors(path: &Path) -> Result<Vec<(String, String)>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("không mở được tệp {}", path.display()))?;
    let pairs = giamngheo_sheets::units::read_successors(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(pairs
        .into_iter()
        .map(|(old, new)| (old.as_str().to_string(), new.as_str().to_string()))
        .collect())
}

/// What an import with --retire-missing would do, and how to apply it.
pub fn dry_run_summary(plan: &UnitImportPlan) -> String {
    let mut out = format!(
        "Chạy thử: sẽ nhập {} đơn vị, {} đơn vị hết hiệu lực.\n",
        plan.rows,
        plan.retirements.len()
    );
    for r in &plan.retirements {
        out.push_str(&format!("  {}\n", r.line_vi()));
    }
    out.push_str("Chưa thay đổi gì. Chạy lại với --yes để áp dụng.\n");
    out
}
