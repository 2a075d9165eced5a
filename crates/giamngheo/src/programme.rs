//! `giamngheo programme …`: the programme's funds from the command line, run as the
//! system (whoever runs the command controls the server).
//!
//! - `programme report --unit CODE --year YEAR [--part money|activities|all]
//!   --format json|csv|xlsx|pdf [--output FILE]`: the progress report family: the money
//!   (planned, allocated, disbursed, rate by project and source and by commune; the
//!   default), the activities (planned against done, beneficiaries by group, event
//!   participants), or both (a sheet each in the .xlsx and the PDF).
//! - `programme activities list|add|import-beneficiaries`: see `programme_activities`.
//! - `programme import disbursements FILE.xlsx`: the finance department's sheet, all or
//!   nothing; each problem is named by line and column.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::{App, AppError};
use giamngheo_domain::Tier;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand, Debug)]
pub enum ProgrammeCommand {
    /// Tiến độ chương trình (the progress report family): vốn, hoạt động hoặc cả hai, ra
    /// json, csv, xlsx hoặc pdf.
    Report(ReportArgs),
    /// Hoạt động của chương trình: list, add, import-beneficiaries.
    Activities {
        #[command(subcommand)]
        what: crate::programme_activities::ActivitiesCommand,
    },
    /// Nhập dữ liệu (imports).
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Bảng giải ngân của cơ quan tài chính (.xlsx): cột unit, year, project, source,
    /// amount, date, document_number, note (hoặc tiêu đề tiếng Việt: Mã xã, Năm, Dự án,
    /// Nguồn vốn, Số tiền, Ngày, Số chứng từ, Ghi chú).
    Disbursements {
        #[command(flatten)]
        db: crate::DbArgs,
        file: PathBuf,
    },
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub db: crate::DbArgs,
    /// Unit code (province, district or commune).
    #[arg(long)]
    unit: String,
    #[arg(long)]
    year: i32,
    /// money (tiến độ vốn, the default), activities (hoạt động và đối tượng hưởng lợi) or
    /// all (both: a sheet each in the .xlsx and the PDF; CSV holds one).
    #[arg(long, default_value = "money")]
    part: String,
    /// json, csv, xlsx or pdf.
    #[arg(long, default_value = "json")]
    format: String,
    /// Output file, needed for xlsx and pdf; standard output otherwise.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// An administrator of the province of `unit`, for the command line's work.
pub(crate) async fn system_actor(app: &App, unit: &str) -> Result<Actor, AppError> {
    let record = app.unit(unit).await?;
    Ok(Actor {
        user_id: 0,
        username: "system".into(),
        role: Role::Admin,
        unit_code: record.province_code.clone(),
        unit_tier: Tier::Province,
        agency_code: None,
    })
}

pub fn db(command: &ProgrammeCommand) -> &crate::DbArgs {
    match command {
        ProgrammeCommand::Report(args) => &args.db,
        ProgrammeCommand::Activities { what } => crate::programme_activities::db(what),
        ProgrammeCommand::Import {
            what: ImportCommand::Disbursements { db, .. },
        } => db,
    }
}

pub async fn run(app: &App, command: ProgrammeCommand) -> Result<ExitCode> {
    match command {
        ProgrammeCommand::Report(args) => report(app, args).await,
        ProgrammeCommand::Activities { what } => crate::programme_activities::run(app, what).await,
        ProgrammeCommand::Import {
            what: ImportCommand::Disbursements { file, .. },
        } => import(app, &file).await,
    }
}

async fn report(app: &App, args: ReportArgs) -> Result<ExitCode> {
    let actor = system_actor(app, &args.unit).await?;
    let part: giamngheo_app::programme::ProgressPart = args.part.parse()?;
    let family = app
        .programme_progress_family(&actor, &args.unit, args.year, part)
        .await?;
    let bytes = match args.format.as_str() {
        "json" => {
            let mut text = serde_json::to_string_pretty(&family.to_json()?)?;
            text.push('\n');
            text.into_bytes()
        }
        "csv" | "xlsx" | "pdf" => {
            let sheets = family.sheets(app.clock().today(), &app.config().wording)?;
            if args.format == "csv" {
                if sheets.len() != 1 {
                    bail!("tệp CSV chỉ chứa một bảng: chọn --part money hoặc --part activities");
                }
                giamngheo_sheets::reports::csv(&sheets[0])
            } else if args.output.is_none() {
                bail!("--output FILE cần cho định dạng {}", args.format);
            } else if args.format == "xlsx" {
                giamngheo_sheets::reports::xlsx(&sheets).context("không tạo được tệp .xlsx")?
            } else {
                giamngheo_sheets::pdf::reports_pdf(&sheets)
            }
        }
        other => bail!("định dạng «{other}» không có (json, csv, xlsx, pdf)"),
    };
    match &args.output {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("không ghi được {}", path.display()))?,
        None => {
            use std::io::Write;
            std::io::stdout().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(app: &App, file: &PathBuf) -> Result<ExitCode> {
    let bytes =
        std::fs::read(file).with_context(|| format!("không đọc được {}", file.display()))?;
    let rows = match giamngheo_sheets::programme::read_disbursements_xlsx(&bytes) {
        Ok(rows) => rows,
        Err(errors) => return refused(&errors),
    };
    // The sheet is the province's: its first row names it. A row of another province
    // is outside the system actor's area and is named as not found.
    let actor = match system_actor(app, &rows[0].unit).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dòng {}, cột «unit»: {e}", rows[0].line);
            return Ok(ExitCode::from(2));
        }
    };
    match app.import_disbursements(&actor, &rows).await {
        Ok(ids) => {
            println!("đã nhập {} dòng giải ngân", ids.len());
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::File(errors)) => refused(&errors),
        Err(e) => {
            eprintln!("không nhập dòng nào: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

pub(crate) fn refused(errors: &giamngheo_sheets::SheetErrors) -> Result<ExitCode> {
    eprintln!("tệp bị từ chối, không nhập dòng nào:");
    for e in &errors.errors {
        eprintln!("  {e}");
    }
    Ok(ExitCode::from(2))
}
