//! `giamngheo report NAME --unit CODE --period YEAR [--as-of dd/mm/yyyy]
//! [--basis current|as_was] --format json|csv|xlsx|pdf [--per-unit] --output FILE`: an official report computed as
//! the system, written to a file (.xlsx and PDF need `--output`; JSON and CSV go to
//! standard output without it). `--per-unit` (.xlsx or PDF) adds one report per unit
//! below the one asked for. A report whose check fails is refused (exit code 2) with
//! the units and figures named; JSON is written anyway, with `check_failed`.
//!
//! `giamngheo report periodic --unit CODE --period 2021|2021-Q2|2021-05
//! --format json|docx|pdf --output FILE`: the periodic report an office sends up, with
//! the texts its office saved (a draft until issued on the web page).

use anyhow::{Context, Result, bail};
use clap::Args;
use giamngheo_app::App;
use giamngheo_app::reports::{Report, ReportRequest};
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
    /// Classification period (year); for `periodic`, a year, a quarter (2021-Q2) or a
    /// month (2021-05).
    #[arg(long, required_unless_present = "list")]
    period: Option<String>,
    /// Figures as of this date (dd/mm/yyyy); today by default.
    #[arg(long)]
    as_of: Option<String>,
    /// `current`: every period on today's units, earlier ones re-based onto them;
    /// `as_was`: the units as they stood on the report's date. `current` by default,
    /// except for a unit closed since, which is reported as it was.
    #[arg(long)]
    basis: Option<String>,
    /// json, csv, xlsx or pdf; for `periodic`, json, docx or pdf.
    #[arg(long, default_value = "json")]
    format: String,
    /// Output file, needed for xlsx and pdf; standard output for json and csv when not
    /// given.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Lists the report names and exits.
    #[arg(long)]
    list: bool,
    /// With `--format xlsx` or `--format pdf`: the unit's report, then one per unit
    /// below it (each commune of a district), as sheets or as pages of their own.
    #[arg(long)]
    per_unit: bool,
}

pub async fn run(app: &App, args: ReportArgs) -> Result<ExitCode> {
    if args.list {
        for d in &app.catalog().reports {
            println!("{:<26} {}", d.name, d.title.replace("{period}", "…"));
        }
        println!(
            "{:<26} Báo cáo định kỳ (kỳ: 2021, 2021-Q2, 2021-05)",
            PERIODIC
        );
        return Ok(ExitCode::SUCCESS);
    }
    if args.name.as_deref() == Some(PERIODIC) {
        return periodic(app, &args).await;
    }
    let period = args.period.as_deref().unwrap_or_default();
    let period: i32 = period
        .trim()
        .parse()
        .with_context(|| format!("kỳ «{period}» không phải là một năm"))?;
    let as_of = match args.as_of.as_deref() {
        Some(s) => Some(crate::giamngheo_sheets_date(s)?),
        None => None,
    };
    let req = ReportRequest {
        name: args.name.clone().unwrap_or_default(),
        unit: args.unit.clone().unwrap_or_default(),
        period,
        as_of,
        basis: args.basis.as_deref().map(str::parse).transpose()?,
    };
    if !matches!(args.format.as_str(), "json" | "csv" | "xlsx" | "pdf") {
        bail!(
            "định dạng «{}» không có (json, csv, xlsx, pdf)",
            args.format
        );
    }
    let binary = matches!(args.format.as_str(), "xlsx" | "pdf");
    if binary && args.output.is_none() {
        bail!("--output FILE cần cho định dạng {}", args.format);
    }
    if args.per_unit {
        if !binary {
            bail!("--per-unit chỉ dùng với --format xlsx hoặc --format pdf");
        }
        let reports = app.report_per_unit_as_system(&req).await?;
        return write_files(app, &reports, &args);
    }
    let report = app.report_as_system(&req).await?;
    if args.format != "json" {
        return write_files(app, std::slice::from_ref(&report), &args);
    }
    let mut value = serde_json::to_value(&report)?;
    if let Some(o) = value.as_object_mut() {
        o.insert("check_failed".into(), report.check_failed().into());
    }
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    write_out(args.output.as_ref(), text.as_bytes())?;
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

/// The name that asks for the periodic report rather than a table report.
const PERIODIC: &str = "periodic";

/// The periodic report of a unit and period as JSON, .docx or PDF.
async fn periodic(app: &App, args: &ReportArgs) -> Result<ExitCode> {
    let unit = args.unit.clone().unwrap_or_default();
    let period = args.period.clone().unwrap_or_default();
    if args.format != "json" && args.output.is_none() {
        bail!("--output FILE cần cho định dạng {}", args.format);
    }
    let bytes = match args.format.as_str() {
        "json" | "docx" | "pdf" => {
            let report = app.periodic_report_as_system(&unit, &period).await?;
            match args.format.as_str() {
                "docx" => report.to_docx(&app.config().wording)?,
                "pdf" => report.to_pdf(&app.config().wording),
                _ => {
                    let mut text = serde_json::to_string_pretty(&report)?;
                    text.push('\n');
                    text.into_bytes()
                }
            }
        }
        other => bail!("định dạng «{other}» không có cho báo cáo định kỳ (json, docx, pdf)"),
    };
    write_out(args.output.as_ref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the reports as CSV (one report), .xlsx (a sheet each) or PDF (pages of their
/// own each), or refuses with exit code 2 when any report's check fails: a file must
/// never carry figures that do not add up.
fn write_files(app: &App, reports: &[Report], args: &ReportArgs) -> Result<ExitCode> {
    for r in reports {
        if let Err(e) = r.ensure_exportable() {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    }
    let today = app.clock().today();
    let wording = &app.config().wording;
    let sheets: Vec<_> = reports.iter().map(|r| r.to_sheet(today, wording)).collect();
    let bytes = match (args.format.as_str(), sheets.as_slice()) {
        ("csv", [one]) => giamngheo_sheets::reports::csv(one),
        ("xlsx", _) => giamngheo_sheets::reports::xlsx(&sheets).context("không tạo được .xlsx")?,
        ("pdf", _) => giamngheo_sheets::pdf::reports_pdf(&sheets),
        (other, _) => bail!("định dạng «{other}» không ghi được nhiều báo cáo vào một tệp"),
    };
    write_out(args.output.as_ref(), &bytes)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes to the output file, or to standard output when none was given.
fn write_out(path: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match path {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("không ghi được {}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(bytes)?;
            Ok(())
        }
    }
}
