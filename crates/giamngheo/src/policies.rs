//! `giamngheo coverage --unit CODE --year YEAR [--policy CODE] [--by-child]
//! [--as-of dd/mm/yyyy] --format json|csv|xlsx [--output FILE]`: policy coverage computed
//! as the system; `giamngheo coverage-rebuild [--policy CODE]…`, the kept coverage
//! spans recomputed; and `giamngheo agency list|add`, the agencies as data.

use anyhow::{Result, bail};
use clap::Args;
use giamngheo_app::App;
use giamngheo_app::policies::coverage::CoverageRequest;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Unit code (province, district, commune or village).
    #[arg(long)]
    unit: String,
    /// The year; counted on 31 December, or today for the current year.
    #[arg(long)]
    year: i32,
    /// One policy code (see `GET /api/v1/policies`); every policy by default.
    #[arg(long)]
    policy: Option<String>,
    /// One row per unit below the unit.
    #[arg(long)]
    by_child: bool,
    /// The reference date instead (dd/mm/yyyy).
    #[arg(long)]
    as_of: Option<String>,
    /// current (today's units, the default) or as_was (the units on the date), as for
    /// `giamngheo report`.
    #[arg(long)]
    basis: Option<String>,
    /// json, csv or xlsx.
    #[arg(long, default_value = "json")]
    format: String,
    /// Output file, needed for xlsx; standard output for json and csv when not given.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CoverageRebuildArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// The policies to recompute (repeatable); every policy of the catalogue by default.
    #[arg(long)]
    policy: Vec<String>,
}

/// Recomputes the kept coverage spans, printing progress to standard error.
pub async fn coverage_rebuild(app: &App, args: CoverageRebuildArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut shown = 0;
    let counts = app
        .coverage_rebuild(&args.policy, |done, total| {
            // About every twentieth of the way, and at the end.
            if done == total || done >= shown + total.div_ceil(20).max(1) {
                shown = done;
                eprintln!(
                    "Đã tính {} / {} hộ ({} giây).",
                    giamngheo_app::targets::number_vi(done as i64),
                    giamngheo_app::targets::number_vi(total as i64),
                    format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ",")
                );
            }
        })
        .await?;
    println!(
        "Đã tính lại số liệu bao phủ của {} chính sách cho {} hộ: {} khoảng thời gian, trong {} giây.",
        counts.policies,
        giamngheo_app::targets::number_vi(counts.households as i64),
        giamngheo_app::targets::number_vi(counts.spans as i64),
        format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ",")
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn coverage(app: &App, args: CoverageArgs) -> Result<ExitCode> {
    let as_of = match args.as_of.as_deref() {
        Some(s) => Some(crate::giamngheo_sheets_date(s)?),
        None => None,
    };
    let req = CoverageRequest {
        unit: args.unit,
        year: args.year,
        policy: args.policy,
        as_of,
        by_child: args.by_child,
        basis: args.basis.as_deref().map(str::parse).transpose()?,
    };
    let report = app.coverage_as_system(&req).await?;
    let lines: Vec<_> = report.rows.iter().map(|r| r.line()).collect();
    let bytes = match args.format.as_str() {
        "json" => {
            let mut text = serde_json::to_string_pretty(&report)?;
            text.push('\n');
            text.into_bytes()
        }
        "csv" => giamngheo_sheets::policies::coverage_csv(&lines),
        "xlsx" => {
            if args.output.is_none() {
                bail!("--output FILE cần cho định dạng xlsx");
            }
            giamngheo_sheets::policies::coverage_xlsx(&lines)
                .map_err(|e| anyhow::anyhow!("không ghi được tệp xlsx: {e}"))?
        }
        other => bail!("định dạng «{other}» không hỗ trợ (json, csv, xlsx)"),
    };
    match &args.output {
        Some(path) => std::fs::write(path, bytes)?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints every agency, one a line: code, kind, unit, validity and name.
pub async fn list_agencies(app: &App) -> Result<ExitCode> {
    for a in app.agencies().await? {
        let until = a
            .valid_to
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default();
        println!(
            "{:<14} {:<20} {:<8} {} – {:<10} {}",
            a.code,
            a.kind,
            a.unit_code,
            a.valid_from.format("%d/%m/%Y"),
            until,
            a.name
        );
    }
    Ok(ExitCode::SUCCESS)
}
