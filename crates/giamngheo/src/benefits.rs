//! `giamngheo benefits import --policy CODE --agency CODE [--unit CODE] FILE`: imports an
//! agency's own list (.csv or .xlsx) as the system, matching within the agency's unit (or
//! the unit given); ambiguous and unmatched rows go to the match queue.
//! `giamngheo findings check --unit CODE`: runs the policy checks on a unit's benefits and
//! adds the new findings.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use giamngheo_app::App;
use giamngheo_app::households::By;
use giamngheo_app::policies::imports::{BenefitImportRequest, ImportStep};
use giamngheo_sheets::reports::number;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum BenefitsCommand {
    /// Nhập danh sách của cơ quan (thẻ BHYT, khoản vay, miễn học phí) từ tệp .csv hoặc
    /// .xlsx (imports an agency's list).
    Import(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Mã chính sách: bhyt, loan_poor, loan_near_poor, loan_recently_escaped,
    /// tuition_exemption.
    #[arg(long)]
    policy: String,
    /// Mã cơ quan gửi danh sách (42-bhxh, 42-nhcsxh…).
    #[arg(long)]
    agency: String,
    /// Đơn vị đối chiếu; mặc định là đơn vị của cơ quan.
    #[arg(long)]
    unit: Option<String>,
    /// A folder of list layouts (*.toml, each naming the policies of the catalogue its
    /// lists are for) laid over the shipped ones.
    #[arg(long, env = "GIAMNGHEO_BENEFIT_LISTS_DIR")]
    lists_dir: Option<PathBuf>,
    /// Tệp .csv hoặc .xlsx.
    file: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum FindingsCommand {
    /// Kiểm tra các lần hưởng chính sách của một đơn vị và ghi phát hiện mới (runs the
    /// policy checks of a unit).
    Check(CheckArgs),
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Mã đơn vị (tỉnh, xã, thôn).
    #[arg(long)]
    unit: String,
}

pub async fn import(app: &App, args: ImportArgs) -> Result<ExitCode> {
    if let Some(dir) = &args.lists_dir {
        giamngheo_app::policies::lists::use_benefit_lists_dir(dir).map_err(anyhow::Error::msg)?;
    }
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("không đọc được tệp {}", args.file.display()))?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    // Each step on a line of its own with the seconds since the start, so that a long
    // import shows where it is and a slow step can be seen (a province's card list takes
    // tens of seconds).
    let show = |step: ImportStep| {
        let what = match step {
            ImportStep::Reading => "đọc và kiểm tra tệp".to_string(),
            ImportStep::Matching { rows } => format!("đối chiếu {} dòng", number(rows as i64)),
            ImportStep::Writing { benefits, queued } => format!(
                "ghi {} lần hưởng và {} dòng chờ đối chiếu",
                number(benefits as i64),
                number(queued as i64)
            ),
            ImportStep::Checking { households } => {
                format!("kiểm tra phát hiện của {} hộ", number(households as i64))
            }
            ImportStep::WritingFindings { findings } => {
                format!("ghi {} phát hiện", number(findings as i64))
            }
        };
        let seconds = format!("{:.1}", started.elapsed().as_secs_f64()).replace('.', ",");
        eprintln!("[{seconds} giây] {what}");
    };
    let summary = app
        .import_benefit_list_with_progress(
            By::System,
            &BenefitImportRequest {
                policy: &args.policy,
                agency_code: &args.agency,
                unit_code: args.unit.as_deref(),
                file_name: &file_name,
                bytes: &bytes,
            },
            &show,
        )
        .await?;
    println!("{}", summary.message_vi());
    eprintln!(
        "{} dòng trong {:.1} giây",
        summary.rows,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn check(app: &App, args: CheckArgs) -> Result<ExitCode> {
    let run = app.check_findings(&args.unit).await?;
    println!(
        "Đã kiểm tra: {} phát hiện, trong đó {} phát hiện mới",
        run.found, run.added
    );
    Ok(ExitCode::SUCCESS)
}
