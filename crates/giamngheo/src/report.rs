//! `giamngheo report NAME --unit CODE --period YEAR [--as-of dd/mm/yyyy] --format json|csv|xlsx
//! --output FILE`: an official report computed as the system, written to a file. A report
//! whose check fails is refused (exit code 2) with the units and figures named; JSON is
//! written anyway, with `check_failed`.

use anyhow::{Context, Result, bail};
use clap::Args;
use giamngheo_app::App;
use giamngheo_app::reports::ReportRequest;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Report name (see `giamngheo report --list`).
    #[arg(required_unless_present = "list")]
    name: Option<String>,
    /// Unit code (province, district, commune or village).
    #[arg(long, required_unless_present = "list")]
    unit: Option<String>,
    /// Classification period (year).
    #[arg(long, required_unless_present = "list")]
    period: Option<i32>,
    /// Figures as of this date (dd/mm/yyyy); today by default.
    #[arg(long)]
    as_of: Option<String>,
    /// json, csv or xlsx.
    #[arg(long, default_value = "json")]
    format: String,
    /// Output file; standard output for json and csv when not given.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Lists the report names and exits.
    #[arg(long)]
    list: bool,
    /// With `--format xlsx`: the total sheet, then one sheet per unit below (each
    /// commune of a district).
    #[arg(long)]
    per_unit: bool,
}

pub async fn run(app: &App, args: ReportArgs) -> Result<ExitCode> {
    if args.list {
        for d in &app.catalog().reports {
            println!("{:<26} {}", d.name, d.title.replace("{period}", "…"));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let as_of = match args.as_of.as_deref() {
        Some(s) => Some(crate::giamngheo_sheets_date(s)?),
        None => None,
    };
    let req = ReportRequest {
        name: args.name.clone().unwrap_or_default(),
        unit: args.unit.clone().unwrap_or_default(),
        period: args.period.unwrap_or_default(),
        as_of,
    };
    if args.per_unit {
        if args.format != "xlsx" {
            bail!("--per-unit chỉ dùng với --format xlsx");
        }
        let path = args
            .output
            .as_ref()
            .context("--output FILE cần cho định dạng xlsx")?;
        let reports = app.report_per_unit_as_system(&req).await?;
        for r in &reports {
            if let Err(e) = r.ensure_exportable() {
                eprintln!("{e}");
                return Ok(ExitCode::from(2));
            }
        }
        let today = app.clock().today();
        let sheets: Vec<_> = reports.iter().map(|r| r.to_sheet(today)).collect();
        let bytes = giamngheo_sheets::reports::xlsx(&sheets).context("không tạo được .xlsx")?;
        std::fs::write(path, &bytes)
            .with_context(|| format!("không ghi được {}", path.display()))?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = app.report_as_system(&req).await?;
    let bytes = match args.format.as_str() {
        "json" => {
            let mut value = serde_json::to_value(&report)?;
            if let Some(o) = value.as_object_mut() {
                o.insert("check_failed".into(), report.check_failed().into());
            }
            let mut text = serde_json::to_string_pretty(&value)?;
            text.push('\n');
            text.into_bytes()
        }
        "csv" | "xlsx" => {
            if let Err(e) = report.ensure_exportable() {
                eprintln!("{e}");
                return Ok(ExitCode::from(2));
            }
            let sheet = report.to_sheet(app.clock().today());
            if args.format == "csv" {
                giamngheo_sheets::reports::csv(&sheet)
            } else {
                giamngheo_sheets::reports::xlsx(&[sheet]).context("không tạo được .xlsx")?
            }
        }
        other => bail!("định dạng «{other}» không có (json, csv, xlsx)"),
    };
    match &args.output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("không ghi được {}", path.display()))?,
        None if args.format == "xlsx" => bail!("--output FILE cần cho định dạng xlsx"),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    if report.check_failed() {
        eprintln!(
            "kiểm tra không đạt: {}",
            report
                .ensure_exportable()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        );
        return Ok(ExitCode::from(2));
    }
    Ok(ExitCode::SUCCESS)
}
