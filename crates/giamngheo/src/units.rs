//! `giamngheo units import --retire-missing` (the successor mapping it reads and the
//! summary of its dry run), `giamngheo units reform` and `giamngheo units
//! assign-villages`: the summaries they print.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use giamngheo_app::App;
use giamngheo_app::reform::ReformOptions;
use giamngheo_app::unit_retire::UnitImportPlan;
use giamngheo_store::ReformOutcome;
use std::path::Path;
use std::process::ExitCode;

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    let f = std::fs::File::open(path)
        .with_context(|| format!("không mở được tệp {}", path.display()))?;
    Ok(std::io::BufReader::new(f))
}

/// Applies a reform and prints what it did (or would do).
pub async fn reform(
    app: &App,
    list: &Path,
    mapping: &Path,
    effective: NaiveDate,
    dry_run: bool,
) -> Result<ExitCode> {
    let name = list
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "danh-muc".into());
    let outcome = app
        .apply_reform(
            open(list)?,
            open(mapping)?,
            &ReformOptions {
                effective,
                list_name: name,
                dry_run,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if dry_run {
        println!("chạy thử: không thay đổi gì trong cơ sở dữ liệu");
    }
    print_summary(&outcome, effective);
    Ok(ExitCode::SUCCESS)
}

/// Assigns villages of split communes from a file and prints what moved.
pub async fn assign_villages(app: &App, file: &Path) -> Result<ExitCode> {
    let outcome = app
        .assign_villages(open(file)?)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    println!(
        "đã chuyển {} thôn, {} hộ",
        outcome.villages_moved, outcome.households_moved
    );
    Ok(ExitCode::SUCCESS)
}

fn print_summary(o: &ReformOutcome, effective: NaiveDate) {
    println!(
        "đơn vị mở từ {}: {}; đơn vị hết hiệu lực {}: {}",
        effective.format("%d/%m/%Y"),
        o.units_opened,
        effective.pred_opt().unwrap_or(effective).format("%d/%m/%Y"),
        o.units_closed
    );
    println!(
        "thôn chuyển về xã mới: {}; hộ chuyển theo thôn: {}; đợt rà soát đang mở chuyển: {}",
        o.villages_moved, o.households_moved, o.reviews_moved
    );
    if !o.villages_waiting.is_empty() {
        println!(
            "thôn của xã bị chia, chờ phân về xã mới ({}; dùng `giamngheo units assign-villages`):",
            o.villages_waiting.len()
        );
        for v in &o.villages_waiting {
            println!(
                "  {} {} (xã cũ {}): một trong {}",
                v.code,
                v.name,
                v.old_commune_code,
                v.candidates.join(", ")
            );
        }
    }
    if !o.users_moved.is_empty() {
        println!("người dùng của đơn vị đã giải thể:");
        for u in &o.users_moved {
            match &u.to {
                Some(to) => println!("  {}: {} → {}", u.username, u.from, to),
                None => println!(
                    "  {}: {} đã chia cho nhiều đơn vị, hãy giao đơn vị mới",
                    u.username, u.from
                ),
            }
        }
    }
}

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
